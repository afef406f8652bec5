package octavia

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

func listenerID(x *lb.Listener) string         { return x.ID }
func listenerCreated(x *lb.Listener) time.Time { return x.CreatedAt }

// getListener reads a listener (any status) and remembers its load
// balancer.
func (c *Client) getListener(ctx context.Context, id string) (*lb.Listener, error) {
	o, err := getObj(ctx, c, c.url("listeners", id), "listener", decodeListener)
	if err != nil {
		return nil, err
	}
	c.setParent(parentListener+o.ID, o.LoadBalancerID)
	return o, nil
}

// CreateListener POSTs want in its load balancer's turn. After an attempt
// whose outcome is unknown it adopts the listener of the load balancer with
// want's protocol and protocol_port (a pair that is unique).
func (c *Client) CreateListener(ctx context.Context, want *lb.Listener) (*lb.Listener, error) {
	if want.LoadBalancerID == "" {
		return nil, errors.New("creating listener: loadbalancer_id is required")
	}
	var out *lb.Listener
	req := createListenerBody(want)
	err := c.write(ctx, writeOp{
		what: "creating listener" + nameOf(want.Name) + " on load balancer " + want.LoadBalancerID,
		kind: kindListener,
		lbID: want.LoadBalancerID,
		send: func(ctx context.Context) error {
			o, err := sendObj(ctx, c, http.MethodPost, c.url("listeners"), req, "listener", decodeListener)
			if err == nil {
				out = o
			}
			return err
		},
		lookup: func(ctx context.Context) ([]string, error) {
			items, err := lookupList(ctx, c.ListListeners, Filter{"loadbalancer_id": want.LoadBalancerID})
			if err != nil {
				return nil, err
			}
			found := matches(c, items, time.Time{}, listenerID, listenerCreated, func(x *lb.Listener) bool {
				return x.LoadBalancerID == want.LoadBalancerID && x.ProtocolPort == want.ProtocolPort &&
					x.Protocol == want.Protocol && x.ProvisioningStatus != lb.StatusPendingDelete
			})
			return pick(&out, found, listenerID), nil
		},
	})
	if err != nil {
		return nil, err
	}
	if out.LoadBalancerID == "" {
		out.LoadBalancerID = want.LoadBalancerID
	}
	c.setParent(parentListener+out.ID, want.LoadBalancerID)
	c.claim(out.ID)
	return out, nil
}

// GetListener reads a listener; one that is gone or DELETED is an error
// wrapping ErrNotFound.
func (c *Client) GetListener(ctx context.Context, id string) (*lb.Listener, error) {
	o, err := c.getListener(ctx, id)
	if err != nil {
		return nil, err
	}
	if o.ProvisioningStatus == lb.StatusDeleted {
		return nil, deletedErr(kindListener, id)
	}
	return o, nil
}

// ListListeners lists the listeners that match f.
func (c *Client) ListListeners(ctx context.Context, f Filter) ([]*lb.Listener, error) {
	items, err := listObjs(ctx, c, c.url("listeners"), "listeners", f, decodeListener)
	for _, o := range items {
		c.setParent(parentListener+o.ID, o.LoadBalancerID)
	}
	return items, err
}

// UpdateListener PUTs every updatable field of want (all but protocol,
// protocol_port and loadbalancer_id) in its load balancer's turn.
func (c *Client) UpdateListener(ctx context.Context, id string, want *lb.Listener) (*lb.Listener, error) {
	lbID, err := c.lbOfListener(ctx, id)
	if err != nil {
		return nil, err
	}
	return putObj(ctx, c, writeOp{what: "updating listener " + id, kind: kindListener, lbID: lbID},
		c.url("listeners", id), updateListenerBody(want), "listener", decodeListener)
}

// DeleteListener deletes a listener in its load balancer's turn; one
// already gone is success.
func (c *Client) DeleteListener(ctx context.Context, id string) error {
	lbID, err := c.lbOfListener(ctx, id)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}
	return gone(c.write(ctx, writeOp{
		what:     "deleting listener " + id,
		kind:     kindListener,
		lbID:     lbID,
		lbGoneOK: true,
		send:     func(ctx context.Context) error { return c.deleteObj(ctx, c.url("listeners", id)) },
	}))
}

// WaitListener waits for the listener (ACTIVE, or gone when deleting) and
// then for its load balancer to be ACTIVE.
func (c *Client) WaitListener(ctx context.Context, action, id string) (*lb.Listener, error) {
	return waitChild(ctx, c, action, kindListener, id,
		func(ctx context.Context) (*lb.Listener, error) { return c.getListener(ctx, id) },
		listenerStatus,
		func(ctx context.Context, o *lb.Listener) string {
			if o != nil && o.LoadBalancerID != "" {
				return o.LoadBalancerID
			}
			return c.parent(parentListener + id)
		})
}
