package keepalived

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

func init() {
	flag.Bool("update", false, "rewrite the golden files in testdata")
}

// updateGoldens reports whether -update was given.
func updateGoldens() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// Seed 002 (Octavia amphora internals) shows the keepalived configuration of
// the MASTER amphora cd444019-… of load balancer 01197be7-…: VRRP address
// 172.16.1.3 on eth1, peer 172.16.1.7, VIP 172.16.1.10, vrid 1, priority
// 100, auth_pass b76d77e, check script /var/lib/octavia/vrrp/check_script.sh
// every 5 s, fall 2, rise 2, garp refresh 5 s × 2, advert_int 1. The seed
// goldens re-express it on 203.0.113.0/24.
const (
	seedLBID      = "01197be7-98d5-440d-a846-cd70f52dc503"
	seedMasterID  = "cd444019-ce8f-4f89-be6b-0edf76f41b77"
	seedBackupID  = "6b1e2c4d-3f5a-4b7c-8d9e-0a1b2c3d4e5f"
	seedScript    = "/var/lib/octavia/vrrp/check_script.sh"
	seedAuthPass  = "b76d77e"
	customScript  = "/opt/lbaas/libexec/haproxy-alive"
	octaviaScript = seedScript
)

// seedLB is seed 002's load balancer: a MASTER and a BACKUP amphora.
func seedLB() *lb.LoadBalancer {
	return &lb.LoadBalancer{
		ID:         seedLBID,
		Name:       "lb-1",
		VIPAddress: "203.0.113.10",
		Topology:   lb.TopologyActiveStandby,
		Amphorae: []*lb.Amphora{
			{
				ID: seedMasterID, LoadBalancerID: seedLBID, Status: lb.AmphoraAllocated,
				Role: lb.RoleMaster, VRRPIP: "203.0.113.3", HAIP: "203.0.113.10",
				VRRPInterface: "eth1", VRRPID: 1, VRRPPriority: 100,
			},
			{
				ID: seedBackupID, LoadBalancerID: seedLBID, Status: lb.AmphoraAllocated,
				Role: lb.RoleBackup, VRRPIP: "203.0.113.7", HAIP: "203.0.113.10",
				VRRPInterface: "eth1", VRRPID: 1, // priority 0: the BACKUP default 90
			},
		},
	}
}

func seedOptions() Options {
	return Options{CheckScript: seedScript, AuthPass: seedAuthPass}
}

// dualStackLB has an IPv4 primary VIP, an IPv4 additional VIP on another
// subnet and an IPv6 additional VIP, with the amphorae listed BACKUP first
// and the additional VIPs out of order.
func dualStackLB() *lb.LoadBalancer {
	l := seedLB()
	l.ID = "5f0c8a51-2b7e-4d7e-9a59-3c1e0f6a7b21"
	l.AdditionalVIPs = []lb.AdditionalVIP{
		{SubnetID: "v6-subnet", IPAddress: "2001:db8:0:10::a"},
		{SubnetID: "v4-subnet-2", IPAddress: "198.51.100.10"},
	}
	l.Amphorae[0], l.Amphorae[1] = l.Amphorae[1], l.Amphorae[0]
	for _, a := range l.Amphorae {
		a.LoadBalancerID = l.ID
		a.VRRPID = 7
	}
	return l
}

func dualStackSubnets() map[string]Subnet {
	return map[string]Subnet{
		"203.0.113.10": {
			CIDR: "203.0.113.0/24", Gateway: "203.0.113.1",
			HostRoutes: []HostRoute{{Destination: "192.0.2.0/24", NextHop: "203.0.113.254"}},
		},
		"198.51.100.10": {CIDR: "198.51.100.0/24", Gateway: "198.51.100.1"},
		"2001:db8:0:10::a": {
			CIDR: "2001:db8:0:10::/64", Gateway: "2001:db8:0:10::1",
			HostRoutes: []HostRoute{{Destination: "2001:db8:ff::/48", NextHop: "2001:db8:0:10::fe"}},
		},
	}
}

