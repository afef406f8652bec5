package health_test

import (
	"maps"
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/health"
	"github.com/lbaas/terraform-provider-lbaas/internal/health/heartbeat"
	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// graph is a load balancer with two listeners (l1 → p1, l2 → p2) and pools
// of two members each; every operating status is start.
func graph(start string) *lb.LoadBalancer {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	g := &lb.LoadBalancer{ID: "lb", AdminStateUp: true, ProvisioningStatus: lb.StatusActive, OperatingStatus: start, UpdatedAt: t0}
	for _, n := range []string{"1", "2"} {
		g.Listeners = append(g.Listeners, &lb.Listener{ID: "l" + n, Protocol: lb.ProtocolHTTP, DefaultPoolID: "p" + n,
			AdminStateUp: true, ProvisioningStatus: lb.StatusActive, OperatingStatus: start, UpdatedAt: t0})
		p := &lb.Pool{ID: "p" + n, AdminStateUp: true, ProvisioningStatus: lb.StatusActive, OperatingStatus: start, UpdatedAt: t0}
		for _, m := range []string{"a", "b"} {
			p.Members = append(p.Members, &lb.Member{ID: "m" + n + m, AdminStateUp: true, ProvisioningStatus: lb.StatusActive,
				OperatingStatus: start, UpdatedAt: t0})
		}
		g.Pools = append(g.Pools, p)
	}
	return g
}

// healthy is a heartbeat in which everything of graph is up.
func healthy() *heartbeat.Message {
	return &heartbeat.Message{
		ID: "amp", Seq: 1, Ver: 3,
		Listeners: map[string]heartbeat.Listener{"l1": {Status: "OPEN"}, "l2": {Status: "OPEN"}},
		Pools: map[string]heartbeat.Pool{
			"p1:l1": {Status: "UP", Members: map[string]string{"m1a": "UP", "m1b": "UP"}},
			"p2:l2": {Status: "UP", Members: map[string]string{"m2a": "UP", "m2b": "UP"}},
		},
	}
}

// statuses lists every operating status of g by object ID.
func statuses(g *lb.LoadBalancer) map[string]string {
	out := map[string]string{g.ID: g.OperatingStatus}
	for _, li := range g.Listeners {
		out[li.ID] = li.OperatingStatus
	}
	for _, p := range g.Pools {
		out[p.ID] = p.OperatingStatus
		for _, m := range p.Members {
			out[m.ID] = m.OperatingStatus
		}
	}
	return out
}

const (
	on    = lb.OperatingOnline
	off   = lb.OperatingOffline
	deg   = lb.OperatingDegraded
	errS  = lb.OperatingError
	drain = lb.OperatingDraining
	nomon = lb.OperatingNoMonitor
)

// TestApply has a case for every rule of Octavia's status computation
// (UpdateHealthDb._update_health); want lists the statuses that differ
// from those of the all-ONLINE heartbeat.
func TestApply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		start string                     // every status before the heartbeat
		graph func(g *lb.LoadBalancer)   // changes to the graph
		msg   func(m *heartbeat.Message) // changes to the healthy heartbeat
		want  map[string]string          // statuses other than ONLINE
		same  bool                       // nothing changes
	}{
		{name: "all up: everything ONLINE", start: off},
		{name: "all up again: no change", start: on, same: true},
		{name: "disabled load balancer starts OFFLINE", start: off,
			graph: func(g *lb.LoadBalancer) { g.AdminStateUp = false },
			msg:   func(m *heartbeat.Message) { m.Listeners, m.Pools = nil, nil },
			want:  map[string]string{"lb": off, "l1": off, "l2": off, "p1": off, "p2": off, "m1a": off, "m1b": off, "m2a": off, "m2b": off}},

		// Listeners.
		{name: "listener FULL: listener and load balancer DEGRADED", start: on,
			msg:  func(m *heartbeat.Message) { m.Listeners["l1"] = heartbeat.Listener{Status: "FULL"} },
			want: map[string]string{"lb": deg, "l1": deg}},
		{name: "listener with another status is unchanged", start: off,
			msg:  func(m *heartbeat.Message) { m.Listeners["l1"] = heartbeat.Listener{Status: "STOP"} },
			want: map[string]string{"l1": off}},
		{name: "listener missing, enabled, load balancer ACTIVE: ERROR", start: on,
			msg:  func(m *heartbeat.Message) { delete(m.Listeners, "l2") },
			want: map[string]string{"l2": errS}},
		{name: "listener missing and disabled: OFFLINE", start: on,
			graph: func(g *lb.LoadBalancer) { g.Listeners[1].AdminStateUp = false },
			msg:   func(m *heartbeat.Message) { delete(m.Listeners, "l2") },
			want:  map[string]string{"l2": off}},
		{name: "listener missing, load balancer not ACTIVE: OFFLINE", start: on,
			graph: func(g *lb.LoadBalancer) { g.ProvisioningStatus = lb.StatusError },
			msg:   func(m *heartbeat.Message) { delete(m.Listeners, "l2") },
			want:  map[string]string{"l2": off}},

		// Pools.
		{name: "pool DOWN: pool and load balancer ERROR", start: on,
			msg: func(m *heartbeat.Message) {
				m.Pools["p2:l2"] = heartbeat.Pool{Status: "DOWN", Members: map[string]string{"m2a": "DOWN", "m2b": "DOWN"}}
			},
			want: map[string]string{"lb": errS, "p2": errS, "m2a": errS, "m2b": errS}},
		{name: "pool DOWN wins over a FULL listener", start: on,
			msg: func(m *heartbeat.Message) {
				m.Listeners["l1"] = heartbeat.Listener{Status: "FULL"}
				m.Pools["p2:l2"] = heartbeat.Pool{Status: "DOWN", Members: map[string]string{"m2a": "UP", "m2b": "UP"}}
			},
			want: map[string]string{"lb": errS, "l1": deg, "p2": errS}},
		{name: "pool with another status is unchanged, its members are not", start: off,
			msg: func(m *heartbeat.Message) {
				m.Pools["p2:l2"] = heartbeat.Pool{Status: "MAINT", Members: map[string]string{"m2a": "UP", "m2b": "UP"}}
			},
			want: map[string]string{"p2": off}},
		{name: "pool missing: OFFLINE, members unchanged", start: on,
			msg:  func(m *heartbeat.Message) { delete(m.Pools, "p2:l2") },
			want: map[string]string{"p2": off}},
		{name: "pool key is split at its last colon; a bare pool id works", start: off,
			msg: func(m *heartbeat.Message) {
				m.Pools = map[string]heartbeat.Pool{
					"p1:l1:x": {Status: "UP", Members: map[string]string{"m1a": "UP", "m1b": "UP"}},
					"p2":      {Status: "UP", Members: map[string]string{"m2a": "UP", "m2b": "UP"}},
				}
			},
			want: map[string]string{"p1": off, "m1a": off, "m1b": off}},

		// Members.
		{name: "member UP with a transition count: ONLINE", start: off,
			msg:  func(m *heartbeat.Message) { m.Pools["p1:l1"].Members["m1a"] = "UP 1/3" },
			want: map[string]string{}},
		{name: "member DOWN: ERROR, pool and load balancer DEGRADED", start: on,
			msg:  func(m *heartbeat.Message) { m.Pools["p1:l1"].Members["m1b"] = "DOWN" },
			want: map[string]string{"lb": deg, "p1": deg, "m1b": errS}},
		{name: "member DOWN with a transition count: ERROR", start: on,
			msg:  func(m *heartbeat.Message) { m.Pools["p1:l1"].Members["m1b"] = "DOWN 1/2" },
			want: map[string]string{"lb": deg, "p1": deg, "m1b": errS}},
		{name: "member DOWN does not lift an ERROR load balancer to DEGRADED", start: on,
			msg: func(m *heartbeat.Message) {
				m.Pools["p1:l1"] = heartbeat.Pool{Status: "DOWN", Members: map[string]string{"m1a": "DOWN", "m1b": "DOWN"}}
				m.Pools["p2:l2"].Members["m2a"] = "DOWN"
			},
			want: map[string]string{"lb": errS, "p1": errS, "m1a": errS, "m1b": errS, "p2": deg, "m2a": errS}},
		{name: "member DRAIN: DRAINING", start: on,
			msg:  func(m *heartbeat.Message) { m.Pools["p1:l1"].Members["m1a"] = "DRAIN" },
			want: map[string]string{"m1a": drain}},
		{name: "member MAINT: OFFLINE", start: on,
			msg: func(m *heartbeat.Message) {
				m.Pools["p1:l1"].Members["m1a"] = "MAINT"
				m.Pools["p1:l1"].Members["m1b"] = "MAINT (resolution)"
			},
			want: map[string]string{"m1a": off, "m1b": off}},
		{name: "member no check: NO_MONITOR", start: on,
			msg:  func(m *heartbeat.Message) { m.Pools["p1:l1"].Members["m1a"] = "no check" },
			want: map[string]string{"m1a": nomon}},
		{name: "member RESTARTING: unchanged", start: deg,
			msg:  func(m *heartbeat.Message) { m.Pools["p1:l1"].Members["m1a"] = "RESTARTING" },
			want: map[string]string{"m1a": deg}},
		{name: "member with another status: unchanged", start: deg,
			msg:  func(m *heartbeat.Message) { m.Pools["p1:l1"].Members["m1a"] = "NOLB" },
			want: map[string]string{"m1a": deg}},
		{name: "member missing: OFFLINE", start: on,
			msg:  func(m *heartbeat.Message) { delete(m.Pools["p1:l1"].Members, "m1a") },
			want: map[string]string{"m1a": off}},
		{name: "member missing and NO_MONITOR: stays NO_MONITOR", start: nomon,
			msg:  func(m *heartbeat.Message) { delete(m.Pools["p1:l1"].Members, "m1a") },
			want: map[string]string{"m1a": nomon}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := graph(tc.start)
			if tc.graph != nil {
				tc.graph(g)
			}
			m := healthy()
			if tc.msg != nil {
				tc.msg(m)
			}
			before := statuses(g)
			now := time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC)
			changes := health.Apply(g, m, now)

			want := statuses(graph(on))
			maps.Copy(want, tc.want)
			if tc.same {
				want = before
			}
			if got := statuses(g); !maps.Equal(got, want) {
				t.Errorf("statuses\n got %v\nwant %v", got, want)
			}
			// Changes list exactly what differs, and only those objects
			// were touched.
			changed := map[string]bool{}
			for _, c := range changes {
				if before[c.ID] != c.From || statuses(g)[c.ID] != c.To || c.From == c.To {
					t.Errorf("change %+v does not match %s -> %s", c, before[c.ID], statuses(g)[c.ID])
				}
				changed[c.ID] = true
			}
			for id, s := range statuses(g) {
				if (s != before[id]) != changed[id] {
					t.Errorf("%s: %s -> %s, reported changed %v", id, before[id], s, changed[id])
				}
			}
			if g.UpdatedAt.Equal(now) != changed["lb"] || g.Pools[0].Members[0].UpdatedAt.Equal(now) != changed["m1a"] {
				t.Errorf("UpdatedAt moved for unchanged objects or not for changed ones")
			}
		})
	}
}

func TestHealthy(t *testing.T) {
	t.Parallel()
	g := graph(on)
	m := healthy()
	if !health.Healthy(g, m) || health.ExpectedListeners(g) != 2 {
		t.Fatal("a heartbeat with every listener is not healthy")
	}
	delete(m.Listeners, "l2")
	if health.Healthy(g, m) {
		t.Fatal("a heartbeat missing a listener is healthy")
	}
	g.Listeners[1].AdminStateUp = false
	if !health.Healthy(g, m) {
		t.Fatal("a disabled listener is expected")
	}
	g.Listeners[1].AdminStateUp = true
	g.Listeners[1].Protocol = lb.ProtocolUDP
	if !health.Healthy(g, m) {
		t.Fatal("a UDP listener is expected from HAProxy")
	}
	g.Listeners[1].Protocol = lb.ProtocolHTTP
	g.ProvisioningStatus = lb.StatusPendingUpdate
	if !health.Healthy(g, m) {
		t.Fatal("listeners counted while PENDING_UPDATE")
	}
	g.ProvisioningStatus, g.AdminStateUp = lb.StatusActive, false
	if !health.Healthy(g, m) {
		t.Fatal("listeners counted while the load balancer is disabled")
	}
}
