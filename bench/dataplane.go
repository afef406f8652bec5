package main

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/template"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/acctest"
)

// minimalCfg is the hand-written HAProxy configuration of item 4 (a
// text/template: .Bind and .Servers).
//
//go:embed haproxy-minimal.cfg
var minimalCfg string

// dataPlane is item 4: wrk against the backend directly, a hand-written
// minimal HAProxy over the same backends, and the HAProxy lbaasd made for a
// load balancer with the same backends (3, ROUND_ROBIN, no health
// monitor); keep-alive, then a new connection per request.
func (b *bench) dataPlane(ctx context.Context) ([]row, error) {
	wrk, err := lookTool("wrk")
	if err != nil {
		return []row{text(4, itemTitle(4), "not run", "wrk is not installed: apt-get install wrk")}, nil
	}
	haproxy, err := lookTool("haproxy")
	if err != nil {
		return nil, err
	}
	l, err := b.sharedLbaasd(ctx)
	if err != nil {
		return nil, err
	}
	backends, err := b.startBackends(ctx, "dp", 3)
	if err != nil {
		return nil, err
	}
	s, err := b.createServingLB(ctx, l, "bench-dataplane", addrs(backends), false)
	if err != nil {
		return nil, err
	}
	hand, err := b.startMinimalHAProxy(ctx, haproxy, addrs(backends))
	if err != nil {
		return nil, err
	}
	targets := []struct{ name, url string }{
		{"backend directly", "http://" + backends[0].addr() + "/"},
		{"hand-written HAProxy", hand},
		{"lbaasd-made HAProxy", s.url},
	}
	var rows []row
	// Each target runs twice, in the order A B C C B A, for half the time
	// each: a machine that gets busier or quieter during the item skews
	// no target more than another.
	half := pick(b.opts, 4*time.Second, time.Second)
	order := []int{0, 1, 2, 2, 1, 0}
	for _, closeConns := range []bool{false, true} {
		load := wrkLoad{Threads: 2, Conns: 32, Duration: half, Close: closeConns}
		mode := "keep-alive"
		if closeConns {
			mode = "new connections"
		}
		got := make([][]wrkResult, len(targets))
		for _, i := range order {
			r, err := runWrk(ctx, wrk, targets[i].url, load)
			if err != nil {
				return rows, err
			}
			b.logf("item 4: %s, %s: %.0f req/s, p99 %s, %d errors", mode, targets[i].name, r.RPS, fmtMS(r.P99), r.Errors)
			got[i] = append(got[i], r)
		}
		means := make([]wrkResult, len(targets))
		for i, t := range targets {
			m := meanWrk(got[i])
			means[i] = m
			notes := fmt.Sprintf("%s, twice (A B C C B A), mean; %d requests, %d errors; p50 %s", load, m.Requests, m.Errors, fmtMS(m.P50))
			if i == 0 {
				notes += "; one of the 3 Go backends (the physical limit)"
			}
			rows = append(rows,
				num(4, mode+": "+t.name+", requests/s", m.RPS, "req/s", notes),
				ms(4, mode+": "+t.name+", p99 latency", m.P99, ""))
		}
		direct, hw, lb := means[0], means[1], means[2]
		rows = append(rows,
			num(4, mode+": requests/s ratio lbaasd-made / hand-written HAProxy", lb.RPS/hw.RPS, "ratio",
				fmt.Sprintf("p99 %s vs %s", fmtMS(lb.P99), fmtMS(hw.P99))),
			num(4, mode+": requests/s ratio lbaasd-made HAProxy / backend directly", lb.RPS/direct.RPS, "ratio",
				fmt.Sprintf("p99 %s vs %s", fmtMS(lb.P99), fmtMS(direct.P99))))
	}
	return rows, nil
}

// meanWrk is the mean of runs of equal duration (requests and errors summed).
func meanWrk(rs []wrkResult) wrkResult {
	var m wrkResult
	for _, r := range rs {
		m.RPS += r.RPS / float64(len(rs))
		m.P50 += r.P50 / time.Duration(len(rs))
		m.P99 += r.P99 / time.Duration(len(rs))
		m.Requests += r.Requests
		m.Errors += r.Errors
	}
	return m
}

// startMinimalHAProxy renders haproxy-minimal.cfg for the servers on a free
// port of 127.0.0.1, checks it with `haproxy -c`, runs it in the foreground
// as a child in a session of its own (killed when ctx ends or the bench
// closes) and returns its URL once it answers.
func (b *bench) startMinimalHAProxy(ctx context.Context, haproxy string, servers []string) (string, error) {
	port, err := acctest.FreePort(ctx)
	if err != nil {
		return "", err
	}
	bind := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	tmpl, err := template.New("haproxy-minimal.cfg").Parse(minimalCfg)
	if err != nil {
		return "", err
	}
	var cfg bytes.Buffer
	if err := tmpl.Execute(&cfg, struct {
		Bind    string
		Servers []string
	}{bind, servers}); err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "bench-haproxy")
	if err != nil {
		return "", err
	}
	b.atClose(func() { _ = os.RemoveAll(dir) })
	path := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(path, cfg.Bytes(), 0o600); err != nil {
		return "", err
	}
	if out, err := exec.CommandContext(ctx, haproxy, "-c", "-f", path).CombinedOutput(); err != nil {
		return "", fmt.Errorf("haproxy -c -f %s: %w\n%s", path, err, out)
	}
	logPath := filepath.Join(dir, "haproxy.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, haproxy, "-f", path, "-db")
	cmd.Stdout, cmd.Stderr = logf, logf
	// A session of its own, as the daemonized HAProxy of an amphora has:
	// with the scheduler's autogroups (sched_autogroup_enabled) a process
	// in the session of wrk gets a different share of the CPU than one
	// outside it, about three times the throughput on a busy 2-CPU machine.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return "", err
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(exited)
	}()
	b.atClose(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	url := "http://" + bind + "/"
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := get(ctx, url)
		if err == nil {
			return url, nil
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(logPath)
			return "", fmt.Errorf("hand-written HAProxy exited: %s", strings.TrimSpace(string(log)))
		case <-time.After(pollEvery):
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("hand-written HAProxy does not answer on %s: %w", url, err)
		}
	}
}
