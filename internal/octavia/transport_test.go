package octavia

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// failFirst answers the first n requests that match with fail.
func failFirst(n int, match func(*http.Request) bool, fail func(http.ResponseWriter)) func(http.ResponseWriter, *http.Request, []byte) bool {
	var mu sync.Mutex
	left := n
	return func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		if !match(r) {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		if left == 0 {
			return false
		}
		left--
		fail(w)
		return true
	}
}

func TestGetRetriedByTransport(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		fail func(http.ResponseWriter)
	}{
		{"503", func(w http.ResponseWriter) { writeFault(w, http.StatusServiceUnavailable, "busy") }},
		{"429", func(w http.ResponseWriter) { writeFault(w, http.StatusTooManyRequests, "slow down") }},
		{"connection", cut},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			lbID := f.addLB()
			f.hook = failFirst(2, func(r *http.Request) bool { return r.Method == http.MethodGet }, tc.fail)
			var mu sync.Mutex
			var logged []string
			c := f.client(t, func(cfg *Config) {
				cfg.Logf = func(_ context.Context, msg string, _ ...any) {
					mu.Lock()
					logged = append(logged, msg)
					mu.Unlock()
				}
			})
			got, err := c.GetLoadBalancer(t.Context(), lbID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != lbID {
				t.Errorf("got %+v", got)
			}
			if n := f.count("GET", "loadbalancers/"+lbID); n != 3 {
				t.Errorf("%d GETs, want 3", n)
			}
			mu.Lock()
			defer mu.Unlock()
			if !slices.Contains(logged, "octavia: retrying request") {
				t.Errorf("retries not logged: %v", logged)
			}
		})
	}
}

func TestGetGivesUpAfterMaxRetries(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	f.hook = failFirst(100, func(r *http.Request) bool { return r.Method == http.MethodGet }, func(w http.ResponseWriter) {
		writeFault(w, http.StatusBadGateway, "Bad Gateway from the proxy")
	})
	c := f.client(t, func(cfg *Config) { cfg.MaxRetries = 2 })
	_, err := c.GetLoadBalancer(t.Context(), lbID)
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadGateway || ae.FaultString != "Bad Gateway from the proxy" {
		t.Fatalf("err = %v, want the last 502 with its faultstring", err)
	}
	if n := f.count("GET", "loadbalancers/"+lbID); n != 3 {
		t.Errorf("%d GETs, want 1 + 2 retries", n)
	}
}

