package keepalived

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The real keepalived checks every golden file:
//
//	keepalived --config-test -f <dir>/check.conf \
//	    -p <dir>/keepalived.pid -r <dir>/vrrp.pid -c <dir>/checkers.pid -b <dir>/bfd.pid
//
// where check.conf is a two-statement prelude around the golden file:
//
//	global_defs {
//	    dynamic_interfaces
//	}
//	include <dir>/keepalived.conf
//
// --config-test parses the whole configuration the way the VRRP and checker
// processes would, prints every problem on stderr and exits 0 only when there
// is none (4 or 5 on config errors, 6 on script-security violations). It
// starts nothing: under strace it only reads the file (through a memfd),
// dumps links and addresses over netlink, and opens /run/netns/<name>
// read-only for net_namespace; it writes no pid file (the -p/-r/-c/-b flags
// point into the temp dir anyway) and changes no address, route or
// namespace. It does check that the vrrp_instance's interface exists on
// this machine; dynamic_interfaces, the only thing the prelude adds, lifts
// that one check, because the goldens name the amphora's interface (eth1),
// not one of the test machine's. TestConfigTestCatchesErrors shows that
// without the prelude a missing interface is an error, and that the check
// catches real mistakes.
//
// Two more edits, and nothing else, are made to the golden before the check.
// keepalived checks that a vrrp_script exists and is safe to run under
// enable_script_security, so its path is replaced by an executable script
// in the temp dir. And a top-level `net_namespace <name>` line is removed:
// with it, --config-test tries to open /run/netns/<name>, and when that
// namespace does not exist it exits 0 at once without checking anything
// (TestConfigTestNetNamespaceChecksNothing proves it); creating the
// namespace would touch the machine.

// keepalivedBin returns the path of the keepalived binary or fails the test.
func keepalivedBin(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("keepalived"); err == nil {
		return p
	}
	const p = "/usr/sbin/keepalived"
	if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
		return p
	}
	t.Fatalf("keepalived binary not found in PATH or at /usr/sbin/keepalived; install keepalived: apt-get install keepalived")
	return ""
}

// checkRun is one run of keepalived --config-test.
type checkRun struct {
	out    string // stdout and stderr
	code   int    // exit code, -1 when killed by a signal
	signal syscall.Signal
}

// status describes how keepalived ended.
func (r checkRun) status() string {
	if r.signal != 0 {
		return "killed by signal " + strconv.Itoa(int(r.signal)) + " (" + r.signal.String() + ")"
	}
	return "exit " + strconv.Itoa(r.code)
}

// checkSetup says how to run the check.
type checkSetup struct {
	// scriptPaths are script paths in the configuration to replace by an
	// executable script in the temp dir.
	scriptPaths []string
	// noPrelude runs keepalived on the file itself, without
	// dynamic_interfaces.
	noPrelude bool
	// keepNamespace keeps the net_namespace line.
	keepNamespace bool
}

// stripNamespace removes the top-level net_namespace lines of conf.
func stripNamespace(conf string) string {
	lines := strings.SplitAfter(conf, "\n")
	out := lines[:0]
	for _, l := range lines {
		if !strings.HasPrefix(l, "net_namespace ") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}

// configTest runs keepalived --config-test on conf.
func configTest(t *testing.T, conf string, setup checkSetup) checkRun {
	t.Helper()
	bin := keepalivedBin(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "check_script.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range setup.scriptPaths {
		conf = strings.ReplaceAll(conf, p, script)
	}
	if !setup.keepNamespace {
		conf = stripNamespace(conf)
	}
	confPath := filepath.Join(dir, "keepalived.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	target := confPath
	if !setup.noPrelude {
		target = filepath.Join(dir, "check.conf")
		prelude := "global_defs {\n    dynamic_interfaces\n}\ninclude " + confPath + "\n"
		if err := os.WriteFile(target, []byte(prelude), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--config-test", "-f", target,
		"-p", filepath.Join(dir, "keepalived.pid"),
		"-r", filepath.Join(dir, "vrrp.pid"),
		"-c", filepath.Join(dir, "checkers.pid"),
		"-b", filepath.Join(dir, "bfd.pid"))
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	run := checkRun{out: out.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		run.code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			run.signal = ws.Signal()
		}
	default:
		t.Fatalf("running %s --config-test: %v", bin, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("%s --config-test did not finish: %v", bin, ctx.Err())
	}
	for _, pid := range []string{"keepalived.pid", "vrrp.pid", "checkers.pid", "bfd.pid"} {
		if _, err := os.Stat(filepath.Join(dir, pid)); err == nil {
			t.Errorf("keepalived --config-test wrote %s", pid)
		}
	}
	return run
}

// mustPassConfigTest fails the test unless keepalived accepts conf without
// a single message.
func mustPassConfigTest(t *testing.T, conf string, setup checkSetup) {
	t.Helper()
	r := configTest(t, conf, setup)
	if r.code != 0 || strings.TrimSpace(r.out) != "" {
		hint := ""
		if os.Geteuid() != 0 {
			hint = " (not running as root: keepalived disables a check script with script_user root as insecure unless it runs as root itself)"
		}
		t.Fatalf("keepalived --config-test: %s%s:\n%s\nconfiguration:\n%s", r.status(), hint, r.out, conf)
	}
}
