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
