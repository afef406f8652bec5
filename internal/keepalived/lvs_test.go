package keepalived

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

const (
	lvsLBID       = "7e4c1d2a-5b6f-4a8e-9c0d-1e2f3a4b5c6d"
	udpCheck      = "/var/lib/octavia/lvs/check/udp_check.sh"
	sctpCheckPath = "/usr/local/bin/amphora-health-checker"
)

func lvsOptions() LVSOptions {
	return LVSOptions{
		Namespace:        "amphora-haproxy",
		UDPCheckScript:   udpCheck,
		SCTPCheckCommand: sctpCheckPath + " sctp",
	}
}

func intp(i int) *int { return &i }

func member(id, addr string, port, weight int) *lb.Member {
	return &lb.Member{ID: id, Address: addr, ProtocolPort: port, Weight: weight, AdminStateUp: true, ProvisioningStatus: lb.StatusActive}
}

func listener(id, proto string, port int, pool string) *lb.Listener {
	return &lb.Listener{ID: id, LoadBalancerID: lvsLBID, Protocol: proto, ProtocolPort: port, DefaultPoolID: pool, AdminStateUp: true, ConnectionLimit: -1}
}

func pool(id, proto, algo string, hm *lb.HealthMonitor, members ...*lb.Member) *lb.Pool {
	return &lb.Pool{ID: id, LoadBalancerID: lvsLBID, Protocol: proto, LBAlgorithm: algo, AdminStateUp: true, HealthMonitor: hm, Members: members}
}

func monitor(id, typ string, delay, timeout, down int) *lb.HealthMonitor {
	return &lb.HealthMonitor{ID: id, Type: typ, Delay: delay, Timeout: timeout, MaxRetries: 2, MaxRetriesDown: down, AdminStateUp: true}
}

// lvsLB is a dual-stack load balancer with one UDP or SCTP listener per
// case of the LVS goldens.
func lvsLB() *lb.LoadBalancer {
	udpListener := listener("l-udp-connect", lb.ProtocolUDP, 53, "p-udp-connect")
	udpListener.ConnectionLimit = 1000
	disabled := listener("l-disabled", lb.ProtocolUDP, 67, "p-tcp")
	disabled.AdminStateUp = false

	udpPool := pool("p-udp-connect", lb.ProtocolUDP, lb.AlgorithmRoundRobin,
		monitor("hm-udp", lb.MonitorUDPConnect, 5, 3, 3),
		member("m-1", "192.0.2.11", 5353, 1),
		func() *lb.Member {
			m := member("m-2", "192.0.2.12", 5353, 3)
			m.MonitorAddress, m.MonitorPort = "192.0.2.112", intp(9999)
			return m
		}(),
		func() *lb.Member { m := member("m-3", "192.0.2.13", 5353, 1); m.AdminStateUp = false; return m }(),
		func() *lb.Member {
			m := member("m-4", "192.0.2.14", 5353, 1)
			m.ProvisioningStatus = lb.StatusPendingDelete
			return m
		}(),
		member("m-5", "2001:db8:0:40::11", 5353, 2),
	)
	udpPool.SessionPersistence = &lb.SessionPersistence{Type: lb.PersistenceSourceIP, PersistenceTimeout: intp(600), PersistenceGranularity: "255.255.255.0"}

	httpHM := monitor("hm-http", lb.MonitorHTTP, 10, 5, 2)
	httpHM.HTTPMethod, httpHM.URLPath, httpHM.ExpectedCodes = "GET", "/healthz", "200,202-204"
	httpPool := pool("p-http-get", lb.ProtocolUDP, lb.AlgorithmSourceIP, httpHM,
		member("m-h1", "192.0.2.21", 5683, 1), member("m-h2", "2001:db8:0:40::21", 5683, 1))
	httpPool.SessionPersistence = &lb.SessionPersistence{Type: lb.PersistenceSourceIP}

	emptyPool := pool("p-empty", lb.ProtocolUDP, lb.AlgorithmRoundRobin, nil,
		func() *lb.Member { m := member("m-e1", "192.0.2.41", 123, 1); m.AdminStateUp = false; return m }(),
		member("m-e2", "192.0.2.42", 123, 0))

	return &lb.LoadBalancer{
		ID:           lvsLBID,
		AdminStateUp: true,
		VIPAddress:   "203.0.113.20",
		AdditionalVIPs: []lb.AdditionalVIP{
			{IPAddress: "2001:db8:0:30::20"},
			{IPAddress: "198.51.100.20"},
		},
		Topology: lb.TopologyActiveStandby,
		Listeners: []*lb.Listener{
			udpListener,
			listener("l-sctp", lb.ProtocolSCTP, 2905, "p-sctp"),
			listener("l-http-get", lb.ProtocolUDP, 5683, "p-http-get"),
			listener("l-tcp", lb.ProtocolUDP, 514, "p-tcp"),
			listener("l-ping", lb.ProtocolUDP, 161, "p-ping"),
			listener("l-no-pool", lb.ProtocolUDP, 69, ""),
			listener("l-empty", lb.ProtocolUDP, 123, "p-empty"),
			disabled,
		},
		Pools: []*lb.Pool{
			udpPool,
			pool("p-sctp", lb.ProtocolSCTP, lb.AlgorithmLeastConnections,
				monitor("hm-sctp", lb.MonitorSCTP, 10, 4, 2),
				member("m-s1", "192.0.2.31", 2905, 1), member("m-s2", "192.0.2.32", 2905, 1)),
			httpPool,
			pool("p-tcp", lb.ProtocolUDP, lb.AlgorithmRoundRobin,
				monitor("hm-tcp", lb.MonitorTCP, 5, 2, 1),
				member("m-t1", "192.0.2.51", 514, 1)),
			pool("p-ping", lb.ProtocolUDP, lb.AlgorithmRoundRobin,
				monitor("hm-ping", lb.MonitorPing, 5, 2, 1),
				member("m-p1", "192.0.2.61", 161, 1)),
			emptyPool,
		},
	}
}

func TestRenderLVSGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, listener string }{
		{"lvs_udp_connect", "l-udp-connect"},
		{"lvs_sctp", "l-sctp"},
		{"lvs_http_get", "l-http-get"},
		{"lvs_tcp_check", "l-tcp"},
		{"lvs_ping", "l-ping"},
		{"lvs_no_pool", "l-no-pool"},
		{"lvs_no_enabled_member", "l-empty"},
		{"lvs_listener_disabled", "l-disabled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := lvsLB()
			got, err := RenderLVS(l, l.Listener(tc.listener), lvsOptions())
			if err != nil {
				t.Fatalf("RenderLVS: %v", err)
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
				t.Errorf("RenderLVS output differs from %s (run go test -update and review the diff):\n--- got\n%s\n--- want\n%s", path, got, want)
			}
			mustPassConfigTest(t, string(want), checkSetup{scriptPaths: []string{udpCheck, sctpCheckPath}})
		})
	}
}

func TestRenderLVSDisabledLoadBalancer(t *testing.T) {
	t.Parallel()
	l := lvsLB()
	l.AdminStateUp = false
	got, err := RenderLVS(l, l.Listeners[0], lvsOptions())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got, "virtual_server") || !strings.Contains(got, "# Loadbalancer "+lvsLBID+" is disabled") {
		t.Fatalf("want no virtual server:\n%s", got)
	}
	mustPassConfigTest(t, got, checkSetup{})
}

func TestRenderLVSDisabledPool(t *testing.T) {
	t.Parallel()
	l := lvsLB()
	l.Pool("p-tcp").AdminStateUp = false
	got, err := RenderLVS(l, l.Listener("l-tcp"), lvsOptions())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got, "virtual_server") || !strings.Contains(got, "# Pool p-tcp is disabled") {
		t.Fatalf("want no virtual server:\n%s", got)
	}
	mustPassConfigTest(t, got, checkSetup{})
}

