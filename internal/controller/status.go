package controller

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

func pending(s string) bool {
	return s == lb.StatusPendingCreate || s == lb.StatusPendingUpdate || s == lb.StatusPendingDelete
}

// withoutPendingDeletes is the graph the data plane must run: a copy without
// the objects waiting to be deleted.
func withoutPendingDeletes(g *lb.LoadBalancer) *lb.LoadBalancer {
	out := *g
	out.Listeners = nil
	for _, li := range g.Listeners {
		if li.ProvisioningStatus == lb.StatusPendingDelete {
			continue
		}
		l := *li
		l.L7Policies = nil
		for _, p := range li.L7Policies {
			if p.ProvisioningStatus == lb.StatusPendingDelete {
				continue
			}
			pc := *p
			pc.Rules = slices.DeleteFunc(slices.Clone(p.Rules), func(r *lb.L7Rule) bool {
				return r.ProvisioningStatus == lb.StatusPendingDelete
			})
			l.L7Policies = append(l.L7Policies, &pc)
		}
		out.Listeners = append(out.Listeners, &l)
	}
	out.Pools = nil
	for _, p := range g.Pools {
		if p.ProvisioningStatus == lb.StatusPendingDelete {
			continue
		}
		pc := *p
		if pc.HealthMonitor != nil && pc.HealthMonitor.ProvisioningStatus == lb.StatusPendingDelete {
			pc.HealthMonitor = nil
		}
		pc.Members = slices.DeleteFunc(slices.Clone(p.Members), func(m *lb.Member) bool {
			return m.ProvisioningStatus == lb.StatusPendingDelete
		})
		out.Pools = append(out.Pools, &pc)
	}
	// A listener whose default pool is going away has no default pool.
	for _, li := range out.Listeners {
		if li.DefaultPoolID != "" && out.Pool(li.DefaultPoolID) == nil {
			li.DefaultPoolID = ""
		}
	}
	return &out
}

