package agent

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ProcessError is an HAProxy start or reload that failed; Output carries
// HAProxy's own messages.
type ProcessError struct {
	Op     string
	Output string
	Err    error
}

func (e *ProcessError) Error() string {
	msg := "haproxy " + e.Op + " failed"
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if out := strings.TrimSpace(e.Output); out != "" {
		msg += ": " + out
	}
	return msg
}

func (e *ProcessError) Unwrap() error { return e.Err }

// procStat is the part of /proc/<pid>/stat the agent needs.
type procStat struct {
	state byte
	ppid  int
	start uint64 // starttime in clock ticks since boot: with the pid, a process identity
}

func readProcStat(pid int) (procStat, error) {
	if pid <= 0 {
		return procStat{}, fmt.Errorf("invalid pid %d", pid)
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, err
	}
	// The command name may contain spaces and parentheses: fields start
	// after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return procStat{}, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	f := strings.Fields(string(b[i+2:]))
	// f[0] is field 3 (state), f[1] field 4 (ppid), f[19] field 22 (starttime).
	if len(f) < 20 {
		return procStat{}, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return procStat{}, fmt.Errorf("malformed /proc/%d/stat: %w", pid, err)
	}
	start, err := strconv.ParseUint(f[19], 10, 64)
	if err != nil {
		return procStat{}, fmt.Errorf("malformed /proc/%d/stat: %w", pid, err)
	}
	return procStat{state: f[0][0], ppid: ppid, start: start}, nil
}

// processAlive reports whether pid is a live (not zombie) process and, when
// start is not 0, the same process that was recorded (not a reused pid).
func processAlive(pid int, start uint64) bool {
	st, err := readProcStat(pid)
	if err != nil {
		return false
	}
	if st.state == 'Z' || st.state == 'X' || st.state == 'x' {
		return false
	}
	return start == 0 || st.start == start
}

func procCmdline(pid int) ([]string, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimRight(string(b), "\x00"), "\x00"), nil
}

// childPIDs returns the live children of ppid.
func childPIDs(ppid int) []int {
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
		st, err := readProcStat(pid)
		if err != nil || st.ppid != ppid || st.state == 'Z' {
			continue
		}
		out = append(out, pid)
	}
	return out
}

// isOurMaster reports whether pid is an alive HAProxy master started by this
// agent for files: its command line runs our configuration link with our
// master socket. Reloads re-exec the master with extra arguments, in place.
func isOurMaster(pid int, start uint64, files lbFiles) bool {
	if !processAlive(pid, start) {
		return false
	}
	args, err := procCmdline(pid)
	if err != nil || len(args) == 0 {
		return false
	}
	if !strings.Contains(filepath.Base(args[0]), "haproxy") {
		return false
	}
	var cfgOK, sockOK bool
	for i := 0; i+1 < len(args); i++ {
		switch args[i] {
		case "-f":
			cfgOK = cfgOK || args[i+1] == files.cfgLink()
		case "-S":
			sockOK = sockOK || strings.SplitN(args[i+1], ",", 2)[0] == files.masterSock()
		}
	}
	return cfgOK && sockOK
}

// masterProc is the state reported by the master CLI's `show proc`.
type masterProc struct {
	pid     int
	reloads int
	failed  int
	workers []workerProc
}

type workerProc struct {
	pid     int
	reloads int
}