// TestConfigTestCatchesLVSErrors shows that keepalived checks the LVS part,
// and that the places where RenderLVS departs from Octavia's template are
// ones keepalived 2.2.7 refuses.
func TestConfigTestCatchesLVSErrors(t *testing.T) {
	t.Parallel()
	l := lvsLB()
	udp, err := RenderLVS(l, l.Listener("l-udp-connect"), lvsOptions())
	if err != nil {
		t.Fatal(err)
	}
	httpConf, err := RenderLVS(l, l.Listener("l-http-get"), lvsOptions())
	if err != nil {
		t.Fatal(err)
	}
	replace := func(conf, old, repl string) string {
		t.Helper()
		if !strings.Contains(conf, old) {
			t.Fatalf("%q not in configuration", old)
		}
		return strings.Replace(conf, old, repl, 1)
	}
	cut := func(conf, from, to string) string {
		t.Helper()
		i := strings.Index(conf, from)
		j := strings.Index(conf[i:], to)
		if i < 0 || j < 0 {
			t.Fatalf("%q…%q not in configuration", from, to)
		}
		return conf[:i] + conf[i+j+len(to):]
	}
	for _, tc := range []struct {
		name, conf, want string
	}{
		{"octavia IPv6 persistence_granularity netmask", replace(udp, "persistence_granularity 128", "persistence_granularity 255.255.255.255"),
			"Invalid IPv6 persistence_granularity"},
		{"octavia IPv6 virtual server as Octavia writes it", replace(replace(udp, "    ip_family inet6\n", ""), "persistence_granularity 128", "persistence_granularity 255.255.255.255"),
			"Address family of virtual server and real server 2001:db8:0:40::11 don't match"},
		{"octavia virtual server without real servers", cut(udp, "    # Configuration for Member m-5\n", "        }\n    }\n"),
			"has no real servers"},
		{"reversed status code range", replace(httpConf, "status_code 200 202-204", "status_code 204-202"),
			"Invalid HTTP_GET status code '204-202'"},
		{"unknown scheduler", replace(udp, "lb_algo wrr", "lb_algo foo"),
			"Invalid lvs_scheduler 'foo'"},
		{"unknown real_server keyword", replace(udp, "uthreshold 1000", "uthresold 1000"),
			"Unknown keyword 'uthresold'"},
		{"persistence_timeout too long", replace(udp, "persistence_timeout 600", "persistence_timeout 2678401"),
			"persistence_timeout invalid"},
		{"check scripts without script security", replace(udp, "    enable_script_security\n", ""),
			"SECURITY VIOLATION"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := configTest(t, tc.conf, checkSetup{scriptPaths: []string{udpCheck, sctpCheckPath}})
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

func TestRenderLVSErrors(t *testing.T) {
	t.Parallel()
	type mut func(l *lb.LoadBalancer, li *lb.Listener, o *LVSOptions)
	for _, tc := range []struct {
		name string
		mut  mut
		want string
	}{
		{"listener of another lb", func(l *lb.LoadBalancer, _ *lb.Listener, _ *LVSOptions) { l.Listeners = l.Listeners[1:] }, "is not a listener of load balancer"},
		{"listener's lb id differs", func(_ *lb.LoadBalancer, li *lb.Listener, _ *LVSOptions) { li.LoadBalancerID = "x" }, "belongs to load balancer x"},
		{"tcp listener", func(_ *lb.LoadBalancer, li *lb.Listener, _ *LVSOptions) { li.Protocol = lb.ProtocolTCP }, `protocol "TCP"; LVS balances UDP and SCTP`},
		{"port 0", func(_ *lb.LoadBalancer, li *lb.Listener, _ *LVSOptions) { li.ProtocolPort = 0 }, "protocol_port 0 outside 1-65535"},
		{"missing default pool", func(_ *lb.LoadBalancer, li *lb.Listener, _ *LVSOptions) { li.DefaultPoolID = "nope" }, "default pool nope"},
		{"pool protocol differs", func(l *lb.LoadBalancer, _ *lb.Listener, _ *LVSOptions) { l.Pools[0].Protocol = lb.ProtocolSCTP }, `pool p-udp-connect has protocol "SCTP"`},
		{"algorithm source ip port", func(l *lb.LoadBalancer, _ *lb.Listener, _ *LVSOptions) {
			l.Pools[0].LBAlgorithm = lb.AlgorithmSourceIPPort
		}, "not supported by LVS"},
		{"cookie persistence", func(l *lb.LoadBalancer, _ *lb.Listener, _ *LVSOptions) {
			l.Pools[0].SessionPersistence = &lb.SessionPersistence{Type: lb.PersistenceHTTPCookie}
		}, `session persistence "HTTP_COOKIE"`},
		{"persistence timeout too long", func(l *lb.LoadBalancer, _ *lb.Listener, _ *LVSOptions) {
			l.Pools[0].SessionPersistence.PersistenceTimeout = intp(MaxPersistenceTimeout + 1)
		}, "persistence_timeout 2678401"},
		{"granularity not a netmask", func(l *lb.LoadBalancer, _ *lb.Listener, _ *LVSOptions) {
			l.Pools[0].SessionPersistence.PersistenceGranularity = "255.0.255.0"
		}, "not an IPv4 netmask"},
		{"granularity ipv6", func(l *lb.LoadBalancer, _ *lb.Listener, _ *LVSOptions) {
			l.Pools[0].SessionPersistence.PersistenceGranularity = "ffff::"
		}, "not an IPv4 netmask"},
		{"monitor delay 0", func(l *lb.LoadBalancer, _ *lb.Listener, _ *LVSOptions) { l.Pools[0].HealthMonitor.Delay = 0 }, "delay 0"},
		{"monitor timeout 0", func(l *lb.LoadBalancer, _ *lb.Listener, _ *LVSOptions) { l.Pools[0].HealthMonitor.Timeout = 0 }, "timeout 0"},
		{"no udp check script", func(_ *lb.LoadBalancer, _ *lb.Listener, o *LVSOptions) { o.UDPCheckScript = "" }, "UDPCheckScript is required"},
		{"udp check script relative", func(_ *lb.LoadBalancer, _ *lb.Listener, o *LVSOptions) { o.UDPCheckScript = "udp_check.sh" }, "absolute path"},
		{"udp check script with args", func(_ *lb.LoadBalancer, _ *lb.Listener, o *LVSOptions) { o.UDPCheckScript = "/bin/check x" }, "want one path"},
		{"udp check script with quote", func(_ *lb.LoadBalancer, _ *lb.Listener, o *LVSOptions) { o.UDPCheckScript = `/bin/che"ck` }, "cannot carry as one word"},
		{"member invalid address", func(l *lb.LoadBalancer, _ *lb.Listener, _ *LVSOptions) { l.Pools[0].Members[0].Address = "192.0.2" }, "address of member m-1"},
		{"member port 0", func(l *lb.LoadBalancer, _ *lb.Listener, _ *LVSOptions) { l.Pools[0].Members[0].ProtocolPort = 0 }, "member m-1: protocol_port 0"},
		{"member weight 257", func(l *lb.LoadBalancer, _ *lb.Listener, _ *LVSOptions) { l.Pools[0].Members[0].Weight = 257 }, "weight 257"},
		{"member monitor address invalid", func(l *lb.LoadBalancer, _ *lb.Listener, _ *LVSOptions) { l.Pools[0].Members[0].MonitorAddress = "x" }, "monitor_address of member m-1"},
		{"member monitor port 70000", func(l *lb.LoadBalancer, _ *lb.Listener, _ *LVSOptions) {
			l.Pools[0].Members[0].MonitorPort = intp(70000)
		}, "monitor_port 70000"},
		{"invalid vip", func(l *lb.LoadBalancer, _ *lb.Listener, _ *LVSOptions) { l.VIPAddress = "x" }, "vip_address \"x\""},
		{"no vip", func(l *lb.LoadBalancer, _ *lb.Listener, _ *LVSOptions) { l.VIPAddress = "" }, "has no vip_address"},
		{"duplicate vip", func(l *lb.LoadBalancer, _ *lb.Listener, _ *LVSOptions) {
			l.AdditionalVIPs[0].IPAddress = "203.0.113.20"
		}, "appears twice"},
		{"namespace with slash", func(_ *lb.LoadBalancer, _ *lb.Listener, o *LVSOptions) { o.Namespace = "a/b" }, "not a namespace name"},
		{"script user bad", func(_ *lb.LoadBalancer, _ *lb.Listener, o *LVSOptions) { o.ScriptUser = "a b c" }, "ScriptUser"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := lvsLB()
			li := l.Listener("l-udp-connect")
			o := lvsOptions()
			tc.mut(l, li, &o)
			got, err := RenderLVS(l, li, o)
			if err == nil {
				t.Fatalf("RenderLVS succeeded, want an error containing %q:\n%s", tc.want, got)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q lacks %q", err, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name, listener string
		mut            func(l *lb.LoadBalancer, o *LVSOptions)
		want           string
	}{
		{"no sctp command", "l-sctp", func(_ *lb.LoadBalancer, o *LVSOptions) { o.SCTPCheckCommand = "" }, "SCTPCheckCommand is required"},
		{"sctp command relative", "l-sctp", func(_ *lb.LoadBalancer, o *LVSOptions) { o.SCTPCheckCommand = "amphora-health-checker sctp" }, "absolute path"},
		{"http url path relative", "l-http-get", func(l *lb.LoadBalancer, _ *LVSOptions) { l.Pool("p-http-get").HealthMonitor.URLPath = "healthz" }, "does not start with /"},
		{"http url path with space", "l-http-get", func(l *lb.LoadBalancer, _ *LVSOptions) { l.Pool("p-http-get").HealthMonitor.URLPath = "/a b" }, "cannot carry as one word"},
		{"expected code 99", "l-http-get", func(l *lb.LoadBalancer, _ *LVSOptions) { l.Pool("p-http-get").HealthMonitor.ExpectedCodes = "99" }, `"99" is not an HTTP status code`},
		{"expected codes reversed", "l-http-get", func(l *lb.LoadBalancer, _ *LVSOptions) { l.Pool("p-http-get").HealthMonitor.ExpectedCodes = "204-200" }, "range 204-200 is reversed"},
		{"expected codes garbage", "l-http-get", func(l *lb.LoadBalancer, _ *LVSOptions) { l.Pool("p-http-get").HealthMonitor.ExpectedCodes = "200,,201" }, `"" is not an HTTP status code`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := lvsLB()
			o := lvsOptions()
			tc.mut(l, &o)
			got, err := RenderLVS(l, l.Listener(tc.listener), o)
			if err == nil {
				t.Fatalf("RenderLVS succeeded, want an error containing %q:\n%s", tc.want, got)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q lacks %q", err, tc.want)
			}
		})
	}
	t.Run("nil", func(t *testing.T) {
		t.Parallel()
		if _, err := RenderLVS(nil, &lb.Listener{}, lvsOptions()); err == nil {
			t.Fatal("no error for a nil load balancer")
		}
		if _, err := RenderLVS(lvsLB(), nil, lvsOptions()); err == nil {
			t.Fatal("no error for a nil listener")
		}
	})
}

func TestStatusCodes(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":            "200",
		"200":         "200",
		"200,202":     "200 202",
		"200-204":     "200-204",
		"200,202-204": "200 202-204",
		"301-301":     "301",
	} {
		if got, err := statusCodes(in); err != nil || got != want {
			t.Errorf("statusCodes(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
