package controller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// This file holds automatic failover, Octavia's health manager loop: a
// periodic scan finds the amphorae that must be replaced and marks them
// PENDING_DELETE (their load balancer PENDING_UPDATE) in one transaction;
// the reconcile then boots the replacement, pushes the same configuration
// and retires the old amphora (ensureAmphorae, retireAmphorae).

// Reasons of a failover, as the label of lbaasd_controller_failovers_total.
const (
	// ReasonHeartbeat: no healthy heartbeat for longer than the timeout.
	ReasonHeartbeat = "heartbeat_timeout"
	// ReasonUnreachable: the compute driver no longer runs the amphora, or
	// its agent did not answer a reconcile.
	ReasonUnreachable = "unreachable"
	// ReasonCertExpiry: the agent's certificate expires within the rotation
	// window; a replacement with a fresh certificate takes over.
	ReasonCertExpiry = "cert_expiry"
	// ReasonAPI: a failover requested through the API (or started by an
	// earlier lbaasd process), counted when it completes.
	ReasonAPI = "api"
)

// Outcomes of a failover, as the label of lbaasd_controller_failovers_total.
const (
	// OutcomeStarted: the amphora was marked PENDING_DELETE.
	OutcomeStarted = "started"
	// OutcomeRaced: between the scan and its transaction the amphora or its
	// load balancer changed (a heartbeat came, another scan or lbaasd
	// replica started the failover, a user changed the load balancer).
	OutcomeRaced = "raced"
	// OutcomeError: the store failed.
	OutcomeError = "error"
	// OutcomeCompleted: the replaced amphora was retired.
	OutcomeCompleted = "completed"
)

// Failover configures automatic failover. The zero value disables it.
type Failover struct {
	// Timeout: an ALLOCATED amphora of an ACTIVE load balancer whose last
	// healthy heartbeat is older than this is failed over (Octavia's
	// heartbeat_timeout); an amphora that never sent one counts from when
	// it was allocated, and every amphora from when the scan started, so a
	// restarted lbaasd gives heartbeats Timeout to arrive. Zero disables
	// automatic failover.
	Timeout time.Duration
	// Interval is how often the scan runs (default Timeout/3, at most 3 s,
	// Octavia's health_check_interval).
	Interval time.Duration
	// MaxConcurrent is how many load balancers may be failing over at once,
	// automatic and requested failovers together (default 2).
	MaxConcurrent int
	// StormMin and StormFraction are the storm protection: when at least
	// StormMin amphorae, and more than StormFraction of all monitored
	// amphorae, miss their heartbeats at once, the fault is more likely
	// lbaasd's (it was paused, its heartbeat socket is broken) than theirs,
	// and failover for missed heartbeats pauses until fewer are stale
	// (defaults 3 and 0.5).
	StormMin      int
	StormFraction float64
	// CertRotateBefore: an amphora whose agent certificate expires within
	// this is failed over to one with a fresh certificate (Octavia's
	// cert_expiry_buffer); zero disables it.
	CertRotateBefore time.Duration
}

func (f *Failover) setDefaults() {
	if f.Interval <= 0 {
		f.Interval = min(3*time.Second, max(f.Timeout/3, 10*time.Millisecond))
	}
	setDefault(&f.MaxConcurrent, 2)
	setDefault(&f.StormMin, 3)
	if f.StormFraction <= 0 {
		f.StormFraction = 0.5
	}
}

// candidate is an amphora the scan would fail over.
type candidate struct {
	loadBalancerID string
	amphoraID      string
	reason         string
	// since is when its last healthy heartbeat (or allocation) was.
	since time.Time
}

// scan is what one pass over the store decided.
type scan struct {
	// start are the failovers to start now, in order.
	start []candidate
	// waiting are the candidates left for a later scan (rate limit, storm).
	waiting []candidate
	// monitored counts the ALLOCATED amphorae of ACTIVE load balancers,
	// stale those of them without a recent healthy heartbeat.
	monitored, stale int
	// inFlight counts the load balancers with an amphora PENDING_DELETE.
	inFlight int
	// paused tells that the storm protection holds back failovers for
	// missed heartbeats.
	paused bool
}

