package storetest

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

func testAmphoraHealthKey(t *testing.T, s store.Store) {
	ctx := t.Context()
	g := Graph("hk")
	mustCreate(t, s, g)
	amp := g.Amphorae[0].ID

	_, err := s.EnsureAmphoraHealth(ctx, "no-such-amphora", []byte("k"))
	requireNotFound(t, "EnsureAmphoraHealth of a missing amphora", err)
	_, err = s.EnsureAmphoraHealth(ctx, g.Listeners[0].ID, []byte("k"))
	requireNotFound(t, "EnsureAmphoraHealth of a listener", err)
	_, err = s.AmphoraHealth(ctx, amp)
	requireNotFound(t, "AmphoraHealth before EnsureAmphoraHealth", err)

	h, err := s.EnsureAmphoraHealth(ctx, amp, []byte("first-key"))
	if err != nil {
		t.Fatalf("EnsureAmphoraHealth: %v", err)
	}
	want := store.AmphoraHealth{AmphoraID: amp, LoadBalancerID: g.ID, HeartbeatKey: []byte("first-key")}
	if !healthEqual(h, want) {
		t.Fatalf("EnsureAmphoraHealth = %+v, want %+v", h, want)
	}
	// A second call keeps the first key: a controller that retries a boot
	// hands the amphora the key it already has.
	h, err = s.EnsureAmphoraHealth(ctx, amp, []byte("second-key"))
	if err != nil || !healthEqual(h, want) {
		t.Fatalf("EnsureAmphoraHealth again = %+v, %v; want %+v", h, err, want)
	}
	h, err = s.AmphoraHealth(ctx, amp)
	if err != nil || !healthEqual(h, want) {
		t.Fatalf("AmphoraHealth = %+v, %v; want %+v", h, err, want)
	}
	if _, err := s.EnsureAmphoraHealth(ctx, amp, nil); err == nil {
		t.Fatal("EnsureAmphoraHealth accepted an empty key")
	}
}

func healthEqual(a, b store.AmphoraHealth) bool {
	return a.AmphoraID == b.AmphoraID && a.LoadBalancerID == b.LoadBalancerID && bytes.Equal(a.HeartbeatKey, b.HeartbeatKey) &&
		a.LastSeq == b.LastSeq && a.LastUpdate.Equal(b.LastUpdate)
}

