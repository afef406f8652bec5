package e2e

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/listeners"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/monitors"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/pools"

	"github.com/lbaas/terraform-provider-lbaas/internal/health/heartbeat"
)

// The heartbeat interval lbaasd gives its local amphorae (its default).
const heartbeatInterval = time.Second

// switchBackend is an HTTP backend on 127.0.0.1 that can be stopped and
// started again on the same port.
type switchBackend struct {
	name string
	port int
	hits atomic.Int64

	mu  sync.Mutex
	srv *http.Server
}

func newSwitchBackend(t *testing.T, name string) *switchBackend {
	t.Helper()
	b := &switchBackend{name: name}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.port = ln.Addr().(*net.TCPAddr).Port
	b.serve(ln)
	t.Cleanup(b.stop)
	return b
}

func (b *switchBackend) serve(ln net.Listener) {
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		b.hits.Add(1)
		_, _ = io.WriteString(w, b.name)
	})}
	b.mu.Lock()
	b.srv = srv
	b.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// stop closes the listener and every connection: the port refuses.
func (b *switchBackend) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.srv != nil {
		_ = b.srv.Close()
		b.srv = nil
	}
}

// start listens on the same port again.
func (b *switchBackend) start(t *testing.T) {
	t.Helper()
	var last error
	for attempt := 0; attempt < 50; attempt++ {
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(b.port))
		if err == nil {
			b.serve(ln)
			return
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("backend %s cannot listen on its port %d again: %v", b.name, b.port, last)
}

// statusTree is the part of GET /loadbalancers/{id}/status the test reads.
type statusTree struct {
	Statuses struct {
		Loadbalancer struct {
			OperatingStatus string `json:"operating_status"`
			Listeners       []struct {
				ID              string `json:"id"`
				OperatingStatus string `json:"operating_status"`
				Pools           []struct {
					ID              string `json:"id"`
					OperatingStatus string `json:"operating_status"`
					Members         []struct {
						ID              string `json:"id"`
						ProtocolPort    int    `json:"protocol_port"`
						OperatingStatus string `json:"operating_status"`
					} `json:"members"`
				} `json:"pools"`
			} `json:"listeners"`
		} `json:"loadbalancer"`
	} `json:"statuses"`
}

// flat lists the operating statuses by "lb", "listener:<id>", "pool:<id>"
// and "member:<pool id>:<port>".
func (s statusTree) flat() map[string]string {
	out := map[string]string{"lb": s.Statuses.Loadbalancer.OperatingStatus}
	for _, li := range s.Statuses.Loadbalancer.Listeners {
		out["listener:"+li.ID] = li.OperatingStatus
		for _, p := range li.Pools {
			out["pool:"+p.ID] = p.OperatingStatus
			for _, m := range p.Members {
				out["member:"+p.ID+":"+strconv.Itoa(m.ProtocolPort)] = m.OperatingStatus
			}
		}
	}
	return out
}

func getStatuses(ctx context.Context, c *gophercloud.ServiceClient, id string) (map[string]string, error) {
	var tree statusTree
	resp, err := c.Get(ctx, c.ServiceURL("lbaas", "loadbalancers", id, "status"), &tree, nil)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return tree.flat(), nil
}

// waitStatuses polls /status until every wanted status holds and returns
// how long that took.
func waitStatuses(ctx context.Context, t *testing.T, c *gophercloud.ServiceClient, id, what string, timeout time.Duration, want map[string]string) time.Duration {
	t.Helper()
	start := time.Now()
	eventually(t, timeout, 50*time.Millisecond, what, func() error {
		got, err := getStatuses(ctx, c, id)
		if err != nil {
			return err
		}
		for k, v := range want {
			if got[k] != v {
				return errorf("%s is %q, want %q (all: %v)", k, got[k], v, got)
			}
		}
		return nil
	})
	return time.Since(start)
}

// metric reads one sample of lbaasd's /metrics, e.g.
// `lbaasd_health_heartbeats_dropped_total{reason="bad_hmac"}`.
func metric(ctx context.Context, t *testing.T, d *daemon, sample string) float64 {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.URL+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), sample+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("metric %s: %v", sample, err)
			}
			return f
		}
	}
	t.Fatalf("no sample %s on /metrics", sample)
	return 0
}

func listenerTotal(ctx context.Context, t *testing.T, c *gophercloud.ServiceClient, id string) *listeners.Stats {
	t.Helper()
	s, err := listeners.GetStats(ctx, c, id).Extract()
	if err != nil {
		t.Fatalf("listener %s stats: %v", id, err)
	}
	return s
}

