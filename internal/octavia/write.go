package octavia

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// writeOp is one write (create, update, delete) as the write queue runs
// it.
type writeOp struct {
	what string // "creating member on pool 1f2…", for errors and logs
	kind string
	// lbID is the load balancer whose turn the write takes and that must be
	// ACTIVE before it is sent; empty only when creating a load balancer.
	lbID string
	// lbErrorOK lets the write go to a load balancer in ERROR (deleting a
	// load balancer).
	lbErrorOK bool
	// lbGoneOK makes a load balancer that is gone end the write with
	// errGone (deletes: nothing is left to delete).
	lbGoneOK bool
	// send makes one attempt.
	send func(ctx context.Context) error
	// settle keeps the turn after the write was accepted until the load
	// balancer is ACTIVE again (batch member updates).
	settle bool
	// lookup, for creates, looks for the object a lost attempt may have
	// made; it keeps what it found and returns its ID, or the IDs of
	// every candidate when more than one matches.
	lookup func(ctx context.Context) (candidates []string, err error)
}

// errGone ends a write whose load balancer no longer exists.
var errGone = errors.New("load balancer gone")

// write runs op under its load balancer's turn: it waits for the turn
// (FIFO), waits for the load balancer to be ACTIVE, sends, and on a 409
// that only says "busy" waits and sends again until ctx ends. For creates,
// an attempt whose outcome is unknown is followed by a lookup before any
// other attempt; an object found is adopted. The turn ends when the write
// is accepted: the next writer in line starts by waiting for the load
// balancer to be ACTIVE again, so no write of ours meets the PENDING_UPDATE
// of another, and a create can return (and its ID reach the state) at
// once.
func (c *Client) write(ctx context.Context, op writeOp) error {
	if op.lbID != "" {
		release, err := c.locks.lock(ctx, op.lbID)
		if err != nil {
			return fmt.Errorf("%s: waiting for the turn to write to load balancer %s: %w", op.what, op.lbID, err)
		}
		defer release()
	}
	b := c.newBackoff()
	attempts := 0    // sends that failed without an answer
	unknown := false // some attempt may have created the object
	var lastErr error
	// ended is the result of a write whose context ended: a create that
	// may have made its object still looks for it (graceLookup).
	ended := func(err error, maybeSent bool) error {
		if op.lookup != nil && (unknown || maybeSent) && c.graceLookup(ctx, op) {
			return nil
		}
		if lastErr != nil && !errors.Is(err, lastErr) {
			return fmt.Errorf("%w (before: %w)", err, lastErr)
		}
		return err
	}
	for {
		if op.lbID != "" {
			if err := c.awaitWritable(ctx, op); err != nil {
				if ctx.Err() != nil {
					return ended(err, false)
				}
				return err
			}
		}
		if unknown {
			found, retry, err := c.adopt(ctx, op, attempts, lastErr)
			switch {
			case found:
				return nil
			case ctx.Err() != nil:
				return ended(fmt.Errorf("%s: %w", op.what, ctx.Err()), false)
			case retry:
				// The lookup failed: never send again blindly.
				attempts++
				lastErr = err
				if attempts >= c.maxCreateAttempts {
					return &AmbiguousCreateError{Kind: op.kind, Attempts: attempts, Err: err}
				}
				if err := c.sleep(ctx, b.next()); err != nil {
					return ended(fmt.Errorf("%s: %w", op.what, err), false)
				}
				continue
			case err != nil:
				return err
			}
		}
		if attempts >= c.maxCreateAttempts {
			if unknown {
				return &AmbiguousCreateError{Kind: op.kind, Attempts: attempts, Err: lastErr}
			}
			return fmt.Errorf("%s: %w", op.what, lastErr)
		}
		sendErr := op.send(ctx)
		if sendErr == nil {
			if op.settle {
				_, err := waitParent(ctx, c, op.what, waitSpec{kind: kindLoadBalancer, id: op.lbID},
					func(ctx context.Context) (*lb.LoadBalancer, error) { return c.getLB(ctx, op.lbID) }, lbStatus)
				return err
			}
			return nil
		}
		if ctx.Err() != nil {
			return ended(fmt.Errorf("%s: %w", op.what, sendErr), !neverSent(sendErr))
		}
		if blk, busy := busyConflict(sendErr); busy {
			c.logf(ctx, "octavia: load balancer busy, will retry", "what", op.what, "error", sendErr.Error())
			if err := c.awaitBlocker(ctx, op, blk); err != nil {
				if ctx.Err() != nil {
					return ended(err, false)
				}
				return err
			}
			if err := c.sleep(ctx, b.next()); err != nil {
				return ended(fmt.Errorf("%s: %w (last answer: %w)", op.what, err, sendErr), false)
			}
			continue
		}
		if op.lookup == nil {
			return fmt.Errorf("%s: %w", op.what, sendErr)
		}
		switch {
		case unknown && isConflict(sendErr):
			// A duplicate: the lost attempt did create it after all.
			found, _, err := c.adopt(ctx, op, attempts, sendErr)
			if found {
				return nil
			}
			if err != nil {
				return err
			}
			return fmt.Errorf("%s: %w", op.what, sendErr)
		case neverSent(sendErr):
			attempts++
			lastErr = sendErr
		case ambiguous(sendErr):
			attempts++
			lastErr = sendErr
			unknown = true
			c.logf(ctx, "octavia: create outcome unknown, will look it up before trying again", "what", op.what, "attempt", attempts, "error", sendErr.Error())
		default:
			return fmt.Errorf("%s: %w", op.what, sendErr)
		}
		if err := c.sleep(ctx, b.next()); err != nil {
			return ended(fmt.Errorf("%s: %w", op.what, err), false)
		}
	}
}

