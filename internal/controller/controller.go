// Package controller is lbaasd's orchestration library: a level-triggered
// reconcile per load balancer that drives the data plane (amphorae, their
// agents, HAProxy) to the graph the API stored, then the graph's statuses to
// ACTIVE, or to ERROR with a logged reason.
//
// Every step is idempotent and its result is written to the store as soon as
// it exists (an amphora row before its process, a process before its
// config), so a controller killed at any step resumes on restart without
// duplicating or orphaning an amphora, a process, an address or a file.
//
// Beside the reconciles run the failover scan (failover.go: amphorae that
// miss their heartbeats, cannot be reached, or whose certificate nears its
// expiry are replaced, rate-limited, with storm protection and a grace
// period after a start) and the housekeeping (housekeeping.go: orphaned
// amphorae, DELETED load balancers past their expiry age).
package controller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/agent"
	"github.com/lbaas/terraform-provider-lbaas/internal/compute"
	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/network"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// Agent is the controller's view of one amphora agent's API; *agent.Client
// implements it.
type Agent interface {
	Info(ctx context.Context) (agent.Info, error)
	Config(ctx context.Context, loadBalancerID string) ([]byte, int64, error)
	PutConfig(ctx context.Context, loadBalancerID string, revision int64, cfg []byte) (agent.PutConfigResult, error)
	Status(ctx context.Context, loadBalancerID string) (agent.Status, error)
	Action(ctx context.Context, loadBalancerID, action string) error
	Delete(ctx context.Context, loadBalancerID string) error
	Stats(ctx context.Context, loadBalancerID string) ([]agent.StatRow, error)
}

// AgentDialer returns a client of the agent of a running amphora.
type AgentDialer func(amphoraID string, inst compute.Instance) (Agent, error)

// Renderer turns a load balancer graph into the HAProxy configuration of its
// amphorae.
type Renderer func(g *lb.LoadBalancer, info agent.Info) (string, error)

// CertIssuer issues the server certificate of an amphora agent (named after
// the amphora ID) and returns it with its key, the CA that verifies lbaasd's
// client certificate, and its expiry.
type CertIssuer func(amphoraID string) (certPEM, keyPEM, caPEM []byte, expires time.Time, err error)

// HeartbeatKeyer returns the heartbeat key of an amphora (whose row exists),
// creating it on first use and returning the same key afterwards.
type HeartbeatKeyer func(ctx context.Context, amphoraID string) ([]byte, error)

// Heartbeats is where new amphorae send their heartbeats: the key of each
// comes from Key, the addresses and interval are the same for all.
type Heartbeats struct {
	Key      HeartbeatKeyer
	Targets  []string
	Interval time.Duration
}

// Config wires a Controller.
type Config struct {
	Store     store.Store
	Compute   compute.Driver
	Network   network.Driver
	Dial      AgentDialer
	Render    Renderer
	IssueCert CertIssuer
	// Heartbeats is optional: without a Key, amphorae send no heartbeat.
	Heartbeats Heartbeats
	Logger     *slog.Logger
	Metrics    *Metrics
	// Workers is the number of load balancers reconciled at once (default 4).
	Workers int
	// ReconcileTimeout bounds one reconcile (default 2 minutes).
	ReconcileTimeout time.Duration
	// AgentWait bounds the wait for a new amphora's agent to answer (default 30 s).
	AgentWait time.Duration
	// RetryBase and RetryMax bound the backoff between failed reconciles
	// (defaults 200 ms and 10 s); Budget is how long a load balancer may keep
	// failing before it is set to ERROR (default 5 minutes).
	RetryBase, RetryMax, Budget time.Duration
	// Resync re-checks every load balancer's data plane this often (default 1 minute).
	Resync time.Duration
	// Failover configures automatic failover; the zero value disables it.
	Failover Failover
	// Housekeeping configures the periodic cleanup.
	Housekeeping Housekeeping
	// NewID makes amphora IDs.
	NewID func() string
	// Now is the clock.
	Now func() time.Time
}

// Controller reconciles load balancers.
type Controller struct {
	cfg   Config
	q     *queue
	log   *slog.Logger
	mu    sync.Mutex
	fails map[string]failure
	// unreachable holds the ALLOCATED amphorae whose agent the last
	// reconcile could not reach; failing the reason of each failover this
	// process started, until the amphora is retired.
	unreachable map[string]bool
	failing     map[string]string
}

type failure struct {
	first    time.Time
	attempts int
}

