// Command bench measures the provider, lbaasd and the data plane side by side
// in one bounded run on loopback (issue 7) and prints one markdown table; the
// same figures go to bench/results/<timestamp>.json. Run it from the module
// root: `make bench`, or `go run ./bench [-quick] [-only 1,4] [-octavia]`.
//
// Items (numbers as in the issue):
//  1. load balancer POST → ACTIVE on lbaasd's embedded default;
//  2. member POST → first request served by that member;
//  3. terraform apply/destroy of 1 LB + listener + pool + HTTP monitor + N
//     members (N lbaas_member, or one lbaas_members), against lbaasd and,
//     with -octavia, a real Octavia;
//  4. data plane: wrk through the lbaasd-made HAProxy, a hand-written minimal
//     HAProxy on the same backends, and the backend directly;
//  5. hitless reloads: failed requests while member changes are applied;
//  6. resident memory of one load balancer and of lbaasd with 100;
//  7. API latency: a 1,000-member pool list, member POSTs under 8 clients.
//
// Timings are printed, never asserted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// options are the command-line flags.
type options struct {
	out      string
	quick    bool
	only     []int
	octavia  bool
	members  []int
	deadline time.Duration
	since    int64
}

// itemOrder is the order items run in (the table is printed by item number):
// the data plane first, on a machine that is still quiet, Terraform last, as
// it takes whatever time is left.
func itemOrder() []int { return []int{4, 1, 2, 5, 7, 6, 3} }

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var only, members string
	fs.StringVar(&o.out, "out", "bench/results", "directory the JSON results go to")
	fs.BoolVar(&o.quick, "quick", false, "a short smoke run: fewer samples, shorter load runs")
	fs.StringVar(&only, "only", "", "comma-separated items to run (default: all; with -octavia: 3)")
	fs.BoolVar(&o.octavia, "octavia", false, "also run item 3 against the cloud of the OS_* environment (LBAAS_ACC_VIP_SUBNET_ID names its VIP subnet)")
	fs.StringVar(&members, "members", "", "comma-separated member counts N of item 3 (default: 10,100,300; with -quick: 10)")
	fs.DurationVar(&o.deadline, "deadline", 14*time.Minute, "overall time limit, builds included")
	fs.Int64Var(&o.since, "since", 0, "Unix time the deadline counts from (default: now; make bench passes its own start, so that compiling bench counts too)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if only == "" && o.octavia {
		only = "3"
	}
	for _, f := range strings.FieldsFunc(only, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 7 {
			return o, fmt.Errorf("-only: %q is not an item (1–7)", f)
		}
		o.only = append(o.only, n)
	}
	for _, f := range strings.FieldsFunc(members, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 1000 {
			return o, fmt.Errorf("-members: %q is not a member count (1–1000)", f)
		}
		o.members = append(o.members, n)
	}
	slices.Sort(o.members)
	if o.deadline < time.Minute {
		return o, errors.New("-deadline: at least 1m")
	}
	return o, nil
}

func (o options) wants(n int) bool { return len(o.only) == 0 || slices.Contains(o.only, n) }

// teardownReserve is kept from the overall deadline for stopping lbaasd and
// its amphorae and writing the results.
const teardownReserve = 40 * time.Second

// run is the whole benchmark: flags, items, table, JSON.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	started, from := time.Now(), time.Now()
	if opts.since > 0 {
		from = time.Unix(opts.since, 0)
	}
	ctx, cancel := context.WithDeadline(ctx, from.Add(opts.deadline))
	defer cancel()
	workCtx, cancelWork := context.WithDeadline(ctx, from.Add(opts.deadline-teardownReserve))
	defer cancelWork()

	rep := &report{Started: started, Args: args, Quick: opts.quick, Machine: gatherMachine()}
	b := newBench(opts, getenv, stderr)
	defer b.close()

	// Every item runs against lbaasd: build and start it before the first
	// one, outside the items' budgets (a cold build takes minutes).
	if _, err := b.sharedLbaasd(workCtx); err != nil {
		b.logf("starting lbaasd: %v", err) // each item tries again and says why it failed
	}
	for _, n := range itemOrder() {
		if !opts.wants(n) {
			continue
		}
		if workCtx.Err() != nil {
			rep.Rows = append(rep.Rows, text(n, itemTitle(n), "not run", "the overall deadline (-deadline) was reached"))
			continue
		}
		rep.Rows = append(rep.Rows, b.runItem(workCtx, n)...)
	}
	b.close()

	rep.Machine.LoadEnd = loadAvg()
	rep.WallSeconds = time.Since(from).Seconds()
	slices.SortStableFunc(rep.Rows, func(a, b row) int { return a.Item - b.Item })
	writeMarkdown(stdout, rep)
	path, err := writeJSON(opts.out, rep)
	if err != nil {
		return fmt.Errorf("writing the results: %w", err)
	}
	fmt.Fprintf(stdout, "\nJSON: %s\n", path)
	return nil
}

// itemTitle names an item in progress lines and in rows of items not run.
func itemTitle(n int) string {
	return [...]string{"",
		"load balancer POST → ACTIVE",
		"member POST → first request served by it",
		"terraform apply / destroy",
		"data plane",
		"hitless member changes under load",
		"resident memory",
		"API latency",
	}[n]
}

// budget is the time an item may take: its full or quick share, never past
// the overall deadline.
func (o options) budget(n int) time.Duration {
	if n == 3 {
		return o.deadline // Terraform runs last and takes what is left
	}
	// Together 10m50s, worst case: item 3 (last) keeps at least 2 minutes
	// of the default deadline, and all that the others leave. Items whose
	// loops run out of budget stop early and say so in their rows.
	full := [...]time.Duration{0, 45 * time.Second, 90 * time.Second, 0, 75 * time.Second, 210 * time.Second, 110 * time.Second, 120 * time.Second}
	if o.quick {
		return full[n] / 2
	}
	return full[n]
}

// runItem runs one item within its budget; an error ends the item with a row
// that says so, after the rows it measured.
func (b *bench) runItem(ctx context.Context, n int) []row {
	ctx, cancel := context.WithTimeout(ctx, b.opts.budget(n))
	defer cancel()
	start := time.Now()
	b.logf("item %d: %s (budget %s)", n, itemTitle(n), b.opts.budget(n))
	var rows []row
	var err error
	switch n {
	case 1:
		rows, err = b.lbCreate(ctx)
	case 2:
		rows, err = b.memberFirstRequest(ctx)
	case 3:
		rows, err = b.terraformScenarios(ctx)
	case 4:
		rows, err = b.dataPlane(ctx)
	case 5:
		rows, err = b.hitless(ctx)
	case 6:
		rows, err = b.resources(ctx)
	case 7:
		rows, err = b.apiLatency(ctx)
	}
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, context.Canceled) {
			err = fmt.Errorf("over its budget of %s: %w", b.opts.budget(n), err)
		}
		b.logf("item %d failed: %v", n, err)
		rows = append(rows, text(n, itemTitle(n), "error", err.Error()))
	}
	b.logf("item %d done in %s", n, time.Since(start).Round(100*time.Millisecond))
	return rows
}
