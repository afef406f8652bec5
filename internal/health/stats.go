package health

import (
	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// Totals are the counters of one listener over its amphorae.
type Totals struct {
	BytesIn, BytesOut, ActiveConnections, TotalConnections, RequestErrors int64
}

// ListenerTotals sums the statistics rows of a load balancer by listener, as
// Octavia's /stats do (octavia/common/stats.py): every amphora's counters
// add up, but active connections count only from the amphorae that serve
// now (ALLOCATED), so an amphora that was replaced does not count its last
// report forever. Rows of listeners that are not in g are left out.
func ListenerTotals(g *lb.LoadBalancer, rows []store.ListenerStatistics) map[string]Totals {
	serving := map[string]bool{}
	for _, a := range g.Amphorae {
		if a.Status == lb.AmphoraAllocated {
			serving[a.ID] = true
		}
	}
	out := map[string]Totals{}
	for _, r := range rows {
		if g.Listener(r.ListenerID) == nil {
			continue
		}
		t := out[r.ListenerID]
		t.BytesIn += r.BytesIn
		t.BytesOut += r.BytesOut
		t.TotalConnections += r.TotalConnections
		t.RequestErrors += r.RequestErrors
		if serving[r.AmphoraID] {
			t.ActiveConnections += r.ActiveConnections
		}
		out[r.ListenerID] = t
	}
	return out
}