// New returns a controller; Run starts it.
func New(cfg Config) (*Controller, error) {
	if cfg.Store == nil || cfg.Compute == nil || cfg.Network == nil || cfg.Dial == nil || cfg.Render == nil || cfg.IssueCert == nil || cfg.NewID == nil {
		return nil, errors.New("controller: Store, Compute, Network, Dial, Render, IssueCert and NewID are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	setDefault(&cfg.Workers, 4)
	setDefault(&cfg.ReconcileTimeout, 2*time.Minute)
	setDefault(&cfg.AgentWait, 30*time.Second)
	setDefault(&cfg.RetryBase, 200*time.Millisecond)
	setDefault(&cfg.RetryMax, 10*time.Second)
	setDefault(&cfg.Budget, 5*time.Minute)
	setDefault(&cfg.Resync, time.Minute)
	setDefault(&cfg.Housekeeping.Interval, 30*time.Second)
	if cfg.Failover.Timeout > 0 {
		cfg.Failover.setDefaults()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Controller{
		cfg: cfg, q: newQueue(), log: cfg.Logger, fails: map[string]failure{},
		unreachable: map[string]bool{}, failing: map[string]string{},
	}, nil
}

func setDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Enqueue asks for a reconcile of the load balancer. It never blocks.
func (c *Controller) Enqueue(loadBalancerID string) { c.q.Add(loadBalancerID) }

// Run sweeps what a previous run left behind, queues every load balancer and
// reconciles until ctx ends, with the failover scan and the housekeeping
// beside; then it waits for the reconciles in flight.
func (c *Controller) Run(ctx context.Context) error {
	if err := c.sweep(ctx); err != nil {
		c.log.Error("sweeping orphans", "err", err)
	}
	if err := c.enqueueAll(ctx); err != nil {
		return err
	}
	stopWatch := c.q.shutdownOn(ctx)
	defer stopWatch()
	var wg sync.WaitGroup
	for range c.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.worker(ctx)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(c.cfg.Resync)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := c.enqueueAll(ctx); err != nil && ctx.Err() == nil {
					c.log.Error("resync", "err", err)
				}
			}
		}
	}()
	if c.failoverEnabled() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.runFailover(ctx)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.runHousekeeping(ctx)
	}()
	<-ctx.Done()
	c.q.Shutdown()
	wg.Wait()
	return nil
}

func (c *Controller) enqueueAll(ctx context.Context) error {
	lbs, err := c.cfg.Store.LoadBalancers(ctx)
	if err != nil {
		return fmt.Errorf("listing load balancers: %w", err)
	}
	for _, g := range lbs {
		if g.ProvisioningStatus != lb.StatusDeleted {
			c.q.Add(g.ID)
		}
	}
	return nil
}

func (c *Controller) worker(ctx context.Context) {
	for {
		id, ok := c.q.Get()
		if !ok {
			return
		}
		c.process(ctx, id)
		c.q.Done(id)
	}
}

// process runs one reconcile with its own timeout, turns a panic into an
// error, and schedules the retry or gives up into ERROR.
func (c *Controller) process(ctx context.Context, id string) {
	rctx, cancel := context.WithTimeout(ctx, c.cfg.ReconcileTimeout)
	defer cancel()
	log := c.log.With("loadbalancer_id", id, "reconcile_id", c.cfg.NewID())
	start := c.cfg.Now()
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		return c.reconcile(rctx, id, log)
	}()
	c.cfg.Metrics.observe(err, c.cfg.Now().Sub(start))
	if err == nil {
		c.mu.Lock()
		delete(c.fails, id)
		c.mu.Unlock()
		return
	}
	if ctx.Err() != nil {
		return // shutting down: the next run resumes
	}
	var unreachable *unreachableError
	if errors.As(err, &unreachable) && c.failoverEnabled() {
		// Not the load balancer's fault: the failover scan replaces the
		// amphora; until then the load balancer keeps its status.
		log.Warn("amphora unreachable; left to the failover scan", "err", err)
		c.q.AddAfter(id, c.cfg.RetryMax)
		return
	}
	var term *terminalError
	c.mu.Lock()
	f, seen := c.fails[id]
	if !seen {
		f.first = c.cfg.Now()
	}
	f.attempts++
	c.fails[id] = f
	c.mu.Unlock()
	var refused *agent.APIError
	if errors.As(err, &term) || errors.As(err, &refused) && f.attempts >= refusalsBeforeError || c.cfg.Now().Sub(f.first) > c.cfg.Budget {
		log.Error("reconcile failed; setting ERROR", "err", err, "attempts", f.attempts)
		if merr := c.markError(ctx, id); merr != nil {
			log.Error("setting ERROR", "err", merr)
			c.q.AddAfter(id, c.cfg.RetryMax)
			return
		}
		c.mu.Lock()
		delete(c.fails, id)
		c.mu.Unlock()
		return
	}
	delay := c.backoff(f.attempts)
	log.Warn("reconcile failed; retrying", "err", err, "attempt", f.attempts, "retry_in", delay)
	c.q.AddAfter(id, delay)
}

func (c *Controller) backoff(attempt int) time.Duration {
	d := c.cfg.RetryBase
	for i := 1; i < attempt && d < c.cfg.RetryMax; i++ {
		d *= 2
	}
	d = min(d, c.cfg.RetryMax)
	// Up to 20 % jitter so many load balancers do not retry in step.
	return d - time.Duration(rand.Int64N(int64(d)/5+1)) //nolint:gosec // jitter needs no cryptographic randomness.
}

// refusalsBeforeError is how many times in a row an agent may refuse a
// request (HAProxy cannot bind a port, a start fails) before the load
// balancer goes to ERROR instead of waiting out the whole retry budget.
const refusalsBeforeError = 3

// terminalError is a failure that retrying cannot mend (a configuration
// HAProxy refuses, a port it may not bind): the load balancer goes to ERROR at once.
type terminalError struct{ err error }

func (e *terminalError) Error() string { return e.err.Error() }
func (e *terminalError) Unwrap() error { return e.err }

// Terminal marks err as one that retrying cannot mend.
func Terminal(err error) error {
	if err == nil {
		return nil
	}
	return &terminalError{err: err}
}