// parseShowProc parses HAProxy 2.6's `show proc` on the master CLI:
//
//	#<PID>          <type>          <reloads>       <uptime>        <version>
//	19960           master          1 [failed: 0]   0d00h00m03s     2.6.12
//	# workers
//	19994           worker          0               0d00h00m00s     2.6.12
//	# programs
//
// Workers with a reload count above 0 are old workers finishing their
// connections.
func parseShowProc(out []byte) (masterProc, error) {
	var mp masterProc
	found := false
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		pid, err := strconv.Atoi(f[0])
		if err != nil {
			continue
		}
		reloads, _ := strconv.Atoi(f[2])
		switch f[1] {
		case "master":
			found = true
			mp.pid, mp.reloads = pid, reloads
			if i := strings.Index(line, "[failed:"); i >= 0 {
				rest := strings.TrimSpace(line[i+len("[failed:"):])
				if j := strings.IndexByte(rest, ']'); j >= 0 {
					mp.failed, _ = strconv.Atoi(strings.TrimSpace(rest[:j]))
				}
			}
		case "worker":
			mp.workers = append(mp.workers, workerProc{pid: pid, reloads: reloads})
		}
	}
	if !found {
		return masterProc{}, fmt.Errorf("unexpected show proc output: %q", truncate(string(out), 200))
	}
	return mp, nil
}

func showProc(ctx context.Context, sock string) (masterProc, error) {
	out, err := socketCommand(ctx, sock, "show proc")
	if err != nil {
		return masterProc{}, err
	}
	return parseShowProc(out)
}

// startHAProxy starts HAProxy in master-worker mode on the current
// configuration, daemonized in its own session so that it outlives the
// agent, and waits until the master answers with a worker. It returns the
// master's pid and start time.
func (s *Server) startHAProxy(ctx context.Context, files lbFiles) (pid int, start uint64, err error) {
	_ = os.Remove(files.pidFile())
	logf, err := os.OpenFile(files.logFile(), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, 0, err
	}
	defer logf.Close()

	ectx, cancel := context.WithTimeout(ctx, s.cfg.ExecTimeout)
	defer cancel()
	cmd := exec.CommandContext(ectx, s.cfg.HAProxyBin,
		"-W", "-D",
		"-S", files.masterSock()+",mode,600",
		"-p", files.pidFile(),
		"-f", files.cfgLink())
	cmd.Dir = files.dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		return 0, 0, &ProcessError{Op: "start", Output: readTail(files.logFile(), 4096), Err: err}
	}

	pid, err = s.waitPIDFile(ectx, files.pidFile())
	if err != nil {
		return 0, 0, &ProcessError{Op: "start", Output: readTail(files.logFile(), 4096), Err: err}
	}
	st, err := readProcStat(pid)
	if err != nil {
		return 0, 0, &ProcessError{Op: "start", Output: readTail(files.logFile(), 4096), Err: fmt.Errorf("master %d vanished: %w", pid, err)}
	}
	if err := waitFor(ectx, 20*time.Millisecond, func() (bool, error) {
		if !processAlive(pid, st.start) {
			return false, fmt.Errorf("master %d exited", pid)
		}
		mp, err := showProc(ectx, files.masterSock())
		return err == nil && len(mp.workers) > 0, nil
	}); err != nil {
		return pid, st.start, &ProcessError{Op: "start", Output: readTail(files.logFile(), 4096), Err: err}
	}
	return pid, st.start, nil
}

func (s *Server) waitPIDFile(ctx context.Context, path string) (int, error) {
	var pid int
	err := waitFor(ctx, 10*time.Millisecond, func() (bool, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return false, nil
		}
		p, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return false, nil
		}
		pid = p
		return true, nil
	})
	if err != nil {
		return 0, fmt.Errorf("no pid in %s: %w", path, err)
	}
	return pid, nil
}

