package apiserver

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

var (
	listenerKeys = []string{"id", "name", "description", "provisioning_status", "operating_status", "admin_state_up",
		"protocol", "protocol_port", "connection_limit", "default_tls_container_ref", "sni_container_refs",
		"project_id", "tenant_id", "default_pool_id", "l7policies", "insert_headers", "created_at", "updated_at",
		"loadbalancers", "timeout_client_data", "timeout_member_connect", "timeout_member_data",
		"timeout_tcp_inspect", "tags", "client_ca_tls_container_ref", "client_authentication",
		"client_crl_container_ref", "allowed_cidrs", "tls_ciphers", "tls_versions", "alpn_protocols"}
	poolKeys = []string{"id", "name", "description", "provisioning_status", "operating_status", "admin_state_up",
		"protocol", "lb_algorithm", "session_persistence", "project_id", "tenant_id", "loadbalancers", "listeners",
		"created_at", "updated_at", "healthmonitor_id", "members", "tags", "tls_container_ref",
		"ca_tls_container_ref", "crl_container_ref", "tls_enabled", "tls_ciphers", "tls_versions", "alpn_protocols"}
	memberKeys = []string{"id", "name", "operating_status", "provisioning_status", "admin_state_up", "address",
		"protocol_port", "weight", "backup", "subnet_id", "project_id", "tenant_id", "created_at", "updated_at",
		"monitor_address", "monitor_port", "tags"}
	hmKeys = []string{"id", "name", "type", "delay", "timeout", "max_retries", "max_retries_down", "http_method",
		"url_path", "expected_codes", "admin_state_up", "project_id", "tenant_id", "pools", "provisioning_status",
		"operating_status", "created_at", "updated_at", "tags", "http_version", "domain_name"}
	l7policyKeys = []string{"id", "name", "description", "provisioning_status", "operating_status", "admin_state_up",
		"project_id", "tenant_id", "action", "listener_id", "redirect_pool_id", "redirect_url", "redirect_prefix",
		"position", "rules", "created_at", "updated_at", "tags", "redirect_http_code"}
	l7ruleKeys = []string{"id", "type", "compare_type", "key", "value", "invert", "provisioning_status",
		"operating_status", "created_at", "updated_at", "project_id", "tenant_id", "admin_state_up", "tags"}
	amphoraKeys = []string{"id", "loadbalancer_id", "compute_id", "lb_network_ip", "vrrp_ip", "ha_ip", "vrrp_port_id",
		"ha_port_id", "cert_expiration", "cert_busy", "role", "status", "vrrp_interface", "vrrp_id", "vrrp_priority",
		"cached_zone", "created_at", "updated_at", "image_id", "compute_flavor"}
)

// expect compares selected fields of an answer (as fmt.Sprint renders them).
func expect(t *testing.T, what string, got map[string]any, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if fmt.Sprint(got[k]) != fmt.Sprint(v) {
			t.Errorf("%s: %s = %v, want %v", what, k, got[k], v)
		}
	}
}

