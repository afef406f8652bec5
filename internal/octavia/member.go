package octavia

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

func memberID(x *lb.Member) string         { return x.ID }
func memberCreated(x *lb.Member) time.Time { return x.CreatedAt }

func (c *Client) getMember(ctx context.Context, poolID, id string) (*lb.Member, error) {
	return getObj(ctx, c, c.url("pools", poolID, "members", id), "member",
		memberDecoder(poolID))
}

// CreateMember POSTs want to the pool in its load balancer's turn. After an
// attempt whose outcome is unknown it adopts the pool's member with want's
// address and protocol_port (a pair that is unique).
func (c *Client) CreateMember(ctx context.Context, poolID string, want *lb.Member) (*lb.Member, error) {
	lbID, err := c.lbOfPool(ctx, poolID)
	if err != nil {
		return nil, err
	}
	var out *lb.Member
	req := createMemberBody(want)
	err = c.write(ctx, writeOp{
		what: "creating member " + want.Address + ":" + strconv.Itoa(want.ProtocolPort) + " of pool " + poolID,
		kind: kindMember,
		lbID: lbID,
		send: func(ctx context.Context) error {
			o, err := sendObj(ctx, c, http.MethodPost, c.url("pools", poolID, "members"), req, "member",
				memberDecoder(poolID))
			if err == nil {
				out = o
			}
			return err
		},
		lookup: func(ctx context.Context) ([]string, error) {
			items, err := lookupList(ctx, func(ctx context.Context, f Filter) ([]*lb.Member, error) { return c.ListMembers(ctx, poolID, f) },
				Filter{"address": want.Address, "protocol_port": strconv.Itoa(want.ProtocolPort)})
			if err != nil {
				return nil, err
			}
			found := matches(c, items, time.Time{}, memberID, memberCreated, func(x *lb.Member) bool {
				return x.Address == want.Address && x.ProtocolPort == want.ProtocolPort && x.ProvisioningStatus != lb.StatusPendingDelete
			})
			return pick(&out, found, memberID), nil
		},
	})
	if err != nil {
		return nil, err
	}
	c.claim(out.ID)
	return out, nil
}

// GetMember reads a member of a pool; one that is gone or DELETED is an
// error wrapping ErrNotFound.
func (c *Client) GetMember(ctx context.Context, poolID, id string) (*lb.Member, error) {
	o, err := c.getMember(ctx, poolID, id)
	if err != nil {
		return nil, err
	}
	if o.ProvisioningStatus == lb.StatusDeleted {
		return nil, deletedErr(kindMember, id)
	}
	return o, nil
}

// ListMembers lists the pool's members that match f.
func (c *Client) ListMembers(ctx context.Context, poolID string, f Filter) ([]*lb.Member, error) {
	return listObjs(ctx, c, c.url("pools", poolID, "members"), "members", f,
		memberDecoder(poolID))
}

// UpdateMember PUTs name, admin_state_up, weight, backup, monitor_address,
// monitor_port and tags of want in its load balancer's turn.
func (c *Client) UpdateMember(ctx context.Context, poolID, id string, want *lb.Member) (*lb.Member, error) {
	lbID, err := c.lbOfPool(ctx, poolID)
	if err != nil {
		return nil, err
	}
	return putObj(ctx, c, writeOp{what: "updating member " + id + " of pool " + poolID, kind: kindMember, lbID: lbID},
		c.url("pools", poolID, "members", id), updateMemberBody(want), "member", memberDecoder(poolID))
}

// DeleteMember deletes a member in its load balancer's turn; one already
// gone (or whose pool is gone) is success.
func (c *Client) DeleteMember(ctx context.Context, poolID, id string) error {
	lbID, err := c.lbOfPool(ctx, poolID)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}
	return gone(c.write(ctx, writeOp{
		what:     "deleting member " + id + " of pool " + poolID,
		kind:     kindMember,
		lbID:     lbID,
		lbGoneOK: true,
		send:     func(ctx context.Context) error { return c.deleteObj(ctx, c.url("pools", poolID, "members", id)) },
	}))
}

// WaitMember waits for the member (ACTIVE, or gone when deleting) and then
// for its load balancer to be ACTIVE.
func (c *Client) WaitMember(ctx context.Context, action, poolID, id string) (*lb.Member, error) {
	return waitChild(ctx, c, action, kindMember, id,
		func(ctx context.Context) (*lb.Member, error) { return c.getMember(ctx, poolID, id) },
		memberStatus,
		func(ctx context.Context, _ *lb.Member) string { return cachedLB(ctx, c.lbOfPool, poolID) })
}

// lookupList lists with f, and without it when the API refuses the filter
// (400): the lookups filter on their side too.
func lookupList[T any](ctx context.Context, list func(context.Context, Filter) ([]*T, error), f Filter) ([]*T, error) {
	items, err := list(ctx, f)
	if statusOf(err) == http.StatusBadRequest {
		return list(ctx, Filter{})
	}
	return items, err
}

func memberDecoder(poolID string) func(json.RawMessage) (*lb.Member, error) {
	return func(raw json.RawMessage) (*lb.Member, error) { return decodeMember(raw, poolID) }
}
