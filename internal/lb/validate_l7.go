package lb

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// invalidL7PolicyArgs is InvalidL7PolicyArgs.
func invalidL7PolicyArgs(field, msg string) *Error {
	return &Error{Status: 400, Field: field, Message: "Invalid L7 Policy arguments: " + msg}
}

// invalidL7PolicyAction is InvalidL7PolicyAction.
func invalidL7PolicyAction(action string) *Error {
	return &Error{Status: 400, Field: "action", Message: "Invalid L7 Policy action specified: " + action}
}

// SanitizeL7Policy is Octavia's validate.sanitize_l7policy_api_args(create=True)
// ([PO] common/validate.py), with a set (non-empty) field standing for a key
// present in the request: it clears the redirect fields the action does not
// use, derives the action from the redirect field that is set (a
// redirect_pool_id makes a REDIRECT_TO_POOL, a redirect_url a
// REDIRECT_TO_URL, a redirect_prefix a REDIRECT_PREFIX, in that order of
// precedence, whatever action was given), clears redirect_http_code of a
// pool redirect and defaults it to 302 for URL and prefix redirects, and
// returns Octavia's InvalidL7PolicyArgs/InvalidL7PolicyAction errors.
// As in Octavia, a REJECT keeps its redirect_prefix and redirect_http_code,
// and so becomes a REDIRECT_PREFIX when a prefix is set: on an update, the
// API server should clear the redirect fields that the new action replaces
// before merging. It does not validate URL syntax (ValidateL7Policy does);
// call ValidateL7Policy first, as Octavia checks the redirect pool before
// sanitizing.
func SanitizeL7Policy(pol *L7Policy) error {
	if pol == nil {
		return nil
	}
	return errOrNil(sanitizeL7Policy(pol))
}

func sanitizeL7Policy(pol *L7Policy) *Error {
	switch pol.Action {
	case "":
	case L7ActionReject:
		pol.RedirectURL = ""
		pol.RedirectPoolID = ""
	case L7ActionRedirectToURL:
		if pol.RedirectURL == "" {
			return invalidL7PolicyArgs("redirect_url", "redirect_url must not be None")
		}
		pol.RedirectPoolID = ""
	case L7ActionRedirectToPool:
		if pol.RedirectPoolID == "" {
			return invalidL7PolicyArgs("redirect_pool_id", "redirect_pool_id or redirect_pool must not be None")
		}
		pol.RedirectURL = ""
	case L7ActionRedirectPrefix:
		if pol.RedirectPrefix == "" {
			return invalidL7PolicyArgs("redirect_prefix", "redirect_prefix must not be None")
		}
	default:
		return invalidL7PolicyAction(pol.Action)
	}
	if pol.RedirectPoolID != "" && (pol.RedirectURL != "" || pol.RedirectPrefix != "") {
		return invalidL7PolicyArgs("redirect_pool_id",
			"Cannot specify redirect_pool_id and redirect_url or redirect_prefix at the same time")
	}
	defaultCode := func() {
		if pol.RedirectHTTPCode == nil || *pol.RedirectHTTPCode == 0 {
			c := DefaultRedirectHTTPCode
			pol.RedirectHTTPCode = &c
		}
	}
	if pol.RedirectPoolID != "" {
		pol.Action = L7ActionRedirectToPool
		pol.RedirectURL = ""
		pol.RedirectPrefix = ""
		pol.RedirectHTTPCode = nil
	}
	if pol.RedirectURL != "" {
		pol.Action = L7ActionRedirectToURL
		pol.RedirectPoolID = ""
		pol.RedirectPrefix = ""
		defaultCode()
	}
	if pol.RedirectPrefix != "" {
		pol.Action = L7ActionRedirectPrefix
		pol.RedirectPoolID = ""
		pol.RedirectURL = ""
		defaultCode()
	}
	if pol.Action == "" {
		return invalidL7PolicyAction("None")
	}
	return nil
}

