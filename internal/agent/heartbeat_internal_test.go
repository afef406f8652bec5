package agent

import (
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/health/heartbeat"
)

func frontend(listener string, stot, bin, bout, ereq, scur int64) StatRow {
	return StatRow{PxName: listener, SvName: "FRONTEND", Type: StatTypeFrontend, Status: "OPEN", Stot: stot, Bin: bin, Bout: bout, Ereq: ereq, Scur: scur}
}

// TestHeartbeatCounters walks the counters of one listener through the
// life of HAProxy processes: deltas between readings, a reload (the old
// process's last counts kept, the new one counting from zero), a failed
// reload (the old process counting on), a process restarted behind the
// agent's back (counters below the base), and an agent restart.
func TestHeartbeatCounters(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h := newHeartbeater(dir)
	if err := h.load(); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var lastSeq int64
	send := func(rows ...StatRow) heartbeat.Stats {
		t.Helper()
		m, err := h.message("amp", []lbReading{{lbID: "lb", rows: rows}}, now)
		if err != nil {
			t.Fatal(err)
		}
		if m.Seq <= lastSeq || m.Seq < now.UnixMilli() {
			t.Fatalf("sequence %d after %d at %s", m.Seq, lastSeq, now)
		}
		lastSeq = m.Seq
		return m.Listeners["l"].Stats
	}
	want := func(got heartbeat.Stats, tot, rx, tx, ereq, conns int64) {
		t.Helper()
		if got != (heartbeat.Stats{TotConns: tot, Rx: rx, Tx: tx, Ereq: ereq, Conns: conns}) {
			t.Fatalf("stats %+v, want tot %d rx %d tx %d ereq %d conns %d", got, tot, rx, tx, ereq, conns)
		}
	}

	want(send(frontend("l", 10, 100, 1000, 1, 2)), 10, 100, 1000, 1, 2) // a new listener counts whole
	want(send(frontend("l", 15, 150, 1500, 1, 0)), 5, 50, 500, 0, 0)
	// A reload: the agent reads the old process first, the new one starts at zero.
	if err := h.flush("lb", []StatRow{frontend("l", 20, 200, 2000, 2, 0)}); err != nil {
		t.Fatal(err)
	}
	if err := h.reset("lb"); err != nil {
		t.Fatal(err)
	}
	want(send(frontend("l", 3, 30, 300, 0, 1)), 5+3, 50+30, 500+300, 1, 1)
	// A failed reload: the old process counts on from what was read.
	if err := h.flush("lb", []StatRow{frontend("l", 5, 50, 500, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	want(send(frontend("l", 6, 60, 600, 0, 0)), 2+1, 20+10, 200+100, 0, 0)
	// HAProxy restarted behind the agent's back: below the base counts whole.
	want(send(frontend("l", 4, 40, 400, 0, 0)), 4, 40, 400, 0, 0)

	// An agent restart, with the clock set back: the sequence still rises,
	// the base is kept.
	h2 := newHeartbeater(dir)
	if err := h2.load(); err != nil {
		t.Fatal(err)
	}
	h, now = h2, now.Add(-time.Hour)
	want(send(frontend("l", 9, 90, 900, 0, 0)), 5, 50, 500, 0, 0)

	// A deleted load balancer leaves nothing behind.
	if err := h.forget("lb"); err != nil {
		t.Fatal(err)
	}
	if len(h.st.Base) != 0 || len(h.st.Pending) != 0 {
		t.Fatalf("state after forget: %+v", h.st)
	}
}

func TestHeartbeatStatuses(t *testing.T) {
	t.Parallel()
	h := newHeartbeater(t.TempDir())
	rows := []StatRow{
		frontend("l1", 0, 0, 0, 0, 0),
		{PxName: "l2", SvName: "FRONTEND", Type: StatTypeFrontend, Status: "FULL"},
		{PxName: "p1:l1", SvName: "m1", Type: StatTypeServer, Status: "UP", Weight: 1},
		{PxName: "p1:l1", SvName: "m2", Type: StatTypeServer, Status: "UP", Weight: 0},
		{PxName: "p1:l1", SvName: "m3", Type: StatTypeServer, Status: "DOWN 1/2", Weight: 1},
		{PxName: "p1:l1", SvName: "m4", Type: StatTypeServer, Status: "no check", Weight: 1},
		{PxName: "p1:l1", SvName: "m5", Type: StatTypeServer, Status: "MAINT", Weight: 1},
		{PxName: "p1:l1", SvName: "BACKEND", Type: StatTypeBackend, Status: "UP"},
		{PxName: "p2:l2", SvName: "BACKEND", Type: StatTypeBackend, Status: "DOWN"},
	}
	m, err := h.message("amp", []lbReading{{lbID: "lb", rows: rows}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if m.Listeners["l1"].Status != "OPEN" || m.Listeners["l2"].Status != "FULL" || len(m.Listeners) != 2 {
		t.Fatalf("listeners %+v", m.Listeners)
	}
	p1 := m.Pools["p1:l1"]
	want := map[string]string{"m1": "UP", "m2": "DRAIN", "m3": "DOWN 1/2", "m4": "no check", "m5": "MAINT"}
	if p1.Status != "UP" || len(p1.Members) != len(want) {
		t.Fatalf("pool p1 %+v", p1)
	}
	for k, v := range want {
		if p1.Members[k] != v {
			t.Fatalf("member %s: %q, want %q", k, p1.Members[k], v)
		}
	}
	if p2 := m.Pools["p2:l2"]; p2.Status != "DOWN" || len(p2.Members) != 0 || len(m.Pools) != 2 {
		t.Fatalf("pools %+v", m.Pools)
	}
}
