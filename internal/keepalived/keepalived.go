// Package keepalived renders keepalived configuration from the load balancer
// object graph: the VRRP configuration that moves the VIP between the two
// amphorae of an ACTIVE_STANDBY load balancer (Render), and the LVS
// configuration that balances UDP and SCTP listeners (RenderLVS).
//
// The renderers are pure: they read the graph and their options and return
// text, and never touch files, processes or the network. The output follows
// Octavia's templates (amphorae/drivers/keepalived/jinja/templates/
// keepalived_base.template and common/jinja/lvs/templates) and is checked in
// tests with the real keepalived 2.2.7 (`keepalived --config-test`). Where
// Octavia's template and keepalived 2.2.7 disagree, the output follows what
// keepalived actually accepts, and the difference is documented where it is
// made.
package keepalived

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// Defaults of Options, the `[keepalived_vrrp]` defaults of Octavia.
const (
	DefaultCheckInterval     = 5
	DefaultCheckFall         = 2
	DefaultCheckRise         = 2
	DefaultAdvertInt         = time.Second
	DefaultGARPRefresh       = 5
	DefaultGARPRefreshRepeat = 2
	DefaultScriptUser        = "root"
	DefaultRouteTable        = 1
	DefaultRulePriority      = 100

	// DefaultMasterPriority and DefaultBackupPriority are the VRRP
	// priorities of an amphora whose VRRPPriority is 0.
	DefaultMasterPriority = 100
	DefaultBackupPriority = 90

	// MaxAuthPass is the longest auth_pass keepalived keeps: it truncates a
	// longer one to 8 characters (and `--config-test` reports it).
	MaxAuthPass = 8

	// CheckScriptName is the name of the vrrp_script block that
	// track_script refers to.
	CheckScriptName = "check_script"
)