// scanInput is what decide needs besides the policy.
type scanInput struct {
	now time.Time
	// graceStart is when the scan started watching (lbaasd's start, or its
	// return from a pause): no amphora is stale before graceStart+Timeout.
	graceStart time.Time
	// heartbeats tells whether amphorae send heartbeats at all.
	heartbeats  bool
	lbs         []*lb.LoadBalancer
	health      map[string]store.AmphoraHealth
	unreachable map[string]bool
}

// lastSeen is when an amphora last showed it was alive as far as failover
// is concerned: its last healthy heartbeat, its allocation, or the start of
// the grace period, whichever is latest.
func lastSeen(a *lb.Amphora, h store.AmphoraHealth, graceStart time.Time) time.Time {
	t := graceStart
	for _, x := range []time.Time{h.LastUpdate, a.UpdatedAt, a.CreatedAt} {
		if x.After(t) {
			t = x
		}
	}
	return t
}

// decide is the failover policy: which amphorae must be replaced, and which
// of them now. Pure, so it is tested without a clock or a data plane.
func (f Failover) decide(in scanInput) scan {
	var s scan
	var cands []candidate
	for _, g := range in.lbs {
		if g.ProvisioningStatus == lb.StatusDeleted {
			continue
		}
		if slices.ContainsFunc(g.Amphorae, func(a *lb.Amphora) bool { return a.Status == lb.StatusPendingDelete }) {
			s.inFlight++
			continue
		}
		if !failoverable(g.ProvisioningStatus) {
			continue
		}
		active := g.ProvisioningStatus == lb.StatusActive
		var best *candidate
		for _, a := range g.Amphorae {
			if a.Status != lb.AmphoraAllocated {
				continue
			}
			if !active {
				// A pending load balancer's reconcile is under way; only
				// an amphora it cannot reach would hold it up for ever.
				if in.unreachable[a.ID] {
					best = &candidate{loadBalancerID: g.ID, amphoraID: a.ID, reason: ReasonUnreachable, since: a.UpdatedAt}
				}
				continue
			}
			s.monitored++
			since := lastSeen(a, in.health[a.ID], in.graceStart)
			stale := in.heartbeats && in.now.Sub(since) > f.Timeout
			if stale {
				s.stale++
			}
			c := candidate{loadBalancerID: g.ID, amphoraID: a.ID, since: since}
			switch {
			case in.unreachable[a.ID]:
				c.reason = ReasonUnreachable
			case stale:
				c.reason = ReasonHeartbeat
			case f.CertRotateBefore > 0 && a.CertExpiration != nil && a.CertExpiration.Sub(in.now) < f.CertRotateBefore:
				c.reason = ReasonCertExpiry
			default:
				continue
			}
			if best == nil || reasonRank(c.reason) < reasonRank(best.reason) {
				best = &c
			}
		}
		if best != nil {
			cands = append(cands, *best)
		}
	}
	s.paused = s.stale >= f.StormMin && float64(s.stale) > f.StormFraction*float64(s.monitored)
	// The surest failures first, then the longest silent.
	slices.SortStableFunc(cands, func(a, b candidate) int {
		if d := reasonRank(a.reason) - reasonRank(b.reason); d != 0 {
			return d
		}
		return a.since.Compare(b.since)
	})
	slots := f.MaxConcurrent - s.inFlight
	for _, c := range cands {
		// The storm protection holds back what a broken heartbeat path
		// explains; a driver that lost the amphora, or an expiring
		// certificate, is not explained by it.
		if slots <= 0 || s.paused && c.reason == ReasonHeartbeat {
			s.waiting = append(s.waiting, c)
			continue
		}
		s.start = append(s.start, c)
		slots--
	}
	return s
}

// failoverable tells whether a load balancer in this provisioning status may
// have an amphora failed over: ACTIVE, or pending create or update (for an
// unreachable amphora only).
func failoverable(status string) bool {
	return status == lb.StatusActive || status == lb.StatusPendingCreate || status == lb.StatusPendingUpdate
}

