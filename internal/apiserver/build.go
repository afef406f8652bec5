package apiserver

import (
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// Defaults of [api_settings] for TLS-enabled listeners and pools
// (constants.CIPHERS_OWASP_SUITE_B, TLS_VERSIONS_OWASP_SUITE_B).
const defaultCiphers = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:" +
	"TLS_AES_128_GCM_SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:" +
	"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA256:" +
	"DHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256"

func defaultTLSVersions() []string { return []string{"TLSv1.2", "TLSv1.3"} }

func defaultALPN() []string { return []string{"h2", "http/1.1", "http/1.0"} }

// adminState is admin_state_up on a create: true when absent, false when
// null (Octavia's to_dict turns None into False).
func adminState(o Opt[bool]) bool {
	if !o.Set {
		return true
	}
	return o.Has() && o.V
}

// tagsOf is a tags attribute on a create (null or absent: none).
func tagsOf(o Opt[[]string]) []string {
	if o.Has() {
		return o.V
	}
	return []string{}
}

func intPtr(v int) *int { return &v }

// newListener builds a listener of a POST or a fully populated create, with
// db_prepare.create_listener's defaults. The default pool and L7 policies
// are the caller's.
func newListener(req *listenerReq, id, lbID, project string, now time.Time) *lb.Listener {
	li := &lb.Listener{
		ID:                      id,
		ProjectID:               project,
		Name:                    req.Name.Or(""),
		Description:             req.Description.Or(""),
		LoadBalancerID:          lbID,
		Protocol:                req.Protocol.V,
		ProtocolPort:            req.ProtocolPort.V,
		ConnectionLimit:         req.ConnectionLimit.Or(lb.DefaultConnectionLimit),
		DefaultPoolID:           req.DefaultPoolID.Or(""),
		DefaultTLSContainerRef:  req.DefaultTLSContainerRef.Or(""),
		SNIContainerRefs:        req.SNIContainerRefs.Or(nil),
		ClientCATLSContainerRef: req.ClientCATLSContainerRef.Or(""),
		ClientAuthentication:    req.ClientAuthentication.Or(lb.ClientAuthNone),
		ClientCRLContainerRef:   req.ClientCRLContainerRef.Or(""),
		InsertHeaders:           req.InsertHeaders.Or(map[string]string{}),
		TimeoutClientData:       req.TimeoutClientData.Or(lb.DefaultTimeoutClientData),
		TimeoutMemberConnect:    req.TimeoutMemberConnect.Or(lb.DefaultTimeoutMemberConnect),
		TimeoutMemberData:       req.TimeoutMemberData.Or(lb.DefaultTimeoutMemberData),
		TimeoutTCPInspect:       req.TimeoutTCPInspect.Or(lb.DefaultTimeoutTCPInspect),
		AllowedCIDRs:            req.AllowedCIDRs.Or(nil),
		TLSCiphers:              req.TLSCiphers.Or(""),
		TLSVersions:             req.TLSVersions.Or(nil),
		ALPNProtocols:           req.ALPNProtocols.Or(nil),
		AdminStateUp:            adminState(req.AdminStateUp),
		Tags:                    tagsOf(req.Tags),
		ProvisioningStatus:      lb.StatusPendingCreate,
		OperatingStatus:         lb.OperatingOffline,
		CreatedAt:               now,
	}
	if li.Protocol == lb.ProtocolTerminatedHTTPS {
		if li.TLSCiphers == "" {
			li.TLSCiphers = defaultCiphers
		}
		if li.TLSVersions == nil {
			li.TLSVersions = defaultTLSVersions()
		}
		if li.ALPNProtocols == nil {
			li.ALPNProtocols = defaultALPN()
		}
	}
	return li
}

func newSessionPersistence(req *sessionPersistenceReq) *lb.SessionPersistence {
	sp := &lb.SessionPersistence{
		Type:                   req.Type.Or(""),
		CookieName:             req.CookieName.Or(""),
		PersistenceGranularity: req.PersistenceGranularity.Or(""),
	}
	if req.PersistenceTimeout.Has() {
		sp.PersistenceTimeout = intPtr(req.PersistenceTimeout.V)
	}
	return sp
}

// newPool builds a pool (without its health monitor and members) with
// db_prepare.create_pool's defaults.
func newPool(req *poolReq, id, lbID, project string, now time.Time) *lb.Pool {
	p := &lb.Pool{
		ID:                 id,
		ProjectID:          project,
		Name:               req.Name.Or(""),
		Description:        req.Description.Or(""),
		LoadBalancerID:     lbID,
		ListenerID:         req.ListenerID.Or(""),
		Protocol:           req.Protocol.Or(""),
		LBAlgorithm:        req.LBAlgorithm.Or(""),
		TLSEnabled:         req.TLSEnabled.Or(false),
		TLSContainerRef:    req.TLSContainerRef.Or(""),
		CATLSContainerRef:  req.CATLSContainerRef.Or(""),
		CRLContainerRef:    req.CRLContainerRef.Or(""),
		TLSCiphers:         req.TLSCiphers.Or(""),
		TLSVersions:        req.TLSVersions.Or(nil),
		ALPNProtocols:      req.ALPNProtocols.Or(nil),
		AdminStateUp:       adminState(req.AdminStateUp),
		Tags:               tagsOf(req.Tags),
		ProvisioningStatus: lb.StatusPendingCreate,
		OperatingStatus:    lb.OperatingOffline,
		CreatedAt:          now,
	}
	if req.SessionPersistence.Has() {
		p.SessionPersistence = newSessionPersistence(req.SessionPersistence.V)
	}
	if p.TLSEnabled {
		if p.TLSCiphers == "" {
			p.TLSCiphers = defaultCiphers
		}
		if p.TLSVersions == nil {
			p.TLSVersions = defaultTLSVersions()
		}
		if p.ALPNProtocols == nil {
			p.ALPNProtocols = defaultALPN()
		}
	}
	return p
}

// newMember builds a member of pool with db_prepare.create_member's status.
func newMember(req *memberReq, id string, p *lb.Pool, project string, now time.Time) *lb.Member {
	m := &lb.Member{
		ID:                 id,
		ProjectID:          project,
		Name:               req.Name.Or(""),
		PoolID:             p.ID,
		Address:            req.Address.V,
		ProtocolPort:       req.ProtocolPort.V,
		Weight:             req.Weight.Or(lb.DefaultWeight),
		Backup:             req.Backup.Or(false),
		SubnetID:           req.SubnetID.Or(""),
		MonitorAddress:     req.MonitorAddress.Or(""),
		AdminStateUp:       adminState(req.AdminStateUp),
		Tags:               tagsOf(req.Tags),
		ProvisioningStatus: lb.StatusPendingCreate,
		OperatingStatus:    lb.OperatingNoMonitor,
		CreatedAt:          now,
	}
	if req.MonitorPort.Has() {
		m.MonitorPort = intPtr(req.MonitorPort.V)
	}
	if liveHM(p) != nil {
		m.OperatingStatus = lb.OperatingOffline
	}
	return m
}

// newHealthMonitor builds a health monitor of pool; SetDefaults is the
// caller's (after the checks that look at what the request carried).
func newHealthMonitor(req *hmReq, id string, p *lb.Pool, project string, now time.Time) *lb.HealthMonitor {
	h := &lb.HealthMonitor{
		ID:                 id,
		ProjectID:          project,
		Name:               req.Name.Or(""),
		PoolID:             p.ID,
		Type:               req.Type.V,
		Delay:              req.Delay.V,
		Timeout:            req.Timeout.V,
		MaxRetries:         req.MaxRetries.V,
		MaxRetriesDown:     req.MaxRetriesDown.Or(lb.DefaultMaxRetriesDown),
		HTTPMethod:         req.HTTPMethod.Or(""),
		URLPath:            req.URLPath.Or(""),
		ExpectedCodes:      req.ExpectedCodes.Or(""),
		DomainName:         req.DomainName.Or(""),
		AdminStateUp:       adminState(req.AdminStateUp),
		Tags:               tagsOf(req.Tags),
		ProvisioningStatus: lb.StatusPendingCreate,
		OperatingStatus:    lb.OperatingOffline,
		CreatedAt:          now,
	}
	if req.HTTPVersion.Has() {
		v := req.HTTPVersion.V
		h.HTTPVersion = &v
	}
	return h
}

// hmMissing is _validate_create_hm's check of the mandatory fields (which
// wsme already enforces on a POST; a null gets here):
// "None is not a valid option for <field>".
func hmMissing(req *hmReq) error {
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"type", req.Type.Has()}, {"delay", req.Delay.Has()}, {"timeout", req.Timeout.Has()},
		{"max_retries", req.MaxRetries.Has()},
	} {
		if !f.set {
			return clientError(400, "None is not a valid option for "+f.name)
		}
	}
	return nil
}