func TestPutAndDeleteRetriedByTransport(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	poolID := f.addPool(lbID)
	put := func(r *http.Request) bool { return r.Method == http.MethodPut }
	f.hook = failFirst(1, put, func(w http.ResponseWriter) { writeFault(w, http.StatusInternalServerError, "oops") })
	c := f.client(t)
	got, err := c.UpdatePool(t.Context(), poolID, &lb.Pool{Name: "renamed", LBAlgorithm: "ROUND_ROBIN", AdminStateUp: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "renamed" {
		t.Errorf("got %+v", got)
	}
	if n := f.count("PUT", "pools/"+poolID); n != 2 {
		t.Errorf("%d PUTs, want 2", n)
	}
	del := func(r *http.Request) bool { return r.Method == http.MethodDelete }
	f.hook = failFirst(1, del, cut)
	if err := c.DeletePool(t.Context(), poolID); err != nil {
		t.Fatal(err)
	}
	if n := f.count("DELETE", "pools/"+poolID); n != 2 {
		t.Errorf("%d DELETEs, want 2", n)
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := f.client(t)
	_, err := c.GetListener(t.Context(), "nope")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 404 || !strings.Contains(ae.FaultString, "not found") {
		t.Errorf("err = %#v", err)
	}
	if n := f.count("GET", "listeners/nope"); n != 1 {
		t.Errorf("a 404 was retried: %d GETs", n)
	}
	// A DELETED object is not found either.
	id := f.put("loadbalancers", map[string]any{"provisioning_status": "DELETED"})
	if _, err := c.GetLoadBalancer(t.Context(), id); !errors.Is(err, ErrNotFound) {
		t.Errorf("DELETED: err = %v", err)
	}
}

func TestRequestsCarryContext(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	release := make(chan struct{})
	f.hook = func(_ http.ResponseWriter, r *http.Request, _ []byte) bool {
		if r.Method == http.MethodGet {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		return false
	}
	defer close(release)
	c := f.client(t)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetLoadBalancer(ctx, lbID)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("the request outlived its context: %v", time.Since(start))
	}
}

func TestBatchUpdateMembers(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	poolID := f.addPool(lbID)
	var got struct {
		Members []map[string]any `json:"members"`
	}
	var query string
	f.hook = func(_ http.ResponseWriter, r *http.Request, body []byte) bool {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/members") {
			query = r.URL.RawQuery
			if err := json.Unmarshal(body, &got); err != nil {
				t.Error(err)
			}
		}
		return false
	}
	c := f.client(t)
	port := 9000
	err := c.BatchUpdateMembers(t.Context(), poolID, []*lb.Member{
		{Address: "192.0.2.1", ProtocolPort: 80, Weight: 1, AdminStateUp: true},
		{Address: "192.0.2.2", ProtocolPort: 80, Weight: 0, Backup: true, MonitorPort: &port, Tags: []string{"a"}},
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	if query != "additive_only=true" {
		t.Errorf("query %q", query)
	}
	if len(got.Members) != 2 || got.Members[1]["weight"] != float64(0) || got.Members[1]["monitor_port"] != float64(9000) ||
		got.Members[0]["admin_state_up"] != true || got.Members[1]["backup"] != true {
		t.Errorf("body %v", got.Members)
	}
	// The call returns once the load balancer is ACTIVE again.
	if st := f.status("loadbalancers", lbID); st != lb.StatusActive {
		t.Errorf("load balancer %s after the batch", st)
	}
}

func TestLoadBalancerStatus(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	c := f.client(t)
	tree, err := c.LoadBalancerStatus(t.Context(), lbID)
	if err != nil {
		t.Fatal(err)
	}
	n := tree.LoadBalancer
	if n.ID != lbID || n.OperatingStatus != "ONLINE" || len(n.Listeners) != 1 || len(n.Listeners[0].Pools) != 1 {
		t.Fatalf("tree %+v", tree)
	}
	p := n.Listeners[0].Pools[0]
	if p.HealthMonitor == nil || p.HealthMonitor.Type != "HTTP" || len(p.Members) != 1 || p.Members[0].ProtocolPort != 80 {
		t.Errorf("pool node %+v", p)
	}
}

func TestListFollowsPages(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.hook = func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		if r.Method != http.MethodGet || r.URL.Path != fakePrefix+"listeners" {
			return false
		}
		q := r.URL.Query()
		if q.Get("loadbalancer_id") != "lb-9" {
			t.Errorf("filter lost: %v", q)
		}
		page := []any{map[string]any{"id": "a"}, map[string]any{"id": "b"}}
		links := []any{map[string]any{"rel": "next", "href": "http://elsewhere.invalid/v2.0/lbaas/listeners?limit=2&marker=b"}}
		if q.Get("marker") == "b" {
			page = []any{map[string]any{"id": "c"}}
			links = []any{map[string]any{"rel": "previous", "href": "http://elsewhere.invalid/x?marker=c&page_reverse=True"}}
		}
		writeJSON(w, http.StatusOK, map[string]any{"listeners": page, "listeners_links": links})
		return true
	}
	c := f.client(t)
	got, err := c.ListListeners(t.Context(), Filter{"loadbalancer_id": "lb-9"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range got {
		ids = append(ids, l.ID)
	}
	if !slices.Equal(ids, []string{"a", "b", "c"}) {
		t.Errorf("ids %v", ids)
	}
}

func TestUserAgentAndToken(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	var ua, token string
	f.hook = func(_ http.ResponseWriter, r *http.Request, _ []byte) bool {
		ua, token = r.Header.Get("User-Agent"), r.Header.Get("X-Auth-Token")
		_, _ = io.Copy(io.Discard, r.Body)
		return false
	}
	c := f.client(t, func(cfg *Config) { cfg.UserAgent = "terraform-provider-lbaas/test"; cfg.Token = "tok" })
	if _, err := c.GetLoadBalancer(t.Context(), lbID); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ua, "terraform-provider-lbaas/test") || token != "tok" {
		t.Errorf("User-Agent %q, token %q", ua, token)
	}
}

func TestRetryBackoff(t *testing.T) {
	t.Parallel()
	c := &Client{poll: PollConfig{}.withDefaults()}
	lo, hi := c.poll.Initial, c.poll.Max
	for attempt, base := range []time.Duration{200, 400, 800, 1600, 2000, 2000} {
		base *= time.Millisecond
		d := c.retryBackoff(lo, hi, attempt, nil)
		if d > hi || d < base*8/10 || d > base*12/10 {
			t.Errorf("attempt %d: %v, want %v±20%% and ≤ %v", attempt, d, base, hi)
		}
	}
	resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"1"}}}
	if d := c.retryBackoff(lo, hi, 0, resp); d != time.Second {
		t.Errorf("Retry-After 1: %v", d)
	}
	resp.Header.Set("Retry-After", "3600")
	if d := c.retryBackoff(lo, hi, 0, resp); d != hi {
		t.Errorf("Retry-After 3600: %v, want the cap", d)
	}
}