// Options are the settings of a keepalived VRRP configuration that the
// caller decides; the graph supplies the rest. A zero field takes the default
// given in its comment, so the zero Options plus CheckScript and AuthPass
// render Octavia's configuration.
type Options struct {
	// CheckScript is the absolute path of the script that keepalived runs
	// every CheckInterval seconds to check that HAProxy is alive
	// (`vrrp_script check_script { script … }`); a failing script puts
	// the instance into FAULT state, which releases the VIP. Required; a
	// path without whitespace or quotes. Octavia's is
	// /var/lib/octavia/vrrp/check_script.sh. keepalived refuses a script
	// that does not exist, and with enable_script_security (always
	// rendered) one that a non-root user can write.
	CheckScript string

	// CheckInterval is the period of the check script in seconds
	// (interval). Default 5.
	CheckInterval int

	// CheckFall is the number of consecutive failures of the check script
	// that put the instance into FAULT state (fall). Default 2.
	CheckFall int

	// CheckRise is the number of consecutive successes that bring it back
	// (rise). Default 2.
	CheckRise int

	// AdvertInt is the VRRP advertisement interval (advert_int). Default 1s.
	// VRRPv2 takes whole seconds from 1s to 255s; VRRPv3 takes multiples
	// of 10ms from 10ms to 40.95s. The backup takes over after about three
	// intervals without an advertisement.
	AdvertInt time.Duration

	// GARPRefresh is the period in seconds at which the master repeats its
	// gratuitous ARPs / unsolicited neighbour advertisements
	// (garp_master_refresh, and vrrp_garp_master_refresh in global_defs).
	// Default 5.
	GARPRefresh int

	// GARPRefreshRepeat is the number of gratuitous ARPs sent at each
	// refresh (garp_master_refresh_repeat, and
	// vrrp_garp_master_refresh_repeat in global_defs). Default 2.
	GARPRefreshRepeat int

	// AuthPass is the VRRP PASS authentication password (auth_pass):
	// 1 to 8 characters from letters, digits and "-_.+=:@%,/~". Required for
	// VRRPv2, the same on every amphora of the load balancer. VRRPv3 has
	// no authentication, so it is not rendered then (keepalived refuses an
	// authentication block with VRRPv3). Octavia uses 7 hex digits.
	AuthPass string

	// VRRPVersion is the VRRP protocol version: 2, 3, or 0 to choose (2
	// for an IPv4 VRRP address, 3 for IPv6, which VRRPv2 cannot carry).
	// Version 3 is rendered as `version 3` in the instance.
	VRRPVersion int

	// Namespace, when set, is the network namespace keepalived runs in,
	// rendered as the top-level `net_namespace` keyword (keepalived
	// creates the namespace if it does not exist). Empty: keepalived runs
	// in the namespace it is started in, as Octavia does with
	// `ip netns exec amphora-haproxy keepalived …`.
	Namespace string

	// RouterID identifies the machine in keepalived's logs, SNMP and mail
	// (router_id in global_defs). Default: the amphora ID.
	RouterID string

	// ScriptUser is the user (and group, as "user group") that runs the
	// check script (script_user in global_defs, next to the always
	// rendered enable_script_security). Default "root", as on Octavia's
	// amphorae. The user must exist where keepalived runs.
	ScriptUser string

	// StartAsBackup renders `state BACKUP` and `nopreempt` for both roles,
	// so that the role shows only in the priority. It makes the pair truly
	// non-preemptive: an amphora that comes back (or a replacement MASTER
	// after a failover) does not take the VIP from the current master.
	//
	// By default the MASTER amphora renders `state MASTER` without
	// `nopreempt` and the BACKUP renders `state BACKUP` with `nopreempt`.
	// Octavia's template puts `nopreempt` on both, but keepalived ignores
	// `nopreempt` with an initial state MASTER (2.2.7 clears it and
	// `--config-test` reports it as an error), so the default is what
	// Octavia's amphorae actually run, written so that keepalived accepts
	// it.
	StartAsBackup bool

	// Subnets, when not empty, turns on Octavia's source routing: for
	// every VIP (primary and additional, keyed by address) the subnet it
	// lives on. Each VIP gets a link route in RouteTable, a default route
	// through the subnet's gateway and the subnet's host routes in the
	// same table (virtual_routes), and a rule that sends traffic from the
	// VIP to that table (virtual_rules), so replies leave through the VIP
	// subnet. Every VIP must then have an entry, and every entry must be
	// a VIP. Empty: no virtual_routes or virtual_rules.
	Subnets map[string]Subnet

	// RouteTable is the routing table of the source routes. Default 1, as
	// in Octavia; 253 to 255 (default, main, local) are refused.
	RouteTable int

	// RulePriority is the priority of the source routing rules. Default
	// 100, as in Octavia; 1 to 32765.
	RulePriority int
}

// Subnet is the subnet of one VIP, for the source routes of Options.Subnets.
type Subnet struct {
	// CIDR is the subnet, e.g. "203.0.113.0/24". Required; it must
	// contain the VIP. Host bits are cleared.
	CIDR string

	// Gateway is the subnet's gateway, rendered as the table's default
	// route (onlink). Optional.
	Gateway string

	// HostRoutes are the subnet's static routes, rendered in the table.
	HostRoutes []HostRoute
}

// HostRoute is one static route of a subnet.
type HostRoute struct {
	// Destination is the destination network, e.g. "192.0.2.0/24".
	Destination string
	// NextHop is the router for Destination.
	NextHop string
}

// vip is one VIP address as rendered.
type vip struct {
	addr     netip.Addr
	excluded bool // other family than the VRRP address
	subnet   *renderedSubnet
}

type renderedSubnet struct {
	cidr    netip.Prefix
	gateway netip.Addr // invalid when none
	routes  []renderedRoute
}

type renderedRoute struct {
	dst     netip.Prefix
	nextHop netip.Addr
}

