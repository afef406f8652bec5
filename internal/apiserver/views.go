package apiserver

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// The response documents of Octavia's API types ([PO] api/v2/types/*.py
// *Response, *FullResponse): every attribute of the type, None rendered as
// null except name/description (""), tenant_id beside project_id, child
// references as [{"id": …}]. Full responses (the fully populated load
// balancer POST) nest the children and leave out the attributes their
// from_data_model deletes.

type view = map[string]any

// ts renders a timestamp as Python's isoformat() of Octavia's naive UTC
// database value; the zero time is null.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05")
}

// nullable renders "" as null.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func strList(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// nullList renders a nil list as null.
func nullList(v []string) any {
	if v == nil {
		return nil
	}
	return v
}

func ids[T any](xs []*T, id func(*T) string) []view {
	out := make([]view, 0, len(xs))
	for _, x := range xs {
		out = append(out, view{"id": id(x)})
	}
	return out
}

func idView(id string) []view { return []view{{"id": id}} }

// live drops objects whose provisioning status is DELETED.
func live[T any](xs []*T, status func(*T) string) []*T {
	out := make([]*T, 0, len(xs))
	for _, x := range xs {
		if status(x) != lb.StatusDeleted {
			out = append(out, x)
		}
	}
	return out
}

func liveListeners(g *lb.LoadBalancer) []*lb.Listener {
	return live(g.Listeners, func(x *lb.Listener) string { return x.ProvisioningStatus })
}

func livePools(g *lb.LoadBalancer) []*lb.Pool {
	return live(g.Pools, func(x *lb.Pool) string { return x.ProvisioningStatus })
}

func liveMembers(p *lb.Pool) []*lb.Member {
	return live(p.Members, func(x *lb.Member) string { return x.ProvisioningStatus })
}

func livePolicies(li *lb.Listener) []*lb.L7Policy {
	ps := live(li.L7Policies, func(x *lb.L7Policy) string { return x.ProvisioningStatus })
	slices.SortStableFunc(ps, func(a, b *lb.L7Policy) int { return a.Position - b.Position })
	return ps
}

func liveRules(p *lb.L7Policy) []*lb.L7Rule {
	return live(p.Rules, func(x *lb.L7Rule) string { return x.ProvisioningStatus })
}

func liveHM(p *lb.Pool) *lb.HealthMonitor {
	if p.HealthMonitor == nil || p.HealthMonitor.ProvisioningStatus == lb.StatusDeleted {
		return nil
	}
	return p.HealthMonitor
}

func lbView(g *lb.LoadBalancer, full bool) view {
	provider := g.Provider
	if provider == "" {
		provider = "octavia"
	}
	addVIPs := make([]view, 0, len(g.AdditionalVIPs))
	for _, a := range g.AdditionalVIPs {
		addVIPs = append(addVIPs, view{"subnet_id": a.SubnetID, "ip_address": nullable(a.IPAddress)})
	}
	v := view{
		"id":                  g.ID,
		"name":                g.Name,
		"description":         g.Description,
		"provisioning_status": g.ProvisioningStatus,
		"operating_status":    g.OperatingStatus,
		"admin_state_up":      g.AdminStateUp,
		"project_id":          g.ProjectID,
		"tenant_id":           g.ProjectID,
		"created_at":          ts(g.CreatedAt),
		"updated_at":          ts(g.UpdatedAt),
		"vip_address":         nullable(g.VIPAddress),
		"vip_port_id":         nullable(g.VIPPortID),
		"vip_subnet_id":       nullable(g.VIPSubnetID),
		"vip_network_id":      nullable(g.VIPNetworkID),
		"vip_qos_policy_id":   nullable(g.VIPQoSPolicyID),
		"additional_vips":     addVIPs,
		"provider":            provider,
		"flavor_id":           nullable(g.FlavorID),
		"tags":                strList(g.Tags),
		"availability_zone":   nullable(g.AvailabilityZone),
	}
	if full {
		ls := make([]view, 0, len(g.Listeners))
		for _, li := range liveListeners(g) {
			ls = append(ls, listenerView(g, li, true))
		}
		ps := make([]view, 0, len(g.Pools))
		for _, p := range livePools(g) {
			ps = append(ps, poolView(g, p, true))
		}
		v["listeners"], v["pools"] = ls, ps
	} else {
		v["listeners"] = ids(liveListeners(g), func(x *lb.Listener) string { return x.ID })
		v["pools"] = ids(livePools(g), func(x *lb.Pool) string { return x.ID })
	}
	return v
}

