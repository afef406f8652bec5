package lb

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file holds what every object's validation shares: wsme's field checks
// (length, range, enum, UUID, IP and CIDR formats, with wsme's reasons), the
// Python-style value formatting wsme uses in its messages, the listener/pool
// protocol map and ValidateGraph.
//
// Conventions of all Validate* functions, since the model is plain Go values:
//   - an empty string is an unset field (Octavia's None): it is not
//     format-checked, and a mandatory one gets wsme's "Mandatory field
//     missing." answer;
//   - integer zero is an accepted value wherever Octavia accepts 0; where 0
//     is out of range and the field has a default (max_retries_down,
//     position) zero means "unset, use the default";
//   - nil slices are unset, empty non-nil slices are an explicit [] (which
//     tls_versions and alpn_protocols reject).
//
// Checks run in Octavia's order: wsme's field checks in the order the POST
// type declares its attributes, then the controller's checks, then those that
// need the database (here: the graph passed in), so the first violation
// reported is the one Octavia answers with.

// wsme's reasons for a rejected value ([WS] wsme/types.py, wsme/rest/json.py,
// [PO] octavia/api/common/types.py).
const (
	reasonMandatory = "Mandatory field missing."
	reasonUUID      = "Value should be UUID format"
	reasonIP        = "Value should be IPv4 or IPv6 format"
	reasonCIDR      = "Value should be IPv4 or IPv6 CIDR format"
	reasonALPN      = "Value should be a valid ALPN protocol ID"
	reasonURL       = "Value must be a valid URL string"
	reasonURLPath   = "Value must be a valid URL Path string"
)

func reasonMaxLen(n int) string {
	return fmt.Sprintf("Value should have a maximum character requirement of %d", n)
}

func reasonMin(n int) string { return fmt.Sprintf("Value should be greater or equal to %d", n) }

func reasonMax(n int) string { return fmt.Sprintf("Value should be lower or equal to %d", n) }

func reasonPattern(p string) string { return "Value should match the pattern " + p }

func reasonOneOf(values []string) string {
	return "Value should be one of: " + strings.Join(values, ", ")
}

// Length limits of fields other than names (MaxNameLength) and tags
// (MaxTagLength), from Octavia's API types.
const (
	maxProjectIDLength   = 36
	maxProviderLength    = 64
	maxRefLength         = 255
	maxAZLength          = 255
	maxHeaderValueLength = 255
	maxTLSCiphersLength  = 2048
	maxTLSVersionLength  = 32
	maxL7StringLength    = 255
	maxDomainNameLength  = 255
	maxCookieNameLength  = 255
)

// mandatory is wsme's answer to a missing mandatory attribute.
func mandatory(field string) *Error { return invalidInput(field, "None", reasonMandatory) }

// pyLen is Python's len() of a str: the number of code points.
func pyLen(s string) int { return utf8.RuneCountInString(s) }

func checkMaxLen(field, v string, n int) *Error {
	if pyLen(v) > n {
		return invalidInput(field, v, reasonMaxLen(n))
	}
	return nil
}

// checkListMaxLen is ArrayType(StringType(max_length=n)): wsme reports the
// whole list as the value.
func checkListMaxLen(field string, vs []string, n int) *Error {
	for _, v := range vs {
		if pyLen(v) > n {
			return invalidInput(field, pyList(vs), reasonMaxLen(n))
		}
	}
	return nil
}

func checkRange(field string, v, minimum, maximum int) *Error {
	if v < minimum {
		return invalidInput(field, v, reasonMin(minimum))
	}
	if v > maximum {
		return invalidInput(field, v, reasonMax(maximum))
	}
	return nil
}

// checkEnum rejects a set value outside allowed; wsme lists the allowed
// values in Python set order, which is random per process for strings, so
// the list here is the (sorted) order of the enum functions of enums.go.
func checkEnum(field, v string, allowed []string) *Error {
	if v != "" && !slices.Contains(allowed, v) {
		return invalidInput(field, v, reasonOneOf(allowed))
	}
	return nil
}

// checkMandatoryEnum is checkEnum for a mandatory attribute.
func checkMandatoryEnum(field, v string, allowed []string) *Error {
	if v == "" {
		return mandatory(field)
	}
	return checkEnum(field, v, allowed)
}

// checkUUID is wsme's UuidType on a set value.
func checkUUID(field, v string) *Error {
	if v != "" && !isPyUUID(v) {
		return invalidInput(field, v, reasonUUID)
	}
	return nil
}