// ValidateL7Policy checks an L7 policy as Octavia's L7PolicyPOST type,
// L7PolicyController.post and db/prepare.py:create_l7policy do ([PO]
// api/v2/types/l7policy.py, api/v2/controllers/l7policy.py,
// common/validate.py): action (mandatory, known), redirect_pool_id UUID,
// redirect_url/redirect_prefix http(s) URLs without control characters,
// position 1–2147483647 (0 is unset: appended), redirect_http_code ∈
// 301/302/303/307/308, then what SanitizeL7Policy refuses (a redirect action
// without its target, a pool together with a URL or prefix) and at most 50
// rules (409). Octavia accepts a redirect_http_code on REJECT and
// REDIRECT_TO_POOL policies (and drops it on the latter), so it is not
// refused here. li is the policy's listener (nil at plan time skips the
// PROMETHEUS check and the redirect pool's protocol check); l its load
// balancer (nil skips the redirect pool's existence). That only HTTP and
// TERMINATED_HTTPS listeners take L7 policies is the amphora provider's
// limit (a 501), see SupportedByAmphoraL7Policy. The rules themselves are
// ValidateL7Rule's.
func ValidateL7Policy(pol *L7Policy, li *Listener, l *LoadBalancer) error {
	if pol == nil {
		return nil
	}
	return errOrNil(validateL7Policy(pol, li, l))
}

func validateL7Policy(pol *L7Policy, li *Listener, l *LoadBalancer) *Error {
	return first(
		// wsme, in L7PolicyPOST's declaration order.
		func() *Error { return checkName(pol.Name) },
		func() *Error { return checkDescription(pol.Description) },
		func() *Error { return checkProjectID(pol.ProjectID) },
		func() *Error { return checkMandatoryEnum("action", pol.Action, L7Actions()) },
		func() *Error { return checkUUID("redirect_pool_id", pol.RedirectPoolID) },
		func() *Error { return asError(CheckRedirectURL("redirect_url", pol.RedirectURL)) },
		func() *Error { return asError(CheckRedirectURL("redirect_prefix", pol.RedirectPrefix)) },
		func() *Error {
			if pol.Position == 0 {
				return nil
			}
			return checkRange("position", pol.Position, MinPosition, MaxPosition)
		},
		func() *Error { return checkUUID("listener_id", pol.ListenerID) },
		func() *Error { return checkTags(pol.Tags) },
		func() *Error {
			if pol.RedirectHTTPCode == nil || slices.Contains(RedirectHTTPCodes(), *pol.RedirectHTTPCode) {
				return nil
			}
			codes := make([]string, 0, len(RedirectHTTPCodes()))
			for _, c := range RedirectHTTPCodes() {
				codes = append(codes, fmt.Sprint(c))
			}
			return invalidInput("redirect_http_code", *pol.RedirectHTTPCode, reasonOneOf(codes))
		},
		// L7PolicyController.post.
		func() *Error {
			if li != nil && li.Protocol == ProtocolPrometheus {
				return listenerNoChildren("listener_id")
			}
			return nil
		},
		func() *Error {
			if pol.RedirectPoolID == "" || l == nil {
				return nil
			}
			p := l.Pool(pol.RedirectPoolID)
			if p == nil {
				return notFound("redirect_pool_id", "Pool", pol.RedirectPoolID)
			}
			if li == nil {
				return nil
			}
			return checkListenerPoolProtocol("redirect_pool_id", li.Protocol, p.Protocol)
		},
		// db_prepare.create_l7policy.
		func() *Error {
			c := *pol
			return sanitizeL7Policy(&c)
		},
		func() *Error {
			if len(pol.Rules) > MaxRulesPerPolicy {
				return conflict("rules", "Too many rules on L7 policy "+pol.ID)
			}
			return nil
		},
	)
}

