package e2e

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/listeners"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/monitors"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/pools"
)

// lbClient is gophercloud's load-balancer client pointed at lbaasd without
// Keystone, as openstack.NewLoadBalancerV2 builds it from a catalog.
func lbClient(d *daemon) *gophercloud.ServiceClient {
	pc := &gophercloud.ProviderClient{HTTPClient: http.Client{Timeout: 30 * time.Second}}
	return &gophercloud.ServiceClient{ProviderClient: pc, Endpoint: d.URL + "/", ResourceBase: d.URL + "/v2.0/"}
}

// waitActive polls the load balancer until it is ACTIVE (ERROR fails the test).
func waitActive(ctx context.Context, t *testing.T, c *gophercloud.ServiceClient, id string) *loadbalancers.LoadBalancer {
	t.Helper()
	var lb *loadbalancers.LoadBalancer
	eventually(t, 60*time.Second, 20*time.Millisecond, "load balancer "+id+" ACTIVE", func() error {
		got, err := loadbalancers.Get(ctx, c, id).Extract()
		if err != nil {
			return err
		}
		if got.ProvisioningStatus == "ERROR" {
			t.Fatalf("load balancer %s went to ERROR", id)
		}
		if got.ProvisioningStatus != "ACTIVE" {
			return errorf("provisioning_status %s", got.ProvisioningStatus)
		}
		lb = got
		return nil
	})
	return lb
}

func waitGone(ctx context.Context, t *testing.T, c *gophercloud.ServiceClient, id string) {
	t.Helper()
	eventually(t, 60*time.Second, 20*time.Millisecond, "load balancer "+id+" deleted", func() error {
		_, err := loadbalancers.Get(ctx, c, id).Extract()
		if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return errors.New("still there")
	})
}

// spread sends n requests on new connections and counts answers per backend.
func spread(ctx context.Context, t *testing.T, url string, n int) map[string]int {
	t.Helper()
	out := map[string]int{}
	for range n {
		body, err := get(ctx, url)
		if err != nil {
			t.Fatalf("request to %s: %v", url, err)
		}
		out[body]++
	}
	return out
}

func keys(m map[string]int) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	sort.Strings(k)
	return k
}

