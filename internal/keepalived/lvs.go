package keepalived

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// Defaults of the LVS configuration, Octavia's.
const (
	// DefaultPersistenceTimeout is the persistence_timeout (seconds) of a
	// SOURCE_IP session persistence without one.
	DefaultPersistenceTimeout = 360
	// DefaultPersistenceGranularity is the persistence_granularity of a
	// SOURCE_IP session persistence without one: each client address on
	// its own.
	DefaultPersistenceGranularity = "255.255.255.255"
	// MaxPersistenceTimeout is keepalived's limit for persistence_timeout
	// (31 days).
	MaxPersistenceTimeout = 2678400
)

// LVSOptions are the settings of an LVS configuration that the caller
// decides.
type LVSOptions struct {
	// Namespace, when set, is the network namespace keepalived runs in
	// (top-level net_namespace). Octavia's is "amphora-haproxy".
	Namespace string

	// ScriptUser is the user (and group, as "user group") that runs the
	// MISC_CHECK scripts (script_user in global_defs, next to the always
	// rendered enable_script_security, without which keepalived refuses
	// to run check scripts as root). Default "root".
	ScriptUser string

	// UDPCheckScript is the absolute path of the script that checks a
	// member of a UDP-CONNECT health monitor; keepalived runs it as
	// `<script> <address> <port>` (MISC_CHECK misc_path) and takes exit
	// status 0 as up. Required when such a monitor is rendered. Octavia's
	// is /var/lib/octavia/lvs/check/udp_check.sh.
	UDPCheckScript string

	// SCTPCheckCommand is the command, an absolute path optionally
	// followed by arguments, that checks a member of an SCTP health
	// monitor; keepalived runs it as `<command> -t <timeout> <address>
	// <port>`. Required when such a monitor is rendered. Octavia's is
	// "amphora-health-checker sctp".
	SCTPCheckCommand string
}

