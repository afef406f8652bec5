package store_test

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
	"github.com/lbaas/terraform-provider-lbaas/internal/store/storetest"
)

// openAt opens the store at path and closes it when the test ends.
func openAt(t testing.TB, path string) *store.SQLite {
	t.Helper()
	s, err := store.OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func tempPath(t testing.TB) string {
	return filepath.Join(t.TempDir(), "lbaas.db")
}

// rawDB opens the file with the driver directly, as another program would.
func rawDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatalf("sql.Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestSQLiteConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store { return openAt(t, tempPath(t)) })
}

func TestSQLiteTwoHandles(t *testing.T) {
	t.Parallel()
	t.Run("Exclusion", func(t *testing.T) {
		t.Parallel()
		path := tempPath(t)
		storetest.Exclusion(t, openAt(t, path), openAt(t, path))
	})
	t.Run("Concurrency", func(t *testing.T) {
		t.Parallel()
		path := tempPath(t)
		storetest.Concurrency(t, openAt(t, path), openAt(t, path), openAt(t, path))
	})
}

func TestSQLiteMigrationsIdempotent(t *testing.T) {
	t.Parallel()
	path := tempPath(t)
	// Concurrent first opens of one file: each migration is applied once.
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			s, err := store.OpenSQLite(t.Context(), path)
			if err == nil {
				err = s.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent OpenSQLite: %v", err)
		}
	}
	s := openAt(t, path)
	storetestGraph := storetest.Graph("lb")
	if err := s.CreateLoadBalancer(t.Context(), storetestGraph); err != nil {
		t.Fatalf("CreateLoadBalancer: %v", err)
	}
	for range 2 {
		s2, err := store.OpenSQLite(t.Context(), path)
		if err != nil {
			t.Fatalf("reopening: %v", err)
		}
		if err := s2.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}

	db := rawDB(t, path)
	rows, err := db.QueryContext(t.Context(), `SELECT version, name FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatalf("reading schema_migrations: %v", err)
	}
	var versions []int
	for rows.Next() {
		var (
			v    int
			name string
		)
		if err := rows.Scan(&v, &name); err != nil {
			t.Fatalf("reading schema_migrations: %v", err)
		}
		versions = append(versions, v)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		t.Fatalf("reading schema_migrations: %v", err)
	}
	files, err := filepath.Glob("migrations/sqlite/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("listing migrations: %v %v", files, err)
	}
	want := make([]int, len(files))
	for i := range want {
		want[i] = i + 1
	}
	if !slices.Equal(versions, want) {
		t.Fatalf("schema_migrations holds versions %v, want %v", versions, want)
	}
	if _, err := s.LoadBalancer(t.Context(), "lb"); err != nil {
		t.Fatalf("LoadBalancer after reopening: %v", err)
	}

	// A database migrated by a newer program is refused.
	if _, err := db.ExecContext(t.Context(), `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', 'now')`); err != nil {
		t.Fatalf("recording a future migration: %v", err)
	}
	if s3, err := store.OpenSQLite(t.Context(), path); err == nil {
		_ = s3.Close()
		t.Fatal("OpenSQLite accepted a database with a newer schema")
	}
}