// isPyUUID reports whether Python's uuid.UUID(v) accepts v: 32 hex digits,
// optionally with dashes anywhere, surrounding braces and a urn:uuid: prefix.
func isPyUUID(v string) bool {
	v = strings.ReplaceAll(v, "urn:", "")
	v = strings.ReplaceAll(v, "uuid:", "")
	v = strings.Trim(v, "{}")
	v = strings.ReplaceAll(v, "-", "")
	if len(v) != 32 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// parseIP parses an address the way netaddr with INET_PTON does: dotted quad
// IPv4 without leading zeros or textual IPv6, no zone.
func parseIP(v string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(v)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a, true
}

// CheckIPAddress is Octavia's IPAddressType for field (vip_address,
// address, monitor_address, additional_vips.ip_address, …); an empty value
// is unset and passes.
func CheckIPAddress(field, v string) error {
	return errOrNil(checkIP(field, v))
}

func checkIP(field, v string) *Error {
	if v == "" {
		return nil
	}
	if _, ok := parseIP(v); !ok {
		return invalidInput(field, v, reasonIP)
	}
	return nil
}

// CheckUUID is wsme's UuidType for field; an empty value is unset and passes.
func CheckUUID(field, v string) error { return errOrNil(checkUUID(field, v)) }

// parseCIDR parses a network as Python's ipaddress.ip_network(v,
// strict=False) does: an address alone is a host network, the prefix may be
// a length or, for IPv4, a netmask or hostmask. The result is masked.
func parseCIDR(v string) (netip.Prefix, bool) {
	addrPart, maskPart, hasMask := strings.Cut(v, "/")
	a, ok := parseIP(addrPart)
	if !ok {
		return netip.Prefix{}, false
	}
	bits := a.BitLen()
	if hasMask {
		n, ok := prefixLength(a, maskPart)
		if !ok {
			return netip.Prefix{}, false
		}
		bits = n
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return netip.Prefix{}, false
	}
	return p, true
}

func prefixLength(a netip.Addr, s string) (int, bool) {
	if s != "" && strings.Trim(s, "0123456789") == "" {
		n, err := strconv.Atoi(s)
		if err != nil || n > a.BitLen() {
			return 0, false
		}
		return n, true
	}
	if !a.Is4() {
		return 0, false
	}
	m, err := netip.ParseAddr(s)
	if err != nil || !m.Is4() {
		return 0, false
	}
	b := m.As4()
	x := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	if n, ok := contiguousOnes(x); ok {
		return n, true
	}
	return contiguousOnes(^x)
}

// contiguousOnes returns the prefix length of a netmask, or false when x is
// not of the form 1…10…0.
func contiguousOnes(x uint32) (int, bool) {
	n := 0
	for n < 32 && x&(1<<(31-n)) != 0 {
		n++
	}
	if n < 32 && x<<n != 0 {
		return 0, false
	}
	return n, true
}

// pyPrefix is Python's with_prefixlen of a network: like netip's, except
// that an IPv4-mapped IPv6 address is written in hex groups.
func pyPrefix(p netip.Prefix) string {
	a := p.Addr()
	if !a.Is4In6() {
		return p.String()
	}
	b := a.As16()
	return fmt.Sprintf("::ffff:%x:%x/%d", uint16(b[12])<<8|uint16(b[13]), uint16(b[14])<<8|uint16(b[15]), p.Bits())
}

// CheckCIDR is Octavia's CidrType on one allowed_cidrs entry.
func CheckCIDR(v string) error {
	if _, ok := parseCIDR(v); !ok {
		return invalidInput("allowed_cidrs", pyList([]string{v}), reasonCIDR)
	}
	return nil
}

// errOrNil avoids the typed-nil trap when an *Error is returned as error.
func errOrNil(e *Error) error {
	if e == nil {
		return nil
	}
	return e
}

// first returns the first non-nil result of the checks, run in order.
func first(checks ...func() *Error) *Error {
	for _, c := range checks {
		if e := c(); e != nil {
			return e
		}
	}
	return nil
}

// pyStr is Python's repr() of a str.
func pyStr(s string) string {
	quote := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(quote):
			b.WriteByte('\\')
			b.WriteByte(quote)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case !strconv.IsPrint(r) && r != ' ':
			switch {
			case r <= 0xff:
				fmt.Fprintf(&b, `\x%02x`, r)
			case r <= 0xffff:
				fmt.Fprintf(&b, `\u%04x`, r)
			default:
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}

// pyList is Python's str() of a list of str, as wsme prints a list value.
func pyList(vs []string) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = pyStr(v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// pyDict is Python's str() of a dict of str. Go maps have no order, so the
// keys are sorted (Python would keep the request's order).
func pyDict(m map[string]string) string {
	keys := sortedKeys(m)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = pyStr(k) + ": " + pyStr(m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// pyFloat is Python's repr() of a float for the values an HTTP version takes.
func pyFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEnN") {
		s += ".0"
	}
	return s
}

// isPySpace reports whether Python's re \s (on str) matches r.
func isPySpace(r rune) bool {
	switch {
	case r >= 0x09 && r <= 0x0d, r >= 0x1c && r <= 0x20:
		return true
	case r == 0x85, r == 0xa0, r == 0x1680, r >= 0x2000 && r <= 0x200a,
		r == 0x2028, r == 0x2029, r == 0x202f, r == 0x205f, r == 0x3000:
		return true
	}
	return false
}

// Checks of the fields most objects share.
func checkName(v string) *Error { return checkMaxLen("name", v, MaxNameLength) }

func checkDescription(v string) *Error { return checkMaxLen("description", v, MaxNameLength) }

func checkProjectID(v string) *Error { return checkMaxLen("project_id", v, maxProjectIDLength) }

func checkTags(tags []string) *Error { return checkListMaxLen("tags", tags, MaxTagLength) }

// l4Protocol is constants.L4_PROTOCOL_MAP: the transport a protocol runs on,
// which decides which listeners may not share a port.
func l4Protocol(protocol string) string {
	switch protocol {
	case ProtocolUDP:
		return ProtocolUDP
	case ProtocolSCTP:
		return ProtocolSCTP
	default:
		return ProtocolTCP
	}
}

// PoolProtocolsForListener is constants.VALID_LISTENER_POOL_PROTOCOL_MAP: the
// pool protocols a listener of the given protocol may send traffic to, in
// Octavia's order. A PROMETHEUS (or unknown) listener takes none.
func PoolProtocolsForListener(listenerProtocol string) []string {
	switch listenerProtocol {
	case ProtocolTCP:
		return []string{ProtocolHTTP, ProtocolHTTPS, ProtocolProxy, ProtocolProxyV2, ProtocolTCP}
	case ProtocolHTTP, ProtocolTerminatedHTTPS:
		return []string{ProtocolHTTP, ProtocolProxy, ProtocolProxyV2}
	case ProtocolHTTPS:
		return []string{ProtocolHTTPS, ProtocolProxy, ProtocolProxyV2, ProtocolTCP}
	case ProtocolUDP:
		return []string{ProtocolUDP}
	case ProtocolSCTP:
		return []string{ProtocolSCTP}
	}
	return nil
}

// CheckListenerPoolProtocol reports whether a listener of listenerProtocol
// may use a pool of poolProtocol (as default pool, through the pool's
// listener_id or as an L7 redirect pool), with the answer of Octavia's
// BaseController._validate_protocol. Field is "protocol" (the pool's); the
// callers inside this package report it against their reference field.
func CheckListenerPoolProtocol(listenerProtocol, poolProtocol string) error {
	return errOrNil(checkListenerPoolProtocol("protocol", listenerProtocol, poolProtocol))
}

func checkListenerPoolProtocol(field, listenerProtocol, poolProtocol string) *Error {
	if slices.Contains(PoolProtocolsForListener(listenerProtocol), poolProtocol) {
		return nil
	}
	return validationFailure(field, fmt.Sprintf(
		"The pool protocol '%s' is invalid while the listener protocol is '%s'.",
		poolProtocol, listenerProtocol))
}

// listenerNoChildren is ListenerNoChildren for a PROMETHEUS listener.
func listenerNoChildren(field string) *Error {
	return &Error{
		Status:  400,
		Field:   field,
		Message: "Protocol " + ProtocolPrometheus + " listeners cannot have child objects.",
	}
}

// precedingOrAll returns the elements of list that a new or moved element x
// must not clash with: those before x when x is in the list (by pointer, or
// by non-empty ID), every element otherwise. A graph validated element by
// element therefore reports a clash once, on the later element, as Octavia's
// sequential inserts do.
func precedingOrAll[T any](list []*T, x *T, id func(*T) string) []*T {
	for i, y := range list {
		if y == x || (id(x) != "" && id(y) == id(x)) {
			return list[:i]
		}
	}
	return list
}

// ValidateGraph validates every object of a full graph with the functions
// of this package, in the order Octavia's fully populated create does: the
// load balancer, then each pool (its health monitor, then its members), then
// each listener (then its L7 policies, each followed by its rules). It
// returns the first violation.
func ValidateGraph(l *LoadBalancer) error {
	if l == nil {
		return nil
	}
	if err := ValidateLoadBalancer(l); err != nil {
		return err
	}
	for _, p := range l.Pools {
		if err := ValidatePool(p, l); err != nil {
			return err
		}
		if p.HealthMonitor != nil {
			if err := ValidateHealthMonitor(p.HealthMonitor, p); err != nil {
				return err
			}
		}
		for _, m := range p.Members {
			if err := ValidateMember(m, p); err != nil {
				return err
			}
		}
	}
	for _, li := range l.Listeners {
		if err := ValidateListener(li, l); err != nil {
			return err
		}
		for _, pol := range li.L7Policies {
			if err := ValidateL7Policy(pol, li, l); err != nil {
				return err
			}
			for _, r := range pol.Rules {
				if err := ValidateL7Rule(r, pol); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
