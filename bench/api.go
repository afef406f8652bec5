package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/pools"
)

// latencyRows are the percentile rows of one timed operation.
func latencyRows(item int, figure string, ds []time.Duration, ps []float64, notes string) []row {
	if len(ds) == 0 {
		return nil
	}
	var out []row
	for _, p := range ps {
		out = append(out, ms(item, fmt.Sprintf("%s p%g", figure, p), percentile(ds, p), notes))
		notes = "" // said once
	}
	return out
}

// spread is "n=…, min … max …" of a sample.
func spread(ds []time.Duration) string {
	return fmt.Sprintf("n=%d, min %s, max %s", len(ds), fmtMS(percentile(ds, 0)), fmtMS(percentile(ds, 100)))
}

// lbCreate is item 1: empty load balancers created one after the other on
// the default subnet, each timed from POST to ACTIVE.
func (b *bench) lbCreate(ctx context.Context) ([]row, error) {
	l, err := b.sharedLbaasd(ctx)
	if err != nil {
		return nil, err
	}
	n := pick(b.opts, 25, 5)
	var times []time.Duration
	rows := func() []row {
		return latencyRows(1, "load balancer POST → ACTIVE", times, []float64{50, 95},
			fmt.Sprintf("%s; empty load balancers (no listener) on the default subnet, one after the other; status polled every %s%s", spread(times), pollEvery, cutShort(len(times), n)))
	}
	stop := stopAt(ctx, 5*time.Second)
	for i := 0; i < n && time.Now().Before(stop); i++ {
		start := time.Now()
		lb, err := loadbalancers.Create(ctx, l.c, loadbalancers.CreateOpts{Name: "bench-create-" + strconv.Itoa(i), VipSubnetID: l.subnetID}).Extract()
		if err != nil {
			return rows(), fmt.Errorf("creating load balancer %d: %w", i, err)
		}
		if _, err := waitActive(ctx, l.c, lb.ID); err != nil {
			return rows(), err
		}
		times = append(times, time.Since(start))
	}
	return rows(), nil
}

// memberFirstRequest is item 2: a member is POSTed to a serving pool and
// timed until a request to the VIP reaches it; it is deleted before the next
// round, so the pool always has one other member.
func (b *bench) memberFirstRequest(ctx context.Context) ([]row, error) {
	l, err := b.sharedLbaasd(ctx)
	if err != nil {
		return nil, err
	}
	n := pick(b.opts, 20, 5)
	base, err := b.startBackend(ctx, "base")
	if err != nil {
		return nil, err
	}
	spares, err := b.startBackends(ctx, "new", n)
	if err != nil {
		return nil, err
	}
	s, err := b.createServingLB(ctx, l, "bench-member", []string{base.addr()}, false)
	if err != nil {
		return nil, err
	}
	var served, posted []time.Duration
	var failed int
	rows := func() []row {
		notes := fmt.Sprintf("%s; requests on new connections to the VIP until one reaches the new member (%d failed meanwhile); the POST itself answered in p50 %s; the member is deleted (until ACTIVE) before the next%s",
			spread(served), failed, fmtMS(percentile(posted, 50)), cutShort(len(served), n))
		return latencyRows(2, "member POST → first request served by it", served, []float64{50, 95}, notes)
	}
	stop := stopAt(ctx, 15*time.Second)
	for _, be := range spares {
		if time.Now().After(stop) {
			break
		}
		start := time.Now()
		m, err := pools.CreateMember(ctx, l.c, s.poolID, pools.CreateMemberOpts{Address: "127.0.0.1", ProtocolPort: be.port()}).Extract()
		if err != nil {
			return rows(), fmt.Errorf("member POST: %w", err)
		}
		posted = append(posted, time.Since(start))
		for be.hits.Load() == 0 {
			if _, err := get(ctx, s.url); err != nil {
				if ctx.Err() != nil {
					return rows(), fmt.Errorf("member %s never served: %w", m.ID, ctx.Err())
				}
				failed++
			}
			time.Sleep(2 * time.Millisecond)
		}
		served = append(served, time.Since(start))
		if _, err := waitActive(ctx, l.c, s.id); err != nil {
			return rows(), err
		}
		if err := pools.DeleteMember(ctx, l.c, s.poolID, m.ID).ExtractErr(); err != nil {
			return rows(), fmt.Errorf("member DELETE: %w", err)
		}
		if _, err := waitActive(ctx, l.c, s.id); err != nil {
			return rows(), err
		}
	}
	return rows(), nil
}