func TestSQLiteWAL(t *testing.T) {
	t.Parallel()
	path := tempPath(t)
	openAt(t, path)
	var mode string
	if err := rawDB(t, path).QueryRowContext(t.Context(), `PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatalf("PRAGMA journal_mode: %v", err)
	}
	if mode != "wal" {
		t.Fatalf("journal mode %q, want wal", mode)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("no WAL file while the store is open: %v", err)
	}
}

func TestSQLiteConnectionSettings(t *testing.T) {
	t.Parallel()
	s := openAt(t, tempPath(t))
	got, err := s.Pragmas(t.Context(), "journal_mode", "synchronous", "foreign_keys", "busy_timeout", "query_only")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"writer.journal_mode": "wal", "reader.journal_mode": "wal",
		"writer.synchronous": "1", "reader.synchronous": "1", // NORMAL
		"writer.foreign_keys": "1", "reader.foreign_keys": "1",
		"writer.busy_timeout": "30000", "reader.busy_timeout": "30000",
		"writer.query_only": "0", "reader.query_only": "1",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestSQLiteBadPath(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"", ":memory:", "file:x.db?mode=memory", filepath.Join(t.TempDir(), "missing", "dir", "x.db")} {
		if s, err := store.OpenSQLite(t.Context(), path); err == nil {
			_ = s.Close()
			t.Errorf("OpenSQLite(%q) succeeded", path)
		}
	}
}

func TestSQLitePathNeedsEscaping(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "a dir?#%", "lbaas.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, path)
	if err := s.CreateLoadBalancer(t.Context(), storetest.Graph("lb")); err != nil {
		t.Fatalf("CreateLoadBalancer: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at %s: %v", path, err)
	}
}

func TestSQLiteSurvivesReopen(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := tempPath(t)
	s, err := store.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	sn := store.Subnet{ID: "subnet-1", NetworkID: "net-1", Name: "default", CIDR: "10.0.0.0/24", Gateway: "10.0.0.1", Default: true, CreatedAt: time.Now()}
	port := store.Port{ID: "port-1", Name: "vip", NetworkID: "net-1", SubnetID: "subnet-1", IPAddress: "10.0.0.10", DeviceID: "lb-lb", CreatedAt: time.Now()}
	for _, err := range []error{
		s.CreateLoadBalancer(ctx, storetest.Graph("lb")),
		s.EnsureSubnet(ctx, sn),
		s.CreatePort(ctx, port),
		s.UpdateLoadBalancer(ctx, "lb", func(g *lb.LoadBalancer) error {
			g.Name = "updated"
			return nil
		}),
		s.Close(),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}

	s = openAt(t, path)
	want := storetest.Graph("lb")
	want.Name = "updated"
	g, err := s.LoadBalancer(ctx, "lb")
	if err != nil {
		t.Fatalf("LoadBalancer: %v", err)
	}
	if d := storetest.Diff(want, g); len(d) > 0 {
		t.Fatalf("graph after reopening: %v", d)
	}
	gotSubnet, err := s.Subnet(ctx, "subnet-1")
	if err != nil {
		t.Fatalf("Subnet: %v", err)
	}
	if d := storetest.Diff(sn, gotSubnet); len(d) > 0 {
		t.Fatalf("subnet after reopening: %v", d)
	}
	ports, err := s.Ports(ctx, "")
	if err != nil {
		t.Fatalf("Ports: %v", err)
	}
	if d := storetest.Diff([]store.Port{port}, ports); len(d) > 0 {
		t.Fatalf("ports after reopening: %v", d)
	}
}

func TestSQLiteWritesOnlyChanges(t *testing.T) {
	t.Parallel()
	s := openAt(t, tempPath(t))
	if err := s.CreateLoadBalancer(t.Context(), storetest.Graph("lb")); err != nil {
		t.Fatalf("CreateLoadBalancer: %v", err)
	}
	step := func(name string, fn func(g *lb.LoadBalancer), ins, upd, del int64) {
		t.Helper()
		i0, u0, d0 := s.RowWrites()
		if err := s.UpdateLoadBalancer(t.Context(), "lb", func(g *lb.LoadBalancer) error {
			fn(g)
			return nil
		}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		i1, u1, d1 := s.RowWrites()
		if i1-i0 != ins || u1-u0 != upd || d1-d0 != del {
			t.Errorf("%s: wrote %d inserts, %d updates, %d deletes; want %d, %d, %d", name, i1-i0, u1-u0, d1-d0, ins, upd, del)
		}
	}
	step("no change", func(*lb.LoadBalancer) {}, 0, 0, 0)
	step("same values", func(g *lb.LoadBalancer) {
		m := g.Pools[0].Members[0]
		m.Tags = slices.Clone(m.Tags)
		g.UpdatedAt = g.UpdatedAt.In(time.Local) // the same instant
	}, 0, 0, 0)
	step("one member", func(g *lb.LoadBalancer) { g.Pools[0].Members[1].Weight = 3 }, 0, 1, 0)
	step("a member and its load balancer", func(g *lb.LoadBalancer) {
		g.ProvisioningStatus = "PENDING_UPDATE"
		storetest.Member(g.Pools[0], "lb-new", time.Now())
	}, 1, 1, 0)
	step("policy order", func(g *lb.LoadBalancer) {
		// Reordering the slice is no change: the order is the position's.
		ps := g.Listeners[0].L7Policies
		ps[0], ps[1] = ps[1], ps[0]
	}, 0, 0, 0)
	step("a pool", func(g *lb.LoadBalancer) { g.Pools = g.Pools[1:] }, 0, 0, 6)
}

// The cross-process test runs this test in child processes.
const (
	helperDBEnv     = "LBAAS_STORE_TEST_HELPER_DB"
	helperWorkerEnv = "LBAAS_STORE_TEST_HELPER_WORKER"
	crossUpdates    = 25
)

// increments runs crossUpdates read-modify-write updates of load balancer
// "xproc": each increments the counter in its description and adds a member.
func increments(t *testing.T, s store.Store, worker string) {
	for i := range crossUpdates {
		err := s.UpdateLoadBalancer(t.Context(), "xproc", func(g *lb.LoadBalancer) error {
			n, err := strconv.Atoi(g.Description)
			if err != nil {
				return err
			}
			g.Description = strconv.Itoa(n + 1)
			storetest.Member(g.Pools[0], fmt.Sprintf("xproc-%s-%03d", worker, i), time.Now())
			return nil
		})
		if err != nil {
			t.Fatalf("worker %s, update %d: %v", worker, i, err)
		}
	}
}

func TestSQLiteHelperProcess(t *testing.T) {
	path := os.Getenv(helperDBEnv)
	if path == "" {
		t.Skip("run by TestSQLiteCrossProcess in a child process")
	}
	s, err := store.OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	increments(t, s, os.Getenv(helperWorkerEnv))
}

// TestSQLiteCrossProcess runs read-modify-write updates of one load balancer
// from this process and three child processes at once: none is lost.
func TestSQLiteCrossProcess(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts processes")
	}
	path := tempPath(t)
	s := openAt(t, path)
	g := storetest.Graph("xproc")
	g.Description = "0"
	g.Pools[0].Members = nil
	if err := s.CreateLoadBalancer(t.Context(), g); err != nil {
		t.Fatalf("CreateLoadBalancer: %v", err)
	}

	const children = 3
	type result struct {
		out []byte
		err error
	}
	results := make(chan result, children)
	for c := range children {
		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestSQLiteHelperProcess$", "-test.count=1", "-test.v") //nolint:gosec // the test binary runs itself

		cmd.Env = append(os.Environ(), helperDBEnv+"="+path, fmt.Sprintf("%s=child%d", helperWorkerEnv, c))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting child %d: %v", c, err)
		}
		go func() {
			err := cmd.Wait()
			results <- result{out.Bytes(), err}
		}()
	}
	increments(t, s, "parent")
	for range children {
		select {
		case r := <-results:
			if r.err != nil || !bytes.Contains(r.out, []byte("--- PASS: TestSQLiteHelperProcess")) {
				t.Fatalf("child: %v\n%s", r.err, r.out)
			}
		case <-time.After(2 * time.Minute):
			t.Fatal("a child process did not finish")
		}
	}

	g, err := s.LoadBalancer(t.Context(), "xproc")
	if err != nil {
		t.Fatalf("LoadBalancer: %v", err)
	}
	const total = (children + 1) * crossUpdates
	if g.Description != strconv.Itoa(total) || len(g.Pools[0].Members) != total {
		t.Fatalf("counter %s and %d members after %d updates", g.Description, len(g.Pools[0].Members), total)
	}
}

func TestSQLiteClosed(t *testing.T) {
	t.Parallel()
	s, err := store.OpenSQLite(t.Context(), tempPath(t))
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := s.LoadBalancers(t.Context()); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("LoadBalancers on a closed store: %v", err)
	}
}

// benchGraph is a load balancer with one pool of n members.
func benchGraph(n int) *lb.LoadBalancer {
	g := storetest.Graph("bench")
	g.Listeners, g.Amphorae = nil, nil
	g.Pools = g.Pools[:1]
	p := g.Pools[0]
	p.HealthMonitor, p.Members = nil, nil
	p.ListenerID = ""
	for i := range n {
		storetest.Member(p, fmt.Sprintf("bench-member-%04d", i), time.Now())
	}
	return g
}

// BenchmarkUpdateMember1000 times UpdateLoadBalancer adding one member to a
// pool of 1000: "add" lets the pool grow by one member an operation;
// "add-remove" also removes the member the previous operation added, so
// the pool stays at 1000 or 1001.
func BenchmarkUpdateMember1000(b *testing.B) {
	for _, removePrevious := range []bool{false, true} {
		name := "add"
		if removePrevious {
			name = "add-remove"
		}
		b.Run(name, func(b *testing.B) {
			s := openAt(b, tempPath(b))
			if err := s.CreateLoadBalancer(b.Context(), benchGraph(1000)); err != nil {
				b.Fatal(err)
			}
			prev := ""
			i := 0
			for b.Loop() {
				id := fmt.Sprintf("bench-new-%d", i)
				i++
				err := s.UpdateLoadBalancer(b.Context(), "bench", func(g *lb.LoadBalancer) error {
					p := g.Pools[0]
					if removePrevious && prev != "" {
						p.Members = slices.DeleteFunc(p.Members, func(m *lb.Member) bool { return m.ID == prev })
					}
					storetest.Member(p, id, time.Now())
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				prev = id
			}
			g, err := s.LoadBalancer(b.Context(), "bench")
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(len(g.Pools[0].Members)), "members-at-end")
		})
	}
}

// BenchmarkLoadBalancer1000 times loading a load balancer with one pool of
// 1000 members.
func BenchmarkLoadBalancer1000(b *testing.B) {
	s := openAt(b, tempPath(b))
	if err := s.CreateLoadBalancer(b.Context(), benchGraph(1000)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.LoadBalancer(b.Context(), "bench"); err != nil {
			b.Fatal(err)
		}
	}
}
