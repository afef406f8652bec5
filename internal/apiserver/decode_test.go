package apiserver

import (
	"testing"
)

func TestPythonRendering(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`{"b": [1, 2.5, true, null], "a": "it's", "c": {"x": "\"q\""}}`: `{'b': [1, 2.5, True, None], 'a': "it's", 'c': {'x': '"q"'}}`,
		`[1e16, 1e15, 0.0001, 0.00001, 100.0, -0.5]`:                    `[1e+16, 1000000000000000.0, 0.0001, 1e-05, 100.0, -0.5]`,
		`"tab\there\u0001"`:              `'tab\there\x01'`,
		`123456789012345678901234567890`: `123456789012345678901234567890`,
		`{"a": 1, "a": 2}`:               `{'a': 2}`,
	} {
		v, err := parseJSON([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got := v.pyRepr(); got != want {
			t.Errorf("repr(%s) = %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{``, `{`, `{"a": 1} x`, `[1,]`, `{1: 2}`} {
		if _, err := parseJSON([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestPythonConversions(t *testing.T) {
	t.Parallel()
	ints := map[string]string{`"12"`: "12", `" 7 "`: "7", `3.9`: "3", `true`: "1", `"-4"`: "-4"}
	for in, want := range ints {
		v, _ := parseJSON([]byte(in))
		i, err := pyInt(v)
		if err != nil || i.String() != want {
			t.Errorf("int(%s) = %v, %v; want %s", in, i, err, want)
		}
	}
	for in, want := range map[string]string{
		`"abc"`: "invalid literal for int() with base 10: 'abc'",
		`"1.5"`: "invalid literal for int() with base 10: '1.5'",
		`[1]`:   "int() argument must be a string, a bytes-like object or a real number, not 'list'",
		`1e999`: "cannot convert float infinity to integer",
	} {
		v, _ := parseJSON([]byte(in))
		if _, err := pyInt(v); err == nil || err.Error() != want {
			t.Errorf("int(%s) error %v, want %s", in, err, want)
		}
	}
	for in, want := range map[string]bool{`"yes"`: true, `"off"`: false, `2`: true, `0`: false} {
		v, _ := parseJSON([]byte(in))
		if b, err := pyBool(v); err != nil || b != want {
			t.Errorf("bool(%s) = %v, %v", in, b, err)
		}
	}
	for _, in := range []string{`"True"`, `1.0`, `[]`} {
		v, _ := parseJSON([]byte(in))
		if _, err := pyBool(v); err == nil {
			t.Errorf("bool(%s) accepted", in)
		}
	}
	for in, want := range map[string]string{
		"10.1.2.3/8": "10.0.0.0/8", "10.1.2.3": "10.1.2.3/32", "10.1.2.3/255.255.0.0": "10.1.0.0/16",
		"2001:db8::1/32": "2001:db8::/32",
	} {
		if got, ok := pyNetwork(in); !ok || got != want {
			t.Errorf("ip_network(%s) = %s %v, want %s", in, got, ok, want)
		}
	}
	for in, want := range map[string]string{
		"{6A0A707C-45EF-4758-B533-E55ADDDBA8CE}":    "6a0a707c-45ef-4758-b533-e55adddba8ce",
		"urn:uuid:6a0a707c45ef4758b533e55adddba8ce": "6a0a707c-45ef-4758-b533-e55adddba8ce",
		"6a0a707c-45ef-4758-b533-e55adddba8ce":      "6a0a707c-45ef-4758-b533-e55adddba8ce",
	} {
		if got, ok := canonicalUUID(in); !ok || got != want {
			t.Errorf("uuid(%s) = %s %v", in, got, ok)
		}
	}
	for in, want := range map[string]bool{
		"example.com": true, "example.com.": true, "_dmarc.example.com": true, "a_b.example": false,
		"-a.example": false, "a-.example": false, "": false, "a..b": false, "example.com\n": true,
	} {
		if got := matchDomainName(in); got != want {
			t.Errorf("domain %q: %v, want %v", in, got, want)
		}
	}
	codes := expectedCodesPattern()
	for in, want := range map[string]bool{"200": true, "200, 202": true, "200-204": true, "20": false, "200-": false, "200\n": true} {
		if got := codes.match(in); got != want {
			t.Errorf("expected_codes %q: %v, want %v", in, got, want)
		}
	}
}
