package health_test

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lbaas/terraform-provider-lbaas/internal/health"
	"github.com/lbaas/terraform-provider-lbaas/internal/health/heartbeat"
	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// rig is a health manager serving on 127.0.0.1 over a real SQLite store
// that holds graph("…") with one ALLOCATED amphora "amp".
type rig struct {
	t    *testing.T
	st   *store.SQLite
	mgr  *health.Manager
	reg  *prometheus.Registry
	conn net.Conn // to the manager's socket
	key  []byte
	sent int

	mu  sync.Mutex
	now time.Time
}

func newRig(t *testing.T) *rig {
	t.Helper()
	st, err := store.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	g := graph(lb.OperatingOffline)
	g.Amphorae = []*lb.Amphora{{ID: "amp", Status: lb.AmphoraAllocated, Role: lb.RoleStandalone}}
	if err := st.CreateLoadBalancer(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, st: st, reg: prometheus.NewRegistry(), now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	r.start()
	r.key, err = r.mgr.Key(t.Context(), "amp")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.key) != 64 {
		t.Fatalf("key %q: want 64 hex characters", r.key)
	}
	return r
}

// start runs a new manager (a restarted lbaasd) on a new socket.
func (r *rig) start() {
	t := r.t
	metrics := health.NewMetrics()
	r.reg = prometheus.NewRegistry()
	if err := metrics.Register(r.reg); err != nil {
		t.Fatal(err)
	}
	mgr, err := health.New(health.Config{Store: r.st, Metrics: metrics, Now: r.clock})
	if err != nil {
		t.Fatal(err)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Serve(ctx, pc) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	conn, err := net.Dial("udp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	r.mgr, r.conn, r.sent = mgr, conn, 0
}

func (r *rig) clock() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.now
}

func (r *rig) advance(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.now = r.now.Add(d)
}

// send sends one datagram and waits until the manager has accepted or
// dropped it.
func (r *rig) send(d []byte) {
	r.t.Helper()
	if _, err := r.conn.Write(d); err != nil {
		r.t.Fatal(err)
	}
	r.sent++
	deadline := time.Now().Add(10 * time.Second)
	for attempt := 0; ; attempt++ {
		done := r.metric("lbaasd_health_heartbeats_accepted_total", "")
		for _, reason := range []string{"malformed", "unknown_amphora", "bad_hmac", "unsupported_version", "replay", "overload", "error"} {
			done += r.metric("lbaasd_health_heartbeats_dropped_total", reason)
		}
		if int(done) == r.sent {
			return
		}
		if time.Now().After(deadline) || attempt > 10000 {
			r.t.Fatalf("datagram %d not processed within 10s (%v processed)", r.sent, done)
		}
		time.Sleep(time.Millisecond)
	}
}

func (r *rig) seal(m *heartbeat.Message, key []byte) []byte {
	r.t.Helper()
	d, err := heartbeat.Seal(m, key)
	if err != nil {
		r.t.Fatal(err)
	}
	return d
}

// metric reads a counter (with the given reason label, if any).
func (r *rig) metric(name, reason string) float64 {
	r.t.Helper()
	mfs, err := r.reg.Gather()
	if err != nil {
		r.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			match := reason == ""
			for _, l := range m.GetLabel() {
				if l.GetName() == "reason" && l.GetValue() == reason {
					match = true
				}
			}
			if match {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func (r *rig) load() *lb.LoadBalancer {
	r.t.Helper()
	g, err := r.st.LoadBalancer(r.t.Context(), "lb")
	if err != nil {
		r.t.Fatal(err)
	}
	return g
}

func (r *rig) totals() map[string]health.Totals {
	r.t.Helper()
	g := r.load()
	rows, err := r.st.ListenerStatistics(r.t.Context(), g.ID)
	if err != nil {
		r.t.Fatal(err)
	}
	return health.ListenerTotals(g, rows)
}

func (r *rig) wantDropped(reason string, n float64) {
	r.t.Helper()
	if got := r.metric("lbaasd_health_heartbeats_dropped_total", reason); got != n {
		r.t.Fatalf("dropped{reason=%q} = %v, want %v", reason, got, n)
	}
}

func withStats(m *heartbeat.Message, tx, rx, conns, tot, ereq int64) *heartbeat.Message {
	l := m.Listeners["l1"]
	l.Stats = heartbeat.Stats{Tx: tx, Rx: rx, Conns: conns, TotConns: tot, Ereq: ereq}
	m.Listeners["l1"] = l
	return m
}

func TestManagerAppliesHeartbeats(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	m := withStats(healthy(), 100, 50, 2, 3, 1)
	m.Seq = 10
	m.Pools["p1:l1"].Members["m1b"] = "DOWN"
	r.send(r.seal(m, r.key))
	g := r.load()
	want := map[string]string{"lb": deg, "l1": on, "l2": on, "p1": deg, "p2": on, "m1a": on, "m1b": errS, "m2a": on, "m2b": on}
	if got := statuses(g); !mapsEqual(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
	if got := r.totals()["l1"]; got != (health.Totals{BytesIn: 50, BytesOut: 100, ActiveConnections: 2, TotalConnections: 3, RequestErrors: 1}) {
		t.Fatalf("totals %+v", got)
	}
	h, err := r.st.AmphoraHealth(t.Context(), "amp")
	if err != nil || h.LastSeq != 10 || !h.LastUpdate.Equal(r.clock()) {
		t.Fatalf("health record %+v, %v", h, err)
	}

	// The same statuses again: nothing is written (UpdatedAt stays), the
	// counters add up, active connections are replaced.
	r.advance(time.Minute)
	m = withStats(healthy(), 10, 5, 7, 4, 0)
	m.Seq = 11
	m.Pools["p1:l1"].Members["m1b"] = "DOWN"
	r.send(r.seal(m, r.key))
	if g2 := r.load(); !g2.UpdatedAt.Equal(g.UpdatedAt) || !g2.Pools[0].UpdatedAt.Equal(g.Pools[0].UpdatedAt) {
		t.Fatalf("an unchanged status was written: %s -> %s", g.UpdatedAt, g2.UpdatedAt)
	}
	if got := r.totals()["l1"]; got != (health.Totals{BytesIn: 55, BytesOut: 110, ActiveConnections: 7, TotalConnections: 7, RequestErrors: 1}) {
		t.Fatalf("totals after the second heartbeat %+v", got)
	}
	// The member comes back.
	m = healthy()
	m.Seq = 12
	r.send(r.seal(m, r.key))
	if got := statuses(r.load()); !mapsEqual(got, statuses(graph(on))) {
		t.Fatalf("statuses after recovery %v", got)
	}
	if got := r.metric("lbaasd_health_heartbeats_accepted_total", ""); got != 3 {
		t.Fatalf("accepted %v, want 3", got)
	}
}

func TestManagerDropsForgedReplayedAndMalformed(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	good := withStats(healthy(), 1, 1, 1, 1, 1)
	good.Seq = 1000
	sealed := r.seal(good, r.key)
	r.send(sealed)
	before := statuses(r.load())
	beforeTotals := r.totals()

	bad := healthy()
	bad.Seq = 1 << 50
	bad.Pools["p1:l1"] = heartbeat.Pool{Status: "DOWN", Members: map[string]string{"m1a": "DOWN", "m1b": "DOWN"}}
	bad = withStats(bad, 1e9, 1e9, 1e9, 1e9, 1e9)

	// Forged: signed with another key, or with none.
	r.send(r.seal(bad, []byte(strings.Repeat("0", 64))))
	unsigned := r.seal(bad, r.key)
	r.send(unsigned[:len(unsigned)-64])
	r.wantDropped("bad_hmac", 1)
	// Replayed: the same datagram, an older sequence number, each dropped
	// and counted.
	r.send(sealed)
	older := withStats(healthy(), 5, 5, 5, 5, 5)
	older.Seq = 999
	r.send(r.seal(older, r.key))
	r.wantDropped("replay", 2)
	// Garbage and truncation.
	r.send([]byte("hello"))
	r.send(sealed[:len(sealed)/2])
	r.send(append([]byte{0x78, 0xda}, make([]byte, 100)...))
	if got := r.metric("lbaasd_health_heartbeats_dropped_total", "malformed") + r.metric("lbaasd_health_heartbeats_dropped_total", "bad_hmac"); got != 5 {
		t.Fatalf("malformed+bad_hmac = %v, want 5 (3 garbage, 1 unsigned, 1 forged)", got)
	}
	// An amphora lbaasd never gave a key.
	stranger := healthy()
	stranger.ID = "stranger"
	r.send(r.seal(stranger, r.key))
	r.wantDropped("unknown_amphora", 1)
	// Another message version.
	v2 := healthy()
	v2.Seq, v2.Ver = 2000, 2
	r.send(r.seal(v2, r.key))
	r.wantDropped("unsupported_version", 1)

	if got := statuses(r.load()); !mapsEqual(got, before) {
		t.Fatalf("statuses changed by dropped datagrams: %v, want %v", got, before)
	}
	if got := r.totals(); !mapsEqualTotals(got, beforeTotals) {
		t.Fatalf("counters changed by dropped datagrams: %v, want %v", got, beforeTotals)
	}
	if got := r.metric("lbaasd_health_heartbeats_received_total", ""); got != float64(r.sent) {
		t.Fatalf("received %v, want %d", got, r.sent)
	}

	// A restarted lbaasd (nothing cached) still refuses the replay: the
	// store keeps the sequence.
	r.start()
	r.send(sealed)
	r.wantDropped("replay", 1)
	next := healthy()
	next.Seq = 1001
	r.send(r.seal(next, r.key))
	if got := r.metric("lbaasd_health_heartbeats_accepted_total", ""); got != 1 {
		t.Fatalf("accepted after restart %v, want 1", got)
	}
}

func TestManagerIgnoresStatusesWhilePendingOrFromAnotherAmphora(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	mustUpdate := func(fn func(g *lb.LoadBalancer)) {
		t.Helper()
		if err := r.st.UpdateLoadBalancer(t.Context(), "lb", func(g *lb.LoadBalancer) error { fn(g); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	mustUpdate(func(g *lb.LoadBalancer) { g.ProvisioningStatus = lb.StatusPendingUpdate })
	m := withStats(healthy(), 1, 2, 3, 4, 5)
	m.Seq = 1
	r.send(r.seal(m, r.key))
	if got := statuses(r.load()); !mapsEqual(got, statuses(graph(off))) {
		t.Fatalf("statuses changed while PENDING_UPDATE: %v", got)
	}
	if got := r.totals()["l1"].TotalConnections; got != 4 {
		t.Fatalf("counters not recorded while PENDING_UPDATE: %d", got)
	}
	// An amphora being replaced reports, but does not set statuses, and its
	// active connections no longer count.
	mustUpdate(func(g *lb.LoadBalancer) {
		g.ProvisioningStatus = lb.StatusActive
		g.Amphorae[0].Status = lb.StatusPendingDelete
	})
	m.Seq = 2
	r.send(r.seal(m, r.key))
	if got := statuses(r.load()); !mapsEqual(got, statuses(graph(off))) {
		t.Fatalf("statuses set by an amphora being retired: %v", got)
	}
	if got := r.totals()["l1"]; got.TotalConnections != 8 || got.ActiveConnections != 0 {
		t.Fatalf("totals with a retired amphora %+v", got)
	}
	// Once the amphora's row is gone, so is its key.
	mustUpdate(func(g *lb.LoadBalancer) { g.Amphorae = nil })
	m.Seq = 3
	r.send(r.seal(m, r.key))
	r.wantDropped("unknown_amphora", 1)
	if _, err := r.mgr.Key(t.Context(), "amp"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Key of a deleted amphora: %v, want ErrNotFound", err)
	}
}

func TestManagerLateHeartbeatCountsButChangesNoStatus(t *testing.T) {
	t.Parallel()
	st, err := store.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	g := graph(lb.OperatingOffline)
	g.Amphorae = []*lb.Amphora{{ID: "amp", Status: lb.AmphoraAllocated}}
	if err := st.CreateLoadBalancer(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	// A clock that jumps by a minute on every reading: every heartbeat is
	// processed "late".
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Minute)
		return now
	}
	reg := prometheus.NewRegistry()
	metrics := health.NewMetrics()
	if err := metrics.Register(reg); err != nil {
		t.Fatal(err)
	}
	mgr, err := health.New(health.Config{Store: st, Metrics: metrics, Now: clock, MaxDelay: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	key, err := mgr.Key(t.Context(), "amp")
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, st: st, mgr: mgr, reg: reg}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Serve(ctx, pc) }()
	defer func() {
		cancel()
		<-done
	}()
	r.conn, err = net.Dial("udp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer r.conn.Close()
	m := withStats(healthy(), 1, 1, 1, 1, 1)
	r.send(r.seal(m, key))
	if got := r.metric("lbaasd_health_heartbeats_late_total", ""); got != 1 {
		t.Fatalf("late %v, want 1", got)
	}
	if got := statuses(r.load()); !mapsEqual(got, statuses(graph(off))) {
		t.Fatalf("a late heartbeat changed statuses: %v", got)
	}
	h, err := st.AmphoraHealth(t.Context(), "amp")
	if err != nil || !h.LastUpdate.IsZero() || h.LastSeq != 1 {
		t.Fatalf("a late heartbeat refreshed the amphora's health: %+v, %v", h, err)
	}
	if got := r.totals()["l1"].TotalConnections; got != 1 {
		t.Fatalf("a late heartbeat's counters were lost: %d", got)
	}
}

func TestManagerKeyIsStable(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	again, err := r.mgr.Key(t.Context(), "amp")
	if err != nil || string(again) != string(r.key) {
		t.Fatalf("Key again = %q, %v; want %q", again, err, r.key)
	}
	if _, err := r.mgr.Key(t.Context(), "no-such-amphora"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Key of a missing amphora: %v", err)
	}
}

func TestListenerTotals(t *testing.T) {
	t.Parallel()
	g := graph(on)
	g.Amphorae = []*lb.Amphora{{ID: "a1", Status: lb.AmphoraAllocated}, {ID: "a2", Status: lb.StatusPendingDelete}}
	rows := []store.ListenerStatistics{
		{ListenerID: "l1", AmphoraID: "a1", BytesIn: 1, BytesOut: 2, ActiveConnections: 3, TotalConnections: 4, RequestErrors: 5},
		{ListenerID: "l1", AmphoraID: "a2", BytesIn: 10, BytesOut: 20, ActiveConnections: 30, TotalConnections: 40, RequestErrors: 50},
		{ListenerID: "l1", AmphoraID: "gone", BytesIn: 100, BytesOut: 200, ActiveConnections: 300, TotalConnections: 400, RequestErrors: 500},
		{ListenerID: "l2", AmphoraID: "a1", TotalConnections: 7, ActiveConnections: 1},
		{ListenerID: "deleted", AmphoraID: "a1", TotalConnections: 1000},
	}
	got := health.ListenerTotals(g, rows)
	want := map[string]health.Totals{
		"l1": {BytesIn: 111, BytesOut: 222, ActiveConnections: 3, TotalConnections: 444, RequestErrors: 555},
		"l2": {TotalConnections: 7, ActiveConnections: 1},
	}
	if !mapsEqualTotals(got, want) {
		t.Fatalf("ListenerTotals = %v, want %v", got, want)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func mapsEqualTotals(a, b map[string]health.Totals) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestManagerBurst sends heartbeats back to back, without waiting for each:
// every one is verified against its own bytes and accepted in order.
func TestManagerBurst(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	const n = 100
	for i := range n {
		m := withStats(healthy(), 1, 1, 0, 1, 0)
		m.Seq = int64(i + 1)
		if _, err := r.conn.Write(r.seal(m, r.key)); err != nil {
			t.Fatal(err)
		}
	}
	r.sent = n
	r.send(r.seal(withStats(healthy(), 1, 1, 0, 1, 0), r.key)) // seq 0: a replay, processed after the rest
	if got := r.metric("lbaasd_health_heartbeats_accepted_total", ""); got != n {
		t.Fatalf("accepted %v of %d heartbeats sent back to back (bad_hmac %v, replay %v, overload %v)", got, n,
			r.metric("lbaasd_health_heartbeats_dropped_total", "bad_hmac"), r.metric("lbaasd_health_heartbeats_dropped_total", "replay"),
			r.metric("lbaasd_health_heartbeats_dropped_total", "overload"))
	}
	if got := r.totals()["l1"].TotalConnections; got != n {
		t.Fatalf("total connections %d, want %d", got, n)
	}
}