// RenderLVS returns the keepalived configuration that balances one UDP or
// SCTP listener with LVS (IPVS) in NAT mode, as Octavia's
// common/jinja/lvs templates do: one virtual_server_group per IP family of
// the VIPs (primary first, then the additional VIPs by address) holding
// <vip> <port>, and a virtual_server over the group with lb_algo wrr
// (ROUND_ROBIN), lc (LEAST_CONNECTIONS) or sh (SOURCE_IP), lb_kind NAT,
// SOURCE_IP persistence, the health monitor's delay_loop/delay_before_retry/
// retry, and one real_server per enabled member of that family with its
// weight, uthreshold (the listener's connection limit) and a check:
// MISC_CHECK for UDP-CONNECT and SCTP, HTTP_GET for HTTP (GET), TCP_CHECK
// for TCP. Other monitor types (PING, HTTPS, TLS-HELLO, HTTP with another
// method) get no check, as in Octavia, and a comment saying so.
//
// A disabled load balancer or listener, or a listener without a default
// pool, renders only the header comments. Disabled members and objects in
// PENDING_DELETE are left out.
//
// It differs from Octavia's template where keepalived 2.2.7 would refuse or
// misread that: the IPv6 group's persistence_granularity is a prefix length
// (128, each client address on its own), because keepalived takes a netmask
// there as a sign of an IPv4 virtual server and drops the IPv6 real servers
// (or, with ip_family inet6, refuses the netmask); every virtual_server
// names its ip_family so that its family never rests on such inference; the
// expected codes of an HTTP monitor go into one url block
// (`status_code 200 202-204`; Octavia writes one url per code, and keepalived
// fails the check when any url fails); and a family without an enabled
// member of non-zero weight gets no virtual server at all, just a comment
// (keepalived refuses a virtual server without real servers, or whose
// weights sum to 0).
func RenderLVS(l *lb.LoadBalancer, li *lb.Listener, opts LVSOptions) (string, error) {
	if l == nil {
		return "", errors.New("keepalived: no load balancer")
	}
	if li == nil {
		return "", errors.New("keepalived: no listener")
	}
	if !slices.ContainsFunc(l.Listeners, func(x *lb.Listener) bool { return x != nil && x.ID == li.ID }) || li.ID == "" {
		return "", fmt.Errorf("keepalived: listener %q is not a listener of load balancer %s", li.ID, l.ID)
	}
	if li.LoadBalancerID != "" && li.LoadBalancerID != l.ID {
		return "", fmt.Errorf("keepalived: listener %s belongs to load balancer %s, not %s", li.ID, li.LoadBalancerID, l.ID)
	}
	if li.Protocol != lb.ProtocolUDP && li.Protocol != lb.ProtocolSCTP {
		return "", fmt.Errorf("keepalived: listener %s has protocol %q; LVS balances %s and %s", li.ID, li.Protocol, lb.ProtocolUDP, lb.ProtocolSCTP)
	}
	if li.ProtocolPort < 1 || li.ProtocolPort > 65535 {
		return "", fmt.Errorf("keepalived: listener %s: protocol_port %d outside 1-65535", li.ID, li.ProtocolPort)
	}
	if err := checkToken("load balancer id", l.ID); err != nil {
		return "", err
	}
	if err := checkToken("listener id", li.ID); err != nil {
		return "", err
	}
	o, err := opts.withDefaults()
	if err != nil {
		return "", err
	}

	var b strings.Builder
	w := func(indent int, format string, args ...any) {
		b.WriteString(strings.Repeat("    ", indent))
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}
	w(0, "# Configuration for Loadbalancer %s", l.ID)
	if li.AdminStateUp {
		w(0, "# Configuration for Listener %s", li.ID)
	} else {
		w(0, "# Listener %s is disabled", li.ID)
	}
	w(0, "")
	if o.Namespace != "" {
		w(0, "net_namespace %s", o.Namespace)
		w(0, "")
	}
	w(0, "global_defs {")
	w(1, "enable_script_security")
	w(1, "script_user %s", o.ScriptUser)
	w(0, "}")

	switch {
	case !l.AdminStateUp:
		w(0, "")
		w(0, "# Loadbalancer %s is disabled", l.ID)
		return b.String(), nil
	case !li.AdminStateUp:
		return b.String(), nil
	}
	var pool *lb.Pool
	if li.DefaultPoolID != "" {
		pool = l.Pool(li.DefaultPoolID)
		if pool == nil {
			return "", fmt.Errorf("keepalived: default pool %s of listener %s is not a pool of load balancer %s", li.DefaultPoolID, li.ID, l.ID)
		}
		if pool.ProvisioningStatus == lb.StatusPendingDelete {
			pool = nil
		}
	}
	if pool == nil {
		w(0, "")
		w(0, "# Listener %s has no default pool", li.ID)
		return b.String(), nil
	}
	ps, err := lvsPool(li, pool, o)
	if err != nil {
		return "", err
	}
	vips, err := lvsVIPs(l)
	if err != nil {
		return "", err
	}

	for _, fam := range []struct {
		v4       bool
		name     string
		label    string
		ipFamily string
	}{{true, "ipv4", "IPv4", "inet"}, {false, "ipv6", "IPv6", "inet6"}} {
		var groupVIPs []netip.Addr
		for _, v := range vips {
			if v.Is4() == fam.v4 {
				groupVIPs = append(groupVIPs, v)
			}
		}
		var members []lvsMember
		weight := 0
		for _, m := range ps.members {
			if m.addr.Is4() == fam.v4 {
				members = append(members, m)
				if m.enabled {
					weight += m.weight
				}
			}
		}
		if len(groupVIPs) == 0 {
			for _, m := range members {
				if m.enabled {
					w(0, "")
					w(0, "# Member %s (%s) has no VIP of its IP family", m.id, m.addr)
				}
			}
			continue
		}
		group := fam.name + "-group"
		w(0, "")
		switch {
		case !pool.AdminStateUp:
			w(0, "# Pool %s is disabled: no virtual server for the %s VIPs", pool.ID, fam.label)
			continue
		case weight == 0:
			w(0, "# Pool %s has no enabled %s member of non-zero weight: no virtual server for the %s VIPs", pool.ID, fam.label, fam.label)
			for _, m := range members {
				if !m.enabled {
					w(0, "# Member %s is disabled", m.id)
				}
			}
			continue
		}
		w(0, "virtual_server_group %s {", group)
		for _, v := range groupVIPs {
			w(1, "%s %d", v, li.ProtocolPort)
		}
		w(0, "}")
		w(0, "")
		w(0, "virtual_server group %s {", group)
		w(1, "ip_family %s", fam.ipFamily)
		w(1, "lb_algo %s", ps.algo)
		w(1, "lb_kind NAT")
		w(1, "protocol %s", li.Protocol)
		if ps.persistent {
			w(1, "persistence_timeout %d", ps.timeout)
			if fam.v4 {
				w(1, "persistence_granularity %s", ps.granularity)
			} else {
				w(1, "persistence_granularity 128")
			}
		}
		if ps.hm != nil {
			w(1, "delay_loop %d", ps.hm.Delay)
			w(1, "delay_before_retry %d", ps.hm.Delay)
			if ps.hm.MaxRetriesDown > 0 {
				w(1, "retry %d", ps.hm.MaxRetriesDown)
			}
		}
		w(0, "")
		w(1, "# Configuration for Pool %s", pool.ID)
		if ps.hm != nil {
			w(1, "# Configuration for HealthMonitor %s", ps.hm.ID)
			if ps.check == "" {
				w(1, "# HealthMonitor type %s is not supported by LVS: no check", ps.hmDesc)
			}
		}
		for _, m := range members {
			if !m.enabled {
				w(1, "# Member %s is disabled", m.id)
				continue
			}
			w(1, "# Configuration for Member %s", m.id)
			w(1, "real_server %s %d {", m.addr, m.port)
			w(2, "weight %d", m.weight)
			if li.ConnectionLimit > 0 {
				w(2, "uthreshold %d", li.ConnectionLimit)
			}
			switch ps.check {
			case lb.MonitorUDPConnect:
				w(2, "MISC_CHECK {")
				w(3, "misc_path \"%s %s %d\"", o.UDPCheckScript, m.monAddr, m.monPort)
				w(3, "misc_timeout %d", ps.hm.Timeout)
				w(2, "}")
			case lb.MonitorSCTP:
				w(2, "MISC_CHECK {")
				w(3, "misc_path \"%s -t %d %s %d\"", o.SCTPCheckCommand, ps.hm.Timeout, m.monAddr, m.monPort)
				w(3, "misc_timeout %d", ps.hm.Timeout+1)
				w(2, "}")
			case lb.MonitorHTTP:
				w(2, "HTTP_GET {")
				w(3, "url {")
				w(4, "path %s", ps.urlPath)
				w(4, "status_code %s", ps.codes)
				w(3, "}")
				w(3, "connect_ip %s", m.monAddr)
				w(3, "connect_port %d", m.monPort)
				w(3, "connect_timeout %d", ps.hm.Timeout)
				w(2, "}")
			case lb.MonitorTCP:
				w(2, "TCP_CHECK {")
				w(3, "connect_ip %s", m.monAddr)
				w(3, "connect_port %d", m.monPort)
				w(3, "connect_timeout %d", ps.hm.Timeout)
				w(2, "}")
			}
			w(1, "}")
		}
		w(0, "}")
	}
	return b.String(), nil
}