func reasonRank(r string) int {
	switch r {
	case ReasonUnreachable:
		return 0
	case ReasonHeartbeat:
		return 1
	default:
		return 2
	}
}

// errRaced ends a failover transaction that found nothing to do.
var errRaced = errors.New("failover no longer needed")

// runFailover scans every Interval until ctx ends.
func (c *Controller) runFailover(ctx context.Context) {
	f := c.cfg.Failover
	t := time.NewTicker(f.Interval)
	defer t.Stop()
	graceStart := c.cfg.Now()
	last := graceStart
	c.log.Info("automatic failover on", "timeout", f.Timeout, "interval", f.Interval,
		"max_concurrent", f.MaxConcurrent, "storm_min", f.StormMin, "storm_fraction", f.StormFraction,
		"cert_rotate_before", f.CertRotateBefore, "grace_until", graceStart.Add(f.Timeout))
	paused := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := c.cfg.Now()
		if now.Sub(last) > f.Timeout+f.Interval {
			// lbaasd itself did not run (suspended, stopped): the amphorae's
			// heartbeats went unread, so they get a new grace period.
			c.log.Warn("failover scan resumed after a pause; amphorae get a grace period",
				"paused_for", now.Sub(last).Round(time.Millisecond), "grace_until", now.Add(f.Timeout))
			graceStart = now
		}
		last = now
		sctx, cancel := context.WithTimeout(ctx, max(f.Interval, 10*time.Second))
		s, err := c.scanFailovers(sctx, now, graceStart)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				c.log.Error("failover scan", "err", err)
			}
			continue
		}
		if s.paused != paused {
			paused = s.paused
			if paused {
				c.log.Error("STORM PROTECTION: too many amphorae missed their heartbeats at once; automatic failover for missed heartbeats is paused (check lbaasd's heartbeat socket and clock)",
					"stale", s.stale, "monitored", s.monitored, "storm_min", f.StormMin, "storm_fraction", f.StormFraction)
			} else {
				c.log.Warn("storm protection lifted: automatic failover resumes", "stale", s.stale, "monitored", s.monitored)
			}
		}
	}
}

// scanFailovers runs one scan: it reads the store, decides, and starts the
// failovers the policy allows now.
func (c *Controller) scanFailovers(ctx context.Context, now, graceStart time.Time) (scan, error) {
	lbs, err := c.cfg.Store.LoadBalancers(ctx)
	if err != nil {
		return scan{}, fmt.Errorf("listing load balancers: %w", err)
	}
	hs, err := c.cfg.Store.AmphoraHealths(ctx)
	if err != nil {
		return scan{}, fmt.Errorf("listing amphora health records: %w", err)
	}
	health := make(map[string]store.AmphoraHealth, len(hs))
	for _, h := range hs {
		health[h.AmphoraID] = h
	}
	s := c.cfg.Failover.decide(scanInput{
		now: now, graceStart: graceStart, heartbeats: c.cfg.Heartbeats.Key != nil,
		lbs: lbs, health: health, unreachable: c.unreachableSet(),
	})
	m := c.cfg.Metrics
	m.stale.Set(float64(s.stale))
	m.inFlight.Set(float64(s.inFlight))
	if s.paused {
		m.paused.Set(1)
	} else {
		m.paused.Set(0)
	}
	for _, w := range s.waiting {
		c.log.Debug("failover waiting", "loadbalancer_id", w.loadBalancerID, "amphora_id", w.amphoraID,
			"reason", w.reason, "paused", s.paused, "in_flight", s.inFlight)
	}
	for _, cand := range s.start {
		if err := c.startFailover(ctx, cand, graceStart); err != nil {
			return s, err
		}
	}
	return s, nil
}

