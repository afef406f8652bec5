package octavia

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// Responses decode into the lb types: the JSON names are Octavia's. The
// references Octavia returns instead of children ("listeners": [{"id"}],
// "members": [{"id"}], …) decode into children that carry only their ID;
// the singular parents they stand for are set too: Listener.LoadBalancerID
// and Pool.LoadBalancerID from loadbalancers[0], Pool.ListenerID from
// listeners[0], Pool.HealthMonitor from healthmonitor_id,
// HealthMonitor.PoolID from pools[0]. Unknown fields are ignored.

type idRef struct {
	ID string `json:"id"`
}

func firstID(refs []idRef) string {
	if len(refs) > 0 {
		return refs[0].ID
	}
	return ""
}

// isTimeKey tells the fields that hold timestamps, which Octavia writes
// without a zone ("2024-05-01T10:00:00").
func isTimeKey(k string) bool {
	switch k {
	case "created_at", "updated_at", "cert_expiration":
		return true
	}
	return false
}

// Layouts of timestamps without a zone, read as UTC.
const (
	zonelessT     = "2006-01-02T15:04:05.999999999"
	zonelessSpace = "2006-01-02 15:04:05.999999999"
)

// fixTimes rewrites zoneless timestamps as RFC 3339 so that time.Time can
// read them.
func fixTimes(v any) (any, bool) {
	changed := false
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && isTimeKey(k) {
				if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
					continue
				}
				if s == "" {
					x[k] = nil
					changed = true
					continue
				}
				for _, layout := range [...]string{zonelessT, zonelessSpace} {
					if t, err := time.Parse(layout, s); err == nil {
						x[k] = t.UTC().Format(time.RFC3339Nano)
						changed = true
						break
					}
				}
				continue
			}
			if nv, ok := fixTimes(e); ok {
				x[k] = nv
				changed = true
			}
		}
	case []any:
		for i, e := range x {
			if nv, ok := fixTimes(e); ok {
				x[i] = nv
				changed = true
			}
		}
	}
	return v, changed
}

// decode reads an API object into v.
func decode(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return err
	}
	if fixed, changed := fixTimes(tree); changed {
		b, err := json.Marshal(fixed)
		if err != nil {
			return err
		}
		raw = b
	}
	return json.Unmarshal(raw, v)
}

func decodeLoadBalancer(raw json.RawMessage) (*lb.LoadBalancer, error) {
	var v lb.LoadBalancer
	if err := decode(raw, &v); err != nil {
		return nil, fmt.Errorf("reading a load balancer: %w", err)
	}
	return &v, nil
}

func decodeListener(raw json.RawMessage) (*lb.Listener, error) {
	var v struct {
		lb.Listener
		LoadBalancers []idRef `json:"loadbalancers"`
	}
	if err := decode(raw, &v); err != nil {
		return nil, fmt.Errorf("reading a listener: %w", err)
	}
	if v.LoadBalancerID == "" {
		v.LoadBalancerID = firstID(v.LoadBalancers)
	}
	return &v.Listener, nil
}

func decodePool(raw json.RawMessage) (*lb.Pool, error) {
	var v struct {
		lb.Pool
		LoadBalancers   []idRef `json:"loadbalancers"`
		Listeners       []idRef `json:"listeners"`
		HealthMonitorID string  `json:"healthmonitor_id"`
	}
	if err := decode(raw, &v); err != nil {
		return nil, fmt.Errorf("reading a pool: %w", err)
	}
	p := &v.Pool
	if p.LoadBalancerID == "" {
		p.LoadBalancerID = firstID(v.LoadBalancers)
	}
	if p.ListenerID == "" {
		p.ListenerID = firstID(v.Listeners)
	}
	if p.HealthMonitor == nil && v.HealthMonitorID != "" {
		p.HealthMonitor = &lb.HealthMonitor{ID: v.HealthMonitorID, PoolID: p.ID}
	}
	for _, m := range p.Members {
		if m != nil && m.PoolID == "" {
			m.PoolID = p.ID
		}
	}
	return p, nil
}

