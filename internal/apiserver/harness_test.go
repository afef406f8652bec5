package apiserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/network"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// Test doubles below the driver interfaces; the store is the real SQLite one.

// Subnets the fake network knows.
const (
	subnetID  = "3a3e4f30-5d7c-4a2b-9a65-1f0e8c8f0001"
	networkID = "3a3e4f30-5d7c-4a2b-9a65-1f0e8c8f0002"
	subnet2ID = "3a3e4f30-5d7c-4a2b-9a65-1f0e8c8f0003"
	missingID = "3a3e4f30-5d7c-4a2b-9a65-1f0e8c8f9999"
)

// fakeNetwork allocates VIPs from 198.51.100.0/24 (subnetID) and
// 203.0.113.0/24 (subnet2ID), both on networkID.
type fakeNetwork struct {
	mu      sync.Mutex
	byLB    map[string]network.VIP
	freed   []string
	subnets map[string]netip.Prefix
}

func newFakeNetwork() *fakeNetwork {
	return &fakeNetwork{
		byLB: map[string]network.VIP{},
		subnets: map[string]netip.Prefix{
			subnetID:  netip.MustParsePrefix("198.51.100.0/24"),
			subnet2ID: netip.MustParsePrefix("203.0.113.0/24"),
		},
	}
}

func (n *fakeNetwork) AllocateVIP(_ context.Context, lbID string, req network.VIPRequest) (network.VIP, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if v, ok := n.byLB[lbID]; ok {
		return v, nil
	}
	if req.PortID != "" {
		return network.VIP{}, network.ErrSubnetNotFound
	}
	sub := req.SubnetID
	if sub == "" {
		if req.NetworkID != networkID {
			return network.VIP{}, network.ErrSubnetNotFound
		}
		sub = subnetID
	}
	prefix, ok := n.subnets[sub]
	if !ok {
		return network.VIP{}, network.ErrSubnetNotFound
	}
	used := func(a string) bool {
		for _, v := range n.byLB {
			if v.Address == a {
				return true
			}
		}
		return false
	}
	addr := req.Address
	if addr != "" {
		a, err := netip.ParseAddr(addr)
		if err != nil || !prefix.Contains(a) {
			return network.VIP{}, network.ErrNoAddress
		}
		if used(addr) {
			return network.VIP{}, network.ErrAddressInUse
		}
	} else {
		a := prefix.Addr()
		for i := 0; i < 10; i++ {
			a = a.Next()
		}
		for used(a.String()) {
			a = a.Next()
		}
		addr = a.String()
	}
	v := network.VIP{PortID: portOf(lbID), NetworkID: networkID, SubnetID: sub, Address: addr}
	n.byLB[lbID] = v
	return v, nil
}

func (n *fakeNetwork) DeallocateVIP(_ context.Context, lbID string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.byLB, lbID)
	n.freed = append(n.freed, lbID)
	return nil
}

func (n *fakeNetwork) allocated() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.byLB)
}

// recorder is the controller double: it records Enqueue calls.
type recorder struct {
	mu  sync.Mutex
	ids []string
}

func (r *recorder) Enqueue(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ids = append(r.ids, id)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ids)
}

// fakeStats reports fixed counters per listener.
type fakeStats struct {
	mu    sync.Mutex
	stats map[string]Stats
	panic bool
}

