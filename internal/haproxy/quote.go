package haproxy

import (
	"fmt"
	"strings"
)

// HAProxy 2.6 cuts a configuration line into words like a Bourne shell
// (configuration manual §2.2): unquoted, a space or tab separates words, "#"
// starts a comment, "\" escapes and both quote characters start a quoted
// part; inside single quotes (strong quoting) nothing is interpreted; inside
// double quotes "$" expands environment variables. Quoted and unquoted parts
// concatenate into one word. The renderer therefore passes a word through
// unchanged when it has none of those characters and single-quotes it
// otherwise, writing a single quote as '\'' (close, escaped quote, reopen).
//
// Arguments inside a keyword's parentheses, such as the header name of
// req.hdr(<name>), go through a second parser with the same quoting rules
// that also splits on "," and ends at ")": such an argument is quoted for that
// parser first (fetchArg) and the whole word for the line parser next.

// quoteWord returns s written as exactly one HAProxy configuration word.
// s must not contain control characters other than tab (see checkText).
func quoteWord(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t#\\'\"") {
		return s
	}
	return strongQuote(s)
}

// strongQuote wraps s in single quotes, writing each single quote as '\”.
func strongQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// fetchArg returns s written as one argument inside a sample fetch's
// parentheses, before the line-level quoting of the whole word.
func fetchArg(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\\'\",()") {
		return s
	}
	return strongQuote(s)
}

// fetch returns the sample fetch name(arg) as one configuration word.
func fetch(name, arg string) string {
	return quoteWord(name + "(" + fetchArg(arg) + ")")
}

// aclValue returns an ACL pattern as configuration words: a pattern that
// starts with "-" is preceded by "--" so that HAProxy does not take it for a
// flag.
func aclValue(s string) string {
	if strings.HasPrefix(s, "-") {
		return "-- " + quoteWord(s)
	}
	return quoteWord(s)
}

// checkText rejects a value that cannot be written into a line-based
// configuration file: control characters (other than tab) and DEL. Octavia
// rejects them in the API and skips such rules in its renderer; skipping a
// rule would widen what its policy matches, so the renderer refuses instead.
func checkText(what, s string) error {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return fmt.Errorf("haproxy: %s %q contains control character %#x", what, s, c)
		}
	}
	return nil
}

// checkTexts applies checkText to (what, value) pairs, in order.
func checkTexts(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := checkText(pairs[i], pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// checkName rejects an identifier that HAProxy does not accept as a proxy,
// server, ACL or peer name: the allowed characters are letters, digits, "-",
// "_", "." and ":".
func checkName(what, s string) error {
	if s == "" {
		return fmt.Errorf("haproxy: %s is empty", what)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == ':'
		if !ok {
			return fmt.Errorf("haproxy: %s %q has a character HAProxy does not allow in names (letters, digits and -_.: only)", what, s)
		}
	}
	return nil
}
