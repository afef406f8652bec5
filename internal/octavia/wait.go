package octavia

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// backoff yields capped exponential intervals with jitter.
type backoff struct {
	cfg  PollConfig
	base time.Duration
}

func (c *Client) newBackoff() *backoff { return &backoff{cfg: c.poll, base: c.poll.Initial} }

// next returns the interval to wait now and grows the following one.
func (b *backoff) next() time.Duration {
	d := jitter(b.base, b.cfg.Jitter, b.cfg.Max)
	b.base = min(time.Duration(float64(b.base)*b.cfg.Multiplier), b.cfg.Max)
	return d
}

// Kinds as diagnostics name them.
const (
	kindLoadBalancer  = "load balancer"
	kindListener      = "listener"
	kindPool          = "pool"
	kindMember        = "member"
	kindHealthMonitor = "health monitor"
	kindL7Policy      = "L7 policy"
	kindL7Rule        = "L7 rule"
)

// waitSpec describes one wait on one object's provisioning_status.
type waitSpec struct {
	action    string // ActionCreate, ActionUpdate, ActionDelete, or a phrase
	kind, id  string
	immediate bool // first GET at once rather than after the first interval
	// errorOK makes ERROR a success (a load balancer may be deleted in
	// ERROR). The other goal is ACTIVE, or gone when action is
	// ActionDelete.
	errorOK bool
}

// waitFor polls get, one GET per interval, until the object reaches the
// goal of w. It returns the last object read (nil when gone), a
// *StatusError on ERROR, a *TimeoutError when ctx's deadline passes, an
// error wrapping ErrNotFound when the object is gone and that is not the
// goal, and any 4xx at once. Connection errors and 5xx (already retried by
// the transport) only make it poll again.
func waitFor[T any](ctx context.Context, c *Client, w waitSpec, get func(context.Context) (*T, error), status func(*T) string) (*T, error) {
	start := time.Now()
	b := c.newBackoff()
	last := "unknown"
	var lastErr error
	deleting := w.action == ActionDelete
	for i := 0; ; i++ {
		if i > 0 || !w.immediate {
			if err := c.sleep(ctx, b.next()); err != nil {
				return nil, waitEnded(ctx, w, last, lastErr, time.Since(start))
			}
		}
		obj, err := get(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil, waitEnded(ctx, w, last, lastErr, time.Since(start))
			}
			if errors.Is(err, ErrNotFound) {
				if deleting {
					return nil, nil
				}
				return nil, fmt.Errorf("%s %s %s: it disappeared (last seen %s): %w", w.action, w.kind, w.id, last, err)
			}
			if s := statusOf(err); s >= 400 && s < 500 {
				return nil, fmt.Errorf("%s %s %s: %w", w.action, w.kind, w.id, err)
			}
			lastErr = err
			c.logf(ctx, "octavia: polling failed, will poll again", "kind", w.kind, "id", w.id, "error", err.Error())
			continue
		}
		lastErr = nil
		st := status(obj)
		if st != last {
			c.logf(ctx, "octavia: provisioning_status", "kind", w.kind, "id", w.id, "status", st, "waited", time.Since(start).String())
		}
		last = st
		switch {
		case st == lb.StatusDeleted && deleting:
			return nil, nil
		case st == lb.StatusDeleted:
			return nil, fmt.Errorf("%s %s %s: it was deleted: %w", w.action, w.kind, w.id, ErrNotFound)
		case st == lb.StatusError && w.errorOK:
			return obj, nil
		case st == lb.StatusError:
			return nil, &StatusError{Action: w.action, Kind: w.kind, ID: w.id, Status: st}
		case !deleting && st == lb.StatusActive:
			return obj, nil
		}
	}
}

// waitEnded is the error of a wait whose context ended.
func waitEnded(ctx context.Context, w waitSpec, last string, lastErr error, waited time.Duration) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		status := last
		if lastErr != nil {
			status += " (last poll failed: " + lastErr.Error() + ")"
		}
		return &TimeoutError{Action: w.action, Kind: w.kind, ID: w.id, Status: status, Waited: waited.Round(time.Millisecond)}
	}
	return fmt.Errorf("%s %s %s: %w", w.action, w.kind, w.id, ctx.Err())
}

func lbStatus(o *lb.LoadBalancer) string       { return o.ProvisioningStatus }
func listenerStatus(o *lb.Listener) string     { return o.ProvisioningStatus }
func poolStatus(o *lb.Pool) string             { return o.ProvisioningStatus }
func memberStatus(o *lb.Member) string         { return o.ProvisioningStatus }
func monitorStatus(o *lb.HealthMonitor) string { return o.ProvisioningStatus }
func policyStatus(o *lb.L7Policy) string       { return o.ProvisioningStatus }
func ruleStatus(o *lb.L7Rule) string           { return o.ProvisioningStatus }

// getLB is GetLoadBalancer without the DELETED → ErrNotFound mapping, for
// waits.
func (c *Client) getLB(ctx context.Context, id string) (*lb.LoadBalancer, error) {
	raw, err := c.get(ctx, c.url("loadbalancers", id), "loadbalancer")
	if err != nil {
		return nil, err
	}
	return decodeLoadBalancer(raw)
}

// WaitLoadBalancer polls the load balancer until it is ACTIVE (or gone,
// when action is ActionDelete).
func (c *Client) WaitLoadBalancer(ctx context.Context, action, id string) (*lb.LoadBalancer, error) {
	return waitFor(ctx, c, waitSpec{action: action, kind: kindLoadBalancer, id: id},
		func(ctx context.Context) (*lb.LoadBalancer, error) { return c.getLB(ctx, id) }, lbStatus)
}

// waitParent waits for the load balancer (or another parent) of what
// (e.g. "creating member 1f2…") to reach the goal of w. Its errors name
// what: a *TimeoutError says "… while <what>", a *StatusError is wrapped
// as "<what>: waiting for <kind> <id>: provisioning_status ERROR".
func waitParent[T any](ctx context.Context, c *Client, what string, w waitSpec, get func(context.Context) (*T, error), status func(*T) string) (*T, error) {
	w.action = "waiting for"
	obj, err := waitFor(ctx, c, w, get, status)
	var te *TimeoutError
	if errors.As(err, &te) {
		te.Action = what
		return nil, te
	}
	if err != nil {
		var se *StatusError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%s: %w", what, se)
		}
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return obj, nil
}

// waitLBAfterChild waits for a child's load balancer to be ACTIVE again
// after the child reached its goal. A load balancer that is gone is fine
// when deleting.
func (c *Client) waitLBAfterChild(ctx context.Context, action, kind, id, lbID string) error {
	if lbID == "" {
		return nil
	}
	_, err := waitParent(ctx, c, action+" "+kind+" "+id, waitSpec{kind: kindLoadBalancer, id: lbID, immediate: true},
		func(ctx context.Context) (*lb.LoadBalancer, error) { return c.getLB(ctx, lbID) }, lbStatus)
	if err != nil && action == ActionDelete && errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// waitChild waits for a child object, then for its load balancer (found
// by lbOf, from the object or the client's cache).
func waitChild[T any](ctx context.Context, c *Client, action, kind, id string, get func(context.Context) (*T, error), status func(*T) string, lbOf func(context.Context, *T) string) (*T, error) {
	obj, err := waitFor(ctx, c, waitSpec{action: action, kind: kind, id: id}, get, status)
	if err != nil {
		return nil, err
	}
	if err := c.waitLBAfterChild(ctx, action, kind, id, lbOf(ctx, obj)); err != nil {
		return nil, err
	}
	return obj, nil
}
