package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/pools"
)

// loadGen is a bounded HTTP load generator: workers send requests to one URL
// until stopped or until they sent maxRequests between them, alternating
// keep-alive and new connections, and count what failed.
type loadGen struct {
	ok, failed atomic.Int64
	firstErr   atomic.Value // error
	stop       context.CancelFunc
	wg         sync.WaitGroup
}

func startLoad(ctx context.Context, url string, workers int, maxRequests int64) *loadGen {
	g := &loadGen{}
	ctx, g.stop = context.WithCancel(ctx)
	var sent atomic.Int64
	for range workers {
		g.wg.Go(func() {
			tr := &http.Transport{MaxIdleConnsPerHost: 1}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
			for i := 0; ctx.Err() == nil && sent.Add(1) <= maxRequests; i++ {
				// A request in flight when the load stops is finished, not
				// cancelled: a cancel is not a failure of the load balancer.
				req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodGet, url, nil)
				if err != nil {
					g.fail(err)
					return
				}
				req.Close = i%2 == 1
				resp, err := client.Do(req)
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if err != nil {
					g.fail(err)
					continue
				}
				g.ok.Add(1)
			}
		})
	}
	return g
}

func (g *loadGen) fail(err error) {
	g.failed.Add(1)
	g.firstErr.CompareAndSwap(nil, err)
}

// halt stops the workers and waits for them.
func (g *loadGen) halt() {
	g.stop()
	g.wg.Wait()
}

// hitless is item 5: member changes applied one after the other (each until
// ACTIVE, as Terraform does) while a load generator sends requests to the
// VIP; every failed request is counted.
func (b *bench) hitless(ctx context.Context) ([]row, error) {
	l, err := b.sharedLbaasd(ctx)
	if err != nil {
		return nil, err
	}
	changes := pick(b.opts, 100, 20)
	bs, err := b.startBackends(ctx, "hl", 3)
	if err != nil {
		return nil, err
	}
	s, err := b.createServingLB(ctx, l, "bench-hitless", []string{bs[0].addr(), bs[1].addr()}, false)
	if err != nil {
		return nil, err
	}
	page, err := pools.ListMembers(l.c, s.poolID, nil).AllPages(ctx)
	if err != nil {
		return nil, err
	}
	members, err := pools.ExtractMembers(page)
	if err != nil {
		return nil, err
	}
	if len(members) != 2 {
		return nil, fmt.Errorf("pool %s has %d members, want 2", s.poolID, len(members))
	}
	steady := members[0].ID

	const workers = 4
	load := startLoad(ctx, s.url, workers, 5_000_000)
	start := time.Now()
	var times []time.Duration
	var changeErr error
	var added string
	stop := stopAt(ctx, 15*time.Second)
	for i := 0; i < changes && changeErr == nil && time.Now().Before(stop); i++ {
		t0 := time.Now()
		weight := 1 + i%10
		// A cycle of four: add a member, change its weight, change the
		// weight of a member that serves all along, remove the added one.
		switch i % 4 {
		case 0:
			var m *pools.Member
			m, changeErr = pools.CreateMember(ctx, l.c, s.poolID, pools.CreateMemberOpts{Address: "127.0.0.1", ProtocolPort: bs[2].port(), Weight: &weight}).Extract()
			if changeErr == nil {
				added = m.ID
			}
		case 1:
			_, changeErr = pools.UpdateMember(ctx, l.c, s.poolID, added, pools.UpdateMemberOpts{Weight: &weight}).Extract()
		case 2:
			_, changeErr = pools.UpdateMember(ctx, l.c, s.poolID, steady, pools.UpdateMemberOpts{Weight: &weight}).Extract()
		case 3:
			changeErr = pools.DeleteMember(ctx, l.c, s.poolID, added).ExtractErr()
		}
		if changeErr == nil {
			_, changeErr = waitActive(ctx, l.c, s.id)
		}
		times = append(times, time.Since(t0))
	}
	wall := time.Since(start)
	load.halt()
	failed, total := load.failed.Load(), load.ok.Load()+load.failed.Load()
	notes := fmt.Sprintf("%d member changes (add, weight, weight of another, remove) in %s, each waited for until ACTIVE (p50 %s); %d clients alternating keep-alive and new connections, %.0f req/s%s",
		len(times), wall.Round(100*time.Millisecond), fmtMS(percentile(times, 50)), workers, float64(total)/wall.Seconds(), cutShort(len(times), changes))
	if err, ok := load.firstErr.Load().(error); ok {
		notes += "; first failure: " + err.Error()
	}
	if bs[2].hits.Load() == 0 {
		notes += "; the added member never served (unexpected)"
	}
	f := float64(failed)
	rows := []row{{Item: 5, Figure: fmt.Sprintf("failed requests during %d member changes under load", len(times)),
		Value: fmt.Sprintf("%d failed of %d requests", failed, total), Number: &f, Unit: "failed requests", Notes: notes}}
	if total == 0 {
		changeErr = errors.Join(changeErr, errors.New("the load generator sent nothing"))
	}
	return rows, changeErr
}
