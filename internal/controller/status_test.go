package controller

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lbaas/terraform-provider-lbaas/internal/compute"
	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// TestMarkActiveOperatingStatuses checks the operating statuses a successful
// reconcile sets: first ones for new objects (members NO_MONITOR without a
// monitor, OFFLINE until checked with one), and none over what heartbeats
// reported for objects that already had one.
func TestMarkActiveOperatingStatuses(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	stop := r.run(t)
	defer stop()
	now := time.Now().UTC()
	member := func() *lb.Member {
		return &lb.Member{ID: uuid.NewString(), Address: "127.0.0.1", ProtocolPort: 80, Weight: 1, AdminStateUp: true,
			ProvisioningStatus: lb.StatusPendingCreate, OperatingStatus: lb.OperatingNoMonitor, CreatedAt: now}
	}
	pool := func(hm bool) *lb.Pool {
		p := &lb.Pool{ID: uuid.NewString(), Protocol: lb.ProtocolHTTP, LBAlgorithm: lb.AlgorithmRoundRobin, AdminStateUp: true,
			ProvisioningStatus: lb.StatusPendingCreate, OperatingStatus: lb.OperatingOffline, CreatedAt: now,
			Members: []*lb.Member{member(), member()}}
		if hm {
			p.HealthMonitor = &lb.HealthMonitor{ID: uuid.NewString(), Type: lb.MonitorHTTP, Delay: 1, Timeout: 1, MaxRetries: 2, MaxRetriesDown: 2,
				AdminStateUp: true, ProvisioningStatus: lb.StatusPendingCreate, OperatingStatus: lb.OperatingOffline, CreatedAt: now}
		}
		return p
	}
	g := r.create(t, "statuses", 2)
	err := r.st.UpdateLoadBalancer(context.Background(), g.ID, func(cur *lb.LoadBalancer) error {
		cur.Pools = []*lb.Pool{pool(true), pool(false)}
		cur.Listeners[0].DefaultPoolID = cur.Pools[0].ID
		cur.Listeners[1].DefaultPoolID = cur.Pools[1].ID
		cur.Listeners[1].AdminStateUp = false
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r.c.Enqueue(g.ID)
	got := r.waitStatus(t, g.ID, lb.StatusActive)
	monitored, plain := got.Pools[0], got.Pools[1]
	if got.OperatingStatus != lb.OperatingOnline || got.Listeners[0].OperatingStatus != lb.OperatingOnline ||
		got.Listeners[1].OperatingStatus != lb.OperatingOffline || monitored.OperatingStatus != lb.OperatingOnline ||
		monitored.HealthMonitor.OperatingStatus != lb.OperatingOnline {
		t.Fatalf("first statuses: lb %s, listeners %s/%s, pool %s, monitor %s", got.OperatingStatus,
			got.Listeners[0].OperatingStatus, got.Listeners[1].OperatingStatus, monitored.OperatingStatus, monitored.HealthMonitor.OperatingStatus)
	}
	for _, m := range monitored.Members {
		if m.OperatingStatus != lb.OperatingOffline {
			t.Fatalf("a monitored member is %s before its first check, want OFFLINE", m.OperatingStatus)
		}
	}
	for _, m := range plain.Members {
		if m.OperatingStatus != lb.OperatingNoMonitor {
			t.Fatalf("a member without a monitor is %s, want NO_MONITOR", m.OperatingStatus)
		}
	}

	// Heartbeats report a member down; then the user changes the pool and
	// adds a member: the change keeps what heartbeats said.
	err = r.st.UpdateLoadBalancer(context.Background(), g.ID, func(cur *lb.LoadBalancer) error {
		p := cur.Pools[0]
		p.Members[0].OperatingStatus, p.Members[1].OperatingStatus = lb.OperatingOnline, lb.OperatingError
		p.OperatingStatus, cur.OperatingStatus = lb.OperatingDegraded, lb.OperatingDegraded
		cur.ProvisioningStatus, p.ProvisioningStatus = lb.StatusPendingUpdate, lb.StatusPendingUpdate
		p.Members[1].ProvisioningStatus = lb.StatusPendingUpdate
		p.Members = append(p.Members, member())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r.c.Enqueue(g.ID)
	got = r.waitStatus(t, g.ID, lb.StatusActive)
	p := got.Pools[0]
	if got.OperatingStatus != lb.OperatingDegraded || p.OperatingStatus != lb.OperatingDegraded ||
		p.Members[0].OperatingStatus != lb.OperatingOnline || p.Members[1].OperatingStatus != lb.OperatingError ||
		p.Members[2].OperatingStatus != lb.OperatingOffline {
		t.Fatalf("after an update: lb %s, pool %s, members %s %s %s", got.OperatingStatus, p.OperatingStatus,
			p.Members[0].OperatingStatus, p.Members[1].OperatingStatus, p.Members[2].OperatingStatus)
	}
}

// TestHeartbeatSettingsReachTheAmphora checks that a new amphora is booted
// with its heartbeat key and the controllers' addresses.
func TestHeartbeatSettingsReachTheAmphora(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	spec := make(chan compute.Spec, 1)
	r.c.cfg.Compute = &recordingCompute{fakeCompute: r.comp, specs: spec}
	var (
		mu    sync.Mutex
		asked []string
	)
	r.c.cfg.Heartbeats = Heartbeats{
		Key: func(_ context.Context, id string) ([]byte, error) {
			mu.Lock()
			defer mu.Unlock()
			asked = append(asked, id)
			return []byte("key-of-" + id), nil
		},
		Targets:  []string{"127.0.0.1:5555"},
		Interval: time.Second,
	}
	stop := r.run(t)
	defer stop()
	g := r.create(t, "hb", 1)
	r.c.Enqueue(g.ID)
	got := r.waitStatus(t, g.ID, lb.StatusActive)
	s := <-spec
	amp := got.Amphorae[0].ID
	mu.Lock()
	defer mu.Unlock()
	if string(s.Heartbeat.Key) != "key-of-"+amp || len(s.Heartbeat.Targets) != 1 || s.Heartbeat.Targets[0] != "127.0.0.1:5555" ||
		s.Heartbeat.Interval != time.Second || len(asked) != 1 || asked[0] != amp {
		t.Fatalf("spec heartbeat %+v, keys asked for %v, amphora %s", s.Heartbeat, asked, amp)
	}
}

type recordingCompute struct {
	*fakeCompute
	specs chan compute.Spec
}

func (c *recordingCompute) Create(ctx context.Context, s compute.Spec) (compute.Instance, error) {
	select {
	case c.specs <- s:
	default:
	}
	return c.fakeCompute.Create(ctx, s)
}
