package haproxy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// combo is one listener protocol × pool protocol × algorithm × session
// persistence × health monitor combination. An empty pool protocol is a
// listener without a pool (the only shape a PROMETHEUS listener takes).
type combo struct {
	listener, pool, algorithm, persistence, monitor string
}

func (c combo) String() string {
	return strings.Join([]string{c.listener, or(c.pool, "-"), or(c.algorithm, "-"), or(c.persistence, "-"), or(c.monitor, "-")}, "/")
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// allCombos lists every combination, including those the validators refuse.
func allCombos() []combo {
	out := make([]combo, 0, 7000)
	for _, lp := range lb.ListenerProtocols() {
		out = append(out, combo{listener: lp})
		for _, pp := range lb.PoolProtocols() {
			for _, alg := range lb.Algorithms() {
				for _, sp := range append([]string{""}, lb.PersistenceTypes()...) {
					for _, hm := range append([]string{""}, lb.MonitorTypes()...) {
						out = append(out, combo{lp, pp, alg, sp, hm})
					}
				}
			}
		}
	}
	return out
}

const matrixCert = "https://barbican.example.com:9311/v1/containers/0b6f7a3e-5c2d-4e1f-9a8b-7c6d5e4f3a21"

// comboObjects builds the listener and pool (nil without one) of combination
// number i; IDs and the port derive from i so that any set of combinations
// fits in one load balancer.
func comboObjects(c combo, i int) (*lb.Listener, *lb.Pool) {
	li := &lb.Listener{
		ID:              fmt.Sprintf("11111111-0000-4000-8000-%012d", i),
		Protocol:        c.listener,
		ProtocolPort:    10000 + i,
		ConnectionLimit: 100,
		AdminStateUp:    true,
	}
	if c.listener == lb.ProtocolTerminatedHTTPS {
		li.DefaultTLSContainerRef = matrixCert
	}
	if c.pool == "" {
		return li, nil
	}
	p := &lb.Pool{
		ID:           fmt.Sprintf("22222222-0000-4000-8000-%012d", i),
		Protocol:     c.pool,
		LBAlgorithm:  c.algorithm,
		AdminStateUp: true,
	}
	li.DefaultPoolID = p.ID
	if c.persistence != "" {
		p.SessionPersistence = &lb.SessionPersistence{Type: c.persistence}
		if c.persistence == lb.PersistenceAppCookie {
			p.SessionPersistence.CookieName = "SESSIONID"
		}
	}
	if c.monitor != "" {
		p.HealthMonitor = &lb.HealthMonitor{
			ID:             fmt.Sprintf("44444444-0000-4000-8000-%012d", i),
			Type:           c.monitor,
			Delay:          5,
			Timeout:        3,
			MaxRetries:     2,
			MaxRetriesDown: 3,
			AdminStateUp:   true,
		}
	}
	port := 8000
	p.Members = []*lb.Member{
		{ID: fmt.Sprintf("33333333-0000-4000-8000-%012d", 2*i), Address: "198.51.100.10", ProtocolPort: 80, Weight: 1, AdminStateUp: true},
		{ID: fmt.Sprintf("33333333-0000-4000-8000-%012d", 2*i+1), Address: "198.51.100.11", ProtocolPort: 80, Weight: 2,
			Backup: true, MonitorPort: &port, AdminStateUp: true},
	}
	return li, p
}

func matrixLB(id int) *lb.LoadBalancer {
	return &lb.LoadBalancer{
		ID:           fmt.Sprintf("aaaaaaaa-0000-4000-8000-%012d", 900+id),
		ProjectID:    "e3cd678b11784734bc366148aa37580e",
		AdminStateUp: true,
		VIPAddress:   "203.0.113.200",
		VIPSubnetID:  "99999999-0000-4000-8000-000000000001",
		Provider:     "amphora",
		Topology:     lb.TopologySingle,
	}
}

func addCombo(l *lb.LoadBalancer, c combo, i int) (*lb.Listener, *lb.Pool) {
	li, p := comboObjects(c, i)
	li.LoadBalancerID = l.ID
	l.Listeners = append(l.Listeners, li)
	if p != nil {
		p.LoadBalancerID = l.ID
		l.Pools = append(l.Pools, p)
	}
	return li, p
}

func accepted(l *lb.LoadBalancer) error {
	if err := lb.ValidateGraph(l); err != nil {
		return err
	}
	return lb.SupportedByAmphora(l)
}

// TestMatrix renders every combination that lb.ValidateGraph and
// lb.SupportedByAmphora accept and checks the result with haproxy -c. The
// accepted combinations are packed, one listener and one pool each, into a
// few load balancers, so that HAProxy runs a handful of times.
func TestMatrix(t *testing.T) {
	t.Parallel()
	haproxyBinary(t)
	all := allCombos()
	var ok []combo
	for i, c := range all {
		l := matrixLB(0)
		addCombo(l, c, i)
		if accepted(l) == nil {
			ok = append(ok, c)
		}
	}
	if len(ok) == 0 {
		t.Fatalf("the validators accept none of the %d combinations", len(all))
	}

	// The validators must not have refused a whole dimension by accident:
	// every protocol HAProxy serves and every check it runs appears.
	seen := map[string]bool{}
	for _, c := range ok {
		seen["listener "+c.listener] = true
		seen["pool "+c.pool] = true
		seen["algorithm "+c.algorithm] = true
		seen["persistence "+c.persistence] = true
		seen["monitor "+c.monitor] = true
	}
	for _, want := range []string{
		"listener HTTP", "listener HTTPS", "listener TCP", "listener TERMINATED_HTTPS", "listener PROMETHEUS",
		"listener UDP", "listener SCTP",
		"pool HTTP", "pool HTTPS", "pool TCP", "pool PROXY", "pool PROXYV2", "pool UDP", "pool SCTP",
		"algorithm ROUND_ROBIN", "algorithm LEAST_CONNECTIONS", "algorithm SOURCE_IP",
		"persistence SOURCE_IP", "persistence HTTP_COOKIE", "persistence APP_COOKIE",
		"monitor HTTP", "monitor HTTPS", "monitor PING", "monitor TCP", "monitor TLS-HELLO",
	} {
		if !seen[want] {
			t.Errorf("no accepted combination has %s", want)
		}
	}

	const groups = 4
	size := (len(ok) + groups - 1) / groups
	rendered := 0
	runs := 0
	pki := newTestPKI(t)
	for g := 0; g*size < len(ok); g++ {
		part := ok[g*size : min(len(ok), (g+1)*size)]
		rendered += len(part)
		runs++
		t.Run(fmt.Sprintf("group%d", g), func(t *testing.T) {
			t.Parallel()
			l := matrixLB(1 + g)
			type obj struct {
				c  combo
				li *lb.Listener
				p  *lb.Pool
			}
			objs := make([]obj, 0, len(part))
			for i, c := range part {
				li, p := addCombo(l, c, g*size+i)
				objs = append(objs, obj{c, li, p})
			}
			if err := accepted(l); err != nil {
				t.Fatalf("combinations accepted one by one are refused together: %v", err)
			}
			dir := shortTempDir(t)
			opts := Options{StateDir: dir, CertDir: dir, LogTargets: []LogTarget{{Address: "/dev/log", Facility: "local0"}}}
			cfg, err := Render(l, opts)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			for _, o := range objs {
				served := o.c.listener != lb.ProtocolUDP && o.c.listener != lb.ProtocolSCTP
				if got := strings.Contains(cfg, "\nfrontend "+o.li.ID+"\n"); got != served {
					t.Errorf("%v: frontend rendered %v, want %v", o.c, got, served)
				}
				if o.p != nil {
					if got := strings.Contains(cfg, "\nbackend "+BackendName(o.p.ID, o.li.ID)+"\n"); got != served {
						t.Errorf("%v: backend rendered %v, want %v", o.c, got, served)
					}
				}
			}
			writeStateFile(t, opts, l.ID)
			writeTLSFiles(t, l, opts, pki)
			assertHAProxyAccepts(t, dir, "haproxy.cfg", cfg)
		})
	}
	t.Logf("matrix: %d combinations, %d accepted by lb.ValidateGraph and lb.SupportedByAmphora, %d rendered, %d haproxy -c runs",
		len(all), len(ok), rendered, runs)
}
