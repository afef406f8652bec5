package apiserver

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestCollectionsListed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.createLB(map[string]any{"tenant_id": "t1", "admin_state_up": nil})
	got := h.must(200, "GET", "/v2/lbaas/loadbalancers/"+id, nil).obj("loadbalancer")
	expect(t, "tenant_id alias", got, map[string]any{"project_id": "t1", "tenant_id": "t1", "admin_state_up": false})

	// A listener POST may carry its default pool in full, as in a graph.
	r := h.must(201, "POST", "/v2/lbaas/listeners", map[string]any{"listener": map[string]any{
		"loadbalancer_id": id, "protocol": "HTTP", "protocol_port": 80,
		"default_pool": map[string]any{"name": "p", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN",
			"healthmonitor": map[string]any{"type": "PING", "delay": 1, "timeout": 1, "max_retries": 1}},
		"l7policies": []any{map[string]any{"action": "REJECT", "rules": []any{
			map[string]any{"type": "HOST_NAME", "compare_type": "EQUAL_TO", "value": "example.com"}}}},
	}})
	li := r.obj("listener")
	pool, ok := li["default_pool_id"].(string)
	if !ok {
		t.Fatalf("listener %s", r.body)
	}
	if li["project_id"] != "t1" {
		t.Errorf("listener project %v", li["project_id"])
	}
	h.settle(id)

	for _, c := range []struct{ path, key string }{
		{"/v2/lbaas/pools", "pools"},
		{"/v2/lbaas/healthmonitors", "healthmonitors"},
		{"/v2/lbaas/l7policies", "l7policies"},
		{"/v2/lbaas/pools/" + pool + "/members", "members"},
	} {
		r := h.must(200, "GET", c.path, nil)
		want := 1
		if c.key == "members" {
			want = 0
		}
		if l := r.list(c.key); len(l) != want {
			t.Errorf("%s: %d items, want %d: %s", c.path, len(l), want, r.body)
		}
		if _, ok := r.json[c.key+"_links"]; !ok {
			t.Errorf("%s: no %s_links", c.path, c.key)
		}
	}
	hms := h.must(200, "GET", "/v2/lbaas/healthmonitors?pool_id="+pool, nil).list("healthmonitors")
	if len(hms) != 1 || hms[0].(map[string]any)["type"] != "PING" {
		t.Errorf("health monitors of the pool: %v", hms)
	}
	policies := h.must(200, "GET", "/v2/lbaas/l7policies?listener_id="+li["id"].(string), nil).list("l7policies")
	if len(policies) != 1 {
		t.Fatalf("policies %v", policies)
	}
	pol := policies[0].(map[string]any)
	assertKeys(t, "listed policy", pol, l7policyKeys...)
	rules := h.must(200, "GET", fmt.Sprintf("/v2/lbaas/l7policies/%s/rules?compare_type=EQUAL_TO", pol["id"]), nil).list("rules")
	if len(rules) != 1 {
		t.Errorf("rules %v", rules)
	}
}

func TestCatalogsAndQuotas(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for path, want := range map[string]string{
		"/v2/lbaas/flavors":                  `{"flavors":[],"flavors_links":[]}`,
		"/v2.0/lbaas/flavorprofiles":         `{"flavorprofile_links":[],"flavorprofiles":[]}`,
		"/v2/availabilityzones":              `{"availability_zones":[],"availability_zones_links":[]}`,
		"/v2/lbaas/availabilityzoneprofiles": `{"availability_zone_profile_links":[],"availability_zone_profiles":[]}`,
		"/v2/lbaas/quotas":                   `{"quotas":[],"quotas_links":[]}`,
		"/v2.0/lbaas/quotas/defaults":        `{"quota":{"health_monitor":-1,"l7policy":-1,"l7rule":-1,"listener":-1,"load_balancer":-1,"member":-1,"pool":-1}}`,
		"/v2/lbaas/quotas/p1/default":        `{"quota":{"health_monitor":-1,"l7policy":-1,"l7rule":-1,"listener":-1,"load_balancer":-1,"member":-1,"pool":-1}}`,
	} {
		if r := h.must(200, "GET", path, nil); string(r.body) != want {
			t.Errorf("%s: %s", path, r.body)
		}
	}
	assertFault(t, h.do("GET", "/v2/lbaas/flavors/"+missingID, nil), 404, "Flavor "+missingID+" not found.")
	assertFault(t, h.do("GET", "/v2/lbaas/availabilityzones/az1", nil), 404, "Availability Zone az1 not found.")
}

func TestProviderLimits(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.createLB(nil)
	before := h.snapshot()
	r := h.do("POST", "/v2/lbaas/pools", map[string]any{"pool": map[string]any{
		"loadbalancer_id": id, "protocol": "TCP", "lb_algorithm": "SOURCE_IP_PORT"}})
	if r.status != 501 || r.json["faultcode"] != "Server" ||
		r.json["faultstring"] != "Provider 'amphora' does not support a requested option: Amphora provider does not support SOURCE_IP_PORT algorithm." {
		t.Errorf("SOURCE_IP_PORT: %d %s", r.status, r.body)
	}
	r = h.do("POST", "/v2/lbaas/loadbalancers", map[string]any{"loadbalancer": map[string]any{
		"vip_subnet_id": subnetID, "additional_vips": []any{map[string]any{"subnet_id": subnet2ID}}}})
	if r.status != 501 || r.json["faultcode"] != "Server" {
		t.Errorf("additional_vips: %d %s", r.status, r.body)
	}
	if h.snapshot() != before || h.net.allocated() != 1 {
		t.Error("a refused request changed the store or kept a VIP")
	}
}

// TestConcurrentWrites checks the lock is atomic: of parallel writes to one
// ACTIVE load balancer exactly one wins, the others get Octavia's 409.
func TestConcurrentWrites(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.createLB(nil)
	const n = 8
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"listener": {"loadbalancer_id": %q, "protocol": "TCP", "protocol_port": %d}}`, id, 1000+i)
			req := httptest.NewRequestWithContext(t.Context(), "POST", "/v2/lbaas/listeners", strings.NewReader(body))
			rec := httptest.NewRecorder()
			h.h.ServeHTTP(rec, req)
			statuses <- rec.Code
		}()
	}
	wg.Wait()
	close(statuses)
	won := 0
	for s := range statuses {
		switch s {
		case 201:
			won++
		case 409:
		default:
			t.Errorf("status %d", s)
		}
	}
	if won != 1 {
		t.Errorf("%d writes won, want 1", won)
	}
}
