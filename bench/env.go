package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/listeners"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/monitors"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/pools"

	"github.com/lbaas/terraform-provider-lbaas/internal/acctest"
)

// pollEvery is how often status is polled while an operation is timed: it
// bounds the error of every POST → ACTIVE figure.
const pollEvery = 10 * time.Millisecond

// bench is the state of one run: options, the binaries, the lbaasd the items
// share, and what must be stopped at the end.
type bench struct {
	opts    options
	getenv  func(string) string
	stderr  io.Writer
	bins    *acctest.Binaries
	shared  *lbaasd
	closers []func()
	port    int // the listener port of every load balancer of the run
}

func newBench(opts options, getenv func(string) string, stderr io.Writer) *bench {
	return &bench{opts: opts, getenv: getenv, stderr: stderr}
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.stderr, "%s bench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// atClose registers f to run when the bench closes (last registered first).
func (b *bench) atClose(f func()) { b.closers = append(b.closers, f) }

// close stops everything the run started; it may be called more than once.
func (b *bench) close() {
	for i := len(b.closers) - 1; i >= 0; i-- {
		b.closers[i]()
	}
	b.closers = nil
}

// binaries builds lbaasd and amphora-agent once.
func (b *bench) binaries(ctx context.Context) (acctest.Binaries, error) {
	if b.bins != nil {
		return *b.bins, nil
	}
	start := time.Now()
	bins, err := acctest.Build(ctx)
	if err != nil {
		return acctest.Binaries{}, err
	}
	b.logf("built lbaasd and amphora-agent in %s", time.Since(start).Round(100*time.Millisecond))
	b.bins = &bins
	b.atClose(bins.Cleanup)
	return bins, nil
}

// lbaasd is a running lbaasd with a client for it.
type lbaasd struct {
	*acctest.Daemon
	c        *gophercloud.ServiceClient
	subnetID string
}

// startLbaasd starts an lbaasd of its own data dir and subnet (never the
// subnet of another lbaasd of this run), torn down with every amphora by
// Teardown or when the bench closes.
func (b *bench) startLbaasd(ctx context.Context) (*lbaasd, error) {
	bins, err := b.binaries(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := acctest.NewDataDir()
	if err != nil {
		return nil, err
	}
	subnet := acctest.RandomSubnet()
	for b.shared != nil && subnet == b.shared.Subnet {
		time.Sleep(time.Millisecond)
		subnet = acctest.RandomSubnet()
	}
	d, err := acctest.StartLbaasd(ctx, bins, acctest.Options{DataDir: dir, Subnet: subnet, Args: []string{"--log-level", "info"}})
	if err != nil {
		acctest.KillUnder(dir)
		return nil, err
	}
	b.atClose(d.Teardown)
	id, err := d.SubnetID(ctx)
	if err != nil {
		return nil, err
	}
	pc := &gophercloud.ProviderClient{HTTPClient: http.Client{Timeout: 30 * time.Second}}
	c := &gophercloud.ServiceClient{ProviderClient: pc, Endpoint: d.URL + "/", ResourceBase: d.URL + "/v2.0/"}
	b.logf("lbaasd at %s, subnet %s, data dir %s", d.URL, subnet, dir)
	return &lbaasd{Daemon: d, c: c, subnetID: id}, nil
}

// sharedLbaasd is the lbaasd items share (started on first need).
func (b *bench) sharedLbaasd(ctx context.Context) (*lbaasd, error) {
	if b.shared != nil {
		return b.shared, nil
	}
	l, err := b.startLbaasd(ctx)
	if err != nil {
		return nil, err
	}
	b.shared = l
	return l, nil
}

// listenerPort is a port free on 127.0.0.1, the protocol_port of every
// listener of the run (each load balancer has a VIP of its own).
func (b *bench) listenerPort(ctx context.Context) (int, error) {
	if b.port != 0 {
		return b.port, nil
	}
	p, err := acctest.FreePort(ctx)
	b.port = p
	return p, err
}

// waitActive polls a load balancer until it is ACTIVE; ERROR is an error.
func waitActive(ctx context.Context, c *gophercloud.ServiceClient, id string) (*loadbalancers.LoadBalancer, error) {
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for {
		lb, err := loadbalancers.Get(ctx, c, id).Extract()
		switch {
		case err != nil:
			return nil, fmt.Errorf("load balancer %s: %w", id, err)
		case lb.ProvisioningStatus == "ACTIVE":
			return lb, nil
		case lb.ProvisioningStatus == "ERROR":
			return nil, fmt.Errorf("load balancer %s went to ERROR", id)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("load balancer %s still %s: %w", id, lb.ProvisioningStatus, ctx.Err())
		case <-t.C:
		}
	}
}

// servingLB is a load balancer with an HTTP listener and a ROUND_ROBIN pool.
type servingLB struct {
	id, poolID, url, vip string
}

// createServingLB creates, in one fully populated POST, a load balancer with
// an HTTP listener and a ROUND_ROBIN pool of the given members (and an HTTP
// monitor if asked), and waits until it is ACTIVE and, with members, serves.
func (b *bench) createServingLB(ctx context.Context, l *lbaasd, name string, members []string, monitor bool) (servingLB, error) {
	port, err := b.listenerPort(ctx)
	if err != nil {
		return servingLB{}, err
	}
	var ms []pools.CreateMemberOpts
	for _, m := range members {
		host, p, err := net.SplitHostPort(m)
		if err != nil {
			return servingLB{}, err
		}
		pn, err := strconv.Atoi(p)
		if err != nil {
			return servingLB{}, err
		}
		ms = append(ms, pools.CreateMemberOpts{Address: host, ProtocolPort: pn})
	}
	pool := &pools.CreateOpts{Name: name + "-pool", Protocol: pools.ProtocolHTTP, LBMethod: pools.LBMethodRoundRobin, Members: ms}
	if monitor {
		pool.Monitor = &monitors.CreateOpts{Type: monitors.TypeHTTP, Delay: 5, Timeout: 3, MaxRetries: 3, URLPath: "/", ExpectedCodes: "200"}
	}
	created, err := loadbalancers.Create(ctx, l.c, loadbalancers.CreateOpts{
		Name: name, VipSubnetID: l.subnetID,
		Listeners: []listeners.CreateOpts{{Name: name + "-http", Protocol: listeners.ProtocolHTTP, ProtocolPort: port, DefaultPool: pool}},
	}).Extract()
	if err != nil {
		return servingLB{}, fmt.Errorf("creating load balancer %s: %w", name, err)
	}
	if len(created.Pools) != 1 {
		return servingLB{}, fmt.Errorf("creating load balancer %s: the answer has %d pools", name, len(created.Pools))
	}
	lb, err := waitActive(ctx, l.c, created.ID)
	if err != nil {
		return servingLB{}, err
	}
	s := servingLB{id: lb.ID, poolID: created.Pools[0].ID, vip: lb.VipAddress,
		url: "http://" + net.JoinHostPort(lb.VipAddress, strconv.Itoa(port)) + "/"}
	// ACTIVE means configured; wait until the VIP answers (an empty pool
	// answers 503: nothing to wait for).
	for len(members) > 0 {
		if _, err := get(ctx, s.url); err == nil {
			return s, nil
		} else if ctx.Err() != nil {
			return s, fmt.Errorf("load balancer %s is ACTIVE but %s does not answer: %w", name, s.url, err)
		}
		time.Sleep(pollEvery)
	}
	return s, nil
}

// get sends one request on a new connection and returns the body.
func get(ctx context.Context, url string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return string(body), fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return string(body), nil
}

// backend is a small HTTP server on 127.0.0.1 that answers its name.
type backend struct {
	name string
	ln   net.Listener
	srv  *http.Server
	hits atomic.Int64
}

// startBackend starts a backend; the bench closes it at the end.
func (b *bench) startBackend(ctx context.Context, name string) (*backend, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	be := &backend{name: name, ln: ln}
	body := []byte(name)
	be.srv = &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			be.hits.Add(1)
			_, _ = w.Write(body)
		}),
	}
	go func() {
		if err := be.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			b.logf("backend %s: %v", name, err)
		}
	}()
	b.atClose(func() { _ = be.srv.Close() })
	return be, nil
}