// startFailover marks the amphora PENDING_DELETE and its load balancer
// PENDING_UPDATE, in one transaction that first checks that both are still
// as the scan saw them, so two scans (or two lbaasd replicas) never fail
// over the same amphora twice; then it queues the reconcile that replaces it.
func (c *Controller) startFailover(ctx context.Context, cand candidate, graceStart time.Time) error {
	log := c.log.With("loadbalancer_id", cand.loadBalancerID, "amphora_id", cand.amphoraID, "reason", cand.reason)
	err := c.cfg.Store.UpdateLoadBalancer(ctx, cand.loadBalancerID, func(g *lb.LoadBalancer) error {
		if g.ProvisioningStatus != lb.StatusActive && (cand.reason != ReasonUnreachable || !failoverable(g.ProvisioningStatus)) {
			return errRaced
		}
		var amp *lb.Amphora
		for _, a := range g.Amphorae {
			if a.Status == lb.StatusPendingDelete {
				return errRaced
			}
			if a.ID == cand.amphoraID {
				amp = a
			}
		}
		if amp == nil || amp.Status != lb.AmphoraAllocated {
			return errRaced
		}
		if cand.reason == ReasonHeartbeat {
			// A heartbeat may have come since the scan read the records.
			h, err := c.cfg.Store.AmphoraHealth(ctx, amp.ID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if c.cfg.Now().Sub(lastSeen(amp, h, graceStart)) <= c.cfg.Failover.Timeout {
				return errRaced
			}
		}
		now := c.cfg.Now().UTC()
		if g.ProvisioningStatus == lb.StatusActive {
			g.ProvisioningStatus = lb.StatusPendingUpdate
			g.UpdatedAt = now
		}
		amp.Status = lb.StatusPendingDelete
		amp.UpdatedAt = now
		return nil
	})
	switch {
	case errors.Is(err, errRaced) || errors.Is(err, store.ErrNotFound):
		c.cfg.Metrics.failover(cand.reason, OutcomeRaced)
		log.Info("failover not needed any more")
		return nil
	case err != nil:
		c.cfg.Metrics.failover(cand.reason, OutcomeError)
		return fmt.Errorf("starting the failover of amphora %s: %w", cand.amphoraID, err)
	}
	c.cfg.Metrics.failover(cand.reason, OutcomeStarted)
	c.mu.Lock()
	c.failing[cand.amphoraID] = cand.reason
	delete(c.unreachable, cand.amphoraID)
	c.mu.Unlock()
	log.Warn("failing over amphora", "last_seen", cand.since.UTC().Format(time.RFC3339Nano))
	c.Enqueue(cand.loadBalancerID)
	return nil
}

// failoverEnabled tells whether automatic failover runs.
func (c *Controller) failoverEnabled() bool { return c.cfg.Failover.Timeout > 0 }

// setUnreachable records whether the agent of an ALLOCATED amphora answered
// its last reconcile; the scan fails over those that did not.
func (c *Controller) setUnreachable(amphoraID string, unreachable bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if unreachable {
		c.unreachable[amphoraID] = true
	} else {
		delete(c.unreachable, amphoraID)
	}
}

func (c *Controller) unreachableSet() map[string]bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]bool, len(c.unreachable))
	for id := range c.unreachable {
		out[id] = true
	}
	return out
}

// retired counts a completed failover and forgets the amphora.
func (c *Controller) retired(amphoraID string, log *slog.Logger) {
	c.mu.Lock()
	reason, ok := c.failing[amphoraID]
	delete(c.failing, amphoraID)
	delete(c.unreachable, amphoraID)
	c.mu.Unlock()
	if !ok {
		reason = ReasonAPI
	}
	c.cfg.Metrics.failover(reason, OutcomeCompleted)
	log.Info("failover completed", "amphora_id", amphoraID, "reason", reason)
}

// forget drops what the controller keeps of a deleted amphora.
func (c *Controller) forget(amphoraID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.failing, amphoraID)
	delete(c.unreachable, amphoraID)
}

// unreachableError is a reconcile that could not reach an ALLOCATED
// amphora: not the load balancer's fault, so it does not use up the retry
// budget; the failover scan replaces the amphora.
type unreachableError struct {
	amphoraID string
	err       error
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("amphora %s unreachable: %v", e.amphoraID, e.err)
}

func (e *unreachableError) Unwrap() error { return e.err }
