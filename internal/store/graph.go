package store

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// This file turns a load balancer graph into rows and back, independently of
// the database: one row per object, its nested children left out of its data
// and rebuilt from the parent links.

// timeLayout is how times are kept in columns: UTC, nanoseconds, fixed width,
// so that the text sorts as the time does (years 0000 to 9999).
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// formatTime renders t for a column.
func formatTime(t time.Time) string {
	return t.UTC().Format(timeLayout)
}

// parseTime reads a column written by formatTime.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: parsing time %q: %w", s, err)
	}
	return t.UTC(), nil
}

// objectRow is one object of a graph as stored.
type objectRow struct {
	Kind           string
	ID             string
	LoadBalancerID string
	ParentID       string // "" for a load balancer
	ProjectID      string
	Position       int    // an L7 policy's position, 0 otherwise
	CreatedAt      string // formatTime
	Data           string // JSON of the object without its children
}

// sameRow reports whether writing b over a would change nothing.
func sameRow(a, b *objectRow) bool {
	return *a == *b
}

// flatten turns a graph into rows, parents before their children and
// children in slice order. The parent links written in the data (a member's
// PoolID, a listener's LoadBalancerID...) are those of the graph's shape, and
// times are converted to UTC. The graph is not modified. A nil object, an
// empty ID or an ID used twice is an error (the latter ErrConflict).
func flatten(g *lb.LoadBalancer) ([]objectRow, error) {
	if g == nil {
		return nil, errors.New("store: nil load balancer")
	}
	f := flattener{seen: make(map[string]string)}
	f.add(KindLoadBalancer, g.ID, g.ID, "", g.ProjectID, 0, g.CreatedAt, func() any {
		c := *g
		c.Listeners, c.Pools, c.Amphorae = nil, nil, nil
		c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
		return &c
	})
	project := func(p string) string {
		if p == "" {
			return g.ProjectID
		}
		return p
	}
	for _, li := range g.Listeners {
		if li == nil {
			f.fail(errors.New("store: nil listener in graph"))
			continue
		}
		f.add(KindListener, li.ID, g.ID, g.ID, project(li.ProjectID), 0, li.CreatedAt, func() any {
			c := *li
			c.L7Policies = nil
			c.LoadBalancerID = g.ID
			c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
			return &c
		})
		for _, po := range li.L7Policies {
			if po == nil {
				f.fail(errors.New("store: nil L7 policy in graph"))
				continue
			}
			f.add(KindL7Policy, po.ID, g.ID, li.ID, project(po.ProjectID), po.Position, po.CreatedAt, func() any {
				c := *po
				c.Rules = nil
				c.ListenerID = li.ID
				c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
				return &c
			})
			for _, ru := range po.Rules {
				if ru == nil {
					f.fail(errors.New("store: nil L7 rule in graph"))
					continue
				}
				f.add(KindL7Rule, ru.ID, g.ID, po.ID, project(ru.ProjectID), 0, ru.CreatedAt, func() any {
					c := *ru
					c.L7PolicyID = po.ID
					c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
					return &c
				})
			}
		}
	}
	for _, p := range g.Pools {
		if p == nil {
			f.fail(errors.New("store: nil pool in graph"))
			continue
		}
		f.add(KindPool, p.ID, g.ID, g.ID, project(p.ProjectID), 0, p.CreatedAt, func() any {
			c := *p
			c.HealthMonitor, c.Members = nil, nil
			c.LoadBalancerID = g.ID
			c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
			return &c
		})
		if hm := p.HealthMonitor; hm != nil {
			f.add(KindHealthMonitor, hm.ID, g.ID, p.ID, project(hm.ProjectID), 0, hm.CreatedAt, func() any {
				c := *hm
				c.PoolID = p.ID
				c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
				return &c
			})
		}
		for _, m := range p.Members {
			if m == nil {
				f.fail(errors.New("store: nil member in graph"))
				continue
			}
			f.add(KindMember, m.ID, g.ID, p.ID, project(m.ProjectID), 0, m.CreatedAt, func() any {
				c := *m
				c.PoolID = p.ID
				c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
				return &c
			})
		}
	}
	for _, a := range g.Amphorae {
		if a == nil {
			f.fail(errors.New("store: nil amphora in graph"))
			continue
		}
		// An amphora has no project of its own; it is the load balancer's.
		f.add(KindAmphora, a.ID, g.ID, g.ID, g.ProjectID, 0, a.CreatedAt, func() any {
			c := *a
			c.LoadBalancerID = g.ID
			c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
			if c.CertExpiration != nil {
				t := c.CertExpiration.UTC()
				c.CertExpiration = &t
			}
			return &c
		})
	}
	if f.err != nil {
		return nil, f.err
	}
	return f.rows, nil
}

