package octavia

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// statusSequence answers GET /loadbalancers/{id} with the given statuses in
// turn (the last one repeats) and records when each GET came.
type statusSequence struct {
	mu       sync.Mutex
	statuses []string
	times    []time.Time
}

func (s *statusSequence) hook(id string) func(http.ResponseWriter, *http.Request, []byte) bool {
	return func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		if r.Method != http.MethodGet || r.URL.Path != fakePrefix+"loadbalancers/"+id {
			return false
		}
		s.mu.Lock()
		st := s.statuses[min(len(s.times), len(s.statuses)-1)]
		s.times = append(s.times, time.Now())
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"loadbalancer": map[string]any{
			"id": id, "name": "lb", "provisioning_status": st, "operating_status": "OFFLINE",
			"created_at": "2024-05-01T10:00:00", "updated_at": nil,
		}})
		return true
	}
}

func (s *statusSequence) gets() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.times...)
}

func TestWaitPendingCreateToActive(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	seq := &statusSequence{statuses: []string{"PENDING_CREATE", "PENDING_CREATE", "PENDING_CREATE", "ACTIVE"}}
	f.hook = seq.hook("lb-1")
	c := f.client(t)
	got, err := c.WaitLoadBalancer(t.Context(), ActionCreate, "lb-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.ProvisioningStatus != lb.StatusActive || got.CreatedAt.IsZero() {
		t.Errorf("got %+v", got)
	}
	if n := len(seq.gets()); n != 4 {
		t.Errorf("%d GETs, want 4 (one per poll)", n)
	}
}

func TestWaitErrorEndsAtOnce(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	seq := &statusSequence{statuses: []string{"PENDING_UPDATE", "ERROR"}}
	f.hook = seq.hook("lb-2")
	c := f.client(t, func(cfg *Config) { cfg.Poll = PollConfig{Initial: 5 * time.Millisecond, Max: 5 * time.Millisecond} })
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.WaitLoadBalancer(ctx, ActionUpdate, "lb-2")
	var se *StatusError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a StatusError", err)
	}
	if want := "updating load balancer lb-2: provisioning_status ERROR"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if time.Since(start) > time.Second || len(seq.gets()) != 2 {
		t.Errorf("ERROR did not end the wait at once: %v, %d GETs", time.Since(start), len(seq.gets()))
	}
}

func TestWaitTimeout(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	seq := &statusSequence{statuses: []string{"PENDING_UPDATE"}}
	f.hook = seq.hook("lb-3")
	c := f.client(t)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := c.WaitLoadBalancer(ctx, ActionUpdate, "lb-3")
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want a TimeoutError", err)
	}
	if te.Status != "PENDING_UPDATE" || te.ID != "lb-3" || te.Kind != "load balancer" || te.Action != ActionUpdate || te.Waited < 90*time.Millisecond {
		t.Errorf("timeout %+v", te)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Error("a TimeoutError should match context.DeadlineExceeded")
	}
	if !strings.Contains(err.Error(), "load balancer lb-3 stayed PENDING_UPDATE for ") {
		t.Errorf("error %q", err)
	}
}

func TestWaitPollIntervalsGrowAndStayCapped(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	statuses := make([]string, 15)
	for i := range statuses {
		statuses[i] = "PENDING_CREATE"
	}
	statuses[len(statuses)-1] = "ACTIVE"
	seq := &statusSequence{statuses: statuses}
	f.hook = seq.hook("lb-4")
	const initial, maxi = 2 * time.Millisecond, 10 * time.Millisecond
	c := f.client(t, func(cfg *Config) { cfg.Poll = PollConfig{Initial: initial, Max: maxi, Multiplier: 1.5, Jitter: 0.2} })
	var mu sync.Mutex
	var slept []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		slept = append(slept, d)
		mu.Unlock()
		return sleep(ctx, d)
	}
	if _, err := c.WaitLoadBalancer(t.Context(), ActionCreate, "lb-4"); err != nil {
		t.Fatal(err)
	}
	if got := len(seq.gets()); got != len(statuses) {
		t.Errorf("%d GETs for %d polls", got, len(statuses))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(slept) != len(statuses) {
		t.Fatalf("%d waits for %d polls (the first poll comes after a wait)", len(slept), len(statuses))
	}
	if slept[0] < time.Duration(0.8*float64(initial)) || slept[0] > time.Duration(1.2*float64(initial)) {
		t.Errorf("first interval %v, want %v±20%%", slept[0], initial)
	}
	for i, d := range slept {
		if d > maxi {
			t.Errorf("interval %d: %v above the cap %v", i, d, maxi)
		}
		// With ×1.5 and ±20%, each interval is at least the previous
		// one's lowest bound: they grow until the cap.
		if i > 0 && d < slept[i-1]*8/10 {
			t.Errorf("interval %d: %v shrank from %v", i, d, slept[i-1])
		}
	}
	if last := slept[len(slept)-1]; last < time.Duration(0.8*float64(maxi)) {
		t.Errorf("last interval %v, want near the cap %v", last, maxi)
	}
}