func (o LVSOptions) withDefaults() (LVSOptions, error) {
	if o.ScriptUser == "" {
		o.ScriptUser = DefaultScriptUser
	}
	user := strings.Fields(o.ScriptUser)
	if len(user) < 1 || len(user) > 2 || strings.Join(user, " ") != o.ScriptUser {
		return o, fmt.Errorf("keepalived: option ScriptUser %q: want \"user\" or \"user group\"", o.ScriptUser)
	}
	for _, u := range user {
		if !validUserName(u) {
			return o, fmt.Errorf("keepalived: option ScriptUser %q: %q is not a valid user or group name", o.ScriptUser, u)
		}
	}
	if o.Namespace != "" {
		if err := checkToken("option Namespace", o.Namespace); err != nil {
			return o, err
		}
		if strings.Contains(o.Namespace, "/") || o.Namespace == "." || o.Namespace == ".." || len(o.Namespace) > 255 {
			return o, fmt.Errorf("keepalived: option Namespace %q is not a namespace name", o.Namespace)
		}
	}
	return o, nil
}

// lvsPoolSettings is a pool as rendered.
type lvsPoolSettings struct {
	algo        string
	persistent  bool
	timeout     int
	granularity string
	hm          *lb.HealthMonitor // nil when absent, disabled or being deleted
	hmDesc      string
	check       string // the monitor type that gets a check, or ""
	urlPath     string
	codes       string
	members     []lvsMember
}

type lvsMember struct {
	id      string
	enabled bool
	addr    netip.Addr
	port    int
	weight  int
	monAddr netip.Addr
	monPort int
}

