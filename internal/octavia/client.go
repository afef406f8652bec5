package octavia

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2"
)

var _ API = (*Client)(nil)

// Client is the API over gophercloud. It is safe for concurrent use; one
// Client should serve a whole provider so that its write queue sees every
// write.
type Client struct {
	sc                *gophercloud.ServiceClient
	poll              PollConfig
	maxRetries        int
	maxCreateAttempts int
	logfn             func(ctx context.Context, msg string, kv ...any)

	locks *lockTable
	// sleep waits between polls and attempts (tests observe it).
	sleep func(ctx context.Context, d time.Duration) error

	mu      sync.Mutex
	parents map[string]string   // "listener/<id>" → load balancer ID, "member-pool/<id>"…
	claimed map[string]struct{} // IDs this client created or adopted
}

func newClient(s *settings) *Client {
	return &Client{
		poll:              s.Poll,
		maxRetries:        s.MaxRetries,
		maxCreateAttempts: s.MaxCreateAttempts,
		logfn:             s.Logf,
		locks:             newLockTable(),
		sleep:             sleep,
		parents:           map[string]string{},
		claimed:           map[string]struct{}{},
	}
}

// ServiceClient returns the gophercloud client the Client sends through
// (for callers that need a request this package does not make).
func (c *Client) ServiceClient() *gophercloud.ServiceClient { return c.sc }

// Endpoint is the base URL of the API's resources (…/v2.0/).
func (c *Client) Endpoint() string { return c.sc.ResourceBaseURL() }

func (c *Client) logf(ctx context.Context, msg string, kv ...any) {
	if c.logfn != nil {
		c.logfn(ctx, msg, kv...)
	}
}

// url builds an lbaas URL from path parts, escaping each.
func (c *Client) url(parts ...string) string {
	esc := make([]string, 0, len(parts)+1)
	esc = append(esc, "lbaas")
	for _, p := range parts {
		esc = append(esc, url.PathEscape(p))
	}
	return c.sc.ServiceURL(esc...)
}

// envelope is a response body: its root keys.
type envelope map[string]json.RawMessage

// do sends one request through gophercloud; out (if not nil) receives the
// decoded body. Errors with a status are *APIError.
func (c *Client) do(ctx context.Context, method, u string, body any, out *envelope, ok ...int) error {
	opts := &gophercloud.RequestOpts{OkCodes: ok}
	if out != nil {
		opts.JSONResponse = out
	}
	if body != nil {
		opts.JSONBody = body
	}
	var resp *http.Response
	var err error
	switch method {
	case http.MethodGet:
		resp, err = c.sc.Get(ctx, u, nil, opts)
	case http.MethodPost:
		resp, err = c.sc.Post(ctx, u, nil, nil, opts)
	case http.MethodPut:
		resp, err = c.sc.Put(ctx, u, nil, nil, opts)
	case http.MethodDelete:
		resp, err = c.sc.Delete(ctx, u, opts)
	default:
		return fmt.Errorf("method %s not supported", method)
	}
	if resp != nil && resp.Body != nil {
		// gophercloud has read and closed it already; closing again is a
		// no-op that keeps that visible here.
		_ = resp.Body.Close()
	}
	return asAPIError(err)
}

// get reads one object: GET u → {root: {...}}.
func (c *Client) get(ctx context.Context, u, root string) (json.RawMessage, error) {
	var env envelope
	if err := c.do(ctx, http.MethodGet, u, nil, &env, http.StatusOK); err != nil {
		return nil, err
	}
	return unwrap(env, root, http.MethodGet, u)
}

func unwrap(env envelope, root, method, u string) (json.RawMessage, error) {
	raw, ok := env[root]
	if !ok || len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, fmt.Errorf("%s %s: the answer has no %q", method, u, root)
	}
	return raw, nil
}

// maxPages bounds a list's pagination.
const maxPages = 10000

// list reads a collection, following <coll>_links "next" until the end.
func (c *Client) list(ctx context.Context, u, root string, f Filter) ([]json.RawMessage, error) {
	q := url.Values{}
	for k, v := range f {
		q.Set(k, v)
	}
	var all []json.RawMessage
	seen := map[string]bool{}
	for range maxPages {
		page := u
		if len(q) > 0 {
			page += "?" + q.Encode()
		}
		var env envelope
		if err := c.do(ctx, http.MethodGet, page, nil, &env, http.StatusOK); err != nil {
			return nil, err
		}
		var items []json.RawMessage
		if raw, ok := env[root]; ok && len(raw) > 0 && !bytes.Equal(raw, []byte("null")) {
			if err := json.Unmarshal(raw, &items); err != nil {
				return nil, fmt.Errorf("GET %s: %q: %w", page, root, err)
			}
		}
		all = append(all, items...)
		next := nextMarker(env[root+"_links"])
		if next == nil || len(items) == 0 {
			return all, nil
		}
		key := next.Encode()
		if seen[key] {
			return all, nil
		}
		seen[key] = true
		// Keep our own base URL (the API may not know how we reach it),
		// take the next page's query and keep our filters.
		for k, v := range f {
			if !next.Has(k) {
				next.Set(k, v)
			}
		}
		q = next
	}
	return all, nil
}

// nextMarker returns the query of the "next" link, if any.
func nextMarker(raw json.RawMessage) url.Values {
	var links []struct {
		Rel  string `json:"rel"`
		Href string `json:"href"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &links) != nil {
		return nil
	}
	for _, l := range links {
		if l.Rel != "next" {
			continue
		}
		if u, err := url.Parse(l.Href); err == nil {
			return u.Query()
		}
	}
	return nil
}

// parent returns a cached parent ID ("listener/<id>" → load balancer ID).
func (c *Client) parent(key string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.parents[key]
}

func (c *Client) setParent(key, id string) {
	if id == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.parents[key] = id
}

func (c *Client) claim(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.claimed[id] = struct{}{}
}

func (c *Client) isClaimed(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.claimed[id]
	return ok
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
