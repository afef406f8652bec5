package octavia

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// onceHook answers the first request that match accepts with answer, and
// lets every other request through.
func onceHook(match func(r *http.Request) bool, answer func(w http.ResponseWriter, r *http.Request, body []byte)) func(http.ResponseWriter, *http.Request, []byte) bool {
	var once sync.Once
	return func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		handled := false
		if match(r) {
			once.Do(func() {
				answer(w, r, body)
				handled = true
			})
		}
		return handled
	}
}

func isPost(path string) func(*http.Request) bool {
	return func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Path == fakePrefix+path }
}

func TestCreateLoadBalancerAdoptsAfter500(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	var made string
	f.hook = onceHook(isPost("loadbalancers"), func(w http.ResponseWriter, r *http.Request, body []byte) {
		rec := f.record(r, body) // the API made it…
		if rec.Code != http.StatusCreated {
			t.Errorf("setup: %d %s", rec.Code, rec.Body)
		}
		f.mu.Lock()
		made = f.order["loadbalancers"][0]
		f.mu.Unlock()
		writeFault(w, http.StatusInternalServerError, "Internal Server Error") // …then failed
	})
	c := f.client(t)
	got, err := c.CreateLoadBalancer(t.Context(), &lb.LoadBalancer{Name: "web", VIPSubnetID: "subnet-1", AdminStateUp: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != made {
		t.Errorf("adopted %q, want %q", got.ID, made)
	}
	if n := f.count("POST", "loadbalancers"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
	if n := f.size("loadbalancers"); n != 1 {
		t.Errorf("%d load balancers, want 1", n)
	}
}

func TestCreateMemberAdoptsAfterCutConnection(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	poolID := f.addPool(lbID)
	path := "pools/" + poolID + "/members"
	f.hook = onceHook(isPost(path), func(w http.ResponseWriter, r *http.Request, body []byte) {
		f.record(r, body)
		cut(w)
	})
	c := f.client(t)
	got, err := c.CreateMember(t.Context(), poolID, &lb.Member{Address: "192.0.2.10", ProtocolPort: 80, Weight: 1, AdminStateUp: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID == "" || got.PoolID != poolID || got.Address != "192.0.2.10" {
		t.Errorf("got %+v", got)
	}
	if n := f.count("POST", path); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
	if n := f.size("members"); n != 1 {
		t.Errorf("%d members, want 1", n)
	}
	if _, err := c.WaitMember(t.Context(), ActionCreate, poolID, got.ID); err != nil {
		t.Fatal(err)
	}
}

func TestCreateListenerAdoptsAfterCutConnection(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	f.hook = onceHook(isPost("listeners"), func(w http.ResponseWriter, r *http.Request, body []byte) {
		f.record(r, body)
		cut(w)
	})
	c := f.client(t)
	got, err := c.CreateListener(t.Context(), &lb.Listener{LoadBalancerID: lbID, Protocol: "HTTP", ProtocolPort: 8080, ConnectionLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if got.LoadBalancerID != lbID || got.ProtocolPort != 8080 {
		t.Errorf("got %+v", got)
	}
	if n := f.count("POST", "listeners"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
}

func TestCreatePostsAgainWhenNothingWasMade(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	poolID := f.addPool(lbID)
	path := "pools/" + poolID + "/members"
	f.hook = onceHook(isPost(path), func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		writeFault(w, http.StatusServiceUnavailable, "Project busy. Unable to lock the project.  Please try again.")
	})
	c := f.client(t)
	if _, err := c.CreateMember(t.Context(), poolID, &lb.Member{Address: "192.0.2.11", ProtocolPort: 80, Weight: 1}); err != nil {
		t.Fatal(err)
	}
	if n := f.count("POST", path); n != 2 {
		t.Errorf("%d POSTs, want 2 (one lost, one after the lookup)", n)
	}
	if n := f.count("GET", path); n < 1 {
		t.Errorf("no lookup before the second POST")
	}
	if n := f.size("members"); n != 1 {
		t.Errorf("%d members, want 1", n)
	}
}

func TestCreateGivesUpAfterAttempts(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.hook = func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		if r.Method == http.MethodPost {
			writeFault(w, http.StatusInternalServerError, "Provider 'amphora' reports error: boom")
			return true
		}
		return false
	}
	c := f.client(t, func(cfg *Config) { cfg.MaxCreateAttempts = 3 })
	_, err := c.CreateLoadBalancer(t.Context(), &lb.LoadBalancer{Name: "x", VIPSubnetID: "s"})
	var ae *AmbiguousCreateError
	if !errors.As(err, &ae) || ae.Attempts != 3 {
		t.Fatalf("err = %v, want an AmbiguousCreateError after 3 attempts", err)
	}
	if !strings.Contains(err.Error(), "reports error: boom") {
		t.Errorf("error %q lacks the faultstring", err)
	}
	if n := f.count("POST", "loadbalancers"); n != 3 {
		t.Errorf("%d POSTs, want 3", n)
	}
}

func TestCreate4xxReturnsAtOnce(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	const fault = "Validation failure: VIP must contain one of: vip_port_id, vip_network_id, vip_subnet_id."
	f.hook = func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		if r.Method == http.MethodPost {
			writeFault(w, http.StatusBadRequest, fault)
			return true
		}
		return false
	}
	c := f.client(t)
	_, err := c.CreateLoadBalancer(t.Context(), &lb.LoadBalancer{Name: "x"})
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 400 || ae.FaultString != fault || ae.Method != "POST" {
		t.Fatalf("err = %#v", err)
	}
	if !strings.Contains(err.Error(), fault) {
		t.Errorf("error %q lacks the faultstring", err)
	}
	if n := f.count("POST", "loadbalancers"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
	if n := f.count("GET", "loadbalancers"); n != 0 {
		t.Errorf("%d lookups after a certain failure, want 0", n)
	}
}

func TestPostIsNeverRetriedBlindly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		answer func(http.ResponseWriter)
	}{
		{"502", func(w http.ResponseWriter) { writeFault(w, http.StatusBadGateway, "Bad Gateway") }},
		{"cut", cut},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.hook = func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
				if r.Method == http.MethodPost {
					tc.answer(w)
					return true
				}
				return false
			}
			c := f.client(t, func(cfg *Config) { cfg.MaxCreateAttempts = 1 })
			_, err := c.CreateLoadBalancer(t.Context(), &lb.LoadBalancer{Name: "x", VIPSubnetID: "s"})
			if err == nil {
				t.Fatal("no error")
			}
			if n := f.count("POST", "loadbalancers"); n != 1 {
				t.Errorf("%d POSTs, want 1: the transport repeated a POST", n)
			}
		})
	}
}

func TestCreateAdoptsOnDuplicateAfterLostAttempt(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	poolID := f.addPool(lbID)
	path := "pools/" + poolID + "/members"
	// The lost POST is committed by the API only after our lookup ran: the
	// next POST meets the duplicate, which is then adopted.
	posts := 0
	var mu sync.Mutex
	f.hook = func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		if r.Method != http.MethodPost || r.URL.Path != fakePrefix+path {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		posts++
		switch posts {
		case 1:
			writeFault(w, http.StatusInternalServerError, "Internal Server Error")
			return true
		case 2:
			f.record(r, body) // the first one, committed late
			writeFault(w, http.StatusConflict, "Another member on this pool is already using ip 192.0.2.12 on protocol_port 80")
			return true
		}
		return false
	}
	c := f.client(t)
	got, err := c.CreateMember(t.Context(), poolID, &lb.Member{Address: "192.0.2.12", ProtocolPort: 80, Weight: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got.Address != "192.0.2.12" {
		t.Errorf("got %+v", got)
	}
	if n := f.size("members"); n != 1 {
		t.Errorf("%d members, want 1", n)
	}
}

func TestCreateMemberWaitsThrough409(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	poolID := f.addPool(lbID)
	path := "pools/" + poolID + "/members"
	// Another client's write: the load balancer is PENDING_UPDATE for a
	// while right after we saw it ACTIVE.
	f.hook = onceHook(isPost(path), func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		f.setStatus("loadbalancers", lbID, "PENDING_UPDATE")
		time.AfterFunc(30*time.Millisecond, func() { f.setStatus("loadbalancers", lbID, "ACTIVE") })
		writeFault(w, http.StatusConflict, "Invalid state PENDING_UPDATE of loadbalancer resource "+lbID)
	})
	c := f.client(t)
	m, err := c.CreateMember(t.Context(), poolID, &lb.Member{Address: "192.0.2.13", ProtocolPort: 80, Weight: 1})
	if err != nil {
		t.Fatalf("409 surfaced: %v", err)
	}
	if n := f.count("POST", path); n != 2 {
		t.Errorf("%d POSTs, want 2", n)
	}
	if _, err := c.WaitMember(t.Context(), ActionCreate, poolID, m.ID); err != nil {
		t.Fatal(err)
	}
}

func TestCreateFailsFastWhenPoolIsInError(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	poolID := f.addPool(lbID)
	f.setStatus("pools", poolID, "ERROR")
	f.hook = func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		if r.Method == http.MethodPost {
			writeFault(w, http.StatusConflict, "Pool "+poolID+" is immutable and cannot be updated.")
			return true
		}
		return false
	}
	c := f.client(t)
	_, err := c.CreateMember(t.Context(), poolID, &lb.Member{Address: "192.0.2.14", ProtocolPort: 80})
	var se *StatusError
	if !errors.As(err, &se) || se.Kind != "pool" || se.ID != poolID || se.Status != "ERROR" {
		t.Fatalf("err = %v, want a StatusError for the pool", err)
	}
}

func TestConcurrentMembersAreSerialized(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	poolID := f.addPool(lbID)
	c := f.client(t, func(cfg *Config) { cfg.Logf = nil })
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			m, err := c.CreateMember(t.Context(), poolID, &lb.Member{Address: "192.0.2.100", ProtocolPort: 1000 + i, Weight: 1})
			if err == nil {
				_, err = c.WaitMember(t.Context(), ActionCreate, poolID, m.ID)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := f.accepted.Load(); got != n {
		t.Errorf("%d writes accepted, want %d", got, n)
	}
	if got := f.count("POST", "pools/"+poolID+"/members"); got != n {
		t.Errorf("%d POSTs, want %d", got, n)
	}
	if got := f.conflicts.Load(); got != 0 {
		t.Errorf("%d writes met a busy load balancer, want 0", got)
	}
	if c.locks.size() != 0 {
		t.Errorf("lock table keeps %d entries", c.locks.size())
	}
}
