package agent_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/agent"
	"github.com/lbaas/terraform-provider-lbaas/internal/pki"
)

const lbID = "01197be7-98d5-440d-a846-cd70f52dc503"

// testEnv is one amphora: a CA, the agent's and the controller's
// certificates, a data dir, and at most one running agent at a time.
type testEnv struct {
	t         *testing.T
	bin       string
	amphoraID string
	ca        *pki.CA
	dataDir   string
	srvCert   []byte
	srvKey    []byte
	clientTLS *tls.Config
	logs      *testLog

	cancel context.CancelFunc
	done   chan error
	addr   string
	client *agent.Client

	// configure, when set, changes the agent's Config before it starts.
	configure func(*agent.Config)
}

// testLog forwards agent logs to the test until the test ends, then drops
// them (a TLS handshake error may be logged after the test returned).
type testLog struct {
	mu     sync.Mutex
	t      *testing.T
	closed bool
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (l *testLog) close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
}

func newEnv(t *testing.T) *testEnv {
	t.Helper()
	bin := haproxyBinary(t)
	ca, err := pki.LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	amphoraID := "amp-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	srvCert, srvKey, err := ca.IssueServer(amphoraID, []net.IP{net.ParseIP("127.0.0.1")}, nil, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cliCert, cliKey, err := ca.IssueClient("controller", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	clientTLS, err := agent.ClientTLSConfig(cliCert, cliKey, ca.Pool())
	if err != nil {
		t.Fatal(err)
	}
	// UNIX socket paths are short: keep the data dir out of the long
	// per-test temp path.
	dataDir, err := os.MkdirTemp("", "agt")
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{t: t, bin: bin, amphoraID: amphoraID, ca: ca, dataDir: dataDir,
		srvCert: srvCert, srvKey: srvKey, clientTLS: clientTLS, logs: &testLog{t: t}}
	t.Cleanup(func() {
		e.logs.close()
		killHAProxies(t, dataDir)
		os.RemoveAll(dataDir)
	})
	t.Cleanup(e.stopAgent)
	return e
}