func decodeMember(raw json.RawMessage, poolID string) (*lb.Member, error) {
	var v lb.Member
	if err := decode(raw, &v); err != nil {
		return nil, fmt.Errorf("reading a member: %w", err)
	}
	if v.PoolID == "" {
		v.PoolID = poolID
	}
	return &v, nil
}

func decodeHealthMonitor(raw json.RawMessage) (*lb.HealthMonitor, error) {
	var v struct {
		lb.HealthMonitor
		Pools []idRef `json:"pools"`
	}
	if err := decode(raw, &v); err != nil {
		return nil, fmt.Errorf("reading a health monitor: %w", err)
	}
	if v.PoolID == "" {
		v.PoolID = firstID(v.Pools)
	}
	return &v.HealthMonitor, nil
}

func decodeL7Policy(raw json.RawMessage) (*lb.L7Policy, error) {
	var v lb.L7Policy
	if err := decode(raw, &v); err != nil {
		return nil, fmt.Errorf("reading an L7 policy: %w", err)
	}
	for _, r := range v.Rules {
		if r != nil && r.L7PolicyID == "" {
			r.L7PolicyID = v.ID
		}
	}
	return &v, nil
}

func decodeL7Rule(raw json.RawMessage, policyID string) (*lb.L7Rule, error) {
	var v lb.L7Rule
	if err := decode(raw, &v); err != nil {
		return nil, fmt.Errorf("reading an L7 rule: %w", err)
	}
	if v.L7PolicyID == "" {
		v.L7PolicyID = policyID
	}
	return &v, nil
}

// Request bodies. A create sends what want sets: strings when not empty,
// lists and pointers when not nil, admin_state_up always, and integers as
// they are, except those where 0 is not a valid value (protocol_port,
// position, max_retries_down) which are left out when 0 so that the API's
// default applies. Fill want's integer defaults (lb.Default*) before a
// create: a Weight of 0 is sent as 0. An update sends every updatable
// field (a full-state PUT): empty strings that name references or enums,
// nil lists and nil pointers as null (the API's default, or none), tags
// as a list.

type body map[string]any

func (b body) str(k, v string) {
	if v != "" {
		b[k] = v
	}
}

// list sends v unless it is nil (an empty list is an explicit []).
func (b body) list(k string, v []string) {
	if v != nil {
		b[k] = v
	}
}

func (b body) ptr(k string, v any, isNil bool) {
	if !isNil {
		b[k] = v
	}
}

func (b body) positive(k string, v int) {
	if v > 0 {
		b[k] = v
	}
}