func (f *fakeStats) ListenerStats(_ context.Context, _ *lb.LoadBalancer) (map[string]Stats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.panic {
		panic("stats source exploded")
	}
	out := map[string]Stats{}
	for k, v := range f.stats {
		out[k] = v
	}
	return out, nil
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type harness struct {
	t     *testing.T
	store store.Store
	h     http.Handler
	ctrl  *recorder
	net   *fakeNetwork
	stats *fakeStats
	clock *clock
	logs  *bytes.Buffer
	logMu *sync.Mutex
}

// lockedWriter serializes writes of the handler's logger.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "lbaas.db"))
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	h := &harness{
		t:     t,
		store: st,
		ctrl:  &recorder{},
		net:   newFakeNetwork(),
		stats: &fakeStats{stats: map[string]Stats{}},
		clock: &clock{t: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)},
		logs:  &bytes.Buffer{},
		logMu: &sync.Mutex{},
	}
	var seq int
	var seqMu sync.Mutex
	newID := func() string {
		seqMu.Lock()
		defer seqMu.Unlock()
		seq++
		return fmt.Sprintf("00000000-0000-4000-8000-%012d", seq)
	}
	logger := slog.New(slog.NewTextHandler(lockedWriter{h.logMu, h.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	handler, err := New(Config{
		Store:            st,
		Network:          h.net,
		Controller:       h.ctrl,
		Stats:            h.stats,
		DefaultProjectID: "default-project",
		Logger:           logger,
		Now:              h.clock.now,
		NewID:            newID,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.h = handler
	return h
}

// response is a decoded answer.
type response struct {
	status int
	body   []byte
	json   map[string]any
	header http.Header
}

func (r response) obj(key string) map[string]any {
	m, _ := r.json[key].(map[string]any)
	return m
}

func (r response) list(key string) []any {
	l, _ := r.json[key].([]any)
	return l
}

// do sends a request; body is a string (sent as it is) or a value
// (marshalled).
func (h *harness) do(method, path string, body any) response {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			h.t.Fatalf("marshal: %v", err)
		}
		rd = bytes.NewReader(data)
	}
	req := httptest.NewRequestWithContext(h.t.Context(), method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	res := response{status: rec.Code, body: rec.Body.Bytes(), header: rec.Header()}
	if len(res.body) > 0 {
		var v any
		if err := json.Unmarshal(res.body, &v); err != nil {
			h.t.Fatalf("%s %s: answer is not JSON: %v: %q", method, path, err, res.body)
		}
		res.json, _ = v.(map[string]any)
	}
	return res
}

// must sends a request and fails the test unless the status is want.
func (h *harness) must(want int, method, path string, body any) response {
	h.t.Helper()
	r := h.do(method, path, body)
	if r.status != want {
		h.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, want, r.body)
	}
	return r
}

// settle plays the controller: every PENDING_* object becomes ACTIVE (HM,
// L7 policies and rules ONLINE), PENDING_DELETE children are removed and a
// PENDING_DELETE load balancer becomes DELETED.
func (h *harness) settle(lbID string) {
	h.t.Helper()
	err := h.store.UpdateLoadBalancer(context.Background(), lbID, func(g *lb.LoadBalancer) error {
		act := func(s *string) bool {
			switch *s {
			case lb.StatusPendingCreate, lb.StatusPendingUpdate:
				*s = lb.StatusActive
			case lb.StatusPendingDelete:
				return false
			}
			return true
		}
		if g.ProvisioningStatus == lb.StatusPendingDelete {
			g.ProvisioningStatus = lb.StatusDeleted
			g.Listeners, g.Pools = nil, nil
			return nil
		}
		act(&g.ProvisioningStatus)
		var ls []*lb.Listener
		for _, li := range g.Listeners {
			if !act(&li.ProvisioningStatus) {
				continue
			}
			var ps []*lb.L7Policy
			for _, p := range li.L7Policies {
				if !act(&p.ProvisioningStatus) {
					continue
				}
				p.OperatingStatus = lb.OperatingOnline
				var rs []*lb.L7Rule
				for _, r := range p.Rules {
					if act(&r.ProvisioningStatus) {
						r.OperatingStatus = lb.OperatingOnline
						rs = append(rs, r)
					}
				}
				p.Rules = rs
				ps = append(ps, p)
			}
			renumberPolicies(&lb.Listener{L7Policies: ps})
			li.L7Policies = ps
			ls = append(ls, li)
		}
		g.Listeners = ls
		var pools []*lb.Pool
		for _, p := range g.Pools {
			if !act(&p.ProvisioningStatus) {
				for _, li := range g.Listeners {
					if li.DefaultPoolID == p.ID {
						li.DefaultPoolID = ""
					}
				}
				continue
			}
			if hm := p.HealthMonitor; hm != nil {
				if act(&hm.ProvisioningStatus) {
					hm.OperatingStatus = lb.OperatingOnline
				} else {
					p.HealthMonitor = nil
				}
			}
			var ms []*lb.Member
			for _, m := range p.Members {
				if act(&m.ProvisioningStatus) {
					ms = append(ms, m)
				}
			}
			p.Members = ms
			pools = append(pools, p)
		}
		g.Pools = pools
		for _, a := range g.Amphorae {
			if a.Status == lb.StatusPendingDelete {
				a.Status = lb.AmphoraAllocated
			}
		}
		return nil
	})
	if err != nil {
		h.t.Fatalf("settle %s: %v", lbID, err)
	}
}

// setStatus forces a load balancer's provisioning status.
func (h *harness) setStatus(lbID, status string) {
	h.t.Helper()
	err := h.store.UpdateLoadBalancer(context.Background(), lbID, func(g *lb.LoadBalancer) error {
		g.ProvisioningStatus = status
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
}

// snapshot serializes every stored graph.
func (h *harness) snapshot() string {
	h.t.Helper()
	gs, err := h.store.LoadBalancers(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	b, err := json.Marshal(gs)
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b)
}

// createLB creates an ACTIVE load balancer and returns its ID.
func (h *harness) createLB(body map[string]any) string {
	h.t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	if _, ok := body["vip_subnet_id"]; !ok {
		body["vip_subnet_id"] = subnetID
	}
	r := h.must(201, "POST", "/v2.0/lbaas/loadbalancers", map[string]any{"loadbalancer": body})
	id := r.obj("loadbalancer")["id"].(string)
	h.settle(id)
	return id
}

// create posts an object under an ACTIVE load balancer, settles it and
// returns its ID.
func (h *harness) create(lbID, coll, root string, body map[string]any) string {
	h.t.Helper()
	r := h.must(201, "POST", "/v2/lbaas/"+coll, map[string]any{root: body})
	id := r.obj(root)["id"].(string)
	h.settle(lbID)
	return id
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// assertKeys checks an object has exactly the keys.
func assertKeys(t *testing.T, what string, m map[string]any, want ...string) {
	t.Helper()
	// Sort a copy: callers pass shared key lists that parallel tests read.
	want = slices.Sorted(slices.Values(want))
	if got := keysOf(m); !slices.Equal(got, want) {
		t.Errorf("%s: keys\n got %v\nwant %v", what, got, want)
	}
}

// assertFault checks an error answer.
func assertFault(t *testing.T, r response, status int, msg string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status %d, want %d (%s)", r.status, status, r.body)
	}
	if r.json["faultcode"] != "Client" || r.json["faultstring"] != msg || r.json["debuginfo"] != nil {
		t.Errorf("fault %s,\nwant faultstring %q", r.body, msg)
	}
	assertKeys(t, "fault", r.json, "faultcode", "faultstring", "debuginfo")
}

// portOf is the VIP port ID the fake network gives a load balancer.
func portOf(lbID string) string { return "11111111" + lbID[8:] }

// decodeResponse parses the JSON body of a recorded answer.
func decodeResponse(t *testing.T, r response) response {
	t.Helper()
	if len(r.body) > 0 {
		var v any
		if err := json.Unmarshal(r.body, &v); err != nil {
			t.Fatalf("answer is not JSON: %v: %q", err, r.body)
		}
		r.json, _ = v.(map[string]any)
	}
	return r
}