// TestHealthMonitorAndHeartbeats runs the scenario of a health monitor as a
// user sees it, through real amphora heartbeats: a load balancer with two
// backends behind an HTTP monitor (delay 1, timeout 1, max_retries 2) and a
// second listener whose pool has no monitor. Stopping backend 2 takes its
// member to ERROR and the pool to DEGRADED within
// delay×max_retries+timeout plus a heartbeat, after which backend 1 takes
// every request; restarting it on its port brings it back ONLINE and into
// rotation. Members without a monitor stay NO_MONITOR throughout. A forged
// heartbeat changes nothing and is counted; the statistics grow by exactly
// the connections the test opens.
func TestHealthMonitorAndHeartbeats(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	d := startDaemon(t, newDataDir(t), randomSubnet())
	c := lbClient(d)
	b1, b2 := newSwitchBackend(t, "b1"), newSwitchBackend(t, "b2")
	port1, port2 := freePort(t), freePort(t)
	up := true
	const delay, timeout, retries = 1, 1, 2

	created, err := loadbalancers.Create(ctx, c, loadbalancers.CreateOpts{
		Name: "health", VipSubnetID: d.subnetID(t),
		Listeners: []listeners.CreateOpts{
			{
				Name: "monitored", Protocol: listeners.ProtocolHTTP, ProtocolPort: port1,
				DefaultPool: &pools.CreateOpts{
					Name: "monitored", Protocol: pools.ProtocolHTTP, LBMethod: pools.LBMethodRoundRobin,
					Members: []pools.CreateMemberOpts{
						{Address: "127.0.0.1", ProtocolPort: b1.port},
						{Address: "127.0.0.1", ProtocolPort: b2.port},
					},
					Monitor: &monitors.CreateOpts{
						Type: monitors.TypeHTTP, Delay: delay, Timeout: timeout, MaxRetries: retries, MaxRetriesDown: retries,
						URLPath: "/", ExpectedCodes: "200", AdminStateUp: &up,
					},
				},
			},
			{
				Name: "plain", Protocol: listeners.ProtocolHTTP, ProtocolPort: port2,
				DefaultPool: &pools.CreateOpts{
					Name: "plain", Protocol: pools.ProtocolHTTP, LBMethod: pools.LBMethodRoundRobin,
					Members: []pools.CreateMemberOpts{{Address: "127.0.0.1", ProtocolPort: b1.port}},
				},
			},
		},
	}).Extract()
	if err != nil {
		t.Fatalf("creating the load balancer: %v", err)
	}
	g := waitActive(ctx, t, c, created.ID)
	url1 := "http://" + g.VipAddress + ":" + strconv.Itoa(port1) + "/"
	url2 := "http://" + g.VipAddress + ":" + strconv.Itoa(port2) + "/"
	var monitoredListener, plainListener, monitoredPool, plainPool string
	for _, li := range created.Listeners {
		switch li.ProtocolPort {
		case port1:
			monitoredListener, monitoredPool = li.ID, li.DefaultPoolID
		case port2:
			plainListener, plainPool = li.ID, li.DefaultPoolID
		}
	}
	if monitoredPool == "" || plainPool == "" {
		t.Fatalf("listeners of the create answer: %+v", created.Listeners)
	}
	member := func(pool string, b *switchBackend) string { return "member:" + pool + ":" + strconv.Itoa(b.port) }
	allUp := map[string]string{
		"lb": "ONLINE", "listener:" + monitoredListener: "ONLINE", "listener:" + plainListener: "ONLINE",
		"pool:" + monitoredPool: "ONLINE", member(monitoredPool, b1): "ONLINE", member(monitoredPool, b2): "ONLINE",
		"pool:" + plainPool: "ONLINE", member(plainPool, b1): "NO_MONITOR",
	}
	// Monitored members are ONLINE only once a heartbeat said so.
	took := waitStatuses(ctx, t, c, g.ID, "every status from heartbeats", 60*time.Second, allUp)
	t.Logf("FIGURE load balancer ACTIVE -> monitored members ONLINE from heartbeats: %s", took.Round(time.Millisecond))

	// Statistics: every new connection counted exactly once.
	stable := func(listener string) *listeners.Stats {
		t.Helper()
		var last *listeners.Stats
		var since time.Time
		eventually(t, 60*time.Second, 100*time.Millisecond, "listener statistics settle", func() error {
			s := listenerTotal(ctx, t, c, listener)
			if last == nil || *s != *last {
				last, since = s, time.Now()
			}
			if time.Since(since) < 3*heartbeatInterval {
				return errors.New("still moving")
			}
			return nil
		})
		return last
	}
	before1, before2 := stable(monitoredListener), stable(plainListener)
	lbBefore, err := loadbalancers.GetStats(ctx, c, g.ID).Extract()
	if err != nil {
		t.Fatal(err)
	}
	const n1, n2 = 30, 7
	for range n1 {
		if _, err := get(ctx, url1); err != nil {
			t.Fatalf("request through the monitored listener: %v", err)
		}
	}
	for range n2 {
		if _, err := get(ctx, url2); err != nil {
			t.Fatalf("request through the plain listener: %v", err)
		}
	}
	eventually(t, 30*time.Second, 100*time.Millisecond, "statistics count the requests", func() error {
		s1, s2 := listenerTotal(ctx, t, c, monitoredListener), listenerTotal(ctx, t, c, plainListener)
		if s1.TotalConnections < before1.TotalConnections+n1 || s2.TotalConnections < before2.TotalConnections+n2 {
			return errorf("total connections %d and %d, want %d and %d", s1.TotalConnections, s2.TotalConnections,
				before1.TotalConnections+n1, before2.TotalConnections+n2)
		}
		return nil
	})
	after1, after2 := stable(monitoredListener), stable(plainListener)
	lbAfter, err := loadbalancers.GetStats(ctx, c, g.ID).Extract()
	if err != nil {
		t.Fatal(err)
	}
	if after1.TotalConnections != before1.TotalConnections+n1 || after2.TotalConnections != before2.TotalConnections+n2 ||
		lbAfter.TotalConnections != lbBefore.TotalConnections+n1+n2 {
		t.Fatalf("total connections: listeners %d -> %d and %d -> %d, load balancer %d -> %d; sent %d and %d",
			before1.TotalConnections, after1.TotalConnections, before2.TotalConnections, after2.TotalConnections,
			lbBefore.TotalConnections, lbAfter.TotalConnections, n1, n2)
	}
	if after1.BytesIn <= before1.BytesIn || after1.BytesOut <= before1.BytesOut || after1.RequestErrors != before1.RequestErrors {
		t.Fatalf("bytes and errors: %+v -> %+v", before1, after1)
	}
	t.Logf("statistics: monitored listener %+v, plain %+v, load balancer %+v", *after1, *after2, *lbAfter)

	// A forged heartbeat (the amphora's ID, another key) claiming the
	// monitored pool down: dropped, counted, and nothing changes.
	amphoraID := amphoraOf(ctx, t, c, g.ID)
	forged, err := heartbeat.Seal(&heartbeat.Message{
		ID: amphoraID, Seq: time.Now().Add(24 * time.Hour).UnixMilli(), Ver: heartbeat.Version,
		Listeners: map[string]heartbeat.Listener{monitoredListener: {Status: "FULL", Stats: heartbeat.Stats{TotConns: 1000000}}},
		Pools: map[string]heartbeat.Pool{monitoredPool + ":" + monitoredListener: {Status: "DOWN",
			Members: map[string]string{}}},
	}, []byte(strings.Repeat("f", 64)))
	if err != nil {
		t.Fatal(err)
	}
	const badHMAC = `lbaasd_health_heartbeats_dropped_total{reason="bad_hmac"}`
	const malformed = `lbaasd_health_heartbeats_dropped_total{reason="malformed"}`
	accepted0 := metric(ctx, t, d, "lbaasd_health_heartbeats_accepted_total")
	bad0, mal0 := metric(ctx, t, d, badHMAC), metric(ctx, t, d, malformed)
	sendUDP(t, d, forged)
	sendUDP(t, d, forged[:len(forged)/2])
	eventually(t, 10*time.Second, 20*time.Millisecond, "the forged heartbeats are counted", func() error {
		if b, m := metric(ctx, t, d, badHMAC), metric(ctx, t, d, malformed); b < bad0+1 || b+m < bad0+mal0+2 {
			return errorf("bad_hmac %v (was %v), malformed %v (was %v)", b, bad0, m, mal0)
		}
		return nil
	})
	// Real heartbeats keep coming (the forged sequence number was not
	// recorded), and the statuses and counters stay.
	eventually(t, 10*time.Second, 50*time.Millisecond, "real heartbeats after the forged one", func() error {
		if a := metric(ctx, t, d, "lbaasd_health_heartbeats_accepted_total"); a < accepted0+3 {
			return errorf("%v heartbeats accepted since, want 3", a-accepted0)
		}
		return nil
	})
	if got, err := getStatuses(ctx, c, g.ID); err != nil || !sameStatuses(got, allUp) {
		t.Fatalf("statuses after the forged heartbeat: %v, %v", got, err)
	}
	if s := listenerTotal(ctx, t, c, monitoredListener); s.TotalConnections != after1.TotalConnections {
		t.Fatalf("the forged heartbeat was counted: %d -> %d connections", after1.TotalConnections, s.TotalConnections)
	}

	// Backend 2 stops: its member goes ERROR, the pool and the load balancer
	// DEGRADED, within delay×max_retries+timeout plus a heartbeat.
	bound := time.Duration(delay*retries+timeout)*time.Second + heartbeatInterval
	stopped := time.Now()
	b2.stop()
	waitStatuses(ctx, t, c, g.ID, "member 2 ERROR after its backend stopped", 60*time.Second, map[string]string{
		member(monitoredPool, b2): "ERROR", "pool:" + monitoredPool: "DEGRADED", "lb": "DEGRADED",
		member(monitoredPool, b1): "ONLINE", member(plainPool, b1): "NO_MONITOR", "pool:" + plainPool: "ONLINE",
	})
	took = time.Since(stopped)
	t.Logf("FIGURE backend stopped -> member ERROR, pool DEGRADED on /status: %s (Octavia's bound delay*max_retries+timeout+heartbeat = %s; load %s)",
		took.Round(time.Millisecond), bound, loadAvg())
	// From then on backend 1 takes every request, and none fails.
	hits1 := b1.hits.Load()
	if got := spread(ctx, t, url1, 20); got["b1"] != 20 {
		t.Fatalf("requests with backend 2 down: %v", got)
	}
	if b1.hits.Load()-hits1 < 20 {
		t.Fatalf("backend 1 served %d of 20 requests", b1.hits.Load()-hits1)
	}

	// Backend 2 comes back on its port: ONLINE, and back in rotation.
	restarted := time.Now()
	b2.start(t)
	waitStatuses(ctx, t, c, g.ID, "member 2 ONLINE after its backend restarted", 60*time.Second, allUp)
	took = time.Since(restarted)
	t.Logf("FIGURE backend restarted -> member ONLINE, pool ONLINE on /status: %s (delay*max_retries+heartbeat = %s; load %s)",
		took.Round(time.Millisecond), time.Duration(delay*retries)*time.Second+heartbeatInterval, loadAvg())
	if got := spread(ctx, t, url1, 10); got["b1"] != 5 || got["b2"] != 5 {
		t.Fatalf("requests after backend 2 came back: %v", got)
	}
	if got, err := getStatuses(ctx, c, g.ID); err != nil || got[member(plainPool, b1)] != "NO_MONITOR" {
		t.Fatalf("the member without a monitor: %v, %v", got, err)
	}
	// No real heartbeat was dropped: only the test's two forgeries.
	var dropped float64
	for _, reason := range []string{"malformed", "unknown_amphora", "bad_hmac", "unsupported_version", "replay", "overload", "error"} {
		dropped += metric(ctx, t, d, `lbaasd_health_heartbeats_dropped_total{reason="`+reason+`"}`)
	}
	if dropped != 2 {
		t.Fatalf("%v heartbeats dropped, want the 2 forged ones", dropped)
	}
	t.Logf("heartbeats: %v received, %v accepted", metric(ctx, t, d, "lbaasd_health_heartbeats_received_total"),
		metric(ctx, t, d, "lbaasd_health_heartbeats_accepted_total"))
}