func testRecordHeartbeat(t *testing.T, s store.Store) {
	ctx := t.Context()
	g, other := Graph("hb"), Graph("hbo")
	mustCreate(t, s, g)
	mustCreate(t, s, other)
	amp, amp2 := g.Amphorae[0].ID, g.Amphorae[1].ID
	l1, l2 := g.Listeners[0].ID, g.Listeners[1].ID
	for _, a := range []string{amp, amp2} {
		if _, err := s.EnsureAmphoraHealth(ctx, a, []byte("key")); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	stat := func(listener string, in, out, active, total, errs int64) store.ListenerStatistics {
		return store.ListenerStatistics{ListenerID: listener, BytesIn: in, BytesOut: out, ActiveConnections: active, TotalConnections: total, RequestErrors: errs}
	}
	record := func(hb store.Heartbeat) error {
		t.Helper()
		return s.RecordHeartbeat(ctx, hb)
	}

	requireNotFound(t, "RecordHeartbeat of an amphora without a record",
		record(store.Heartbeat{AmphoraID: "nobody", Seq: 1, ReceivedAt: t0}))

	// The first heartbeat: the listener of another load balancer and an
	// unknown one are ignored.
	if err := record(store.Heartbeat{AmphoraID: amp, Seq: 100, ReceivedAt: t0, Healthy: true, Listeners: []store.ListenerStatistics{
		stat(l1, 10, 20, 3, 4, 1), stat(other.Listeners[0].ID, 1, 1, 1, 1, 1), stat("unknown", 1, 1, 1, 1, 1),
	}}); err != nil {
		t.Fatalf("RecordHeartbeat: %v", err)
	}
	// Replays and overtaken datagrams write nothing.
	for _, seq := range []int64{100, 99, 0, -1} {
		err := record(store.Heartbeat{AmphoraID: amp, Seq: seq, ReceivedAt: t0.Add(time.Second), Healthy: true,
			Listeners: []store.ListenerStatistics{stat(l1, 1000, 1000, 1000, 1000, 1000)}})
		if !errors.Is(err, store.ErrStaleSequence) {
			t.Fatalf("RecordHeartbeat with seq %d after 100: %v, want ErrStaleSequence", seq, err)
		}
	}
	// An unhealthy heartbeat moves the sequence and adds its counters but
	// keeps the last update.
	if err := record(store.Heartbeat{AmphoraID: amp, Seq: 101, ReceivedAt: t0.Add(2 * time.Second), Listeners: []store.ListenerStatistics{
		stat(l1, 5, 6, 1, 2, 0), stat(l2, 7, 8, 9, 10, 11),
	}}); err != nil {
		t.Fatalf("RecordHeartbeat: %v", err)
	}
	h, err := s.AmphoraHealth(ctx, amp)
	if err != nil || h.LastSeq != 101 || !h.LastUpdate.Equal(t0) {
		t.Fatalf("AmphoraHealth after an unhealthy heartbeat = %+v, %v; want seq 101, last update %s", h, err, t0)
	}
	if err := record(store.Heartbeat{AmphoraID: amp2, Seq: 1, ReceivedAt: t0.Add(3 * time.Second), Healthy: true, Listeners: []store.ListenerStatistics{
		stat(l1, 1, 2, 3, 4, 5),
	}}); err != nil {
		t.Fatalf("RecordHeartbeat of the second amphora: %v", err)
	}
	h, err = s.AmphoraHealth(ctx, amp2)
	if err != nil || h.LastSeq != 1 || !h.LastUpdate.Equal(t0.Add(3*time.Second)) {
		t.Fatalf("AmphoraHealth of the second amphora = %+v, %v", h, err)
	}

	got, err := s.ListenerStatistics(ctx, g.ID)
	if err != nil {
		t.Fatalf("ListenerStatistics: %v", err)
	}
	want := []store.ListenerStatistics{
		{ListenerID: l1, AmphoraID: amp, BytesIn: 15, BytesOut: 26, ActiveConnections: 1, TotalConnections: 6, RequestErrors: 1, UpdatedAt: t0.Add(2 * time.Second)},
		{ListenerID: l1, AmphoraID: amp2, BytesIn: 1, BytesOut: 2, ActiveConnections: 3, TotalConnections: 4, RequestErrors: 5, UpdatedAt: t0.Add(3 * time.Second)},
		{ListenerID: l2, AmphoraID: amp, BytesIn: 7, BytesOut: 8, ActiveConnections: 9, TotalConnections: 10, RequestErrors: 11, UpdatedAt: t0.Add(2 * time.Second)},
	}
	slices.SortFunc(want, func(a, b store.ListenerStatistics) int {
		if a.ListenerID != b.ListenerID {
			return strings.Compare(a.ListenerID, b.ListenerID)
		}
		return strings.Compare(a.AmphoraID, b.AmphoraID)
	})
	if !statsEqual(got, want) {
		t.Fatalf("ListenerStatistics =\n%+v\nwant\n%+v", got, want)
	}
	if got, err := s.ListenerStatistics(ctx, other.ID); err != nil || len(got) != 0 {
		t.Fatalf("ListenerStatistics of the other load balancer = %+v, %v; want none", got, err)
	}
}

func statsEqual(a, b []store.ListenerStatistics) bool {
	return slices.EqualFunc(a, b, func(x, y store.ListenerStatistics) bool {
		return x.ListenerID == y.ListenerID && x.AmphoraID == y.AmphoraID && x.BytesIn == y.BytesIn && x.BytesOut == y.BytesOut &&
			x.ActiveConnections == y.ActiveConnections && x.TotalConnections == y.TotalConnections &&
			x.RequestErrors == y.RequestErrors && x.UpdatedAt.Equal(y.UpdatedAt)
	})
}

// testHealthLifecycle checks that health records go with their amphora and
// statistics with their listener, but that statistics outlive the amphora
// that reported them.
func testHealthLifecycle(t *testing.T, s store.Store) {
	ctx := t.Context()
	g := Graph("hl")
	mustCreate(t, s, g)
	amp, l1, l2 := g.Amphorae[0].ID, g.Listeners[0].ID, g.Listeners[1].ID
	if _, err := s.EnsureAmphoraHealth(ctx, amp, []byte("key")); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordHeartbeat(ctx, store.Heartbeat{AmphoraID: amp, Seq: 1, ReceivedAt: time.Now(), Healthy: true,
		Listeners: []store.ListenerStatistics{{ListenerID: l1, TotalConnections: 1}, {ListenerID: l2, TotalConnections: 2}}}); err != nil {
		t.Fatal(err)
	}
	// An unrelated update leaves both alone.
	mustUpdate(t, s, g.ID, func(g *lb.LoadBalancer) { g.Amphorae[0].Status = lb.AmphoraAllocated })
	if _, err := s.AmphoraHealth(ctx, amp); err != nil {
		t.Fatalf("AmphoraHealth after an update of the amphora: %v", err)
	}
	all, err := s.AmphoraHealths(ctx)
	if err != nil || len(all) != 1 || all[0].AmphoraID != amp || all[0].LoadBalancerID != g.ID || all[0].LastSeq != 1 || all[0].LastUpdate.IsZero() {
		t.Fatalf("AmphoraHealths = %+v, %v; want the record of %s with its heartbeat", all, err, amp)
	}
	mustUpdate(t, s, g.ID, func(g *lb.LoadBalancer) { g.Amphorae = g.Amphorae[1:] })
	_, err = s.AmphoraHealth(ctx, amp)
	requireNotFound(t, "AmphoraHealth of a deleted amphora", err)
	if all, err := s.AmphoraHealths(ctx); err != nil || len(all) != 0 {
		t.Fatalf("AmphoraHealths after the amphora went = %+v, %v; want none", all, err)
	}
	requireNotFound(t, "RecordHeartbeat of a deleted amphora",
		s.RecordHeartbeat(ctx, store.Heartbeat{AmphoraID: amp, Seq: 2, ReceivedAt: time.Now()}))
	if got, err := s.ListenerStatistics(ctx, g.ID); err != nil || len(got) != 2 {
		t.Fatalf("ListenerStatistics after the amphora went = %+v, %v; want 2 rows", got, err)
	}
	mustUpdate(t, s, g.ID, func(g *lb.LoadBalancer) {
		g.Listeners = g.Listeners[1:]
		for _, p := range g.Pools {
			if p.ListenerID == l1 {
				p.ListenerID = ""
			}
		}
	})
	if got, err := s.ListenerStatistics(ctx, g.ID); err != nil || len(got) != 1 || got[0].ListenerID != l2 {
		t.Fatalf("ListenerStatistics after listener 1 went = %+v, %v; want listener 2's only", got, err)
	}
	if err := s.PurgeLoadBalancer(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ListenerStatistics(ctx, g.ID); err != nil || len(got) != 0 {
		t.Fatalf("ListenerStatistics after the purge = %+v, %v; want none", got, err)
	}
}
