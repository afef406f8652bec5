package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// busyTimeout is how long a connection waits for a lock another connection
// (of this or another process) holds before SQLite reports SQLITE_BUSY. The
// wait also ends when the context of the call is done.
const busyTimeout = 30 * time.Second

// SQLite is the embedded Store: one SQLite database file in WAL mode, opened
// with the pure-Go modernc.org/sqlite driver.
//
// Two database/sql pools share the file. Writes go through a pool of exactly
// one connection whose transactions begin with BEGIN IMMEDIATE, so a write
// transaction holds SQLite's write lock from its first statement: writers of
// this process queue for that connection, writers of other processes wait on
// the lock (busy_timeout). Reads go through a pool of read-only connections
// that WAL lets run while a write is in progress; each read is one statement,
// so it sees one committed state.
type SQLite struct {
	w *sql.DB // one connection, BEGIN IMMEDIATE
	r *sql.DB // query_only connections

	// Rows written since Open, for tests and metrics.
	inserted, updated, deleted atomic.Int64
}

var _ Store = (*SQLite)(nil)

// OpenSQLite opens (creating it if needed) the SQLite database at path, a file
// system path, puts it in WAL mode and applies the migrations it lacks.
// Several processes may open the same file: their writes are serialized by
// SQLite's write lock.
func OpenSQLite(ctx context.Context, path string) (*SQLite, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("store: opening SQLite: %q is not a file path", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: opening SQLite %s: %w", path, err)
	}
	common := []string{
		fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()),
		"foreign_keys(1)",
		"synchronous(NORMAL)",
	}
	w, err := sql.Open("sqlite", sqliteDSN(abs, url.Values{
		"_pragma": slices.Concat(common, []string{"journal_mode(WAL)"}),
		"_txlock": {"immediate"},
	}))
	if err != nil {
		return nil, fmt.Errorf("store: opening SQLite %s: %w", abs, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)

	if err := migrate(ctx, w); err != nil {
		return nil, errors.Join(fmt.Errorf("store: opening SQLite %s: %w", abs, err), w.Close())
	}
	var mode string
	if err := w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return nil, errors.Join(fmt.Errorf("store: opening SQLite %s: reading journal mode: %w", abs, err), w.Close())
	}
	if !strings.EqualFold(mode, "wal") {
		return nil, errors.Join(fmt.Errorf("store: opening SQLite %s: journal mode is %q, not WAL (is the file on a network file system?)", abs, mode), w.Close())
	}

	// Readers open after the migrations, on a file already in WAL mode.
	r, err := sql.Open("sqlite", sqliteDSN(abs, url.Values{
		"_pragma": slices.Concat(common, []string{"query_only(1)"}),
	}))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("store: opening SQLite %s: %w", abs, err), w.Close())
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxLifetime(0)
	r.SetConnMaxIdleTime(0)
	if err := r.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("store: opening SQLite %s: %w", abs, err), r.Close(), w.Close())
	}
	return &SQLite{w: w, r: r}, nil
}

// sqliteDSN is the modernc.org/sqlite data source name of the file at the
// absolute path abs with the driver parameters q.
func sqliteDSN(abs string, q url.Values) string {
	// A URI, so that a path with '?' or '#' in it stays a path.
	return "file:" + (&url.URL{Path: filepath.ToSlash(abs)}).EscapedPath() + "?" + q.Encode()
}

// Close closes the database. Calls in progress finish first.
func (s *SQLite) Close() error {
	// The writer last: closing the last connection checkpoints the WAL.
	return errors.Join(s.r.Close(), s.w.Close())
}

// write runs fn in a write transaction (BEGIN IMMEDIATE: it holds the write
// lock from the start) and commits when fn returns nil. An error of fn is
// returned unchanged, after a rollback.
func (s *SQLite) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: beginning a write transaction: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			// The error (or panic) that brought us here is the one to report;
			// a failed rollback leaves nothing behind either way.
			_ = tx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		committed = true // database/sql has ended the transaction
		return fmt.Errorf("store: committing: %w", err)
	}
	committed = true
	return nil
}