func sameStatuses(got, want map[string]string) bool {
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

// amphoraOf returns the ID of the load balancer's amphora (admin API).
func amphoraOf(ctx context.Context, t *testing.T, c *gophercloud.ServiceClient, lbID string) string {
	t.Helper()
	var out struct {
		Amphorae []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"amphorae"`
	}
	resp, err := c.Get(ctx, strings.TrimSuffix(c.Endpoint, "/")+"/v2/octavia/amphorae?loadbalancer_id="+lbID, &out, nil)
	if err != nil {
		t.Fatalf("listing amphorae: %v", err)
	}
	resp.Body.Close()
	if len(out.Amphorae) != 1 {
		t.Fatalf("amphorae of %s: %+v", lbID, out.Amphorae)
	}
	return out.Amphorae[0].ID
}

// sendUDP sends a datagram to the daemon's heartbeat port, which it records
// in its data dir.
func sendUDP(t *testing.T, d *daemon, b []byte) {
	t.Helper()
	addr, err := os.ReadFile(filepath.Join(d.DataDir, "health.addr"))
	if err != nil {
		t.Fatal(err)
	}
	target := strings.TrimSpace(string(addr))
	if host, _, err := net.SplitHostPort(target); err != nil || host != "127.0.0.1" {
		t.Fatalf("heartbeat address %q is not on 127.0.0.1", target)
	}
	conn, err := net.Dial("udp", target)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write(b); err != nil {
		t.Fatal(err)
	}
}
