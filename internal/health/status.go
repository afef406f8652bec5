package health

import (
	"slices"
	"strings"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/health/heartbeat"
	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// Change is one operating status a heartbeat changed.
type Change struct {
	Kind, ID, From, To string
}

// Kinds of Change.
const (
	KindLoadBalancer = "loadbalancer"
	KindListener     = "listener"
	KindPool         = "pool"
	KindMember       = "member"
)

// Apply sets the operating statuses of a load balancer, its listeners,
// pools and members from one heartbeat of its amphora, with the rules of
// Octavia's health manager (UpdateHealthDb._update_health in
// octavia/amphorae/drivers/health/heartbeat_udp.py), and returns what
// changed; changed objects get UpdatedAt = now. It decides nothing about
// whether the heartbeat should be applied (see Manager).
//
//   - Load balancer: ONLINE (OFFLINE when disabled); a FULL listener makes
//     it DEGRADED, a DOWN pool ERROR, a DOWN member DEGRADED (when still
//     ONLINE).
//   - Listener: OPEN is ONLINE, FULL is DEGRADED, another status leaves it
//     as it is. One missing from the heartbeat is ERROR when it is enabled
//     and its load balancer is ACTIVE (and enabled: a disabled load balancer
//     runs no listener), OFFLINE otherwise.
//   - Pool (reported per listener as "<pool_id>:<listener_id>"): UP is
//     ONLINE, DOWN is ERROR, a DOWN member makes an ONLINE pool DEGRADED. One
//     missing from the heartbeat is OFFLINE, its members unchanged.
//   - Member: "UP…" is ONLINE, "DOWN…" ERROR, DRAIN DRAINING, MAINT… OFFLINE,
//     "no check" NO_MONITOR, RESTARTING and anything else unchanged. One
//     missing from its pool's report is OFFLINE, unless it is NO_MONITOR.
func Apply(g *lb.LoadBalancer, m *heartbeat.Message, now time.Time) []Change {
	var changes []Change
	set := func(kind, id string, status *string, updated *time.Time, to string) {
		if to == "" || *status == to {
			return
		}
		changes = append(changes, Change{Kind: kind, ID: id, From: *status, To: to})
		*status = to
		*updated = now
	}

	lbStatus := lb.OperatingOnline
	if !g.AdminStateUp {
		lbStatus = lb.OperatingOffline
	}
	degrade := func() {
		if lbStatus == lb.OperatingOnline {
			lbStatus = lb.OperatingDegraded
		}
	}

	for _, li := range g.Listeners {
		to := ""
		rep, ok := m.Listeners[li.ID]
		switch {
		case !ok && li.AdminStateUp && g.AdminStateUp && g.ProvisioningStatus == lb.StatusActive:
			to = lb.OperatingError
		case !ok:
			to = lb.OperatingOffline
		case rep.Status == heartbeat.ListenerOpen:
			to = lb.OperatingOnline
		case rep.Status == heartbeat.ListenerFull:
			to = lb.OperatingDegraded
			degrade()
		}
		set(KindListener, li.ID, &li.OperatingStatus, &li.UpdatedAt, to)
	}

	pools := poolReports(m)
	for _, p := range g.Pools {
		rep, ok := pools[p.ID]
		if !ok {
			set(KindPool, p.ID, &p.OperatingStatus, &p.UpdatedAt, lb.OperatingOffline)
			continue
		}
		poolStatus := ""
		switch rep.Status {
		case heartbeat.PoolUp:
			poolStatus = lb.OperatingOnline
		case heartbeat.PoolDown:
			poolStatus = lb.OperatingError
			lbStatus = lb.OperatingError
		}
		for _, mem := range p.Members {
			to := ""
			st, ok := rep.Members[mem.ID]
			switch {
			case !ok && mem.OperatingStatus != lb.OperatingNoMonitor:
				to = lb.OperatingOffline
			case !ok:
			case strings.HasPrefix(st, heartbeat.MemberUp):
				to = lb.OperatingOnline
			case strings.HasPrefix(st, heartbeat.MemberDown):
				to = lb.OperatingError
				if poolStatus == lb.OperatingOnline {
					poolStatus = lb.OperatingDegraded
					degrade()
				}
			case st == heartbeat.MemberDrain:
				to = lb.OperatingDraining
			case strings.HasPrefix(st, heartbeat.MemberMaint):
				to = lb.OperatingOffline
			case st == heartbeat.MemberNoCheck:
				to = lb.OperatingNoMonitor
			}
			set(KindMember, mem.ID, &mem.OperatingStatus, &mem.UpdatedAt, to)
		}
		set(KindPool, p.ID, &p.OperatingStatus, &p.UpdatedAt, poolStatus)
	}
	set(KindLoadBalancer, g.ID, &g.OperatingStatus, &g.UpdatedAt, lbStatus)
	return changes
}

// poolReports indexes a heartbeat's pools by pool ID: the key is
// "<pool_id>:<listener_id>", split at its last colon (a key without one is a
// pool ID). A pool behind several listeners is reported once per listener;
// the report of the first listener in key order counts.
func poolReports(m *heartbeat.Message) map[string]heartbeat.Pool {
	keys := make([]string, 0, len(m.Pools))
	for k := range m.Pools {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make(map[string]heartbeat.Pool, len(keys))
	for _, k := range keys {
		id := k
		if i := strings.LastIndexByte(k, ':'); i >= 0 {
			id = k[:i]
		}
		if _, seen := out[id]; !seen {
			out[id] = m.Pools[k]
		}
	}
	return out
}

// ExpectedListeners is how many listeners a heartbeat of the load
// balancer's amphora should report: its enabled listeners that HAProxy
// serves (UDP and SCTP listeners are keepalived's, which the local amphorae
// do not run).
func ExpectedListeners(g *lb.LoadBalancer) int {
	n := 0
	for _, li := range g.Listeners {
		if li.AdminStateUp && li.Protocol != lb.ProtocolUDP && li.Protocol != lb.ProtocolSCTP {
			n++
		}
	}
	return n
}

// Healthy tells whether a heartbeat shows its amphora healthy, as Octavia's
// health manager decides whether to refresh the amphora's health record:
// it reports every listener it should run. While its load balancer is
// PENDING_* or disabled, any heartbeat is healthy.
func Healthy(g *lb.LoadBalancer, m *heartbeat.Message) bool {
	if isPending(g.ProvisioningStatus) || !g.AdminStateUp {
		return true
	}
	return len(m.Listeners) == ExpectedListeners(g)
}

func isPending(s string) bool {
	return s == lb.StatusPendingCreate || s == lb.StatusPendingUpdate || s == lb.StatusPendingDelete
}
