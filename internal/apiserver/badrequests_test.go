package apiserver

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
)

// fixture is an ACTIVE load balancer with a listener (HTTP 80, default pool
// "pool" with a member and a health monitor), a second listener (TCP 81)
// without a pool, a pool without a monitor, an L7 policy with a rule, and a
// second load balancer left PENDING_UPDATE.
type fixture struct {
	lb, listener, listener2, pool, pool2, member, hm, policy, rule string
	pending, pendingListener, pendingPool                          string
}

func newFixture(h *harness) fixture {
	var f fixture
	f.lb = h.createLB(map[string]any{"name": "fixture"})
	f.listener = h.create(f.lb, "listeners", "listener", map[string]any{"loadbalancer_id": f.lb, "protocol": "HTTP", "protocol_port": 80})
	f.listener2 = h.create(f.lb, "listeners", "listener", map[string]any{"loadbalancer_id": f.lb, "protocol": "TCP", "protocol_port": 81})
	f.pool = h.create(f.lb, "pools", "pool", map[string]any{"listener_id": f.listener, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"})
	f.pool2 = h.create(f.lb, "pools", "pool", map[string]any{"loadbalancer_id": f.lb, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"})
	f.member = h.create(f.lb, "pools/"+f.pool+"/members", "member", map[string]any{"address": "192.0.2.1", "protocol_port": 80})
	f.hm = h.create(f.lb, "healthmonitors", "healthmonitor", map[string]any{"pool_id": f.pool, "type": "TCP", "delay": 5, "timeout": 5, "max_retries": 3})
	f.policy = h.create(f.lb, "l7policies", "l7policy", map[string]any{"listener_id": f.listener, "action": "REDIRECT_TO_POOL", "redirect_pool_id": f.pool2})
	f.rule = h.create(f.lb, "l7policies/"+f.policy+"/rules", "rule", map[string]any{"type": "PATH", "compare_type": "EQUAL_TO", "value": "/x"})
	f.pending = h.createLB(map[string]any{"name": "pending", "vip_subnet_id": subnet2ID})
	f.pendingListener = h.create(f.pending, "listeners", "listener", map[string]any{"loadbalancer_id": f.pending, "protocol": "HTTP", "protocol_port": 80})
	f.pendingPool = h.create(f.pending, "pools", "pool", map[string]any{"loadbalancer_id": f.pending, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"})
	h.setStatus(f.pending, "PENDING_UPDATE")
	return f
}

type badCase struct {
	name        string
	method      string
	path        string
	body        any // string: sent as is; otherwise marshalled
	contentType string
	status      int
	msg         string
}

func badCases(f fixture) []badCase {
	lbs := "/v2/lbaas/loadbalancers"
	lbBody := func(fields map[string]any) map[string]any {
		m := map[string]any{"vip_subnet_id": subnetID}
		for k, v := range fields {
			m[k] = v
		}
		return map[string]any{"loadbalancer": m}
	}
	listener := func(fields map[string]any) map[string]any {
		m := map[string]any{"loadbalancer_id": f.lb, "protocol": "HTTP", "protocol_port": 8080}
		for k, v := range fields {
			if v == nil {
				delete(m, k)
				continue
			}
			m[k] = v
		}
		return map[string]any{"listener": m}
	}
	hm := func(fields map[string]any) map[string]any {
		m := map[string]any{"pool_id": f.pool2, "type": "HTTP", "delay": 5, "timeout": 5, "max_retries": 3}
		for k, v := range fields {
			m[k] = v
		}
		return map[string]any{"healthmonitor": m}
	}
	member := func(addr string, port int) map[string]any {
		return map[string]any{"member": map[string]any{"address": addr, "protocol_port": port}}
	}
	immutable := func(id string) string { return "Load Balancer " + id + " is immutable and cannot be updated." }
	graph := func(listeners, pools []any) map[string]any {
		return lbBody(map[string]any{"listeners": listeners, "pools": pools})
	}
	return []badCase{
		// wsme: unknown attributes, JSON and types.
		{"unknown attribute", "POST", lbs, lbBody(map[string]any{"foo": 1}), "", 400,
			"Unknown attribute for argument load_balancer.loadbalancer: foo"},
		{"unknown attributes", "POST", lbs, lbBody(map[string]any{"foo": 1, "bar": 2}), "", 400,
			"Unknown attributes for argument load_balancer.loadbalancer: bar, foo"},
		{"unknown root", "POST", lbs, map[string]any{"lb": map[string]any{}}, "", 400,
			"Unknown attribute for argument load_balancer: lb"},
		{"unknown nested in graph", "POST", lbs, graph([]any{map[string]any{"protocol": "HTTP", "protocol_port": 80,
			"default_pool": map[string]any{"name": "p", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN",
				"members": []any{map[string]any{"address": "192.0.2.9", "protocol_port": 1, "zzz": true}}}}}, nil), "", 400,
			"Unknown attribute for argument load_balancer.loadbalancer.listeners.default_pool.members: zzz"},
		{"tenant_id on a PUT", "PUT", "/v2/lbaas/pools/" + f.pool, map[string]any{"pool": map[string]any{"tenant_id": "x"}}, "", 400,
			"Unknown attribute for argument pool_.pool: tenant_id"},
		{"non-updatable LB field", "PUT", lbs + "/" + f.lb, map[string]any{"loadbalancer": map[string]any{"vip_address": "198.51.100.5"}}, "", 400,
			"Unknown attribute for argument load_balancer.loadbalancer: vip_address"},
		{"non-updatable listener field", "PUT", "/v2/lbaas/listeners/" + f.listener, map[string]any{"listener": map[string]any{"protocol": "TCP"}}, "", 400,
			"Unknown attribute for argument listener_.listener: protocol"},
		{"non-updatable member field", "PUT", "/v2/lbaas/pools/" + f.pool + "/members/" + f.member, map[string]any{"member": map[string]any{"address": "192.0.2.8"}}, "", 400,
			"Unknown attribute for argument member_.member: address"},
		{"malformed JSON", "POST", lbs, `{"loadbalancer": `, "", 400, "Request is not in valid JSON format"},
		{"empty body", "POST", "/v2/lbaas/listeners", "", "", 400, `Missing argument: "listener_"`},
		{"null root object", "POST", lbs, `{"loadbalancer": null}`, "", 400,
			"Invalid input for field/attribute loadbalancer. Value: 'None'. Mandatory field missing."},
		{"array body", "POST", lbs, `[1]`, "", 400,
			"Invalid input for field/attribute load_balancer. Value: '[1]'. Value not a valid dict: [1]"},
		{"unsupported content type", "POST", lbs, `x`, "text/plain", 415, "Unknown mimetype: text/plain"},
		{"unknown query argument on a write", "PUT", lbs + "/" + f.lb + "?foo=1", map[string]any{"loadbalancer": map[string]any{}}, "", 400,
			`Unknown argument: "foo"`},
		{"string for an integer", "POST", "/v2/lbaas/listeners",
			`{"listener": {"loadbalancer_id": "` + f.lb + `", "protocol": "HTTP", "protocol_port": "abc"}}`, "", 400,
			"Invalid input for field/attribute listener_. Value: '{'listener': {'loadbalancer_id': '" + f.lb +
				"', 'protocol': 'HTTP', 'protocol_port': 'abc'}}'. invalid literal for int() with base 10: 'abc'"},
		{"ambiguous boolean", "POST", "/v2/lbaas/listeners",
			`{"listener": {"admin_state_up": "maybe", "loadbalancer_id": "` + f.lb + `", "protocol": "HTTP", "protocol_port": 1}}`, "", 400,
			"Invalid input for field/attribute listener_. Value: '{'listener': {'admin_state_up': 'maybe', 'loadbalancer_id': '" + f.lb +
				"', 'protocol': 'HTTP', 'protocol_port': 1}}'. Value not an unambiguous boolean: maybe"},
		{"string for a list", "POST", lbs, `{"loadbalancer": {"vip_subnet_id": "` + subnetID + `", "tags": "a"}}`, "", 400,
			"Invalid input for field/attribute load_balancer. Value: '{'loadbalancer': {'vip_subnet_id': '" + subnetID +
				"', 'tags': 'a'}}'. Value not a valid list: a"},
		{"number for a string", "POST", "/v2/lbaas/listeners", listener(map[string]any{"name": 5}), "", 400,
			"Invalid input for field/attribute name. Value: '5'. Value should be string"},
		{"number in a string list", "POST", lbs, lbBody(map[string]any{"tags": []any{"a", 5}}), "", 400,
			"Invalid input for field/attribute tags. Value: '['a', 5]'. Value should be string"},
		{"name too long", "POST", lbs, lbBody(map[string]any{"name": strings.Repeat("n", 256)}), "", 400,
			"Invalid input for field/attribute name. Value: '" + strings.Repeat("n", 256) + "'. Value should have a maximum character requirement of 255"},
		{"bad UUID", "POST", "/v2/lbaas/listeners", listener(map[string]any{"loadbalancer_id": "nope"}), "", 400,
			"Invalid input for field/attribute loadbalancer_id. Value: 'nope'. Value should be UUID format"},
		{"empty UUID", "POST", lbs, map[string]any{"loadbalancer": map[string]any{"vip_subnet_id": ""}}, "", 400,
			"Invalid input for field/attribute vip_subnet_id. Value: ''. Value should be UUID format"},
		{"bad IP", "POST", "/v2/lbaas/pools/" + f.pool + "/members", member("300.1.1.1", 80), "", 400,
			"Invalid input for field/attribute address. Value: '300.1.1.1'. Value should be IPv4 or IPv6 format"},
		{"wrong enum", "POST", "/v2/lbaas/listeners", listener(map[string]any{"protocol": "FTP"}), "", 400,
			"Invalid input for field/attribute protocol. Value: 'FTP'. Value should be one of: HTTP, HTTPS, PROMETHEUS, SCTP, TCP, TERMINATED_HTTPS, UDP"},
		{"port below range", "POST", "/v2/lbaas/listeners", listener(map[string]any{"protocol_port": 0}), "", 400,
			"Invalid input for field/attribute protocol_port. Value: '0'. Value should be greater or equal to 1"},
		{"port above range", "POST", "/v2/lbaas/listeners", listener(map[string]any{"protocol_port": 70000}), "", 400,
			"Invalid input for field/attribute protocol_port. Value: '70000'. Value should be lower or equal to 65535"},
		{"timeout above range", "PUT", "/v2/lbaas/listeners/" + f.listener, map[string]any{"listener": map[string]any{"timeout_client_data": 2073600001}}, "", 400,
			"Invalid input for field/attribute timeout_client_data. Value: '2073600001'. Value should be lower or equal to 2073600000"},
		{"connection limit below range", "POST", "/v2/lbaas/listeners", listener(map[string]any{"connection_limit": -2}), "", 400,
			"Invalid input for field/attribute connection_limit. Value: '-2'. Value should be greater or equal to -1"},
		{"missing mandatory", "POST", "/v2/lbaas/listeners", listener(map[string]any{"protocol": nil}), "", 400,
			"Invalid input for field/attribute protocol. Value: 'None'. Mandatory field missing."},
		{"null for a mandatory attribute", "POST", "/v2/lbaas/pools/" + f.pool + "/members", map[string]any{"member": map[string]any{
			"address": nil, "protocol_port": 80}}, "", 400,
			"Invalid input for field/attribute address. Value: 'None'. Mandatory field missing."},
		{"null monitor type", "POST", "/v2/lbaas/healthmonitors", hm(map[string]any{"type": nil}), "", 400,
			"None is not a valid option for type"},
		{"null monitor delay (PUT)", "PUT", "/v2/lbaas/healthmonitors/" + f.hm, map[string]any{"healthmonitor": map[string]any{
			"delay": nil}}, "", 400, "None is not a valid option for delay"},
		{"bad CIDR", "POST", "/v2/lbaas/listeners", listener(map[string]any{"allowed_cidrs": []string{"10.0.0.0/33"}}), "", 400,
			"Invalid input for field/attribute allowed_cidrs. Value: '['10.0.0.0/33']'. Value should be IPv4 or IPv6 CIDR format"},
		{"member weight above range", "PUT", "/v2/lbaas/pools/" + f.pool + "/members/" + f.member, map[string]any{"member": map[string]any{"weight": 257}}, "", 400,
			"Invalid input for field/attribute weight. Value: '257'. Value should be lower or equal to 256"},
		{"max_retries above range", "POST", "/v2/lbaas/healthmonitors", hm(map[string]any{"max_retries": 11}), "", 400,
			"Invalid input for field/attribute max_retries. Value: '11'. Value should be lower or equal to 10"},
		{"expected_codes pattern", "POST", "/v2/lbaas/healthmonitors", hm(map[string]any{"expected_codes": "abc"}), "", 400,
			`Invalid input for field/attribute expected_codes. Value: 'abc'. Value should match the pattern ^(\d{3}(\s*,\s*\d{3})*)$|^(\d{3}-\d{3})$`},
		{"http_version enum", "POST", "/v2/lbaas/healthmonitors", hm(map[string]any{"http_version": 2}), "", 400,
			"Invalid input for field/attribute http_version. Value: '2.0'. Value should be one of: 1.0, 1.1"},
		{"redirect_http_code enum", "POST", "/v2/lbaas/l7policies", map[string]any{"l7policy": map[string]any{
			"listener_id": f.listener, "action": "REDIRECT_TO_URL", "redirect_url": "http://x.example", "redirect_http_code": 200}}, "", 400,
			"Invalid input for field/attribute redirect_http_code. Value: '200'. Value should be one of: 307, 308, 301, 302, 303"},
		{"bad redirect URL", "POST", "/v2/lbaas/l7policies", map[string]any{"l7policy": map[string]any{
			"listener_id": f.listener, "action": "REDIRECT_TO_URL", "redirect_url": "ftp://x.example"}}, "", 400,
			"Invalid input for field/attribute redirect_url. Value: 'ftp://x.example'. Value must be a valid URL string"},
		{"rule value with a newline", "POST", "/v2/lbaas/l7policies/" + f.policy + "/rules", map[string]any{"rule": map[string]any{
			"type": "PATH", "compare_type": "EQUAL_TO", "value": "a\rb"}}, "", 400,
			"Invalid input for field/attribute value. Value: 'a\rb'. Value should match the pattern ^[^\\r\\n]*$"},

		// Octavia's own validation.
		{"no VIP", "POST", lbs, map[string]any{"loadbalancer": map[string]any{"name": "x"}}, "", 400,
			"Validation failure: VIP must contain one of: vip_port_id, vip_network_id, vip_subnet_id."},
		{"unknown subnet", "POST", lbs, lbBody(map[string]any{"vip_subnet_id": missingID}), "", 400,
			"Subnet " + missingID + " not found."},
		{"unknown network", "POST", lbs, map[string]any{"loadbalancer": map[string]any{"vip_network_id": missingID}}, "", 400,
			"Network " + missingID + " not found."},
		{"VIP address in use", "POST", lbs, lbBody(map[string]any{"vip_address": "198.51.100.10"}), "", 409,
			"IP address 198.51.100.10 already allocated in subnet " + subnetID},
		{"VIP address outside the subnet", "POST", lbs, lbBody(map[string]any{"vip_address": "10.9.9.9"}), "", 400,
			"IP address 10.9.9.9 is not a valid IP for the specified subnet."},
		{"provider not enabled", "POST", lbs, lbBody(map[string]any{"provider": "f5"}), "", 400,
			"Provider 'f5' is not enabled."},
		{"unknown flavor", "POST", lbs, lbBody(map[string]any{"flavor_id": missingID}), "", 400,
			"Validation failure: Invalid flavor_id."},
		{"graph: referenced pool missing", "POST", lbs, graph([]any{map[string]any{"protocol": "HTTP", "protocol_port": 80,
			"default_pool": map[string]any{"name": "ghost"}}}, nil), "", 400,
			"Validation failure: Pool 'ghost' was referenced but no full definition was found."},
		{"graph: unnamed pool", "POST", lbs, graph([]any{map[string]any{"protocol": "HTTP", "protocol_port": 80,
			"default_pool": map[string]any{"protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}}}, nil), "", 400,
			"Validation failure: Pools must be named when creating a fully populated loadbalancer."},
		{"graph: duplicate pool names", "POST", lbs, graph(nil, []any{
			map[string]any{"name": "p", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"},
			map[string]any{"name": "p", "protocol": "TCP", "lb_algorithm": "ROUND_ROBIN"}}), "", 400,
			"Validation failure: Pool names must be unique when creating a fully populated loadbalancer."},
		{"graph: pool without algorithm", "POST", lbs, graph(nil, []any{map[string]any{"name": "p", "protocol": "HTTP"}}), "", 400,
			"Validation failure: Pool definition for 'p' missing required attribute: lb_algorithm"},
		{"graph: duplicate listener ports", "POST", lbs, graph([]any{
			map[string]any{"protocol": "HTTP", "protocol_port": 80}, map[string]any{"protocol": "TCP", "protocol_port": 80}}, nil), "", 409,
			"Another Listener on this Load Balancer is already using protocol HTTP and protocol_port 80"},
		{"graph: wrong protocol pair", "POST", lbs, graph([]any{map[string]any{"protocol": "UDP", "protocol_port": 53,
			"default_pool": map[string]any{"name": "p", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}}}, nil), "", 400,
			"Validation failure: The pool protocol 'HTTP' is invalid while the listener protocol is 'UDP'."},
		{"missing parent load balancer", "POST", "/v2/lbaas/listeners", listener(map[string]any{"loadbalancer_id": missingID}), "", 404,
			"Load Balancer " + missingID + " not found."},
		{"duplicate listener port", "POST", "/v2/lbaas/listeners", listener(map[string]any{"protocol": "TCP", "protocol_port": 80}), "", 409,
			"Another Listener on this Load Balancer is already using protocol HTTP and protocol_port 80"},
		{"default pool missing", "POST", "/v2/lbaas/listeners", listener(map[string]any{"default_pool_id": missingID}), "", 404,
			"Pool " + missingID + " not found."},
		{"insert_headers on TCP", "POST", "/v2/lbaas/listeners", listener(map[string]any{"protocol": "TCP",
			"insert_headers": map[string]string{"X-Forwarded-For": "true"}}), "", 400,
			"insert-headers is not a valid option for a TCP protocol listener."},
		{"wrong protocol pair", "POST", "/v2/lbaas/pools", map[string]any{"pool": map[string]any{
			"listener_id": f.listener2, "protocol": "UDP", "lb_algorithm": "ROUND_ROBIN"}}, "", 400,
			"Validation failure: The pool protocol 'UDP' is invalid while the listener protocol is 'TCP'."},
		{"listener already has a default pool", "POST", "/v2/lbaas/pools", map[string]any{"pool": map[string]any{
			"listener_id": f.listener, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}}, "", 409,
			"This listener already has a default pool"},
		{"pool without parent", "POST", "/v2/lbaas/pools", map[string]any{"pool": map[string]any{
			"protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}}, "", 400,
			"Validation failure: Must provide at least one of: loadbalancer_id, listener_id"},
		{"pool listener missing", "POST", "/v2/lbaas/pools", map[string]any{"pool": map[string]any{
			"listener_id": missingID, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}}, "", 404,
			"Listener " + missingID + " not found."},
		{"APP_COOKIE without cookie", "PUT", "/v2/lbaas/pools/" + f.pool2, map[string]any{"pool": map[string]any{
			"session_persistence": map[string]any{"type": "APP_COOKIE"}}}, "", 400,
			`Validation failure: Field "cookie_name" must be specified when using the "APP_COOKIE" session persistence type.`},
		{"pool used by a policy", "DELETE", "/v2/lbaas/pools/" + f.pool2, nil, "", 409,
			"Pool " + f.pool2 + " is in use by L7 policy " + f.policy},
		{"duplicate member", "POST", "/v2/lbaas/pools/" + f.pool + "/members", member("192.0.2.1", 80), "", 409,
			"Another member on this pool is already using ip 192.0.2.1 on protocol_port 80"},
		{"reserved member address", "POST", "/v2/lbaas/pools/" + f.pool + "/members", member("169.254.169.254", 80), "", 400,
			"169.254.169.254 is not a valid option for member address"},
		{"member of a missing pool", "POST", "/v2/lbaas/pools/" + missingID + "/members", member("192.0.2.7", 80), "", 404,
			"Pool " + missingID + " not found."},
		{"member under the wrong pool", "GET", "/v2/lbaas/pools/" + f.pool2 + "/members/" + f.member, nil, "", 404,
			"Member " + f.member + " not found."},
		{"batch: duplicate new members", "PUT", "/v2/lbaas/pools/" + f.pool2 + "/members", map[string]any{"members": []any{
			map[string]any{"address": "192.0.2.50", "protocol_port": 1}, map[string]any{"address": "192.0.2.50", "protocol_port": 1}}}, "", 409,
			"Another member on this pool is already using ip 192.0.2.50 on protocol_port 1"},
		{"batch: unknown attribute", "PUT", "/v2/lbaas/pools/" + f.pool2 + "/members", map[string]any{"members": []any{
			map[string]any{"address": "192.0.2.50", "protocol_port": 1, "foo": 1}}}, "", 400,
			"Unknown attribute for argument members_.members: foo"},
		{"batch: unknown query argument", "PUT", "/v2/lbaas/pools/" + f.pool2 + "/members?additive=1", map[string]any{"members": []any{}}, "", 400,
			`Unknown argument: "additive"`},
		{"second health monitor", "POST", "/v2/lbaas/healthmonitors", hm(map[string]any{"pool_id": f.pool, "type": "TCP"}), "", 409,
			"This pool already has a health monitor"},
		{"http field on a TCP monitor", "POST", "/v2/lbaas/healthmonitors", hm(map[string]any{"type": "TCP", "url_path": "/x"}), "", 400,
			"url_path is not a valid option for health monitors of type TCP"},
		{"http field on a TCP monitor (PUT)", "PUT", "/v2/lbaas/healthmonitors/" + f.hm, map[string]any{"healthmonitor": map[string]any{
			"http_method": nil}}, "", 400, "http_method is not a valid option for health monitors of type TCP"},
		{"UDP monitor on an HTTP pool", "POST", "/v2/lbaas/healthmonitors", hm(map[string]any{"type": "UDP-CONNECT"}), "", 400,
			"Validation failure: The UDP-CONNECT type is only supported for pools of type UDP/SCTP."},
		{"monitor of a missing pool", "POST", "/v2/lbaas/healthmonitors", hm(map[string]any{"pool_id": missingID}), "", 404,
			"Pool " + missingID + " not found."},
		{"redirect without URL", "POST", "/v2/lbaas/l7policies", map[string]any{"l7policy": map[string]any{
			"listener_id": f.listener, "action": "REDIRECT_TO_URL"}}, "", 400,
			"Invalid L7 Policy arguments: redirect_url must not be None"},
		{"redirect pool missing", "POST", "/v2/lbaas/l7policies", map[string]any{"l7policy": map[string]any{
			"listener_id": f.listener, "action": "REDIRECT_TO_POOL", "redirect_pool_id": missingID}}, "", 404,
			"Pool " + missingID + " not found."},
		{"policy of a missing listener", "POST", "/v2/lbaas/l7policies", map[string]any{"l7policy": map[string]any{
			"listener_id": missingID, "action": "REJECT"}}, "", 404, "Listener " + missingID + " not found."},
		{"header rule without key", "POST", "/v2/lbaas/l7policies/" + f.policy + "/rules", map[string]any{"rule": map[string]any{
			"type": "HEADER", "compare_type": "EQUAL_TO", "value": "x"}}, "", 400,
			"Error parsing L7Rule: Invalid L7 Rule: L7 rule type requires a key"},
		{"rule of a missing policy", "POST", "/v2/lbaas/l7policies/" + missingID + "/rules", map[string]any{"rule": map[string]any{
			"type": "PATH", "compare_type": "EQUAL_TO", "value": "/x"}}, "", 404, "L7Policy " + missingID + " not found."},

		// Writes while the load balancer is PENDING_UPDATE.
		{"LB PUT while pending", "PUT", lbs + "/" + f.pending, map[string]any{"loadbalancer": map[string]any{"name": "x"}}, "", 409,
			"Invalid state PENDING_UPDATE of loadbalancer resource " + f.pending},
		{"LB DELETE while pending", "DELETE", lbs + "/" + f.pending + "?cascade=true", nil, "", 409,
			"Invalid state PENDING_UPDATE of loadbalancer resource " + f.pending},
		{"LB failover while pending", "PUT", lbs + "/" + f.pending + "/failover", nil, "", 409,
			"Invalid state PENDING_UPDATE of loadbalancer resource " + f.pending},
		{"listener POST while pending", "POST", "/v2/lbaas/listeners", map[string]any{"listener": map[string]any{
			"loadbalancer_id": f.pending, "protocol": "TCP", "protocol_port": 9}}, "", 409, immutable(f.pending)},
		{"listener PUT while pending", "PUT", "/v2/lbaas/listeners/" + f.pendingListener, map[string]any{"listener": map[string]any{"name": "x"}}, "", 409,
			immutable(f.pending)},
		{"listener DELETE while pending", "DELETE", "/v2/lbaas/listeners/" + f.pendingListener, nil, "", 409, immutable(f.pending)},
		{"pool PUT while pending", "PUT", "/v2/lbaas/pools/" + f.pendingPool, map[string]any{"pool": map[string]any{"name": "x"}}, "", 409,
			immutable(f.pending)},
		{"member POST while pending", "POST", "/v2/lbaas/pools/" + f.pendingPool + "/members", member("192.0.2.3", 80), "", 409,
			immutable(f.pending)},

		// Deletes and lookups.
		{"LB with children", "DELETE", lbs + "/" + f.lb, nil, "", 400,
			"Validation failure: Cannot delete Load Balancer " + f.lb + " - it has children"},
		{"bad ID", "GET", lbs + "/not-a-uuid", nil, "", 404, "Load Balancer not-a-uuid not found."},
		{"missing listener", "PUT", "/v2/lbaas/listeners/" + missingID, map[string]any{"listener": map[string]any{}}, "", 404,
			"Listener " + missingID + " not found."},
		{"missing L7 policy", "DELETE", "/v2/lbaas/l7policies/" + missingID, nil, "", 404, "L7 Policy " + missingID + " not found."},
		{"missing health monitor", "GET", "/v2/lbaas/healthmonitors/" + missingID, nil, "", 404, "Health Monitor " + missingID + " not found."},
		{"missing amphora failover", "PUT", "/v2/octavia/amphorae/" + missingID + "/failover", nil, "", 404, "Amphora " + missingID + " not found."},

		// List parameters.
		{"unknown filter", "GET", lbs + "?colour=blue", nil, "", 400, "One or more arguments are either duplicate or invalid"},
		{"tenant_id filter", "GET", "/v2/lbaas/pools?tenant_id=x", nil, "", 400, "One or more arguments are either duplicate or invalid"},
		{"bad sort direction", "GET", lbs + "?sort=name:sideways", nil, "", 400, "Supplied sort direction 'sideways' is not valid."},
		{"bad sort key", "GET", lbs + "?sort_key=nope", nil, "", 400, "Supplied sort key 'nope' is not valid."},
		{"bad marker", "GET", lbs + "?marker=" + missingID, nil, "", 400, "Supplied pagination marker '" + missingID + "' is not valid."},
		{"bad limit", "GET", lbs + "?limit=abc", nil, "", 400, "Supplied pagination limit 'abc' is not valid."},
		{"too large a body", "PUT", lbs + "/" + f.lb, `{"loadbalancer": {"name": "` + strings.Repeat("x", maxBody) + `"}}`, "", 413,
			fmt.Sprintf("Request body is larger than %d bytes", maxBody)},
	}
}

func TestBadRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	f := newFixture(h)
	cases := badCases(f)
	if len(cases) < 40 {
		t.Fatalf("only %d bad requests", len(cases))
	}
	t.Logf("%d bad requests", len(cases))
	allocated := h.net.allocated()
	for _, c := range cases {
		before := h.snapshot()
		enqueued := h.ctrl.count()
		var r response
		if c.contentType != "" {
			req := httptest.NewRequestWithContext(t.Context(), c.method, c.path, strings.NewReader(c.body.(string)))
			req.Header.Set("Content-Type", c.contentType)
			rec := httptest.NewRecorder()
			h.h.ServeHTTP(rec, req)
			r = response{status: rec.Code, body: rec.Body.Bytes()}
			r = decodeResponse(t, r)
		} else {
			r = h.do(c.method, c.path, c.body)
		}
		if r.status >= 500 {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
			continue
		}
		if r.status != c.status || r.json["faultcode"] != "Client" || r.json["faultstring"] != c.msg {
			t.Errorf("%s: %s %s\n got %d %.300s\nwant %d %.300q", c.name, c.method, c.path, r.status, r.body, c.status, c.msg)
		}
		if r.json["debuginfo"] != nil || len(r.json) != 3 {
			t.Errorf("%s: fault body %s", c.name, r.body)
		}
		if after := h.snapshot(); after != before {
			t.Errorf("%s: the store changed", c.name)
		}
		if h.ctrl.count() != enqueued {
			t.Errorf("%s: the controller was woken up", c.name)
		}
		if n := h.net.allocated(); n != allocated {
			t.Errorf("%s: %d VIPs allocated, want %d", c.name, n, allocated)
		}
	}
}