// ValidateL7Rule checks an L7 rule as Octavia's L7RulePOST type,
// validate.l7rule_data and L7RuleController.post do ([PO]
// api/v2/types/l7rule.py, common/validate.py, api/v2/controllers/l7rule.py):
// type and compare_type (mandatory, known), key and value ≤255 without CR or
// LF, then per type: HEADER and COOKIE need a key of HTTP token characters;
// HOST_NAME, PATH, HEADER values are header-value strings (or quoted
// strings), COOKIE values cookie-value strings; FILE_TYPE only with REGEX or
// EQUAL_TO; SSL_CONN_HAS_CERT: no key, value "true", EQUAL_TO;
// SSL_VERIFY_RESULT: no key, a non-negative integer, EQUAL_TO; SSL_DN_FIELD:
// a key matching ^([a-zA-Z][A-Za-z0-9-]*)$ and a value. A REGEX value must
// compile: no control characters, none of the escapes Python's re refuses,
// and compilable by Go's regexp (RE2; HAProxy uses PCRE, so a look-around
// or back-reference that Python accepts is refused here). pol is the rule's
// policy; nil (plan time) skips the 50-rules limit (409).
func ValidateL7Rule(r *L7Rule, pol *L7Policy) error {
	if r == nil {
		return nil
	}
	return errOrNil(validateL7Rule(r, pol))
}

func validateL7Rule(r *L7Rule, pol *L7Policy) *Error {
	return first(
		// wsme, in L7RulePOST's declaration order.
		func() *Error { return checkMandatoryEnum("type", r.Type, L7RuleTypes()) },
		func() *Error { return checkMandatoryEnum("compare_type", r.CompareType, CompareTypes()) },
		func() *Error { return checkL7String("key", r.Key) },
		func() *Error { return checkL7String("value", r.Value) },
		func() *Error { return checkProjectID(r.ProjectID) },
		func() *Error { return checkTags(r.Tags) },
		func() *Error { return l7RuleData(r) },
		// L7RuleController._check_l7policy_max_rules.
		func() *Error {
			if pol == nil {
				return nil
			}
			others := 0
			for _, x := range pol.Rules {
				if x != r && (r.ID == "" || x.ID != r.ID) {
					others++
				}
			}
			if others >= MaxRulesPerPolicy {
				return conflict("l7policy_id", "Too many rules on L7 policy "+pol.ID)
			}
			return nil
		},
	)
}

// checkL7String is StringType(max_length=255, pattern=r'^[^\r\n]*$').
func checkL7String(field, v string) *Error {
	if e := checkMaxLen(field, v, maxL7StringLength); e != nil {
		return e
	}
	if strings.ContainsAny(v, "\r\n") {
		return invalidInput(field, v, reasonPattern(`^[^\r\n]*$`))
	}
	return nil
}

// l7RuleError is L7RuleValidation wrapping one of l7rule_data's errors.
func l7RuleError(field, msg string) *Error {
	return &Error{Status: 400, Field: field, Message: "Error parsing L7Rule: " + msg}
}

// invalidL7Rule is InvalidL7Rule inside L7RuleValidation.
func invalidL7Rule(field, msg string) *Error { return l7RuleError(field, "Invalid L7 Rule: "+msg) }

// invalidString is InvalidString inside L7RuleValidation.
func invalidString(field, what string) *Error {
	return l7RuleError(field, "Invalid characters in "+what)
}

