// Package acctest runs the things tests need for real: lbaasd and its
// amphora agent (built from this module), and the provider wired to lbaasd or
// to a real Octavia for terraform-plugin-testing.
package acctest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Binaries are lbaasd and amphora-agent built from this module.
type Binaries struct {
	Dir    string
	Lbaasd string
	Agent  string
}

// Build compiles lbaasd and amphora-agent into a new temporary directory
// (readable by every user); Cleanup removes it.
func Build(ctx context.Context) (Binaries, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return Binaries{}, err
	}
	dir, err := os.MkdirTemp("", "lbaas-bin")
	if err != nil {
		return Binaries{}, err
	}
	if err := os.Chmod(dir, 0o755); err != nil { //nolint:gosec // the binaries run as an unprivileged user in one test.
		return Binaries{}, err
	}
	b := Binaries{Dir: dir, Lbaasd: filepath.Join(dir, "lbaasd"), Agent: filepath.Join(dir, "amphora-agent")}
	for pkg, out := range map[string]string{"./cmd/lbaasd": b.Lbaasd, "./cmd/amphora-agent": b.Agent} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return Binaries{}, fmt.Errorf("building %s: %w\n%s", pkg, err, out)
		}
	}
	return b, nil
}

// Cleanup removes the binaries.
func (b Binaries) Cleanup() { _ = os.RemoveAll(b.Dir) }

func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the module")
	}
	return filepath.Dir(mod), nil
}

// Options start an lbaasd.
type Options struct {
	// DataDir must be short: amphora sockets live below it and a UNIX socket
	// path is limited to 108 bytes (use NewDataDir).
	DataDir string
	// Subnet is the default local subnet (a /24 of 127/8 of the caller's own,
	// so parallel daemons never share a VIP).
	Subnet string
	// Credential runs lbaasd as another user (nil: as this process).
	Credential *syscall.Credential
	// Args are extra flags of `lbaasd serve`.
	Args []string
}

// Daemon is a running lbaasd.
type Daemon struct {
	URL     string
	DataDir string
	Subnet  string
	LogPath string

	bins   Binaries
	cmd    *exec.Cmd
	exited chan struct{}
	once   sync.Once
}

// NewDataDir makes a short data directory.
func NewDataDir() (string, error) { return os.MkdirTemp("", "lbd") }

// RandomSubnet picks a /24 of 127.0.0.0/8 away from lbaasd's default 127.77/16.
func RandomSubnet() string {
	n := time.Now().UnixNano()
	return fmt.Sprintf("127.%d.%d.0/24", 100+int(n/7%100), 1+int(n/701%250))
}

// StartLbaasd starts `lbaasd serve` on a free loopback port and waits until
// /healthcheck answers.
func StartLbaasd(ctx context.Context, bins Binaries, opts Options) (*Daemon, error) {
	port, err := FreePort(ctx)
	if err != nil {
		return nil, err
	}
	d := &Daemon{
		URL: "http://127.0.0.1:" + strconv.Itoa(port), DataDir: opts.DataDir, Subnet: opts.Subnet,
		LogPath: filepath.Join(opts.DataDir, fmt.Sprintf("lbaasd-%d.log", time.Now().UnixNano())),
		bins:    bins, exited: make(chan struct{}),
	}
	logf, err := os.Create(d.LogPath)
	if err != nil {
		return nil, err
	}
	args := append([]string{"serve",
		"--listen", "127.0.0.1:" + strconv.Itoa(port),
		"--data-dir", opts.DataDir,
		"--subnet", opts.Subnet,
		"--agent-bin", bins.Agent,
		"--log-level", "debug",
		// Daemons run side by side: each picks its own heartbeat port (and
		// keeps it across its restarts, see <data-dir>/health.addr).
		"--health-listen", "127.0.0.1:0",
	}, opts.Args...)
	// Not CommandContext: the daemon lives until Stop or Kill9, not until ctx ends.
	d.cmd = exec.Command(bins.Lbaasd, args...) //nolint:noctx // see above.
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	if opts.Credential != nil {
		d.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: opts.Credential}
	}
	if err := d.cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	go func() {
		_ = d.cmd.Wait()
		logf.Close()
		close(d.exited)
	}()
	deadline := time.Now().Add(30 * time.Second)
	client := &http.Client{Timeout: time.Second}
	for attempt := 0; time.Now().Before(deadline) && attempt < 1000; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.URL+"/healthcheck", nil)
		if err != nil {
			return nil, err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return d, nil
			}
		}
		select {
		case <-d.exited:
			return nil, fmt.Errorf("lbaasd exited during start:\n%s", d.Log())
		case <-ctx.Done():
			d.Stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	d.Stop()
	return nil, fmt.Errorf("lbaasd did not answer /healthcheck within 30s:\n%s", d.Log())
}

// Stop sends SIGTERM and waits (SIGKILL after 20 s).
func (d *Daemon) Stop() {
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

// Kill9 kills lbaasd with SIGKILL, as a crash would, and waits for it.
func (d *Daemon) Kill9() {
	_ = d.cmd.Process.Kill()
	<-d.exited
}

// Exited is closed when the process has exited.
func (d *Daemon) Exited() <-chan struct{} { return d.exited }

// Log returns the end of lbaasd's log.
func (d *Daemon) Log() string {
	data, err := os.ReadFile(d.LogPath)
	if err != nil {
		return ""
	}
	if len(data) > 20000 {
		data = data[len(data)-20000:]
	}
	return string(data)
}

// SubnetID is the ID of the daemon's default local subnet, as `lbaasd
// subnets` prints it.
func (d *Daemon) SubnetID(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, d.bins.Lbaasd, "subnets", "--data-dir", d.DataDir, "--subnet", d.Subnet).Output()
	if err != nil {
		return "", fmt.Errorf("lbaasd subnets: %w", err)
	}
	line, _, _ := strings.Cut(string(out), "\n")
	fields := strings.Fields(line)
	if len(fields) != 3 || fields[1] != d.Subnet {
		return "", fmt.Errorf("lbaasd subnets printed %q", out)
	}
	return fields[0], nil
}

// Teardown stops the daemon, kills whatever still runs from its data dir
// (amphorae outlive lbaasd by design) and removes the data dir.
func (d *Daemon) Teardown() {
	d.once.Do(func() {
		d.Stop()
		KillUnder(d.DataDir)
		_ = os.RemoveAll(d.DataDir)
	})
}

// FreePort returns a free TCP port on 127.0.0.1.
func FreePort(ctx context.Context) (int, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Proc is a process seen in /proc.
type Proc struct {
	PID, PPID int
	Cmdline   string
}

// ProcessesUnder lists the live processes whose command line mentions dir.
func ProcessesUnder(dir string) []Proc {
	entries, _ := os.ReadDir("/proc")
	var out []Proc
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
		out = append(out, Proc{PID: pid, PPID: ppid, Cmdline: strings.ReplaceAll(string(raw), "\x00", " ")})
	}
	return out
}

// KillUnder SIGKILLs every process that still runs from dir.
func KillUnder(dir string) {
	for i := 0; i < 50; i++ {
		ps := ProcessesUnder(dir)
		if len(ps) == 0 {
			return
		}
		for _, p := range ps {
			_ = syscall.Kill(p.PID, syscall.SIGKILL)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
