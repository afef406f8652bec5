package octavia

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// Canned answers as Octavia (Zed) writes them: zoneless timestamps, null
// names, references instead of children, tenant_id.
const (
	octaviaPool = `{
  "lb_algorithm": "ROUND_ROBIN", "protocol": "HTTP", "description": "", "admin_state_up": true,
  "loadbalancers": [{"id": "lb-1"}], "project_id": "p", "tenant_id": "p",
  "session_persistence": {"type": "APP_COOKIE", "cookie_name": "sid", "persistence_timeout": null, "persistence_granularity": null},
  "healthmonitor_id": "hm-1", "listeners": [{"id": "li-1"}], "members": [{"id": "m-1"}, {"id": "m-2"}],
  "id": "pool-1", "operating_status": "ONLINE", "name": null, "provisioning_status": "ACTIVE",
  "created_at": "2024-05-01T10:00:00", "updated_at": "2024-05-01T10:00:05.123456",
  "tags": ["a"], "tls_enabled": false, "tls_ciphers": null, "tls_versions": null, "alpn_protocols": null,
  "ca_tls_container_ref": null, "crl_container_ref": null, "tls_container_ref": null
}`
	octaviaListener = `{
  "id": "li-1", "name": "web", "protocol": "HTTP", "protocol_port": 80, "connection_limit": -1,
  "loadbalancers": [{"id": "lb-1"}], "l7policies": [{"id": "pol-1"}], "default_pool_id": null,
  "insert_headers": {"X-Forwarded-For": "true"}, "allowed_cidrs": null, "timeout_client_data": 50000,
  "timeout_member_connect": 5000, "timeout_member_data": 50000, "timeout_tcp_inspect": 0,
  "sni_container_refs": [], "provisioning_status": "PENDING_CREATE", "operating_status": "OFFLINE",
  "created_at": "2024-05-01T10:00:00", "updated_at": null, "admin_state_up": true, "tags": []
}`
	octaviaMonitor = `{
  "id": "hm-1", "name": "", "type": "HTTP", "delay": 5, "timeout": 3, "max_retries": 3, "max_retries_down": 3,
  "http_method": "GET", "url_path": "/healthz", "expected_codes": "200-204", "http_version": 1.1,
  "domain_name": null, "pools": [{"id": "pool-1"}], "provisioning_status": "ACTIVE",
  "operating_status": "ONLINE", "admin_state_up": true, "created_at": "2024-05-01T10:00:00", "updated_at": null
}`
)

func TestDecodeOctaviaAnswers(t *testing.T) {
	t.Parallel()
	p, err := decodePool(json.RawMessage(octaviaPool))
	if err != nil {
		t.Fatal(err)
	}
	if p.LoadBalancerID != "lb-1" || p.ListenerID != "li-1" || p.HealthMonitor == nil || p.HealthMonitor.ID != "hm-1" ||
		len(p.Members) != 2 || p.Members[1].ID != "m-2" || p.Members[1].PoolID != "pool-1" || p.Name != "" {
		t.Errorf("pool %+v", p)
	}
	if want := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC); !p.CreatedAt.Equal(want) {
		t.Errorf("created_at %v", p.CreatedAt)
	}
	if p.UpdatedAt.Nanosecond() != 123456000 {
		t.Errorf("updated_at %v", p.UpdatedAt)
	}
	if p.SessionPersistence == nil || p.SessionPersistence.CookieName != "sid" || p.SessionPersistence.PersistenceTimeout != nil {
		t.Errorf("session persistence %+v", p.SessionPersistence)
	}

	l, err := decodeListener(json.RawMessage(octaviaListener))
	if err != nil {
		t.Fatal(err)
	}
	if l.LoadBalancerID != "lb-1" || len(l.L7Policies) != 1 || l.InsertHeaders["X-Forwarded-For"] != "true" ||
		l.ConnectionLimit != -1 || !l.UpdatedAt.IsZero() {
		t.Errorf("listener %+v", l)
	}

	h, err := decodeHealthMonitor(json.RawMessage(octaviaMonitor))
	if err != nil {
		t.Fatal(err)
	}
	if h.PoolID != "pool-1" || h.HTTPVersion == nil || *h.HTTPVersion != 1.1 || h.ExpectedCodes != "200-204" {
		t.Errorf("health monitor %+v", h)
	}

	m, err := decodeMember(json.RawMessage(`{"id":"m-1","address":"192.0.2.1","protocol_port":80,"weight":0,"monitor_port":null,"created_at":"2024-05-01T10:00:00Z"}`), "pool-1")
	if err != nil {
		t.Fatal(err)
	}
	if m.PoolID != "pool-1" || m.Weight != 0 || m.MonitorPort != nil {
		t.Errorf("member %+v", m)
	}
}

// roundTrip renders a request body as the API reads it.
func roundTrip(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, inner := range m {
		return inner
	}
	return nil
}

