package e2e

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/listeners"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/pools"

	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// servingLB creates a load balancer with an HTTP listener and a pool with
// the given backends, and waits for it to serve.
func servingLB(ctx context.Context, t *testing.T, c *gophercloud.ServiceClient, subnet, name string, port int, backends ...*backend) (lbID, poolID, url string) {
	t.Helper()
	var members []pools.CreateMemberOpts
	for _, b := range backends {
		members = append(members, pools.CreateMemberOpts{Address: "127.0.0.1", ProtocolPort: b.port()})
	}
	created, err := loadbalancers.Create(ctx, c, loadbalancers.CreateOpts{
		Name: name, VipSubnetID: subnet,
		Listeners: []listeners.CreateOpts{{
			Protocol: listeners.ProtocolHTTP, ProtocolPort: port,
			DefaultPool: &pools.CreateOpts{Name: name + "-pool", Protocol: pools.ProtocolHTTP, LBMethod: pools.LBMethodRoundRobin, Members: members},
		}},
	}).Extract()
	if err != nil {
		t.Fatalf("creating %s: %v", name, err)
	}
	lb := waitActive(ctx, t, c, created.ID)
	return lb.ID, created.Pools[0].ID, "http://" + lb.VipAddress + ":" + strconv.Itoa(port) + "/"
}

// TestKill9Resume kills lbaasd with SIGKILL while one load balancer is
// PENDING_CREATE and another PENDING_UPDATE, at a different moment in each
// round, restarts it, and checks that both end ACTIVE and serve, with exactly
// one agent and one HAProxy per amphora and one VIP per load balancer.
func TestKill9Resume(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	dataDir := newDataDir(t)
	subnet := randomSubnet()
	d := startDaemon(t, dataDir, subnet)
	c := lbClient(d)
	subnetID := d.subnetID(t)
	b1, b2 := newBackend(t, "b1"), newBackend(t, "b2")
	port := freePort(t)
	updatedID, poolID, _ := servingLB(ctx, t, c, subnetID, "updated", port, b1)

	rnd := rand.New(rand.NewPCG(uint64(seed()), 1)) //nolint:gosec // test variety, not security
	var created []string
	const rounds = 4
	for round := range rounds {
		// PENDING_UPDATE: add b2 to the serving load balancer (or take it away).
		if round%2 == 0 {
			if _, err := pools.CreateMember(ctx, c, poolID, pools.CreateMemberOpts{Address: "127.0.0.1", ProtocolPort: b2.port()}).Extract(); err != nil {
				t.Fatalf("round %d: member create: %v", round, err)
			}
		} else {
			err := pools.BatchUpdateMembers(ctx, c, poolID, []pools.BatchUpdateMemberOpts{{Address: "127.0.0.1", ProtocolPort: b1.port()}}).ExtractErr()
			if err != nil {
				t.Fatalf("round %d: batch update: %v", round, err)
			}
		}
		// PENDING_CREATE: a new load balancer with a listener and a member.
		lb, err := loadbalancers.Create(ctx, c, loadbalancers.CreateOpts{
			Name: "created-" + strconv.Itoa(round), VipSubnetID: subnetID,
			Listeners: []listeners.CreateOpts{{
				Protocol: listeners.ProtocolHTTP, ProtocolPort: port,
				DefaultPool: &pools.CreateOpts{Name: "pool", Protocol: pools.ProtocolHTTP, LBMethod: pools.LBMethodRoundRobin,
					Members: []pools.CreateMemberOpts{{Address: "127.0.0.1", ProtocolPort: b1.port()}}},
			}},
		}).Extract()
		if err != nil {
			t.Fatalf("round %d: create: %v", round, err)
		}
		created = append(created, lb.ID)
		// Kill at a different point of the work each round: right away,
		// or a little into the amphora boot and config push.
		time.Sleep(time.Duration(rnd.IntN(120)) * time.Millisecond * time.Duration(round))
		d.kill9()

		// What the store says at the moment of the crash.
		st, err := store.OpenSQLite(ctx, dataDir+"/lbaasd.db")
		if err != nil {
			t.Fatal(err)
		}
		gu, err1 := st.LoadBalancer(ctx, updatedID)
		gc, err2 := st.LoadBalancer(ctx, lb.ID)
		st.Close()
		if err1 != nil || err2 != nil {
			t.Fatalf("reading the store after the crash: %v %v", err1, err2)
		}
		t.Logf("round %d: killed with updated=%s created=%s", round, gu.ProvisioningStatus, gc.ProvisioningStatus)
		// Round 0 kills at once: both must still have been pending, or the
		// test did not test what it says.
		if round == 0 && (gu.ProvisioningStatus != "PENDING_UPDATE" || gc.ProvisioningStatus != "PENDING_CREATE") {
			t.Fatalf("round 0: killed with updated=%s created=%s, want PENDING_UPDATE and PENDING_CREATE", gu.ProvisioningStatus, gc.ProvisioningStatus)
		}

		d = startDaemon(t, dataDir, subnet)
		c = lbClient(d)
		waitActive(ctx, t, c, updatedID)
		for _, id := range created {
			waitActive(ctx, t, c, id)
		}
		checkOnePerAmphora(ctx, t, d, append([]string{updatedID}, created...))
	}
	// Everything serves.
	for _, id := range append([]string{updatedID}, created...) {
		lb := waitActive(ctx, t, c, id)
		url := "http://" + lb.VipAddress + ":" + strconv.Itoa(port) + "/"
		eventually(t, 20*time.Second, 20*time.Millisecond, "load balancer "+id+" serves", func() error {
			_, err := get(ctx, url)
			return err
		})
	}
}