func lvsPool(li *lb.Listener, p *lb.Pool, o LVSOptions) (*lvsPoolSettings, error) {
	if p.Protocol != li.Protocol {
		return nil, fmt.Errorf("keepalived: pool %s has protocol %q; listener %s needs %s", p.ID, p.Protocol, li.ID, li.Protocol)
	}
	if err := checkToken("pool id", p.ID); err != nil {
		return nil, err
	}
	ps := &lvsPoolSettings{}
	switch p.LBAlgorithm {
	case lb.AlgorithmRoundRobin:
		ps.algo = "wrr"
	case lb.AlgorithmLeastConnections:
		ps.algo = "lc"
	case lb.AlgorithmSourceIP:
		ps.algo = "sh"
	default:
		return nil, fmt.Errorf("keepalived: pool %s: lb_algorithm %q is not supported by LVS; want %s, %s or %s",
			p.ID, p.LBAlgorithm, lb.AlgorithmRoundRobin, lb.AlgorithmLeastConnections, lb.AlgorithmSourceIP)
	}
	if sp := p.SessionPersistence; sp != nil {
		if sp.Type != lb.PersistenceSourceIP {
			return nil, fmt.Errorf("keepalived: pool %s: session persistence %q is not supported for %s; want %s", p.ID, sp.Type, p.Protocol, lb.PersistenceSourceIP)
		}
		ps.persistent = true
		ps.timeout = DefaultPersistenceTimeout
		if sp.PersistenceTimeout != nil && *sp.PersistenceTimeout != 0 {
			ps.timeout = *sp.PersistenceTimeout
		}
		if ps.timeout < 1 || ps.timeout > MaxPersistenceTimeout {
			return nil, fmt.Errorf("keepalived: pool %s: persistence_timeout %d outside 1-%d", p.ID, ps.timeout, MaxPersistenceTimeout)
		}
		ps.granularity = DefaultPersistenceGranularity
		if g := sp.PersistenceGranularity; g != "" {
			a, err := netip.ParseAddr(g)
			if err != nil || !a.Is4() || !isNetmask(a) {
				return nil, fmt.Errorf("keepalived: pool %s: persistence_granularity %q is not an IPv4 netmask", p.ID, g)
			}
			ps.granularity = a.String()
		}
	}
	if hm := p.HealthMonitor; hm != nil && hm.AdminStateUp && hm.ProvisioningStatus != lb.StatusPendingDelete {
		if err := checkToken("health monitor id", hm.ID); err != nil {
			return nil, err
		}
		if hm.Delay < 1 {
			return nil, fmt.Errorf("keepalived: health monitor %s: delay %d: want at least 1", hm.ID, hm.Delay)
		}
		if hm.Timeout < 1 {
			return nil, fmt.Errorf("keepalived: health monitor %s: timeout %d: want at least 1", hm.ID, hm.Timeout)
		}
		if hm.MaxRetriesDown < 0 {
			return nil, fmt.Errorf("keepalived: health monitor %s: max_retries_down %d is negative", hm.ID, hm.MaxRetriesDown)
		}
		ps.hm = hm
		ps.hmDesc = hm.Type
		switch hm.Type {
		case lb.MonitorUDPConnect:
			if err := checkCommand("option UDPCheckScript", o.UDPCheckScript, false); err != nil {
				return nil, fmt.Errorf("%w (needed by the UDP-CONNECT health monitor %s)", err, hm.ID)
			}
			ps.check = hm.Type
		case lb.MonitorSCTP:
			if err := checkCommand("option SCTPCheckCommand", o.SCTPCheckCommand, true); err != nil {
				return nil, fmt.Errorf("%w (needed by the SCTP health monitor %s)", err, hm.ID)
			}
			ps.check = hm.Type
		case lb.MonitorTCP:
			ps.check = hm.Type
		case lb.MonitorHTTP:
			if hm.HTTPMethod != "" && hm.HTTPMethod != "GET" {
				ps.hmDesc = hm.Type + " with http_method " + hm.HTTPMethod
				break
			}
			ps.urlPath = hm.URLPath
			if ps.urlPath == "" {
				ps.urlPath = "/"
			}
			if !strings.HasPrefix(ps.urlPath, "/") {
				return nil, fmt.Errorf("keepalived: health monitor %s: url_path %q does not start with /", hm.ID, hm.URLPath)
			}
			if err := checkToken("url_path of health monitor "+hm.ID, ps.urlPath); err != nil {
				return nil, err
			}
			codes, err := statusCodes(hm.ExpectedCodes)
			if err != nil {
				return nil, fmt.Errorf("keepalived: health monitor %s: %w", hm.ID, err)
			}
			ps.codes = codes
			ps.check = hm.Type
		}
	}
	for _, m := range p.Members {
		if m == nil || m.ProvisioningStatus == lb.StatusPendingDelete {
			continue
		}
		if err := checkToken("member id", m.ID); err != nil {
			return nil, err
		}
		a, err := parseAddr("address of member "+m.ID, m.Address)
		if err != nil {
			return nil, err
		}
		if m.ProtocolPort < 1 || m.ProtocolPort > 65535 {
			return nil, fmt.Errorf("keepalived: member %s: protocol_port %d outside 1-65535", m.ID, m.ProtocolPort)
		}
		if m.Weight < 0 || m.Weight > 256 {
			return nil, fmt.Errorf("keepalived: member %s: weight %d outside 0-256", m.ID, m.Weight)
		}
		mm := lvsMember{id: m.ID, enabled: m.AdminStateUp, addr: a, port: m.ProtocolPort, weight: m.Weight, monAddr: a, monPort: m.ProtocolPort}
		if m.MonitorAddress != "" {
			ma, err := parseAddr("monitor_address of member "+m.ID, m.MonitorAddress)
			if err != nil {
				return nil, err
			}
			mm.monAddr = ma
		}
		if m.MonitorPort != nil && *m.MonitorPort != 0 {
			if *m.MonitorPort < 1 || *m.MonitorPort > 65535 {
				return nil, fmt.Errorf("keepalived: member %s: monitor_port %d outside 1-65535", m.ID, *m.MonitorPort)
			}
			mm.monPort = *m.MonitorPort
		}
		ps.members = append(ps.members, mm)
	}
	return ps, nil
}

