package haproxy

import (
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

func TestExpectedCodes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in     string
		codes  []int
		regex  string
		expect string
	}{
		{"200", []int{200}, "^200$", "http-check expect status 200"},
		{"200,202", []int{200, 202}, "^20[02]$", "http-check expect rstatus ^20[02]$"},
		{"200, 202 ,204", []int{200, 202, 204}, "^20[024]$", "http-check expect rstatus ^20[024]$"},
		{"200-204", []int{200, 201, 202, 203, 204}, "^20[0-4]$", "http-check expect rstatus ^20[0-4]$"},
		{"200-201", []int{200, 201}, "^20[01]$", ""},
		{"200-209", nil, "^20[0-9]$", ""},
		{"200-299", nil, "^2[0-9][0-9]$", ""},
		{"200-210", nil, "^(?:20[0-9]|210)$", ""},
		{"200,301", []int{200, 301}, "^(?:200|301)$", "http-check expect rstatus ^(?:200|301)$"},
		{"200, 301-303, 404", []int{200, 301, 302, 303, 404}, "^(?:200|30[1-3]|404)$", ""},
		{"204,200,204", []int{200, 204}, "^20[04]$", ""},
		{"200,201,202,205,207,208", nil, "^20[0-2578]$", ""},
		{"100-599", nil, "^(?:1[0-9][0-9]|2[0-9][0-9]|3[0-9][0-9]|4[0-9][0-9]|5[0-9][0-9])$", ""},
	} {
		codes, err := expandExpectedCodes(tc.in)
		if err != nil {
			t.Errorf("expandExpectedCodes(%q): %v", tc.in, err)
			continue
		}
		if tc.codes != nil && !slices.Equal(codes, tc.codes) {
			t.Errorf("expandExpectedCodes(%q) = %v, want %v", tc.in, codes, tc.codes)
		}
		re := statusRegex(codes)
		if re != tc.regex {
			t.Errorf("statusRegex(%q) = %q, want %q", tc.in, re, tc.regex)
		}
		// The regex matches exactly the expanded codes.
		compiled := regexp.MustCompile(re)
		for c := 100; c <= 999; c++ {
			if got, want := compiled.MatchString(strconv.Itoa(c)), slices.Contains(codes, c); got != want {
				t.Errorf("%q: regex %q matches %d = %v, want %v", tc.in, re, c, got, want)
			}
		}
		for _, s := range []string{"2000", "20", " 200", "200 "} {
			if compiled.MatchString(s) {
				t.Errorf("%q: regex %q matches %q", tc.in, re, s)
			}
		}
		if tc.expect != "" {
			got, err := httpCheckExpect(tc.in)
			if err != nil || got != tc.expect {
				t.Errorf("httpCheckExpect(%q) = %q, %v; want %q", tc.in, got, err, tc.expect)
			}
		}
	}
	for _, bad := range []string{"", " , ", "abc", "20", "2000", "204-200", "200-", "-200", "099", "2x0"} {
		if codes, err := expandExpectedCodes(bad); err == nil {
			t.Errorf("expandExpectedCodes(%q) = %v, want an error", bad, codes)
		}
	}
}

// haproxyWords is a reference for the configuration tokenizer of HAProxy
// 2.6 (configuration manual §2.2) for the subset the renderer produces:
// unquoted text, backslash escapes, single and double quotes, "#" comments.
func haproxyWords(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch c {
		case ' ', '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case '#':
			if inWord {
				words = append(words, cur.String())
			}
			return words
		case '\\':
			i++
			if i == len(line) {
				t.Fatalf("line %q ends in a backslash", line)
			}
			cur.WriteByte(line[i])
			inWord = true
		case '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				t.Fatalf("line %q: unmatched single quote", line)
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case '"':
			i++
			for ; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' && i+1 < len(line) {
					i++
				}
				if line[i] == '$' {
					t.Fatalf("line %q: $ inside double quotes expands an environment variable", line)
				}
				cur.WriteByte(line[i])
			}
			if i == len(line) {
				t.Fatalf("line %q: unmatched double quote", line)
			}
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

