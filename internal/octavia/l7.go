package octavia

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

func policyID(x *lb.L7Policy) string         { return x.ID }
func policyCreated(x *lb.L7Policy) time.Time { return x.CreatedAt }
func ruleID(x *lb.L7Rule) string             { return x.ID }
func ruleCreated(x *lb.L7Rule) time.Time     { return x.CreatedAt }

// getL7Policy reads an L7 policy (any status) and remembers its listener.
func (c *Client) getL7Policy(ctx context.Context, id string) (*lb.L7Policy, error) {
	o, err := getObj(ctx, c, c.url("l7policies", id), "l7policy", decodeL7Policy)
	if err != nil {
		return nil, err
	}
	c.setParent(parentPolicy+o.ID, o.ListenerID)
	return o, nil
}

// CreateL7Policy POSTs want (listener_id required) in its load balancer's
// turn. After an attempt whose outcome is unknown it adopts the one policy
// of the listener with want's name, action, redirect and position (when
// set) created since the first attempt.
func (c *Client) CreateL7Policy(ctx context.Context, want *lb.L7Policy) (*lb.L7Policy, error) {
	if want.ListenerID == "" {
		return nil, errors.New("creating L7 policy: listener_id is required")
	}
	lbID, err := c.lbOfListener(ctx, want.ListenerID)
	if err != nil {
		return nil, err
	}
	var out *lb.L7Policy
	start := time.Now()
	req := createL7PolicyBody(want)
	err = c.write(ctx, writeOp{
		what: "creating L7 policy" + nameOf(want.Name) + " of listener " + want.ListenerID,
		kind: kindL7Policy,
		lbID: lbID,
		send: func(ctx context.Context) error {
			o, err := sendObj(ctx, c, http.MethodPost, c.url("l7policies"), req, "l7policy", decodeL7Policy)
			if err == nil {
				out = o
			}
			return err
		},
		lookup: func(ctx context.Context) ([]string, error) {
			items, err := lookupList(ctx, c.ListL7Policies, Filter{"listener_id": want.ListenerID})
			if err != nil {
				return nil, err
			}
			found := matches(c, items, start, policyID, policyCreated, func(x *lb.L7Policy) bool {
				return x.ListenerID == want.ListenerID && x.Name == want.Name && x.Action == want.Action &&
					(want.Position == 0 || x.Position == want.Position) &&
					x.RedirectPoolID == want.RedirectPoolID && x.RedirectURL == want.RedirectURL &&
					x.RedirectPrefix == want.RedirectPrefix && x.ProvisioningStatus != lb.StatusPendingDelete
			})
			return pick(&out, found, policyID), nil
		},
	})
	if err != nil {
		return nil, err
	}
	if out.ListenerID == "" {
		out.ListenerID = want.ListenerID
	}
	c.setParent(parentPolicy+out.ID, want.ListenerID)
	c.claim(out.ID)
	return out, nil
}

// GetL7Policy reads an L7 policy; one that is gone or DELETED is an error
// wrapping ErrNotFound.
func (c *Client) GetL7Policy(ctx context.Context, id string) (*lb.L7Policy, error) {
	o, err := c.getL7Policy(ctx, id)
	if err != nil {
		return nil, err
	}
	if o.ProvisioningStatus == lb.StatusDeleted {
		return nil, deletedErr(kindL7Policy, id)
	}
	return o, nil
}

// ListL7Policies lists the L7 policies that match f.
func (c *Client) ListL7Policies(ctx context.Context, f Filter) ([]*lb.L7Policy, error) {
	items, err := listObjs(ctx, c, c.url("l7policies"), "l7policies", f, decodeL7Policy)
	for _, o := range items {
		c.setParent(parentPolicy+o.ID, o.ListenerID)
	}
	return items, err
}

// UpdateL7Policy PUTs action, position (when set), the redirect fields,
// name, description, admin_state_up and tags of want in its load
// balancer's turn.
func (c *Client) UpdateL7Policy(ctx context.Context, id string, want *lb.L7Policy) (*lb.L7Policy, error) {
	lbID, err := c.lbOfPolicy(ctx, id)
	if err != nil {
		return nil, err
	}
	return putObj(ctx, c, writeOp{what: "updating L7 policy " + id, kind: kindL7Policy, lbID: lbID},
		c.url("l7policies", id), updateL7PolicyBody(want), "l7policy", decodeL7Policy)
}

// DeleteL7Policy deletes an L7 policy (and its rules) in its load
// balancer's turn; one already gone is success.
func (c *Client) DeleteL7Policy(ctx context.Context, id string) error {
	lbID, err := c.lbOfPolicy(ctx, id)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}
	return gone(c.write(ctx, writeOp{
		what:     "deleting L7 policy " + id,
		kind:     kindL7Policy,
		lbID:     lbID,
		lbGoneOK: true,
		send:     func(ctx context.Context) error { return c.deleteObj(ctx, c.url("l7policies", id)) },
	}))
}

