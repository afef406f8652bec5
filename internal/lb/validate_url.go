package lb

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Octavia validates URLs (L7 redirect_url/redirect_prefix) and health monitor
// URL paths with the rfc3986 library ([PO] octavia/common/validate.py: url,
// url_path). The regular expressions below are rfc3986's own
// (rfc3986/abnf_regexp.py, misc.py), built the same way; all of them are
// RE2-compatible and Go's leftmost-first matching picks the same submatches
// as Python's backtracking engine.

const (
	abnfUnreserved = `A-Za-z0-9._~\-`
	abnfSubDelims  = `!$&'()\*+,;=`
	abnfPctEncoded = `%[A-Fa-f0-9]{2}`
	abnfPChar      = `([` + abnfUnreserved + abnfSubDelims + `:@]|` + abnfPctEncoded + `)`
	abnfScheme     = `[a-zA-Z][a-zA-Z0-9+.-]*`
	abnfRegName    = `((?:%[0-9A-Fa-f]{2}|[` + abnfSubDelims + abnfUnreserved + `])*)`
	abnfIPv4       = `([0-9]{1,3}\.){3}[0-9]{1,3}`
	abnfHex        = `[0-9A-Fa-f]{1,4}`
	abnfLS32       = `(` + abnfHex + `:` + abnfHex + `|` + abnfIPv4 + `)`
	abnfIPv6       = `((` + `(` + abnfHex + `:){6}` + abnfLS32 +
		`)|(` + `::(` + abnfHex + `:){5}` + abnfLS32 +
		`)|(` + `(` + abnfHex + `)?::(` + abnfHex + `:){4}` + abnfLS32 +
		`)|(` + `((` + abnfHex + `:)?` + abnfHex + `)?::(` + abnfHex + `:){3}` + abnfLS32 +
		`)|(` + `((` + abnfHex + `:){0,2}` + abnfHex + `)?::(` + abnfHex + `:){2}` + abnfLS32 +
		`)|(` + `((` + abnfHex + `:){0,3}` + abnfHex + `)?::` + abnfHex + `:` + abnfLS32 +
		`)|(` + `((` + abnfHex + `:){0,4}` + abnfHex + `)?::` + abnfLS32 +
		`)|(` + `((` + abnfHex + `:){0,5}` + abnfHex + `)?::` + abnfHex +
		`)|(` + `((` + abnfHex + `:){0,6}` + abnfHex + `)?::` + `))`
	abnfIPvFuture   = `v[0-9A-Fa-f]+\.[` + abnfUnreserved + abnfSubDelims + `:]+`
	abnfZoneID      = `(?:[` + abnfUnreserved + `]|` + abnfPctEncoded + `)+`
	abnfIPv6RFC4007 = abnfIPv6 + `(?:(?:%25|%)` + abnfZoneID + `)?`
	abnfIPv6AddrZ   = abnfIPv6 + `(?:%25` + abnfZoneID + `)?`
	abnfIPLiteral   = `\[(` + abnfIPv6RFC4007 + `|` + abnfIPvFuture + `)\]`
	abnfHost        = `(` + abnfRegName + `|` + abnfIPv4 + `|` + abnfIPLiteral + `)`
	abnfUserinfo    = `^([` + abnfUnreserved + abnfSubDelims + `:]|` + abnfPctEncoded + `)+`
	abnfPort        = `[0-9]{1,5}`
	abnfSegment     = abnfPChar + `*`
	abnfSegmentNZ   = abnfPChar + `+`
	abnfSegmentNZNC = `([` + abnfUnreserved + abnfSubDelims + `@]|` + abnfPctEncoded + `)+`
	abnfPathRootles = abnfSegmentNZ + `(/` + abnfSegment + `)*`
	abnfPathNoSchem = abnfSegmentNZNC + `(/` + abnfSegment + `)*`
	abnfPathAbs     = `/(` + abnfPathRootles + `)?`
	abnfPathAbEmpty = `(/` + abnfSegment + `)*`
)

// uriRef is rfc3986's URIReference: nil components are absent (None).
type uriRef struct {
	scheme, authority, path *string
}

func optionalGroup(s string, idx []int, g int) *string {
	if idx[2*g] < 0 {
		return nil
	}
	v := s[idx[2*g]:idx[2*g+1]]
	return &v
}

// parseURIReference is rfc3986.uri_reference: the URL_PARSING_RE split, with
// the path percent-encoded by encode_component.
func parseURIReference(s string) uriRef {
	re := regexp.MustCompile(`^(?:(` + abnfScheme + `):)?(?://([^\\/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?`)
	idx := re.FindStringSubmatchIndex(s)
	ref := uriRef{scheme: optionalGroup(s, idx, 1), authority: optionalGroup(s, idx, 2)}
	if p := optionalGroup(s, idx, 3); p != nil {
		enc := encodeComponent(*p)
		ref.path = &enc
	}
	return ref
}

