package octavia

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

func poolID(x *lb.Pool) string         { return x.ID }
func poolCreated(x *lb.Pool) time.Time { return x.CreatedAt }

// getPool reads a pool (any status) and remembers its load balancer.
func (c *Client) getPool(ctx context.Context, id string) (*lb.Pool, error) {
	o, err := getObj(ctx, c, c.url("pools", id), "pool", decodePool)
	if err != nil {
		return nil, err
	}
	c.setParent(parentPool+o.ID, o.LoadBalancerID)
	return o, nil
}

// CreatePool POSTs want (with loadbalancer_id or listener_id) in its load
// balancer's turn. After an attempt whose outcome is unknown it adopts the
// one pool of the load balancer (and listener, if given) with want's name,
// protocol and algorithm created since the first attempt.
func (c *Client) CreatePool(ctx context.Context, want *lb.Pool) (*lb.Pool, error) {
	lbID := want.LoadBalancerID
	if lbID == "" {
		if want.ListenerID == "" {
			return nil, errors.New("creating pool: loadbalancer_id or listener_id is required")
		}
		var err error
		if lbID, err = c.lbOfListener(ctx, want.ListenerID); err != nil {
			return nil, err
		}
	}
	var out *lb.Pool
	start := time.Now()
	req := createPoolBody(want)
	err := c.write(ctx, writeOp{
		what: "creating pool" + nameOf(want.Name) + " on load balancer " + lbID,
		kind: kindPool,
		lbID: lbID,
		send: func(ctx context.Context) error {
			o, err := sendObj(ctx, c, http.MethodPost, c.url("pools"), req, "pool", decodePool)
			if err == nil {
				out = o
			}
			return err
		},
		lookup: func(ctx context.Context) ([]string, error) {
			f := Filter{"loadbalancer_id": lbID}
			if want.Name != "" {
				f["name"] = want.Name
			}
			items, err := lookupList(ctx, c.ListPools, f)
			if err != nil {
				return nil, err
			}
			found := matches(c, items, start, poolID, poolCreated, func(x *lb.Pool) bool {
				return x.LoadBalancerID == lbID && x.Name == want.Name && x.Protocol == want.Protocol &&
					x.LBAlgorithm == want.LBAlgorithm && (want.ListenerID == "" || x.ListenerID == want.ListenerID) &&
					x.ProvisioningStatus != lb.StatusPendingDelete
			})
			return pick(&out, found, poolID), nil
		},
	})
	if err != nil {
		return nil, err
	}
	if out.LoadBalancerID == "" {
		out.LoadBalancerID = lbID
	}
	c.setParent(parentPool+out.ID, lbID)
	c.claim(out.ID)
	return out, nil
}

// GetPool reads a pool; one that is gone or DELETED is an error wrapping
// ErrNotFound.
func (c *Client) GetPool(ctx context.Context, id string) (*lb.Pool, error) {
	o, err := c.getPool(ctx, id)
	if err != nil {
		return nil, err
	}
	if o.ProvisioningStatus == lb.StatusDeleted {
		return nil, deletedErr(kindPool, id)
	}
	return o, nil
}

// ListPools lists the pools that match f.
func (c *Client) ListPools(ctx context.Context, f Filter) ([]*lb.Pool, error) {
	items, err := listObjs(ctx, c, c.url("pools"), "pools", f, decodePool)
	for _, o := range items {
		c.setParent(parentPool+o.ID, o.LoadBalancerID)
	}
	return items, err
}

// UpdatePool PUTs name, description, admin_state_up, lb_algorithm,
// session_persistence (nil clears it), the TLS fields and tags of want in
// its load balancer's turn.
func (c *Client) UpdatePool(ctx context.Context, id string, want *lb.Pool) (*lb.Pool, error) {
	lbID, err := c.lbOfPool(ctx, id)
	if err != nil {
		return nil, err
	}
	return putObj(ctx, c, writeOp{what: "updating pool " + id, kind: kindPool, lbID: lbID},
		c.url("pools", id), updatePoolBody(want), "pool", decodePool)
}

// DeletePool deletes a pool (and with it its members and health monitor)
// in its load balancer's turn; one already gone is success.
func (c *Client) DeletePool(ctx context.Context, id string) error {
	lbID, err := c.lbOfPool(ctx, id)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}
	return gone(c.write(ctx, writeOp{
		what:     "deleting pool " + id,
		kind:     kindPool,
		lbID:     lbID,
		lbGoneOK: true,
		send:     func(ctx context.Context) error { return c.deleteObj(ctx, c.url("pools", id)) },
	}))
}

// WaitPool waits for the pool (ACTIVE, or gone when deleting) and then for
// its load balancer to be ACTIVE.
func (c *Client) WaitPool(ctx context.Context, action, id string) (*lb.Pool, error) {
	return waitChild(ctx, c, action, kindPool, id,
		func(ctx context.Context) (*lb.Pool, error) { return c.getPool(ctx, id) },
		poolStatus,
		func(ctx context.Context, o *lb.Pool) string {
			if o != nil && o.LoadBalancerID != "" {
				return o.LoadBalancerID
			}
			return c.parent(parentPool + id)
		})
}

// BatchUpdateMembers replaces the pool's members by want (PUT
// /pools/{id}/members, matched on address and protocol_port), or only adds
// and updates them with additiveOnly, in the load balancer's turn, and
// keeps the turn until the load balancer is ACTIVE again.
func (c *Client) BatchUpdateMembers(ctx context.Context, poolID string, want []*lb.Member, additiveOnly bool) error {
	lbID, err := c.lbOfPool(ctx, poolID)
	if err != nil {
		return err
	}
	u := c.url("pools", poolID, "members")
	if additiveOnly {
		u += "?additive_only=true"
	}
	req := batchMembersBody(slices.DeleteFunc(slices.Clone(want), func(m *lb.Member) bool { return m == nil }))
	what := "updating the members of pool " + poolID
	return c.write(ctx, writeOp{
		what: what,
		kind: kindMember,
		lbID: lbID,
		send: func(ctx context.Context) error {
			return c.do(ctx, http.MethodPut, u, req, nil, http.StatusAccepted, http.StatusOK, http.StatusNoContent)
		},
		settle: true,
	})
}