// lvsVIPs returns the primary VIP followed by the additional VIPs sorted by
// address.
func lvsVIPs(l *lb.LoadBalancer) ([]netip.Addr, error) {
	if l.VIPAddress == "" {
		return nil, fmt.Errorf("keepalived: load balancer %s has no vip_address", l.ID)
	}
	primary, err := parseAddr("vip_address", l.VIPAddress)
	if err != nil {
		return nil, err
	}
	var add []netip.Addr
	for _, a := range l.AdditionalVIPs {
		v, err := parseAddr("additional vip", a.IPAddress)
		if err != nil {
			return nil, err
		}
		if v == primary || slices.Contains(add, v) {
			return nil, fmt.Errorf("keepalived: VIP %s appears twice", v)
		}
		add = append(add, v)
	}
	slices.SortFunc(add, netip.Addr.Compare)
	return append([]netip.Addr{primary}, add...), nil
}

// statusCodes turns Octavia's expected_codes ("200", "200,202",
// "200-204") into keepalived's status_code list ("200 202", "200-204").
// Empty means 200, Octavia's default.
func statusCodes(s string) (string, error) {
	if s == "" {
		return "200", nil
	}
	code := func(c string) (int, error) {
		n, err := strconv.Atoi(c)
		if err != nil || n < 100 || n > 599 || strconv.Itoa(n) != c {
			return 0, fmt.Errorf("expected_codes %q: %q is not an HTTP status code", s, c)
		}
		return n, nil
	}
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := code(lo)
		if err != nil {
			return "", err
		}
		if !isRange {
			out = append(out, lo)
			continue
		}
		b, err := code(hi)
		if err != nil {
			return "", err
		}
		if b < a {
			return "", fmt.Errorf("expected_codes %q: range %s is reversed", s, part)
		}
		if a == b {
			out = append(out, lo)
		} else {
			out = append(out, lo+"-"+hi)
		}
	}
	return strings.Join(out, " "), nil
}

// checkCommand checks a command for misc_path: an absolute path, and with
// args also further words, none of which keepalived.conf would misread in a
// quoted string.
func checkCommand(what, s string, args bool) error {
	if s == "" {
		return fmt.Errorf("keepalived: %s is required", what)
	}
	words := strings.Fields(s)
	if strings.Join(words, " ") != s || (!args && len(words) != 1) {
		return fmt.Errorf("keepalived: %s %q: want %s separated by single spaces", what, s, map[bool]string{true: "a path and arguments", false: "one path"}[args])
	}
	if !strings.HasPrefix(words[0], "/") {
		return fmt.Errorf("keepalived: %s %q does not start with an absolute path", what, s)
	}
	for _, w := range words {
		if err := checkToken(what, w); err != nil {
			return err
		}
	}
	return nil
}

// isNetmask reports whether a is a contiguous netmask.
func isNetmask(a netip.Addr) bool {
	b := a.As4()
	inv := ^(uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]))
	return inv != ^uint32(0) && inv&(inv+1) == 0
}