// l7RuleData is validate.l7rule_data.
func l7RuleData(r *L7Rule) *Error {
	if r.Value == "" {
		return invalidL7Rule("value", "L7 rule type requires a value")
	}
	badCompare := invalidL7Rule("compare_type", "invalid comparison type for rule type")
	switch r.Type {
	case L7RuleHeader, L7RuleCookie:
		if r.Key == "" {
			return invalidL7Rule("key", "L7 rule type requires a key")
		}
		if !isHeaderName(r.Key) {
			return invalidString("key", "key")
		}
		switch r.CompareType {
		case CompareRegex:
			return checkL7Regex(r.Value)
		case CompareStartsWith, CompareEndsWith, CompareContains, CompareEqualTo:
			if r.Type == L7RuleCookie {
				if !isCookieValue(r.Value) {
					return invalidString("value", "cookie value")
				}
				return nil
			}
			if !isHeaderValue(r.Value) {
				return invalidString("value", "header value")
			}
			return nil
		}
		return badCompare
	case L7RuleHostName, L7RulePath:
		switch r.CompareType {
		case CompareStartsWith, CompareEndsWith, CompareContains, CompareEqualTo:
			if !isHeaderValue(r.Value) {
				return invalidString("value", "comparison value")
			}
			return nil
		case CompareRegex:
			return checkL7Regex(r.Value)
		}
		return badCompare
	case L7RuleFileType:
		switch r.CompareType {
		case CompareRegex:
			return checkL7Regex(r.Value)
		case CompareEqualTo:
			if !isHeaderValue(r.Value) {
				return invalidString("value", "comparison value")
			}
			return nil
		}
		return badCompare
	case L7RuleSSLConnHasCert, L7RuleSSLVerifyResult, L7RuleSSLDNField:
		return l7RuleSSLTypes(r)
	}
	return invalidL7Rule("type", "invalid rule type")
}

// l7RuleSSLTypes is validate.validate_l7rule_ssl_types.
func l7RuleSSLTypes(r *L7Rule) *Error {
	onlyEqualTo := func() *Error {
		return invalidL7Rule("compare_type", fmt.Sprintf(
			"L7rule type %s only supports the %s compare type.", r.Type, CompareEqualTo))
	}
	noKey := func() *Error {
		return invalidL7Rule("key", fmt.Sprintf(`L7rule type %s does not use the "key" field.`, r.Type))
	}
	switch r.Type {
	case L7RuleSSLConnHasCert:
		switch {
		case r.Key != "":
			return noKey()
		case strings.ToLower(r.Value) != "true":
			return invalidL7Rule("value", fmt.Sprintf("L7rule value %s is not a boolean True string.", r.Value))
		case r.CompareType != CompareEqualTo:
			return onlyEqualTo()
		}
	case L7RuleSSLVerifyResult:
		switch {
		case r.Key != "":
			return noKey()
		case strings.Trim(r.Value, "0123456789") != "":
			return invalidL7Rule("value", fmt.Sprintf("L7rule type %s needs a int value, which is >= 0", r.Type))
		case r.CompareType != CompareEqualTo:
			return onlyEqualTo()
		}
	case L7RuleSSLDNField:
		if r.CompareType == CompareRegex {
			if e := checkL7Regex(r.Value); e != nil {
				return e
			}
		}
		if r.Key == "" {
			return invalidL7Rule("key", fmt.Sprintf("L7rule type %s needs to specify a key and a value.", r.Type))
		}
		if !regexp.MustCompile(`^([a-zA-Z][A-Za-z0-9-]*)$`).MatchString(r.Key) {
			return invalidL7Rule("key", "Invalid L7rule distinguished name field.")
		}
	}
	return nil
}

// isHeaderName is HTTP_HEADER_NAME_REGEX: an RFC 7230 token.
func isHeaderName(s string) bool {
	return s != "" && allBytes(s, func(c byte) bool {
		return isAlnum(c) || strings.IndexByte("!#$%&'*+,-.^_`|~", c) >= 0
	})
}

// isCookieValue is HTTP_COOKIE_VALUE_REGEX: visible ASCII but '"', ';'
// and '\'.
func isCookieValue(s string) bool {
	return s != "" && allBytes(s, func(c byte) bool {
		return c >= 0x21 && c <= 0x7e && c != '"' && c != ';' && c != '\\'
	})
}

