package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseWrk(t *testing.T) {
	t.Parallel()
	const out = `Running 2s test @ http://127.0.0.1:41234/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.53ms    2.84ms  46.92ms   94.12%
    Req/Sec    11.65k     1.51k   14.20k    70.00%
  Latency Distribution
     50%  812.00us
     75%    1.34ms
     90%    2.61ms
     99%   15.02ms
  47706 requests in 2.06s, 5.64MB read
  Socket errors: connect 1, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:  23126.41
Transfer/sec:      2.73MB
`
	got, err := parseWrk(out)
	if err != nil {
		t.Fatal(err)
	}
	want := wrkResult{RPS: 23126.41, P50: 812 * time.Microsecond, P99: 15020 * time.Microsecond, Requests: 47706, Errors: 10}
	if got != want {
		t.Fatalf("parseWrk = %+v, want %+v", got, want)
	}
	if _, err := parseWrk("unable to connect to 127.0.0.1:1 Connection refused\n"); err == nil {
		t.Fatal("parseWrk accepted output without figures")
	}
}

func TestParseWrkDuration(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{
		"812.00us": 812 * time.Microsecond,
		"1.50ms":   1500 * time.Microsecond,
		"2.00s":    2 * time.Second,
		"1.00m":    time.Minute,
	} {
		got, err := parseWrkDuration(in)
		if err != nil || got != want {
			t.Errorf("parseWrkDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseWrkDuration("3h"); err == nil {
		t.Error("parseWrkDuration accepted an unknown unit")
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{0: time.Millisecond, 50: 50 * time.Millisecond, 95: 95 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond} {
		if got := percentile(ds, p); got != want {
			t.Errorf("percentile(%g) = %s, want %s", p, got, want)
		}
	}
	if ds[0] != 100*time.Millisecond {
		t.Error("percentile sorted its argument in place")
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile of nothing = %s", got)
	}
}

func TestTerraformConfigRenders(t *testing.T) {
	t.Parallel()
	for each, want := range map[bool]string{
		true:  "  count         = 3\n  pool_id       = lbaas_pool.pool.id\n  address       = \"127.0.0.1\"\n  protocol_port = 22000 + count.index\n",
		false: "    for i in range(3) : \"127.0.0.1:${22000 + i}\" => {}\n",
	} {
		dir := t.TempDir()
		if err := writeTF(dir, tfScenario{Name: "x", Subnet: "s", Address: "127.0.0.1", Port: 8080, BasePort: 22000, N: 3, Each: each}); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, "main.tf"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(got), want) {
			t.Errorf("each=%t: main.tf lacks %q:\n%s", each, want, got)
		}
	}
}