// conflict wraps err in ErrConflict when it is a primary key or unique
// constraint violation.
func conflict(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return fmt.Errorf("%w: %w", ErrConflict, err)
		}
	}
	return err
}

// queryer is a *sql.DB or a *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

const selectObjects = `SELECT kind, id, loadbalancer_id, COALESCE(parent_id, ''), project_id, position, created_at, data FROM objects`

// closeWith closes c, adding its error to *err: deferred, for what a function
// opened.
func closeWith(err *error, c io.Closer, what string) {
	if cerr := c.Close(); cerr != nil {
		*err = errors.Join(*err, fmt.Errorf("store: closing %s: %w", what, cerr))
	}
}

// queryObjects runs a selectObjects query.
func queryObjects(ctx context.Context, q queryer, query string, args ...any) (_ []objectRow, err error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: reading objects: %w", err)
	}
	defer closeWith(&err, rows, "objects query")
	var out []objectRow
	for rows.Next() {
		var r objectRow
		if err := rows.Scan(&r.Kind, &r.ID, &r.LoadBalancerID, &r.ParentID, &r.ProjectID, &r.Position, &r.CreatedAt, &r.Data); err != nil {
			return nil, fmt.Errorf("store: reading objects: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: reading objects: %w", err)
	}
	return out, nil
}

// nullable maps "" to NULL.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateLoadBalancer implements Store.
func (s *SQLite) CreateLoadBalancer(ctx context.Context, g *lb.LoadBalancer) error {
	rows, err := flatten(g)
	if err != nil {
		return fmt.Errorf("store: creating load balancer: %w", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		return s.apply(ctx, tx, rowDiff{Insert: pointers(rows)})
	})
	if err != nil {
		return fmt.Errorf("store: creating load balancer %s: %w", g.ID, err)
	}
	s.inserted.Add(int64(len(rows)))
	return nil
}

func pointers(rows []objectRow) []*objectRow {
	out := make([]*objectRow, len(rows))
	for i := range rows {
		out[i] = &rows[i]
	}
	return out
}

