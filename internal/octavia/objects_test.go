package octavia

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// TestEveryKind runs create, wait, get, list, update and delete of every
// object through the fake, which answers 409 to any write that meets a busy
// load balancer.
func TestEveryKind(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := f.client(t)
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	lbo, err := c.CreateLoadBalancer(ctx, &lb.LoadBalancer{Name: "web", VIPSubnetID: "subnet", AdminStateUp: true})
	must(err)
	lbo, err = c.WaitLoadBalancer(ctx, ActionCreate, lbo.ID)
	must(err)
	lbo, err = c.UpdateLoadBalancer(ctx, lbo.ID, nil, &lb.LoadBalancer{Name: "web2", AdminStateUp: true, Tags: []string{"x"}})
	must(err)
	if lbo.Name != "web2" {
		t.Errorf("load balancer %+v", lbo)
	}
	_, err = c.WaitLoadBalancer(ctx, ActionUpdate, lbo.ID)
	must(err)

	li, err := c.CreateListener(ctx, &lb.Listener{LoadBalancerID: lbo.ID, Protocol: "HTTP", ProtocolPort: 80, ConnectionLimit: -1, AdminStateUp: true})
	must(err)
	_, err = c.WaitListener(ctx, ActionCreate, li.ID)
	must(err)

	// A pool made through its listener finds its load balancer.
	pool, err := c.CreatePool(ctx, &lb.Pool{ListenerID: li.ID, Protocol: "HTTP", LBAlgorithm: "ROUND_ROBIN", AdminStateUp: true})
	must(err)
	if pool.LoadBalancerID != lbo.ID {
		t.Errorf("pool's load balancer %q", pool.LoadBalancerID)
	}
	_, err = c.WaitPool(ctx, ActionCreate, pool.ID)
	must(err)

	hm, err := c.CreateHealthMonitor(ctx, &lb.HealthMonitor{PoolID: pool.ID, Type: "HTTP", Delay: 5, Timeout: 3, MaxRetries: 3, AdminStateUp: true})
	must(err)
	_, err = c.WaitHealthMonitor(ctx, ActionCreate, hm.ID)
	must(err)
	hm, err = c.UpdateHealthMonitor(ctx, hm.ID, &lb.HealthMonitor{Type: "HTTP", Delay: 10, Timeout: 3, MaxRetries: 3, AdminStateUp: true})
	must(err)
	_, err = c.WaitHealthMonitor(ctx, ActionUpdate, hm.ID)
	must(err)
	got, err := c.GetHealthMonitor(ctx, hm.ID)
	must(err)
	if got.Delay != 10 || got.PoolID != pool.ID {
		t.Errorf("health monitor %+v", got)
	}

	m, err := c.CreateMember(ctx, pool.ID, &lb.Member{Address: "192.0.2.1", ProtocolPort: 80, Weight: 1, AdminStateUp: true})
	must(err)
	_, err = c.WaitMember(ctx, ActionCreate, pool.ID, m.ID)
	must(err)
	_, err = c.UpdateMember(ctx, pool.ID, m.ID, &lb.Member{Weight: 5, AdminStateUp: true})
	must(err)
	_, err = c.WaitMember(ctx, ActionUpdate, pool.ID, m.ID)
	must(err)
	members, err := c.ListMembers(ctx, pool.ID, nil)
	must(err)
	if len(members) != 1 || members[0].Weight != 5 || members[0].PoolID != pool.ID {
		t.Errorf("members %+v", members)
	}

	pol, err := c.CreateL7Policy(ctx, &lb.L7Policy{ListenerID: li.ID, Action: "REDIRECT_TO_POOL", RedirectPoolID: pool.ID, AdminStateUp: true})
	must(err)
	_, err = c.WaitL7Policy(ctx, ActionCreate, pol.ID)
	must(err)
	rule, err := c.CreateL7Rule(ctx, pol.ID, &lb.L7Rule{Type: "PATH", CompareType: "STARTS_WITH", Value: "/api", AdminStateUp: true})
	must(err)
	_, err = c.WaitL7Rule(ctx, ActionCreate, pol.ID, rule.ID)
	must(err)
	_, err = c.UpdateL7Rule(ctx, pol.ID, rule.ID, &lb.L7Rule{Type: "PATH", CompareType: "STARTS_WITH", Value: "/v2", AdminStateUp: true})
	must(err)
	_, err = c.UpdateL7Policy(ctx, pol.ID, &lb.L7Policy{Action: "REJECT", AdminStateUp: true})
	must(err)
	r2, err := c.GetL7Rule(ctx, pol.ID, rule.ID)
	must(err)
	if r2.Value != "/v2" || r2.L7PolicyID != pol.ID {
		t.Errorf("rule %+v", r2)
	}
	pols, err := c.ListL7Policies(ctx, Filter{"listener_id": li.ID})
	must(err)
	if len(pols) != 1 || pols[0].Action != "REJECT" {
		t.Errorf("policies %+v", pols)
	}

	// Deletes, children first, each waited for.
	must(c.DeleteL7Rule(ctx, pol.ID, rule.ID))
	_, err = c.WaitL7Rule(ctx, ActionDelete, pol.ID, rule.ID)
	must(err)
	must(c.DeleteL7Policy(ctx, pol.ID))
	_, err = c.WaitL7Policy(ctx, ActionDelete, pol.ID)
	must(err)
	must(c.DeleteMember(ctx, pool.ID, m.ID))
	_, err = c.WaitMember(ctx, ActionDelete, pool.ID, m.ID)
	must(err)
	must(c.DeleteHealthMonitor(ctx, hm.ID))
	_, err = c.WaitHealthMonitor(ctx, ActionDelete, hm.ID)
	must(err)
	must(c.DeletePool(ctx, pool.ID))
	_, err = c.WaitPool(ctx, ActionDelete, pool.ID)
	must(err)
	must(c.DeleteListener(ctx, li.ID))
	_, err = c.WaitListener(ctx, ActionDelete, li.ID)
	must(err)
	must(c.DeleteLoadBalancer(ctx, lbo.ID, false))
	_, err = c.WaitLoadBalancer(ctx, ActionDelete, lbo.ID)
	must(err)

	if n := f.conflicts.Load(); n != 0 {
		t.Errorf("%d writes met a busy load balancer", n)
	}
	for _, coll := range []string{"loadbalancers", "listeners", "pools", "members", "healthmonitors", "l7policies", "rules"} {
		if n := f.size(coll); n != 0 {
			t.Errorf("%d %s left", n, coll)
		}
	}
}

