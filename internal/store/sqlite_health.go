package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// This file holds what the health manager keeps: the heartbeat key and
// sequence of every amphora, and the listeners' statistics.

// EnsureAmphoraHealth implements Store.
func (s *SQLite) EnsureAmphoraHealth(ctx context.Context, amphoraID string, key []byte) (AmphoraHealth, error) {
	if len(key) == 0 {
		return AmphoraHealth{}, fmt.Errorf("store: health record of amphora %s: empty heartbeat key", amphoraID)
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO amphora_health (amphora_id, heartbeat_key, last_seq)
SELECT ?1, ?2, 0 WHERE EXISTS (SELECT 1 FROM objects WHERE id = ?1 AND kind = ?3)
ON CONFLICT (amphora_id) DO NOTHING`, amphoraID, key, KindAmphora)
	if err != nil {
		return AmphoraHealth{}, fmt.Errorf("store: creating the health record of amphora %s: %w", amphoraID, err)
	}
	return s.AmphoraHealth(ctx, amphoraID)
}

// AmphoraHealth implements Store.
func (s *SQLite) AmphoraHealth(ctx context.Context, amphoraID string) (AmphoraHealth, error) {
	var (
		h          AmphoraHealth
		lastUpdate sql.NullString
	)
	err := s.r.QueryRowContext(ctx, `SELECT h.amphora_id, o.loadbalancer_id, h.heartbeat_key, h.last_seq, h.last_update
FROM amphora_health h JOIN objects o ON o.id = h.amphora_id
WHERE h.amphora_id = ?`, amphoraID).Scan(&h.AmphoraID, &h.LoadBalancerID, &h.HeartbeatKey, &h.LastSeq, &lastUpdate)
	if errors.Is(err, sql.ErrNoRows) {
		return AmphoraHealth{}, fmt.Errorf("store: health record of amphora %s: %w", amphoraID, ErrNotFound)
	}
	if err != nil {
		return AmphoraHealth{}, fmt.Errorf("store: reading the health record of amphora %s: %w", amphoraID, err)
	}
	if lastUpdate.Valid {
		if h.LastUpdate, err = parseTime(lastUpdate.String); err != nil {
			return AmphoraHealth{}, err
		}
	}
	return h, nil
}

// AmphoraHealths implements Store.
func (s *SQLite) AmphoraHealths(ctx context.Context) (_ []AmphoraHealth, err error) {
	rows, err := s.r.QueryContext(ctx, `SELECT h.amphora_id, o.loadbalancer_id, h.heartbeat_key, h.last_seq, h.last_update
FROM amphora_health h JOIN objects o ON o.id = h.amphora_id
ORDER BY h.amphora_id`)
	if err != nil {
		return nil, fmt.Errorf("store: reading the health records: %w", err)
	}
	defer closeWith(&err, rows, "health records query")
	var out []AmphoraHealth
	for rows.Next() {
		var (
			h          AmphoraHealth
			lastUpdate sql.NullString
		)
		if err := rows.Scan(&h.AmphoraID, &h.LoadBalancerID, &h.HeartbeatKey, &h.LastSeq, &lastUpdate); err != nil {
			return nil, fmt.Errorf("store: reading the health records: %w", err)
		}
		if lastUpdate.Valid {
			if h.LastUpdate, err = parseTime(lastUpdate.String); err != nil {
				return nil, err
			}
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: reading the health records: %w", err)
	}
	return out, nil
}

// RecordHeartbeat implements Store.
func (s *SQLite) RecordHeartbeat(ctx context.Context, hb Heartbeat) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		var last int64
		err := tx.QueryRowContext(ctx, `SELECT last_seq FROM amphora_health WHERE amphora_id = ?`, hb.AmphoraID).Scan(&last)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: health record of amphora %s: %w", hb.AmphoraID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: recording a heartbeat of amphora %s: %w", hb.AmphoraID, err)
		}
		if hb.Seq <= last {
			return fmt.Errorf("store: heartbeat %d of amphora %s (last accepted %d): %w", hb.Seq, hb.AmphoraID, last, ErrStaleSequence)
		}
		at := formatTime(hb.ReceivedAt)
		if _, err := tx.ExecContext(ctx, `UPDATE amphora_health
SET last_seq = ?, last_update = CASE WHEN ? THEN ? ELSE last_update END
WHERE amphora_id = ?`, hb.Seq, hb.Healthy, at, hb.AmphoraID); err != nil {
			return fmt.Errorf("store: recording a heartbeat of amphora %s: %w", hb.AmphoraID, err)
		}
		if len(hb.Listeners) == 0 {
			return nil
		}
		return addListenerStatistics(ctx, tx, hb.AmphoraID, at, hb.Listeners)
	})
}

// addListenerStatistics adds the deltas of one heartbeat to the statistics
// of its listeners. Only listeners of the amphora's own load balancer count:
// a key vouches for one amphora, not for the listeners of others.
func addListenerStatistics(ctx context.Context, tx *sql.Tx, amphoraID, at string, ls []ListenerStatistics) (err error) {
	st, err := tx.PrepareContext(ctx, `INSERT INTO listener_statistics
	(listener_id, amphora_id, bytes_in, bytes_out, active_connections, total_connections, request_errors, updated_at)
SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8
WHERE EXISTS (SELECT 1 FROM objects l JOIN objects a ON a.loadbalancer_id = l.loadbalancer_id
	WHERE l.id = ?1 AND l.kind = ?9 AND a.id = ?2 AND a.kind = ?10)
ON CONFLICT (listener_id, amphora_id) DO UPDATE SET
	bytes_in = bytes_in + excluded.bytes_in,
	bytes_out = bytes_out + excluded.bytes_out,
	active_connections = excluded.active_connections,
	total_connections = total_connections + excluded.total_connections,
	request_errors = request_errors + excluded.request_errors,
	updated_at = excluded.updated_at`)
	if err != nil {
		return fmt.Errorf("store: recording listener statistics: %w", err)
	}
	defer closeWith(&err, st, "listener statistics statement")
	for _, l := range ls {
		if _, err := st.ExecContext(ctx, l.ListenerID, amphoraID, l.BytesIn, l.BytesOut, l.ActiveConnections,
			l.TotalConnections, l.RequestErrors, at, KindListener, KindAmphora); err != nil {
			return fmt.Errorf("store: recording the statistics of listener %s: %w", l.ListenerID, err)
		}
	}
	return nil
}

// ListenerStatistics implements Store.
func (s *SQLite) ListenerStatistics(ctx context.Context, loadBalancerID string) (_ []ListenerStatistics, err error) {
	rows, err := s.r.QueryContext(ctx, `SELECT s.listener_id, s.amphora_id, s.bytes_in, s.bytes_out,
	s.active_connections, s.total_connections, s.request_errors, s.updated_at
FROM listener_statistics s JOIN objects l ON l.id = s.listener_id AND l.kind = ?
WHERE l.loadbalancer_id = ?
ORDER BY s.listener_id, s.amphora_id`, KindListener, loadBalancerID)
	if err != nil {
		return nil, fmt.Errorf("store: reading the listener statistics of load balancer %s: %w", loadBalancerID, err)
	}
	defer closeWith(&err, rows, "listener statistics query")
	var out []ListenerStatistics
	for rows.Next() {
		var (
			l       ListenerStatistics
			updated string
		)
		if err := rows.Scan(&l.ListenerID, &l.AmphoraID, &l.BytesIn, &l.BytesOut, &l.ActiveConnections,
			&l.TotalConnections, &l.RequestErrors, &updated); err != nil {
			return nil, fmt.Errorf("store: reading listener statistics: %w", err)
		}
		if l.UpdatedAt, err = parseTime(updated); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: reading listener statistics: %w", err)
	}
	return out, nil
}