// apply writes d in tx: inserts (parents first), then updates (so that an
// object moved to a new parent is linked to it), then deletes (so that the
// cascade of a deleted parent no longer reaches the objects moved away).
func (s *SQLite) apply(ctx context.Context, tx *sql.Tx, d rowDiff) error {
	if err := execEach(ctx, tx, "inserting", d.Insert,
		`INSERT INTO objects (id, kind, loadbalancer_id, parent_id, project_id, position, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		func(r *objectRow) []any {
			return []any{r.ID, r.Kind, r.LoadBalancerID, nullable(r.ParentID), r.ProjectID, r.Position, r.CreatedAt, r.Data}
		}); err != nil {
		return err
	}
	if err := execEach(ctx, tx, "updating", d.Update,
		`UPDATE objects SET loadbalancer_id = ?, parent_id = ?, project_id = ?, position = ?, created_at = ?, data = ? WHERE id = ?`,
		func(r *objectRow) []any {
			return []any{r.LoadBalancerID, nullable(r.ParentID), r.ProjectID, r.Position, r.CreatedAt, r.Data, r.ID}
		}); err != nil {
		return err
	}
	// A row may be gone already, with the subtree of a deleted parent.
	return execEach(ctx, tx, "deleting", d.Delete, `DELETE FROM objects WHERE id = ?`,
		func(r *objectRow) []any { return []any{r.ID} })
}

// execEach runs one prepared statement for each row, with args(row).
func execEach(ctx context.Context, tx *sql.Tx, what string, rows []*objectRow, query string, args func(*objectRow) []any) (err error) {
	if len(rows) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return fmt.Errorf("%s: preparing: %w", what, err)
	}
	defer closeWith(&err, st, what+" statement")
	for _, r := range rows {
		if _, err := st.ExecContext(ctx, args(r)...); err != nil {
			return fmt.Errorf("%s %s %s: %w", what, r.Kind, r.ID, conflict(err))
		}
	}
	return nil
}

// LoadBalancer implements Store.
func (s *SQLite) LoadBalancer(ctx context.Context, id string) (*lb.LoadBalancer, error) {
	rows, err := queryObjects(ctx, s.r, selectObjects+` WHERE loadbalancer_id = ? ORDER BY created_at, seq`, id)
	if err != nil {
		return nil, err
	}
	lbs, err := assemble(rows)
	if err != nil {
		return nil, err
	}
	if len(lbs) == 0 {
		return nil, fmt.Errorf("store: load balancer %s: %w", id, ErrNotFound)
	}
	return lbs[0], nil
}

// LoadBalancers implements Store.
func (s *SQLite) LoadBalancers(ctx context.Context) ([]*lb.LoadBalancer, error) {
	rows, err := queryObjects(ctx, s.r, selectObjects+` ORDER BY created_at, seq`)
	if err != nil {
		return nil, err
	}
	return assemble(rows)
}

// Locate implements Store.
func (s *SQLite) Locate(ctx context.Context, kind, id string) (Ref, error) {
	switch kind {
	case KindLoadBalancer, KindListener, KindPool, KindMember, KindHealthMonitor, KindL7Policy, KindL7Rule, KindAmphora:
	default:
		return Ref{}, fmt.Errorf("store: locating %s: unknown kind %q", id, kind)
	}
	ref := Ref{Kind: kind, ID: id}
	err := s.r.QueryRowContext(ctx, `SELECT loadbalancer_id, COALESCE(parent_id, ''), project_id FROM objects WHERE id = ? AND kind = ?`, id, kind).
		Scan(&ref.LoadBalancerID, &ref.ParentID, &ref.ProjectID)
	if errors.Is(err, sql.ErrNoRows) {
		return Ref{}, fmt.Errorf("store: %s %s: %w", kind, id, ErrNotFound)
	}
	if err != nil {
		return Ref{}, fmt.Errorf("store: locating %s %s: %w", kind, id, err)
	}
	return ref, nil
}

// UpdateLoadBalancer implements Store. fn runs while this store holds the
// database's write lock: it must not call the store's write methods (that
// would wait for itself until ctx ends); reads are fine. Rows are rewritten
// only when their content changed.
func (s *SQLite) UpdateLoadBalancer(ctx context.Context, id string, fn func(g *lb.LoadBalancer) error) error {
	var d rowDiff
	err := s.write(ctx, func(tx *sql.Tx) error {
		old, err := queryObjects(ctx, tx, selectObjects+` WHERE loadbalancer_id = ? ORDER BY created_at, seq`, id)
		if err != nil {
			return err
		}
		lbs, err := assemble(old)
		if err != nil {
			return err
		}
		if len(lbs) == 0 {
			return fmt.Errorf("store: load balancer %s: %w", id, ErrNotFound)
		}
		g := lbs[0]
		if err := fn(g); err != nil {
			return err // unchanged, as documented
		}
		if g.ID != id {
			return fmt.Errorf("store: updating load balancer %s: the update changed its ID to %q", id, g.ID)
		}
		cur, err := flatten(g)
		if err != nil {
			return fmt.Errorf("store: updating load balancer %s: %w", id, err)
		}
		if d, err = diff(old, cur); err != nil {
			return fmt.Errorf("store: updating load balancer %s: %w", id, err)
		}
		if err := s.apply(ctx, tx, d); err != nil {
			return fmt.Errorf("store: updating load balancer %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.inserted.Add(int64(len(d.Insert)))
	s.updated.Add(int64(len(d.Update)))
	s.deleted.Add(int64(len(d.Delete)))
	return nil
}

// PurgeLoadBalancer implements Store. A missing load balancer is ErrNotFound.
func (s *SQLite) PurgeLoadBalancer(ctx context.Context, id string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM objects WHERE id = ? AND kind = ?`, id, KindLoadBalancer)
		if err != nil {
			return fmt.Errorf("store: purging load balancer %s: %w", id, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store: purging load balancer %s: %w", id, err)
		}
		if n == 0 {
			return fmt.Errorf("store: load balancer %s: %w", id, ErrNotFound)
		}
		// The cascade removed the subtree; this removes anything it missed.
		if _, err := tx.ExecContext(ctx, `DELETE FROM objects WHERE loadbalancer_id = ?`, id); err != nil {
			return fmt.Errorf("store: purging load balancer %s: %w", id, err)
		}
		return nil
	})
}