// WaitL7Policy waits for the L7 policy (ACTIVE, or gone when deleting) and
// then for its load balancer to be ACTIVE.
func (c *Client) WaitL7Policy(ctx context.Context, action, id string) (*lb.L7Policy, error) {
	return waitChild(ctx, c, action, kindL7Policy, id,
		func(ctx context.Context) (*lb.L7Policy, error) { return c.getL7Policy(ctx, id) },
		policyStatus,
		func(ctx context.Context, _ *lb.L7Policy) string { return cachedLB(ctx, c.lbOfPolicy, id) })
}

func (c *Client) getL7Rule(ctx context.Context, policyID, id string) (*lb.L7Rule, error) {
	return getObj(ctx, c, c.url("l7policies", policyID, "rules", id), "rule", ruleDecoder(policyID))
}

func ruleDecoder(policyID string) func(json.RawMessage) (*lb.L7Rule, error) {
	return func(raw json.RawMessage) (*lb.L7Rule, error) { return decodeL7Rule(raw, policyID) }
}

// CreateL7Rule POSTs want to the policy in its load balancer's turn. After
// an attempt whose outcome is unknown it adopts the one rule of the policy
// with want's type, compare_type, key, value and invert created since the
// first attempt.
func (c *Client) CreateL7Rule(ctx context.Context, policyID string, want *lb.L7Rule) (*lb.L7Rule, error) {
	lbID, err := c.lbOfPolicy(ctx, policyID)
	if err != nil {
		return nil, err
	}
	var out *lb.L7Rule
	start := time.Now()
	req := createL7RuleBody(want)
	err = c.write(ctx, writeOp{
		what: "creating L7 rule of policy " + policyID,
		kind: kindL7Rule,
		lbID: lbID,
		send: func(ctx context.Context) error {
			o, err := sendObj(ctx, c, http.MethodPost, c.url("l7policies", policyID, "rules"), req, "rule", ruleDecoder(policyID))
			if err == nil {
				out = o
			}
			return err
		},
		lookup: func(ctx context.Context) ([]string, error) {
			items, err := c.ListL7Rules(ctx, policyID, nil)
			if err != nil {
				return nil, err
			}
			found := matches(c, items, start, ruleID, ruleCreated, func(x *lb.L7Rule) bool {
				return x.Type == want.Type && x.CompareType == want.CompareType && x.Key == want.Key &&
					x.Value == want.Value && x.Invert == want.Invert && x.ProvisioningStatus != lb.StatusPendingDelete
			})
			return pick(&out, found, ruleID), nil
		},
	})
	if err != nil {
		return nil, err
	}
	c.claim(out.ID)
	return out, nil
}

// GetL7Rule reads a rule of an L7 policy; one that is gone or DELETED is
// an error wrapping ErrNotFound.
func (c *Client) GetL7Rule(ctx context.Context, policyID, id string) (*lb.L7Rule, error) {
	o, err := c.getL7Rule(ctx, policyID, id)
	if err != nil {
		return nil, err
	}
	if o.ProvisioningStatus == lb.StatusDeleted {
		return nil, deletedErr(kindL7Rule, id)
	}
	return o, nil
}

// ListL7Rules lists the policy's rules that match f.
func (c *Client) ListL7Rules(ctx context.Context, policyID string, f Filter) ([]*lb.L7Rule, error) {
	return listObjs(ctx, c, c.url("l7policies", policyID, "rules"), "rules", f, ruleDecoder(policyID))
}

// UpdateL7Rule PUTs type, compare_type, key, value, invert,
// admin_state_up and tags of want in its load balancer's turn.
func (c *Client) UpdateL7Rule(ctx context.Context, policyID, id string, want *lb.L7Rule) (*lb.L7Rule, error) {
	lbID, err := c.lbOfPolicy(ctx, policyID)
	if err != nil {
		return nil, err
	}
	return putObj(ctx, c, writeOp{what: "updating L7 rule " + id + " of policy " + policyID, kind: kindL7Rule, lbID: lbID},
		c.url("l7policies", policyID, "rules", id), updateL7RuleBody(want), "rule", ruleDecoder(policyID))
}

// DeleteL7Rule deletes a rule in its load balancer's turn; one already
// gone (or whose policy is gone) is success.
func (c *Client) DeleteL7Rule(ctx context.Context, policyID, id string) error {
	lbID, err := c.lbOfPolicy(ctx, policyID)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}
	return gone(c.write(ctx, writeOp{
		what:     "deleting L7 rule " + id + " of policy " + policyID,
		kind:     kindL7Rule,
		lbID:     lbID,
		lbGoneOK: true,
		send: func(ctx context.Context) error {
			return c.deleteObj(ctx, c.url("l7policies", policyID, "rules", id))
		},
	}))
}

// WaitL7Rule waits for the rule (ACTIVE, or gone when deleting) and then
// for its load balancer to be ACTIVE.
func (c *Client) WaitL7Rule(ctx context.Context, action, policyID, id string) (*lb.L7Rule, error) {
	return waitChild(ctx, c, action, kindL7Rule, id,
		func(ctx context.Context) (*lb.L7Rule, error) { return c.getL7Rule(ctx, policyID, id) },
		ruleStatus,
		func(ctx context.Context, _ *lb.L7Rule) string { return cachedLB(ctx, c.lbOfPolicy, policyID) })
}