// ipv6LB has an IPv6 primary VIP and VRRP addresses, an IPv4 additional VIP,
// and a third amphora in ERROR (a failed one awaiting deletion) that is no
// peer.
func ipv6LB() *lb.LoadBalancer {
	const id = "9d3b6a2e-71c4-4f0b-8e25-6a4d2c1b0f93"
	return &lb.LoadBalancer{
		ID:             id,
		VIPAddress:     "2001:db8:0:20::10",
		AdditionalVIPs: []lb.AdditionalVIP{{IPAddress: "198.51.100.20"}},
		Topology:       lb.TopologyActiveStandby,
		Amphorae: []*lb.Amphora{
			{ID: "a1", LoadBalancerID: id, Status: lb.AmphoraAllocated, Role: lb.RoleMaster, VRRPIP: "2001:db8:0:20::3", VRRPInterface: "eth1", VRRPID: 1},
			{ID: "a2", LoadBalancerID: id, Status: lb.StatusError, Role: lb.RoleBackup, VRRPIP: "2001:db8:0:20::5", VRRPInterface: "eth1", VRRPID: 1},
			{ID: "a3", LoadBalancerID: id, Status: lb.AmphoraAllocated, Role: lb.RoleBackup, VRRPIP: "2001:DB8:0:20:0:0:0:7", VRRPInterface: "eth1", VRRPID: 1},
		},
	}
}

// customOptions changes every option from its default.
func customOptions() Options {
	return Options{
		CheckScript:       customScript,
		CheckInterval:     2,
		CheckFall:         3,
		CheckRise:         1,
		AdvertInt:         250 * time.Millisecond,
		GARPRefresh:       10,
		GARPRefreshRepeat: 3,
		AuthPass:          "unused", // VRRPv3: not rendered
		VRRPVersion:       3,
		Namespace:         "amphora-haproxy",
		RouterID:          "lbaas-edge-1",
		ScriptUser:        "root",
		StartAsBackup:     true,
		Subnets:           map[string]Subnet{"203.0.113.10": {CIDR: "203.0.113.0/24", Gateway: "203.0.113.1"}},
		RouteTable:        10,
		RulePriority:      200,
	}
}

type goldenCase struct {
	name string
	lb   func() *lb.LoadBalancer
	amp  string
	opts Options
}

func goldenCases() []goldenCase {
	custom := func() *lb.LoadBalancer {
		l := seedLB()
		l.Amphorae[0].VRRPInterface = "ens4"
		l.Amphorae[0].VRRPPriority = 150
		for _, a := range l.Amphorae {
			a.VRRPID = 42
		}
		return l
	}
	return []goldenCase{
		{"seed002_master", seedLB, seedMasterID, seedOptions()},
		{"seed002_backup", seedLB, seedBackupID, seedOptions()},
		{"dualstack_master", dualStackLB, seedMasterID, Options{CheckScript: octaviaScript, AuthPass: "3f9a0c1", Subnets: dualStackSubnets()}},
		{"dualstack_backup", dualStackLB, seedBackupID, Options{CheckScript: octaviaScript, AuthPass: "3f9a0c1", Subnets: dualStackSubnets()}},
		{"ipv6_master", ipv6LB, "a1", Options{CheckScript: octaviaScript, AdvertInt: 100 * time.Millisecond}},
		{"ipv6_backup", ipv6LB, "a3", Options{CheckScript: octaviaScript, AdvertInt: 100 * time.Millisecond}},
		{"custom_master", custom, seedMasterID, customOptions()},
	}
}

func findAmp(l *lb.LoadBalancer, id string) *lb.Amphora {
	for _, a := range l.Amphorae {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// TestRenderGolden compares Render's output with testdata/<name>.conf
// (rewritten with -update) and has the real keepalived check every golden.
func TestRenderGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := tc.lb()
			got, err := Render(l, findAmp(l, tc.amp), tc.opts)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			path := filepath.Join("testdata", tc.name+".conf")
			if updateGoldens() {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("Render output differs from %s (run go test -update and review the diff):\n--- got\n%s\n--- want\n%s", path, got, want)
			}
			mustPassConfigTest(t, string(want), checkSetup{scriptPaths: []string{tc.opts.CheckScript}})
		})
	}
}