func listenerView(g *lb.LoadBalancer, li *lb.Listener, full bool) view {
	headers := li.InsertHeaders
	if headers == nil {
		headers = map[string]string{}
	}
	var cidrs any
	if len(li.AllowedCIDRs) > 0 {
		cidrs = li.AllowedCIDRs
	}
	v := view{
		"id":                          li.ID,
		"name":                        li.Name,
		"description":                 li.Description,
		"provisioning_status":         li.ProvisioningStatus,
		"operating_status":            li.OperatingStatus,
		"admin_state_up":              li.AdminStateUp,
		"protocol":                    li.Protocol,
		"protocol_port":               li.ProtocolPort,
		"connection_limit":            li.ConnectionLimit,
		"default_tls_container_ref":   nullable(li.DefaultTLSContainerRef),
		"sni_container_refs":          strList(li.SNIContainerRefs),
		"project_id":                  li.ProjectID,
		"tenant_id":                   li.ProjectID,
		"default_pool_id":             nullable(li.DefaultPoolID),
		"insert_headers":              headers,
		"created_at":                  ts(li.CreatedAt),
		"updated_at":                  ts(li.UpdatedAt),
		"timeout_client_data":         li.TimeoutClientData,
		"timeout_member_connect":      li.TimeoutMemberConnect,
		"timeout_member_data":         li.TimeoutMemberData,
		"timeout_tcp_inspect":         li.TimeoutTCPInspect,
		"tags":                        strList(li.Tags),
		"client_ca_tls_container_ref": nullable(li.ClientCATLSContainerRef),
		"client_authentication":       li.ClientAuthentication,
		"client_crl_container_ref":    nullable(li.ClientCRLContainerRef),
		"allowed_cidrs":               cidrs,
		"tls_ciphers":                 nullable(li.TLSCiphers),
		"tls_versions":                nullList(li.TLSVersions),
		"alpn_protocols":              nullList(li.ALPNProtocols),
	}
	if full {
		ps := make([]view, 0, len(li.L7Policies))
		for _, p := range livePolicies(li) {
			ps = append(ps, l7policyView(p, true))
		}
		v["l7policies"] = ps
	} else {
		v["l7policies"] = ids(livePolicies(li), func(x *lb.L7Policy) string { return x.ID })
		v["loadbalancers"] = idView(g.ID)
	}
	return v
}

func sessionPersistenceView(sp *lb.SessionPersistence) any {
	if sp == nil {
		return nil
	}
	var timeout any
	if sp.PersistenceTimeout != nil {
		timeout = *sp.PersistenceTimeout
	}
	return view{
		"type":                    sp.Type,
		"cookie_name":             nullable(sp.CookieName),
		"persistence_timeout":     timeout,
		"persistence_granularity": nullable(sp.PersistenceGranularity),
	}
}

func poolView(g *lb.LoadBalancer, p *lb.Pool, full bool) view {
	v := view{
		"id":                   p.ID,
		"name":                 p.Name,
		"description":          p.Description,
		"provisioning_status":  p.ProvisioningStatus,
		"operating_status":     p.OperatingStatus,
		"admin_state_up":       p.AdminStateUp,
		"protocol":             p.Protocol,
		"lb_algorithm":         p.LBAlgorithm,
		"session_persistence":  sessionPersistenceView(p.SessionPersistence),
		"project_id":           p.ProjectID,
		"tenant_id":            p.ProjectID,
		"listeners":            ids(g.ListenersOfPool(p.ID), func(x *lb.Listener) string { return x.ID }),
		"created_at":           ts(p.CreatedAt),
		"updated_at":           ts(p.UpdatedAt),
		"tags":                 strList(p.Tags),
		"tls_container_ref":    nullable(p.TLSContainerRef),
		"ca_tls_container_ref": nullable(p.CATLSContainerRef),
		"crl_container_ref":    nullable(p.CRLContainerRef),
		"tls_enabled":          p.TLSEnabled,
		"tls_ciphers":          nullable(p.TLSCiphers),
		"tls_versions":         nullList(p.TLSVersions),
		"alpn_protocols":       nullList(p.ALPNProtocols),
	}
	if full {
		ms := make([]view, 0, len(p.Members))
		for _, m := range liveMembers(p) {
			ms = append(ms, memberView(m))
		}
		v["members"] = ms
		// PoolFullResponse never fills its healthmonitor: the data model's
		// to_dict() leaves the relationship None, so Octavia answers null.
		v["healthmonitor"] = nil
	} else {
		v["members"] = ids(liveMembers(p), func(x *lb.Member) string { return x.ID })
		v["loadbalancers"] = idView(g.ID)
		if hm := liveHM(p); hm != nil {
			v["healthmonitor_id"] = hm.ID
		} else {
			v["healthmonitor_id"] = nil
		}
	}
	return v
}

