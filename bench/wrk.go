package main

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// wrkResult is what one wrk run measured.
type wrkResult struct {
	RPS      float64
	P50, P99 time.Duration
	Requests int64
	// Errors are socket errors (connect, read, write, timeout) plus
	// responses that were not 2xx or 3xx.
	Errors int64
}

// wrkLoad is one wrk run: threads and connections, for how long, and whether
// every request opens a new connection ("Connection: close").
type wrkLoad struct {
	Threads, Conns int
	Duration       time.Duration
	Close          bool
}

func (w wrkLoad) String() string {
	mode := "keep-alive"
	if w.Close {
		mode = "Connection: close"
	}
	return fmt.Sprintf("wrk -t%d -c%d -d%s, %s", w.Threads, w.Conns, w.Duration, mode)
}

// runWrk runs wrk against url and parses what it prints.
func runWrk(ctx context.Context, wrk, url string, load wrkLoad) (wrkResult, error) {
	secs := max(1, int(load.Duration.Round(time.Second)/time.Second))
	args := []string{"-t" + strconv.Itoa(load.Threads), "-c" + strconv.Itoa(load.Conns), "-d" + strconv.Itoa(secs) + "s", "--latency"}
	if load.Close {
		args = append(args, "-H", "Connection: close")
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(secs)*time.Second+15*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, wrk, append(args, url)...).CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	r, err := parseWrk(string(out))
	if err != nil {
		return r, fmt.Errorf("wrk %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return r, nil
}

// parseWrk reads the summary of `wrk --latency`.
func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	var sawRPS, sawP99 bool
	s := bufio.NewScanner(strings.NewReader(out))
	for s.Scan() {
		f := strings.Fields(s.Text())
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				return r, fmt.Errorf("requests/s %q: %w", f[1], err)
			}
			r.RPS, sawRPS = v, true
		case len(f) == 2 && (f[0] == "50%" || f[0] == "99%"):
			d, err := parseWrkDuration(f[1])
			if err != nil {
				return r, err
			}
			if f[0] == "50%" {
				r.P50 = d
			} else {
				r.P99, sawP99 = d, true
			}
		case len(f) >= 4 && f[1] == "requests" && f[2] == "in":
			v, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return r, fmt.Errorf("request count %q: %w", f[0], err)
			}
			r.Requests = v
		case len(f) > 2 && f[0] == "Socket" && f[1] == "errors:":
			// Socket errors: connect 0, read 0, write 0, timeout 0
			for i := 2; i+1 < len(f); i += 2 {
				v, err := strconv.ParseInt(strings.TrimSuffix(f[i+1], ","), 10, 64)
				if err != nil {
					return r, fmt.Errorf("socket errors %q: %w", s.Text(), err)
				}
				r.Errors += v
			}
		case strings.HasPrefix(strings.TrimSpace(s.Text()), "Non-2xx or 3xx responses:"):
			v, err := strconv.ParseInt(f[len(f)-1], 10, 64)
			if err != nil {
				return r, fmt.Errorf("non-2xx count %q: %w", s.Text(), err)
			}
			r.Errors += v
		}
	}
	if !sawRPS || !sawP99 {
		return r, fmt.Errorf("no Requests/sec or 99%% line in wrk's output")
	}
	return r, nil
}

// parseWrkDuration reads wrk's latencies: 812.00us, 1.23ms, 2.01s, 1.50m.
func parseWrkDuration(s string) (time.Duration, error) {
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, fmt.Errorf("latency %q: %w", s, err)
			}
			return time.Duration(v * float64(u.unit)), nil
		}
	}
	return 0, fmt.Errorf("latency %q: unknown unit", s)
}
