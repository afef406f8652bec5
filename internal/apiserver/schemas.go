package apiserver

import (
	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// The request types of Octavia's API ([PO] octavia/api/v2/types/*.py), with
// their attributes in declaration order, which is the order wsme checks them
// in.

func sAttr(name string, maxLen int) *attr { return &attr{name: name, typ: tString, maxLen: maxLen} }

func iAttr(name string, lo, hi int64) *attr {
	return &attr{name: name, typ: tInt, min: &lo, max: &hi}
}

func iMin(name string, lo int64) *attr { return &attr{name: name, typ: tInt, min: &lo} }

func iAny(name string) *attr { return &attr{name: name, typ: tInt} }

func bAttr(name string) *attr { return &attr{name: name, typ: tBool} }

func uAttr(name string) *attr { return &attr{name: name, typ: tUUID} }

func ipAttr(name string) *attr { return &attr{name: name, typ: tIP} }

func eAttr(name string, values []string) *attr { return &attr{name: name, typ: tEnum, enum: values} }

func lAttr(name string, elem *attr) *attr { return &attr{name: name, typ: tList, elem: elem} }

func oAttr(name string, s *schema) *attr { return &attr{name: name, typ: tObject, obj: s} }

func (a *attr) req() *attr {
	a.mandatory = true
	return a
}

// orNull marks a mandatory attribute that may be null.
func (a *attr) orNull() *attr {
	a.nullable = true
	return a
}

func (a *attr) pat(p *pattern) *attr {
	a.pattern = p
	return a
}

func tagsAttr() *attr { return lAttr("tags", sAttr("", lb.MaxTagLength)) }

func tenantAttr() *attr {
	return &attr{name: "tenant_id", typ: tString, maxLen: 36, alias: "project_id"}
}

func timeoutAttr(name string) *attr { return iAttr(name, lb.MinTimeoutMS, lb.MaxTimeoutMS) }

func portAttr(name string) *attr { return iAttr(name, lb.MinPort, lb.MaxPort) }

// schemas holds every request type lbaasd decodes.
type schemas struct {
	lbPost, lbPut             *schema
	listenerPost, listenerPut *schema
	poolPost, poolPut         *schema
	memberPost, memberPut     *schema
	membersPut                *schema
	hmPost, hmPut             *schema
	l7policyPost, l7policyPut *schema
	l7rulePost, l7rulePut     *schema
}

func root(name string, s *schema) *schema { return &schema{attrs: []*attr{oAttr(name, s)}} }

func buildSchemas() *schemas {
	redirectCodes := &attr{typ: tIntEnum, intEnum: []int64{301, 302, 303, 307, 308},
		// Python's iteration order of the set {301, 302, 303, 307, 308}.
		intOrder: "307, 308, 301, 302, 303"}
	httpVersion := &attr{name: "http_version", typ: tFloatEnum, floatEnum: lb.HTTPVersions()}
	domainName := func() *attr {
		a := sAttr("domain_name", 255).pat(domainNamePattern())
		a.minLen = 1
		return a
	}
	expectedCodes := func() *attr { return sAttr("expected_codes", 0).pat(expectedCodesPattern()) }
	urlPath := func() *attr { return &attr{name: "url_path", typ: tURLPath} }
	url := func(name string) *attr { return &attr{name: name, typ: tURL} }
	alpn := func() *attr { return lAttr("alpn_protocols", &attr{typ: tALPN}) }
	cidrs := func() *attr { return lAttr("allowed_cidrs", &attr{typ: tCIDR}) }
	tlsVersions := func() *attr { return lAttr("tls_versions", sAttr("", 32)) }
	insertHeaders := func() *attr { return &attr{name: "insert_headers", typ: tDict, elem: sAttr("", 255)} }
	redirectCode := func() *attr {
		a := *redirectCodes
		a.name = "redirect_http_code"
		return &a
	}
	// L7 rules.
	l7ruleSingle := &schema{attrs: []*attr{
		eAttr("type", lb.L7RuleTypes()).req(),
		eAttr("compare_type", lb.CompareTypes()).req(),
		sAttr("key", 255),
		sAttr("value", 255).req(),
		bAttr("invert"),
		bAttr("admin_state_up"),
		tagsAttr(),
	}}
	l7rulePost := &schema{attrs: []*attr{
		eAttr("type", lb.L7RuleTypes()).req(),
		eAttr("compare_type", lb.CompareTypes()).req(),
		sAttr("key", 255).pat(noNewlinePattern()),
		sAttr("value", 255).pat(noNewlinePattern()).req(),
		bAttr("invert"),
		bAttr("admin_state_up"),
		sAttr("project_id", 36),
		tagsAttr(),
		tenantAttr(),
	}}
	l7rulePut := &schema{attrs: []*attr{
		eAttr("type", lb.L7RuleTypes()),
		eAttr("compare_type", lb.CompareTypes()),
		sAttr("key", 255).pat(noNewlinePattern()),
		sAttr("value", 255).pat(noNewlinePattern()),
		bAttr("invert"),
		bAttr("admin_state_up"),
		tagsAttr(),
	}}

	// Members.
	memberSingle := &schema{attrs: []*attr{
		sAttr("name", 255),
		bAttr("admin_state_up"),
		ipAttr("address").req(),
		portAttr("protocol_port").req(),
		iAttr("weight", lb.MinWeight, lb.MaxWeight),
		bAttr("backup"),
		uAttr("subnet_id"),
		portAttr("monitor_port"),
		ipAttr("monitor_address"),
		tagsAttr(),
	}}
	memberPost := &schema{attrs: []*attr{
		sAttr("name", 255),
		bAttr("admin_state_up"),
		ipAttr("address").req(),
		portAttr("protocol_port").req(),
		iAttr("weight", lb.MinWeight, lb.MaxWeight),
		bAttr("backup"),
		uAttr("subnet_id"),
		sAttr("project_id", 36),
		portAttr("monitor_port"),
		ipAttr("monitor_address"),
		tagsAttr(),
		tenantAttr(),
	}}
	memberPut := &schema{attrs: []*attr{
		sAttr("name", 255),
		bAttr("admin_state_up"),
		iAttr("weight", lb.MinWeight, lb.MaxWeight),
		bAttr("backup"),
		portAttr("monitor_port"),
		ipAttr("monitor_address"),
		tagsAttr(),
	}}

	// Health monitors.
	hmSingle := &schema{attrs: []*attr{
		sAttr("name", 255),
		eAttr("type", lb.MonitorTypes()).req().orNull(),
		iMin("delay", 0).req().orNull(),
		iMin("timeout", 0).req().orNull(),
		iAttr("max_retries_down", lb.MinRetries, lb.MaxRetries),
		iAttr("max_retries", lb.MinRetries, lb.MaxRetries).req().orNull(),
		eAttr("http_method", lb.HTTPMethods()),
		urlPath(),
		expectedCodes(),
		bAttr("admin_state_up"),
		tagsAttr(),
		httpVersion,
		domainName(),
	}}
	hmPost := &schema{attrs: []*attr{
		sAttr("name", 255),
		eAttr("type", lb.MonitorTypes()).req().orNull(),
		iMin("delay", 0).req().orNull(),
		iMin("timeout", 0).req().orNull(),
		iAttr("max_retries_down", lb.MinRetries, lb.MaxRetries),
		iAttr("max_retries", lb.MinRetries, lb.MaxRetries).req().orNull(),
		eAttr("http_method", lb.HTTPMethods()),
		urlPath(),
		expectedCodes(),
		bAttr("admin_state_up"),
		sAttr("project_id", 36),
		uAttr("pool_id").req(),
		tagsAttr(),
		httpVersion,
		domainName(),
		tenantAttr(),
	}}
	hmPut := &schema{attrs: []*attr{
		sAttr("name", 255),
		iMin("delay", 0),
		iMin("timeout", 0),
		iAttr("max_retries_down", lb.MinRetries, lb.MaxRetries),
		iAttr("max_retries", lb.MinRetries, lb.MaxRetries),
		eAttr("http_method", lb.HTTPMethods()),
		urlPath(),
		expectedCodes(),
		bAttr("admin_state_up"),
		tagsAttr(),
		httpVersion,
		domainName(),
	}}

	// Pools.
	spPost := &schema{attrs: []*attr{
		eAttr("type", lb.PersistenceTypes()).req(),
		sAttr("cookie_name", 255).pat(cookieNamePattern()),
		iAny("persistence_timeout"),
		ipAttr("persistence_granularity"),
	}}
	spPut := &schema{attrs: []*attr{
		eAttr("type", lb.PersistenceTypes()),
		sAttr("cookie_name", 255).pat(cookieNamePattern()),
		iAny("persistence_timeout"),
		ipAttr("persistence_granularity"),
	}}
	poolTLS := func() []*attr {
		return []*attr{
			sAttr("tls_container_ref", 255),
			sAttr("ca_tls_container_ref", 255),
			sAttr("crl_container_ref", 255),
			bAttr("tls_enabled"),
			sAttr("tls_ciphers", 2048),
			tlsVersions(),
			alpn(),
		}
	}
	poolSingle := &schema{attrs: append([]*attr{
		sAttr("name", 255),
		sAttr("description", 255),
		bAttr("admin_state_up"),
		eAttr("protocol", lb.PoolProtocols()),
		eAttr("lb_algorithm", lb.Algorithms()),
		oAttr("session_persistence", spPost),
		oAttr("healthmonitor", hmSingle),
		lAttr("members", oAttr("", memberSingle)),
		tagsAttr(),
	}, poolTLS()...)}
	poolPost := &schema{attrs: append(append([]*attr{
		sAttr("name", 255),
		sAttr("description", 255),
		bAttr("admin_state_up"),
		uAttr("listener_id"),
		uAttr("loadbalancer_id"),
		eAttr("protocol", lb.PoolProtocols()).req(),
		eAttr("lb_algorithm", lb.Algorithms()).req(),
		oAttr("session_persistence", spPost),
		sAttr("project_id", 36),
		oAttr("healthmonitor", hmSingle),
		lAttr("members", oAttr("", memberSingle)),
		tagsAttr(),
	}, poolTLS()...), tenantAttr())}
	poolPut := &schema{attrs: append([]*attr{
		sAttr("name", 255),
		sAttr("description", 255),
		bAttr("admin_state_up"),
		eAttr("lb_algorithm", lb.Algorithms()),
		oAttr("session_persistence", spPut),
		tagsAttr(),
	}, poolTLS()...)}

	// L7 policies.
	l7policySingle := &schema{attrs: []*attr{
		sAttr("name", 255),
		sAttr("description", 255),
		bAttr("admin_state_up"),
		eAttr("action", lb.L7Actions()).req(),
		oAttr("redirect_pool", poolSingle),
		url("redirect_url"),
		url("redirect_prefix"),
		iAttr("position", lb.MinPosition, lb.MaxPosition),
		lAttr("rules", oAttr("", l7ruleSingle)),
		tagsAttr(),
		redirectCode(),
	}}
	l7policyPost := &schema{attrs: []*attr{
		sAttr("name", 255),
		sAttr("description", 255),
		bAttr("admin_state_up"),
		sAttr("project_id", 36),
		eAttr("action", lb.L7Actions()).req(),
		uAttr("redirect_pool_id"),
		url("redirect_url"),
		url("redirect_prefix"),
		iAttr("position", lb.MinPosition, lb.MaxPosition),
		uAttr("listener_id").req(),
		lAttr("rules", oAttr("", l7ruleSingle)),
		tagsAttr(),
		redirectCode(),
		tenantAttr(),
	}}
	l7policyPut := &schema{attrs: []*attr{
		sAttr("name", 255),
		sAttr("description", 255),
		bAttr("admin_state_up"),
		eAttr("action", lb.L7Actions()),
		uAttr("redirect_pool_id"),
		url("redirect_url"),
		url("redirect_prefix"),
		iAttr("position", lb.MinPosition, lb.MaxPosition),
		tagsAttr(),
		redirectCode(),
	}}

	// Listeners.
	listenerTail := func() []*attr {
		return []*attr{
			timeoutAttr("timeout_client_data"),
			timeoutAttr("timeout_member_connect"),
			timeoutAttr("timeout_member_data"),
			timeoutAttr("timeout_tcp_inspect"),
			tagsAttr(),
			sAttr("client_ca_tls_container_ref", 255),
			eAttr("client_authentication", lb.ClientAuthentications()),
			sAttr("client_crl_container_ref", 255),
			cidrs(),
			sAttr("tls_ciphers", 2048),
			tlsVersions(),
			alpn(),
		}
	}
	listenerSingle := &schema{attrs: append([]*attr{
		sAttr("name", 255),
		sAttr("description", 255),
		bAttr("admin_state_up"),
		eAttr("protocol", lb.ListenerProtocols()).req(),
		portAttr("protocol_port").req(),
		iMin("connection_limit", lb.MinConnectionLimit),
		sAttr("default_tls_container_ref", 255),
		lAttr("sni_container_refs", sAttr("", 255)),
		uAttr("default_pool_id"),
		oAttr("default_pool", poolSingle),
		lAttr("l7policies", oAttr("", l7policySingle)),
		insertHeaders(),
	}, listenerTail()...)}
	listenerPost := &schema{attrs: append(append([]*attr{
		sAttr("name", 255),
		sAttr("description", 255),
		bAttr("admin_state_up"),
		eAttr("protocol", lb.ListenerProtocols()).req(),
		portAttr("protocol_port").req(),
		iMin("connection_limit", lb.MinConnectionLimit),
		sAttr("default_tls_container_ref", 255),
		lAttr("sni_container_refs", sAttr("", 255)),
		sAttr("project_id", 36),
		uAttr("default_pool_id"),
		oAttr("default_pool", poolSingle),
		lAttr("l7policies", oAttr("", l7policySingle)),
		insertHeaders(),
		uAttr("loadbalancer_id").req(),
	}, listenerTail()...), tenantAttr())}
	listenerPut := &schema{attrs: append([]*attr{
		sAttr("name", 255),
		sAttr("description", 255),
		bAttr("admin_state_up"),
		iMin("connection_limit", lb.MinConnectionLimit),
		sAttr("default_tls_container_ref", 255),
		lAttr("sni_container_refs", sAttr("", 255)),
		uAttr("default_pool_id"),
		insertHeaders(),
	}, listenerTail()...)}

	// Load balancers.
	additionalVIP := &schema{attrs: []*attr{
		uAttr("subnet_id").req(),
		ipAttr("ip_address"),
	}}
	lbPost := &schema{attrs: []*attr{
		sAttr("name", 255),
		sAttr("description", 255),
		bAttr("admin_state_up"),
		ipAttr("vip_address"),
		uAttr("vip_port_id"),
		uAttr("vip_subnet_id"),
		uAttr("vip_network_id"),
		uAttr("vip_qos_policy_id"),
		lAttr("additional_vips", oAttr("", additionalVIP)),
		sAttr("project_id", 36),
		lAttr("listeners", oAttr("", listenerSingle)),
		lAttr("pools", oAttr("", poolSingle)),
		sAttr("provider", 64),
		tagsAttr(),
		uAttr("flavor_id"),
		sAttr("availability_zone", 255),
		tenantAttr(),
	}}
	lbPut := &schema{attrs: []*attr{
		sAttr("name", 255),
		sAttr("description", 255),
		uAttr("vip_qos_policy_id"),
		bAttr("admin_state_up"),
		tagsAttr(),
	}}

	return &schemas{
		lbPost:       root("loadbalancer", lbPost),
		lbPut:        root("loadbalancer", lbPut),
		listenerPost: root("listener", listenerPost),
		listenerPut:  root("listener", listenerPut),
		poolPost:     root("pool", poolPost),
		poolPut:      root("pool", poolPut),
		memberPost:   root("member", memberPost),
		memberPut:    root("member", memberPut),
		membersPut:   &schema{attrs: []*attr{lAttr("members", oAttr("", memberPost))}},
		hmPost:       root("healthmonitor", hmPost),
		hmPut:        root("healthmonitor", hmPut),
		l7policyPost: root("l7policy", l7policyPost),
		l7policyPut:  root("l7policy", l7policyPut),
		l7rulePost:   root("rule", l7rulePost),
		l7rulePut:    root("rule", l7rulePut),
	}
}