// checkOnePerAmphora asserts that every load balancer has one amphora with
// exactly one agent and one HAProxy master, that no other agent or HAProxy
// runs, and that every load balancer holds exactly one VIP port.
func checkOnePerAmphora(ctx context.Context, t *testing.T, d *daemon, lbIDs []string) {
	t.Helper()
	eventually(t, 20*time.Second, 50*time.Millisecond, "one agent and one HAProxy per amphora", func() error {
		dp := countDataPlane(d.DataDir)
		if len(dp.agents) != len(lbIDs) || len(dp.haproxys) != len(lbIDs) {
			return errorf("%d load balancers but agents %v and HAProxy masters %v", len(lbIDs), dp.agents, dp.haproxys)
		}
		for amp, n := range dp.agents {
			if n != 1 || dp.haproxys[amp] != 1 {
				return errorf("amphora %s: %d agents, %d HAProxy masters", amp, n, dp.haproxys[amp])
			}
		}
		return nil
	})
	c := lbClient(d)
	var out struct {
		Ports []struct {
			DeviceID string `json:"device_id"`
		} `json:"ports"`
	}
	resp, err := c.Get(ctx, d.URL+"/v2.0/ports", &out, nil)
	if err != nil {
		t.Fatalf("listing ports: %v", err)
	}
	resp.Body.Close()
	seen := map[string]int{}
	for _, p := range out.Ports {
		seen[p.DeviceID]++
	}
	if len(out.Ports) != len(lbIDs) {
		t.Fatalf("%d VIP ports for %d load balancers: %v", len(out.Ports), len(lbIDs), seen)
	}
	for _, id := range lbIDs {
		if seen["lb-"+id] != 1 {
			t.Fatalf("load balancer %s holds %d VIP ports", id, seen["lb-"+id])
		}
	}
}

// TestHitlessMemberChanges applies 20 member changes to a serving load
// balancer while a bounded load generator sends requests to its VIP: not one
// request may fail.
func TestHitlessMemberChanges(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	d := startDaemon(t, newDataDir(t), randomSubnet())
	c := lbClient(d)
	b1, b2, b3 := newBackend(t, "b1"), newBackend(t, "b2"), newBackend(t, "b3")
	lbID, poolID, url := servingLB(ctx, t, c, d.subnetID(t), "hitless", freePort(t), b1, b2)

	load := startLoad(ctx, url)

	const changes = 20
	var memberID string
	for i := range changes {
		switch i % 2 {
		case 0:
			m, err := pools.CreateMember(ctx, c, poolID, pools.CreateMemberOpts{Address: "127.0.0.1", ProtocolPort: b3.port(), Weight: ptr(1 + i)}).Extract()
			if err != nil {
				t.Fatalf("change %d: %v", i, err)
			}
			memberID = m.ID
		case 1:
			if err := pools.DeleteMember(ctx, c, poolID, memberID).ExtractErr(); err != nil {
				t.Fatalf("change %d: %v", i, err)
			}
		}
		waitActive(ctx, t, c, lbID)
	}
	load.stop()
	t.Logf("FIGURE hitless: %d member changes under load: %d requests ok, %d failed", changes, load.ok.Load(), load.failed.Load())
	if load.failed.Load() != 0 {
		t.Fatalf("%d of %d requests failed during %d member changes; first: %v", load.failed.Load(), load.ok.Load()+load.failed.Load(), changes, load.firstErr.Load())
	}
	if load.ok.Load() == 0 {
		t.Fatal("the load generator sent nothing")
	}
	if b3.hits.Load() == 0 {
		t.Fatal("the added member never served")
	}
}

func ptr[T any](v T) *T { return &v }