// startAgent starts a Server on 127.0.0.1:0 over the env's data dir.
func (e *testEnv) startAgent() {
	t := e.t
	t.Helper()
	if e.cancel != nil {
		t.Fatal("agent already running")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := agent.Config{
		AmphoraID:     e.amphoraID,
		DataDir:       e.dataDir,
		HAProxyBin:    e.bin,
		CertPEM:       e.srvCert,
		KeyPEM:        e.srvKey,
		ClientCAs:     e.ca.Pool(),
		Logger:        slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		WatchInterval: 200 * time.Millisecond,
		StopTimeout:   5 * time.Second,
	}
	if e.configure != nil {
		e.configure(&cfg)
	}
	srv, err := agent.New(cfg)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	e.cancel, e.done, e.addr = cancel, done, ln.Addr().String()
	e.client = e.newClient(e.amphoraID, e.clientTLS)
	// Serve adopts or starts HAProxy before it answers.
	ictx, icancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer icancel()
	if err := waitUntil(ictx, func() bool { _, err := e.client.Info(ictx); return err == nil }); err != nil {
		t.Fatalf("agent did not come up: %v", err)
	}
}

// stopAgent cancels the running agent and waits for Serve to return.
func (e *testEnv) stopAgent() {
	if e.cancel == nil {
		return
	}
	e.client.Close()
	e.cancel()
	select {
	case err := <-e.done:
		if err != nil {
			e.t.Errorf("Serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		e.t.Error("Serve did not return within 20s of cancellation")
	}
	e.cancel, e.done, e.client = nil, nil, nil
}

func (e *testEnv) newClient(amphoraID string, tc *tls.Config) *agent.Client {
	e.t.Helper()
	c, err := agent.NewClient("https://"+e.addr, amphoraID, tc)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(c.Close)
	return c
}

func (e *testEnv) stateDir() string { return filepath.Join(e.dataDir, "run") }

// config renders an HAProxy configuration with a frontend on 127.0.0.1:port
// and a backend to the given server addresses.
func (e *testEnv) config(port int, backends ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "global\n    stats socket %s/%s.sock mode 600 level user\n    stats timeout 10s\n", e.stateDir(), lbID)
	b.WriteString("defaults\n    mode http\n    timeout connect 2s\n    timeout client 10s\n    timeout server 10s\n    option http-keep-alive\n")
	fmt.Fprintf(&b, "frontend fe\n    bind 127.0.0.1:%d\n    default_backend be\n", port)
	b.WriteString("backend be\n    balance roundrobin\n")
	for i, a := range backends {
		fmt.Fprintf(&b, "    server s%d %s\n", i+1, a)
	}
	return []byte(b.String())
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// backend is an HTTP server on 127.0.0.1 answering its name.
func backend(t *testing.T, name string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, name)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func get(ctx context.Context, c *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return string(b), fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return string(b), nil
}

// waitServing waits until a GET through HAProxy answers want.
func waitServing(t *testing.T, url, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var last string
	var lastErr error
	if err := waitUntil(ctx, func() bool {
		last, lastErr = get(ctx, c, url)
		return lastErr == nil && last == want
	}); err != nil {
		t.Fatalf("%s never answered %q: last %q, %v", url, want, last, lastErr)
	}
}

// loadResult counts the requests of a keep-alive load.
type loadResult struct {
	ok, failed atomic.Int64
	mu         sync.Mutex
	errs       []string
	bodies     map[string]int
}

// runLoad sends GETs to url from workers goroutines with keep-alive until
// stop is closed or d has passed, at most maxPerWorker each.
func runLoad(url string, workers int, d time.Duration, stop <-chan struct{}) *loadResult {
	const maxPerWorker = 100000
	res := &loadResult{bodies: map[string]int{}}
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			tr := &http.Transport{MaxIdleConnsPerHost: 1}
			defer tr.CloseIdleConnections()
			c := &http.Client{Timeout: 5 * time.Second, Transport: tr}
			for i := 0; i < maxPerWorker && time.Now().Before(deadline); i++ {
				select {
				case <-stop:
					return
				default:
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				body, err := get(ctx, c, url)
				cancel()
				if err != nil {
					res.failed.Add(1)
					res.mu.Lock()
					if len(res.errs) < 10 {
						res.errs = append(res.errs, err.Error())
					}
					res.mu.Unlock()
					continue
				}
				res.ok.Add(1)
				res.mu.Lock()
				res.bodies[body]++
				res.mu.Unlock()
			}
		})
	}
	wg.Wait()
	return res
}

func waitUntil(ctx context.Context, cond func() bool) error {
	t := time.NewTicker(25 * time.Millisecond)
	defer t.Stop()
	for {
		if cond() {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// pidAlive reports whether pid is a live process (a zombie is dead).
func pidAlive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] != 'Z' && b[i+2] != 'X'
}

// haproxiesUsing lists live haproxy processes whose command line mentions
// dir: the ones started for a test's data dir.
func haproxiesUsing(dir string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmd, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !bytes.Contains(cmd, []byte(dir+"/")) || !bytes.Contains(cmd, []byte("haproxy")) {
			continue
		}
		if pidAlive(pid) {
			out = append(out, pid)
		}
	}
	return out
}

// killHAProxies kills, by pid, every haproxy a test left for dir and fails
// the test if one survives.
func killHAProxies(t *testing.T, dir string) {
	for _, pid := range haproxiesUsing(dir) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := waitUntil(ctx, func() bool { return len(haproxiesUsing(dir)) == 0 }); err != nil {
		t.Errorf("orphan haproxy processes for %s: %v", dir, haproxiesUsing(dir))
	}
}

func wantAPIError(t *testing.T, err error, status int, detail string) *agent.APIError {
	t.Helper()
	var ae *agent.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want *APIError %d, got %v", status, err)
	}
	if ae.StatusCode != status || !strings.Contains(ae.Details, detail) {
		t.Fatalf("want %d with details containing %q, got %d %q: %q", status, detail, ae.StatusCode, ae.Message, ae.Details)
	}
	return ae
}