// TestRenderSeed002 checks the lines that seed 002 shows, role by role.
func TestRenderSeed002(t *testing.T) {
	t.Parallel()
	l := seedLB()
	master, err := Render(l, l.Amphorae[0], seedOptions())
	if err != nil {
		t.Fatal(err)
	}
	backup, err := Render(l, l.Amphorae[1], seedOptions())
	if err != nil {
		t.Fatal(err)
	}
	common := []string{
		"vrrp_script check_script {\n    script /var/lib/octavia/vrrp/check_script.sh\n    interval 5\n    fall 2\n    rise 2\n}",
		"vrrp_instance 01197be798d5440da846cd70f52dc503 {",
		"    interface eth1\n    virtual_router_id 1\n",
		"    accept\n    garp_master_refresh 5\n    garp_master_refresh_repeat 2\n    advert_int 1\n",
		"    authentication {\n        auth_type PASS\n        auth_pass b76d77e\n    }",
		"    virtual_ipaddress {\n        203.0.113.10\n    }",
		"    track_script {\n        check_script\n    }",
	}
	for _, c := range []struct {
		conf string
		want []string
	}{
		{master, []string{"    state MASTER\n", "    priority 100\n", "    unicast_src_ip 203.0.113.3\n    unicast_peer {\n        203.0.113.7\n    }"}},
		{backup, []string{"    state BACKUP\n", "    priority 90\n    nopreempt\n", "    unicast_src_ip 203.0.113.7\n    unicast_peer {\n        203.0.113.3\n    }"}},
	} {
		for _, w := range append(common, c.want...) {
			if !strings.Contains(c.conf, w) {
				t.Errorf("configuration lacks %q:\n%s", w, c.conf)
			}
		}
	}
	if strings.Contains(master, "\n    nopreempt\n") {
		t.Errorf("MASTER configuration has nopreempt, which keepalived refuses with state MASTER:\n%s", master)
	}
}

// TestRenderDeterministic renders the same graph in different orders.
func TestRenderDeterministic(t *testing.T) {
	t.Parallel()
	l := dualStackLB()
	opts := Options{CheckScript: octaviaScript, AuthPass: "x", Subnets: dualStackSubnets()}
	first, err := Render(l, l.Amphorae[1], opts)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		l2 := dualStackLB()
		l2.Amphorae[0], l2.Amphorae[1] = l2.Amphorae[1], l2.Amphorae[0]
		l2.AdditionalVIPs[0], l2.AdditionalVIPs[1] = l2.AdditionalVIPs[1], l2.AdditionalVIPs[0]
		got, err := Render(l2, l2.Amphorae[0], opts)
		if err != nil {
			t.Fatal(err)
		}
		if got != first {
			t.Fatalf("output depends on order:\n%s\n---\n%s", first, got)
		}
	}
}

// TestRenderStartAsBackup checks that StartAsBackup keeps nopreempt on the
// MASTER amphora and that keepalived accepts it.
func TestRenderStartAsBackup(t *testing.T) {
	t.Parallel()
	l := seedLB()
	opts := seedOptions()
	opts.StartAsBackup = true
	got, err := Render(l, l.Amphorae[0], opts)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "    state BACKUP\n") || !strings.Contains(got, "    priority 100\n    nopreempt\n") {
		t.Fatalf("want state BACKUP, priority 100 and nopreempt:\n%s", got)
	}
	mustPassConfigTest(t, got, checkSetup{scriptPaths: []string{opts.CheckScript}})
}