func memberView(m *lb.Member) view {
	var monitorPort any
	if m.MonitorPort != nil {
		monitorPort = *m.MonitorPort
	}
	return view{
		"id":                  m.ID,
		"name":                m.Name,
		"operating_status":    m.OperatingStatus,
		"provisioning_status": m.ProvisioningStatus,
		"admin_state_up":      m.AdminStateUp,
		"address":             m.Address,
		"protocol_port":       m.ProtocolPort,
		"weight":              m.Weight,
		"backup":              m.Backup,
		"subnet_id":           nullable(m.SubnetID),
		"project_id":          m.ProjectID,
		"tenant_id":           m.ProjectID,
		"created_at":          ts(m.CreatedAt),
		"updated_at":          ts(m.UpdatedAt),
		"monitor_address":     nullable(m.MonitorAddress),
		"monitor_port":        monitorPort,
		"tags":                strList(m.Tags),
	}
}

// pyFloatJSON renders a float as Python's json module does (1.0, not 1).
func pyFloatJSON(f float64) json.Number {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return json.Number(s)
}

func hmView(hm *lb.HealthMonitor) view {
	var version any
	if hm.HTTPVersion != nil {
		version = pyFloatJSON(*hm.HTTPVersion)
	}
	return view{
		"id":                  hm.ID,
		"name":                hm.Name,
		"type":                hm.Type,
		"delay":               hm.Delay,
		"timeout":             hm.Timeout,
		"max_retries":         hm.MaxRetries,
		"max_retries_down":    hm.MaxRetriesDown,
		"http_method":         nullable(hm.HTTPMethod),
		"url_path":            nullable(hm.URLPath),
		"expected_codes":      nullable(hm.ExpectedCodes),
		"admin_state_up":      hm.AdminStateUp,
		"project_id":          hm.ProjectID,
		"tenant_id":           hm.ProjectID,
		"pools":               idView(hm.PoolID),
		"provisioning_status": hm.ProvisioningStatus,
		"operating_status":    hm.OperatingStatus,
		"created_at":          ts(hm.CreatedAt),
		"updated_at":          ts(hm.UpdatedAt),
		"tags":                strList(hm.Tags),
		"http_version":        version,
		"domain_name":         nullable(hm.DomainName),
	}
}

func l7policyView(p *lb.L7Policy, full bool) view {
	var code any
	if p.RedirectHTTPCode != nil {
		code = *p.RedirectHTTPCode
	}
	v := view{
		"id":                  p.ID,
		"name":                p.Name,
		"description":         p.Description,
		"provisioning_status": p.ProvisioningStatus,
		"operating_status":    p.OperatingStatus,
		"admin_state_up":      p.AdminStateUp,
		"project_id":          p.ProjectID,
		"tenant_id":           p.ProjectID,
		"action":              p.Action,
		"listener_id":         p.ListenerID,
		"redirect_pool_id":    nullable(p.RedirectPoolID),
		"redirect_url":        nullable(p.RedirectURL),
		"redirect_prefix":     nullable(p.RedirectPrefix),
		"position":            p.Position,
		"created_at":          ts(p.CreatedAt),
		"updated_at":          ts(p.UpdatedAt),
		"tags":                strList(p.Tags),
		"redirect_http_code":  code,
	}
	if full {
		rs := make([]view, 0, len(p.Rules))
		for _, r := range liveRules(p) {
			rs = append(rs, l7ruleView(r))
		}
		v["rules"] = rs
	} else {
		v["rules"] = ids(liveRules(p), func(x *lb.L7Rule) string { return x.ID })
	}
	return v
}

