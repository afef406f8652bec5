package controller

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

func TestFailoverDecide(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := t0.Add(time.Hour)
	pol := Failover{Timeout: time.Minute, MaxConcurrent: 2, StormMin: 3, StormFraction: 0.5, CertRotateBefore: 24 * time.Hour}
	amp := func(id string, status string) *lb.Amphora {
		return &lb.Amphora{ID: id, Status: status, CreatedAt: t0, UpdatedAt: t0}
	}
	lbWith := func(id, status string, amps ...*lb.Amphora) *lb.LoadBalancer {
		return &lb.LoadBalancer{ID: id, ProvisioningStatus: status, Amphorae: amps}
	}
	fresh := store.AmphoraHealth{LastUpdate: now.Add(-10 * time.Second)}
	stale := store.AmphoraHealth{LastUpdate: now.Add(-2 * time.Minute)}
	soon := now.Add(time.Hour)
	expiring := amp("cert", lb.AmphoraAllocated)
	expiring.CertExpiration = &soon
	// n load balancers, each with one ALLOCATED amphora "a<i>".
	many := func(n int) []*lb.LoadBalancer {
		var out []*lb.LoadBalancer
		for i := range n {
			id := string(rune('a' + i))
			out = append(out, lbWith("lb-"+id, lb.StatusActive, amp(id, lb.AmphoraAllocated)))
		}
		return out
	}
	healths := func(h store.AmphoraHealth, ids ...string) map[string]store.AmphoraHealth {
		m := map[string]store.AmphoraHealth{}
		for _, id := range ids {
			m[id] = h
		}
		return m
	}

	mix := func(a, b map[string]store.AmphoraHealth) map[string]store.AmphoraHealth {
		for k, v := range b {
			a[k] = v
		}
		return a
	}

	tests := []struct {
		name        string
		in          scanInput
		start       []string // amphora IDs, in order
		waiting     int
		paused      bool
		stale       int
		reasonFirst string
	}{
		{
			name:  "a fresh amphora stays",
			in:    scanInput{lbs: many(1), health: healths(fresh, "a")},
			start: nil,
		},
		{
			name: "a stale amphora is failed over", in: scanInput{lbs: many(1), health: healths(stale, "a")},
			start: []string{"a"}, stale: 1, reasonFirst: ReasonHeartbeat,
		},
		{
			name:  "an amphora that never sent a heartbeat counts from its allocation",
			in:    scanInput{lbs: many(1)},
			start: []string{"a"}, stale: 1,
		},
		{
			name: "a recent allocation is not stale",
			in: scanInput{lbs: []*lb.LoadBalancer{lbWith("lb", lb.StatusActive,
				&lb.Amphora{ID: "new", Status: lb.AmphoraAllocated, UpdatedAt: now.Add(-time.Second)})}},
		},
		{
			name: "the grace period after a restart holds everything back",
			in:   scanInput{lbs: many(5), health: healths(stale, "a", "b", "c", "d", "e"), graceStart: now.Add(-30 * time.Second)},
		},
		{
			name:  "without heartbeats nothing is stale",
			in:    scanInput{lbs: many(1), health: healths(stale, "a"), heartbeats: false},
			start: nil,
		},
		{
			name:  "only ACTIVE load balancers' amphorae are checked",
			in:    scanInput{lbs: []*lb.LoadBalancer{lbWith("e", lb.StatusError, amp("x", lb.AmphoraAllocated)), lbWith("p", lb.StatusPendingUpdate, amp("y", lb.AmphoraAllocated))}},
			start: nil,
		},
		{
			name:  "rate limit: at most MaxConcurrent at once, oldest first",
			in:    scanInput{lbs: many(2), health: map[string]store.AmphoraHealth{"a": stale, "b": {LastUpdate: now.Add(-3 * time.Minute)}}},
			start: []string{"b", "a"}, stale: 2,
		},
		{
			name: "rate limit: failovers in flight use the slots",
			in: scanInput{lbs: append(many(2), lbWith("busy", lb.StatusPendingUpdate, amp("old", lb.StatusPendingDelete), amp("new", lb.AmphoraBooting))),
				health: healths(stale, "a", "b")},
			start: []string{"a"}, waiting: 1, stale: 2,
		},
		{
			name:  "storm: too many stale at once pauses",
			in:    scanInput{lbs: many(4), health: mix(healths(fresh, "d"), healths(stale, "a", "b", "c"))},
			start: nil, waiting: 3, paused: true, stale: 3,
		},
		{
			name:  "storm: a few stale among many is no storm",
			in:    scanInput{lbs: many(8), health: mix(healths(fresh, "d", "e", "f", "g", "h"), healths(stale, "a", "b", "c"))},
			start: []string{"a", "b"}, waiting: 1, stale: 3,
		},
		{
			name: "storm: an unreachable amphora is still failed over",
			in: scanInput{lbs: many(4), health: healths(stale, "a", "b", "c", "d"),
				unreachable: map[string]bool{"c": true}},
			start: []string{"c"}, waiting: 3, paused: true, stale: 4, reasonFirst: ReasonUnreachable,
		},
		{
			name: "an unreachable amphora of a pending load balancer is failed over",
			in: scanInput{lbs: []*lb.LoadBalancer{lbWith("p", lb.StatusPendingUpdate, amp("y", lb.AmphoraAllocated))},
				unreachable: map[string]bool{"y": true}},
			start: []string{"y"}, reasonFirst: ReasonUnreachable,
		},
		{
			name: "an expiring certificate is rotated by a failover",
			in: scanInput{lbs: []*lb.LoadBalancer{lbWith("c", lb.StatusActive, expiring)},
				health: healths(fresh, "cert")},
			start: []string{"cert"}, reasonFirst: ReasonCertExpiry,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := tc.in
			in.now = now
			if in.graceStart.IsZero() {
				in.graceStart = t0
			}
			if tc.name != "without heartbeats nothing is stale" {
				in.heartbeats = true
			}
			got := pol.decide(in)
			var ids []string
			for _, c := range got.start {
				ids = append(ids, c.amphoraID)
			}
			if !slices.Equal(ids, tc.start) || len(got.waiting) != tc.waiting || got.paused != tc.paused || got.stale != tc.stale {
				t.Fatalf("decide: start %v waiting %d paused %v stale %d; want start %v waiting %d paused %v stale %d",
					ids, len(got.waiting), got.paused, got.stale, tc.start, tc.waiting, tc.paused, tc.stale)
			}
			if tc.reasonFirst != "" && got.start[0].reason != tc.reasonFirst {
				t.Fatalf("reason %s, want %s", got.start[0].reason, tc.reasonFirst)
			}
		})
	}
}