// TestRenderNonRootScriptUser renders a non-root script user. keepalived
// 2.2.7's --config-test terminates itself with SIGTERM after checking a
// script as another user (it compares its parent with a keepalived parent
// that --config-test does not have), so such a configuration can only be
// checked up to that point: no config message may appear before it.
func TestRenderNonRootScriptUser(t *testing.T) {
	t.Parallel()
	l := seedLB()
	opts := seedOptions()
	opts.ScriptUser = "nobody nogroup"
	got, err := Render(l, l.Amphorae[1], opts)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "    script_user nobody nogroup\n") {
		t.Fatalf("no script_user line:\n%s", got)
	}
	r := configTest(t, got, checkSetup{scriptPaths: []string{opts.CheckScript}})
	if strings.TrimSpace(r.out) != "" || (r.code != 0 && r.signal != syscall.SIGTERM) {
		t.Fatalf("keepalived --config-test: %s:\n%s", r.status(), r.out)
	}
	t.Logf("keepalived --config-test with script_user nobody: %s", r.status())
}

// TestConfigTestCatchesErrors shows that the keepalived check is real: a
// broken variant of a golden file is refused with keepalived's own message.
// Several variants are what Octavia's template itself produces.
func TestConfigTestCatchesErrors(t *testing.T) {
	t.Parallel()
	l := seedLB()
	master, err := Render(l, l.Amphorae[0], seedOptions())
	if err != nil {
		t.Fatal(err)
	}
	dl := dualStackLB()
	routes, err := Render(dl, findAmp(dl, seedMasterID), Options{CheckScript: octaviaScript, AuthPass: "3f9a0c1", Subnets: dualStackSubnets()})
	if err != nil {
		t.Fatal(err)
	}
	script := checkSetup{scriptPaths: []string{seedScript}}
	replace := func(conf, old, repl string) string {
		t.Helper()
		if !strings.Contains(conf, old) {
			t.Fatalf("%q not in configuration", old)
		}
		return strings.Replace(conf, old, repl, 1)
	}
	for _, tc := range []struct {
		name  string
		conf  string
		setup checkSetup
		want  string
	}{
		{"octavia nopreempt with state MASTER", replace(master, "    accept\n", "    nopreempt\n    accept\n"), script,
			"nopreempt will not work with initial state MASTER"},
		{"octavia host route keyword gateway", replace(routes, "192.0.2.0/24 via 203.0.113.254 dev eth1", "192.0.2.0/24 dev eth1 gateway 203.0.113.254"), script,
			"unknown route keyword gateway"},
		{"interface missing without the prelude", master, checkSetup{scriptPaths: []string{seedScript}, noPrelude: true},
			"Non-existent interface specified in configuration"},
		{"check script missing", replace(master, seedScript, "/nonexistent/lbaas/check_script.sh"), checkSetup{},
			"Disabling track script check_script since not found"},
		{"unknown keyword", replace(master, "    accept\n", "    acept\n"), script,
			"Unknown keyword 'acept'"},
		{"auth_pass longer than 8", replace(master, "auth_pass b76d77e", "auth_pass b76d77e-too-long"), script,
			"Truncating auth_pass to 8 characters"},
		{"virtual_router_id 256", replace(master, "virtual_router_id 1\n", "virtual_router_id 256\n"), script,
			"outside range [1, 255]"},
		{"priority 255 with nopreempt", replace(replace(master, "state MASTER", "state BACKUP"), "    priority 100\n", "    priority 255\n    nopreempt\n"), script,
			"nopreempt is incompatible with priority 255"},
		{"peer of the other family", replace(master, "        203.0.113.7\n", "        2001:db8::7\n"), script,
			"MUST be of the same family"},
		{"invalid VIP", replace(master, "        203.0.113.10\n", "        203.0.113.300\n"), script,
			"VRRP parsed invalid IP 203.0.113.300"},
		{"no unicast peers", replace(master, "        203.0.113.7\n", ""), script,
			"without any unicast peers"},
		{"fractional advert_int with VRRPv2", replace(master, "advert_int 1\n", "advert_int 0.5\n"), script,
			"must be an integer"},
		{"authentication with VRRPv3", replace(master, "    accept\n", "    version 3\n    accept\n"), script,
			"VRRP version 3 does not support authentication"},
		{"IPv6 VIP in virtual_ipaddress of an IPv4 instance", replace(master, "        203.0.113.10\n", "        203.0.113.10\n        2001:db8::10\n"), script,
			"address family must match VRRP instance"},
		{"unbalanced braces", replace(master, "    track_script {\n", "    track_script\n"), script,
			"Extra '}' found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := configTest(t, tc.conf, tc.setup)
			if r.code == 0 {
				t.Fatalf("keepalived accepted the broken configuration (output %q):\n%s", r.out, tc.conf)
			}
			if !strings.Contains(r.out, tc.want) {
				t.Fatalf("keepalived exit %d, output lacks %q:\n%s", r.code, tc.want, r.out)
			}
			t.Logf("exit %d: %s", r.code, strings.TrimSpace(r.out))
		})
	}
}

