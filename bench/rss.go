package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"

	"github.com/lbaas/terraform-provider-lbaas/internal/acctest"
)

// memKB reads a "Key:   123 kB" line of a /proc file (VmRSS of status, Pss
// of smaps_rollup); 0 when the process is gone.
func memKB(path, key string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if ok && k == key {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func rssKB(pid int) int64 { return memKB(filepath.Join("/proc", strconv.Itoa(pid), "status"), "VmRSS") }

func pssKB(pid int) int64 {
	return memKB(filepath.Join("/proc", strconv.Itoa(pid), "smaps_rollup"), "Pss")
}

// amphoraProcs are the processes of one amphora of lbaasd's local compute.
type amphoraProcs struct {
	agents, haproxys []int // haproxys: the master and its workers
	cmdlines         []string
}

// serves says whether the amphora runs an HAProxy of load balancer id.
func (a *amphoraProcs) serves(id string) bool {
	for _, c := range a.cmdlines {
		if strings.Contains(c, "/lb/"+id+"/") {
			return true
		}
	}
	return false
}

// dataPlaneProcs finds lbaasd and, per amphora directory (<data dir>/a/<id>),
// its agent and HAProxy processes.
func dataPlaneProcs(d *lbaasd) (lbaasdPID int, amps map[string]*amphoraProcs) {
	amps = map[string]*amphoraProcs{}
	ampDir := filepath.Join(d.DataDir, "a") + "/"
	for _, p := range acctest.ProcessesUnder(d.DataDir) {
		fields := strings.Fields(p.Cmdline)
		if len(fields) > 1 && filepath.Base(fields[0]) == "lbaasd" && fields[1] == "serve" {
			lbaasdPID = p.PID
			continue
		}
		i := strings.Index(p.Cmdline, ampDir)
		if i < 0 {
			continue
		}
		amp, _, _ := strings.Cut(p.Cmdline[i+len(ampDir):], "/")
		amp, _, _ = strings.Cut(amp, " ")
		a := amps[amp]
		if a == nil {
			a = &amphoraProcs{}
			amps[amp] = a
		}
		a.cmdlines = append(a.cmdlines, p.Cmdline)
		switch {
		case strings.Contains(p.Cmdline, "amphora-agent"):
			a.agents = append(a.agents, p.PID)
		case strings.Contains(p.Cmdline, "haproxy"):
			a.haproxys = append(a.haproxys, p.PID)
		}
	}
	return lbaasdPID, amps
}

func sum(pids []int, f func(int) int64) int64 {
	var t int64
	for _, p := range pids {
		t += f(p)
	}
	return t
}

func mib(kb int64) float64 { return float64(kb) / 1024 }

// resources is item 6, on an lbaasd of its own: its RSS idle; one load
// balancer with an HTTP listener, a ROUND_ROBIN pool and two members, whose
// HAProxy (master and workers) and agent are measured; then empty load
// balancers, 8 at a time, up to 100 in all, and lbaasd's RSS again.
func (b *bench) resources(ctx context.Context) ([]row, error) {
	n := pick(b.opts, 100, 10)
	bs, err := b.startBackends(ctx, "rss", 2)
	if err != nil {
		return nil, err
	}
	l, err := b.startLbaasd(ctx)
	if err != nil {
		return nil, err
	}
	defer l.Teardown() // frees the machine for the items that follow
	time.Sleep(time.Second)
	pid, _ := dataPlaneProcs(l)
	if pid == 0 {
		return nil, errors.New("lbaasd's process not found")
	}
	idle := rssKB(pid)

	s, err := b.createServingLB(ctx, l, "bench-rss", addrs(bs), false)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	stop := stopAt(ctx, 15*time.Second)
	next := make(chan int)
	errs := make([]error, 8)
	var created atomic.Int64
	created.Store(1)
	var wg sync.WaitGroup
	for w := range errs {
		wg.Go(func() {
			for i := range next {
				if errs[w] != nil {
					continue
				}
				lb, err := loadbalancers.Create(ctx, l.c, loadbalancers.CreateOpts{Name: "bench-rss-" + strconv.Itoa(i), VipSubnetID: l.subnetID}).Extract()
				if err == nil {
					_, err = waitActive(ctx, l.c, lb.ID)
				}
				if err != nil {
					errs[w] = err
					continue
				}
				created.Add(1)
			}
		})
	}
	for i := 1; i < n && time.Now().Before(stop); i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	took := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	k := int(created.Load())
	time.Sleep(2 * time.Second) // let start-up allocations settle
	pid, amps := dataPlaneProcs(l)
	full := rssKB(pid)
	if len(amps) != k {
		return nil, fmt.Errorf("%d load balancers but %d amphorae running", k, len(amps))
	}
	var one *amphoraProcs
	var all, agents int64
	for _, a := range amps {
		if a.serves(s.id) {
			one = a
		}
		all += sum(a.haproxys, rssKB) + sum(a.agents, rssKB)
		agents += sum(a.agents, rssKB)
	}
	if one == nil {
		return nil, fmt.Errorf("no HAProxy of load balancer %s found", s.id)
	}
	return []row{
		num(6, "one load balancer: HAProxy RSS (master + workers)", mib(sum(one.haproxys, rssKB)), "MiB",
			fmt.Sprintf("an HTTP listener, a ROUND_ROBIN pool of 2 members, idle; VmRSS summed over %d processes (shared pages counted in each); PSS %.1f MiB",
				len(one.haproxys), mib(sum(one.haproxys, pssKB)))),
		num(6, "one load balancer: amphora-agent RSS", mib(sum(one.agents, rssKB)), "MiB",
			fmt.Sprintf("PSS %.1f MiB; mean RSS over the %d agents %.1f MiB", mib(sum(one.agents, pssKB)), k, mib(agents)/float64(k))),
		num(6, "lbaasd RSS, idle", mib(idle), "MiB", "just started, no load balancer"),
		num(6, fmt.Sprintf("lbaasd RSS with %d load balancers", k), mib(full), "MiB",
			fmt.Sprintf("the one above and %d empty ones (created 8 at a time in %s); %.2f MiB per load balancer over idle%s",
				k-1, took.Round(100*time.Millisecond), (mib(full)-mib(idle))/float64(k), cutShort(k, n))),
		num(6, fmt.Sprintf("all amphora processes of %d load balancers", k), mib(all), "MiB", "VmRSS sum of every agent and HAProxy"),
	}, nil
}
