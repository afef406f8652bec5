package haproxy

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// matchMethod is HAProxy's -m method for an L7 rule compare type.
func matchMethod(compare string) (string, error) {
	switch compare {
	case lb.CompareRegex:
		return "reg", nil
	case lb.CompareStartsWith:
		return "beg", nil
	case lb.CompareEndsWith:
		return "end", nil
	case lb.CompareContains:
		return "sub", nil
	case lb.CompareEqualTo:
		return "str", nil
	}
	return "", fmt.Errorf("unknown compare_type %q", compare)
}

// aclLine returns the "acl <rule_id> ..." line of an L7 rule, without the
// indent. The rule's invert flag is applied where the ACL is used.
func aclLine(rule *lb.L7Rule) (string, error) {
	if err := checkName("l7rule id", rule.ID); err != nil {
		return "", err
	}
	if err := checkText("l7rule "+rule.ID+" key", rule.Key); err != nil {
		return "", err
	}
	if err := checkText("l7rule "+rule.ID+" value", rule.Value); err != nil {
		return "", err
	}
	head := "acl " + rule.ID + " "
	switch rule.Type {
	case lb.L7RuleSSLConnHasCert:
		return head + "ssl_c_used", nil
	case lb.L7RuleSSLVerifyResult:
		n, err := strconv.Atoi(rule.Value)
		if err != nil || n < 0 {
			return "", fmt.Errorf("l7rule %s: SSL_VERIFY_RESULT value %q is not an integer >= 0", rule.ID, rule.Value)
		}
		return head + "ssl_c_verify eq " + strconv.Itoa(n), nil
	}
	m, err := matchMethod(rule.CompareType)
	if err != nil {
		return "", fmt.Errorf("l7rule %s: %w", rule.ID, err)
	}
	value := rule.Value
	var sample string
	switch rule.Type {
	case lb.L7RuleHostName:
		sample = "req.hdr(host) -i"
	case lb.L7RulePath:
		sample = "path"
	case lb.L7RuleFileType:
		sample = "path"
		if rule.CompareType == lb.CompareEqualTo {
			// A file type is the end of the path after a dot.
			m = "end"
			if !strings.HasPrefix(value, ".") {
				value = "." + value
			}
		}
	case lb.L7RuleHeader:
		sample = fetch("req.hdr", rule.Key)
	case lb.L7RuleCookie:
		sample = fetch("req.cook", rule.Key)
	case lb.L7RuleSSLDNField:
		sample = fetch("ssl_c_s_dn", rule.Key)
	default:
		return "", fmt.Errorf("l7rule %s: unknown type %q", rule.ID, rule.Type)
	}
	if (rule.Type == lb.L7RuleHeader || rule.Type == lb.L7RuleCookie || rule.Type == lb.L7RuleSSLDNField) && rule.Key == "" {
		return "", fmt.Errorf("l7rule %s: type %s needs a key", rule.ID, rule.Type)
	}
	return head + sample + " -m " + m + " " + aclValue(value), nil
}
