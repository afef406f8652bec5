// Package e2e runs lbaasd as a user would: the real binaries (lbaasd and
// amphora-agent, built once for the package), real HAProxy, real clients (the
// Debian openstack CLI and gophercloud v2), backends on 127.0.0.1 and VIPs on
// a loopback subnet of the test's own.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// binaries are built once by TestMain.
type binaries struct {
	lbaasd string
	agent  string
}

var bins binaries

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lbaas-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Readable by every user: one test runs lbaasd as an unprivileged user.
	if err := os.Chmod(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bins = binaries{lbaasd: filepath.Join(dir, "lbaasd"), agent: filepath.Join(dir, "amphora-agent")}
	for pkg, out := range map[string]string{"./cmd/lbaasd": bins.lbaasd, "./cmd/amphora-agent": bins.agent} {
		cmd := exec.Command("go", "build", "-o", out, pkg)
		cmd.Dir = filepath.Join("..", "..")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building", pkg, err)
			os.Exit(1)
		}
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// daemon is one running lbaasd.
type daemon struct {
	t       *testing.T
	url     string
	dataDir string
	subnet  string
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
}

// newDataDir makes a short data dir (amphora sockets live below it and UNIX
// socket paths are limited to 108 bytes) that the test removes, after killing
// every process still running from it.
func newDataDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "lbd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		killUnder(dir)
		_ = os.RemoveAll(dir)
	})
	return dir
}

// randomSubnet picks a /24 in 127.0.0.0/8 away from the default 127.77/16,
// so parallel tests never share a VIP.
func randomSubnet() string {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("127.%d.%d.0/24", 100+int(b[0])%100, 1+int(b[1])%250)
}

// startDaemon runs lbaasd on a free port until the test ends.
func startDaemon(t *testing.T, dataDir, subnet string) *daemon {
	t.Helper()
	return startDaemonAs(t, dataDir, subnet, nil)
}

// startDaemonAs runs lbaasd as the given user (nil: as this process).
func startDaemonAs(t *testing.T, dataDir, subnet string, cred *syscall.Credential) *daemon {
	t.Helper()
	port := freePort(t)
	d := &daemon{
		t: t, dataDir: dataDir, subnet: subnet,
		url:     "http://127.0.0.1:" + strconv.Itoa(port),
		logPath: filepath.Join(dataDir, fmt.Sprintf("lbaasd-%d.log", time.Now().UnixNano())),
		exited:  make(chan struct{}),
	}
	logf, err := os.Create(d.logPath)
	if err != nil {
		t.Fatal(err)
	}
	d.cmd = exec.Command(bins.lbaasd, "serve",
		"--listen", "127.0.0.1:"+strconv.Itoa(port),
		"--data-dir", dataDir,
		"--subnet", subnet,
		"--agent-bin", bins.agent,
		"--log-level", "debug",
	)
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	if cred != nil {
		d.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = d.cmd.Wait()
		logf.Close()
		close(d.exited)
	}()
	t.Cleanup(func() {
		d.stop()
		if t.Failed() {
			d.dumpLog()
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(d.url + "/healthcheck") //nolint:noctx // test polling loop
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return d
			}
		}
		select {
		case <-d.exited:
			d.dumpLog()
			t.Fatal("lbaasd exited during start")
		case <-time.After(50 * time.Millisecond):
		}
	}
	d.dumpLog()
	t.Fatal("lbaasd did not answer /healthcheck within 30s")
	return nil
}

func (d *daemon) stop() {
	select {
	case <-d.exited:
		return
	default:
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(20 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.exited
	}
}

// kill9 kills lbaasd with SIGKILL, as a crash would.
func (d *daemon) kill9() {
	_ = d.cmd.Process.Kill()
	<-d.exited
}

func (d *daemon) dumpLog() {
	data, err := os.ReadFile(d.logPath)
	if err != nil {
		return
	}
	if len(data) > 20000 {
		data = data[len(data)-20000:]
	}
	d.t.Logf("lbaasd log (%s):\n%s", d.logPath, data)
}

// subnetID is the ID of the daemon's default local subnet, as `lbaasd subnets` prints it.
func (d *daemon) subnetID(t *testing.T) string {
	t.Helper()
	out, err := exec.Command(bins.lbaasd, "subnets", "--data-dir", d.dataDir, "--subnet", d.subnet).Output()
	if err != nil {
		t.Fatalf("lbaasd subnets: %v", err)
	}
	line, _, _ := strings.Cut(string(out), "\n")
	fields := strings.Fields(line)
	if len(fields) != 3 || fields[1] != d.subnet {
		t.Fatalf("lbaasd subnets printed %q", out)
	}
	return fields[0]
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

// proc is a process seen in /proc.
type proc struct {
	pid, ppid int
	cmdline   string
}

// processesUnder lists the processes whose command line mentions dir.
func processesUnder(dir string) []proc {
	entries, _ := os.ReadDir("/proc")
	var out []proc
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		raw, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(raw, []byte(dir)) {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(stat, ')')
		fields := strings.Fields(string(stat[i+1:]))
		if len(fields) < 2 || fields[0] == "Z" {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		out = append(out, proc{pid: pid, ppid: ppid, cmdline: strings.ReplaceAll(string(raw), "\x00", " ")})
	}
	return out
}

// killUnder SIGKILLs every process that still runs from dir.
func killUnder(dir string) {
	for i := 0; i < 50; i++ {
		ps := processesUnder(dir)
		if len(ps) == 0 {
			return
		}
		for _, p := range ps {
			_ = syscall.Kill(p.pid, syscall.SIGKILL)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// dataPlane counts, per amphora directory, the agent processes and the
// HAProxy master processes (a worker's parent is its master).
type dataPlane struct {
	agents   map[string]int
	haproxys map[string]int
}

func countDataPlane(dataDir string) dataPlane {
	ps := processesUnder(dataDir)
	byPID := map[int]proc{}
	for _, p := range ps {
		byPID[p.pid] = p
	}
	dp := dataPlane{agents: map[string]int{}, haproxys: map[string]int{}}
	ampDir := filepath.Join(dataDir, "a") + "/"
	for _, p := range ps {
		i := strings.Index(p.cmdline, ampDir)
		if i < 0 {
			continue
		}
		amp := p.cmdline[i+len(ampDir):]
		amp, _, _ = strings.Cut(amp, "/")
		amp, _, _ = strings.Cut(amp, " ")
		switch {
		case strings.Contains(p.cmdline, "amphora-agent") && strings.Contains(p.cmdline, " serve "):
			dp.agents[amp]++
		case strings.Contains(p.cmdline, "haproxy"):
			if parent, ok := byPID[p.ppid]; ok && strings.Contains(parent.cmdline, "haproxy") {
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