// isHeaderValue is HTTP_HEADER_VALUE_REGEX (visible ASCII) or
// HTTP_QUOTED_HEADER_VALUE_REGEX (a double-quoted string of visible ASCII,
// spaces and tabs).
func isHeaderValue(s string) bool {
	if s != "" && allBytes(s, func(c byte) bool { return c >= 0x21 && c <= 0x7e }) {
		return true
	}
	return len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' &&
		allBytes(s[1:len(s)-1], func(c byte) bool { return (c >= 0x20 && c <= 0x7e) || c == '\t' })
}

func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// checkL7Regex is validate.regex on an L7 rule value, inside
// L7RuleValidation.
func checkL7Regex(v string) *Error {
	if reason := regexProblem(v); reason != "" {
		return l7RuleError("value", "Unable to parse regular expression: "+reason)
	}
	return nil
}

// CheckRegex checks an L7 rule's REGEX value: no control characters
// (Octavia's INVALID_CONFIG_CHARS_RE), none of the escapes Python's re
// refuses (with Python's message), and compilable by Go's regexp (RE2, with
// Go's message otherwise). An empty value passes.
func CheckRegex(v string) error { return errOrNil(checkL7Regex(v)) }

// regexProblem is why v cannot be used as a regular expression, or "".
func regexProblem(v string) string {
	for _, r := range v {
		if r <= 0x1f || (r >= 0x7f && r <= 0x9f) {
			return "contains control characters"
		}
	}
	if msg := pyBadEscape(v); msg != "" {
		return msg
	}
	if _, err := regexp.Compile(v); err != nil {
		return err.Error()
	}
	return ""
}

// What a quantifier would apply to, while pyBadEscape scans a pattern.
const (
	reNothing = iota
	reAnchor
	reItem
	reQuantified
)

