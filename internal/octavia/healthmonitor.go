package octavia

import (
	"context"
	"errors"
	"net/http"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

func monitorID(x *lb.HealthMonitor) string { return x.ID }

// getHealthMonitor reads a health monitor (any status) and remembers its
// pool.
func (c *Client) getHealthMonitor(ctx context.Context, id string) (*lb.HealthMonitor, error) {
	o, err := getObj(ctx, c, c.url("healthmonitors", id), "healthmonitor", decodeHealthMonitor)
	if err != nil {
		return nil, err
	}
	c.setParent(parentMonitor+o.ID, o.PoolID)
	return o, nil
}

// CreateHealthMonitor POSTs want (pool_id required) in its load balancer's
// turn. After an attempt whose outcome is unknown it adopts the pool's
// health monitor (a pool has at most one).
func (c *Client) CreateHealthMonitor(ctx context.Context, want *lb.HealthMonitor) (*lb.HealthMonitor, error) {
	if want.PoolID == "" {
		return nil, errors.New("creating health monitor: pool_id is required")
	}
	lbID, err := c.lbOfPool(ctx, want.PoolID)
	if err != nil {
		return nil, err
	}
	var out *lb.HealthMonitor
	req := createHealthMonitorBody(want)
	err = c.write(ctx, writeOp{
		what: "creating health monitor" + nameOf(want.Name) + " of pool " + want.PoolID,
		kind: kindHealthMonitor,
		lbID: lbID,
		send: func(ctx context.Context) error {
			o, err := sendObj(ctx, c, http.MethodPost, c.url("healthmonitors"), req, "healthmonitor", decodeHealthMonitor)
			if err == nil {
				out = o
			}
			return err
		},
		lookup: func(ctx context.Context) ([]string, error) {
			p, err := c.getPool(ctx, want.PoolID)
			if err != nil {
				return nil, err
			}
			if p.HealthMonitor == nil || p.HealthMonitor.ID == "" || c.isClaimed(p.HealthMonitor.ID) {
				return nil, nil
			}
			o, err := c.getHealthMonitor(ctx, p.HealthMonitor.ID)
			if err != nil {
				if errors.Is(err, ErrNotFound) {
					return nil, nil
				}
				return nil, err
			}
			if o.ProvisioningStatus == lb.StatusPendingDelete || o.ProvisioningStatus == lb.StatusDeleted {
				return nil, nil
			}
			return pick(&out, []*lb.HealthMonitor{o}, monitorID), nil
		},
	})
	if err != nil {
		return nil, err
	}
	if out.PoolID == "" {
		out.PoolID = want.PoolID
	}
	c.setParent(parentMonitor+out.ID, want.PoolID)
	c.claim(out.ID)
	return out, nil
}

// GetHealthMonitor reads a health monitor; one that is gone or DELETED is
// an error wrapping ErrNotFound.
func (c *Client) GetHealthMonitor(ctx context.Context, id string) (*lb.HealthMonitor, error) {
	o, err := c.getHealthMonitor(ctx, id)
	if err != nil {
		return nil, err
	}
	if o.ProvisioningStatus == lb.StatusDeleted {
		return nil, deletedErr(kindHealthMonitor, id)
	}
	return o, nil
}

// ListHealthMonitors lists the health monitors that match f.
func (c *Client) ListHealthMonitors(ctx context.Context, f Filter) ([]*lb.HealthMonitor, error) {
	items, err := listObjs(ctx, c, c.url("healthmonitors"), "healthmonitors", f, decodeHealthMonitor)
	for _, o := range items {
		c.setParent(parentMonitor+o.ID, o.PoolID)
	}
	return items, err
}

// UpdateHealthMonitor PUTs name, delay, timeout, max_retries,
// max_retries_down, the HTTP fields (for HTTP and HTTPS monitors; set
// want.Type), admin_state_up and tags of want in its load balancer's turn.
func (c *Client) UpdateHealthMonitor(ctx context.Context, id string, want *lb.HealthMonitor) (*lb.HealthMonitor, error) {
	lbID, err := c.lbOfMonitor(ctx, id)
	if err != nil {
		return nil, err
	}
	return putObj(ctx, c, writeOp{what: "updating health monitor " + id, kind: kindHealthMonitor, lbID: lbID},
		c.url("healthmonitors", id), updateHealthMonitorBody(want), "healthmonitor", decodeHealthMonitor)
}

// DeleteHealthMonitor deletes a health monitor in its load balancer's
// turn; one already gone is success.
func (c *Client) DeleteHealthMonitor(ctx context.Context, id string) error {
	lbID, err := c.lbOfMonitor(ctx, id)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}
	return gone(c.write(ctx, writeOp{
		what:     "deleting health monitor " + id,
		kind:     kindHealthMonitor,
		lbID:     lbID,
		lbGoneOK: true,
		send:     func(ctx context.Context) error { return c.deleteObj(ctx, c.url("healthmonitors", id)) },
	}))
}

// WaitHealthMonitor waits for the health monitor (ACTIVE, or gone when
// deleting) and then for its load balancer to be ACTIVE.
func (c *Client) WaitHealthMonitor(ctx context.Context, action, id string) (*lb.HealthMonitor, error) {
	return waitChild(ctx, c, action, kindHealthMonitor, id,
		func(ctx context.Context) (*lb.HealthMonitor, error) { return c.getHealthMonitor(ctx, id) },
		monitorStatus,
		func(ctx context.Context, _ *lb.HealthMonitor) string { return cachedLB(ctx, c.lbOfMonitor, id) })
}
