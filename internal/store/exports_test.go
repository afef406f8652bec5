package store

import (
	"context"
	"database/sql"
	"fmt"
)

// RowWrites reports how many object rows this handle inserted, updated and
// deleted since it was opened.
func (s *SQLite) RowWrites() (inserted, updated, deleted int64) {
	return s.inserted.Load(), s.updated.Load(), s.deleted.Load()
}

// Pragmas reads settings of a writer and of a reader connection, as
// "writer.name" and "reader.name".
func (s *SQLite) Pragmas(ctx context.Context, names ...string) (map[string]string, error) {
	out := make(map[string]string)
	for _, db := range []struct {
		role string
		db   *sql.DB
	}{{"writer", s.w}, {"reader", s.r}} {
		for _, n := range names {
			var v string
			if err := db.db.QueryRowContext(ctx, "PRAGMA "+n).Scan(&v); err != nil {
				return nil, fmt.Errorf("PRAGMA %s on the %s: %w", n, db.role, err)
			}
			out[db.role+"."+n] = v
		}
	}
	return out, nil
}
