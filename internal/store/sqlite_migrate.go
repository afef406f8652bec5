package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteMigrations holds the schema of the SQLite store as numbered
// migrations, NNNN_name.sql, applied in order, each once.
//
//go:embed migrations/sqlite/*.sql
var sqliteMigrations embed.FS

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the migrations in dir of fsys, which must be numbered
// 1, 2, 3... without gaps.
func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("reading migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries { // sorted by name
		name := e.Name()
		num, _, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("migration %s: name is not NNNN_name.sql", name)
		}
		if v != len(ms)+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", name, len(ms)+1)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("reading migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	return ms, nil
}

// migrate applies the migrations the database lacks, each in its own write
// transaction that records it in schema_migrations. Processes opening the same
// file at once apply each migration once: the transaction takes the write lock
// at BEGIN (db begins IMMEDIATE transactions) and checks the record again.
// A database migrated by a newer program (a version this one does not know) is
// refused.
func migrate(ctx context.Context, db *sql.DB) error {
	ms, err := loadMigrations(sqliteMigrations, "migrations/sqlite")
	if err != nil {
		return err
	}
	// While another process turns a new file to WAL, or migrates it, SQLite
	// may answer SQLITE_BUSY at once instead of calling the busy handler
	// (a stale snapshot, a lock it cannot wait for without deadlocking).
	// Every step checks what is done, so the whole of it can run again.
	deadline := time.Now().Add(busyTimeout)
	for attempt := 1; ; attempt++ {
		err = migrateOnce(ctx, db, ms)
		if err == nil || !isBusy(err) || time.Now().After(deadline) || attempt >= 1000 {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(time.Duration(min(attempt, 10)) * 10 * time.Millisecond):
		}
	}
}

// isBusy tells whether err is SQLite's SQLITE_BUSY (any extended code).
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// migrateOnce is one attempt of migrate.
func migrateOnce(ctx context.Context, db *sql.DB, ms []migration) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL
) STRICT`); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	var latest int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&latest); err != nil {
		return fmt.Errorf("reading schema_migrations: %w", err)
	}
	if latest > len(ms) {
		return fmt.Errorf("database schema version %d is newer than this program's (%d)", latest, len(ms))
	}
	for _, m := range ms[latest:] {
		if err := applyMigration(ctx, db, m); err != nil {
			return err
		}
	}
	return nil
}

// applyMigration applies m unless another process did meanwhile.
func applyMigration(ctx context.Context, db *sql.DB, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	defer func() { _ = tx.Rollback() }() // after Commit, a no-op
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`, m.version, m.name); err != nil {
		return fmt.Errorf("migration %s: recording it: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: committing: %w", m.name, err)
	}
	return nil
}
