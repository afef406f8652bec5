package agent_test

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/agent"
	"github.com/lbaas/terraform-provider-lbaas/internal/health/heartbeat"
)

// collector receives the heartbeats of an agent on 127.0.0.1.
type collector struct {
	t    *testing.T
	conn net.PacketConn
	key  []byte

	mu   sync.Mutex
	msgs []*heartbeat.Message
	bad  int
}

func newCollector(t *testing.T, key []byte) *collector {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{t: t, conn: conn, key: key}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64<<10)
		for {
			n, _, err := conn.ReadFrom(buf)
			if err != nil {
				return // closed
			}
			m, err := heartbeat.Decode(buf[:n], func(string) ([]byte, error) { return key, nil })
			c.mu.Lock()
			if err != nil {
				c.bad++
			} else {
				c.msgs = append(c.msgs, m)
			}
			c.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		conn.Close()
		<-done
	})
	return c
}

func (c *collector) addr() string { return c.conn.LocalAddr().String() }

func (c *collector) snapshot() []*heartbeat.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*heartbeat.Message(nil), c.msgs...)
}

// wait polls until cond holds for the heartbeats received so far.
func (c *collector) wait(what string, cond func(all []*heartbeat.Message) bool) []*heartbeat.Message {
	c.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for attempt := 0; ; attempt++ {
		all := c.snapshot()
		if cond(all) {
			return all
		}
		if time.Now().After(deadline) || attempt > 100000 {
			last := "none"
			if len(all) > 0 {
				last = fmt.Sprintf("%+v", *all[len(all)-1])
			}
			c.t.Fatalf("%s: not within 20s (%d heartbeats, last %s)", what, len(all), last)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// after waits for n more heartbeats.
func (c *collector) after(n int) []*heartbeat.Message {
	c.t.Helper()
	have := len(c.snapshot())
	return c.wait(fmt.Sprintf("%d more heartbeats", n), func(all []*heartbeat.Message) bool { return len(all) >= have+n })
}

func totConns(all []*heartbeat.Message, listener string) (tot, rx, tx int64) {
	for _, m := range all {
		s := m.Listeners[listener].Stats
		tot, rx, tx = tot+s.TotConns, rx+s.Rx, tx+s.Tx
	}
	return tot, rx, tx
}

// hbConfig is an Octavia-shaped configuration: frontend named by the
// listener, backend "<pool>:<listener>", servers named by member, checked.
func (e *testEnv) hbConfig(port int, listener, pool string, servers map[string]string, comment string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\nglobal\n    stats socket %s/%s.sock mode 600 level user\n", comment, e.stateDir(), lbID)
	b.WriteString("defaults\n    mode http\n    timeout connect 2s\n    timeout client 10s\n    timeout server 10s\n    timeout check 1s\n")
	fmt.Fprintf(&b, "frontend %s\n    bind 127.0.0.1:%d\n    default_backend %s:%s\n", listener, port, pool, listener)
	fmt.Fprintf(&b, "backend %s:%s\n    balance roundrobin\n    option httpchk\n", pool, listener)
	for _, name := range []string{"m1", "m2"} {
		if addr, ok := servers[name]; ok {
			fmt.Fprintf(&b, "    server %s %s check inter 200ms fall 1 rise 1\n", name, addr)
		}
	}
	return []byte(b.String())
}

// TestAgentHeartbeats runs an agent that sends heartbeats to the test: they
// are signed, carry rising sequence numbers across an agent restart, report
// HAProxy's statuses, and count every connection exactly once, across a
// reload (which starts a new HAProxy process counting from zero) and a
// restart of the agent (which adopts HAProxy and its counters' base).
func TestAgentHeartbeats(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	key := []byte("0123456789abcdef0123456789abcdef")
	col := newCollector(t, key)
	e.configure = func(c *agent.Config) {
		c.HeartbeatKey = key
		c.HeartbeatTargets = []string{col.addr()}
		c.HeartbeatInterval = 100 * time.Millisecond
	}
	e.startAgent()
	ctx := ctxT(t)

	// Without a load balancer: empty heartbeats, to prove the amphora lives.
	first := col.after(2)
	if m := first[0]; m.ID != e.amphoraID || m.Ver != heartbeat.Version || len(m.Listeners) != 0 || m.Seq < time.Now().Add(-time.Minute).UnixMilli() {
		t.Fatalf("first heartbeat %+v", *m)
	}

	const listener, pool = "listener-1", "pool-1"
	port := freePort(t)
	servers := map[string]string{"m1": backend(t, "b1"), "m2": "127.0.0.1:" + fmt.Sprint(freePort(t))}
	if _, err := e.client.PutConfig(ctx, lbID, 1, e.hbConfig(port, listener, pool, servers, "r1")); err != nil {
		t.Fatal(err)
	}
	if err := e.client.Action(ctx, lbID, agent.ActionStart); err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	waitServing(t, url, "b1")
	col.wait("statuses of the listener, the pool and its members", func(all []*heartbeat.Message) bool {
		m := all[len(all)-1]
		p := m.Pools[pool+":"+listener]
		return m.Listeners[listener].Status == heartbeat.ListenerOpen && p.Status == heartbeat.PoolUp &&
			p.Members["m1"] == heartbeat.MemberUp && strings.HasPrefix(p.Members["m2"], heartbeat.MemberDown)
	})

	c := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	sent := int64(1) // waitServing's successful request
	request := func(n int) {
		t.Helper()
		for range n {
			if _, err := get(ctx, c, url); err != nil {
				t.Fatal(err)
			}
			sent++
		}
	}
	waitCount := func(what string) {
		t.Helper()
		col.wait(what, func(all []*heartbeat.Message) bool { tot, _, _ := totConns(all, listener); return tot >= sent })
		// A few more heartbeats must not add any.
		all := col.after(3)
		if tot, rx, tx := totConns(all, listener); tot != sent || rx == 0 || tx == 0 {
			t.Fatalf("%s: heartbeats counted %d connections (rx %d, tx %d), sent %d", what, tot, rx, tx, sent)
		}
	}
	request(10)
	waitCount("10 connections")

	// Connections just before a reload are counted by the old process: the
	// agent keeps them before HAProxy is replaced.
	request(5)
	if _, err := e.client.PutConfig(ctx, lbID, 2, e.hbConfig(port, listener, pool, servers, "r2")); err != nil {
		t.Fatal(err)
	}
	if err := e.client.Action(ctx, lbID, agent.ActionReload); err != nil {
		t.Fatal(err)
	}
	request(5)
	waitCount("connections across a reload")

	// A restarted agent continues the sequence and the counts.
	lastSeq := col.snapshot()[len(col.snapshot())-1].Seq
	e.stopAgent()
	e.startAgent()
	all := col.after(3)
	for i := 1; i < len(all); i++ {
		if all[i].Seq <= all[i-1].Seq {
			t.Fatalf("sequence went from %d to %d", all[i-1].Seq, all[i].Seq)
		}
	}
	if all[len(all)-1].Seq <= lastSeq {
		t.Fatalf("sequence after the restart %d, before %d", all[len(all)-1].Seq, lastSeq)
	}
	request(3)
	waitCount("connections after an agent restart")

	col.mu.Lock()
	bad := col.bad
	col.mu.Unlock()
	if bad != 0 {
		t.Fatalf("%d heartbeats failed to verify", bad)
	}
}

func TestAgentHeartbeatConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for name, c := range map[string]agent.Config{
		"key without targets": {HeartbeatKey: []byte("k")},
		"targets without key": {HeartbeatTargets: []string{"127.0.0.1:5555"}},
		"target without port": {HeartbeatKey: []byte("k"), HeartbeatTargets: []string{"127.0.0.1"}},
	} {
		c.AmphoraID, c.DataDir, c.CertPEM, c.KeyPEM, c.ClientCAs = e.amphoraID, e.dataDir, e.srvCert, e.srvKey, e.ca.Pool()
		if _, err := agent.New(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