// apiLatency is item 7: the member list of a pool of 1,000 members, and
// member POSTs of 8 concurrent clients.
func (b *bench) apiLatency(ctx context.Context) ([]row, error) {
	l, err := b.sharedLbaasd(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := b.memberList(ctx, l)
	if err != nil {
		return rows, err
	}
	more, err := b.concurrentPosts(ctx, l)
	return append(rows, more...), err
}

// memberList fills one pool with a batch PUT, then times GETs of its members.
func (b *bench) memberList(ctx context.Context, l *lbaasd) ([]row, error) {
	n, gets := pick(b.opts, 1000, 200), pick(b.opts, 200, 50)
	s, err := b.createServingLB(ctx, l, "bench-list", nil, false)
	if err != nil {
		return nil, err
	}
	batch := make([]pools.BatchUpdateMemberOpts, n)
	for i := range batch {
		// Nothing listens there and nothing is sent: only the API is timed.
		batch[i] = pools.BatchUpdateMemberOpts{Address: "127.0.0.1", ProtocolPort: 20000 + i}
	}
	start := time.Now()
	if err := pools.BatchUpdateMembers(ctx, l.c, s.poolID, batch).ExtractErr(); err != nil {
		return nil, fmt.Errorf("batch PUT of %d members: %w", n, err)
	}
	answered := time.Since(start)
	if _, err := waitActive(ctx, l.c, s.id); err != nil {
		return nil, err
	}
	rows := []row{ms(7, fmt.Sprintf("batch PUT of %d members → ACTIVE", n), time.Since(start),
		fmt.Sprintf("PUT /v2/lbaas/pools/{id}/members answered in %s; HAProxy then runs a backend of %d servers", fmtMS(answered), n))}

	url := l.c.ServiceURL("lbaas", "pools", s.poolID, "members")
	var times []time.Duration
	// The GETs may take 40% of what is left; the concurrent POSTs follow.
	stop := time.Now().Add(time.Until(stopAt(ctx, 0)) * 2 / 5)
	for i := 0; i < gets && time.Now().Before(stop); i++ {
		var out struct {
			Members []struct {
				ID string `json:"id"`
			} `json:"members"`
		}
		start := time.Now()
		resp, err := l.c.Get(ctx, url, &out, nil)
		if err != nil {
			return rows, fmt.Errorf("GET %s: %w", url, err)
		}
		resp.Body.Close()
		times = append(times, time.Since(start))
		if len(out.Members) != n {
			return rows, fmt.Errorf("GET %s listed %d members, want %d", url, len(out.Members), n)
		}
	}
	rows = append(rows, latencyRows(7, fmt.Sprintf("GET pool members (%d members)", n), times, []float64{50, 99},
		fmt.Sprintf("%s; GET /v2/lbaas/pools/{id}/members (Octavia lists members per pool), one client, keep-alive, JSON decoded%s", spread(times), cutShort(len(times), gets)))...)
	return rows, nil
}

// concurrentPosts times member POSTs of 8 clients at once, each on a load
// balancer of its own (Octavia and lbaasd lock a load balancer while a
// change is applied: a second POST to it answers 409 until it is ACTIVE).
func (b *bench) concurrentPosts(ctx context.Context, l *lbaasd) ([]row, error) {
	const clients = 8
	perClient := pick(b.opts, 13, 4) // 8 × 13 ≥ 100 samples
	lbs := make([]servingLB, clients)
	errs := make([]error, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() { lbs[i], errs[i] = b.createServingLB(ctx, l, "bench-post-"+strconv.Itoa(i), nil, false) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var posts, actives []time.Duration
	conflicts := 0
	start := time.Now()
	stop := stopAt(ctx, 15*time.Second)
	for i := range clients {
		wg.Go(func() {
			for j := 0; j < perClient && time.Now().Before(stop); j++ {
				t0 := time.Now()
				_, err := pools.CreateMember(ctx, l.c, lbs[i].poolID, pools.CreateMemberOpts{Address: "127.0.0.1", ProtocolPort: 21000 + j}).Extract()
				post := time.Since(t0)
				if gophercloud.ResponseCodeIs(err, http.StatusConflict) {
					mu.Lock()
					conflicts++
					mu.Unlock()
				}
				if err != nil {
					errs[i] = fmt.Errorf("client %d, POST %d: %w", i, j, err)
					return
				}
				if _, err := waitActive(ctx, l.c, lbs[i].id); err != nil {
					errs[i] = err
					return
				}
				mu.Lock()
				posts, actives = append(posts, post), append(actives, time.Since(t0))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	notes := fmt.Sprintf("%s; 8 clients at once, each POSTing up to %d members to a pool of its own load balancer (Octavia locks per load balancer) and waiting for ACTIVE before the next; %d answered 409; %.1f members/s overall%s",
		spread(posts), perClient, conflicts, float64(len(posts))/wall.Seconds(), cutShort(len(posts), clients*perClient))
	rows := latencyRows(7, "member POST, 8 concurrent clients", posts, []float64{50, 99}, notes)
	rows = append(rows, latencyRows(7, "member POST → ACTIVE, 8 concurrent clients", actives, []float64{50, 99}, spread(actives))...)
	return rows, errors.Join(errs...)
}