// TestGophercloudFlow drives lbaasd with the client the provider uses:
// a fully-populated create (listener, pool, two members and an HTTP monitor
// in one POST), traffic, batch member updates (replace, then additive_only),
// a single member create, and a cascade delete.
func TestGophercloudFlow(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	d := startDaemon(t, newDataDir(t), randomSubnet())
	c := lbClient(d)
	b1, b2, b3 := newBackend(t, "b1"), newBackend(t, "b2"), newBackend(t, "b3")
	port := freePort(t)
	up := true

	start := time.Now()
	created, err := loadbalancers.Create(ctx, c, loadbalancers.CreateOpts{
		Name:        "graph",
		VipSubnetID: d.subnetID(t),
		Listeners: []listeners.CreateOpts{{
			Name:         "web",
			Protocol:     listeners.ProtocolHTTP,
			ProtocolPort: port,
			DefaultPool: &pools.CreateOpts{
				Name:     "web-pool",
				Protocol: pools.ProtocolHTTP,
				LBMethod: pools.LBMethodRoundRobin,
				Members: []pools.CreateMemberOpts{
					{Address: "127.0.0.1", ProtocolPort: b1.port(), Name: "m1"},
					{Address: "127.0.0.1", ProtocolPort: b2.port(), Name: "m2"},
				},
				Monitor: &monitors.CreateOpts{
					Type: monitors.TypeHTTP, Delay: 1, Timeout: 1, MaxRetries: 2, URLPath: "/", ExpectedCodes: "200",
					AdminStateUp: &up,
				},
			},
		}},
	}).Extract()
	if err != nil {
		t.Fatalf("fully-populated create: %v", err)
	}
	if created.ProvisioningStatus != "PENDING_CREATE" || len(created.Listeners) != 1 || len(created.Pools) != 1 {
		t.Fatalf("create answered %+v", created)
	}
	lb := waitActive(ctx, t, c, created.ID)
	t.Logf("FIGURE fully-populated loadbalancer POST -> ACTIVE: %s (load %s)", time.Since(start).Round(time.Millisecond), loadAvg())
	url := "http://" + lb.VipAddress + ":" + strconv.Itoa(port) + "/"
	if got := spread(ctx, t, url, 10); got["b1"] != 5 || got["b2"] != 5 {
		t.Fatalf("traffic after create: %v", got)
	}
	poolID := created.Pools[0].ID

	// Batch: replace {b1,b2} by {b2,b3}.
	err = pools.BatchUpdateMembers(ctx, c, poolID, []pools.BatchUpdateMemberOpts{
		{Address: "127.0.0.1", ProtocolPort: b2.port()},
		{Address: "127.0.0.1", ProtocolPort: b3.port()},
	}).ExtractErr()
	if err != nil {
		t.Fatalf("batch update: %v", err)
	}
	waitActive(ctx, t, c, lb.ID)
	if got := spread(ctx, t, url, 10); !slices.Equal(keys(got), []string{"b2", "b3"}) {
		t.Fatalf("traffic after batch replace: %v", got)
	}
	// Batch additive_only (gophercloud has no option for it: its generic PUT
	// on the same URL): b1 comes back, nothing is removed.
	_, err = c.Put(ctx, c.ServiceURL("lbaas", "pools", poolID, "members")+"?additive_only=true",
		map[string]any{"members": []map[string]any{{"address": "127.0.0.1", "protocol_port": b1.port()}}},
		nil, &gophercloud.RequestOpts{OkCodes: []int{http.StatusAccepted}})
	if err != nil {
		t.Fatalf("batch additive_only: %v", err)
	}
	waitActive(ctx, t, c, lb.ID)
	all, err := pools.ListMembers(c, poolID, nil).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := pools.ExtractMembers(all)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 {
		t.Fatalf("members after additive batch: %d, want 3", len(ms))
	}
	if got := spread(ctx, t, url, 9); !slices.Equal(keys(got), []string{"b1", "b2", "b3"}) {
		t.Fatalf("traffic after additive batch: %v", got)
	}

	// One member by POST, timed to its first served request.
	b4 := newBackend(t, "b4")
	start = time.Now()
	if _, err := pools.CreateMember(ctx, c, poolID, pools.CreateMemberOpts{Address: "127.0.0.1", ProtocolPort: b4.port(), Name: "m4"}).Extract(); err != nil {
		t.Fatalf("member create: %v", err)
	}
	eventually(t, 30*time.Second, 5*time.Millisecond, "b4 serves", func() error {
		if _, err := get(ctx, url); err != nil {
			return err
		}
		if b4.hits.Load() == 0 {
			return errors.New("no request reached b4 yet")
		}
		return nil
	})
	t.Logf("FIGURE member POST -> first request served by it: %s (load %s)", time.Since(start).Round(time.Millisecond), loadAvg())
	waitActive(ctx, t, c, lb.ID)

	// Listener update goes through the same lock and reload.
	newTimeout := 120000
	if _, err := listeners.Update(ctx, c, created.Listeners[0].ID, listeners.UpdateOpts{TimeoutClientData: &newTimeout}).Extract(); err != nil {
		t.Fatalf("listener update: %v", err)
	}
	waitActive(ctx, t, c, lb.ID)

	if err := loadbalancers.Delete(ctx, c, lb.ID, loadbalancers.DeleteOpts{Cascade: true}).ExtractErr(); err != nil {
		t.Fatalf("cascade delete: %v", err)
	}
	waitGone(ctx, t, c, lb.ID)
	eventually(t, 30*time.Second, 50*time.Millisecond, "no agent or HAProxy left", func() error {
		if ps := processesUnder(d.DataDir + "/a/"); len(ps) > 0 {
			return errorf("still running: %v", ps)
		}
		return nil
	})
}

// TestLoadBalancerCreateTimes creates load balancers one after the other and
// logs the POST -> ACTIVE times (figures for the issue notes; nothing is
// asserted about them).
func TestLoadBalancerCreateTimes(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	d := startDaemon(t, newDataDir(t), randomSubnet())
	c := lbClient(d)
	subnet := d.subnetID(t)
	var times []time.Duration
	for i := range 5 {
		start := time.Now()
		lb, err := loadbalancers.Create(ctx, c, loadbalancers.CreateOpts{Name: "t" + strconv.Itoa(i), VipSubnetID: subnet}).Extract()
		if err != nil {
			t.Fatal(err)
		}
		waitActive(ctx, t, c, lb.ID)
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	t.Logf("FIGURE loadbalancer POST -> ACTIVE over %d: min %s median %s max %s (load %s)",
		len(times), times[0].Round(time.Millisecond), times[len(times)/2].Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond), loadAvg())
}