func TestAgentMutualTLS(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.startAgent()
	ctx := ctxT(t)

	if v, err := e.client.Version(ctx); err != nil || v != "1.0" {
		t.Fatalf("Version: %q, %v", v, err)
	}
	info, err := e.client.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.AmphoraID != e.amphoraID || info.APIVersion != "1.0" || info.StateDir != e.stateDir() ||
		!strings.HasPrefix(info.HAProxyVersion, "2.") || info.Hostname == "" {
		t.Fatalf("info %+v", info)
	}

	// No client certificate.
	noCert := e.newClient(e.amphoraID, &tls.Config{RootCAs: e.ca.Pool()})
	if _, err := noCert.Info(ctx); err == nil {
		t.Fatal("client without a certificate accepted")
	}
	// A client certificate from another CA.
	other, err := pki.LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	oc, ok, err := other.IssueClient("intruder", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	otherTLS, err := agent.ClientTLSConfig(oc, ok, e.ca.Pool())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.newClient(e.amphoraID, otherTLS).Info(ctx); err == nil {
		t.Fatal("client certificate from another CA accepted")
	}
	// A client that expects another amphora.
	_, err = e.newClient("another-amphora", e.clientTLS).Info(ctx)
	var herr x509.HostnameError
	if !errors.As(err, &herr) {
		t.Fatalf("want a hostname error for another amphora id, got %v", err)
	}
	// A client trusting another CA refuses the agent.
	wrongRoots, err := agent.ClientTLSConfig(oc, ok, other.Pool())
	if err != nil {
		t.Fatal(err)
	}
	var uerr x509.UnknownAuthorityError
	if _, err := e.newClient(e.amphoraID, wrongRoots).Info(ctx); !errors.As(err, &uerr) {
		t.Fatalf("want an unknown authority error, got %v", err)
	}
	// Plain HTTP is not served.
	if _, err := get(ctx, &http.Client{Timeout: 5 * time.Second}, "http://"+e.addr+"/"); err == nil {
		t.Fatal("plain HTTP answered")
	}
	if _, err := agent.NewClient("http://"+e.addr, e.amphoraID, e.clientTLS); err == nil {
		t.Fatal("NewClient accepted an http URL")
	}
	if _, err := agent.NewClient("https://"+e.addr, e.amphoraID, &tls.Config{}); err == nil {
		t.Fatal("NewClient accepted a TLS config without RootCAs")
	}
}

func TestAgentConfigLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.startAgent()
	ctx := ctxT(t)
	c := e.client
	port := freePort(t)
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	cfg1 := e.config(port, backend(t, "backend-a"))

	if _, _, err := c.Config(ctx, lbID); err == nil {
		t.Fatal("config of an unknown load balancer")
	} else {
		wantAPIError(t, err, http.StatusNotFound, "")
	}
	_, err := c.Status(ctx, lbID)
	wantAPIError(t, err, http.StatusNotFound, "")
	wantAPIError(t, c.Action(ctx, lbID, agent.ActionStart), http.StatusNotFound, "")
	_, err = c.PutConfig(ctx, "bad.id", 1, cfg1)
	wantAPIError(t, err, http.StatusBadRequest, "invalid load balancer id")
	_, err = c.PutConfig(ctx, lbID, 0, cfg1)
	wantAPIError(t, err, http.StatusBadRequest, "revision")

	res, err := c.PutConfig(ctx, lbID, 1, cfg1)
	if err != nil || res.Revision != 1 || !res.Changed || res.Message != "OK" {
		t.Fatalf("PutConfig rev 1: %+v, %v", res, err)
	}
	got, rev, err := c.Config(ctx, lbID)
	if err != nil || rev != 1 || !bytes.Equal(got, cfg1) {
		t.Fatalf("Config: rev %d, %v, same=%v", rev, err, bytes.Equal(got, cfg1))
	}
	// An idempotent retry is a no-op; the same revision with other content
	// is a conflict.
	if res, err := c.PutConfig(ctx, lbID, 1, cfg1); err != nil || res.Changed {
		t.Fatalf("idempotent PutConfig: %+v, %v", res, err)
	}
	_, err = c.PutConfig(ctx, lbID, 1, append(cfg1, "# other\n"...))
	wantAPIError(t, err, http.StatusConflict, "different content")

	st, err := c.Status(ctx, lbID)
	if err != nil || st.Running || st.Revision != 1 || st.Desired != agent.DesiredStopped {
		t.Fatalf("status before start: %+v, %v", st, err)
	}
	if err := c.Action(ctx, lbID, agent.ActionStart); err != nil {
		t.Fatal(err)
	}
	waitServing(t, url, "backend-a")
	st, err = c.Status(ctx, lbID)
	if err != nil || !st.Running || st.PID == 0 || len(st.Workers) == 0 || st.LoadedRevision != 1 || st.Desired != agent.DesiredRunning {
		t.Fatalf("status after start: %+v, %v", st, err)
	}
	if err := c.Action(ctx, lbID, agent.ActionStart); err != nil {
		t.Fatalf("second start: %v", err)
	}
	if st2, _ := c.Status(ctx, lbID); st2.PID != st.PID {
		t.Fatalf("second start replaced the master: %d -> %d", st.PID, st2.PID)
	}

	// A configuration HAProxy refuses: 400 with HAProxy's message, nothing
	// switched, the old one still serving.
	broken := bytes.Replace(e.config(port, backend(t, "backend-b")), []byte("balance roundrobin"), []byte("balance nonsense"), 1)
	_, err = c.PutConfig(ctx, lbID, 2, broken)
	ae := wantAPIError(t, err, http.StatusBadRequest, "balance")
	if ae.Message != "Invalid request" || !strings.Contains(ae.Details, "[ALERT]") {
		t.Fatalf("400 does not carry haproxy's output: %+v", ae)
	}
	if _, rev, _ := c.Config(ctx, lbID); rev != 1 {
		t.Fatalf("refused config switched the revision to %d", rev)
	}
	if err := c.Action(ctx, lbID, agent.ActionReload); err != nil {
		t.Fatal(err)
	}
	waitServing(t, url, "backend-a")

	// The state_dir contract.
	outside := bytes.Replace(cfg1, []byte(e.stateDir()), []byte(t.TempDir()), 1)
	_, err = c.PutConfig(ctx, lbID, 2, outside)
	wantAPIError(t, err, http.StatusBadRequest, "not under the agent's state_dir")
	noStats := bytes.Replace(cfg1, []byte("stats socket"), []byte("#stats socket"), 1)
	_, err = c.PutConfig(ctx, lbID, 2, noStats)
	wantAPIError(t, err, http.StatusBadRequest, "no stats socket")

	// Revisions only move forward.
	if _, err := c.PutConfig(ctx, lbID, 5, append(cfg1, "# rev 5\n"...)); err != nil {
		t.Fatal(err)
	}
	_, err = c.PutConfig(ctx, lbID, 3, cfg1)
	wantAPIError(t, err, http.StatusConflict, "older than the applied revision 5")
	if st, _ := c.Status(ctx, lbID); st.Revision != 5 || st.LoadedRevision != 1 {
		t.Fatalf("status after storing rev 5: %+v", st)
	}
	if err := c.Action(ctx, lbID, agent.ActionReload); err != nil {
		t.Fatal(err)
	}
	if st, _ := c.Status(ctx, lbID); st.LoadedRevision != 5 {
		t.Fatalf("reload did not load rev 5: %+v", st)
	}

	ae = wantAPIError(t, c.Action(ctx, lbID, "restart"), http.StatusBadRequest, "Unknown action: restart")
	if ae.Message != "Invalid request" {
		t.Fatalf("unknown action message %q", ae.Message)
	}

	// Stats count the requests.
	const n = 25
	hc := &http.Client{Timeout: 5 * time.Second}
	for range n {
		if body, err := get(ctx, hc, url); err != nil || body != "backend-a" {
			t.Fatalf("GET through haproxy: %q, %v", body, err)
		}
	}
	rows, err := c.Stats(ctx, lbID)
	if err != nil {
		t.Fatal(err)
	}
	var fe, srv *agent.StatRow
	for i := range rows {
		switch {
		case rows[i].PxName == "fe" && rows[i].SvName == "FRONTEND":
			fe = &rows[i]
		case rows[i].PxName == "be" && rows[i].SvName == "s1":
			srv = &rows[i]
		}
	}
	if fe == nil || srv == nil {
		t.Fatalf("stats rows lack fe/FRONTEND or be/s1: %+v", rows)
	}
	if fe.ReqTot < n || fe.Hrsp2xx < n || fe.Status != "OPEN" || srv.Stot < n || srv.Hrsp2xx < n || srv.Bout == 0 {
		t.Fatalf("stats do not count %d requests: frontend %+v server %+v", n, fe, srv)
	}
	t.Logf("stats after %d requests (since last reload): frontend req_tot=%d, server stot=%d hrsp_2xx=%d", n, fe.ReqTot, srv.Stot, srv.Hrsp2xx)
}

