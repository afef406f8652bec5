// Package local is the compute driver of lbaasd's embedded default: each
// amphora is an amphora-agent process on this machine, with its own directory
// under the data dir. The agent runs in its own session so it outlives an
// lbaasd restart, as a real amphora outlives a controller restart.
package local

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/compute"
)

var _ compute.Driver = (*Driver)(nil)

// Config configures the local driver.
type Config struct {
	// Dir holds one directory per amphora.
	Dir string
	// AgentBin is the amphora-agent binary.
	AgentBin string
	// HAProxyBin is the haproxy binary the agents run.
	HAProxyBin string
	// Logger receives the driver's logs.
	Logger *slog.Logger
}

// heartbeatKeyFile holds the amphora's heartbeat key (mode 0600, as every
// file of the amphora's directory).
const heartbeatKeyFile = "heartbeat.key"

// Driver runs amphorae as local processes.
type Driver struct {
	cfg Config
}

// New returns a local compute driver.
func New(cfg Config) (*Driver, error) {
	if cfg.Dir == "" || cfg.AgentBin == "" {
		return nil, errors.New("local compute driver: Dir and AgentBin are required")
	}
	if cfg.HAProxyBin == "" {
		cfg.HAProxyBin = "haproxy"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("local compute driver: %w", err)
	}
	return &Driver{cfg: cfg}, nil
}

// record is what the driver keeps of a running agent, in <dir>/agent.json.
type record struct {
	PID  int    `json:"pid"`
	Port int    `json:"port"`
	Boot string `json:"boot_id"`
}

// dir is the amphora's directory. Its name is short (12 characters of the ID)
// because HAProxy's UNIX sockets live below it and a socket path may not
// exceed 108 bytes; the full ID is in the file "amphora-id".
func (d *Driver) dir(amphoraID string) string {
	short := strings.ReplaceAll(amphoraID, "-", "")
	if len(short) > 12 {
		short = short[:12]
	}
	return filepath.Join(d.cfg.Dir, short)
}

