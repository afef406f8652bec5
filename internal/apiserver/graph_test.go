package apiserver

import (
	"context"
	"fmt"
	"testing"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

func fullGraphBody() map[string]any {
	return map[string]any{"loadbalancer": map[string]any{
		"name":          "graph",
		"vip_subnet_id": subnetID,
		"vip_address":   "198.51.100.77",
		"listeners": []any{
			map[string]any{
				"name": "http", "protocol": "HTTP", "protocol_port": 80,
				"default_pool": map[string]any{
					"name": "web", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN",
					"healthmonitor": map[string]any{"type": "HTTP", "delay": 5, "timeout": 2, "max_retries": 3, "url_path": "/health"},
					"members": []any{
						map[string]any{"address": "192.0.2.10", "protocol_port": 8080},
						map[string]any{"address": "192.0.2.11", "protocol_port": 8080, "weight": 5},
					},
				},
				"l7policies": []any{
					map[string]any{"action": "REDIRECT_TO_POOL", "redirect_pool": map[string]any{"name": "api"},
						"rules": []any{map[string]any{"type": "PATH", "compare_type": "STARTS_WITH", "value": "/api"}}},
					map[string]any{"action": "REJECT", "position": 1,
						"rules": []any{map[string]any{"type": "HEADER", "compare_type": "EQUAL_TO", "key": "X-Bad", "value": "1"}}},
				},
			},
			map[string]any{"name": "tcp", "protocol": "TCP", "protocol_port": 443, "default_pool": map[string]any{"name": "api"}},
		},
		"pools": []any{
			map[string]any{"name": "api", "protocol": "HTTP", "lb_algorithm": "SOURCE_IP"},
		},
	}}
}

func TestFullyPopulatedCreate(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r := h.must(201, "POST", "/v2.0/lbaas/loadbalancers", fullGraphBody())
	g := r.obj("loadbalancer")
	assertKeys(t, "graph", g, lbKeys...)
	expect(t, "graph", g, map[string]any{"vip_address": "198.51.100.77", "provisioning_status": "PENDING_CREATE"})
	listeners, pools := g["listeners"].([]any), g["pools"].([]any)
	if len(listeners) != 2 || len(pools) != 2 {
		t.Fatalf("%d listeners, %d pools", len(listeners), len(pools))
	}
	// Full listeners: no "loadbalancers", nested policies and rules.
	fullListenerKeys := []string{}
	for _, k := range listenerKeys {
		if k != "loadbalancers" {
			fullListenerKeys = append(fullListenerKeys, k)
		}
	}
	l0 := listeners[0].(map[string]any)
	assertKeys(t, "full listener", l0, fullListenerKeys...)
	pols := l0["l7policies"].([]any)
	if len(pols) != 2 {
		t.Fatalf("policies %v", pols)
	}
	reject, redirect := pols[0].(map[string]any), pols[1].(map[string]any)
	assertKeys(t, "full policy", reject, l7policyKeys...)
	expect(t, "first policy", reject, map[string]any{"action": "REJECT", "position": 1, "provisioning_status": "PENDING_CREATE"})
	expect(t, "second policy", redirect, map[string]any{"action": "REDIRECT_TO_POOL", "position": 2, "redirect_http_code": nil})
	rules := reject["rules"].([]any)
	assertKeys(t, "full rule", rules[0].(map[string]any), l7ruleKeys...)
	expect(t, "rule", rules[0].(map[string]any), map[string]any{"key": "X-Bad", "type": "HEADER"})

	// Full pools: pools[] first (api), then the default pool (web); no
	// loadbalancers or healthmonitor_id, a null healthmonitor (as Octavia's
	// PoolFullResponse), full members.
	fullPoolKeys := []string{"healthmonitor"}
	for _, k := range poolKeys {
		if k != "loadbalancers" && k != "healthmonitor_id" {
			fullPoolKeys = append(fullPoolKeys, k)
		}
	}
	api, web := pools[0].(map[string]any), pools[1].(map[string]any)
	assertKeys(t, "full pool", web, fullPoolKeys...)
	expect(t, "api pool", api, map[string]any{"name": "api", "lb_algorithm": "SOURCE_IP", "members": "[]"})
	if redirect["redirect_pool_id"] != api["id"] || listeners[1].(map[string]any)["default_pool_id"] != api["id"] ||
		l0["default_pool_id"] != web["id"] {
		t.Errorf("references: %v %v %v", redirect["redirect_pool_id"], listeners[1].(map[string]any)["default_pool_id"], l0["default_pool_id"])
	}
	members := web["members"].([]any)
	if len(members) != 2 {
		t.Fatalf("members %v", members)
	}
	assertKeys(t, "full member", members[0].(map[string]any), memberKeys...)
	expect(t, "member", members[1].(map[string]any), map[string]any{"weight": 5, "operating_status": "OFFLINE",
		"provisioning_status": "PENDING_CREATE"})
	expect(t, "listeners of api", api, map[string]any{"listeners": fmt.Sprintf("[map[id:%v] map[id:%v]]", l0["id"], listeners[1].(map[string]any)["id"])})

	// The store has the whole graph, the health monitor included.
	stored, err := h.store.LoadBalancer(context.Background(), g["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	var webPool *lb.Pool
	for _, p := range stored.Pools {
		if p.Name == "web" {
			webPool = p
		}
	}
	if webPool == nil || webPool.HealthMonitor == nil || webPool.HealthMonitor.URLPath != "/health" ||
		webPool.HealthMonitor.HTTPMethod != "GET" || webPool.HealthMonitor.MaxRetriesDown != 3 {
		t.Errorf("stored web pool %+v", webPool)
	}
	h.settle(g["id"].(string))
	got := h.must(200, "GET", "/v2/lbaas/pools/"+web["id"].(string), nil).obj("pool")
	if got["healthmonitor_id"] != webPool.HealthMonitor.ID {
		t.Errorf("healthmonitor_id %v", got["healthmonitor_id"])
	}
}

func TestCascadeDelete(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.must(201, "POST", "/v2/lbaas/loadbalancers", fullGraphBody()).obj("loadbalancer")["id"].(string)
	h.settle(id)
	assertFault(t, h.do("DELETE", "/v2/lbaas/loadbalancers/"+id, nil), 400,
		"Validation failure: Cannot delete Load Balancer "+id+" - it has children")
	h.must(204, "DELETE", "/v2/lbaas/loadbalancers/"+id+"?cascade=true", nil)
	g, err := h.store.LoadBalancer(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	check := func(what, status string) {
		n++
		if status != lb.StatusPendingDelete {
			t.Errorf("%s is %s after cascade delete", what, status)
		}
	}
	check("load balancer", g.ProvisioningStatus)
	for _, li := range g.Listeners {
		check("listener", li.ProvisioningStatus)
		for _, p := range li.L7Policies {
			check("policy", p.ProvisioningStatus)
			for _, r := range p.Rules {
				check("rule", r.ProvisioningStatus)
			}
		}
	}
	for _, p := range g.Pools {
		check("pool", p.ProvisioningStatus)
		if p.HealthMonitor != nil {
			check("health monitor", p.HealthMonitor.ProvisioningStatus)
		}
		for _, m := range p.Members {
			check("member", m.ProvisioningStatus)
		}
	}
	if n != 12 {
		t.Errorf("%d objects checked, want 12", n)
	}
	// Children of a load balancer being deleted are still listed.
	if l := h.must(200, "GET", "/v2/lbaas/listeners", nil).list("listeners"); len(l) != 2 {
		t.Errorf("%d listeners listed while PENDING_DELETE", len(l))
	}
}

func TestBatchMembers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.createLB(nil)
	pool := h.create(id, "pools", "pool", map[string]any{"loadbalancer_id": id, "protocol": "TCP", "lb_algorithm": "ROUND_ROBIN"})
	path := "/v2/lbaas/pools/" + pool + "/members"
	keep := h.create(id, "pools/"+pool+"/members", "member", map[string]any{"address": "192.0.2.1", "protocol_port": 80, "weight": 9, "name": "keep"})
	gone := h.create(id, "pools/"+pool+"/members", "member", map[string]any{"address": "192.0.2.2", "protocol_port": 80})

	before := h.ctrl.count()
	r := h.must(202, "PUT", path, map[string]any{"members": []any{
		map[string]any{"address": "192.0.2.1", "protocol_port": 80, "backup": true},
		map[string]any{"address": "192.0.2.3", "protocol_port": 80, "name": "new"},
	}})
	if len(r.body) != 0 {
		t.Errorf("batch body %q", r.body)
	}
	if h.ctrl.count() != before+1 {
		t.Error("batch did not enqueue")
	}
	members := h.must(200, "GET", path, nil).list("members")
	byAddr := map[string]map[string]any{}
	for _, m := range members {
		mm := m.(map[string]any)
		byAddr[mm["address"].(string)] = mm
	}
	expect(t, "updated", byAddr["192.0.2.1"], map[string]any{"id": keep, "provisioning_status": "PENDING_UPDATE",
		"weight": 1, "backup": true, "name": "keep"})
	expect(t, "deleted", byAddr["192.0.2.2"], map[string]any{"id": gone, "provisioning_status": "PENDING_DELETE"})
	expect(t, "created", byAddr["192.0.2.3"], map[string]any{"provisioning_status": "PENDING_CREATE", "name": "new",
		"operating_status": "NO_MONITOR"})
	expect(t, "pool", h.must(200, "GET", "/v2/lbaas/pools/"+pool, nil).obj("pool"), map[string]any{"provisioning_status": "PENDING_UPDATE"})
	assertFault(t, h.do("PUT", path, map[string]any{"members": []any{}}), 409, "Pool "+pool+" is immutable and cannot be updated.")
	h.settle(id)

	// additive_only: nothing is deleted.
	h.must(202, "PUT", path+"?additive_only=true", map[string]any{"members": []any{
		map[string]any{"address": "2001:db8::1", "protocol_port": 443}}})
	members = h.must(200, "GET", path, nil).list("members")
	if len(members) != 3 {
		t.Fatalf("%d members after additive batch", len(members))
	}
	for _, m := range members {
		mm := m.(map[string]any)
		want := "ACTIVE"
		if mm["address"] == "2001:db8::1" {
			want = "PENDING_CREATE"
		}
		if mm["provisioning_status"] != want {
			t.Errorf("%v is %v, want %s", mm["address"], mm["provisioning_status"], want)
		}
	}
	h.settle(id)

	// An empty batch deletes everything; on an empty pool it is a no-op
	// that leaves every status alone.
	h.must(202, "PUT", path, map[string]any{"members": []any{}})
	h.settle(id)
	if l := h.must(200, "GET", path, nil).list("members"); len(l) != 0 {
		t.Fatalf("%d members left", len(l))
	}
	snap := h.snapshot()
	before = h.ctrl.count()
	h.must(202, "PUT", path, map[string]any{"members": []any{}})
	if h.snapshot() != snap || h.ctrl.count() != before {
		t.Error("a no-op batch changed the store or enqueued")
	}
}

func TestListFeatures(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var ids []string
	for i, tags := range [][]string{{"a", "b"}, {"a"}, {"b", "c"}, {}, {"c"}} {
		ids = append(ids, h.createLB(map[string]any{"name": fmt.Sprintf("lb%d", 5-i), "tags": tags,
			"admin_state_up": i%2 == 0}))
		h.clock.advance(1e9)
	}
	names := func(r response) string {
		var out []string
		for _, x := range r.list("loadbalancers") {
			out = append(out, fmt.Sprint(x.(map[string]any)["name"]))
		}
		return fmt.Sprint(out)
	}
	// Default order: created_at, id.
	if got := names(h.must(200, "GET", "/v2/lbaas/loadbalancers", nil)); got != "[lb5 lb4 lb3 lb2 lb1]" {
		t.Errorf("default order %s", got)
	}
	if got := names(h.must(200, "GET", "/v2/lbaas/loadbalancers?sort=name:asc", nil)); got != "[lb1 lb2 lb3 lb4 lb5]" {
		t.Errorf("sort=name:asc %s", got)
	}
	if got := names(h.must(200, "GET", "/v2/lbaas/loadbalancers?sort_key=admin_state_up,name&sort_dir=desc,asc", nil)); got != "[lb1 lb3 lb5 lb2 lb4]" {
		t.Errorf("sort_key %s", got)
	}
	// Pagination.
	r := h.must(200, "GET", "/v2/lbaas/loadbalancers?limit=2&sort=name", nil)
	if got := names(r); got != "[lb1 lb2]" {
		t.Errorf("page 1 %s", got)
	}
	links := r.list("loadbalancers_links")
	if len(links) != 1 || links[0].(map[string]any)["rel"] != "next" ||
		links[0].(map[string]any)["href"] != "http://example.com/v2/lbaas/loadbalancers?limit=2&sort=name&marker="+ids[3] {
		t.Fatalf("page 1 links %v", links)
	}
	r = h.must(200, "GET", "/v2/lbaas/loadbalancers?limit=2&sort=name&marker="+ids[3], nil)
	if got := names(r); got != "[lb3 lb4]" {
		t.Errorf("page 2 %s", got)
	}
	links = r.list("loadbalancers_links")
	if len(links) != 2 || links[0].(map[string]any)["href"] != "http://example.com/v2/lbaas/loadbalancers?limit=2&sort=name&marker="+ids[2]+"&page_reverse=True" ||
		links[1].(map[string]any)["rel"] != "next" {
		t.Errorf("page 2 links %v", links)
	}
	r = h.must(200, "GET", "/v2/lbaas/loadbalancers?limit=2&sort=name&marker="+ids[2]+"&page_reverse=True", nil)
	if got := names(r); got != "[lb1 lb2]" {
		t.Errorf("previous page %s", got)
	}
	r = h.must(200, "GET", "/v2/lbaas/loadbalancers?limit=2&sort=name&marker="+ids[1], nil)
	if got, l := names(r), len(r.list("loadbalancers_links")); got != "[lb5]" || l != 1 {
		t.Errorf("last page %s with %d links", got, l)
	}
	// Filters.
	if got := names(h.must(200, "GET", "/v2/lbaas/loadbalancers?name=lb3", nil)); got != "[lb3]" {
		t.Errorf("name filter %s", got)
	}
	if got := names(h.must(200, "GET", "/v2/lbaas/loadbalancers?admin_state_up=false&sort=name", nil)); got != "[lb2 lb4]" {
		t.Errorf("admin_state_up filter %s", got)
	}
	if got := names(h.must(200, "GET", "/v2/lbaas/loadbalancers?vip_address=198.51.100.12", nil)); got != "[lb3]" {
		t.Errorf("vip_address filter %s", got)
	}
	if got := names(h.must(200, "GET", "/v2/lbaas/loadbalancers?operating_status=ONLINE", nil)); got != "[]" {
		t.Errorf("operating_status filter %s", got)
	}
	// Tags.
	for q, want := range map[string]string{
		"tags=a":                   "[lb5 lb4]",
		"tags=a,b":                 "[lb5]",
		"tags=a&tags=b":            "[lb5]",
		"tags-any=a,c":             "[lb5 lb4 lb3 lb1]",
		"not-tags=b,c":             "[lb5 lb4 lb2 lb1]",
		"not-tags-any=a&sort=name": "[lb1 lb2 lb3]",
	} {
		if got := names(h.must(200, "GET", "/v2/lbaas/loadbalancers?"+q, nil)); got != want {
			t.Errorf("%s: %s, want %s", q, got, want)
		}
	}
	// Fields.
	r = h.must(200, "GET", "/v2/lbaas/loadbalancers?fields=id&fields=provisioning_status&fields=nope", nil)
	for _, x := range r.list("loadbalancers") {
		assertKeys(t, "fields", x.(map[string]any), "id", "provisioning_status")
	}
	// limit beyond the cap, unlimited.
	if got := names(h.must(200, "GET", "/v2/lbaas/loadbalancers?limit=0", nil)); got != "[lb5 lb4 lb3 lb2 lb1]" {
		t.Errorf("limit=0 %s", got)
	}
	// Lists of children filter on parents too.
	li := h.create(ids[0], "listeners", "listener", map[string]any{"loadbalancer_id": ids[0], "protocol": "TCP", "protocol_port": 1})
	h.create(ids[1], "listeners", "listener", map[string]any{"loadbalancer_id": ids[1], "protocol": "TCP", "protocol_port": 1})
	r = h.must(200, "GET", "/v2/lbaas/listeners?loadbalancer_id="+ids[0], nil)
	if l := r.list("listeners"); len(l) != 1 || l[0].(map[string]any)["id"] != li {
		t.Errorf("listeners of %s: %s", ids[0], r.body)
	}
	r = h.must(200, "GET", "/v2/lbaas/listeners?protocol_port=1", nil)
	if l := r.list("listeners"); len(l) != 2 {
		t.Errorf("protocol_port filter %s", r.body)
	}
}