func l7ruleView(r *lb.L7Rule) view {
	return view{
		"id":                  r.ID,
		"type":                r.Type,
		"compare_type":        r.CompareType,
		"key":                 nullable(r.Key),
		"value":               r.Value,
		"invert":              r.Invert,
		"provisioning_status": r.ProvisioningStatus,
		"operating_status":    r.OperatingStatus,
		"created_at":          ts(r.CreatedAt),
		"updated_at":          ts(r.UpdatedAt),
		"project_id":          r.ProjectID,
		"tenant_id":           r.ProjectID,
		"admin_state_up":      r.AdminStateUp,
		"tags":                strList(r.Tags),
	}
}

func amphoraView(a *lb.Amphora) view {
	var certExp any
	if a.CertExpiration != nil {
		certExp = ts(*a.CertExpiration)
	}
	nullInt := func(i int) any {
		if i == 0 {
			return nil
		}
		return i
	}
	return view{
		"id":              a.ID,
		"loadbalancer_id": nullable(a.LoadBalancerID),
		"compute_id":      nullable(a.ComputeID),
		"lb_network_ip":   nullable(a.LBNetworkIP),
		"vrrp_ip":         nullable(a.VRRPIP),
		"ha_ip":           nullable(a.HAIP),
		"vrrp_port_id":    nullable(a.VRRPPortID),
		"ha_port_id":      nullable(a.HAPortID),
		"cert_expiration": certExp,
		"cert_busy":       a.CertBusy,
		"role":            nullable(a.Role),
		"status":          a.Status,
		"vrrp_interface":  nullable(a.VRRPInterface),
		"vrrp_id":         nullInt(a.VRRPID),
		"vrrp_priority":   nullInt(a.VRRPPriority),
		"cached_zone":     nullable(a.CachedZone),
		"created_at":      ts(a.CreatedAt),
		"updated_at":      ts(a.UpdatedAt),
		"image_id":        nullable(a.ImageID),
		"compute_flavor":  nullable(a.ComputeFlavor),
	}
}

// statusTree is the /status document ([PO] api/v2/types/load_balancer.py
// LoadBalancerStatusResponse and its listener, pool, member and health
// monitor status types).
func statusTree(g *lb.LoadBalancer) view {
	listeners := make([]view, 0, len(g.Listeners))
	for _, li := range liveListeners(g) {
		pools := make([]view, 0)
		for _, p := range livePools(g) {
			if !slices.ContainsFunc(g.ListenersOfPool(p.ID), func(x *lb.Listener) bool { return x.ID == li.ID }) {
				continue
			}
			members := make([]view, 0, len(p.Members))
			for _, m := range liveMembers(p) {
				members = append(members, view{
					"id":                  m.ID,
					"name":                m.Name,
					"operating_status":    m.OperatingStatus,
					"provisioning_status": m.ProvisioningStatus,
					"address":             m.Address,
					"protocol_port":       m.ProtocolPort,
				})
			}
			pv := view{
				"id":                  p.ID,
				"name":                p.Name,
				"provisioning_status": p.ProvisioningStatus,
				"operating_status":    p.OperatingStatus,
				"members":             members,
			}
			if hm := liveHM(p); hm != nil {
				pv["health_monitor"] = view{
					"id":                  hm.ID,
					"name":                hm.Name,
					"type":                hm.Type,
					"provisioning_status": hm.ProvisioningStatus,
					"operating_status":    hm.OperatingStatus,
				}
			}
			pools = append(pools, pv)
		}
		listeners = append(listeners, view{
			"id":                  li.ID,
			"name":                li.Name,
			"operating_status":    li.OperatingStatus,
			"provisioning_status": li.ProvisioningStatus,
			"pools":               pools,
		})
	}
	return view{"statuses": view{"loadbalancer": view{
		"id":                  g.ID,
		"name":                g.Name,
		"operating_status":    g.OperatingStatus,
		"provisioning_status": g.ProvisioningStatus,
		"listeners":           listeners,
	}}}
}

// selectFields keeps only the requested attributes (?fields=…); unknown
// names select nothing.
func selectFields(v view, fields []string) view {
	if fields == nil {
		return v
	}
	out := view{}
	for _, f := range fields {
		if x, ok := v[f]; ok {
			out[f] = x
		}
	}
	return out
}
