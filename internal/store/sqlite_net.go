package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// EnsureSubnet implements Store. Updating an existing subnet keeps its
// creation time.
func (s *SQLite) EnsureSubnet(ctx context.Context, sn Subnet) error {
	if sn.ID == "" {
		return errors.New("store: ensuring subnet: empty id")
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO subnets (id, network_id, name, cidr, gateway, is_default, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
	network_id = excluded.network_id,
	name = excluded.name,
	cidr = excluded.cidr,
	gateway = excluded.gateway,
	is_default = excluded.is_default`,
		sn.ID, sn.NetworkID, sn.Name, sn.CIDR, sn.Gateway, sn.Default, formatTime(sn.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: ensuring subnet %s: %w", sn.ID, err)
	}
	return nil
}

const selectSubnets = `SELECT id, network_id, name, cidr, gateway, is_default, created_at FROM subnets`

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

func scanSubnet(sc scanner) (Subnet, error) {
	var (
		sn      Subnet
		created string
	)
	if err := sc.Scan(&sn.ID, &sn.NetworkID, &sn.Name, &sn.CIDR, &sn.Gateway, &sn.Default, &created); err != nil {
		return Subnet{}, err
	}
	t, err := parseTime(created)
	if err != nil {
		return Subnet{}, err
	}
	sn.CreatedAt = t
	return sn, nil
}

// Subnets implements Store.
func (s *SQLite) Subnets(ctx context.Context) (_ []Subnet, err error) {
	rows, err := s.r.QueryContext(ctx, selectSubnets+` ORDER BY is_default DESC, name, id`)
	if err != nil {
		return nil, fmt.Errorf("store: listing subnets: %w", err)
	}
	defer closeWith(&err, rows, "subnets query")
	var out []Subnet
	for rows.Next() {
		sn, err := scanSubnet(rows)
		if err != nil {
			return nil, fmt.Errorf("store: listing subnets: %w", err)
		}
		out = append(out, sn)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: listing subnets: %w", err)
	}
	return out, nil
}

// Subnet implements Store.
func (s *SQLite) Subnet(ctx context.Context, id string) (Subnet, error) {
	sn, err := scanSubnet(s.r.QueryRowContext(ctx, selectSubnets+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Subnet{}, fmt.Errorf("store: subnet %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Subnet{}, fmt.Errorf("store: reading subnet %s: %w", id, err)
	}
	return sn, nil
}

// CreatePort implements Store.
func (s *SQLite) CreatePort(ctx context.Context, p Port) error {
	if p.ID == "" {
		return errors.New("store: creating port: empty id")
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO ports (id, name, network_id, subnet_id, ip_address, device_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.Name, p.NetworkID, p.SubnetID, p.IPAddress, p.DeviceID, formatTime(p.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: creating port %s (%s on subnet %s): %w", p.ID, p.IPAddress, p.SubnetID, conflict(err))
	}
	return nil
}

// Ports implements Store. Ports are listed in creation order.
func (s *SQLite) Ports(ctx context.Context, deviceID string) (_ []Port, err error) {
	const q = `SELECT id, name, network_id, subnet_id, ip_address, device_id, created_at FROM ports`
	var rows *sql.Rows
	if deviceID == "" {
		rows, err = s.r.QueryContext(ctx, q+` ORDER BY created_at, seq`)
	} else {
		rows, err = s.r.QueryContext(ctx, q+` WHERE device_id = ? ORDER BY created_at, seq`, deviceID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: listing ports: %w", err)
	}
	defer closeWith(&err, rows, "ports query")
	var out []Port
	for rows.Next() {
		var (
			p       Port
			created string
		)
		if err := rows.Scan(&p.ID, &p.Name, &p.NetworkID, &p.SubnetID, &p.IPAddress, &p.DeviceID, &created); err != nil {
			return nil, fmt.Errorf("store: listing ports: %w", err)
		}
		if p.CreatedAt, err = parseTime(created); err != nil {
			return nil, fmt.Errorf("store: listing ports: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: listing ports: %w", err)
	}
	return out, nil
}

// DeletePort implements Store.
func (s *SQLite) DeletePort(ctx context.Context, id string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM ports WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: deleting port %s: %w", id, err)
	}
	return nil
}
