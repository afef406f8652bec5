package controller

import (
	"context"
	"fmt"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// sweep removes what no stored load balancer owns any more: amphorae the
// compute driver still has (processes, directories) whose rows are gone, and
// VIPs of load balancers that were deleted. It runs before the first
// reconcile, so a controller killed between two steps of a delete never
// leaves anything behind, and then with the housekeeping.
//
// The driver is listed before the store: an amphora's row is written before
// its instance exists, so an instance listed first whose row is missing
// after is an orphan even while reconciles run.
func (c *Controller) sweep(ctx context.Context) error {
	ids, err := c.cfg.Compute.List(ctx)
	if err != nil {
		return fmt.Errorf("listing amphorae: %w", err)
	}
	lbs, err := c.cfg.Store.LoadBalancers(ctx)
	if err != nil {
		return fmt.Errorf("listing load balancers: %w", err)
	}
	owned := map[string]bool{}
	for _, g := range lbs {
		if g.ProvisioningStatus == lb.StatusDeleted {
			if err := c.cfg.Network.DeallocateVIP(ctx, g.ID); err != nil {
				return err
			}
			continue
		}
		for _, a := range g.Amphorae {
			owned[a.ID] = true
		}
	}
	for _, id := range ids {
		if owned[id] {
			continue
		}
		c.log.Info("deleting orphaned amphora", "amphora_id", id)
		if err := c.cfg.Compute.Delete(ctx, id); err != nil {
			return err
		}
	}
	return nil
}
