package e2e

import (
	"context"
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// osCLI runs the Debian openstack CLI against lbaasd without Keystone.
func osCLI(ctx context.Context, t *testing.T, d *daemon, args ...string) string {
	t.Helper()
	full := append([]string{"--os-auth-type", "none", "--os-endpoint", d.URL}, args...)
	cmd := exec.CommandContext(ctx, "openstack", full...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("openstack %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func osJSON(ctx context.Context, t *testing.T, d *daemon, args ...string) map[string]any {
	t.Helper()
	out := osCLI(ctx, t, d, append(args, "-f", "json")...)
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("openstack %s: not JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
	return m
}

// TestOpenstackCLIFlow is seed 004's flow with the real openstack CLI
// (python3-openstackclient + python3-octaviaclient): load balancer on the
// local subnet, HTTP listener, ROUND_ROBIN pool, two members, ACTIVE, ten
// requests that alternate strictly, and a cascade delete that leaves no
// HAProxy, no agent and no VIP behind.
func TestOpenstackCLIFlow(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("openstack"); err != nil {
		t.Fatalf("the openstack CLI is missing (apt-get install python3-openstackclient python3-octaviaclient): %v", err)
	}
	// The CLI is a Python program started ~20 times: on a loaded machine each
	// start takes seconds, so the bound is generous.
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	d := startDaemon(t, newDataDir(t), randomSubnet())
	b1, b2 := newBackend(t, "webserver1"), newBackend(t, "webserver2")
	port := strconv.Itoa(freePort(t))

	// The subnet by name, as a user types it: the CLI resolves it through
	// lbaasd's Neutron view.
	lbv := osJSON(ctx, t, d, "loadbalancer", "create", "--name", "lb1", "--vip-subnet-id", "lbaasd-local", "--wait")
	if lbv["provisioning_status"] != "ACTIVE" {
		t.Fatalf("loadbalancer create --wait: %v", lbv)
	}
	vip, _ := lbv["vip_address"].(string)
	osJSON(ctx, t, d, "loadbalancer", "listener", "create", "--name", "listener1", "--protocol", "HTTP", "--protocol-port", port, "--wait", "lb1")
	osJSON(ctx, t, d, "loadbalancer", "pool", "create", "--name", "pool1", "--lb-algorithm", "ROUND_ROBIN", "--listener", "listener1", "--protocol", "HTTP", "--wait")
	osJSON(ctx, t, d, "loadbalancer", "member", "create", "--name", "member1", "--address", "127.0.0.1", "--protocol-port", strconv.Itoa(b1.port()), "--wait", "pool1")
	osJSON(ctx, t, d, "loadbalancer", "member", "create", "--name", "member2", "--address", "127.0.0.1", "--protocol-port", strconv.Itoa(b2.port()), "--wait", "pool1")

	show := osJSON(ctx, t, d, "loadbalancer", "show", "lb1")
	if show["provisioning_status"] != "ACTIVE" {
		t.Fatalf("loadbalancer show: provisioning_status %v", show["provisioning_status"])
	}
	members := osCLI(ctx, t, d, "loadbalancer", "member", "list", "pool1", "-f", "value", "-c", "name", "-c", "provisioning_status")
	if strings.Count(members, "ACTIVE") != 2 {
		t.Fatalf("member list:\n%s", members)
	}

	var got []string
	for range 10 {
		body, err := get(ctx, "http://"+vip+":"+port+"/")
		if err != nil {
			t.Fatalf("request to the VIP: %v", err)
		}
		got = append(got, body)
	}
	for i := 1; i < len(got); i++ {
		if got[i] == got[i-1] {
			t.Fatalf("responses do not alternate strictly: %v", got)
		}
	}
	if b1.hits.Load() != 5 || b2.hits.Load() != 5 {
		t.Fatalf("hits %d/%d, want 5/5", b1.hits.Load(), b2.hits.Load())
	}
	status := osCLI(ctx, t, d, "loadbalancer", "status", "show", "lb1")
	if !strings.Contains(status, `"member1"`) || !strings.Contains(status, `"listener1"`) {
		t.Fatalf("loadbalancer status show:\n%s", status)
	}

	// Failover through the CLI, of the load balancer and of its amphora:
	// each time a new amphora serves the VIP and the old one is gone.
	amphora := func() string {
		return strings.TrimSpace(osCLI(ctx, t, d, "loadbalancer", "amphora", "list", "--loadbalancer", lbv["id"].(string), "-f", "value", "-c", "id"))
	}
	before := amphora()
	osCLI(ctx, t, d, "loadbalancer", "failover", "--wait", "lb1")
	afterLB := amphora()
	osCLI(ctx, t, d, "loadbalancer", "amphora", "failover", "--wait", afterLB)
	afterAmp := amphora()
	if strings.Contains(afterLB, "\n") || afterLB == before || afterAmp == afterLB || strings.Contains(afterAmp, "\n") {
		t.Fatalf("amphorae: %q, after loadbalancer failover %q, after amphora failover %q: want one new each time", before, afterLB, afterAmp)
	}
	if body, err := get(ctx, "http://"+vip+":"+port+"/"); err != nil || (body != b1.name && body != b2.name) {
		t.Fatalf("request to the VIP after the failovers: %q, %v", body, err)
	}

	if dp := countDataPlane(d.DataDir); len(dp.agents) != 1 || len(dp.haproxys) != 1 {
		t.Fatalf("before delete: agents %v haproxy masters %v, want one of each", dp.agents, dp.haproxys)
	}
	osCLI(ctx, t, d, "loadbalancer", "delete", "--cascade", "--wait", "lb1")
	list := osCLI(ctx, t, d, "loadbalancer", "list", "-f", "value", "-c", "name")
	if strings.Contains(list, "lb1") {
		t.Fatalf("lb1 still listed after delete:\n%s", list)
	}
	eventually(t, 30*time.Second, 50*time.Millisecond, "no agent or HAProxy left", func() error {
		if ps := processesUnder(d.DataDir + "/a/"); len(ps) > 0 {
			return errorf("still running: %v", ps)
		}
		return nil
	})
	if _, err := get(ctx, "http://"+vip+":"+port+"/"); err == nil {
		t.Fatal("the VIP still answers after delete")
	}
	ports := osCLI(ctx, t, d, "port", "list", "-f", "value", "-c", "id")
	if strings.TrimSpace(ports) != "" {
		t.Fatalf("VIP ports left after delete:\n%s", ports)
	}
	// The freed address is handed out again.
	again := osJSON(ctx, t, d, "loadbalancer", "create", "--name", "lb2", "--vip-subnet-id", d.subnetID(t), "--wait")
	if again["vip_address"] != vip {
		t.Fatalf("new load balancer got %v, want the freed VIP %s", again["vip_address"], vip)
	}
	osCLI(ctx, t, d, "loadbalancer", "delete", "--wait", "lb2")
}