// TestConfigTestNetNamespaceChecksNothing shows why the check removes the
// net_namespace line: with a namespace that does not exist, keepalived
// --config-test accepts even a broken configuration, silently.
func TestConfigTestNetNamespaceChecksNothing(t *testing.T) {
	t.Parallel()
	l := seedLB()
	opts := seedOptions()
	opts.Namespace = "lbaas-test-no-such-namespace"
	conf, err := Render(l, l.Amphorae[1], opts)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(conf, "    accept\n", "    acept\n", 1)
	if r := configTest(t, broken, checkSetup{scriptPaths: []string{seedScript}, keepNamespace: true}); r.code != 0 || r.out != "" {
		t.Fatalf("keepalived 2.2.7 used to accept this silently; now exit %d:\n%s", r.code, r.out)
	}
	if r := configTest(t, broken, checkSetup{scriptPaths: []string{seedScript}}); r.code == 0 || !strings.Contains(r.out, "Unknown keyword 'acept'") {
		t.Fatalf("without net_namespace the broken configuration passed: exit %d:\n%s", r.code, r.out)
	}
	mustPassConfigTest(t, conf, checkSetup{scriptPaths: []string{seedScript}})
}

// TestRenderErrors covers the graphs and options Render refuses.
func TestRenderErrors(t *testing.T) {
	t.Parallel()
	type mut func(l *lb.LoadBalancer, amp *lb.Amphora, o *Options)
	for _, tc := range []struct {
		name string
		mut  mut
		want string
	}{
		{"topology single", func(l *lb.LoadBalancer, _ *lb.Amphora, _ *Options) { l.Topology = lb.TopologySingle }, "VRRP needs ACTIVE_STANDBY"},
		{"topology empty", func(l *lb.LoadBalancer, _ *lb.Amphora, _ *Options) { l.Topology = "" }, "VRRP needs ACTIVE_STANDBY"},
		{"lb id empty", func(l *lb.LoadBalancer, _ *lb.Amphora, _ *Options) { l.ID = "" }, "load balancer id is empty"},
		{"lb id with space", func(l *lb.LoadBalancer, _ *lb.Amphora, _ *Options) { l.ID = "a b" }, "cannot carry as one word"},
		{"amphora of another lb", func(l *lb.LoadBalancer, _ *lb.Amphora, _ *Options) { l.Amphorae = l.Amphorae[1:] }, "is not an amphora of load balancer"},
		{"amphora without id", func(_ *lb.LoadBalancer, a *lb.Amphora, _ *Options) { a.ID = "" }, "is not an amphora of load balancer"},
		{"amphora's lb id differs", func(_ *lb.LoadBalancer, a *lb.Amphora, _ *Options) { a.LoadBalancerID = "other" }, "belongs to load balancer other"},
		{"role standalone", func(_ *lb.LoadBalancer, a *lb.Amphora, _ *Options) { a.Role = lb.RoleStandalone }, `role "STANDALONE"`},
		{"role empty", func(_ *lb.LoadBalancer, a *lb.Amphora, _ *Options) { a.Role = "" }, `role ""`},
		{"no vrrp_ip", func(_ *lb.LoadBalancer, a *lb.Amphora, _ *Options) { a.VRRPIP = "" }, "has no vrrp_ip"},
		{"invalid vrrp_ip", func(_ *lb.LoadBalancer, a *lb.Amphora, _ *Options) { a.VRRPIP = "203.0.113.300" }, "is not an IP address"},
		{"vrrp_ip with zone", func(_ *lb.LoadBalancer, a *lb.Amphora, _ *Options) { a.VRRPIP = "fe80::1%eth1" }, "zones are not supported"},
		{"vrrp_ip unspecified", func(_ *lb.LoadBalancer, a *lb.Amphora, _ *Options) { a.VRRPIP = "0.0.0.0" }, "not a unicast address"},
		{"vrrp_ip multicast", func(_ *lb.LoadBalancer, a *lb.Amphora, _ *Options) { a.VRRPIP = "224.0.0.18" }, "not a unicast address"},
		{"no interface", func(_ *lb.LoadBalancer, a *lb.Amphora, _ *Options) { a.VRRPInterface = "" }, "no vrrp_interface"},
		{"interface too long", func(_ *lb.LoadBalancer, a *lb.Amphora, _ *Options) { a.VRRPInterface = "eth0123456789abc" }, "not a Linux interface name"},
		{"interface with slash", func(_ *lb.LoadBalancer, a *lb.Amphora, _ *Options) { a.VRRPInterface = "a/b" }, "not a Linux interface name"},
		{"interface with brace", func(_ *lb.LoadBalancer, a *lb.Amphora, _ *Options) { a.VRRPInterface = "eth{" }, "cannot carry as one word"},
		{"vrid 0", func(_ *lb.LoadBalancer, a *lb.Amphora, _ *Options) { a.VRRPID = 0 }, "vrrp_id 0 outside 1-255"},
		{"vrid 256", func(_ *lb.LoadBalancer, a *lb.Amphora, _ *Options) { a.VRRPID = 256 }, "vrrp_id 256 outside 1-255"},
		{"priority 255", func(_ *lb.LoadBalancer, a *lb.Amphora, _ *Options) { a.VRRPPriority = 255 }, "vrrp_priority 255 outside 1-254"},
		{"priority negative", func(_ *lb.LoadBalancer, a *lb.Amphora, _ *Options) { a.VRRPPriority = -1 }, "vrrp_priority -1 outside 1-254"},
		{"no peers", func(l *lb.LoadBalancer, _ *lb.Amphora, _ *Options) { l.Amphorae = l.Amphorae[:1] }, "has no peers"},
		{"only peer deleted", func(l *lb.LoadBalancer, _ *lb.Amphora, _ *Options) { l.Amphorae[1].Status = lb.StatusDeleted }, "has no peers"},
		{"only peer pending delete", func(l *lb.LoadBalancer, _ *lb.Amphora, _ *Options) { l.Amphorae[1].Status = lb.StatusPendingDelete }, "has no peers"},
		{"peer without vrrp_ip", func(l *lb.LoadBalancer, _ *lb.Amphora, _ *Options) { l.Amphorae[1].VRRPIP = "" }, "peer amphora " + seedBackupID + " has no vrrp_ip"},
		{"peer invalid vrrp_ip", func(l *lb.LoadBalancer, _ *lb.Amphora, _ *Options) { l.Amphorae[1].VRRPIP = "x" }, "is not an IP address"},
		{"peer other family", func(l *lb.LoadBalancer, _ *lb.Amphora, _ *Options) { l.Amphorae[1].VRRPIP = "2001:db8::7" }, "not of the family"},
		{"peer same vrrp_ip", func(l *lb.LoadBalancer, _ *lb.Amphora, _ *Options) { l.Amphorae[1].VRRPIP = "203.0.113.3" }, "has the same vrrp_ip"},
		{"peers duplicate vrrp_ip", func(l *lb.LoadBalancer, _ *lb.Amphora, _ *Options) {
			c := *l.Amphorae[1]
			c.ID = "third"
			l.Amphorae = append(l.Amphorae, &c)
		}, "used by two peer amphorae"},
		{"peer other vrid", func(l *lb.LoadBalancer, _ *lb.Amphora, _ *Options) { l.Amphorae[1].VRRPID = 2 }, "has vrrp_id 2"},
		{"no vip", func(l *lb.LoadBalancer, _ *lb.Amphora, _ *Options) { l.VIPAddress = "" }, "has no vip_address"},
		{"invalid vip", func(l *lb.LoadBalancer, _ *lb.Amphora, _ *Options) { l.VIPAddress = "203.0.113" }, "vip_address \"203.0.113\" is not an IP address"},
		{"vip other family than vrrp_ip", func(l *lb.LoadBalancer, _ *lb.Amphora, _ *Options) { l.VIPAddress = "2001:db8::10" }, "different IP families"},
		{"vip is a vrrp_ip", func(l *lb.LoadBalancer, _ *lb.Amphora, _ *Options) { l.VIPAddress = "203.0.113.7" }, "is also a vrrp_ip"},
		{"invalid additional vip", func(l *lb.LoadBalancer, _ *lb.Amphora, _ *Options) {
			l.AdditionalVIPs = []lb.AdditionalVIP{{IPAddress: "nope"}}
		}, "additional vip \"nope\" is not an IP address"},
		{"duplicate vip", func(l *lb.LoadBalancer, _ *lb.Amphora, _ *Options) {
			l.AdditionalVIPs = []lb.AdditionalVIP{{IPAddress: "203.0.113.10"}}
		}, "appears twice"},
		{"no check script", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.CheckScript = "" }, "CheckScript is required"},
		{"relative check script", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.CheckScript = "check.sh" }, "not an absolute path"},
		{"check script with space", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.CheckScript = "/bin/check haproxy" }, "cannot carry as one word"},
		{"negative interval", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.CheckInterval = -1 }, "CheckInterval -1"},
		{"negative fall", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.CheckFall = -1 }, "CheckFall -1"},
		{"negative rise", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.CheckRise = -2 }, "CheckRise -2"},
		{"negative garp", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.GARPRefresh = -1 }, "GARPRefresh -1"},
		{"negative garp repeat", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.GARPRefreshRepeat = -1 }, "GARPRefreshRepeat -1"},
		{"no auth_pass", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.AuthPass = "" }, "AuthPass is required for VRRPv2"},
		{"auth_pass too long", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.AuthPass = "123456789" }, "9 characters long; keepalived keeps at most 8"},
		{"auth_pass with space", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.AuthPass = "a b" }, "AuthPass contains ' '"},
		{"auth_pass with hash", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.AuthPass = "a#b" }, "AuthPass contains '#'"},
		{"fractional advert_int v2", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.AdvertInt = 1500 * time.Millisecond }, "VRRPv2 wants whole seconds"},
		{"advert_int 256s", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.AdvertInt = 256 * time.Second }, "VRRPv2 wants whole seconds"},
		{"negative advert_int", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.AdvertInt = -time.Second }, "VRRPv2 wants whole seconds"},
		{"advert_int 5ms v3", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) {
			o.VRRPVersion, o.AdvertInt = 3, 5*time.Millisecond
		}, "VRRPv3 wants a multiple of 10ms"},
		{"advert_int 41s v3", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) {
			o.VRRPVersion, o.AdvertInt = 3, 41*time.Second
		}, "VRRPv3 wants a multiple of 10ms"},
		{"vrrp version 4", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.VRRPVersion = 4 }, "VRRP version 4"},
		{"vrrpv2 with ipv6", func(l *lb.LoadBalancer, a *lb.Amphora, o *Options) {
			o.VRRPVersion = 2
			a.VRRPIP, l.Amphorae[1].VRRPIP, l.VIPAddress = "2001:db8::3", "2001:db8::7", "2001:db8::10"
		}, "VRRPv2 cannot carry the IPv6"},
		{"namespace with slash", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.Namespace = "a/b" }, "not a namespace name"},
		{"namespace with space", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.Namespace = "a b" }, "cannot carry as one word"},
		{"router id with brace", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.RouterID = "r}" }, "option RouterID"},
		{"script user three words", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.ScriptUser = "a b c" }, "want \"user\" or \"user group\""},
		{"script user bad name", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.ScriptUser = "-x" }, "not a valid user or group name"},
		{"route table 254", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.RouteTable = 254 }, "RouteTable 254"},
		{"rule priority 32766", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) { o.RulePriority = 32766 }, "RulePriority 32766"},
		{"subnet missing for a vip", func(l *lb.LoadBalancer, _ *lb.Amphora, o *Options) {
			l.AdditionalVIPs = []lb.AdditionalVIP{{IPAddress: "198.51.100.10"}}
			o.Subnets = map[string]Subnet{"203.0.113.10": {CIDR: "203.0.113.0/24"}}
		}, "no entry for VIP 198.51.100.10"},
		{"subnet for a non-vip", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) {
			o.Subnets = map[string]Subnet{"203.0.113.10": {CIDR: "203.0.113.0/24"}, "203.0.113.11": {CIDR: "203.0.113.0/24"}}
		}, "203.0.113.11, which is not a VIP"},
		{"subnet key invalid", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) {
			o.Subnets = map[string]Subnet{"vip": {CIDR: "203.0.113.0/24"}}
		}, "option Subnets key \"vip\""},
		{"subnet keys duplicate", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) {
			o.Subnets = map[string]Subnet{"203.0.113.10": {CIDR: "203.0.113.0/24"}, "::ffff:203.0.113.10": {CIDR: "203.0.113.0/24"}}
		}, "two entries for 203.0.113.10"},
		{"subnet cidr invalid", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) {
			o.Subnets = map[string]Subnet{"203.0.113.10": {CIDR: "203.0.113.0"}}
		}, "CIDR \"203.0.113.0\""},
		{"subnet without the vip", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) {
			o.Subnets = map[string]Subnet{"203.0.113.10": {CIDR: "198.51.100.0/24"}}
		}, "does not contain the VIP"},
		{"gateway other family", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) {
			o.Subnets = map[string]Subnet{"203.0.113.10": {CIDR: "203.0.113.0/24", Gateway: "2001:db8::1"}}
		}, "gateway 2001:db8::1 of another IP family"},
		{"host route invalid", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) {
			o.Subnets = map[string]Subnet{"203.0.113.10": {CIDR: "203.0.113.0/24", HostRoutes: []HostRoute{{Destination: "10.0.0.0", NextHop: "203.0.113.1"}}}}
		}, "host route destination \"10.0.0.0\""},
		{"host route other family", func(_ *lb.LoadBalancer, _ *lb.Amphora, o *Options) {
			o.Subnets = map[string]Subnet{"203.0.113.10": {CIDR: "203.0.113.0/24", HostRoutes: []HostRoute{{Destination: "2001:db8::/32", NextHop: "203.0.113.1"}}}}
		}, "of another IP family"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := seedLB()
			amp := l.Amphorae[0]
			o := seedOptions()
			tc.mut(l, amp, &o)
			got, err := Render(l, amp, o)
			if err == nil {
				t.Fatalf("Render succeeded, want an error containing %q:\n%s", tc.want, got)
			}
			if got != "" {
				t.Errorf("Render returned text with its error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q lacks %q", err, tc.want)
			}
		})
	}
	t.Run("nil load balancer", func(t *testing.T) {
		t.Parallel()
		if _, err := Render(nil, &lb.Amphora{}, seedOptions()); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("nil amphora", func(t *testing.T) {
		t.Parallel()
		if _, err := Render(seedLB(), nil, seedOptions()); err == nil {
			t.Fatal("no error")
		}
	})
}

// TestRenderDefaults checks the defaults that the goldens do not spell out.
func TestRenderDefaults(t *testing.T) {
	t.Parallel()
	l := seedLB()
	got, err := Render(l, l.Amphorae[0], seedOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"    router_id " + seedMasterID + "\n",
		"    vrrp_garp_master_refresh 5\n    vrrp_garp_master_refresh_repeat 2\n",
		"    enable_script_security\n    script_user root\n",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("lacks %q:\n%s", w, got)
		}
	}
	for _, no := range []string{"net_namespace", "version 3", "virtual_routes", "virtual_rules", "virtual_ipaddress_excluded"} {
		if strings.Contains(got, no) {
			t.Errorf("has %q:\n%s", no, got)
		}
	}
}
