package lb

// The amphora provider's own limits ([PO]
// api/drivers/amphora_driver/v2/driver.py), answered with 501
// ProviderUnsupportedOptionError. They are kept apart from the Validate*
// functions because a real Octavia with another provider accepts these
// objects. (The amphora provider supports every listener protocol and ALPN
// protocol Octavia's API accepts, so those checks of the driver never fail.)

// SupportedByAmphora checks a whole graph against the amphora provider's
// limits, in graph order: each pool's algorithm, then its members' address
// family, then each listener's L7 policies.
func SupportedByAmphora(l *LoadBalancer) error {
	if l == nil {
		return nil
	}
	for _, p := range l.Pools {
		if err := SupportedByAmphoraPool(p); err != nil {
			return err
		}
		for _, m := range p.Members {
			if err := SupportedByAmphoraMember(m, p, l); err != nil {
				return err
			}
		}
	}
	for _, li := range l.Listeners {
		for _, pol := range li.L7Policies {
			if err := SupportedByAmphoraL7Policy(pol, li); err != nil {
				return err
			}
		}
	}
	return nil
}

// SupportedByAmphoraPool is AmphoraProviderDriver._validate_pool_algorithm:
// SOURCE_IP_PORT is not supported.
func SupportedByAmphoraPool(p *Pool) error {
	if p == nil {
		return nil
	}
	switch p.LBAlgorithm {
	case AlgorithmRoundRobin, AlgorithmSourceIP, AlgorithmLeastConnections, "":
		return nil
	}
	return notImplemented("lb_algorithm", "Amphora provider does not support "+p.LBAlgorithm+" algorithm.")
}

// SupportedByAmphoraMember is AmphoraProviderDriver._validate_members: a
// member of a UDP or SCTP pool that a listener uses must have the address
// family of one of the load balancer's VIPs. Skipped without the graph or
// while no VIP address is known.
func SupportedByAmphoraMember(m *Member, p *Pool, l *LoadBalancer) error {
	if m == nil || p == nil || l == nil || (p.Protocol != ProtocolUDP && p.Protocol != ProtocolSCTP) {
		return nil
	}
	a, ok := parseIP(m.Address)
	if !ok || !poolHasListener(p, l) {
		return nil
	}
	var has4, has6, known bool
	vips := []string{l.VIPAddress}
	for _, v := range l.AdditionalVIPs {
		vips = append(vips, v.IPAddress)
	}
	for _, v := range vips {
		if va, ok := parseIP(v); ok {
			known = true
			has4 = has4 || !va.Is6()
			has6 = has6 || va.Is6()
		}
	}
	if !known || (a.Is6() && has6) || (!a.Is6() && has4) {
		return nil
	}
	return notImplemented("address", "This provider doesn't support mixing IPv4 and IPv6 addresses for its VIP and members in "+
		p.Protocol+" load balancers.")
}

// poolHasListener is Octavia's Pool.listeners being non-empty: a listener
// has the pool as default pool, or an enabled L7 policy with rules
// redirects to it.
func poolHasListener(p *Pool, l *LoadBalancer) bool {
	for _, li := range l.Listeners {
		if p.ID != "" && li.DefaultPoolID == p.ID {
			return true
		}
		for _, pol := range li.L7Policies {
			if p.ID != "" && pol.RedirectPoolID == p.ID && pol.AdminStateUp && len(pol.Rules) > 0 {
				return true
			}
		}
	}
	return false
}

// SupportedByAmphoraL7Policy is AmphoraProviderDriver.l7policy_create: only
// HTTP and TERMINATED_HTTPS listeners take L7 policies. Octavia's API itself
// accepts them on other listeners (another provider may support them). li
// nil (unknown listener) passes.
func SupportedByAmphoraL7Policy(pol *L7Policy, li *Listener) error {
	if pol == nil || li == nil || li.Protocol == ProtocolHTTP || li.Protocol == ProtocolTerminatedHTTPS {
		return nil
	}
	return notImplemented("listener_id", li.Protocol+" protocol listeners do not support L7 policies")
}