// validID keeps amphora IDs to what can safely be a directory name.
func validID(id string) bool {
	return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`).MatchString(id)
}

// Create starts the agent of the amphora, or returns it when it runs.
func (d *Driver) Create(ctx context.Context, spec compute.Spec) (compute.Instance, error) {
	if !validID(spec.AmphoraID) {
		return compute.Instance{}, fmt.Errorf("invalid amphora id %q", spec.AmphoraID)
	}
	if inst, err := d.Get(ctx, spec.AmphoraID); err == nil {
		return inst, nil
	} else if !errors.Is(err, compute.ErrNotFound) {
		return compute.Instance{}, err
	}
	dir := d.dir(spec.AmphoraID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return compute.Instance{}, err
	}
	if err := d.claim(dir, spec.AmphoraID); err != nil {
		return compute.Instance{}, err
	}
	files := map[string][]byte{"agent.crt": spec.CertPEM, "agent.key": spec.KeyPEM, "ca.pem": spec.CAPEM}
	hb := spec.Heartbeat
	if len(hb.Key) > 0 {
		files[heartbeatKeyFile] = hb.Key
	}
	for name, data := range files {
		if err := writeFileAtomic(filepath.Join(dir, name), data); err != nil {
			return compute.Instance{}, err
		}
	}
	port, err := freePort(ctx)
	if err != nil {
		return compute.Instance{}, err
	}
	logf, err := os.OpenFile(filepath.Join(dir, "agent.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return compute.Instance{}, err
	}
	defer logf.Close()
	// Not CommandContext: the agent must outlive this request and lbaasd.
	args := []string{"serve",
		"--data-dir", dir,
		"--listen", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		"--amphora-id", spec.AmphoraID,
		"--cert", filepath.Join(dir, "agent.crt"),
		"--key", filepath.Join(dir, "agent.key"),
		"--ca", filepath.Join(dir, "ca.pem"),
		"--haproxy", d.cfg.HAProxyBin,
	}
	if len(hb.Key) > 0 && len(hb.Targets) > 0 {
		args = append(args,
			"--heartbeat-key-file", filepath.Join(dir, heartbeatKeyFile),
			"--controllers", strings.Join(hb.Targets, ","))
		if hb.Interval > 0 {
			args = append(args, "--heartbeat-interval", hb.Interval.String())
		}
	}
	cmd := exec.Command(d.cfg.AgentBin, args...) //nolint:noctx // see above.
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return compute.Instance{}, fmt.Errorf("starting amphora agent %s: %w", spec.AmphoraID, err)
	}
	rec := record{PID: cmd.Process.Pid, Port: port, Boot: bootID()}
	data, err := json.Marshal(rec)
	if err != nil {
		return compute.Instance{}, err
	}
	if err := writeFileAtomic(filepath.Join(dir, "agent.json"), data); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return compute.Instance{}, err
	}
	// Reap the child when it exits, so a stopped agent is never a zombie
	// while this lbaasd runs. The goroutine ends with the process.
	go func() { _ = cmd.Wait() }()
	d.cfg.Logger.Info("amphora agent started", "amphora_id", spec.AmphoraID, "pid", rec.PID, "port", port)
	return d.instance(spec.AmphoraID, rec), nil
}

func (d *Driver) instance(amphoraID string, rec record) compute.Instance {
	return compute.Instance{
		ComputeID:   "local-" + strconv.Itoa(rec.PID),
		LBNetworkIP: "127.0.0.1",
		AgentURL:    "https://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(rec.Port)),
	}
}

// claim records the amphora's full ID in its directory, and refuses a
// directory that belongs to another amphora (two IDs sharing 12 characters).
func (d *Driver) claim(dir, amphoraID string) error {
	path := filepath.Join(dir, "amphora-id")
	have, err := os.ReadFile(path)
	if err == nil {
		if string(have) != amphoraID {
			return fmt.Errorf("amphora directory %s belongs to amphora %s, not %s", dir, have, amphoraID)
		}
		return nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return writeFileAtomic(path, []byte(amphoraID))
}

// Get returns the amphora when its agent process runs.
func (d *Driver) Get(_ context.Context, amphoraID string) (compute.Instance, error) {
	if !validID(amphoraID) {
		return compute.Instance{}, compute.ErrNotFound
	}
	rec, err := d.read(amphoraID)
	if err != nil && !errors.Is(err, compute.ErrNotFound) {
		return compute.Instance{}, err
	}
	if err == nil && d.isAgent(rec, amphoraID) {
		return d.instance(amphoraID, rec), nil
	}
	// A driver killed between starting an agent and recording it left the
	// agent running unrecorded: adopt it rather than start a second one.
	rec, ok, err := d.adopt(amphoraID)
	if err != nil {
		return compute.Instance{}, err
	}
	if !ok {
		return compute.Instance{}, compute.ErrNotFound
	}
	return d.instance(amphoraID, rec), nil
}

// adopt finds the running agents of an amphora that agent.json does not
// name, records the oldest and stops the others (two agents on one data dir
// would disagree about what runs there).
func (d *Driver) adopt(amphoraID string) (record, bool, error) {
	dir := d.dir(amphoraID)
	type agentProc struct {
		pid, port int
		start     uint64
	}
	var found []agentProc
	for _, pid := range processesUnder(dir) {
		raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
		if !slices.Contains(args, "serve") || argValue(args, "--amphora-id") != amphoraID || argValue(args, "--data-dir") != dir {
			continue
		}
		_, port, err := net.SplitHostPort(argValue(args, "--listen"))
		if err != nil {
			continue
		}
		p, err := strconv.Atoi(port)
		start, serr := procStart(pid)
		if err != nil || serr != nil {
			continue
		}
		found = append(found, agentProc{pid: pid, port: p, start: start})
	}
	if len(found) == 0 {
		return record{}, false, nil
	}
	slices.SortFunc(found, func(a, b agentProc) int { return cmp.Compare(a.start, b.start) })
	for _, extra := range found[1:] {
		d.cfg.Logger.Warn("stopping a second agent of the amphora", "amphora_id", amphoraID, "pid", extra.pid)
		_ = syscall.Kill(extra.pid, syscall.SIGTERM)
	}
	rec := record{PID: found[0].pid, Port: found[0].port, Boot: bootID()}
	data, err := json.Marshal(rec)
	if err != nil {
		return record{}, false, err
	}
	if err := writeFileAtomic(filepath.Join(dir, "agent.json"), data); err != nil {
		return record{}, false, err
	}
	d.cfg.Logger.Info("amphora agent adopted", "amphora_id", amphoraID, "pid", rec.PID, "port", rec.Port)
	return rec, true, nil
}

// argValue returns the argument that follows flag in args, or "".
func argValue(args []string, flag string) string {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == flag {
			return args[i+1]
		}
	}
	return ""
}

// procStart is the start time of a process, in clock ticks since boot.
func procStart(pid int) (uint64, error) {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 || i+2 >= len(stat) {
		return 0, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	f := strings.Fields(string(stat[i+2:]))
	if len(f) < 20 {
		return 0, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	return strconv.ParseUint(f[19], 10, 64)
}

func (d *Driver) read(amphoraID string) (record, error) {
	data, err := os.ReadFile(filepath.Join(d.dir(amphoraID), "agent.json"))
	if errors.Is(err, os.ErrNotExist) {
		return record{}, compute.ErrNotFound
	}
	if err != nil {
		return record{}, err
	}
	var rec record
	if err := json.Unmarshal(data, &rec); err != nil {
		return record{}, fmt.Errorf("amphora %s: bad agent.json: %w", amphoraID, err)
	}
	return rec, nil
}

// isAgent tells whether the recorded pid is still this amphora's agent (and
// not a recycled pid, or a pid of a previous boot).
func (d *Driver) isAgent(rec record, amphoraID string) bool {
	if rec.PID <= 0 || rec.Boot != bootID() {
		return false
	}
	cmdline, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(rec.PID), "cmdline"))
	if err != nil {
		return false
	}
	if isZombie(rec.PID) {
		return false
	}
	return bytes.Contains(cmdline, []byte(amphoraID)) && bytes.Contains(cmdline, []byte("serve"))
}

func isZombie(pid int) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return true
	}
	// The state follows the parenthesised command name.
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' || stat[i+2] == 'X'
}

// Delete stops every process of the amphora (the agent and the HAProxy it
// runs, found by the amphora's directory in their command lines, so nothing
// survives even when the agent died first) and removes its directory.
func (d *Driver) Delete(ctx context.Context, amphoraID string) error {
	if !validID(amphoraID) {
		return nil
	}
	dir := d.dir(amphoraID)
	if err := killProcessesUnder(ctx, dir); err != nil {
		return fmt.Errorf("stopping amphora %s: %w", amphoraID, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing amphora %s: %w", amphoraID, err)
	}
	d.cfg.Logger.Info("amphora deleted", "amphora_id", amphoraID)
	return nil
}

// List returns the amphora directories.
func (d *Driver) List(_ context.Context) ([]string, error) {
	entries, err := os.ReadDir(d.cfg.Dir)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		id, err := os.ReadFile(filepath.Join(d.cfg.Dir, e.Name(), "amphora-id"))
		if err != nil || !validID(string(id)) {
			// A directory left by a crash before its ID was written holds
			// no process (the ID is written first): remove it, once it is
			// old enough not to be one that Create is making right now
			// (List also runs beside reconciles, from the housekeeping).
			if info, ierr := e.Info(); errors.Is(err, os.ErrNotExist) && ierr == nil && time.Since(info.ModTime()) > time.Minute {
				_ = os.RemoveAll(filepath.Join(d.cfg.Dir, e.Name()))
			}
			continue
		}
		ids = append(ids, string(id))
	}
	return ids, nil
}

// killProcessesUnder sends SIGTERM, then SIGKILL after a grace period, to
// every process whose command line mentions dir, and waits until none is left.
func killProcessesUnder(ctx context.Context, dir string) error {
	const grace = 5 * time.Second
	deadline := time.Now().Add(grace)
	sig := syscall.SIGTERM
	for attempt := 0; attempt < 200; attempt++ {
		pids := processesUnder(dir)
		if len(pids) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			sig = syscall.SIGKILL
		}
		for _, pid := range pids {
			_ = syscall.Kill(pid, sig)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("processes of %s still running: %v", dir, processesUnder(dir))
}

func processesUnder(dir string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	needle := []byte(dir + string(os.PathSeparator))
	needleArg := append([]byte(dir), 0)
	self := os.Getpid()
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || isZombie(pid) {
			continue
		}
		if bytes.Contains(cmdline, needle) || bytes.Contains(cmdline, needleArg) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func bootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return string(bytes.TrimSpace(b))
}

func freePort(ctx context.Context) (int, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
