package resources_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/lbaas/terraform-provider-lbaas/resources"
)

func TestL7RuleValidateConfig(t *testing.T) {
	t.Parallel()
	rule := func(typ, cmp, key, value string) map[string]tftypes.Value {
		m := map[string]tftypes.Value{
			"l7policy_id":  l7Str("0e1d2c3b-4a59-4687-9a8b-7c6d5e4f3a21"),
			"type":         l7Str(typ),
			"compare_type": l7Str(cmp),
			"value":        l7Str(value),
		}
		if key != "" {
			m["key"] = l7Str(key)
		}
		return m
	}
	unknownValue := func(m map[string]tftypes.Value) map[string]tftypes.Value {
		m["value"] = l7Unknown(tftypes.String)
		return m
	}
	unknownKey := func(m map[string]tftypes.Value) map[string]tftypes.Value {
		m["key"] = l7Unknown(tftypes.String)
		return m
	}
	checkL7Validate(t, resources.NewL7Rule, []l7ValidateCase{
		{name: "path", config: rule("PATH", "STARTS_WITH", "", "/api")},
		{name: "host regex", config: rule("HOST_NAME", "REGEX", "", `^(www\.)?example\.com$`)},
		{name: "header", config: rule("HEADER", "EQUAL_TO", "X-Canary", "1")},
		{name: "cookie", config: rule("COOKIE", "CONTAINS", "session", "beta")},
		{name: "file type", config: rule("FILE_TYPE", "EQUAL_TO", "", "jpg")},
		{name: "ssl cert", config: rule("SSL_CONN_HAS_CERT", "EQUAL_TO", "", "true")},
		{name: "ssl verify", config: rule("SSL_VERIFY_RESULT", "EQUAL_TO", "", "0")},
		{name: "ssl dn", config: rule("SSL_DN_FIELD", "EQUAL_TO", "CN", "client.example.com")},
		{name: "unknown value", config: unknownValue(rule("SSL_CONN_HAS_CERT", "EQUAL_TO", "", "x"))},
		{name: "unknown key", config: unknownKey(rule("HEADER", "EQUAL_TO", "", "1"))},

		{name: "header without key", config: rule("HEADER", "EQUAL_TO", "", "1"), path: "key", msg: "L7 rule type requires a key"},
		{name: "cookie without key", config: rule("COOKIE", "EQUAL_TO", "", "1"), path: "key", msg: "L7 rule type requires a key"},
		{name: "header without key, unknown value", config: unknownValue(rule("HEADER", "EQUAL_TO", "", "1")),
			path: "key", msg: "L7 rule type requires a key"},
		{name: "header key not a token", config: rule("HEADER", "EQUAL_TO", "X Canary", "1"), path: "key", msg: "Invalid characters in key"},
		{name: "file type starts with", config: rule("FILE_TYPE", "STARTS_WITH", "", "jpg"),
			path: "compare_type", msg: "invalid comparison type for rule type"},
		{name: "regex", config: rule("PATH", "REGEX", "", "^/(api"), path: "value", msg: "Unable to parse regular expression"},
		{name: "python bad escape", config: rule("PATH", "REGEX", "", `^/\q`), path: "value", msg: `bad escape \q`},
		{name: "path with space", config: rule("PATH", "EQUAL_TO", "", "/a b"), path: "value", msg: "Invalid characters in comparison value"},
		{name: "ssl cert not true", config: rule("SSL_CONN_HAS_CERT", "EQUAL_TO", "", "false"), path: "value", msg: "is not a boolean True string"},
		{name: "ssl cert key", config: rule("SSL_CONN_HAS_CERT", "EQUAL_TO", "CN", "true"), path: "key", msg: `does not use the "key" field`},
		{name: "ssl verify compare", config: rule("SSL_VERIFY_RESULT", "CONTAINS", "", "0"),
			path: "compare_type", msg: "only supports the EQUAL_TO compare type"},
		{name: "ssl verify not a number", config: rule("SSL_VERIFY_RESULT", "EQUAL_TO", "", "-1"), path: "value", msg: "needs a int value"},
		{name: "ssl dn without key", config: rule("SSL_DN_FIELD", "EQUAL_TO", "", "x"), path: "key", msg: "needs to specify a key and a value"},
		{name: "ssl dn bad key", config: rule("SSL_DN_FIELD", "EQUAL_TO", "1CN", "x"), path: "key", msg: "Invalid L7rule distinguished name field"},
	})
}