// orNull is v, or null when v is empty.
func orNull(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// listOrNull is v, or null when v is nil.
func listOrNull(v []string) any {
	if v == nil {
		return nil
	}
	return v
}

// tags is v, or an empty list (which clears them).
func tags(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func wrap(root string, b body) map[string]any { return map[string]any{root: b} }

func createLoadBalancerBody(w *lb.LoadBalancer) map[string]any {
	b := body{"admin_state_up": w.AdminStateUp}
	b.str("name", w.Name)
	b.str("description", w.Description)
	b.str("project_id", w.ProjectID)
	b.str("vip_address", w.VIPAddress)
	b.str("vip_port_id", w.VIPPortID)
	b.str("vip_subnet_id", w.VIPSubnetID)
	b.str("vip_network_id", w.VIPNetworkID)
	b.str("vip_qos_policy_id", w.VIPQoSPolicyID)
	if len(w.AdditionalVIPs) > 0 {
		vips := make([]map[string]any, 0, len(w.AdditionalVIPs))
		for _, v := range w.AdditionalVIPs {
			m := map[string]any{"subnet_id": v.SubnetID}
			if v.IPAddress != "" {
				m["ip_address"] = v.IPAddress
			}
			vips = append(vips, m)
		}
		b["additional_vips"] = vips
	}
	b.str("provider", w.Provider)
	b.str("flavor_id", w.FlavorID)
	b.str("availability_zone", w.AvailabilityZone)
	b.str("topology", w.Topology) // lbaasd only; Octavia takes it from the flavor
	b.list("tags", w.Tags)
	return wrap("loadbalancer", b)
}

// updateLoadBalancerBody is the PUT of want over have. vip_qos_policy_id
// goes only when it changes (have nil: always): Octavia checks Neutron's QoS
// extension whenever the key is present, even null, and refuses the whole
// update where it is missing.
func updateLoadBalancerBody(have, w *lb.LoadBalancer) map[string]any {
	b := body{
		"name":           w.Name,
		"description":    w.Description,
		"admin_state_up": w.AdminStateUp,
		"tags":           tags(w.Tags),
	}
	if have == nil || have.VIPQoSPolicyID != w.VIPQoSPolicyID {
		b["vip_qos_policy_id"] = orNull(w.VIPQoSPolicyID)
	}
	return wrap("loadbalancer", b)
}

func createListenerBody(w *lb.Listener) map[string]any {
	b := body{
		"admin_state_up":         w.AdminStateUp,
		"loadbalancer_id":        w.LoadBalancerID,
		"protocol":               w.Protocol,
		"connection_limit":       w.ConnectionLimit,
		"timeout_client_data":    w.TimeoutClientData,
		"timeout_member_connect": w.TimeoutMemberConnect,
		"timeout_member_data":    w.TimeoutMemberData,
		"timeout_tcp_inspect":    w.TimeoutTCPInspect,
	}
	b.positive("protocol_port", w.ProtocolPort)
	b.str("name", w.Name)
	b.str("description", w.Description)
	b.str("project_id", w.ProjectID)
	b.str("default_pool_id", w.DefaultPoolID)
	b.str("default_tls_container_ref", w.DefaultTLSContainerRef)
	b.list("sni_container_refs", w.SNIContainerRefs)
	b.str("client_ca_tls_container_ref", w.ClientCATLSContainerRef)
	b.str("client_authentication", w.ClientAuthentication)
	b.str("client_crl_container_ref", w.ClientCRLContainerRef)
	if len(w.InsertHeaders) > 0 {
		b["insert_headers"] = w.InsertHeaders
	}
	b.list("allowed_cidrs", w.AllowedCIDRs)
	b.str("tls_ciphers", w.TLSCiphers)
	b.list("tls_versions", w.TLSVersions)
	b.list("alpn_protocols", w.ALPNProtocols)
	b.list("tags", w.Tags)
	return wrap("listener", b)
}

func updateListenerBody(w *lb.Listener) map[string]any {
	var headers any
	if w.InsertHeaders != nil {
		headers = w.InsertHeaders
	}
	return wrap("listener", body{
		"name":                        w.Name,
		"description":                 w.Description,
		"admin_state_up":              w.AdminStateUp,
		"connection_limit":            w.ConnectionLimit,
		"default_pool_id":             orNull(w.DefaultPoolID),
		"default_tls_container_ref":   orNull(w.DefaultTLSContainerRef),
		"sni_container_refs":          listOrNull(w.SNIContainerRefs),
		"client_ca_tls_container_ref": orNull(w.ClientCATLSContainerRef),
		"client_authentication":       orNull(w.ClientAuthentication),
		"client_crl_container_ref":    orNull(w.ClientCRLContainerRef),
		"insert_headers":              headers,
		"timeout_client_data":         w.TimeoutClientData,
		"timeout_member_connect":      w.TimeoutMemberConnect,
		"timeout_member_data":         w.TimeoutMemberData,
		"timeout_tcp_inspect":         w.TimeoutTCPInspect,
		"allowed_cidrs":               listOrNull(w.AllowedCIDRs),
		"tls_ciphers":                 orNull(w.TLSCiphers),
		"tls_versions":                listOrNull(w.TLSVersions),
		"alpn_protocols":              listOrNull(w.ALPNProtocols),
		"tags":                        tags(w.Tags),
	})
}

func createPoolBody(w *lb.Pool) map[string]any {
	b := body{
		"admin_state_up": w.AdminStateUp,
		"protocol":       w.Protocol,
		"lb_algorithm":   w.LBAlgorithm,
	}
	// One of listener_id and loadbalancer_id; with both, Octavia checks
	// that they agree.
	b.str("listener_id", w.ListenerID)
	b.str("loadbalancer_id", w.LoadBalancerID)
	b.str("name", w.Name)
	b.str("description", w.Description)
	b.str("project_id", w.ProjectID)
	b.ptr("session_persistence", w.SessionPersistence, w.SessionPersistence == nil)
	if w.TLSEnabled {
		b["tls_enabled"] = true
	}
	b.str("tls_container_ref", w.TLSContainerRef)
	b.str("ca_tls_container_ref", w.CATLSContainerRef)
	b.str("crl_container_ref", w.CRLContainerRef)
	b.str("tls_ciphers", w.TLSCiphers)
	b.list("tls_versions", w.TLSVersions)
	b.list("alpn_protocols", w.ALPNProtocols)
	b.list("tags", w.Tags)
	return wrap("pool", b)
}

func updatePoolBody(w *lb.Pool) map[string]any {
	var sp any
	if w.SessionPersistence != nil {
		sp = w.SessionPersistence
	}
	return wrap("pool", body{
		"name":                 w.Name,
		"description":          w.Description,
		"admin_state_up":       w.AdminStateUp,
		"lb_algorithm":         w.LBAlgorithm,
		"session_persistence":  sp,
		"tls_enabled":          w.TLSEnabled,
		"tls_container_ref":    orNull(w.TLSContainerRef),
		"ca_tls_container_ref": orNull(w.CATLSContainerRef),
		"crl_container_ref":    orNull(w.CRLContainerRef),
		"tls_ciphers":          orNull(w.TLSCiphers),
		"tls_versions":         listOrNull(w.TLSVersions),
		"alpn_protocols":       listOrNull(w.ALPNProtocols),
		"tags":                 tags(w.Tags),
	})
}

// memberFields is a member as POST and the batch PUT take it.
func memberFields(w *lb.Member) body {
	b := body{
		"admin_state_up": w.AdminStateUp,
		"address":        w.Address,
		"weight":         w.Weight,
		"backup":         w.Backup,
	}
	b.positive("protocol_port", w.ProtocolPort)
	b.str("name", w.Name)
	b.str("project_id", w.ProjectID)
	b.str("subnet_id", w.SubnetID)
	b.str("monitor_address", w.MonitorAddress)
	b.ptr("monitor_port", w.MonitorPort, w.MonitorPort == nil)
	b.list("tags", w.Tags)
	return b
}

func createMemberBody(w *lb.Member) map[string]any { return wrap("member", memberFields(w)) }

func updateMemberBody(w *lb.Member) map[string]any {
	var port any
	if w.MonitorPort != nil {
		port = *w.MonitorPort
	}
	return wrap("member", body{
		"name":            w.Name,
		"admin_state_up":  w.AdminStateUp,
		"weight":          w.Weight,
		"backup":          w.Backup,
		"monitor_address": orNull(w.MonitorAddress),
		"monitor_port":    port,
		"tags":            tags(w.Tags),
	})
}

func batchMembersBody(want []*lb.Member) map[string]any {
	ms := make([]body, 0, len(want))
	for _, m := range want {
		ms = append(ms, memberFields(m))
	}
	return map[string]any{"members": ms}
}

// isHTTPMonitor tells the monitor types that take http_method, url_path
// and expected_codes.
func isHTTPMonitor(t string) bool { return t == lb.MonitorHTTP || t == lb.MonitorHTTPS }

func createHealthMonitorBody(w *lb.HealthMonitor) map[string]any {
	b := body{
		"admin_state_up": w.AdminStateUp,
		"pool_id":        w.PoolID,
		"type":           w.Type,
		"delay":          w.Delay,
		"timeout":        w.Timeout,
		"max_retries":    w.MaxRetries,
	}
	b.positive("max_retries_down", w.MaxRetriesDown)
	b.str("name", w.Name)
	b.str("project_id", w.ProjectID)
	if isHTTPMonitor(w.Type) {
		b.str("http_method", w.HTTPMethod)
		b.str("url_path", w.URLPath)
		b.str("expected_codes", w.ExpectedCodes)
	}
	b.ptr("http_version", w.HTTPVersion, w.HTTPVersion == nil)
	b.str("domain_name", w.DomainName)
	b.list("tags", w.Tags)
	return wrap("healthmonitor", b)
}

func updateHealthMonitorBody(w *lb.HealthMonitor) map[string]any {
	b := body{
		"name":           w.Name,
		"admin_state_up": w.AdminStateUp,
		"delay":          w.Delay,
		"timeout":        w.Timeout,
		"max_retries":    w.MaxRetries,
		"tags":           tags(w.Tags),
	}
	b.positive("max_retries_down", w.MaxRetriesDown)
	if isHTTPMonitor(w.Type) {
		b["http_method"] = orNull(w.HTTPMethod)
		b["url_path"] = orNull(w.URLPath)
		b["expected_codes"] = orNull(w.ExpectedCodes)
		var v any
		if w.HTTPVersion != nil {
			v = *w.HTTPVersion
		}
		b["http_version"] = v
		b["domain_name"] = orNull(w.DomainName)
	} else {
		// Octavia refuses HTTP options on other types, even null ones
		// in some versions: send them only when set.
		b.ptr("http_version", w.HTTPVersion, w.HTTPVersion == nil)
		b.str("domain_name", w.DomainName)
	}
	return wrap("healthmonitor", b)
}

func createL7PolicyBody(w *lb.L7Policy) map[string]any {
	b := body{
		"admin_state_up": w.AdminStateUp,
		"listener_id":    w.ListenerID,
		"action":         w.Action,
	}
	b.positive("position", w.Position)
	b.str("name", w.Name)
	b.str("description", w.Description)
	b.str("project_id", w.ProjectID)
	b.str("redirect_pool_id", w.RedirectPoolID)
	b.str("redirect_url", w.RedirectURL)
	b.str("redirect_prefix", w.RedirectPrefix)
	b.ptr("redirect_http_code", w.RedirectHTTPCode, w.RedirectHTTPCode == nil)
	b.list("tags", w.Tags)
	return wrap("l7policy", b)
}

func updateL7PolicyBody(w *lb.L7Policy) map[string]any {
	var code any
	if w.RedirectHTTPCode != nil {
		code = *w.RedirectHTTPCode
	}
	b := body{
		"name":               w.Name,
		"description":        w.Description,
		"admin_state_up":     w.AdminStateUp,
		"action":             w.Action,
		"redirect_pool_id":   orNull(w.RedirectPoolID),
		"redirect_url":       orNull(w.RedirectURL),
		"redirect_prefix":    orNull(w.RedirectPrefix),
		"redirect_http_code": code,
		"tags":               tags(w.Tags),
	}
	b.positive("position", w.Position)
	return wrap("l7policy", b)
}

func createL7RuleBody(w *lb.L7Rule) map[string]any {
	b := body{
		"admin_state_up": w.AdminStateUp,
		"type":           w.Type,
		"compare_type":   w.CompareType,
		"value":          w.Value,
		"invert":         w.Invert,
	}
	b.str("key", w.Key)
	b.str("project_id", w.ProjectID)
	b.list("tags", w.Tags)
	return wrap("rule", b)
}

func updateL7RuleBody(w *lb.L7Rule) map[string]any {
	return wrap("rule", body{
		"type":           w.Type,
		"compare_type":   w.CompareType,
		"key":            orNull(w.Key),
		"value":          w.Value,
		"invert":         w.Invert,
		"admin_state_up": w.AdminStateUp,
		"tags":           tags(w.Tags),
	})
}
