package apiserver

import (
	"context"
	"fmt"
	"testing"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

var lbKeys = []string{"id", "name", "description", "provisioning_status", "operating_status", "admin_state_up",
	"project_id", "tenant_id", "created_at", "updated_at", "vip_address", "vip_port_id", "vip_subnet_id",
	"vip_network_id", "vip_qos_policy_id", "additional_vips", "listeners", "pools", "provider", "flavor_id",
	"tags", "availability_zone"}

func TestVersions(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r := h.must(200, "GET", "/", nil)
	vs := r.list("versions")
	if len(vs) != 27 {
		t.Fatalf("%d versions, want 27", len(vs))
	}
	first, last := vs[0].(map[string]any), vs[26].(map[string]any)
	if first["id"] != "v2.0" || first["status"] != "SUPPORTED" || first["updated"] != "2016-12-11T00:00:00Z" {
		t.Errorf("first version %v", first)
	}
	if last["id"] != "v2.26" || last["status"] != "CURRENT" {
		t.Errorf("last version %v", last)
	}
	links := last["links"].([]any)
	if l := links[0].(map[string]any); l["href"] != "http://example.com/v2" || l["rel"] != "self" {
		t.Errorf("links %v", links)
	}
	assertKeys(t, "version", last, "id", "status", "updated", "links")
	for _, p := range []string{"/v2", "/v2.0", "/v2/lbaas", "/v2.0/octavia"} {
		r := h.must(200, "GET", p, nil)
		if string(r.body) != `"v2"` {
			t.Errorf("GET %s = %s", p, r.body)
		}
	}
}

func TestLoadBalancerLifecycle(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r := h.must(201, "POST", "/v2.0/lbaas/loadbalancers", map[string]any{"loadbalancer": map[string]any{
		"name": "lb1", "vip_subnet_id": subnetID, "tags": []string{"a", "b"}, "project_id": "p1",
	}})
	got := r.obj("loadbalancer")
	assertKeys(t, "POST loadbalancer", got, lbKeys...)
	id := got["id"].(string)
	want := map[string]any{
		"name": "lb1", "description": "", "provisioning_status": "PENDING_CREATE", "operating_status": "OFFLINE",
		"admin_state_up": true, "project_id": "p1", "tenant_id": "p1", "created_at": "2024-05-06T07:08:09",
		"updated_at": nil, "vip_address": "198.51.100.10", "vip_port_id": portOf(id), "vip_subnet_id": subnetID,
		"vip_network_id": networkID, "vip_qos_policy_id": nil, "provider": "amphora", "flavor_id": nil,
		"availability_zone": nil,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if fmt.Sprint(got["tags"]) != "[a b]" || fmt.Sprint(got["listeners"]) != "[]" || fmt.Sprint(got["pools"]) != "[]" ||
		fmt.Sprint(got["additional_vips"]) != "[]" {
		t.Errorf("lists: %v %v %v %v", got["tags"], got["listeners"], got["pools"], got["additional_vips"])
	}
	if h.ctrl.count() != 1 {
		t.Errorf("%d Enqueue calls after create, want 1", h.ctrl.count())
	}

	// A write while PENDING_CREATE.
	assertFault(t, h.do("PUT", "/v2/lbaas/loadbalancers/"+id, map[string]any{"loadbalancer": map[string]any{"name": "x"}}),
		409, "Invalid state PENDING_CREATE of loadbalancer resource "+id)
	assertFault(t, h.do("DELETE", "/v2/lbaas/loadbalancers/"+id, nil),
		409, "Invalid state PENDING_CREATE of loadbalancer resource "+id)

	h.settle(id)
	h.clock.advance(61e9)
	r = h.must(200, "GET", "/v2/loadbalancers/"+id, nil)
	assertKeys(t, "GET loadbalancer", r.obj("loadbalancer"), lbKeys...)
	if r.obj("loadbalancer")["provisioning_status"] != "ACTIVE" {
		t.Errorf("after settle: %v", r.obj("loadbalancer")["provisioning_status"])
	}
	r = h.must(200, "GET", "/v2/lbaas/loadbalancers/"+id+"?fields=id&fields=name", nil)
	assertKeys(t, "fields", r.obj("loadbalancer"), "id", "name")

	r = h.must(200, "PUT", "/v2/lbaas/loadbalancers/"+id, map[string]any{"loadbalancer": map[string]any{
		"name": "lb2", "description": "d", "admin_state_up": false, "tags": []string{"c"}}})
	got = r.obj("loadbalancer")
	assertKeys(t, "PUT loadbalancer", got, lbKeys...)
	if got["name"] != "lb2" || got["description"] != "d" || got["admin_state_up"] != false ||
		got["provisioning_status"] != "PENDING_UPDATE" || got["updated_at"] != "2024-05-06T07:09:10" ||
		fmt.Sprint(got["tags"]) != "[c]" {
		t.Errorf("PUT answer %v", got)
	}
	assertFault(t, h.do("PUT", "/v2/lbaas/loadbalancers/"+id, map[string]any{"loadbalancer": map[string]any{}}),
		409, "Invalid state PENDING_UPDATE of loadbalancer resource "+id)
	h.settle(id)
	// null resets name and description, keeps tags.
	got = h.must(200, "PUT", "/v2/lbaas/loadbalancers/"+id, map[string]any{"loadbalancer": map[string]any{
		"name": nil, "description": nil, "tags": nil}}).obj("loadbalancer")
	if got["name"] != "" || got["description"] != "" || fmt.Sprint(got["tags"]) != "[c]" {
		t.Errorf("PUT null answer %v", got)
	}
	h.settle(id)

	r = h.must(204, "DELETE", "/v2/lbaas/loadbalancers/"+id, nil)
	if len(r.body) != 0 {
		t.Errorf("DELETE body %q", r.body)
	}
	got = h.must(200, "GET", "/v2/lbaas/loadbalancers/"+id, nil).obj("loadbalancer")
	if got["provisioning_status"] != "PENDING_DELETE" {
		t.Errorf("after DELETE: %v", got["provisioning_status"])
	}
	if n := len(h.must(200, "GET", "/v2/lbaas/loadbalancers", nil).list("loadbalancers")); n != 1 {
		t.Errorf("PENDING_DELETE load balancer not listed (%d)", n)
	}
	h.settle(id) // DELETED
	assertFault(t, h.do("GET", "/v2/lbaas/loadbalancers/"+id, nil), 404, "Load Balancer "+id+" not found.")
	if n := len(h.must(200, "GET", "/v2/lbaas/loadbalancers", nil).list("loadbalancers")); n != 0 {
		t.Errorf("DELETED load balancer listed")
	}
	if c := h.ctrl.count(); c != 4 {
		t.Errorf("%d Enqueue calls, want 4", c)
	}
}

func TestLoadBalancerStatusStatsFailover(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.createLB(map[string]any{"name": "lb"})
	li := h.create(id, "listeners", "listener", map[string]any{"loadbalancer_id": id, "protocol": "HTTP", "protocol_port": 80, "name": "l"})
	pool := h.create(id, "pools", "pool", map[string]any{"listener_id": li, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"})
	hm := h.create(id, "healthmonitors", "healthmonitor", map[string]any{"pool_id": pool, "type": "HTTP", "delay": 5, "timeout": 3, "max_retries": 2})
	m := h.create(id, "pools/"+pool+"/members", "member", map[string]any{"address": "192.0.2.5", "protocol_port": 8080})

	r := h.must(200, "GET", "/v2/lbaas/loadbalancers/"+id+"/status", nil)
	want := fmt.Sprintf(`{"statuses":{"loadbalancer":{"id":%q,"listeners":[{"id":%q,"name":"l","operating_status":"OFFLINE","pools":[{"health_monitor":{"id":%q,"name":"","operating_status":"ONLINE","provisioning_status":"ACTIVE","type":"HTTP"},"id":%q,"members":[{"address":"192.0.2.5","id":%q,"name":"","operating_status":"OFFLINE","protocol_port":8080,"provisioning_status":"ACTIVE"}],"name":"","operating_status":"OFFLINE","provisioning_status":"ACTIVE"}],"provisioning_status":"ACTIVE"}],"name":"lb","operating_status":"OFFLINE","provisioning_status":"ACTIVE"}}}`,
		id, li, hm, pool, m)
	if string(r.body) != want {
		t.Errorf("status\n got %s\nwant %s", r.body, want)
	}
	h.must(200, "GET", "/v2/lbaas/loadbalancers/"+id+"/statuses", nil)

	h.stats.mu.Lock()
	h.stats.stats[li] = Stats{BytesIn: 10, BytesOut: 20, ActiveConnections: 1, TotalConnections: 7, RequestErrors: 2}
	h.stats.stats["other"] = Stats{BytesIn: 1000}
	h.stats.mu.Unlock()
	r = h.must(200, "GET", "/v2/lbaas/loadbalancers/"+id+"/stats", nil)
	if string(r.body) != `{"stats":{"active_connections":1,"bytes_in":10,"bytes_out":20,"request_errors":2,"total_connections":7}}` {
		t.Errorf("LB stats %s", r.body)
	}
	r = h.must(200, "GET", "/v2/lbaas/listeners/"+li+"/stats", nil)
	if string(r.body) != `{"stats":{"active_connections":1,"bytes_in":10,"bytes_out":20,"request_errors":2,"total_connections":7}}` {
		t.Errorf("listener stats %s", r.body)
	}

	// Failover: amphorae become PENDING_DELETE, the load balancer PENDING_UPDATE.
	if err := h.store.UpdateLoadBalancer(context.Background(), id, func(g *lb.LoadBalancer) error {
		g.Amphorae = append(g.Amphorae,
			&lb.Amphora{ID: "amp-1", Status: lb.AmphoraAllocated, Role: lb.RoleStandalone, LBNetworkIP: "127.0.0.1", CreatedAt: h.clock.now()},
			&lb.Amphora{ID: "amp-2", Status: lb.AmphoraAllocated, Role: lb.RoleStandalone, CreatedAt: h.clock.now()})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	before := h.ctrl.count()
	r = h.must(202, "PUT", "/v2/lbaas/loadbalancers/"+id+"/failover", nil)
	if len(r.body) != 0 {
		t.Errorf("failover body %q", r.body)
	}
	if h.ctrl.count() != before+1 {
		t.Errorf("failover did not enqueue")
	}
	g, err := h.store.LoadBalancer(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if g.ProvisioningStatus != lb.StatusPendingUpdate || g.Amphorae[0].Status != lb.StatusPendingDelete || g.Amphorae[1].Status != lb.StatusPendingDelete {
		t.Errorf("after failover: %s %s %s", g.ProvisioningStatus, g.Amphorae[0].Status, g.Amphorae[1].Status)
	}
	assertFault(t, h.do("PUT", "/v2/lbaas/loadbalancers/"+id+"/failover", nil), 409,
		"Invalid state PENDING_UPDATE of loadbalancer resource "+id)
	h.settle(id)
	// ERROR load balancers may fail over too.
	h.setStatus(id, lb.StatusError)
	h.must(202, "PUT", "/v2/lbaas/loadbalancers/"+id+"/failover", nil)
}