// heartbeatKey gives amphorae heartbeat keys from the store, as the health
// manager does.
func heartbeatKey(st store.Store) HeartbeatKeyer {
	return func(ctx context.Context, id string) ([]byte, error) {
		h, err := st.EnsureAmphoraHealth(ctx, id, []byte("key"))
		return h.HeartbeatKey, err
	}
}

// beat sends healthy heartbeats for every ALLOCATED amphora but skip's,
// until ctx ends.
func beat(ctx context.Context, t *testing.T, st store.Store, lbID, skip string) (wait func()) {
	t.Helper()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		seq := int64(time.Now().UnixNano())
		for ctx.Err() == nil {
			if g, err := st.LoadBalancer(ctx, lbID); err == nil {
				for _, a := range g.Amphorae {
					if a.ID != skip && a.Status == lb.AmphoraAllocated {
						seq++
						_ = st.RecordHeartbeat(ctx, store.Heartbeat{AmphoraID: a.ID, Seq: seq, ReceivedAt: time.Now(), Healthy: true})
					}
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return wg.Wait
}

// waitReplaced waits until the load balancer is ACTIVE with one ALLOCATED
// amphora that is not old.
func (r *rig) waitReplaced(t *testing.T, id, old string) *lb.Amphora {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		g, err := r.st.LoadBalancer(context.Background(), id)
		if err == nil && g.ProvisioningStatus == lb.StatusActive && len(g.Amphorae) == 1 &&
			g.Amphorae[0].ID != old && g.Amphorae[0].Status == lb.AmphoraAllocated {
			return g.Amphorae[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("load balancer %s: amphora %s not replaced: %+v (%v)", id, old, g, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestFailoverReplacesSilentAmphora(t *testing.T) {
	t.Parallel()
	r := newRigWith(t, nil, func(c *Config) {
		c.Heartbeats.Key = heartbeatKey(c.Store)
		c.Failover = Failover{Timeout: 300 * time.Millisecond, Interval: 20 * time.Millisecond}
	})
	g := r.create(t, "silent", 1)
	stop := r.run(t)
	defer stop()
	r.c.Enqueue(g.ID)
	old := r.waitStatus(t, g.ID, lb.StatusActive).Amphorae[0].ID

	ctx, cancel := context.WithCancel(context.Background())
	wait := beat(ctx, t, r.st, g.ID, old)
	defer func() { cancel(); wait() }()
	r.waitReplaced(t, g.ID, old)
	r.comp.mu.Lock()
	deleted := slices.Contains(r.comp.deleted, old)
	r.comp.mu.Unlock()
	if !deleted {
		t.Fatalf("the silent amphora %s was not deleted", old)
	}
	if n := value(t, r.c.cfg.Metrics.failovers.WithLabelValues(ReasonHeartbeat, OutcomeStarted)); n != 1 {
		t.Fatalf("%v heartbeat failovers started, want 1", n)
	}
	if n := value(t, r.c.cfg.Metrics.failovers.WithLabelValues(ReasonHeartbeat, OutcomeCompleted)); n != 1 {
		t.Fatalf("%v heartbeat failovers completed, want 1", n)
	}
}

func TestFailoverReplacesVanishedAmphora(t *testing.T) {
	t.Parallel()
	r := newRigWith(t, nil, func(c *Config) {
		// A long timeout: only the reconcile's finding can trigger this one.
		c.Failover = Failover{Timeout: time.Hour, Interval: 20 * time.Millisecond}
	})
	g := r.create(t, "vanished", 1)
	stop := r.run(t)
	defer stop()
	r.c.Enqueue(g.ID)
	old := r.waitStatus(t, g.ID, lb.StatusActive).Amphorae[0].ID
	r.comp.mu.Lock()
	delete(r.comp.running, old) // the amphora died
	r.comp.mu.Unlock()
	r.c.Enqueue(g.ID) // as the resync would
	r.waitReplaced(t, g.ID, old)
	if n := value(t, r.c.cfg.Metrics.failovers.WithLabelValues(ReasonUnreachable, OutcomeCompleted)); n != 1 {
		t.Fatalf("%v unreachable failovers completed, want 1", n)
	}
}

// TestStartFailoverOnce runs the failover transaction of one amphora from
// many goroutines (as several scans or lbaasd replicas would): exactly one
// marks it.
func TestStartFailoverOnce(t *testing.T) {
	t.Parallel()
	r := newRigWith(t, nil, func(c *Config) { c.Failover = Failover{Timeout: time.Millisecond} })
	g := r.create(t, "once", 1)
	err := r.st.UpdateLoadBalancer(t.Context(), g.ID, func(cur *lb.LoadBalancer) error {
		cur.ProvisioningStatus = lb.StatusActive
		cur.Amphorae = append(cur.Amphorae, &lb.Amphora{ID: "amp-1", LoadBalancerID: cur.ID, Status: lb.AmphoraAllocated,
			CreatedAt: time.Now().Add(-time.Hour), UpdatedAt: time.Now().Add(-time.Hour)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cand := candidate{loadBalancerID: g.ID, amphoraID: "amp-1", reason: ReasonHeartbeat}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.c.startFailover(t.Context(), cand, time.Time{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	m := r.c.cfg.Metrics.failovers
	if s, rc := value(t, m.WithLabelValues(ReasonHeartbeat, OutcomeStarted)), value(t, m.WithLabelValues(ReasonHeartbeat, OutcomeRaced)); s != 1 || rc != 7 {
		t.Fatalf("started %v raced %v, want 1 and 7", s, rc)
	}
	got, err := r.st.LoadBalancer(t.Context(), g.ID)
	if err != nil || got.ProvisioningStatus != lb.StatusPendingUpdate || got.Amphorae[0].Status != lb.StatusPendingDelete {
		t.Fatalf("after the failover: %+v %v", got, err)
	}
	// A heartbeat that came after the scan read the records cancels it.
	g2 := r.create(t, "beating", 1)
	err = r.st.UpdateLoadBalancer(t.Context(), g2.ID, func(cur *lb.LoadBalancer) error {
		cur.ProvisioningStatus = lb.StatusActive
		cur.Amphorae = append(cur.Amphorae, &lb.Amphora{ID: "amp-2", LoadBalancerID: cur.ID, Status: lb.AmphoraAllocated,
			CreatedAt: time.Now().Add(-time.Hour), UpdatedAt: time.Now().Add(-time.Hour)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.EnsureAmphoraHealth(t.Context(), "amp-2", []byte("k")); err != nil {
		t.Fatal(err)
	}
	r.c.cfg.Failover.Timeout = time.Hour
	if err := r.st.RecordHeartbeat(t.Context(), store.Heartbeat{AmphoraID: "amp-2", Seq: 1, ReceivedAt: time.Now(), Healthy: true}); err != nil {
		t.Fatal(err)
	}
	if err := r.c.startFailover(t.Context(), candidate{loadBalancerID: g2.ID, amphoraID: "amp-2", reason: ReasonHeartbeat}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := r.st.LoadBalancer(t.Context(), g2.ID); got.ProvisioningStatus != lb.StatusActive {
		t.Fatalf("a failover went ahead despite a fresh heartbeat: %s", got.ProvisioningStatus)
	}
}

func TestPurgeDeleted(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	r := newRigWith(t, nil, func(c *Config) {
		c.Housekeeping.PurgeDeletedAfter = 24 * time.Hour
		c.Now = func() time.Time { return now }
	})
	mark := func(name, status string, updated time.Time) string {
		g := r.create(t, name, 0)
		err := r.st.UpdateLoadBalancer(t.Context(), g.ID, func(cur *lb.LoadBalancer) error {
			cur.ProvisioningStatus, cur.UpdatedAt = status, updated
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return g.ID
	}
	old := mark("old", lb.StatusDeleted, now.Add(-48*time.Hour))
	recent := mark("recent", lb.StatusDeleted, now.Add(-time.Hour))
	live := mark("live", lb.StatusActive, now.Add(-48*time.Hour))
	if err := r.c.purgeDeleted(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.LoadBalancer(t.Context(), old); err == nil {
		t.Fatal("a load balancer deleted 48h ago was not purged")
	}
	for _, id := range []string{recent, live} {
		if _, err := r.st.LoadBalancer(t.Context(), id); err != nil {
			t.Fatalf("load balancer %s purged: %v", id, err)
		}
	}
	if n := value(t, r.c.cfg.Metrics.purged); n != 1 {
		t.Fatalf("purged counter %v, want 1", n)
	}
}

// value reads a counter or a gauge.
func value(t *testing.T, c prometheus.Metric) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	if m.Gauge != nil {
		return m.GetGauge().GetValue()
	}
	return m.GetCounter().GetValue()
}

// TestFailoverStormPauses lets every amphora go silent at once: the scan
// pauses instead of replacing them, and says so in its gauge.
func TestFailoverStormPauses(t *testing.T) {
	t.Parallel()
	r := newRigWith(t, nil, func(c *Config) {
		c.Heartbeats.Key = heartbeatKey(c.Store)
		c.Failover = Failover{Timeout: 200 * time.Millisecond, Interval: 20 * time.Millisecond, StormMin: 2}
	})
	// Three serving load balancers whose amphorae were allocated long ago
	// and never sent a heartbeat: all go stale together when the grace
	// period of the scan ends.
	amps := map[string]string{}
	long := time.Now().Add(-time.Hour).UTC()
	for _, name := range []string{"s1", "s2", "s3"} {
		g := r.create(t, name, 1)
		amp := "amp-" + name
		err := r.st.UpdateLoadBalancer(t.Context(), g.ID, func(cur *lb.LoadBalancer) error {
			cur.ProvisioningStatus = lb.StatusActive
			cur.Listeners[0].ProvisioningStatus = lb.StatusActive
			cur.Amphorae = append(cur.Amphorae, &lb.Amphora{ID: amp, LoadBalancerID: cur.ID, Status: lb.AmphoraAllocated,
				ComputeID: "c-" + amp, LBNetworkIP: "127.0.0.1", CreatedAt: long, UpdatedAt: long})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		r.comp.running[amp] = true
		amps[g.ID] = amp
	}
	stop := r.run(t)
	defer stop()
	deadline := time.Now().Add(10 * time.Second)
	for value(t, r.c.cfg.Metrics.stale) < 3 || value(t, r.c.cfg.Metrics.paused) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("no storm seen: stale %v paused %v", value(t, r.c.cfg.Metrics.stale), value(t, r.c.cfg.Metrics.paused))
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // a few more scans
	for id, amp := range amps {
		g, err := r.st.LoadBalancer(t.Context(), id)
		if err != nil || g.ProvisioningStatus != lb.StatusActive || len(g.Amphorae) != 1 || g.Amphorae[0].ID != amp {
			t.Fatalf("load balancer %s failed over during a storm: %+v %v", id, g, err)
		}
	}
	if n := value(t, r.c.cfg.Metrics.failovers.WithLabelValues(ReasonHeartbeat, OutcomeStarted)); n != 0 {
		t.Fatalf("%v failovers started during a storm", n)
	}
}

// TestFailoverGraceAfterPause moves the clock an hour forward between two
// scans, as when lbaasd was suspended: the amphorae, whose heartbeats went
// unread meanwhile, get a new grace period before any is failed over.
func TestFailoverGraceAfterPause(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return clock
	}
	set := func(d time.Duration) {
		mu.Lock()
		clock = clock.Add(d)
		mu.Unlock()
		time.Sleep(100 * time.Millisecond) // a few scans
	}
	r := newRigWith(t, nil, func(c *Config) {
		c.Heartbeats.Key = heartbeatKey(c.Store)
		c.Failover = Failover{Timeout: time.Second, Interval: 10 * time.Millisecond}
		c.Now = now
	})
	g := r.create(t, "paused", 1)
	stop := r.run(t)
	defer stop()
	r.c.Enqueue(g.ID)
	r.waitStatus(t, g.ID, lb.StatusActive)
	started := func() float64 {
		return value(t, r.c.cfg.Metrics.failovers.WithLabelValues(ReasonHeartbeat, OutcomeStarted))
	}
	set(time.Hour)
	if n := started(); n != 0 {
		t.Fatalf("%v failovers right after a pause", n)
	}
	set(500 * time.Millisecond)
	if n := started(); n != 0 {
		t.Fatalf("%v failovers within the grace period", n)
	}
	set(700 * time.Millisecond)
	deadline := time.Now().Add(10 * time.Second)
	for started() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("no failover after the grace period: %v started", started())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