// flattener accumulates rows and the first error.
type flattener struct {
	rows []objectRow
	seen map[string]string // id -> kind
	err  error
}

func (f *flattener) fail(err error) {
	if f.err == nil {
		f.err = err
	}
}

// add appends the row of one object; data returns the object to serialize,
// a copy without its children.
func (f *flattener) add(kind, id, lbID, parentID, projectID string, position int, created time.Time, data func() any) {
	if f.err != nil {
		return
	}
	if id == "" {
		f.fail(fmt.Errorf("store: %s with an empty id in graph", kind))
		return
	}
	if k, ok := f.seen[id]; ok {
		f.fail(fmt.Errorf("%w: id %s used by a %s and a %s of the same graph", ErrConflict, id, k, kind))
		return
	}
	f.seen[id] = kind
	b, err := json.Marshal(data())
	if err != nil {
		f.fail(fmt.Errorf("store: encoding %s %s: %w", kind, id, err))
		return
	}
	f.rows = append(f.rows, objectRow{
		Kind:           kind,
		ID:             id,
		LoadBalancerID: lbID,
		ParentID:       parentID,
		ProjectID:      projectID,
		Position:       position,
		CreatedAt:      formatTime(created),
		Data:           string(b),
	})
}

// assemble rebuilds the graphs from rows ordered by creation time then
// insertion sequence. It returns the load balancers in row order. Children
// keep the row order, except L7 policies, which are sorted by position (the
// sort is stable, so equal positions keep the creation order). Parent links in
// the objects are set from the rows.
func assemble(rows []objectRow) ([]*lb.LoadBalancer, error) {
	var (
		lbs       []*lb.LoadBalancer
		byLB      = make(map[string]*lb.LoadBalancer)
		listeners = make(map[string]*lb.Listener)
		pools     = make(map[string]*lb.Pool)
		policies  = make(map[string]*lb.L7Policy)
		objs      = make([]any, len(rows))
	)
	// First pass: decode, and index the objects that can be parents.
	for i := range rows {
		r := &rows[i]
		var err error
		switch r.Kind {
		case KindLoadBalancer:
			v := new(lb.LoadBalancer)
			err = json.Unmarshal([]byte(r.Data), v)
			v.Listeners, v.Pools, v.Amphorae = nil, nil, nil
			byLB[r.ID] = v
			lbs = append(lbs, v)
			objs[i] = v
		case KindListener:
			v := new(lb.Listener)
			err = json.Unmarshal([]byte(r.Data), v)
			v.L7Policies = nil
			listeners[r.ID] = v
			objs[i] = v
		case KindPool:
			v := new(lb.Pool)
			err = json.Unmarshal([]byte(r.Data), v)
			v.HealthMonitor, v.Members = nil, nil
			pools[r.ID] = v
			objs[i] = v
		case KindL7Policy:
			v := new(lb.L7Policy)
			err = json.Unmarshal([]byte(r.Data), v)
			v.Rules = nil
			policies[r.ID] = v
			objs[i] = v
		case KindMember:
			v := new(lb.Member)
			err = json.Unmarshal([]byte(r.Data), v)
			objs[i] = v
		case KindHealthMonitor:
			v := new(lb.HealthMonitor)
			err = json.Unmarshal([]byte(r.Data), v)
			objs[i] = v
		case KindL7Rule:
			v := new(lb.L7Rule)
			err = json.Unmarshal([]byte(r.Data), v)
			objs[i] = v
		case KindAmphora:
			v := new(lb.Amphora)
			err = json.Unmarshal([]byte(r.Data), v)
			objs[i] = v
		default:
			return nil, fmt.Errorf("store: object %s has unknown kind %q", r.ID, r.Kind)
		}
		if err != nil {
			return nil, fmt.Errorf("store: decoding %s %s: %w", r.Kind, r.ID, err)
		}
	}
	orphan := func(r *objectRow) error {
		return fmt.Errorf("store: %s %s has no parent %s", r.Kind, r.ID, r.ParentID)
	}
	// Second pass: attach every object to its parent, in row order.
	for i := range rows {
		r := &rows[i]
		switch v := objs[i].(type) {
		case *lb.LoadBalancer:
			v.ID = r.ID
		case *lb.Listener:
			p := byLB[r.ParentID]
			if p == nil {
				return nil, orphan(r)
			}
			v.ID, v.LoadBalancerID = r.ID, p.ID
			p.Listeners = append(p.Listeners, v)
		case *lb.Pool:
			p := byLB[r.ParentID]
			if p == nil {
				return nil, orphan(r)
			}
			v.ID, v.LoadBalancerID = r.ID, p.ID
			p.Pools = append(p.Pools, v)
		case *lb.Amphora:
			p := byLB[r.ParentID]
			if p == nil {
				return nil, orphan(r)
			}
			v.ID, v.LoadBalancerID = r.ID, p.ID
			p.Amphorae = append(p.Amphorae, v)
		case *lb.L7Policy:
			p := listeners[r.ParentID]
			if p == nil {
				return nil, orphan(r)
			}
			v.ID, v.ListenerID = r.ID, p.ID
			p.L7Policies = append(p.L7Policies, v)
		case *lb.L7Rule:
			p := policies[r.ParentID]
			if p == nil {
				return nil, orphan(r)
			}
			v.ID, v.L7PolicyID = r.ID, p.ID
			p.Rules = append(p.Rules, v)
		case *lb.Member:
			p := pools[r.ParentID]
			if p == nil {
				return nil, orphan(r)
			}
			v.ID, v.PoolID = r.ID, p.ID
			p.Members = append(p.Members, v)
		case *lb.HealthMonitor:
			p := pools[r.ParentID]
			if p == nil {
				return nil, orphan(r)
			}
			if p.HealthMonitor != nil {
				return nil, fmt.Errorf("store: pool %s has two health monitors, %s and %s", p.ID, p.HealthMonitor.ID, r.ID)
			}
			v.ID, v.PoolID = r.ID, p.ID
			p.HealthMonitor = v
		}
	}
	for _, li := range listeners {
		slices.SortStableFunc(li.L7Policies, func(a, b *lb.L7Policy) int {
			return cmp.Compare(a.Position, b.Position)
		})
	}
	return lbs, nil
}

// rowDiff is what to write to turn the stored rows of a graph into new ones.
type rowDiff struct {
	Insert []*objectRow // parents before their children
	Update []*objectRow
	Delete []*objectRow // deleting a parent deletes its subtree too
}

// diff compares the rows of a graph before and after a change, by ID. An ID
// whose kind changed is ErrConflict: IDs are unique across kinds.
func diff(old, cur []objectRow) (rowDiff, error) {
	var d rowDiff
	before := make(map[string]*objectRow, len(old))
	for i := range old {
		before[old[i].ID] = &old[i]
	}
	kept := make(map[string]bool, len(cur))
	for i := range cur {
		r := &cur[i]
		o, ok := before[r.ID]
		switch {
		case !ok:
			d.Insert = append(d.Insert, r)
		case o.Kind != r.Kind:
			return rowDiff{}, fmt.Errorf("%w: id %s of a %s is now used by a %s", ErrConflict, r.ID, o.Kind, r.Kind)
		case !sameRow(o, r):
			d.Update = append(d.Update, r)
		}
		kept[r.ID] = true
	}
	for i := range old {
		if !kept[old[i].ID] {
			d.Delete = append(d.Delete, &old[i])
		}
	}
	return d, nil
}