// adopt runs op's lookup. found: the object was made and is adopted;
// retry: the lookup failed and should be tried again (err says why); err
// alone: there is no single answer.
func (c *Client) adopt(ctx context.Context, op writeOp, attempts int, cause error) (found, retry bool, err error) {
	candidates, err := op.lookup(ctx)
	switch {
	case err != nil:
		if ctx.Err() != nil {
			return false, false, fmt.Errorf("%s: looking for the object of a lost attempt: %w", op.what, err)
		}
		c.logf(ctx, "octavia: lookup failed", "what", op.what, "error", err.Error())
		return false, true, fmt.Errorf("%w; looking it up: %w", cause, err)
	case len(candidates) == 1:
		c.logf(ctx, "octavia: adopted the object of a lost create", "what", op.what, "id", candidates[0])
		return true, false, nil
	case len(candidates) > 1:
		return false, false, &AmbiguousCreateError{Kind: op.kind, Attempts: attempts, Candidates: candidates, Err: cause}
	}
	return false, false, nil
}

// graceLookup looks for the object of a create whose context ended while
// its POST was in flight, with a context of its own bounded by
// PollConfig.Grace, so that an object the API made is returned (and saved)
// rather than orphaned.
func (c *Client) graceLookup(ctx context.Context, op writeOp) bool {
	gctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.poll.Grace)
	defer cancel()
	candidates, err := op.lookup(gctx)
	if err == nil && len(candidates) == 1 {
		c.logf(ctx, "octavia: adopted the object of a create cut short", "what", op.what, "id", candidates[0])
		return true
	}
	return false
}

// awaitWritable waits until op's load balancer may take a write.
func (c *Client) awaitWritable(ctx context.Context, op writeOp) error {
	_, err := waitParent(ctx, c, op.what,
		waitSpec{kind: kindLoadBalancer, id: op.lbID, immediate: true, errorOK: op.lbErrorOK},
		func(ctx context.Context) (*lb.LoadBalancer, error) { return c.getLB(ctx, op.lbID) }, lbStatus)
	if err != nil && op.lbGoneOK && errors.Is(err, ErrNotFound) {
		return errGone
	}
	return err
}

// awaitBlocker waits for the object a busy 409 names (a pool, listener, L7
// policy or health monitor that must be ACTIVE), and fails when it is in
// ERROR. The load balancer itself is awaited by the next round.
func (c *Client) awaitBlocker(ctx context.Context, op writeOp, blk blocker) error {
	var coll, root, kind string
	switch blk.resource {
	case "pool":
		coll, root, kind = "pools", "pool", kindPool
	case "listener":
		coll, root, kind = "listeners", "listener", kindListener
	case "l7policy":
		coll, root, kind = "l7policies", "l7policy", kindL7Policy
	case "healthmonitor":
		coll, root, kind = "healthmonitors", "healthmonitor", kindHealthMonitor
	default:
		return nil
	}
	type statusOnly struct {
		ProvisioningStatus string `json:"provisioning_status"`
	}
	_, err := waitParent(ctx, c, op.what, waitSpec{kind: kind, id: blk.id, immediate: true},
		func(ctx context.Context) (*statusOnly, error) {
			raw, err := c.get(ctx, c.url(coll, blk.id), root)
			if err != nil {
				return nil, err
			}
			var s statusOnly
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, err
			}
			return &s, nil
		},
		func(s *statusOnly) string { return s.ProvisioningStatus })
	if err != nil && op.lbGoneOK && errors.Is(err, ErrNotFound) {
		return errGone
	}
	return err
}
