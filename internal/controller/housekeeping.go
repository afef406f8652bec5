package controller

import (
	"context"
	"errors"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// Housekeeping configures the periodic cleanup (Octavia's house_keeping).
type Housekeeping struct {
	// Interval is how often it runs (default 30 s, Octavia's cleanup_interval).
	Interval time.Duration
	// PurgeDeletedAfter: a DELETED load balancer's row is purged this long
	// after its deletion (Octavia's load_balancer_expiry_age); zero keeps
	// them.
	PurgeDeletedAfter time.Duration
}

// runHousekeeping removes, every Interval until ctx ends, the amphorae no
// stored load balancer owns (an amphora that sends heartbeats but belongs
// to no load balancer ends here) and the DELETED load balancers older than
// PurgeDeletedAfter.
func (c *Controller) runHousekeeping(ctx context.Context) {
	t := time.NewTicker(c.cfg.Housekeeping.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		hctx, cancel := context.WithTimeout(ctx, c.cfg.ReconcileTimeout)
		if err := c.sweep(hctx); err != nil && ctx.Err() == nil {
			c.log.Error("housekeeping: sweeping orphans", "err", err)
		}
		if err := c.purgeDeleted(hctx); err != nil && ctx.Err() == nil {
			c.log.Error("housekeeping: purging deleted load balancers", "err", err)
		}
		cancel()
	}
}

// purgeDeleted purges the DELETED load balancers deleted longer than
// PurgeDeletedAfter ago.
func (c *Controller) purgeDeleted(ctx context.Context) error {
	age := c.cfg.Housekeeping.PurgeDeletedAfter
	if age <= 0 {
		return nil
	}
	lbs, err := c.cfg.Store.LoadBalancers(ctx)
	if err != nil {
		return err
	}
	cutoff := c.cfg.Now().Add(-age)
	for _, g := range lbs {
		if g.ProvisioningStatus != lb.StatusDeleted || !g.UpdatedAt.Before(cutoff) {
			continue
		}
		if err := c.cfg.Store.PurgeLoadBalancer(ctx, g.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		c.cfg.Metrics.purged.Inc()
		c.log.Info("purged deleted load balancer", "loadbalancer_id", g.ID, "deleted_at", g.UpdatedAt)
	}
	return nil
}