// startBackends starts n backends named prefix1…prefixN.
func (b *bench) startBackends(ctx context.Context, prefix string, n int) ([]*backend, error) {
	var out []*backend
	for i := range n {
		be, err := b.startBackend(ctx, prefix+strconv.Itoa(i+1))
		if err != nil {
			return nil, err
		}
		out = append(out, be)
	}
	return out, nil
}

func (be *backend) addr() string { return be.ln.Addr().String() }

func (be *backend) port() int { return be.ln.Addr().(*net.TCPAddr).Port }

func addrs(bs []*backend) []string {
	var out []string
	for _, be := range bs {
		out = append(out, be.addr())
	}
	return out
}

// stopAt is when a loop of timed operations starts no new one: margin
// before ctx's deadline, so that the item ends with its rows, not with an
// error.
func stopAt(ctx context.Context, margin time.Duration) time.Time {
	dl, ok := ctx.Deadline()
	if !ok {
		return time.Now().Add(time.Hour)
	}
	return dl.Add(-margin)
}

// cutShort says that a loop did k of n rounds because the budget ran out.
func cutShort(k, n int) string {
	if k >= n {
		return ""
	}
	return fmt.Sprintf("; %d of %d done: the item's budget ran out", k, n)
}

// pick returns quick when the run is -quick, else full.
func pick[T any](o options, full, quick T) T {
	if o.quick {
		return quick
	}
	return full
}
