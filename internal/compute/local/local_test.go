package local_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/compute"
	"github.com/lbaas/terraform-provider-lbaas/internal/compute/local"
)

// A stand-in agent below the driver: a shell loop whose command line carries
// the arguments the driver passes, as the real agent's does.
const fakeAgent = "#!/bin/sh\nwhile :; do sleep 1; done\n"

func alive(pid int) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(stat, ')')
	return i > 0 && stat[i+2] != 'Z'
}

func pidOf(inst compute.Instance) int {
	pid, _ := strconv.Atoi(inst.ComputeID[len("local-"):])
	return pid
}

func TestLocalDriverLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	agent := filepath.Join(dir, "agent.sh")
	if err := os.WriteFile(agent, []byte(fakeAgent), 0o755); err != nil {
		t.Fatal(err)
	}
	d, err := local.New(local.Config{Dir: filepath.Join(dir, "a"), AgentBin: agent})
	if err != nil {
		t.Fatal(err)
	}
	const id = "3b61d4a5-f5c0-4411-bf64-46a49e91beb6"
	spec := compute.Spec{AmphoraID: id, LoadBalancerID: "lb", CertPEM: []byte("c"), KeyPEM: []byte("k"), CAPEM: []byte("ca")}
	t.Cleanup(func() { _ = d.Delete(context.Background(), id) })

	if _, err := d.Get(ctx, id); !errors.Is(err, compute.ErrNotFound) {
		t.Fatalf("Get before Create: %v", err)
	}
	inst, err := d.Create(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if inst.LBNetworkIP != "127.0.0.1" || inst.AgentURL == "" || !alive(pidOf(inst)) {
		t.Fatalf("instance %+v", inst)
	}
	again, err := d.Create(ctx, spec)
	if err != nil || again != inst {
		t.Fatalf("Create must adopt the running agent: %+v %v", again, err)
	}
	ids, err := d.List(ctx)
	if err != nil || len(ids) != 1 || ids[0] != id {
		t.Fatalf("List %v %v", ids, err)
	}

	// The agent dies: Get says so and Create starts a new one.
	_ = syscall.Kill(pidOf(inst), syscall.SIGKILL)
	deadline := time.Now().Add(5 * time.Second)
	for alive(pidOf(inst)) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := d.Get(ctx, id); !errors.Is(err, compute.ErrNotFound) {
		t.Fatalf("Get of a dead agent: %v", err)
	}
	inst2, err := d.Create(ctx, spec)
	if err != nil || inst2.ComputeID == inst.ComputeID {
		t.Fatalf("restart: %+v %v", inst2, err)
	}

	// A process of the amphora that outlived its agent (like HAProxy does)
	// is found by its directory and stopped by Delete.
	ampDir := filepath.Join(dir, "a")
	entries, _ := os.ReadDir(ampDir)
	orphan := exec.Command("sh", "-c", "sleep 300", filepath.Join(ampDir, entries[0].Name(), "haproxy.cfg"))
	if err := orphan.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = orphan.Wait() }()
	if err := d.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if alive(pidOf(inst2)) || alive(orphan.Process.Pid) {
		t.Fatal("Delete left a process running")
	}
	if _, err := os.Stat(filepath.Join(ampDir, entries[0].Name())); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the amphora directory is still there: %v", err)
	}
	if err := d.Delete(ctx, id); err != nil {
		t.Fatalf("Delete twice: %v", err)
	}
	if ids, _ := d.List(ctx); len(ids) != 0 {
		t.Fatalf("List after Delete: %v", ids)
	}
}