// Render returns keepalived.conf for one amphora of an ACTIVE_STANDBY load
// balancer: global_defs, the check_script vrrp_script and the vrrp_instance
// that holds the VIPs. It returns an error, never a partial configuration,
// when the graph or the options are not fit for keepalived.
//
// The instance is named after the load balancer ID without dashes, as in
// Octavia. The unicast peers are the VRRP addresses of the other amphorae
// of l, except those that are gone or going (status DELETED,
// PENDING_DELETE or ERROR); Octavia lists only ALLOCATED amphorae, and an
// empty status is accepted here so that graphs built without statuses
// render. The primary VIP and the additional VIPs of the VRRP address's
// family go to virtual_ipaddress, the other family's to
// virtual_ipaddress_excluded (keepalived can only advertise addresses of
// the instance's family). Peers and additional VIPs are sorted by address,
// so the output depends only on the graph's content, not its order.
func Render(l *lb.LoadBalancer, amp *lb.Amphora, opts Options) (string, error) {
	if l == nil {
		return "", errors.New("keepalived: no load balancer")
	}
	if amp == nil {
		return "", errors.New("keepalived: no amphora")
	}
	if l.Topology != lb.TopologyActiveStandby {
		return "", fmt.Errorf("keepalived: load balancer %s has topology %q; VRRP needs %s", l.ID, l.Topology, lb.TopologyActiveStandby)
	}
	if err := checkToken("load balancer id", l.ID); err != nil {
		return "", err
	}
	if !slices.ContainsFunc(l.Amphorae, func(a *lb.Amphora) bool { return a != nil && a.ID == amp.ID }) || amp.ID == "" {
		return "", fmt.Errorf("keepalived: amphora %q is not an amphora of load balancer %s", amp.ID, l.ID)
	}
	if amp.LoadBalancerID != "" && amp.LoadBalancerID != l.ID {
		return "", fmt.Errorf("keepalived: amphora %s belongs to load balancer %s, not %s", amp.ID, amp.LoadBalancerID, l.ID)
	}
	o, err := opts.withDefaults(amp)
	if err != nil {
		return "", err
	}

	state, priority, err := roleSettings(amp)
	if err != nil {
		return "", err
	}
	if err := checkIfName(amp.VRRPInterface); err != nil {
		return "", fmt.Errorf("keepalived: amphora %s: %w", amp.ID, err)
	}
	if amp.VRRPID < 1 || amp.VRRPID > 255 {
		return "", fmt.Errorf("keepalived: amphora %s: vrrp_id %d outside 1-255", amp.ID, amp.VRRPID)
	}
	if amp.VRRPIP == "" {
		return "", fmt.Errorf("keepalived: amphora %s has no vrrp_ip", amp.ID)
	}
	src, err := parseAddr("vrrp_ip of amphora "+amp.ID, amp.VRRPIP)
	if err != nil {
		return "", err
	}

	version := o.VRRPVersion
	switch {
	case version == 0 && src.Is6():
		version = 3
	case version == 0:
		version = 2
	case version == 2 && src.Is6():
		return "", fmt.Errorf("keepalived: VRRPv2 cannot carry the IPv6 vrrp_ip %s of amphora %s; use VRRPVersion 3 or 0", src, amp.ID)
	case version != 2 && version != 3:
		return "", fmt.Errorf("keepalived: VRRP version %d: want 2, 3 or 0", version)
	}
	advert, err := formatAdvertInt(o.AdvertInt, version)
	if err != nil {
		return "", err
	}
	if version == 2 {
		if err := checkAuthPass(o.AuthPass); err != nil {
			return "", err
		}
	}

	peers, err := peerAddrs(l, amp, src)
	if err != nil {
		return "", err
	}
	vips, err := vipList(l, src, peers)
	if err != nil {
		return "", err
	}
	if err := attachSubnets(vips, o.Subnets); err != nil {
		return "", err
	}

	var b strings.Builder
	w := func(indent int, format string, args ...any) {
		b.WriteString(strings.Repeat("    ", indent))
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}
	w(0, "# keepalived VRRP configuration of amphora %s (%s)", amp.ID, amp.Role)
	w(0, "# of load balancer %s. Generated; do not edit.", l.ID)
	w(0, "")
	if o.Namespace != "" {
		w(0, "net_namespace %s", o.Namespace)
		w(0, "")
	}
	w(0, "global_defs {")
	w(1, "router_id %s", o.RouterID)
	w(1, "vrrp_garp_master_refresh %d", o.GARPRefresh)
	w(1, "vrrp_garp_master_refresh_repeat %d", o.GARPRefreshRepeat)
	w(1, "enable_script_security")
	w(1, "script_user %s", o.ScriptUser)
	w(0, "}")
	w(0, "")
	w(0, "vrrp_script %s {", CheckScriptName)
	w(1, "script %s", o.CheckScript)
	w(1, "interval %d", o.CheckInterval)
	w(1, "fall %d", o.CheckFall)
	w(1, "rise %d", o.CheckRise)
	w(0, "}")
	w(0, "")
	w(0, "vrrp_instance %s {", strings.ReplaceAll(l.ID, "-", ""))
	if o.StartAsBackup {
		state = lb.RoleBackup
	}
	w(1, "state %s", state)
	w(1, "interface %s", amp.VRRPInterface)
	w(1, "virtual_router_id %d", amp.VRRPID)
	w(1, "priority %d", priority)
	if version == 3 {
		w(1, "version 3")
	}
	if state == lb.RoleBackup {
		w(1, "nopreempt")
	} else {
		w(1, "# no nopreempt: keepalived ignores it with state MASTER")
	}
	w(1, "accept")
	w(1, "garp_master_refresh %d", o.GARPRefresh)
	w(1, "garp_master_refresh_repeat %d", o.GARPRefreshRepeat)
	w(1, "advert_int %s", advert)
	if version == 2 {
		w(1, "authentication {")
		w(2, "auth_type PASS")
		w(2, "auth_pass %s", o.AuthPass)
		w(1, "}")
	}
	w(0, "")
	w(1, "unicast_src_ip %s", src)
	w(1, "unicast_peer {")
	for _, p := range peers {
		w(2, "%s", p)
	}
	w(1, "}")
	w(0, "")
	w(1, "virtual_ipaddress {")
	for _, v := range vips {
		if !v.excluded {
			w(2, "%s", v.addr)
		}
	}
	w(1, "}")
	if slices.ContainsFunc(vips, func(v vip) bool { return v.excluded }) {
		w(0, "")
		w(1, "virtual_ipaddress_excluded {")
		for _, v := range vips {
			if v.excluded {
				w(2, "%s", v.addr)
			}
		}
		w(1, "}")
	}
	if len(o.Subnets) > 0 {
		dev := amp.VRRPInterface
		w(0, "")
		w(1, "virtual_routes {")
		for _, v := range vips {
			s := v.subnet
			w(2, "%s dev %s src %s scope link table %d", s.cidr, dev, v.addr, o.RouteTable)
			if s.gateway.IsValid() {
				w(2, "default via %s dev %s onlink table %d", s.gateway, dev, o.RouteTable)
			}
			// Octavia writes "dev X gateway Y onlink"; keepalived 2.2.7
			// knows no "gateway" route keyword and drops the route.
			for _, r := range s.routes {
				w(2, "%s via %s dev %s onlink table %d", r.dst, r.nextHop, dev, o.RouteTable)
			}
		}
		w(1, "}")
		w(0, "")
		w(1, "virtual_rules {")
		for _, v := range vips {
			w(2, "from %s table %d priority %d", netip.PrefixFrom(v.addr, v.addr.BitLen()), o.RouteTable, o.RulePriority)
		}
		w(1, "}")
	}
	w(0, "")
	w(1, "track_script {")
	w(2, "%s", CheckScriptName)
	w(1, "}")
	w(0, "}")
	return b.String(), nil
}