// reloadHAProxy reloads the master through its CLI (`reload`): the master
// re-executes itself in place on the current configuration and hands the
// listening sockets to a new worker, while old workers finish their
// connections. It waits until the reload is counted and fails when HAProxy
// counts it as failed.
func (s *Server) reloadHAProxy(ctx context.Context, files lbFiles) error {
	rctx, cancel := context.WithTimeout(ctx, s.cfg.ExecTimeout)
	defer cancel()
	before, err := showProc(rctx, files.masterSock())
	if err != nil {
		return &ProcessError{Op: "reload", Err: fmt.Errorf("master CLI: %w", err)}
	}
	// The master closes the connection while it re-executes; the reply
	// carries nothing in 2.6.
	_, _ = socketCommand(rctx, files.masterSock(), "reload")

	var after masterProc
	err = waitFor(rctx, 25*time.Millisecond, func() (bool, error) {
		mp, err := showProc(rctx, files.masterSock())
		if err != nil {
			return false, nil // re-executing
		}
		after = mp
		if mp.reloads <= before.reloads {
			return false, nil
		}
		if mp.failed > before.failed {
			return true, nil
		}
		for _, w := range mp.workers {
			if w.reloads == 0 && !slices.ContainsFunc(before.workers, func(o workerProc) bool { return o.pid == w.pid }) {
				return true, nil
			}
		}
		return false, nil
	})
	// The daemonized master's output goes to /dev/null: the master CLI's
	// counters are all HAProxy 2.6 tells about a reload.
	if err != nil {
		return &ProcessError{Op: "reload", Err: fmt.Errorf("no new worker (master reloads %d, failed %d): %w", after.reloads, after.failed, err)}
	}
	if after.failed > before.failed {
		return &ProcessError{Op: "reload", Err: errors.New("HAProxy could not load the new configuration (it passed haproxy -c, so typically a bind failed) and kept the old workers")}
	}
	return nil
}

// stopHAProxy stops the master and its workers gracefully: SIGUSR1 (HAProxy's
// soft stop: the listeners close, the requests in progress finish, then the
// processes exit), then SIGKILL for whatever is still alive after
// StopTimeout.
func (s *Server) stopHAProxy(ctx context.Context, pid int, start uint64) error {
	if !processAlive(pid, start) {
		return nil
	}
	pids := append([]int{pid}, childPIDs(pid)...)
	_ = syscall.Kill(pid, syscall.SIGUSR1)
	allDead := func() (bool, error) {
		for i, p := range pids {
			st := uint64(0)
			if i == 0 {
				st = start
			}
			if processAlive(p, st) {
				return false, nil
			}
		}
		return true, nil
	}
	sctx, cancel := context.WithTimeout(ctx, s.cfg.StopTimeout)
	err := waitFor(sctx, 20*time.Millisecond, allDead)
	cancel()
	if err == nil {
		return nil
	}
	s.log.Warn("haproxy did not finish its soft stop; killing it", "pid", pid)
	for i, p := range pids {
		st := uint64(0)
		if i == 0 {
			st = start
		}
		if processAlive(p, st) {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
	}
	kctx, kcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer kcancel()
	if err := waitFor(kctx, 20*time.Millisecond, allDead); err != nil {
		return fmt.Errorf("haproxy %d still alive after SIGKILL", pid)
	}
	return nil
}

// haproxyVersion runs `haproxy -v` and returns the version word.
func (s *Server) haproxyVersion(ctx context.Context) (string, error) {
	ectx, cancel := context.WithTimeout(ctx, s.cfg.ExecTimeout)
	defer cancel()
	out, err := exec.CommandContext(ectx, s.cfg.HAProxyBin, "-v").Output()
	if err != nil {
		return "", fmt.Errorf("%s -v: %w", s.cfg.HAProxyBin, err)
	}
	// "HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/"
	first, _, _ := strings.Cut(string(out), "\n")
	f := strings.Fields(first)
	if len(f) >= 3 && f[1] == "version" {
		return f[2], nil
	}
	return "", fmt.Errorf("unexpected %s -v output: %q", s.cfg.HAProxyBin, truncate(first, 100))
}

// waitFor polls cond every interval until it is true, returns an error, or
// ctx ends.
func waitFor(ctx context.Context, interval time.Duration, cond func() (bool, error)) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		ok, err := cond()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// readTail returns up to the last n bytes of a file.
func readTail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	off := max(st.Size()-n, 0)
	b := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(b, off); err != nil {
		return ""
	}
	return string(b)
}