func TestLocalDriverRejectsBadIDs(t *testing.T) {
	t.Parallel()
	d, err := local.New(local.Config{Dir: t.TempDir(), AgentBin: "/bin/true"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"", "../x", "a/b", "-x"} {
		if _, err := d.Create(context.Background(), compute.Spec{AmphoraID: id}); err == nil {
			t.Errorf("Create accepted amphora id %q", id)
		}
	}
}

func TestLocalDriverPassesHeartbeatSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	agent := filepath.Join(dir, "agent.sh")
	if err := os.WriteFile(agent, []byte(fakeAgent), 0o755); err != nil {
		t.Fatal(err)
	}
	d, err := local.New(local.Config{Dir: filepath.Join(dir, "a"), AgentBin: agent})
	if err != nil {
		t.Fatal(err)
	}
	const id = "9f0c2d4e-1111-4a2b-9c3d-0123456789ab"
	t.Cleanup(func() { _ = d.Delete(context.Background(), id) })
	inst, err := d.Create(ctx, compute.Spec{AmphoraID: id, CertPEM: []byte("c"), KeyPEM: []byte("k"), CAPEM: []byte("ca"),
		Heartbeat: compute.Heartbeat{Key: []byte("s3cret"), Targets: []string{"127.0.0.1:5555", "127.0.0.2:5556"}, Interval: 1500 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pidOf(inst)), "cmdline"))
	if err != nil {
		t.Fatal(err)
	}
	args := string(bytes.ReplaceAll(raw, []byte{0}, []byte{' '}))
	entries, err := os.ReadDir(filepath.Join(dir, "a"))
	if err != nil || len(entries) != 1 {
		t.Fatalf("amphora directories %v, %v", entries, err)
	}
	keyFile := filepath.Join(dir, "a", entries[0].Name(), "heartbeat.key")
	for _, want := range []string{"--heartbeat-key-file " + keyFile, "--controllers 127.0.0.1:5555,127.0.0.2:5556", "--heartbeat-interval 1.5s"} {
		if !bytes.Contains([]byte(args), []byte(want)) {
			t.Errorf("agent command line %q lacks %q", args, want)
		}
	}
	if bytes.Contains(raw, []byte("s3cret")) {
		t.Error("the key is on the command line")
	}
	st, err := os.Stat(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	if b, err := os.ReadFile(keyFile); err != nil || string(b) != "s3cret" {
		t.Errorf("key file holds %q, %v", b, err)
	}
}

// TestLocalDriverAdoptsAnUnrecordedAgent covers a driver killed between
// starting an agent and recording it: the next Get finds the agent by its
// command line instead of letting Create start a second one, and of two
// such agents keeps the older.
func TestLocalDriverAdoptsAnUnrecordedAgent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	agent := filepath.Join(dir, "agent.sh")
	if err := os.WriteFile(agent, []byte(fakeAgent), 0o755); err != nil {
		t.Fatal(err)
	}
	d, err := local.New(local.Config{Dir: filepath.Join(dir, "a"), AgentBin: agent})
	if err != nil {
		t.Fatal(err)
	}
	const id = "5e7a0c1d-2222-4b3c-8d4e-0123456789ab"
	t.Cleanup(func() { _ = d.Delete(context.Background(), id) })
	ampDir := filepath.Join(dir, "a", "5e7a0c1d2222")
	if err := os.MkdirAll(ampDir, 0o700); err != nil {
		t.Fatal(err)
	}
	start := func(port string) *exec.Cmd {
		cmd := exec.Command(agent, "serve", "--data-dir", ampDir, "--listen", "127.0.0.1:"+port, "--amphora-id", id)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { _ = cmd.Wait() }()
		t.Cleanup(func() { _ = cmd.Process.Kill() })
		return cmd
	}
	older := start("40001")
	time.Sleep(20 * time.Millisecond) // a later start time
	younger := start("40002")

	inst, err := d.Get(ctx, id)
	if err != nil {
		t.Fatalf("Get of an unrecorded agent: %v", err)
	}
	if pidOf(inst) != older.Process.Pid || inst.AgentURL != "https://127.0.0.1:40001" {
		t.Fatalf("adopted %+v, want pid %d on port 40001", inst, older.Process.Pid)
	}
	deadline := time.Now().Add(5 * time.Second)
	for alive(younger.Process.Pid) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if alive(younger.Process.Pid) {
		t.Fatal("the second agent of the amphora still runs")
	}
	again, err := d.Create(ctx, compute.Spec{AmphoraID: id, CertPEM: []byte("c"), KeyPEM: []byte("k"), CAPEM: []byte("ca")})
	if err != nil || again != inst {
		t.Fatalf("Create after adoption = %+v, %v; want the adopted %+v", again, err, inst)
	}
}

// TestListRemovesOnlyStaleDirsWithoutID: a directory without its
// amphora-id file is what a crash in Create leaves; List removes it once it
// is old, never while it may be one that Create is making.
func TestListRemovesOnlyStaleDirsWithoutID(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "a")
	d, err := local.New(local.Config{Dir: dir, AgentBin: "/bin/true"})
	if err != nil {
		t.Fatal(err)
	}
	fresh, stale := filepath.Join(dir, "freshxxxxxxx"), filepath.Join(dir, "stalexxxxxxx")
	for _, p := range []string{fresh, stale} {
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Minute)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if ids, err := d.List(t.Context()); err != nil || len(ids) != 0 {
		t.Fatalf("List: %v, %v", ids, err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a fresh directory without amphora-id was removed: %v", err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a stale directory without amphora-id was kept: %v", err)
	}
}
