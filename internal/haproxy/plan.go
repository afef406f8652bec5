package haproxy

import (
	"errors"
	"net"
	"sort"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// plan is what Render and TLSFiles derive from a graph: which listeners get a
// frontend, which pools a backend behind which listener, which policies are
// rendered, and the peers. Both read the graph only through it, so the files
// TLSFiles lists are exactly the files the configuration refers to.
type plan struct {
	lb        *lb.LoadBalancer
	opts      Options
	listeners []*listenerPlan
	peers     []*lb.Amphora
	// localPeer is opts.AmphoraID when that amphora is one of the peers.
	localPeer string
	// ipv6 is true when a VIP is an IPv6 address: SOURCE_IP stick tables then
	// use type ipv6, which also holds IPv4 addresses.
	ipv6 bool
}

type listenerPlan struct {
	l       *lb.Listener
	mode    string
	maxconn int
	tls     bool
	// backends are the listener's enabled pools: the default pool first,
	// then the pools of its REDIRECT_TO_POOL policies in position order.
	backends    []*lb.Pool
	defaultPool *lb.Pool
	// policies are the enabled policies with at least one enabled rule (and,
	// for REDIRECT_TO_POOL, an enabled pool), in position order; none on a
	// TCP-mode listener, where the amphora provider accepts no policy.
	policies []*lb.L7Policy
}

// servedByHAProxy reports whether HAProxy serves a listener protocol. UDP and
// SCTP listeners are served by keepalived's LVS in Octavia's amphorae, so they
// have no frontend, no backend and no share of maxconn here.
func servedByHAProxy(protocol string) bool {
	return protocol != lb.ProtocolUDP && protocol != lb.ProtocolSCTP
}

// frontendMode is HAProxy's mode for a listener protocol (Octavia's
// PROTOCOL_MAP).
func frontendMode(protocol string) string {
	switch protocol {
	case lb.ProtocolHTTP, lb.ProtocolTerminatedHTTPS, lb.ProtocolPrometheus:
		return "http"
	}
	return "tcp"
}

// backendMode is HAProxy's mode for a pool behind a listener: PROXY and
// PROXYV2 pools take the listener's mode.
func backendMode(p *lb.Pool, lp *listenerPlan) string {
	switch p.Protocol {
	case lb.ProtocolHTTP:
		return "http"
	case lb.ProtocolProxy, lb.ProtocolProxyV2:
		return lp.mode
	}
	return "tcp"
}

// listenerTLS reports whether a listener terminates TLS (Octavia's
// tls_enabled for TERMINATED_HTTPS and PROMETHEUS listeners) with a
// certificate to serve.
func listenerTLS(l *lb.Listener) bool {
	return (l.Protocol == lb.ProtocolTerminatedHTTPS || l.Protocol == lb.ProtocolPrometheus) &&
		l.DefaultTLSContainerRef != ""
}

func newPlan(l *lb.LoadBalancer, opts Options) (*plan, error) {
	if l == nil {
		return nil, errors.New("haproxy: no load balancer")
	}
	p := &plan{lb: l, opts: opts.withDefaults()}
	for _, a := range append([]string{l.VIPAddress}, additionalVIPs(l)...) {
		if ip := net.ParseIP(a); ip != nil && ip.To4() == nil {
			p.ipv6 = true
		}
	}
	if l.Topology == lb.TopologyActiveStandby {
		for _, a := range l.Amphorae {
			if a == nil || a.VRRPIP == "" || (a.Status != "" && a.Status != lb.AmphoraAllocated) {
				continue
			}
			p.peers = append(p.peers, a)
			if a.ID == p.opts.AmphoraID {
				p.localPeer = a.ID
			}
		}
	}
	if !l.AdminStateUp {
		// Octavia renders no proxy at all for a disabled load balancer.
		return p, nil
	}
	for _, li := range l.Listeners {
		if li == nil || !li.AdminStateUp || !servedByHAProxy(li.Protocol) {
			continue
		}
		lp := &listenerPlan{
			l:       li,
			mode:    frontendMode(li.Protocol),
			maxconn: connectionLimit(li, p.opts),
			tls:     listenerTLS(li),
		}
		seen := map[string]bool{}
		addBackend := func(id string) *lb.Pool {
			pool := l.Pool(id)
			if pool == nil || !pool.AdminStateUp {
				return nil
			}
			if !seen[id] {
				seen[id] = true
				lp.backends = append(lp.backends, pool)
			}
			return pool
		}
		if li.DefaultPoolID != "" {
			lp.defaultPool = addBackend(li.DefaultPoolID)
		}
		policies := sortedPolicies(li.L7Policies)
		for _, pol := range policies {
			if pol.Action == lb.L7ActionRedirectToPool && pol.RedirectPoolID != "" {
				addBackend(pol.RedirectPoolID)
			}
		}
		for _, pol := range policies {
			if lp.mode != "http" || !pol.AdminStateUp || len(enabledRules(pol)) == 0 {
				continue
			}
			if pol.Action == lb.L7ActionRedirectToPool && !seen[pol.RedirectPoolID] {
				continue
			}
			lp.policies = append(lp.policies, pol)
		}
		p.listeners = append(p.listeners, lp)
	}
	return p, nil
}

func additionalVIPs(l *lb.LoadBalancer) []string {
	var out []string
	for _, v := range l.AdditionalVIPs {
		if v.IPAddress != "" {
			out = append(out, v.IPAddress)
		}
	}
	return out
}

// connectionLimit is a listener's maxconn: its connection_limit, or the
// default for -1 and 0 (Octavia tests the limit for truth, so 0 is "unset").
func connectionLimit(l *lb.Listener, opts Options) int {
	if l.ConnectionLimit > 0 {
		return l.ConnectionLimit
	}
	return opts.DefaultConnectionLimit
}

// globalMaxConn is the global maxconn: the sum of the listeners' maxconn,
// or the cap when the sum is 0 (no listener) or reaches the cap.
func globalMaxConn(limits []int, maxCap int) int {
	sum := 0
	for _, n := range limits {
		sum += n
		if sum >= maxCap {
			return maxCap
		}
	}
	if sum <= 0 {
		return maxCap
	}
	return sum
}

// sortedPolicies returns the policies in position order (ID breaks ties).
func sortedPolicies(in []*lb.L7Policy) []*lb.L7Policy {
	out := make([]*lb.L7Policy, 0, len(in))
	for _, p := range in {
		if p != nil {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Position != out[j].Position {
			return out[i].Position < out[j].Position
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func enabledRules(p *lb.L7Policy) []*lb.L7Rule {
	var out []*lb.L7Rule
	for _, r := range p.Rules {
		if r != nil && r.AdminStateUp {
			out = append(out, r)
		}
	}
	return out
}

// monitor returns a copy of the pool's health monitor with defaults applied
// when it is enabled, or nil.
func monitor(p *lb.Pool) *lb.HealthMonitor {
	if p.HealthMonitor == nil || !p.HealthMonitor.AdminStateUp {
		return nil
	}
	hm := *p.HealthMonitor
	hm.SetDefaults()
	return &hm
}