func TestQuoteWord(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"abc", "abc"},
		{"/path/to-file_1.pem", "/path/to-file_1.pem"},
		{"$HOME", "$HOME"},
		{"^20[0-4]$", "^20[0-4]$"},
		{"a b", "'a b'"},
		{"a\tb", "'a\tb'"},
		{"#top", "'#top'"},
		{`a\d`, `'a\d'`},
		{`"q"`, `'"q"'`},
		{"it's", `'it'\''s'`},
		{"''", `''\'''\'''`},
		{"", "''"},
	} {
		if got := quoteWord(tc.in); got != tc.want {
			t.Errorf("quoteWord(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	// Every printable string (and tab) comes back as exactly one word.
	rng := rand.New(rand.NewPCG(1, 2)) //nolint:gosec // a fixed seed makes failures reproducible; nothing secret here.
	alphabet := []byte(" \t#'\"\\$abc-{}[]()|,%")
	for range 2000 {
		b := make([]byte, 1+rng.IntN(12))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		s := string(b)
		if got := haproxyWords(t, "acl x "+quoteWord(s)+" # comment"); !reflect.DeepEqual(got, []string{"acl", "x", s}) {
			t.Fatalf("quoteWord(%q) = %s reads back as %q", s, quoteWord(s), got)
		}
	}
}

func TestFetchArgAndValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, arg, want string }{
		{"req.hdr", "Upgrade", "req.hdr(Upgrade)"},
		{"req.hdr", "X#Key", "'req.hdr(X#Key)'"},
		{"req.cook", "a$b", "req.cook(a$b)"},
		// The arg parser sees req.hdr('X-It'\''s'), which is X-It's.
		{"req.hdr", "X-It's", `'req.hdr('\''X-It'\''\'\'''\''s'\'')'`},
		{"req.hdr", "a,b", `'req.hdr('\''a,b'\'')'`},
	} {
		got := fetch(tc.name, tc.arg)
		if got != tc.want {
			t.Errorf("fetch(%q, %q) = %s, want %s", tc.name, tc.arg, got, tc.want)
		}
		words := haproxyWords(t, got)
		if len(words) != 1 || words[0] != tc.name+"("+fetchArg(tc.arg)+")" {
			t.Errorf("fetch(%q, %q) reads back as %q", tc.name, tc.arg, words)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"-dash", "-- -dash"},
		{"- x", "-- '- x'"},
		{"a-b", "a-b"},
	} {
		if got := aclValue(tc.in); got != tc.want {
			t.Errorf("aclValue(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestCheckTextAndName(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "a b", "tab\there", `"'#\$`} {
		if err := checkText("v", s); err != nil {
			t.Errorf("checkText(%q): %v", s, err)
		}
	}
	for _, s := range []string{"a\nb", "a\rb", "\x00", "x\x7f"} {
		if err := checkText("v", s); err == nil {
			t.Errorf("checkText(%q) accepted a control character", s)
		}
	}
	for _, s := range []string{"11111111-0000-4000-8000-000000000001", "2001:db8::1", "198.51.100.1", "a_b.c"} {
		if err := checkName("n", s); err != nil {
			t.Errorf("checkName(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "a b", "a#b", "a'b", "a/b"} {
		if err := checkName("n", s); err == nil {
			t.Errorf("checkName(%q) accepted it", s)
		}
	}
}

func TestACLLine(t *testing.T) {
	t.Parallel()
	const id = "66666666-0000-4000-8000-000000000001"
	for _, tc := range []struct {
		typ, cmp, key, value, want string
	}{
		{lb.L7RuleHostName, lb.CompareEqualTo, "", "www.example.com", "req.hdr(host) -i -m str www.example.com"},
		{lb.L7RuleHostName, lb.CompareStartsWith, "", "www.", "req.hdr(host) -i -m beg www."},
		{lb.L7RuleHostName, lb.CompareEndsWith, "", ".example.com", "req.hdr(host) -i -m end .example.com"},
		{lb.L7RuleHostName, lb.CompareContains, "", "example", "req.hdr(host) -i -m sub example"},
		{lb.L7RuleHostName, lb.CompareRegex, "", `^www\d\.example\.com$`, `req.hdr(host) -i -m reg '^www\d\.example\.com$'`},
		{lb.L7RulePath, lb.CompareStartsWith, "", "/api", "path -m beg /api"},
		{lb.L7RulePath, lb.CompareEqualTo, "", "/a b", "path -m str '/a b'"},
		{lb.L7RulePath, lb.CompareRegex, "", "^/(a|b)$", "path -m reg ^/(a|b)$"},
		{lb.L7RuleFileType, lb.CompareEqualTo, "", "jpg", "path -m end .jpg"},
		{lb.L7RuleFileType, lb.CompareEqualTo, "", ".png", "path -m end .png"},
		{lb.L7RuleFileType, lb.CompareRegex, "", `\.(css|js)$`, `path -m reg '\.(css|js)$'`},
		{lb.L7RuleHeader, lb.CompareContains, "User-Agent", "bot", "req.hdr(User-Agent) -m sub bot"},
		{lb.L7RuleHeader, lb.CompareEqualTo, "X-Q", `"a 'b' #c"`, `req.hdr(X-Q) -m str '"a '\''b'\'' #c"'`},
		{lb.L7RuleHeader, lb.CompareEqualTo, "X-D", "-1", "req.hdr(X-D) -m str -- -1"},
		{lb.L7RuleCookie, lb.CompareEndsWith, "session", "x'y", `req.cook(session) -m end 'x'\''y'`},
		{lb.L7RuleSSLConnHasCert, lb.CompareEqualTo, "", "True", "ssl_c_used"},
		{lb.L7RuleSSLVerifyResult, lb.CompareEqualTo, "", "0", "ssl_c_verify eq 0"},
		{lb.L7RuleSSLDNField, lb.CompareEqualTo, "CN", "admin", "ssl_c_s_dn(CN) -m str admin"},
		{lb.L7RuleSSLDNField, lb.CompareStartsWith, "OU", "ops", "ssl_c_s_dn(OU) -m beg ops"},
	} {
		got, err := aclLine(&lb.L7Rule{ID: id, Type: tc.typ, CompareType: tc.cmp, Key: tc.key, Value: tc.value})
		if err != nil {
			t.Errorf("%s %s %q: %v", tc.typ, tc.cmp, tc.value, err)
			continue
		}
		if want := "acl " + id + " " + tc.want; got != want {
			t.Errorf("%s %s %q:\n got %s\nwant %s", tc.typ, tc.cmp, tc.value, got, want)
		}
	}
	for _, bad := range []*lb.L7Rule{
		{ID: id, Type: "NOPE", CompareType: lb.CompareEqualTo, Value: "x"},
		{ID: id, Type: lb.L7RulePath, CompareType: "NOPE", Value: "x"},
		{ID: id, Type: lb.L7RuleHeader, CompareType: lb.CompareEqualTo, Value: "x"},
		{ID: id, Type: lb.L7RuleSSLVerifyResult, CompareType: lb.CompareEqualTo, Value: "x"},
		{ID: id, Type: lb.L7RulePath, CompareType: lb.CompareEqualTo, Value: "a\nb"},
		{ID: "bad id", Type: lb.L7RulePath, CompareType: lb.CompareEqualTo, Value: "x"},
	} {
		if got, err := aclLine(bad); err == nil {
			t.Errorf("aclLine(%+v) = %q, want an error", bad, got)
		}
	}
}

func TestMaxConn(t *testing.T) {
	t.Parallel()
	opts := Options{}.withDefaults()
	for _, tc := range []struct {
		limit, want int
	}{{-1, 50000}, {0, 50000}, {1, 1}, {100, 100}, {2000000, 2000000}} {
		if got := connectionLimit(&lb.Listener{ConnectionLimit: tc.limit}, opts); got != tc.want {
			t.Errorf("connectionLimit(%d) = %d, want %d", tc.limit, got, tc.want)
		}
	}
	if got := connectionLimit(&lb.Listener{ConnectionLimit: -1}, Options{DefaultConnectionLimit: 7}.withDefaults()); got != 7 {
		t.Errorf("connectionLimit with DefaultConnectionLimit 7 = %d", got)
	}
	for _, tc := range []struct {
		limits []int
		maxCap int
		want   int
	}{
		{nil, 1000000, 1000000},
		{[]int{50000}, 1000000, 50000},
		{[]int{100, 50000}, 1000000, 50100},
		{[]int{400000, 400000, 400000}, 1000000, 1000000},
		{[]int{999999, 1}, 1000000, 1000000},
		{[]int{999998, 1}, 1000000, 999999},
		{[]int{5000, 2000}, 6000, 6000},
	} {
		if got := globalMaxConn(tc.limits, tc.maxCap); got != tc.want {
			t.Errorf("globalMaxConn(%v, %d) = %d, want %d", tc.limits, tc.maxCap, got, tc.want)
		}
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	// Octavia: base64.b64encode(sha1(id), b'_-') without "=", leading "-" → "x".
	for id, want := range map[string]string{
		"77777777-0000-4000-8000-000000000001": "G3PL4t1uPGAbuQtiXzetpqetV70",
		"c1a1f3a5-6a59-4cdd-a7b5-3c7a1a3a9a6e": "CM66zAr5BdjNlSUP0JAJwZbHryI",
	} {
		if got := PeerName(id); got != want {
			t.Errorf("PeerName(%s) = %s, want %s", id, got, want)
		}
	}
	if got := PeersSectionName("aaaaaaaa-0000-4000-8000-000000000011"); got != "aaaaaaaa000040008000000000000011_peers" {
		t.Errorf("PeersSectionName = %s", got)
	}
	if got := BackendName("p", "l"); got != "p:l" {
		t.Errorf("BackendName = %s", got)
	}
	var zero Options
	if got := StatsSocketPath(zero, "lb"); got != "/var/lib/octavia/lb.sock" {
		t.Errorf("StatsSocketPath = %s", got)
	}
	if got := ServerStatePath(Options{StateDir: "/run/x"}, "lb"); got != "/run/x/lb.state" {
		t.Errorf("ServerStatePath = %s", got)
	}
	if got := CrtListPath(zero, "li"); got != "/var/lib/octavia/certs/li.crt-list" {
		t.Errorf("CrtListPath = %s", got)
	}
	a, b := CertPath(zero, "ref-a"), CertPath(zero, "ref-b")
	if a == b || a != CertPath(zero, "ref-a") || !strings.HasPrefix(a, "/var/lib/octavia/certs/") || !strings.HasSuffix(a, ".pem") {
		t.Errorf("CertPath: %s, %s", a, b)
	}
}