func TestBackoffSequence(t *testing.T) {
	t.Parallel()
	c := &Client{poll: PollConfig{Initial: 200 * time.Millisecond, Max: 2 * time.Second}.withDefaults()}
	for range 50 {
		b := c.newBackoff()
		prevBase := time.Duration(0)
		for i := range 20 {
			base := b.base
			d := b.next()
			if base < prevBase {
				t.Fatalf("step %d: base %v shrank from %v", i, base, prevBase)
			}
			if d > 2*time.Second {
				t.Fatalf("step %d: %v above the cap", i, d)
			}
			if lo := time.Duration(0.8 * float64(base)); d < lo {
				t.Fatalf("step %d: %v below %v-20%%", i, d, base)
			}
			if i == 0 && (d < 160*time.Millisecond || d > 240*time.Millisecond) {
				t.Fatalf("first interval %v, want 200ms±20%%", d)
			}
			prevBase = base
		}
		if b.base != 2*time.Second {
			t.Fatalf("base %v never reached the cap", b.base)
		}
	}
}

func TestWaitDeleteEndsOn404(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	c := f.client(t)
	if err := c.DeleteLoadBalancer(t.Context(), lbID, true); err != nil {
		t.Fatal(err)
	}
	if n := f.count("DELETE", "loadbalancers/"+lbID); n != 1 {
		t.Errorf("%d DELETEs", n)
	}
	got, err := c.WaitLoadBalancer(t.Context(), ActionDelete, lbID)
	if err != nil || got != nil {
		t.Fatalf("got %v, %v", got, err)
	}
	// Deleting again is fine.
	if err := c.DeleteLoadBalancer(t.Context(), lbID, false); err != nil {
		t.Fatal(err)
	}
}

func TestWaitChildThenLoadBalancer(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	c := f.client(t)
	li, err := c.CreateListener(t.Context(), &lb.Listener{LoadBalancerID: lbID, Protocol: "TCP", ProtocolPort: 22})
	if err != nil {
		t.Fatal(err)
	}
	if li.ProvisioningStatus != lb.StatusPendingCreate {
		t.Errorf("create returned %s, want PENDING_CREATE (no wait)", li.ProvisioningStatus)
	}
	got, err := c.WaitListener(t.Context(), ActionCreate, li.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ProvisioningStatus != lb.StatusActive || f.status("loadbalancers", lbID) != lb.StatusActive {
		t.Errorf("listener %s, load balancer %s", got.ProvisioningStatus, f.status("loadbalancers", lbID))
	}
	if err := c.DeleteListener(t.Context(), li.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitListener(t.Context(), ActionDelete, li.ID); err != nil {
		t.Fatal(err)
	}
	if f.size("listeners") != 0 || f.status("loadbalancers", lbID) != lb.StatusActive {
		t.Errorf("after delete: %d listeners, load balancer %s", f.size("listeners"), f.status("loadbalancers", lbID))
	}
	// A listener already gone deletes fine.
	if err := c.DeleteListener(t.Context(), li.ID); err != nil {
		t.Fatal(err)
	}
}

func TestWaitChildLoadBalancerError(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	poolID := f.addPool(lbID)
	f.setStatus("loadbalancers", lbID, "ERROR")
	c := f.client(t)
	_, err := c.WaitPool(t.Context(), ActionUpdate, poolID)
	var se *StatusError
	if !errors.As(err, &se) || se.ID != lbID || se.Kind != "load balancer" {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "updating pool "+poolID) {
		t.Errorf("error %q does not name the pool", err)
	}
	// A write to a child of a load balancer in ERROR fails at once too.
	_, err = c.UpdatePool(t.Context(), poolID, &lb.Pool{Name: "x", LBAlgorithm: "ROUND_ROBIN"})
	if !errors.As(err, &se) || se.Status != "ERROR" {
		t.Fatalf("update: err = %v", err)
	}
	if n := f.count("PUT", "pools/"+poolID); n != 0 {
		t.Errorf("%d PUTs to a load balancer in ERROR", n)
	}
}