func TestAgentReloadUnderLoad(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.startAgent()
	ctx := ctxT(t)
	c := e.client
	port := freePort(t)
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	a, b := backend(t, "A"), backend(t, "B")

	if _, err := c.PutConfig(ctx, lbID, 1, e.config(port, a)); err != nil {
		t.Fatal(err)
	}
	if err := c.Action(ctx, lbID, agent.ActionStart); err != nil {
		t.Fatal(err)
	}
	waitServing(t, url, "A")
	before, err := c.Status(ctx, lbID)
	if err != nil {
		t.Fatal(err)
	}

	// The load runs until the reloads are done (a slow machine makes them
	// slow), bounded by duration.
	const workers, duration = 4, 60 * time.Second
	resCh := make(chan *loadResult, 1)
	stopLoad := make(chan struct{})
	go func() { resCh <- runLoad(url, workers, duration, stopLoad) }()
	// Three reloads while the load runs, switching backends each time.
	var reloadErr error
	for i, be := range []string{b, a, b} {
		time.Sleep(400 * time.Millisecond)
		rev := int64(i + 2)
		if _, err := c.PutConfig(ctx, lbID, rev, e.config(port, be)); err != nil {
			reloadErr = err
			break
		}
		if err := c.Action(ctx, lbID, agent.ActionReload); err != nil {
			reloadErr = err
			break
		}
	}
	time.Sleep(400 * time.Millisecond) // load on the last backend too
	close(stopLoad)
	res := <-resCh
	if reloadErr != nil {
		t.Fatal(reloadErr)
	}
	t.Logf("reload under load (%d keep-alive clients through 3 reloads): %d ok, %d failed, bodies %v",
		workers, res.ok.Load(), res.failed.Load(), res.bodies)
	if res.failed.Load() != 0 {
		t.Fatalf("%d failed requests across reloads: %v", res.failed.Load(), res.errs)
	}
	if res.ok.Load() == 0 || res.bodies["A"] == 0 || res.bodies["B"] == 0 {
		t.Fatalf("load did not see both backends: %v", res.bodies)
	}
	waitServing(t, url, "B")
	after, err := c.Status(ctx, lbID)
	if err != nil {
		t.Fatal(err)
	}
	if after.PID != before.PID || after.LoadedRevision != 4 {
		t.Fatalf("after reloads: %+v (before %+v): want the same master with revision 4", after, before)
	}
}