// newL7Rule builds an L7 rule of policy pol.
func newL7Rule(req *l7ruleReq, id string, pol *lb.L7Policy, project string, now time.Time) *lb.L7Rule {
	return &lb.L7Rule{
		ID:                 id,
		ProjectID:          project,
		L7PolicyID:         pol.ID,
		Type:               req.Type.Or(""),
		CompareType:        req.CompareType.Or(""),
		Key:                req.Key.Or(""),
		Value:              req.Value.Or(""),
		Invert:             req.Invert.Or(false),
		AdminStateUp:       adminState(req.AdminStateUp),
		Tags:               tagsOf(req.Tags),
		ProvisioningStatus: lb.StatusPendingCreate,
		OperatingStatus:    lb.OperatingOffline,
		CreatedAt:          now,
	}
}

// newL7Policy builds an L7 policy of listener li (without rules; the
// redirect pool is the caller's) and sanitizes it as
// db_prepare.create_l7policy does.
func newL7Policy(req *l7policyReq, id string, li *lb.Listener, project string, now time.Time) *lb.L7Policy {
	pol := &lb.L7Policy{
		ID:                 id,
		ProjectID:          project,
		Name:               req.Name.Or(""),
		Description:        req.Description.Or(""),
		ListenerID:         li.ID,
		Action:             req.Action.Or(""),
		Position:           req.Position.Or(lb.MaxPosition),
		RedirectPoolID:     req.RedirectPoolID.Or(""),
		RedirectURL:        req.RedirectURL.Or(""),
		RedirectPrefix:     req.RedirectPrefix.Or(""),
		AdminStateUp:       adminState(req.AdminStateUp),
		Tags:               tagsOf(req.Tags),
		ProvisioningStatus: lb.StatusPendingCreate,
		OperatingStatus:    lb.OperatingOffline,
		CreatedAt:          now,
	}
	if req.RedirectHTTPCode.Has() {
		pol.RedirectHTTPCode = intPtr(req.RedirectHTTPCode.V)
	}
	return pol
}
