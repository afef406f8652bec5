package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"

	"github.com/lbaas/terraform-provider-lbaas/internal/acctest"
)

// failoverArgs make failover fast enough for a test: heartbeats every
// 300 ms, an amphora silent for 3 s is replaced.
var failoverArgs = []string{"--heartbeat-interval", "300ms", "--failover-timeout", "3s"}

// startDaemonWith runs lbaasd with extra flags until the test ends.
func startDaemonWith(t *testing.T, dataDir, subnet string, args ...string) *daemon {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ad, err := acctest.StartLbaasd(ctx, bins, acctest.Options{DataDir: dataDir, Subnet: subnet, Args: args})
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

// amphoraDir is where the local compute driver keeps an amphora (12
// characters of its ID, see internal/compute/local).
func amphoraDir(dataDir, amphoraID string) string {
	short := strings.ReplaceAll(amphoraID, "-", "")
	return filepath.Join(dataDir, "a", short[:min(12, len(short))])
}

// amphoraeOf lists the IDs of the load balancer's amphorae (admin API).
func amphoraeOf(ctx context.Context, c *gophercloud.ServiceClient, lbID string) ([]string, error) {
	var out struct {
		Amphorae []struct {
			ID string `json:"id"`
		} `json:"amphorae"`
	}
	resp, err := c.Get(ctx, strings.TrimSuffix(c.Endpoint, "/")+"/v2/octavia/amphorae?loadbalancer_id="+lbID, &out, nil)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	var ids []string
	for _, a := range out.Amphorae {
		ids = append(ids, a.ID)
	}
	return ids, nil
}

// waitReplaced waits until the load balancer is ACTIVE with exactly one
// amphora, not old, and returns it.
func waitReplaced(ctx context.Context, t *testing.T, c *gophercloud.ServiceClient, lbID, old string) string {
	t.Helper()
	var amp string
	eventually(t, 90*time.Second, 50*time.Millisecond, "amphora "+old+" replaced", func() error {
		got, err := loadbalancers.Get(ctx, c, lbID).Extract()
		if err != nil {
			return err
		}
		if got.ProvisioningStatus != "ACTIVE" {
			return errorf("provisioning_status %s", got.ProvisioningStatus)
		}
		ids, err := amphoraeOf(ctx, c, lbID)
		if err != nil {
			return err
		}
		if len(ids) != 1 || ids[0] == old {
			return errorf("amphorae %v (old %s)", ids, old)
		}
		amp = ids[0]
		return nil
	})
	return amp
}

// TestFailoverKill9Amphora kills an amphora's agent and HAProxy with SIGKILL
// and checks that a new amphora serves the same VIP, the old one's processes
// are gone, and the load balancer is ACTIVE with one amphora.
func TestFailoverKill9Amphora(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	d := startDaemonWith(t, newDataDir(t), randomSubnet(), failoverArgs...)
	c := lbClient(d)
	b := newBackend(t, "b1")
	lbID, _, url := servingLB(ctx, t, c, d.subnetID(t), "failover", freePort(t), b)
	old := amphoraOf(ctx, t, c, lbID)
	oldDir := amphoraDir(d.DataDir, old)
	// Heartbeats have been coming: the amphora is healthy before the kill.
	eventually(t, 30*time.Second, 100*time.Millisecond, "heartbeats accepted", func() error {
		if metric(ctx, t, d, "lbaasd_health_heartbeats_accepted_total") < 2 {
			return errorf("no heartbeats yet")
		}
		return nil
	})

	procs := processesUnder(oldDir)
	if len(procs) < 2 {
		t.Fatalf("want the agent and HAProxy of amphora %s under %s, found %+v", old, oldDir, procs)
	}
	killed := time.Now()
	for _, p := range procs {
		if err := syscall.Kill(p.PID, syscall.SIGKILL); err != nil {
			t.Fatalf("kill -9 %d: %v", p.PID, err)
		}
	}
	// The VIP answers again.
	eventually(t, 90*time.Second, 50*time.Millisecond, "the VIP serves again", func() error {
		_, err := get(ctx, url)
		return err
	})
	served := time.Since(killed)
	amp := waitReplaced(ctx, t, c, lbID, old)
	active := time.Since(killed)
	t.Logf("FIGURE failover: VIP served again %.1fs after kill -9 of amphora %s (load balancer ACTIVE with amphora %s after %.1fs; --failover-timeout 3s, load %s)",
		served.Seconds(), old, amp, active.Seconds(), loadAvg())
	if body, err := get(ctx, url); err != nil || body != "b1" {
		t.Fatalf("after failover: %q, %v", body, err)
	}
	eventually(t, 20*time.Second, 50*time.Millisecond, "the old amphora's processes gone", func() error {
		if ps := processesUnder(oldDir); len(ps) != 0 {
			return errorf("still running: %+v", ps)
		}
		return nil
	})
	checkOnePerAmphora(ctx, t, d, []string{lbID})
	n := metric(ctx, t, d, `lbaasd_controller_failovers_total{outcome="completed",reason="heartbeat_timeout"}`) +
		metric(ctx, t, d, `lbaasd_controller_failovers_total{outcome="completed",reason="unreachable"}`)
	if n != 1 {
		t.Fatalf("%v automatic failovers completed, want 1", n)
	}
}

// allowedFailures is how many requests of a load generator may fail during
// n failovers. The replaced HAProxy soft-stops once its replacement serves:
// the requests in progress finish. What the kernel queued on its listening
// socket in the instant it closes is reset, unless the machine has
// net.ipv4.tcp_migrate_req=1 (Linux 5.14+), which hands such connections to
// the replacement's socket of the same SO_REUSEPORT group. So: none may fail
// with it, at most one per failover without.
func allowedFailures(n int) int64 {
	if b, err := os.ReadFile("/proc/sys/net/ipv4/tcp_migrate_req"); err == nil && strings.TrimSpace(string(b)) == "1" {
		return 0
	}
	return int64(n)
}

// TestFailoverOnDemandUnderLoad fails a load balancer over through the API
// (gophercloud's loadbalancers.Failover) while a load generator sends
// requests to its VIP, and counts the requests that failed.
func TestFailoverOnDemandUnderLoad(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	d := startDaemonWith(t, newDataDir(t), randomSubnet(), failoverArgs...)
	c := lbClient(d)
	b1, b2 := newBackend(t, "b1"), newBackend(t, "b2")
	lbID, _, url := servingLB(ctx, t, c, d.subnetID(t), "ondemand", freePort(t), b1, b2)

	const rounds = 3
	amp := amphoraOf(ctx, t, c, lbID)
	load := startLoad(ctx, url)
	start := time.Now()
	for range rounds {
		time.Sleep(300 * time.Millisecond)
		if err := loadbalancers.Failover(ctx, c, lbID).ExtractErr(); err != nil {
			load.stop()
			t.Fatalf("failover: %v", err)
		}
		amp = waitReplaced(ctx, t, c, lbID, amp)
	}
	time.Sleep(300 * time.Millisecond)
	load.stop()
	t.Logf("FIGURE failover: %d on-demand failovers under load in %.1fs: %d requests ok, %d failed",
		rounds, time.Since(start).Seconds(), load.ok.Load(), load.failed.Load())
	if load.ok.Load() == 0 {
		t.Fatal("the load generator sent nothing")
	}
	allowed := allowedFailures(rounds)
	if load.failed.Load() > allowed {
		t.Fatalf("%d of %d requests failed during %d failovers (at most %d may); first: %v",
			load.failed.Load(), load.ok.Load()+load.failed.Load(), rounds, allowed, load.firstErr.Load())
	}
	checkOnePerAmphora(ctx, t, d, []string{lbID})
}

// TestFailoverSurvivesLbaasdKill9 kills lbaasd with SIGKILL right after a
// failover recorded its replacement amphora, restarts it on the same data
// dir, and checks that the failover completes with that one replacement.
func TestFailoverSurvivesLbaasdKill9(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dataDir, subnet := newDataDir(t), randomSubnet()
	d := startDaemonWith(t, dataDir, subnet, failoverArgs...)
	c := lbClient(d)
	b := newBackend(t, "b1")
	lbID, _, url := servingLB(ctx, t, c, d.subnetID(t), "crashover", freePort(t), b)
	old := amphoraOf(ctx, t, c, lbID)

	if err := loadbalancers.Failover(ctx, c, lbID).ExtractErr(); err != nil {
		t.Fatalf("failover: %v", err)
	}
	var replacement string
	eventually(t, 30*time.Second, time.Millisecond, "the replacement recorded", func() error {
		ids, err := amphoraeOf(ctx, c, lbID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if id != old {
				replacement = id
				return nil
			}
		}
		return errorf("amphorae %v", ids)
	})
	d.kill9()
	t.Logf("lbaasd killed with replacement %s recorded (old %s)", replacement, old)

	d = startDaemonWith(t, dataDir, subnet, failoverArgs...)
	c = lbClient(d)
	if got := waitReplaced(ctx, t, c, lbID, old); got != replacement {
		t.Fatalf("amphora %s replaced by %s, not by the replacement recorded before the crash, %s", old, got, replacement)
	}
	checkOnePerAmphora(ctx, t, d, []string{lbID})
	eventually(t, 20*time.Second, 50*time.Millisecond, "the VIP serves", func() error {
		_, err := get(ctx, url)
		return err
	})
	if ps := processesUnder(amphoraDir(dataDir, old)); len(ps) != 0 {
		t.Fatalf("the old amphora still runs: %+v", ps)
	}
}

// TestFailoverCertRotation gives amphora agents certificates valid for 30 s
// and rotates them 15 s before expiry: the amphora is replaced by one with a
// fresh certificate while a load generator sends requests, and none fails.
func TestFailoverCertRotation(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	d := startDaemonWith(t, newDataDir(t), randomSubnet(),
		append(failoverArgs, "--agent-cert-validity", "30s", "--cert-rotate-before", "15s")...)
	c := lbClient(d)
	b := newBackend(t, "b1")
	lbID, _, url := servingLB(ctx, t, c, d.subnetID(t), "rotate", freePort(t), b)
	old := amphoraOf(ctx, t, c, lbID)
	load := startLoad(ctx, url)
	amp := waitReplaced(ctx, t, c, lbID, old)
	time.Sleep(300 * time.Millisecond)
	load.stop()
	t.Logf("FIGURE failover: certificate rotation replaced amphora %s by %s under load: %d requests ok, %d failed",
		old, amp, load.ok.Load(), load.failed.Load())
	if load.ok.Load() == 0 {
		t.Fatal("the load generator sent nothing")
	}
	if allowed := allowedFailures(1); load.failed.Load() > allowed {
		t.Fatalf("%d of %d requests failed during the rotation (at most %d may); first: %v",
			load.failed.Load(), load.ok.Load()+load.failed.Load(), allowed, load.firstErr.Load())
	}
	if n := metric(ctx, t, d, `lbaasd_controller_failovers_total{outcome="completed",reason="cert_expiry"}`); n < 1 {
		t.Fatalf("%v certificate rotations completed, want at least 1", n)
	}
}