func TestAgentRestartAdoptsHAProxy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.startAgent()
	ctx := ctxT(t)
	port := freePort(t)
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	if _, err := e.client.PutConfig(ctx, lbID, 1, e.config(port, backend(t, "one"))); err != nil {
		t.Fatal(err)
	}
	if err := e.client.Action(ctx, lbID, agent.ActionStart); err != nil {
		t.Fatal(err)
	}
	waitServing(t, url, "one")
	st1, err := e.client.Status(ctx, lbID)
	if err != nil {
		t.Fatal(err)
	}

	// Restart the agent under load: HAProxy keeps serving and is adopted.
	stop := make(chan struct{})
	resCh := make(chan *loadResult, 1)
	go func() { resCh <- runLoad(url, 2, 20*time.Second, stop) }()
	time.Sleep(200 * time.Millisecond)
	e.stopAgent()
	if !pidAlive(st1.PID) {
		t.Fatalf("stopping the agent stopped haproxy %d", st1.PID)
	}
	time.Sleep(200 * time.Millisecond)
	e.startAgent()
	time.Sleep(200 * time.Millisecond)
	close(stop)
	res := <-resCh
	t.Logf("agent restart under load: %d ok, %d failed", res.ok.Load(), res.failed.Load())
	if res.failed.Load() != 0 || res.ok.Load() == 0 {
		t.Fatalf("traffic interrupted by an agent restart: %d ok, %d failed: %v", res.ok.Load(), res.failed.Load(), res.errs)
	}
	st2, err := e.client.Status(ctx, lbID)
	if err != nil {
		t.Fatal(err)
	}
	if !st2.Running || st2.PID != st1.PID || st2.LoadedRevision != 1 {
		t.Fatalf("not adopted: before %+v after %+v", st1, st2)
	}

	// HAProxy dies while the agent is down: the next agent starts it from
	// the last applied configuration.
	e.stopAgent()
	if err := syscall.Kill(st1.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := waitUntil(wctx, func() bool { return len(haproxiesUsing(e.dataDir)) == 0 }); err != nil {
		t.Fatalf("haproxy processes survive the master's SIGKILL: %v", haproxiesUsing(e.dataDir))
	}
	if _, err := get(ctx, &http.Client{Timeout: 2 * time.Second}, url); err == nil {
		t.Fatal("still serving after SIGKILL")
	}
	e.startAgent()
	waitServing(t, url, "one")
	st3, err := e.client.Status(ctx, lbID)
	if err != nil {
		t.Fatal(err)
	}
	if !st3.Running || st3.PID == st1.PID || st3.LoadedRevision != 1 {
		t.Fatalf("not restarted from the last configuration: %+v", st3)
	}
}