// markActive commits a successful reconcile: deleted children go, every
// pending object becomes ACTIVE, and operating statuses are set as far as
// the controller knows them. The heartbeats of the amphorae own the
// operating statuses of the load balancer, its listeners, pools and members
// (internal/health); here an object that just became ACTIVE only gets a
// first one: OFFLINE when disabled, ONLINE (members: NO_MONITOR without an
// enabled health monitor, OFFLINE until checked with one) when it had none
// yet, and otherwise keeps what the last heartbeat said. Health monitors, L7
// policies and rules, which heartbeats do not report, are ONLINE or OFFLINE
// as they are enabled, as Octavia's worker sets them.
func (c *Controller) markActive(ctx context.Context, id string, serving bool, log *slog.Logger) error {
	changed := false
	err := c.cfg.Store.UpdateLoadBalancer(ctx, id, func(g *lb.LoadBalancer) error {
		if g.ProvisioningStatus == lb.StatusPendingDelete {
			// Deleted while this reconcile ran: the next one deletes it.
			return nil
		}
		now := c.cfg.Now().UTC()
		set := func(status *string, updated *time.Time) bool {
			if pending(*status) {
				*status = lb.StatusActive
				*updated = now
				changed = true
				return true
			}
			return false
		}
		// first gives an object that just became ACTIVE its first operating
		// status; a heartbeat's stands.
		first := func(activated, up bool, op *string) {
			switch {
			case !activated || !serving:
			case !up:
				*op = lb.OperatingOffline
			case *op == lb.OperatingOffline:
				*op = lb.OperatingOnline
			}
		}
		g.Listeners = slices.DeleteFunc(g.Listeners, func(li *lb.Listener) bool {
			return li.ProvisioningStatus == lb.StatusPendingDelete
		})
		for _, li := range g.Listeners {
			li.L7Policies = slices.DeleteFunc(li.L7Policies, func(p *lb.L7Policy) bool {
				return p.ProvisioningStatus == lb.StatusPendingDelete
			})
			for _, p := range li.L7Policies {
				p.Rules = slices.DeleteFunc(p.Rules, func(r *lb.L7Rule) bool {
					return r.ProvisioningStatus == lb.StatusPendingDelete
				})
				for _, r := range p.Rules {
					set(&r.ProvisioningStatus, &r.UpdatedAt)
					r.OperatingStatus = enabledStatus(r.AdminStateUp)
				}
				set(&p.ProvisioningStatus, &p.UpdatedAt)
				p.OperatingStatus = enabledStatus(p.AdminStateUp)
			}
			first(set(&li.ProvisioningStatus, &li.UpdatedAt), li.AdminStateUp, &li.OperatingStatus)
		}
		g.Pools = slices.DeleteFunc(g.Pools, func(p *lb.Pool) bool {
			return p.ProvisioningStatus == lb.StatusPendingDelete
		})
		for _, p := range g.Pools {
			if hm := p.HealthMonitor; hm != nil {
				if hm.ProvisioningStatus == lb.StatusPendingDelete {
					p.HealthMonitor = nil
					// Without a monitor, members are no longer monitored.
					for _, m := range p.Members {
						m.OperatingStatus = lb.OperatingNoMonitor
					}
				} else {
					set(&hm.ProvisioningStatus, &hm.UpdatedAt)
					hm.OperatingStatus = enabledStatus(hm.AdminStateUp)
				}
			}
			monitored := p.HealthMonitor != nil && p.HealthMonitor.AdminStateUp
			p.Members = slices.DeleteFunc(p.Members, func(m *lb.Member) bool {
				return m.ProvisioningStatus == lb.StatusPendingDelete
			})
			for _, m := range p.Members {
				if !set(&m.ProvisioningStatus, &m.UpdatedAt) {
					continue
				}
				switch {
				case !m.AdminStateUp:
					m.OperatingStatus = lb.OperatingOffline
				case !monitored:
					m.OperatingStatus = lb.OperatingNoMonitor
				case m.OperatingStatus == lb.OperatingNoMonitor:
					m.OperatingStatus = lb.OperatingOffline // until its first check
				}
			}
			first(set(&p.ProvisioningStatus, &p.UpdatedAt), p.AdminStateUp, &p.OperatingStatus)
		}
		for _, li := range g.Listeners {
			if li.DefaultPoolID != "" && g.Pool(li.DefaultPoolID) == nil {
				li.DefaultPoolID = ""
			}
		}
		first(set(&g.ProvisioningStatus, &g.UpdatedAt), g.AdminStateUp, &g.OperatingStatus)
		return nil
	})
	if err == nil && changed {
		log.Info("load balancer ACTIVE")
	}
	return err
}

func enabledStatus(up bool) string {
	if up {
		return lb.OperatingOnline
	}
	return lb.OperatingOffline
}

// markError ends a failed reconcile: the load balancer and every pending
// object go to ERROR (Octavia's revert), so the user sees the failure.
func (c *Controller) markError(ctx context.Context, id string) error {
	err := c.cfg.Store.UpdateLoadBalancer(ctx, id, func(g *lb.LoadBalancer) error {
		now := c.cfg.Now().UTC()
		set := func(status *string, updated *time.Time) {
			if pending(*status) {
				*status = lb.StatusError
				*updated = now
			}
		}
		for _, li := range g.Listeners {
			for _, p := range li.L7Policies {
				for _, r := range p.Rules {
					set(&r.ProvisioningStatus, &r.UpdatedAt)
				}
				set(&p.ProvisioningStatus, &p.UpdatedAt)
			}
			set(&li.ProvisioningStatus, &li.UpdatedAt)
		}
		for _, p := range g.Pools {
			if p.HealthMonitor != nil {
				set(&p.HealthMonitor.ProvisioningStatus, &p.HealthMonitor.UpdatedAt)
			}
			for _, m := range p.Members {
				set(&m.ProvisioningStatus, &m.UpdatedAt)
			}
			set(&p.ProvisioningStatus, &p.UpdatedAt)
		}
		if g.ProvisioningStatus != lb.StatusDeleted {
			g.ProvisioningStatus = lb.StatusError
			g.UpdatedAt = now
		}
		return nil
	})
	return err
}