// pyBadEscape finds the first of the errors Python's re parser reports
// that it can tell before Go's regexp does, with Python's message: a "bad
// escape" (an ASCII letter that is not a known escape, with fewer known in
// a character class, a digit 8 or 9 in a class, a trailing backslash),
// "nothing to repeat" (a quantifier at the start of a pattern, a group or an
// alternative, or on an anchor ^ $ \A \Z \b \B, which RE2 accepts),
// "multiple repeat" (a quantifier on a quantifier, lazy and possessive
// suffixes aside), and the inline-flag errors (empty "(?)", global flags
// after the start, "-" in a global flags group). Positions count code
// points, as Python's do.
func pyBadEscape(pattern string) string {
	rs := []rune(pattern)
	// Python's tokenizer reads one token ahead, so a trailing lone
	// backslash is reported as soon as the token before it is read.
	trailing := -1
	if n := len(rs) - len([]rune(strings.TrimRight(pattern, `\`))); n%2 == 1 {
		trailing = len(rs) - 1
	}
	fail := func(end int, msg string) string {
		if trailing >= 0 && end+1 >= trailing {
			return fmt.Sprintf("bad escape (end of pattern) at position %d", trailing)
		}
		return msg
	}
	repeat := regexp.MustCompile(`^\{(\d+(,\d*)?|,\d+)\}`)
	prev, atStart := reNothing, true
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		if c == '*' || c == '+' || c == '?' || (c == '{' && repeat.MatchString(string(rs[i:]))) {
			atStart = false
			start := i
			if c == '{' {
				for rs[i] != '}' {
					i++
				}
			}
			switch prev {
			case reNothing, reAnchor:
				return fail(i, fmt.Sprintf("nothing to repeat at position %d", start))
			case reQuantified:
				return fail(i, fmt.Sprintf("multiple repeat at position %d", start))
			}
			if i+1 < len(rs) && (rs[i+1] == '?' || rs[i+1] == '+') {
				i++
			}
			prev = reQuantified
			continue
		}
		if c == '(' && i+1 < len(rs) && rs[i+1] == '?' {
			end, next, flagsOnly, msg := pyGroupExtension(rs, i, prev, atStart)
			if msg != "" {
				return fail(end, msg)
			}
			i, prev, atStart = end, next, atStart && flagsOnly
			continue
		}
		atStart = false
		prev = reItem
		switch c {
		case '\\':
			if msg := pyEscape(rs, i, false); msg != "" {
				return fail(i+1, msg)
			}
			if strings.ContainsRune("AZbB", rs[i+1]) {
				prev = reAnchor
			}
			i++
		case '^', '$':
			prev = reAnchor
		case '|', '(':
			prev = reNothing
		case '[':
			if i+1 < len(rs) && rs[i+1] == '^' {
				i++
			}
			if i+1 < len(rs) && rs[i+1] == ']' {
				i++
			}
			for i++; i < len(rs) && rs[i] != ']'; i++ {
				if rs[i] == '\\' {
					if msg := pyEscape(rs, i, true); msg != "" {
						return fail(i+1, msg)
					}
					i++
				}
			}
		}
	}
	return ""
}

// pyEscape checks the escape at rs[i] (a backslash) as Python's _escape
// (or _class_escape in a class) does for letters and digits 8 and 9.
func pyEscape(rs []rune, i int, inClass bool) string {
	if i+1 >= len(rs) {
		return fmt.Sprintf("bad escape (end of pattern) at position %d", i)
	}
	n := rs[i+1]
	known := "AbBdDsSwWZafnrtvxuUN"
	if inClass {
		known = "dDsSwWabfnrtvxuUN"
	}
	isLetter := (n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z')
	if (isLetter || (inClass && (n == '8' || n == '9'))) && !strings.ContainsRune(known, n) {
		return fmt.Sprintf(`bad escape \%c at position %d`, n, i)
	}
	return ""
}

// pyGroupExtension reads the extension of the group opening "(?" at rs[i]
// and returns the index of its last rune, what a following quantifier
// would apply to (nothing after a group opening, an item after a named
// back-reference, unchanged after a comment or a global flags group),
// whether it was a comment or a global flags group, and Python's error for
// the inline-flag mistakes.
func pyGroupExtension(rs []rune, i, prev int, atStart bool) (end, next int, flagsOnly bool, msg string) {
	rest := string(rs[i+2:])
	skipTo := func(end rune) int {
		for j := i + 2; j < len(rs); j++ {
			if rs[j] == end {
				return j
			}
		}
		return len(rs) - 1
	}
	switch {
	case strings.HasPrefix(rest, ")"):
		return i + 2, prev, false, fmt.Sprintf("unknown extension ?) at position %d", i+1)
	case strings.HasPrefix(rest, ":"), strings.HasPrefix(rest, "="), strings.HasPrefix(rest, "!"),
		strings.HasPrefix(rest, ">"), strings.HasPrefix(rest, "("):
		return i + 2, reNothing, false, ""
	case strings.HasPrefix(rest, "<="), strings.HasPrefix(rest, "<!"):
		return i + 3, reNothing, false, ""
	case strings.HasPrefix(rest, "P<"):
		return skipTo('>'), reNothing, false, ""
	case strings.HasPrefix(rest, "P="):
		return skipTo(')'), reItem, false, ""
	case strings.HasPrefix(rest, "#"):
		return skipTo(')'), prev, true, ""
	}
	j := i + 2
	for j < len(rs) && strings.ContainsRune("aiLmsux-", rs[j]) {
		j++
	}
	if j < len(rs) && rs[j] == ':' {
		return j, reNothing, false, ""
	}
	if j < len(rs) && rs[j] == ')' {
		switch {
		case strings.ContainsRune(string(rs[i+2:j]), '-'):
			return j, prev, false, fmt.Sprintf("missing : at position %d", j)
		case !atStart:
			return j, prev, false, fmt.Sprintf("global flags not at the start of the expression at position %d", i)
		}
		return j, prev, true, ""
	}
	return i + 1, reNothing, false, ""
}