func TestAgentWatcherRestartsDeadHAProxy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.startAgent()
	ctx := ctxT(t)
	port := freePort(t)
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	if _, err := e.client.PutConfig(ctx, lbID, 1, e.config(port, backend(t, "w"))); err != nil {
		t.Fatal(err)
	}
	if err := e.client.Action(ctx, lbID, agent.ActionReload); err != nil { // reload of a stopped HAProxy starts it
		t.Fatal(err)
	}
	waitServing(t, url, "w")
	st1, err := e.client.Status(ctx, lbID)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(st1.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var st agent.Status
	if err := waitUntil(wctx, func() bool {
		st, err = e.client.Status(wctx, lbID)
		return err == nil && st.Running && st.PID != st1.PID
	}); err != nil {
		t.Fatalf("watcher did not restart haproxy: %+v, %v", st, err)
	}
	waitServing(t, url, "w")
}

func TestAgentStopAndDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.startAgent()
	ctx := ctxT(t)
	c := e.client
	port := freePort(t)
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	if _, err := c.PutConfig(ctx, lbID, 1, e.config(port, backend(t, "d"))); err != nil {
		t.Fatal(err)
	}
	if err := c.Action(ctx, lbID, agent.ActionStart); err != nil {
		t.Fatal(err)
	}
	waitServing(t, url, "d")

	// stop stops master and workers, and a restarted agent leaves it
	// stopped.
	st, err := c.Status(ctx, lbID)
	if err != nil {
		t.Fatal(err)
	}
	pids := append([]int{st.PID}, st.Workers...)
	if err := c.Action(ctx, lbID, agent.ActionStop); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		if pidAlive(pid) {
			t.Fatalf("pid %d alive after stop", pid)
		}
	}
	e.stopAgent()
	e.startAgent()
	c = e.client
	time.Sleep(500 * time.Millisecond) // a few watcher ticks
	if st, err := c.Status(ctx, lbID); err != nil || st.Running || st.Desired != agent.DesiredStopped {
		t.Fatalf("stopped haproxy after an agent restart: %+v, %v", st, err)
	}
	if got := haproxiesUsing(e.dataDir); len(got) != 0 {
		t.Fatalf("haproxy running after stop: %v", got)
	}

	// DELETE stops HAProxy and removes its files; it is idempotent.
	if err := c.Action(ctx, lbID, agent.ActionStart); err != nil {
		t.Fatal(err)
	}
	waitServing(t, url, "d")
	st, err = c.Status(ctx, lbID)
	if err != nil {
		t.Fatal(err)
	}
	pids = append([]int{st.PID}, st.Workers...)
	if err := c.Delete(ctx, lbID); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		if pidAlive(pid) {
			t.Fatalf("pid %d alive after DELETE", pid)
		}
	}
	if got := haproxiesUsing(e.dataDir); len(got) != 0 {
		t.Fatalf("haproxy processes after DELETE: %v", got)
	}
	if _, err := os.Stat(filepath.Join(e.dataDir, "lb", lbID)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("load balancer files left: %v", err)
	}
	if _, err := os.Stat(filepath.Join(e.stateDir(), lbID+".sock")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stats socket left: %v", err)
	}
	if err := c.Delete(ctx, lbID); err != nil {
		t.Fatalf("second DELETE: %v", err)
	}
	_, err = c.Status(ctx, lbID)
	wantAPIError(t, err, http.StatusNotFound, "")
	if _, err := get(ctx, &http.Client{Timeout: 2 * time.Second}, url); err == nil {
		t.Fatal("still serving after DELETE")
	}
}

