package octavia

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// clockSkew is how much older than the first attempt (by our clock) an
// object found after a lost create may be: the API stamps created_at with
// its own clock.
const clockSkew = 2 * time.Minute

// Generic request helpers over the decoders of convert.go.

func getObj[T any](ctx context.Context, c *Client, u, root string, dec func(json.RawMessage) (*T, error)) (*T, error) {
	raw, err := c.get(ctx, u, root)
	if err != nil {
		return nil, err
	}
	return dec(raw)
}

func listObjs[T any](ctx context.Context, c *Client, u, root string, f Filter, dec func(json.RawMessage) (*T, error)) ([]*T, error) {
	raws, err := c.list(ctx, u, root, f)
	if err != nil {
		return nil, err
	}
	out := make([]*T, 0, len(raws))
	for _, raw := range raws {
		o, err := dec(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// sendObj sends a POST or PUT and decodes the object answered.
func sendObj[T any](ctx context.Context, c *Client, method, u string, body any, root string, dec func(json.RawMessage) (*T, error)) (*T, error) {
	ok := []int{http.StatusCreated, http.StatusAccepted}
	if method == http.MethodPut {
		ok = []int{http.StatusOK, http.StatusAccepted}
	}
	var env envelope
	if err := c.do(ctx, method, u, body, &env, ok...); err != nil {
		return nil, err
	}
	raw, err := unwrap(env, root, method, u)
	if err != nil {
		return nil, err
	}
	return dec(raw)
}

// deleteObj sends a DELETE; 404 (already gone) and a 400 saying the object
// is already PENDING_DELETE are success.
func (c *Client) deleteObj(ctx context.Context, u string) error {
	err := c.do(ctx, http.MethodDelete, u, nil, nil, http.StatusNoContent, http.StatusAccepted, http.StatusOK)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	var ae *APIError
	if errors.As(err, &ae) && ae.StatusCode == http.StatusBadRequest && strings.Contains(ae.FaultString, "PENDING_DELETE") {
		return nil
	}
	return err
}

// matches collects the objects a lookup found: not claimed by this client
// (made or adopted before), created since the first attempt (with
// clockSkew), accepted by ok.
func matches[T any](c *Client, items []*T, start time.Time, id func(*T) string, created func(*T) time.Time, ok func(*T) bool) []*T {
	var out []*T
	for _, it := range items {
		if c.isClaimed(id(it)) || !ok(it) {
			continue
		}
		if t := created(it); !t.IsZero() && t.Before(start.Add(-clockSkew)) {
			continue
		}
		out = append(out, it)
	}
	return out
}

// pick ends a lookup: with one match it stores it in *dst; it returns the
// IDs of every match.
func pick[T any](dst **T, found []*T, id func(*T) string) []string {
	ids := make([]string, 0, len(found))
	for _, f := range found {
		ids = append(ids, id(f))
	}
	if len(found) == 1 {
		*dst = found[0]
	}
	return ids
}

// gone turns the errGone of a delete into success.
func gone(err error) error {
	if errors.Is(err, errGone) {
		return nil
	}
	return err
}

// deletedErr is the error of a Get that found an object DELETED.
func deletedErr(kind, id string) error {
	return fmt.Errorf("%s %s is DELETED: %w", kind, id, ErrNotFound)
}

// nameOf renders a name for messages.
func nameOf(name string) string {
	if name == "" {
		return ""
	}
	return fmt.Sprintf(" %q", name)
}

// putObj PUTs body to u as op (its what, kind and lbID: in the load
// balancer's turn) and decodes the object under root from the answer.
func putObj[T any](ctx context.Context, c *Client, op writeOp, u string, body any, root string, dec func(json.RawMessage) (*T, error)) (*T, error) {
	var out *T
	op.send = func(ctx context.Context) error {
		o, err := sendObj(ctx, c, http.MethodPut, u, body, root, dec)
		if err == nil {
			out = o
		}
		return err
	}
	if err := c.write(ctx, op); err != nil {
		return nil, err
	}
	return out, nil
}
