package haproxy

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// TestRuntimeL7Values runs HAProxy on a rendered configuration and sends
// requests that must (and must not) match L7 rules whose values need quoting.
// haproxy -c only proves that a configuration parses; this proves that each
// value reaches HAProxy unchanged. Only loopback is used, and no backend is
// needed: every matching policy redirects or rejects.
func TestRuntimeL7Values(t *testing.T) {
	t.Parallel()
	bin := haproxyBinary(t)
	port := freePort(t)
	l := runtimeGraph(port)
	dir := t.TempDir()
	// HAProxy sizes its file descriptor limit from maxconn at start; keep it
	// under the test machine's RLIMIT_NOFILE.
	opts := Options{StateDir: dir, CertDir: dir, DefaultConnectionLimit: 1000}
	cfg, err := Render(l, opts)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	writeStateFile(t, opts, l.ID)
	path := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-db", "-f", path)
	out := &lockedBuffer{}
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting haproxy: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	waitListening(t, addr, out)

	client := &http.Client{
		Timeout:       5 * time.Second,
		Transport:     &http.Transport{DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	for _, tc := range []struct {
		name     string
		path     string
		host     string
		headers  [][2]string
		status   int
		location string
	}{
		{name: "quoted header value", path: "/", headers: [][2]string{{"X-Quote", `"a b 'c' #d \e $HOME"`}}, status: 302, location: "http://p1.example/"},
		{name: "quoted header value prefix", path: "/", headers: [][2]string{{"X-Quote", `"a b 'c' `}}, status: 503},
		{name: "regex path", path: "/re12/foo", status: 302, location: "http://p2.example/"},
		{name: "regex path without digits", path: "/re/foo", status: 503},
		{name: "host starts with, any case", path: "/", host: "WWW.Example.com", status: 302, location: "http://p3.example/"},
		{name: "cookie contains quote and hash", path: "/", headers: [][2]string{{"Cookie", "other=1; sess=ax'y#z$b"}}, status: 302, location: "http://p4.example/"},
		{name: "cookie without the quote", path: "/", headers: [][2]string{{"Cookie", "sess=axy#z$b"}}, status: 503},
		{name: "file type", path: "/img/a.jpg", status: 302, location: "http://p5.example/"},
		{name: "file type needs the dot", path: "/img/jpg", status: 503},
		{name: "value starting with a dash, header name with hash", path: "/", headers: [][2]string{{"X#Key", "-dash"}}, status: 302, location: "http://p6.example/"},
		{name: "header name with a quote", path: "/", headers: [][2]string{{"X-It's", "v"}}, status: 302, location: "http://p7.example/"},
		{name: "inverted rule not matched", path: "/yes", headers: [][2]string{{"X-Inv", "yes"}}, status: 302, location: "http://p8.example/"},
		{name: "inverted rule matched", path: "/no/x", headers: [][2]string{{"X-Inv", "yes"}}, status: 503},
		{name: "reject before redirect", path: "/re1/bar", headers: [][2]string{{"X-Reject", "1"}}, status: 403},
		{name: "redirect prefix keeps the path", path: "/pre/x?q=1", status: 308, location: "https://prefix.example/pre/x?q=1"},
		{name: "location with fragment", path: "/frag", status: 301, location: "http://p11.example/a?b='c'#frag"},
		{name: "regex with backslashes", path: "/", headers: [][2]string{{"X-Re", `a  b\c`}}, status: 302, location: "http://p12.example/"},
		{name: "regex with backslashes, one too few", path: "/", headers: [][2]string{{"X-Re", `a  bc`}}, status: 503},
		{name: "no rule", path: "/nothing", status: 503},
	} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if tc.host != "" {
			req.Host = tc.host
		}
		for _, h := range tc.headers {
			req.Header[h[0]] = []string{h[1]}
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v\nhaproxy output:\n%s", tc.name, err, out.String())
		}
		_ = resp.Body.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("Location") != tc.location {
			t.Errorf("%s: got %d Location %q, want %d Location %q", tc.name, resp.StatusCode, resp.Header.Get("Location"), tc.status, tc.location)
		}
	}
}

func runtimeGraph(port int) *lb.LoadBalancer {
	const listenerID = "11111111-0000-4000-8000-00000000f001"
	n := 0
	rule := func(typ, cmp, key, value string, invert bool) *lb.L7Rule {
		n++
		return &lb.L7Rule{
			ID: fmt.Sprintf("66666666-0000-4000-8000-00000000f%03d", n), Type: typ, CompareType: cmp,
			Key: key, Value: value, Invert: invert, AdminStateUp: true,
		}
	}
	code := func(c int) *int { return &c }
	redirect := func(pos int, rules ...*lb.L7Rule) *lb.L7Policy {
		return &lb.L7Policy{
			ID: fmt.Sprintf("55555555-0000-4000-8000-00000000f%03d", pos), ListenerID: listenerID,
			Action: lb.L7ActionRedirectToURL, Position: pos, RedirectURL: fmt.Sprintf("http://p%d.example/", pos),
			RedirectHTTPCode: code(302), AdminStateUp: true, Rules: rules,
		}
	}
	prefix := redirect(10, rule(lb.L7RulePath, lb.CompareStartsWith, "", "/pre", false))
	prefix.Action, prefix.RedirectURL, prefix.RedirectPrefix, prefix.RedirectHTTPCode = lb.L7ActionRedirectPrefix, "", "https://prefix.example", code(308)
	fragment := redirect(11, rule(lb.L7RulePath, lb.CompareEqualTo, "", "/frag", false))
	fragment.RedirectURL, fragment.RedirectHTTPCode = "http://p11.example/a?b='c'#frag", code(301)
	reject := redirect(20, rule(lb.L7RuleHeader, lb.CompareEqualTo, "X-Reject", "1", false))
	reject.Action, reject.RedirectURL, reject.RedirectHTTPCode = lb.L7ActionReject, "", nil
	return &lb.LoadBalancer{
		ID: "aaaaaaaa-0000-4000-8000-00000000f001", ProjectID: "e3cd678b11784734bc366148aa37580e",
		AdminStateUp: true, VIPAddress: "127.0.0.1", VIPSubnetID: "99999999-0000-4000-8000-000000000001",
		Provider: "amphora", Topology: lb.TopologySingle,
		Listeners: []*lb.Listener{{
			ID: listenerID, Protocol: lb.ProtocolHTTP, ProtocolPort: port, ConnectionLimit: -1, AdminStateUp: true,
			L7Policies: []*lb.L7Policy{
				redirect(1, rule(lb.L7RuleHeader, lb.CompareEqualTo, "X-Quote", `"a b 'c' #d \e $HOME"`, false)),
				redirect(2, rule(lb.L7RulePath, lb.CompareRegex, "", `^/re\d+/(foo|bar)$`, false)),
				redirect(3, rule(lb.L7RuleHostName, lb.CompareStartsWith, "", "www.", false)),
				redirect(4, rule(lb.L7RuleCookie, lb.CompareContains, "sess", "x'y#z$", false)),
				redirect(5, rule(lb.L7RuleFileType, lb.CompareEqualTo, "", "jpg", false)),
				redirect(6, rule(lb.L7RuleHeader, lb.CompareEqualTo, "X#Key", "-dash", false)),
				redirect(7, rule(lb.L7RuleHeader, lb.CompareEqualTo, "X-It's", "v", false)),
				redirect(8, rule(lb.L7RuleHeader, lb.CompareEqualTo, "X-Inv", "yes", false),
					rule(lb.L7RulePath, lb.CompareStartsWith, "", "/no", true)),
				prefix,
				fragment,
				redirect(12, rule(lb.L7RuleHeader, lb.CompareRegex, "X-Re", `^a\s+b\\c$`, false)),
				reject,
			},
		}},
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return port
}

func waitListening(t testing.TB, addr string, out fmt.Stringer) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d := net.Dialer{Timeout: 200 * time.Millisecond}
		c, err := d.DialContext(context.Background(), "tcp", addr)
		if err == nil {
			_ = c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy did not listen on %s: %v\noutput:\n%s", addr, err, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lockedBuffer collects a child process's output; exec copies into it from
// its own goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