// encodeComponent is rfc3986.normalizers.encode_component.
func encodeComponent(s string) string {
	pct := regexp.MustCompile(abnfPctEncoded)
	isPercentEncoded := len(pct.FindAllStringIndex(s, -1)) == strings.Count(s, "%")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (isPercentEncoded && c == '%') || (c < 128 && isNonPctEncoded(c)) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// isNonPctEncoded is membership of rfc3986's NON_PCT_ENCODED set: reserved
// and unreserved characters.
func isNonPctEncoded(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte(":/?#[]@!$&'()*+,;=._-~", c) >= 0
}

// subauthority is URIReference.authority_info(): ok is false where rfc3986
// raises InvalidAuthority.
type subauthority struct {
	userinfo, host, port *string
}

func (u uriRef) authorityInfo() (subauthority, bool) {
	if u.authority == nil || *u.authority == "" {
		return subauthority{}, true
	}
	a := *u.authority
	re := regexp.MustCompile(`^(?:(` + abnfUserinfo + `)@)?(` + abnfHost + `):?(` + abnfPort + `)?$`)
	idx := re.FindStringSubmatchIndex(a)
	if idx == nil {
		return subauthority{}, false
	}
	// Group numbers: 1 userinfo (2 its inner group), 3 host, then the
	// host's inner groups; the port group is the last one.
	last := len(idx)/2 - 1
	info := subauthority{
		userinfo: optionalGroup(a, idx, 1),
		host:     optionalGroup(a, idx, 3),
		port:     optionalGroup(a, idx, last),
	}
	if info.host != nil && *info.host != "" && !validIPv4Host(*info.host) {
		return subauthority{}, false
	}
	return info, true
}

// validIPv4Host is rfc3986's check that a host that looks like an IPv4
// address has bytes of at most 255.
func validIPv4Host(host string) bool {
	if !regexp.MustCompile(`^` + abnfIPv4 + `$`).MatchString(host) {
		return true
	}
	for _, part := range strings.Split(host, ".") {
		n, err := strconv.Atoi(part)
		if err != nil || n > 255 {
			return false
		}
	}
	return true
}

// hostIsValid is rfc3986.validators.host_is_valid on a present host.
func hostIsValid(host string) bool {
	if !regexp.MustCompile(`^` + abnfHost + `$`).MatchString(host) {
		return false
	}
	if regexp.MustCompile(`^` + abnfIPv4 + `$`).MatchString(host) {
		return validIPv4Host(host)
	}
	if regexp.MustCompile(`^\[` + abnfIPv6RFC4007 + `\]$`).MatchString(host) {
		return regexp.MustCompile(`^\[` + abnfIPv6AddrZ + `\]$`).MatchString(host)
	}
	return true
}

// pathIsValid is rfc3986.validators.path_is_valid (a None path is valid).
func pathIsValid(path *string) bool {
	if path == nil {
		return true
	}
	re := regexp.MustCompile(`^(` + abnfPathAbEmpty + `|` + abnfPathAbs + `|` + abnfPathNoSchem +
		`|` + abnfPathRootles + `|^$)$`)
	return re.MatchString(*path)
}

// hasInvalidURLChars is Octavia's INVALID_URL_CHARS_RE: control characters
// (C0, DEL, C1) and the space.
func hasInvalidURLChars(s string) bool {
	for _, r := range s {
		if r <= 0x20 || (r >= 0x7f && r <= 0x9f) {
			return true
		}
	}
	return false
}

// isValidRedirectURL is octavia.common.validate.url(require_scheme=True): no
// control characters or spaces, an http or https scheme (case-sensitive, as
// rfc3986 compares it unnormalized), a host, and valid scheme, host and path.
func isValidRedirectURL(s string) bool {
	if hasInvalidURLChars(s) {
		return false
	}
	u := parseURIReference(s)
	if u.scheme == nil || (*u.scheme != "http" && *u.scheme != "https") {
		return false
	}
	info, ok := u.authorityInfo()
	if !ok || info.host == nil {
		return false
	}
	return hostIsValid(*info.host) && pathIsValid(u.path)
}

// isValidURLPath is octavia.common.validate.url_path: a valid rfc3986 path
// starting with "/", no whitespace, no scheme, userinfo, host or port; a
// query and a fragment are allowed. Stricter than Octavia, it also refuses
// the control characters that are not whitespace (they would reach the
// HAProxy configuration).
func isValidURLPath(s string) bool {
	for _, r := range s {
		if isPySpace(r) || r < 0x20 || r == 0x7f {
			return false
		}
	}
	u := parseURIReference(s)
	if !pathIsValid(u.path) {
		return false
	}
	if u.scheme != nil {
		return false
	}
	if info, ok := u.authorityInfo(); ok {
		for _, c := range []*string{info.userinfo, info.host, info.port} {
			if c != nil && *c != "" {
				return false
			}
		}
	}
	return u.path != nil && strings.HasPrefix(*u.path, "/")
}

// CheckURLPath is Octavia's URLPathType for a health monitor's url_path; an
// empty value is unset and passes.
func CheckURLPath(v string) error {
	if v != "" && !isValidURLPath(v) {
		return invalidInput("url_path", v, reasonURLPath)
	}
	return nil
}

// CheckRedirectURL is Octavia's URLType for an L7 policy's redirect_url or
// redirect_prefix (field); an empty value is unset and passes.
func CheckRedirectURL(field, v string) error {
	if v != "" && !isValidRedirectURL(v) {
		return invalidInput(field, v, reasonURL)
	}
	return nil
}