func (h *harness) lbStatus(id string) string {
	h.t.Helper()
	g, err := h.store.LoadBalancer(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return g.ProvisioningStatus
}

func TestListenerLifecycle(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.createLB(map[string]any{"project_id": "p"})
	r := h.must(201, "POST", "/v2/lbaas/listeners", map[string]any{"listener": map[string]any{
		"loadbalancer_id": id, "protocol": "HTTP", "protocol_port": 80, "name": "web",
		"insert_headers": map[string]string{"X-Forwarded-For": "true"}, "allowed_cidrs": []string{"10.0.0.1/8"},
	}})
	got := r.obj("listener")
	assertKeys(t, "POST listener", got, listenerKeys...)
	li := got["id"].(string)
	expect(t, "POST listener", got, map[string]any{
		"name": "web", "description": "", "provisioning_status": "PENDING_CREATE", "operating_status": "OFFLINE",
		"admin_state_up": true, "protocol": "HTTP", "protocol_port": 80, "connection_limit": -1,
		"default_tls_container_ref": nil, "sni_container_refs": "[]", "project_id": "p", "tenant_id": "p",
		"default_pool_id": nil, "l7policies": "[]", "insert_headers": "map[X-Forwarded-For:true]",
		"updated_at": nil, "loadbalancers": fmt.Sprintf("[map[id:%s]]", id), "timeout_client_data": 50000,
		"timeout_member_connect": 5000, "timeout_member_data": 50000, "timeout_tcp_inspect": 0, "tags": "[]",
		"client_ca_tls_container_ref": nil, "client_authentication": "NONE", "client_crl_container_ref": nil,
		"allowed_cidrs": "[10.0.0.0/8]", "tls_ciphers": nil, "tls_versions": nil, "alpn_protocols": nil,
	})
	if h.lbStatus(id) != lb.StatusPendingUpdate {
		t.Errorf("load balancer %s after listener create", h.lbStatus(id))
	}
	assertFault(t, h.do("POST", "/v2/lbaas/listeners", map[string]any{"listener": map[string]any{
		"loadbalancer_id": id, "protocol": "TCP", "protocol_port": 81}}),
		409, "Load Balancer "+id+" is immutable and cannot be updated.")
	h.settle(id)

	got = h.must(200, "GET", "/v2/listeners/"+li, nil).obj("listener")
	assertKeys(t, "GET listener", got, listenerKeys...)
	expect(t, "GET listener", got, map[string]any{"provisioning_status": "ACTIVE"})
	if l := h.must(200, "GET", "/v2/lbaas/listeners", nil).list("listeners"); len(l) != 1 {
		t.Errorf("%d listeners", len(l))
	}
	got = h.must(200, "PUT", "/v2/lbaas/listeners/"+li, map[string]any{"listener": map[string]any{
		"name": "w2", "connection_limit": 100, "timeout_client_data": nil, "insert_headers": nil, "allowed_cidrs": nil,
	}}).obj("listener")
	assertKeys(t, "PUT listener", got, listenerKeys...)
	expect(t, "PUT listener", got, map[string]any{"name": "w2", "connection_limit": 100, "timeout_client_data": 50000,
		"insert_headers": "map[]", "allowed_cidrs": nil, "provisioning_status": "PENDING_UPDATE"})
	assertFault(t, h.do("DELETE", "/v2/lbaas/listeners/"+li, nil), 409, "Load Balancer "+id+" is immutable and cannot be updated.")
	h.settle(id)
	h.must(204, "DELETE", "/v2/lbaas/listeners/"+li, nil)
	expect(t, "deleting", h.must(200, "GET", "/v2/lbaas/listeners/"+li, nil).obj("listener"),
		map[string]any{"provisioning_status": "PENDING_DELETE"})
	h.settle(id)
	assertFault(t, h.do("GET", "/v2/lbaas/listeners/"+li, nil), 404, "Listener "+li+" not found.")

	// TERMINATED_HTTPS defaults.
	got = h.must(201, "POST", "/v2/lbaas/listeners", map[string]any{"listener": map[string]any{
		"loadbalancer_id": id, "protocol": "TERMINATED_HTTPS", "protocol_port": 443, "default_tls_container_ref": "ref"}}).obj("listener")
	expect(t, "TERMINATED_HTTPS", got, map[string]any{"tls_ciphers": defaultCiphers, "tls_versions": "[TLSv1.2 TLSv1.3]",
		"alpn_protocols": "[h2 http/1.1 http/1.0]"})
}

func TestPoolMemberHealthMonitorLifecycle(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.createLB(nil)
	li := h.create(id, "listeners", "listener", map[string]any{"loadbalancer_id": id, "protocol": "HTTP", "protocol_port": 80})

	// Pool on the listener: the listener takes it as default pool.
	r := h.must(201, "POST", "/v2/lbaas/pools", map[string]any{"pool": map[string]any{
		"listener_id": li, "protocol": "HTTP", "lb_algorithm": "LEAST_CONNECTIONS",
		"session_persistence": map[string]any{"type": "APP_COOKIE", "cookie_name": "sid"}}})
	got := r.obj("pool")
	assertKeys(t, "POST pool", got, poolKeys...)
	pool := got["id"].(string)
	expect(t, "POST pool", got, map[string]any{
		"name": "", "provisioning_status": "PENDING_CREATE", "operating_status": "OFFLINE", "admin_state_up": true,
		"protocol": "HTTP", "lb_algorithm": "LEAST_CONNECTIONS", "project_id": "default-project",
		"session_persistence": "map[cookie_name:sid persistence_granularity:<nil> persistence_timeout:<nil> type:APP_COOKIE]",
		"loadbalancers":       fmt.Sprintf("[map[id:%s]]", id), "listeners": fmt.Sprintf("[map[id:%s]]", li),
		"healthmonitor_id": nil, "members": "[]", "tls_enabled": false, "tls_ciphers": nil, "tls_versions": nil,
	})
	expect(t, "listener of new pool", h.must(200, "GET", "/v2/lbaas/listeners/"+li, nil).obj("listener"),
		map[string]any{"default_pool_id": pool, "provisioning_status": "PENDING_UPDATE"})
	h.settle(id)

	// Health monitor.
	r = h.must(201, "POST", "/v2/lbaas/healthmonitors", map[string]any{"healthmonitor": map[string]any{
		"pool_id": pool, "type": "HTTP", "delay": 5, "timeout": 3, "max_retries": 2, "http_version": 1.1, "domain_name": "example.com"}})
	got = r.obj("healthmonitor")
	assertKeys(t, "POST healthmonitor", got, hmKeys...)
	hm := got["id"].(string)
	expect(t, "POST healthmonitor", got, map[string]any{
		"type": "HTTP", "delay": 5, "timeout": 3, "max_retries": 2, "max_retries_down": 3, "http_method": "GET",
		"url_path": "/", "expected_codes": "200", "pools": fmt.Sprintf("[map[id:%s]]", pool),
		"provisioning_status": "PENDING_CREATE", "operating_status": "OFFLINE", "http_version": 1.1,
		"domain_name": "example.com",
	})
	expect(t, "pool during HM create", h.must(200, "GET", "/v2/lbaas/pools/"+pool, nil).obj("pool"),
		map[string]any{"provisioning_status": "PENDING_UPDATE", "healthmonitor_id": hm})
	assertFault(t, h.do("POST", "/v2/lbaas/pools/"+pool+"/members", map[string]any{"member": map[string]any{
		"address": "192.0.2.1", "protocol_port": 80}}), 409, "Pool "+pool+" is immutable and cannot be updated.")
	h.settle(id)
	if r := h.must(200, "GET", "/v2/lbaas/healthmonitors/"+hm, nil); string(r.body) == "" {
		t.Error("empty HM")
	}
	got = h.must(200, "PUT", "/v2/lbaas/healthmonitors/"+hm, map[string]any{"healthmonitor": map[string]any{
		"delay": 10, "url_path": nil, "max_retries_down": nil, "name": "hm"}}).obj("healthmonitor")
	assertKeys(t, "PUT healthmonitor", got, hmKeys...)
	expect(t, "PUT healthmonitor", got, map[string]any{"delay": 10, "url_path": "/", "max_retries_down": 3, "name": "hm",
		"provisioning_status": "PENDING_UPDATE"})
	h.settle(id)

	// Members: OFFLINE because the pool has a monitor.
	r = h.must(201, "POST", "/v2/lbaas/pools/"+pool+"/members", map[string]any{"member": map[string]any{
		"address": "192.0.2.1", "protocol_port": 80, "monitor_port": 8080, "tenant_id": "ignored"}})
	got = r.obj("member")
	assertKeys(t, "POST member", got, memberKeys...)
	m := got["id"].(string)
	expect(t, "POST member", got, map[string]any{
		"name": "", "operating_status": "OFFLINE", "provisioning_status": "PENDING_CREATE", "admin_state_up": true,
		"address": "192.0.2.1", "protocol_port": 80, "weight": 1, "backup": false, "subnet_id": nil,
		"project_id": "default-project", "monitor_address": nil, "monitor_port": 8080, "tags": "[]",
	})
	expect(t, "listener during member create", h.must(200, "GET", "/v2/lbaas/listeners/"+li, nil).obj("listener"),
		map[string]any{"provisioning_status": "PENDING_UPDATE"})
	h.settle(id)
	assertKeys(t, "GET member", h.must(200, "GET", "/v2/lbaas/pools/"+pool+"/members/"+m, nil).obj("member"), memberKeys...)
	got = h.must(200, "PUT", "/v2/lbaas/pools/"+pool+"/members/"+m, map[string]any{"member": map[string]any{
		"weight": nil, "backup": true, "monitor_port": nil, "name": "m1"}}).obj("member")
	expect(t, "PUT member", got, map[string]any{"weight": 1, "backup": true, "monitor_port": nil, "name": "m1",
		"provisioning_status": "PENDING_UPDATE"})
	h.settle(id)

	// Another pool: the member is not under it.
	other := h.create(id, "pools", "pool", map[string]any{"loadbalancer_id": id, "protocol": "TCP", "lb_algorithm": "ROUND_ROBIN"})
	assertFault(t, h.do("GET", "/v2/lbaas/pools/"+other+"/members/"+m, nil), 404, "Member "+m+" not found.")
	assertFault(t, h.do("DELETE", "/v2/lbaas/pools/"+other+"/members/"+m, nil), 404, "Member "+m+" not found.")
	expect(t, "pool on LB only", h.must(200, "GET", "/v2/lbaas/pools/"+other, nil).obj("pool"),
		map[string]any{"listeners": "[]", "loadbalancers": fmt.Sprintf("[map[id:%s]]", id)})

	got = h.must(200, "PUT", "/v2/lbaas/pools/"+pool, map[string]any{"pool": map[string]any{
		"name": "p", "session_persistence": nil, "tls_enabled": true}}).obj("pool")
	assertKeys(t, "PUT pool", got, poolKeys...)
	expect(t, "PUT pool", got, map[string]any{"name": "p", "session_persistence": nil, "tls_enabled": true,
		"provisioning_status": "PENDING_UPDATE"})
	h.settle(id)

	h.must(204, "DELETE", "/v2/lbaas/pools/"+pool+"/members/"+m, nil)
	h.settle(id)
	assertFault(t, h.do("GET", "/v2/lbaas/pools/"+pool+"/members/"+m, nil), 404, "Member "+m+" not found.")
	h.must(204, "DELETE", "/v2/lbaas/healthmonitors/"+hm, nil)
	h.settle(id)
	assertFault(t, h.do("GET", "/v2/lbaas/healthmonitors/"+hm, nil), 404, "Health Monitor "+hm+" not found.")
	h.must(204, "DELETE", "/v2/lbaas/pools/"+pool, nil)
	expect(t, "listener of deleted pool", h.must(200, "GET", "/v2/lbaas/listeners/"+li, nil).obj("listener"),
		map[string]any{"provisioning_status": "PENDING_UPDATE"})
	h.settle(id)
	assertFault(t, h.do("GET", "/v2/lbaas/pools/"+pool, nil), 404, "Pool "+pool+" not found.")
	assertFault(t, h.do("GET", "/v2/lbaas/pools/"+pool+"/members", nil), 404, "Pool "+pool+" not found.")
}

func TestL7PolicyRuleLifecycle(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.createLB(nil)
	li := h.create(id, "listeners", "listener", map[string]any{"loadbalancer_id": id, "protocol": "HTTP", "protocol_port": 80})
	pool := h.create(id, "pools", "pool", map[string]any{"loadbalancer_id": id, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"})

	r := h.must(201, "POST", "/v2/lbaas/l7policies", map[string]any{"l7policy": map[string]any{
		"listener_id": li, "action": "REDIRECT_TO_URL", "redirect_url": "http://example.com/"}})
	got := r.obj("l7policy")
	assertKeys(t, "POST l7policy", got, l7policyKeys...)
	p1 := got["id"].(string)
	expect(t, "POST l7policy", got, map[string]any{
		"name": "", "description": "", "provisioning_status": "PENDING_CREATE", "operating_status": "OFFLINE",
		"action": "REDIRECT_TO_URL", "listener_id": li, "redirect_pool_id": nil, "redirect_url": "http://example.com/",
		"redirect_prefix": nil, "position": 1, "rules": "[]", "redirect_http_code": 302,
	})
	expect(t, "listener", h.must(200, "GET", "/v2/lbaas/listeners/"+li, nil).obj("listener"),
		map[string]any{"provisioning_status": "PENDING_UPDATE", "l7policies": fmt.Sprintf("[map[id:%s]]", p1)})
	h.settle(id)
	p2 := h.create(id, "l7policies", "l7policy", map[string]any{"listener_id": li, "action": "REJECT"})
	// Inserted first: the others move down.
	p3 := h.create(id, "l7policies", "l7policy", map[string]any{"listener_id": li, "action": "REDIRECT_TO_POOL",
		"redirect_pool_id": pool, "position": 1, "redirect_http_code": 301})
	positions := func() string {
		var out string
		for _, p := range []string{p1, p2, p3} {
			out += fmt.Sprint(h.must(200, "GET", "/v2/lbaas/l7policies/"+p, nil).obj("l7policy")["position"]) + " "
		}
		return out
	}
	if got := positions(); got != "2 3 1 " {
		t.Errorf("positions %q, want 2 3 1", got)
	}
	expect(t, "redirect to pool", h.must(200, "GET", "/v2/lbaas/l7policies/"+p3, nil).obj("l7policy"),
		map[string]any{"redirect_http_code": nil, "redirect_pool_id": pool})
	got = h.must(200, "PUT", "/v2/lbaas/l7policies/"+p3, map[string]any{"l7policy": map[string]any{"position": 3}}).obj("l7policy")
	assertKeys(t, "PUT l7policy", got, l7policyKeys...)
	h.settle(id)
	if got := positions(); got != "1 2 3 " {
		t.Errorf("positions after move %q, want 1 2 3", got)
	}
	// A PUT that changes the action clears the fields it does not use.
	got = h.must(200, "PUT", "/v2/lbaas/l7policies/"+p1, map[string]any{"l7policy": map[string]any{
		"action": "REJECT"}}).obj("l7policy")
	expect(t, "PUT REJECT", got, map[string]any{"action": "REJECT", "redirect_url": nil, "redirect_http_code": nil})
	h.settle(id)
	got = h.must(200, "PUT", "/v2/lbaas/l7policies/"+p1, map[string]any{"l7policy": map[string]any{
		"redirect_prefix": "https://example.org"}}).obj("l7policy")
	expect(t, "PUT prefix", got, map[string]any{"action": "REDIRECT_PREFIX", "redirect_prefix": "https://example.org",
		"redirect_http_code": 302})
	h.settle(id)
	assertFault(t, h.do("DELETE", "/v2/lbaas/pools/"+pool, nil), 409, "Pool "+pool+" is in use by L7 policy "+p3)

	// Rules.
	r = h.must(201, "POST", "/v2/lbaas/l7policies/"+p2+"/rules", map[string]any{"rule": map[string]any{
		"type": "PATH", "compare_type": "STARTS_WITH", "value": "/api"}})
	got = r.obj("rule")
	assertKeys(t, "POST rule", got, l7ruleKeys...)
	rule := got["id"].(string)
	expect(t, "POST rule", got, map[string]any{"type": "PATH", "compare_type": "STARTS_WITH", "key": nil, "value": "/api",
		"invert": false, "provisioning_status": "PENDING_CREATE", "operating_status": "OFFLINE", "admin_state_up": true})
	expect(t, "policy of new rule", h.must(200, "GET", "/v2/lbaas/l7policies/"+p2, nil).obj("l7policy"),
		map[string]any{"provisioning_status": "PENDING_UPDATE", "rules": fmt.Sprintf("[map[id:%s]]", rule)})
	assertFault(t, h.do("POST", "/v2/lbaas/l7policies/"+p2+"/rules", map[string]any{"rule": map[string]any{
		"type": "PATH", "compare_type": "STARTS_WITH", "value": "/b"}}), 409, "L7Policy "+p2+" is immutable and cannot be updated.")
	h.settle(id)
	assertKeys(t, "GET rule", h.must(200, "GET", "/v2/lbaas/l7policies/"+p2+"/rules/"+rule, nil).obj("rule"), l7ruleKeys...)
	if l := h.must(200, "GET", "/v2/lbaas/l7policies/"+p2+"/rules", nil).list("rules"); len(l) != 1 {
		t.Errorf("%d rules", len(l))
	}
	got = h.must(200, "PUT", "/v2/lbaas/l7policies/"+p2+"/rules/"+rule, map[string]any{"rule": map[string]any{
		"type": "HEADER", "key": "X-Test", "invert": true}}).obj("rule")
	expect(t, "PUT rule", got, map[string]any{"type": "HEADER", "key": "X-Test", "invert": true, "value": "/api",
		"provisioning_status": "PENDING_UPDATE"})
	h.settle(id)
	assertFault(t, h.do("GET", "/v2/lbaas/l7policies/"+p1+"/rules/"+rule, nil), 404, "L7 Rule "+rule+" not found.")
	h.must(204, "DELETE", "/v2/lbaas/l7policies/"+p2+"/rules/"+rule, nil)
	h.settle(id)
	assertFault(t, h.do("GET", "/v2/lbaas/l7policies/"+p2+"/rules/"+rule, nil), 404, "L7 Rule "+rule+" not found.")
	h.must(204, "DELETE", "/v2/lbaas/l7policies/"+p2, nil)
	h.settle(id)
	assertFault(t, h.do("GET", "/v2/lbaas/l7policies/"+p2, nil), 404, "L7 Policy "+p2+" not found.")
	assertFault(t, h.do("GET", "/v2/lbaas/l7policies/"+p2+"/rules", nil), 404, "L7Policy "+p2+" not found.")
	if got := h.must(200, "GET", "/v2/lbaas/l7policies/"+p3, nil).obj("l7policy")["position"]; fmt.Sprint(got) != "2" {
		t.Errorf("position after delete: %v", got)
	}
}

func TestAmphorae(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.createLB(nil)
	id2 := h.createLB(map[string]any{"vip_subnet_id": subnet2ID})
	for i, l := range []string{id, id2} {
		if err := h.store.UpdateLoadBalancer(context.Background(), l, func(g *lb.LoadBalancer) error {
			g.Amphorae = append(g.Amphorae, &lb.Amphora{ID: fmt.Sprintf("aaaaaaaa-0000-4000-8000-00000000000%d", i),
				Status: lb.AmphoraAllocated, Role: lb.RoleStandalone, LBNetworkIP: "127.0.0.2", CreatedAt: h.clock.now()})
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	amp := "aaaaaaaa-0000-4000-8000-000000000000"
	r := h.must(200, "GET", "/v2/octavia/amphorae", nil)
	if len(r.list("amphorae")) != 2 {
		t.Fatalf("amphorae %s", r.body)
	}
	if _, ok := r.json["amphorae_links"]; !ok {
		t.Error("no amphorae_links")
	}
	r = h.must(200, "GET", "/v2.0/octavia/amphorae?loadbalancer_id="+id, nil)
	if l := r.list("amphorae"); len(l) != 1 || l[0].(map[string]any)["id"] != amp {
		t.Fatalf("filtered amphorae %s", r.body)
	}
	got := h.must(200, "GET", "/v2/octavia/amphorae/"+amp, nil).obj("amphora")
	assertKeys(t, "amphora", got, amphoraKeys...)
	expect(t, "amphora", got, map[string]any{"loadbalancer_id": id, "status": "ALLOCATED", "role": "STANDALONE",
		"lb_network_ip": "127.0.0.2", "vrrp_id": nil, "cert_expiration": nil, "cert_busy": false})
	assertFault(t, h.do("GET", "/v2/octavia/amphorae/"+missingID, nil), 404, "Amphora "+missingID+" not found.")
	assertFault(t, h.do("GET", "/v2/octavia/amphorae/"+amp+"/stats", nil), 404, "Amphora stats for "+amp+" not found.")
	li := h.create(id, "listeners", "listener", map[string]any{"loadbalancer_id": id, "protocol": "TCP", "protocol_port": 22})
	r = h.must(200, "GET", "/v2/octavia/amphorae/"+amp+"/stats", nil)
	want := fmt.Sprintf(`{"amphora_stats":[{"active_connections":0,"bytes_in":0,"bytes_out":0,"id":%q,"listener_id":%q,"loadbalancer_id":%q,"request_errors":0,"total_connections":0}]}`, amp, li, id)
	if string(r.body) != want {
		t.Errorf("amphora stats\n got %s\nwant %s", r.body, want)
	}

	h.must(202, "PUT", "/v2/octavia/amphorae/"+amp+"/failover", nil)
	g, err := h.store.LoadBalancer(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if g.ProvisioningStatus != lb.StatusPendingUpdate || g.Amphorae[0].Status != lb.StatusPendingDelete {
		t.Errorf("after amphora failover: %s %s", g.ProvisioningStatus, g.Amphorae[0].Status)
	}
	assertFault(t, h.do("PUT", "/v2/octavia/amphorae/"+amp+"/failover", nil), 409,
		"Load Balancer "+id+" is immutable and cannot be updated.")
	h.setStatus(id, lb.StatusError)
	assertFault(t, h.do("PUT", "/v2/octavia/amphorae/"+amp+"/failover", nil), 409,
		"Load Balancer "+id+" is immutable and cannot be updated.")
}

func TestProviders(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r := h.must(200, "GET", "/v2/lbaas/providers", nil)
	if string(r.body) != `{"providers":[{"description":"The Octavia Amphora driver.","name":"amphora"},{"description":"Deprecated alias of the Octavia Amphora driver.","name":"octavia"}]}` {
		t.Errorf("providers %s", r.body)
	}
	r = h.must(200, "GET", "/v2/lbaas/providers?fields=name", nil)
	if string(r.body) != `{"providers":[{"name":"amphora"},{"name":"octavia"}]}` {
		t.Errorf("providers?fields=name %s", r.body)
	}
	r = h.must(200, "GET", "/v2/lbaas/providers/amphora/flavor_capabilities", nil)
	if string(r.body) != `{"flavor_capabilities":[{"description":"The load balancer topology. One of: SINGLE - One amphora per load balancer. ACTIVE_STANDBY - Two amphora per load balancer.","name":"loadbalancer_topology"},{"description":"The compute driver flavor ID.","name":"compute_flavor"},{"description":"The amphora image tag.","name":"amp_image_tag"}]}` {
		t.Errorf("flavor capabilities %s", r.body)
	}
	r = h.must(200, "GET", "/v2/lbaas/providers/octavia/availability_zone_capabilities?name=compute_zone", nil)
	if string(r.body) != `{"availability_zone_capabilities":[{"description":"The compute availability zone.","name":"compute_zone"}]}` {
		t.Errorf("AZ capabilities %s", r.body)
	}
	assertFault(t, h.do("GET", "/v2/lbaas/providers/nope/flavor_capabilities", nil), 400, "Provider 'nope' is not enabled.")
}

func TestRoutingFaults(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	assertFault(t, h.do("GET", "/v2/lbaas/nothing", nil), 404, "The resource could not be found.")
	assertFault(t, h.do("GET", "/v3/loadbalancers", nil), 404, "The resource could not be found.")
	r := h.do("DELETE", "/v2/lbaas/loadbalancers", nil)
	if r.status != 405 || r.json["faultstring"] != "The method DELETE is not allowed for this resource." || r.header.Get("Allow") != "GET, POST" {
		t.Errorf("405: %d %s %v", r.status, r.body, r.header)
	}
	// A trailing slash is the same resource.
	h.must(200, "GET", "/v2/lbaas/loadbalancers/", nil)
	// A panic is a logged 500, not a dropped connection.
	id := h.createLB(nil)
	h.stats.mu.Lock()
	h.stats.panic = true
	h.stats.mu.Unlock()
	r = h.do("GET", "/v2/lbaas/loadbalancers/"+id+"/stats", nil)
	if r.status != 500 || r.json["faultcode"] != "Server" || r.json["faultstring"] != "Internal Server Error" {
		t.Errorf("panic answer %d %s", r.status, r.body)
	}
	h.logMu.Lock()
	logged := h.logs.String()
	h.logMu.Unlock()
	if !strings.Contains(logged, "panic in handler") || !strings.Contains(logged, "stats source exploded") {
		t.Errorf("panic not logged: %s", logged)
	}
}