// withDefaults fills the zero fields of o and validates the result.
func (o Options) withDefaults(amp *lb.Amphora) (Options, error) {
	def := func(p *int, d int) {
		if *p == 0 {
			*p = d
		}
	}
	def(&o.CheckInterval, DefaultCheckInterval)
	def(&o.CheckFall, DefaultCheckFall)
	def(&o.CheckRise, DefaultCheckRise)
	def(&o.GARPRefresh, DefaultGARPRefresh)
	def(&o.GARPRefreshRepeat, DefaultGARPRefreshRepeat)
	def(&o.RouteTable, DefaultRouteTable)
	def(&o.RulePriority, DefaultRulePriority)
	if o.AdvertInt == 0 {
		o.AdvertInt = DefaultAdvertInt
	}
	if o.ScriptUser == "" {
		o.ScriptUser = DefaultScriptUser
	}
	if o.RouterID == "" {
		o.RouterID = amp.ID
	}

	if err := checkScriptPath(o.CheckScript); err != nil {
		return o, err
	}
	for _, f := range []struct {
		name string
		v    int
	}{
		{"CheckInterval", o.CheckInterval},
		{"CheckFall", o.CheckFall},
		{"CheckRise", o.CheckRise},
		{"GARPRefresh", o.GARPRefresh},
		{"GARPRefreshRepeat", o.GARPRefreshRepeat},
	} {
		if f.v < 1 {
			return o, fmt.Errorf("keepalived: option %s %d: want a positive number or 0 for the default", f.name, f.v)
		}
	}
	if o.RouteTable < 1 || (o.RouteTable >= 253 && o.RouteTable <= 255) || int64(o.RouteTable) > 1<<31-1 {
		return o, fmt.Errorf("keepalived: option RouteTable %d: want 1-252 or 256-2147483647", o.RouteTable)
	}
	if o.RulePriority < 1 || o.RulePriority > 32765 {
		return o, fmt.Errorf("keepalived: option RulePriority %d: want 1-32765", o.RulePriority)
	}
	if err := checkToken("option RouterID", o.RouterID); err != nil {
		return o, err
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

// roleSettings returns the state and the priority of the amphora.
func roleSettings(amp *lb.Amphora) (string, int, error) {
	var def int
	switch amp.Role {
	case lb.RoleMaster:
		def = DefaultMasterPriority
	case lb.RoleBackup:
		def = DefaultBackupPriority
	default:
		return "", 0, fmt.Errorf("keepalived: amphora %s has role %q; want %s or %s", amp.ID, amp.Role, lb.RoleMaster, lb.RoleBackup)
	}
	p := amp.VRRPPriority
	if p == 0 {
		p = def
	}
	if p < 1 || p > 254 {
		// 255 is the address owner's priority, which keepalived will not
		// combine with nopreempt.
		return "", 0, fmt.Errorf("keepalived: amphora %s: vrrp_priority %d outside 1-254", amp.ID, p)
	}
	return amp.Role, p, nil
}

// isGone reports whether an amphora is no peer any more.
func isGone(a *lb.Amphora) bool {
	switch a.Status {
	case lb.StatusDeleted, lb.StatusPendingDelete, lb.StatusError:
		return true
	}
	return false
}

// peerAddrs returns the sorted VRRP addresses of the other live amphorae.
func peerAddrs(l *lb.LoadBalancer, amp *lb.Amphora, src netip.Addr) ([]netip.Addr, error) {
	var peers []netip.Addr
	for _, a := range l.Amphorae {
		if a == nil || a.ID == amp.ID || isGone(a) {
			continue
		}
		if a.VRRPIP == "" {
			return nil, fmt.Errorf("keepalived: peer amphora %s has no vrrp_ip", a.ID)
		}
		p, err := parseAddr("vrrp_ip of peer amphora "+a.ID, a.VRRPIP)
		if err != nil {
			return nil, err
		}
		if p.Is4() != src.Is4() {
			return nil, fmt.Errorf("keepalived: peer amphora %s has vrrp_ip %s, not of the family of %s", a.ID, p, src)
		}
		if p == src {
			return nil, fmt.Errorf("keepalived: peer amphora %s has the same vrrp_ip %s as amphora %s", a.ID, p, amp.ID)
		}
		if slices.Contains(peers, p) {
			return nil, fmt.Errorf("keepalived: vrrp_ip %s is used by two peer amphorae", p)
		}
		if a.VRRPID != 0 && a.VRRPID != amp.VRRPID {
			return nil, fmt.Errorf("keepalived: peer amphora %s has vrrp_id %d, amphora %s has %d", a.ID, a.VRRPID, amp.ID, amp.VRRPID)
		}
		peers = append(peers, p)
	}
	if len(peers) == 0 {
		return nil, fmt.Errorf("keepalived: amphora %s has no peers: load balancer %s has no other live amphora", amp.ID, l.ID)
	}
	slices.SortFunc(peers, netip.Addr.Compare)
	return peers, nil
}

// vipList returns the primary VIP followed by the additional VIPs sorted by
// address.
func vipList(l *lb.LoadBalancer, src netip.Addr, peers []netip.Addr) ([]vip, error) {
	if l.VIPAddress == "" {
		return nil, fmt.Errorf("keepalived: load balancer %s has no vip_address", l.ID)
	}
	primary, err := parseAddr("vip_address", l.VIPAddress)
	if err != nil {
		return nil, err
	}
	if primary.Is4() != src.Is4() {
		return nil, fmt.Errorf("keepalived: vip_address %s and vrrp_ip %s are of different IP families", primary, src)
	}
	addrs := []netip.Addr{primary}
	var add []netip.Addr
	for _, a := range l.AdditionalVIPs {
		v, err := parseAddr("additional vip", a.IPAddress)
		if err != nil {
			return nil, err
		}
		add = append(add, v)
	}
	slices.SortFunc(add, netip.Addr.Compare)
	addrs = append(addrs, add...)
	out := make([]vip, 0, len(addrs))
	for i, a := range addrs {
		if slices.Contains(addrs[:i], a) {
			return nil, fmt.Errorf("keepalived: VIP %s appears twice", a)
		}
		if a == src || slices.Contains(peers, a) {
			return nil, fmt.Errorf("keepalived: VIP %s is also a vrrp_ip", a)
		}
		out = append(out, vip{addr: a, excluded: a.Is4() != src.Is4()})
	}
	return out, nil
}

// attachSubnets sets the subnet of every VIP from the Subnets option.
func attachSubnets(vips []vip, subnets map[string]Subnet) error {
	if len(subnets) == 0 {
		return nil
	}
	byAddr := make(map[netip.Addr]Subnet, len(subnets))
	for k, s := range subnets {
		a, err := parseAddr("option Subnets key", k)
		if err != nil {
			return err
		}
		if _, dup := byAddr[a]; dup {
			return fmt.Errorf("keepalived: option Subnets has two entries for %s", a)
		}
		if !slices.ContainsFunc(vips, func(v vip) bool { return v.addr == a }) {
			return fmt.Errorf("keepalived: option Subnets has an entry for %s, which is not a VIP", a)
		}
		byAddr[a] = s
	}
	for i := range vips {
		v := &vips[i]
		s, ok := byAddr[v.addr]
		if !ok {
			return fmt.Errorf("keepalived: option Subnets has no entry for VIP %s", v.addr)
		}
		rs, err := parseSubnet(v.addr, s)
		if err != nil {
			return err
		}
		v.subnet = rs
	}
	return nil
}

func parseSubnet(a netip.Addr, s Subnet) (*renderedSubnet, error) {
	p, err := netip.ParsePrefix(s.CIDR)
	if err != nil {
		return nil, fmt.Errorf("keepalived: subnet of VIP %s: CIDR %q: %w", a, s.CIDR, err)
	}
	p = p.Masked()
	if !p.Contains(a) {
		return nil, fmt.Errorf("keepalived: subnet of VIP %s: %s does not contain the VIP", a, p)
	}
	rs := &renderedSubnet{cidr: p}
	if s.Gateway != "" {
		g, err := parseAddr("gateway of the subnet of VIP "+a.String(), s.Gateway)
		if err != nil {
			return nil, err
		}
		if g.Is4() != a.Is4() {
			return nil, fmt.Errorf("keepalived: subnet of VIP %s: gateway %s of another IP family", a, g)
		}
		rs.gateway = g
	}
	for _, r := range s.HostRoutes {
		d, err := netip.ParsePrefix(r.Destination)
		if err != nil {
			return nil, fmt.Errorf("keepalived: subnet of VIP %s: host route destination %q: %w", a, r.Destination, err)
		}
		n, err := parseAddr("host route next hop of the subnet of VIP "+a.String(), r.NextHop)
		if err != nil {
			return nil, err
		}
		if d.Addr().Is4() != a.Is4() || n.Is4() != a.Is4() {
			return nil, fmt.Errorf("keepalived: subnet of VIP %s: host route %s via %s of another IP family", a, d, n)
		}
		rs.routes = append(rs.routes, renderedRoute{dst: d.Masked(), nextHop: n})
	}
	return rs, nil
}

// parseAddr parses a unicast IP address. IPv4-mapped IPv6 addresses are
// taken as IPv4; zones are refused.
func parseAddr(what, s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("keepalived: %s %q is not an IP address", what, s)
	}
	a = a.Unmap()
	switch {
	case a.Zone() != "":
		return netip.Addr{}, fmt.Errorf("keepalived: %s %q: zones are not supported", what, s)
	case a.IsUnspecified(), a.IsMulticast():
		return netip.Addr{}, fmt.Errorf("keepalived: %s %q is not a unicast address", what, s)
	}
	return a, nil
}

// formatAdvertInt checks the advertisement interval against the VRRP version
// and formats it in seconds.
func formatAdvertInt(d time.Duration, version int) (string, error) {
	if version == 2 {
		if d < time.Second || d > 255*time.Second || d%time.Second != 0 {
			return "", fmt.Errorf("keepalived: option AdvertInt %v: VRRPv2 wants whole seconds from 1s to 255s", d)
		}
		return strconv.Itoa(int(d / time.Second)), nil
	}
	const cs = 10 * time.Millisecond
	if d < cs || d > 4095*cs || d%cs != 0 {
		return "", fmt.Errorf("keepalived: option AdvertInt %v: VRRPv3 wants a multiple of 10ms from 10ms to 40.95s", d)
	}
	return strconv.FormatFloat(float64(d/cs)/100, 'f', -1, 64), nil
}

func checkAuthPass(p string) error {
	if p == "" {
		return errors.New("keepalived: option AuthPass is required for VRRPv2")
	}
	if len(p) > MaxAuthPass {
		return fmt.Errorf("keepalived: option AuthPass is %d characters long; keepalived keeps at most %d", len(p), MaxAuthPass)
	}
	for _, r := range p {
		if !isAlnum(r) && !strings.ContainsRune("-_.+=:@%,/~", r) {
			return fmt.Errorf("keepalived: option AuthPass contains %q; want letters, digits and -_.+=:@%%,/~", r)
		}
	}
	return nil
}

func checkScriptPath(p string) error {
	if p == "" {
		return errors.New("keepalived: option CheckScript is required")
	}
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("keepalived: option CheckScript %q is not an absolute path", p)
	}
	return checkToken("option CheckScript", p)
}

// checkToken checks that s is one keepalived word: printable ASCII without
// whitespace, quotes, braces, comment characters or parameter references.
func checkToken(what, s string) error {
	if s == "" {
		return fmt.Errorf("keepalived: %s is empty", what)
	}
	for _, r := range s {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune("\"'{}#!$\\;", r) {
			return fmt.Errorf("keepalived: %s %q contains %q, which keepalived.conf cannot carry as one word", what, s, r)
		}
	}
	return nil
}

// checkIfName checks a Linux interface name.
func checkIfName(s string) error {
	if s == "" {
		return errors.New("no vrrp_interface")
	}
	if len(s) > 15 || s == "." || s == ".." || strings.ContainsAny(s, "/:") {
		return fmt.Errorf("vrrp_interface %q is not a Linux interface name", s)
	}
	if err := checkToken("vrrp_interface", s); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "keepalived: "))
	}
	return nil
}

func validUserName(s string) bool {
	for i, r := range s {
		if !isAlnum(r) && r != '_' && r != '.' && (r != '-' || i == 0) {
			return false
		}
	}
	return s != "" && len(s) <= 32
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}
