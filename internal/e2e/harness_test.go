// Package e2e runs lbaasd as a user would: the real binaries (lbaasd and
// amphora-agent, built once for the package), real HAProxy, real clients (the
// Debian openstack CLI and gophercloud v2), backends on 127.0.0.1 and VIPs on
// a loopback subnet of the test's own.
package e2e

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/acctest"
)

// bins are built once by TestMain.
var bins acctest.Binaries

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	b, err := acctest.Build(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bins = b
	code := m.Run()
	bins.Cleanup()
	os.Exit(code)
}

// daemon is one running lbaasd of a test.
type daemon struct {
	*acctest.Daemon
	t *testing.T
}

// newDataDir makes a short data dir that the test removes, after killing
// every process still running from it.
func newDataDir(t *testing.T) string {
	t.Helper()
	dir, err := acctest.NewDataDir()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		acctest.KillUnder(dir)
		_ = os.RemoveAll(dir)
	})
	return dir
}

func randomSubnet() string { return acctest.RandomSubnet() }

// startDaemon runs lbaasd until the test ends.
func startDaemon(t *testing.T, dataDir, subnet string) *daemon {
	t.Helper()
	return startDaemonAs(t, dataDir, subnet, nil)
}

// startDaemonAs runs lbaasd as the given user (nil: as this process).
func startDaemonAs(t *testing.T, dataDir, subnet string, cred *syscall.Credential) *daemon {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ad, err := acctest.StartLbaasd(ctx, bins, acctest.Options{DataDir: dataDir, Subnet: subnet, Credential: cred})
	if err != nil {
		t.Fatal(err)
	}
	d := &daemon{Daemon: ad, t: t}
	t.Cleanup(func() {
		d.Stop()
		if t.Failed() {
			t.Logf("lbaasd log (%s):\n%s", d.LogPath, d.Log())
		}
	})
	return d
}

func (d *daemon) kill9() { d.Kill9() }

// subnetID is the ID of the daemon's default local subnet.
func (d *daemon) subnetID(t *testing.T) string {
	t.Helper()
	id, err := d.SubnetID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// backend is a small HTTP server on 127.0.0.1 that answers its name.
type backend struct {
	name string
	srv  *httptest.Server
	hits atomic.Int64
}

func newBackend(t *testing.T, name string) *backend {
	t.Helper()
	b := &backend{name: name}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		b.hits.Add(1)
		_, _ = io.WriteString(w, name)
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *backend) port() int { return b.srv.Listener.Addr().(*net.TCPAddr).Port }

// get sends one request on a new connection and returns the body.
func get(ctx context.Context, url string) (string, error) {
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return string(body), fmt.Errorf("status %d: %s", resp.StatusCode, body)
	}
	return string(body), nil
}

// eventually polls f every interval until it returns nil or timeout passes.
func eventually(t *testing.T, timeout, interval time.Duration, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for attempt := 0; ; attempt++ {
		if last = f(); last == nil {
			return
		}
		if time.Now().After(deadline) || attempt > 100000 {
			t.Fatalf("%s: not true within %s: %v", what, timeout, last)
		}
		time.Sleep(interval)
	}
}

func processesUnder(dir string) []acctest.Proc { return acctest.ProcessesUnder(dir) }

// dataPlane counts, per amphora directory, the agent processes and the
// HAProxy master processes (a worker's parent is its master).
type dataPlane struct {
	agents   map[string]int
	haproxys map[string]int
}

func countDataPlane(dataDir string) dataPlane {
	ps := processesUnder(dataDir)
	byPID := map[int]acctest.Proc{}
	for _, p := range ps {
		byPID[p.PID] = p
	}
	dp := dataPlane{agents: map[string]int{}, haproxys: map[string]int{}}
	ampDir := filepath.Join(dataDir, "a") + "/"
	for _, p := range ps {
		i := strings.Index(p.Cmdline, ampDir)
		if i < 0 {
			continue
		}
		amp := p.Cmdline[i+len(ampDir):]
		amp, _, _ = strings.Cut(amp, "/")
		amp, _, _ = strings.Cut(amp, " ")
		switch {
		case strings.Contains(p.Cmdline, "amphora-agent") && strings.Contains(p.Cmdline, " serve "):
			dp.agents[amp]++
		case strings.Contains(p.Cmdline, "haproxy"):
			if parent, ok := byPID[p.PPID]; ok && strings.Contains(parent.Cmdline, "haproxy") {
				continue // a worker
			}
			dp.haproxys[amp]++
		}
	}
	return dp
}

// loadStats reads /proc/loadavg's first field (logged beside timings).
func loadAvg() string {
	f, err := os.Open("/proc/loadavg")
	if err != nil {
		return "?"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	s.Split(bufio.ScanWords)
	if s.Scan() {
		return s.Text()
	}
	return "?"
}

// seed returns a random int64 for test variety.
func seed() int64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return int64(binary.LittleEndian.Uint64(b[:]) >> 1)
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// loadGenerator sends requests to url from 4 workers, alternating
// keep-alive and new connections, until stop is called (at most 400,000),
// and counts them.
type loadGenerator struct {
	ok, failed atomic.Int64
	firstErr   atomic.Value
	cancel     context.CancelFunc
	wg         sync.WaitGroup
}

func startLoad(ctx context.Context, url string) *loadGenerator {
	g := &loadGenerator{}
	ctx, g.cancel = context.WithCancel(ctx)
	const workers, maxRequests = 4, 400000
	for range workers {
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			tr := &http.Transport{MaxIdleConnsPerHost: 1}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
			for i := 0; i < maxRequests/workers && ctx.Err() == nil; i++ {
				// Alternate keep-alive and new connections.
				req, _ := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodGet, url, nil)
				req.Close = i%2 == 1
				resp, err := client.Do(req)
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = errorf("status %d", resp.StatusCode)
					}
				}
				if err != nil {
					g.failed.Add(1)
					g.firstErr.CompareAndSwap(nil, err)
					continue
				}
				g.ok.Add(1)
			}
		}()
	}
	return g
}

func (g *loadGenerator) stop() {
	g.cancel()
	g.wg.Wait()
}
