package octavia

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// CreateLoadBalancer POSTs want and returns the object as accepted
// (PENDING_CREATE). After an attempt whose outcome is unknown it looks for
// a load balancer with want's name, VIP and project created since the
// first attempt, and adopts it rather than POSTing again.
func (c *Client) CreateLoadBalancer(ctx context.Context, want *lb.LoadBalancer) (*lb.LoadBalancer, error) {
	var out *lb.LoadBalancer
	start := time.Now()
	req := createLoadBalancerBody(want)
	u := c.url("loadbalancers")
	err := c.write(ctx, writeOp{
		what: "creating load balancer" + nameOf(want.Name),
		kind: kindLoadBalancer,
		send: func(ctx context.Context) error {
			o, err := sendObj(ctx, c, http.MethodPost, u, req, "loadbalancer", decodeLoadBalancer)
			if err == nil {
				out = o
			}
			return err
		},
		lookup: func(ctx context.Context) ([]string, error) {
			f := Filter{}
			if want.Name != "" {
				f["name"] = want.Name
			}
			if want.ProjectID != "" {
				f["project_id"] = want.ProjectID
			}
			items, err := lookupList(ctx, c.ListLoadBalancers, f)
			if err != nil {
				return nil, err
			}
			found := matches(c, items, start, lbID, lbCreated, func(x *lb.LoadBalancer) bool {
				return x.Name == want.Name &&
					(want.ProjectID == "" || x.ProjectID == want.ProjectID) &&
					(want.VIPSubnetID == "" || x.VIPSubnetID == want.VIPSubnetID) &&
					(want.VIPNetworkID == "" || x.VIPNetworkID == want.VIPNetworkID) &&
					(want.VIPPortID == "" || x.VIPPortID == want.VIPPortID) &&
					(want.VIPAddress == "" || x.VIPAddress == want.VIPAddress) &&
					x.ProvisioningStatus != lb.StatusDeleted && x.ProvisioningStatus != lb.StatusPendingDelete
			})
			return pick(&out, found, lbID), nil
		},
	})
	if err != nil {
		return nil, err
	}
	c.claim(out.ID)
	return out, nil
}

func lbID(x *lb.LoadBalancer) string         { return x.ID }
func lbCreated(x *lb.LoadBalancer) time.Time { return x.CreatedAt }

// GetLoadBalancer reads a load balancer; one that is gone or DELETED is an
// error wrapping ErrNotFound.
func (c *Client) GetLoadBalancer(ctx context.Context, id string) (*lb.LoadBalancer, error) {
	o, err := c.getLB(ctx, id)
	if err != nil {
		return nil, err
	}
	if o.ProvisioningStatus == lb.StatusDeleted {
		return nil, deletedErr(kindLoadBalancer, id)
	}
	return o, nil
}

// ListLoadBalancers lists the load balancers that match f (every page).
func (c *Client) ListLoadBalancers(ctx context.Context, f Filter) ([]*lb.LoadBalancer, error) {
	return listObjs(ctx, c, c.url("loadbalancers"), "loadbalancers", f, decodeLoadBalancer)
}

// UpdateLoadBalancer PUTs name, description, admin_state_up and tags of
// want, and vip_qos_policy_id when it differs from have's (nil have: always),
// in the load balancer's turn.
func (c *Client) UpdateLoadBalancer(ctx context.Context, id string, have, want *lb.LoadBalancer) (*lb.LoadBalancer, error) {
	return putObj(ctx, c, writeOp{what: "updating load balancer " + id, kind: kindLoadBalancer, lbID: id},
		c.url("loadbalancers", id), updateLoadBalancerBody(have, want), "loadbalancer", decodeLoadBalancer)
}

// DeleteLoadBalancer deletes a load balancer (ACTIVE or ERROR) in its
// turn, with its children when cascade is set. One already gone is
// success.
func (c *Client) DeleteLoadBalancer(ctx context.Context, id string, cascade bool) error {
	u := c.url("loadbalancers", id)
	if cascade {
		u += "?cascade=true"
	}
	return gone(c.write(ctx, writeOp{
		what:      "deleting load balancer " + id,
		kind:      kindLoadBalancer,
		lbID:      id,
		lbErrorOK: true,
		lbGoneOK:  true,
		send:      func(ctx context.Context) error { return c.deleteObj(ctx, u) },
	}))
}

// LoadBalancerStatus reads GET /loadbalancers/{id}/status.
func (c *Client) LoadBalancerStatus(ctx context.Context, id string) (*StatusTree, error) {
	raw, err := c.get(ctx, c.url("loadbalancers", id, "status"), "statuses")
	if err != nil {
		return nil, err
	}
	var t StatusTree
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, err
	}
	return &t, nil
}