func TestCreateKeepsObjectWhenContextEndsInFlight(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.hook = onceHook(isPost("loadbalancers"), func(w http.ResponseWriter, r *http.Request, body []byte) {
		f.record(r, body) // made…
		<-r.Context().Done()
		// …but the answer never reaches the client in time.
	})
	c := f.client(t)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	got, err := c.CreateLoadBalancer(ctx, &lb.LoadBalancer{Name: "slow", VIPSubnetID: "s"})
	if err != nil {
		t.Fatalf("err = %v: the object made is lost", err)
	}
	if got.ID == "" || got.Name != "slow" {
		t.Errorf("got %+v", got)
	}
	if n := f.count("POST", "loadbalancers"); n != 1 {
		t.Errorf("%d POSTs", n)
	}
}

func TestCreateRefusesToGuessBetweenCandidates(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	f.hook = onceHook(isPost("pools"), func(w http.ResponseWriter, r *http.Request, body []byte) {
		f.record(r, body)
		// A twin appears (another run, same name, same moment).
		f.put("pools", map[string]any{"name": "twin", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "loadbalancer_id": lbID,
			"_lb": lbID, "loadbalancers": []any{map[string]any{"id": lbID}}})
		cut(w)
	})
	c := f.client(t)
	_, err := c.CreatePool(t.Context(), &lb.Pool{Name: "twin", LoadBalancerID: lbID, Protocol: "HTTP", LBAlgorithm: "ROUND_ROBIN"})
	var ae *AmbiguousCreateError
	if !errors.As(err, &ae) || len(ae.Candidates) != 2 {
		t.Fatalf("err = %v, want an AmbiguousCreateError naming 2 candidates", err)
	}
	if !strings.Contains(err.Error(), "import the right one") {
		t.Errorf("error %q", err)
	}
	if n := f.count("POST", "pools"); n != 1 {
		t.Errorf("%d POSTs", n)
	}
}

func TestDeleteWaitsThroughBusyLoadBalancer(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	f.hook = onceHook(func(r *http.Request) bool { return r.Method == http.MethodDelete }, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		writeFault(w, http.StatusConflict, "Invalid state PENDING_UPDATE of loadbalancer resource "+lbID)
	})
	c := f.client(t)
	if err := c.DeleteLoadBalancer(t.Context(), lbID, true); err != nil {
		t.Fatal(err)
	}
	if n := f.count("DELETE", "loadbalancers/"+lbID); n != 2 {
		t.Errorf("%d DELETEs, want 2", n)
	}
}

func TestDeleteLoadBalancerInError(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	f.setStatus("loadbalancers", lbID, "ERROR")
	var query string
	f.hook = func(_ http.ResponseWriter, r *http.Request, _ []byte) bool {
		if r.Method == http.MethodDelete {
			query = r.URL.RawQuery
		}
		return false
	}
	c := f.client(t)
	if err := c.DeleteLoadBalancer(t.Context(), lbID, true); err != nil {
		t.Fatal(err)
	}
	if query != "cascade=true" {
		t.Errorf("query %q", query)
	}
	if _, err := c.WaitLoadBalancer(t.Context(), ActionDelete, lbID); err != nil {
		t.Fatal(err)
	}
	// Updating it is refused at once.
	lb2 := f.addLB()
	f.setStatus("loadbalancers", lb2, "ERROR")
	_, err := c.UpdateLoadBalancer(t.Context(), lb2, nil, &lb.LoadBalancer{Name: "x"})
	var se *StatusError
	if !errors.As(err, &se) || se.ID != lb2 {
		t.Fatalf("err = %v", err)
	}
}

func TestDeleteChildOfGoneParent(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := f.client(t)
	if err := c.DeleteMember(t.Context(), "no-such-pool", "m"); err != nil {
		t.Errorf("member: %v", err)
	}
	if err := c.DeleteL7Rule(t.Context(), "no-such-policy", "r"); err != nil {
		t.Errorf("rule: %v", err)
	}
	if err := c.DeleteHealthMonitor(t.Context(), "no-such-monitor"); err != nil {
		t.Errorf("monitor: %v", err)
	}
}