func TestCreateBodiesSendWhatIsSet(t *testing.T) {
	t.Parallel()
	port := 8080
	got := roundTrip(t, createMemberBody(&lb.Member{Address: "192.0.2.1", ProtocolPort: 80, MonitorPort: &port, PoolID: "x"}))
	want := map[string]any{"address": "192.0.2.1", "protocol_port": float64(80), "monitor_port": float64(8080),
		"admin_state_up": false, "weight": float64(0), "backup": false}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("member body %v, want %v", got, want)
	}

	got = roundTrip(t, createLoadBalancerBody(&lb.LoadBalancer{Name: "web", VIPSubnetID: "s", AdminStateUp: true, Tags: []string{"t"}}))
	want = map[string]any{"name": "web", "vip_subnet_id": "s", "admin_state_up": true, "tags": []any{"t"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("load balancer body %v, want %v", got, want)
	}

	// HTTP options only go with HTTP monitors; max_retries_down 0 is left
	// to the default.
	got = roundTrip(t, createHealthMonitorBody(&lb.HealthMonitor{PoolID: "p", Type: "TCP", Delay: 5, Timeout: 3, MaxRetries: 3, HTTPMethod: "GET", URLPath: "/"}))
	for _, k := range []string{"http_method", "url_path", "expected_codes", "max_retries_down"} {
		if _, ok := got[k]; ok {
			t.Errorf("TCP monitor body has %s: %v", k, got)
		}
	}
	got = roundTrip(t, createL7PolicyBody(&lb.L7Policy{ListenerID: "l", Action: "REJECT"}))
	if _, ok := got["position"]; ok {
		t.Errorf("position 0 sent: %v", got)
	}
}

func TestUpdateBodiesAreFullState(t *testing.T) {
	t.Parallel()
	got := roundTrip(t, updatePoolBody(&lb.Pool{Name: "p", LBAlgorithm: "ROUND_ROBIN", Protocol: "HTTP", LoadBalancerID: "lb"}))
	want := map[string]any{
		"name": "p", "description": "", "admin_state_up": false, "lb_algorithm": "ROUND_ROBIN",
		"session_persistence": nil, "tls_enabled": false, "tls_container_ref": nil, "ca_tls_container_ref": nil,
		"crl_container_ref": nil, "tls_ciphers": nil, "tls_versions": nil, "alpn_protocols": nil, "tags": []any{},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pool update %v\nwant %v", got, want)
	}

	got = roundTrip(t, updateListenerBody(&lb.Listener{Protocol: "HTTP", ProtocolPort: 80, LoadBalancerID: "lb", ConnectionLimit: -1}))
	for _, k := range []string{"protocol", "protocol_port", "loadbalancer_id"} {
		if _, ok := got[k]; ok {
			t.Errorf("listener update sends %s", k)
		}
	}
	if got["default_pool_id"] != nil || got["connection_limit"] != float64(-1) {
		t.Errorf("listener update %v", got)
	}

	got = roundTrip(t, updateMemberBody(&lb.Member{Weight: 0, Address: "192.0.2.1"}))
	want = map[string]any{"name": "", "admin_state_up": false, "weight": float64(0), "backup": false,
		"monitor_address": nil, "monitor_port": nil, "tags": []any{}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("member update %v\nwant %v", got, want)
	}

	// vip_qos_policy_id only when it changes: Octavia refuses the key, even
	// null, where Neutron has no QoS extension ("VIP QoS policy is not
	// allowed in this deployment").
	got = roundTrip(t, updateLoadBalancerBody(&lb.LoadBalancer{Name: "m"}, &lb.LoadBalancer{Name: "n", VIPSubnetID: "s"}))
	want = map[string]any{"name": "n", "description": "", "admin_state_up": false, "tags": []any{}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("load balancer update %v\nwant %v", got, want)
	}
	got = roundTrip(t, updateLoadBalancerBody(&lb.LoadBalancer{VIPQoSPolicyID: "q"}, &lb.LoadBalancer{Name: "n"}))
	if v, ok := got["vip_qos_policy_id"]; !ok || v != nil {
		t.Errorf("load balancer update clearing the QoS policy: %v", got)
	}
	got = roundTrip(t, updateLoadBalancerBody(nil, &lb.LoadBalancer{VIPQoSPolicyID: "q"}))
	if got["vip_qos_policy_id"] != "q" {
		t.Errorf("load balancer update setting the QoS policy: %v", got)
	}

	v := 1.1
	got = roundTrip(t, updateHealthMonitorBody(&lb.HealthMonitor{Type: "HTTP", Delay: 5, Timeout: 3, MaxRetries: 3, MaxRetriesDown: 2, URLPath: "/h", HTTPVersion: &v}))
	if got["http_method"] != nil || got["url_path"] != "/h" || got["http_version"] != 1.1 || got["max_retries_down"] != float64(2) || got["domain_name"] != nil {
		t.Errorf("health monitor update %v", got)
	}
	if _, ok := got["type"]; ok {
		t.Errorf("health monitor update sends type")
	}

	got = roundTrip(t, updateL7RuleBody(&lb.L7Rule{Type: "PATH", CompareType: "STARTS_WITH", Value: "/api"}))
	if got["key"] != nil || got["value"] != "/api" || got["invert"] != false {
		t.Errorf("rule update %v", got)
	}
}