// TestAgentFailedReloadKeepsServing reloads a configuration that passes
// `haproxy -c` but cannot bind: the reload is reported as failed, the old
// workers keep serving, and the next good configuration reloads.
func TestAgentFailedReloadKeepsServing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.startAgent()
	ctx := ctxT(t)
	c := e.client
	port := freePort(t)
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	be := backend(t, "kept")
	cfg1 := e.config(port, be)
	if _, err := c.PutConfig(ctx, lbID, 1, cfg1); err != nil {
		t.Fatal(err)
	}
	if err := c.Action(ctx, lbID, agent.ActionStart); err != nil {
		t.Fatal(err)
	}
	waitServing(t, url, "kept")
	before, err := c.Status(ctx, lbID)
	if err != nil {
		t.Fatal(err)
	}

	// A port held without SO_REUSEPORT: HAProxy cannot bind it.
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cfg2 := bytes.Replace(cfg1, []byte("    default_backend be\n"),
		fmt.Appendf(nil, "    bind %s\n    default_backend be\n", busy.Addr()), 1)
	if _, err := c.PutConfig(ctx, lbID, 2, cfg2); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, c.Action(ctx, lbID, agent.ActionReload), http.StatusInternalServerError, "kept the old workers")
	waitServing(t, url, "kept")
	st, err := c.Status(ctx, lbID)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Running || st.PID != before.PID || st.LoadedRevision != 1 || st.Revision != 2 {
		t.Fatalf("after a failed reload: %+v (before %+v)", st, before)
	}

	if _, err := c.PutConfig(ctx, lbID, 3, e.config(port, backend(t, "next"))); err != nil {
		t.Fatal(err)
	}
	if err := c.Action(ctx, lbID, agent.ActionReload); err != nil {
		t.Fatalf("reload after a failed one: %v", err)
	}
	waitServing(t, url, "next")
	if st, err := c.Status(ctx, lbID); err != nil || st.LoadedRevision != 3 || st.PID != before.PID {
		t.Fatalf("after the good reload: %+v, %v", st, err)
	}
}
