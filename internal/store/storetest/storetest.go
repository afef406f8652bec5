// Package storetest is the conformance suite of store.Store: every
// implementation (SQLite, PostgreSQL) runs Run from its own tests.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// waitLimit bounds every wait of the suite, so that a deadlocked store fails
// instead of hanging until the test binary's timeout.
const waitLimit = time.Minute

// Run runs the suite. open must return a new, empty store for the test it is
// given and close it when that test ends (t.Cleanup). The subtests run in
// parallel.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s store.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"ParentLinksSetByStore", testParentLinks},
		{"ChildOrder", testChildOrder},
		{"LoadBalancersOrder", testLoadBalancersOrder},
		{"Locate", testLocate},
		{"CreateConflict", testCreateConflict},
		{"NotFound", testNotFound},
		{"UpdateInsert", testUpdateInsert},
		{"UpdateChange", testUpdateChange},
		{"UpdateNoChange", testUpdateNoChange},
		{"UpdateDelete", testUpdateDelete},
		{"UpdateDeleteSubtree", testUpdateDeleteSubtree},
		{"UpdateMove", testUpdateMove},
		{"UpdateMoveOutOfDeletedParent", testUpdateMoveOutOfDeletedParent},
		{"UpdateFnError", testUpdateFnError},
		{"UpdatePanic", testUpdatePanic},
		{"UpdateConflict", testUpdateConflict},
		{"Purge", testPurge},
		{"Subnets", testSubnets},
		{"Ports", testPorts},
		{"Canceled", testCanceled},
		{"AmphoraHealthKey", testAmphoraHealthKey},
		{"RecordHeartbeat", testRecordHeartbeat},
		{"HealthLifecycle", testHealthLifecycle},
		{"Exclusion", func(t *testing.T, s store.Store) { Exclusion(t, s, s) }},
		{"Concurrency", func(t *testing.T, s store.Store) { Concurrency(t, s) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, open(t))
		})
	}
}

func mustCreate(t testing.TB, s store.Store, g *lb.LoadBalancer) {
	t.Helper()
	if err := s.CreateLoadBalancer(t.Context(), g); err != nil {
		t.Fatalf("CreateLoadBalancer(%s): %v", g.ID, err)
	}
}

func mustLoad(t testing.TB, s store.Store, id string) *lb.LoadBalancer {
	t.Helper()
	g, err := s.LoadBalancer(t.Context(), id)
	if err != nil {
		t.Fatalf("LoadBalancer(%s): %v", id, err)
	}
	return g
}

func mustUpdate(t testing.TB, s store.Store, id string, fn func(g *lb.LoadBalancer)) {
	t.Helper()
	if err := s.UpdateLoadBalancer(t.Context(), id, func(g *lb.LoadBalancer) error {
		fn(g)
		return nil
	}); err != nil {
		t.Fatalf("UpdateLoadBalancer(%s): %v", id, err)
	}
}

func requireNotFound(t testing.TB, what string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("%s: got error %v, want store.ErrNotFound", what, err)
	}
}

func requireConflict(t testing.TB, what string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("%s: got error %v, want store.ErrConflict", what, err)
	}
}

// requireLocated fails t unless the object is at ref.
func requireLocated(t testing.TB, s store.Store, want store.Ref) {
	t.Helper()
	got, err := s.Locate(t.Context(), want.Kind, want.ID)
	if err != nil {
		t.Fatalf("Locate(%s, %s): %v", want.Kind, want.ID, err)
	}
	if got != want {
		t.Fatalf("Locate(%s, %s) = %+v, want %+v", want.Kind, want.ID, got, want)
	}
}

// requireGone fails t unless every object is gone.
func requireGone(t testing.TB, s store.Store, refs ...store.Ref) {
	t.Helper()
	for _, r := range refs {
		_, err := s.Locate(t.Context(), r.Kind, r.ID)
		requireNotFound(t, fmt.Sprintf("Locate(%s, %s)", r.Kind, r.ID), err)
	}
}

// refs lists where every object of g is, as Locate reports it.
func refs(g *lb.LoadBalancer) []store.Ref {
	ref := func(kind, id, parent, project string) store.Ref {
		return store.Ref{Kind: kind, ID: id, LoadBalancerID: g.ID, ParentID: parent, ProjectID: project}
	}
	out := []store.Ref{ref(store.KindLoadBalancer, g.ID, "", g.ProjectID)}
	for _, li := range g.Listeners {
		out = append(out, ref(store.KindListener, li.ID, g.ID, li.ProjectID))
		for _, po := range li.L7Policies {
			out = append(out, ref(store.KindL7Policy, po.ID, li.ID, po.ProjectID))
			for _, ru := range po.Rules {
				out = append(out, ref(store.KindL7Rule, ru.ID, po.ID, ru.ProjectID))
			}
		}
	}
	for _, p := range g.Pools {
		out = append(out, ref(store.KindPool, p.ID, g.ID, p.ProjectID))
		if hm := p.HealthMonitor; hm != nil {
			out = append(out, ref(store.KindHealthMonitor, hm.ID, p.ID, hm.ProjectID))
		}
		for _, m := range p.Members {
			out = append(out, ref(store.KindMember, m.ID, p.ID, m.ProjectID))
		}
	}
	for _, a := range g.Amphorae {
		out = append(out, ref(store.KindAmphora, a.ID, g.ID, g.ProjectID))
	}
	return out
}

// linkParents sets the parent links of every object of g from its place in
// the graph, as a store does on load.
func linkParents(g *lb.LoadBalancer) {
	for _, li := range g.Listeners {
		li.LoadBalancerID = g.ID
		for _, po := range li.L7Policies {
			po.ListenerID = li.ID
			for _, ru := range po.Rules {
				ru.L7PolicyID = po.ID
			}
		}
	}
	for _, p := range g.Pools {
		p.LoadBalancerID = g.ID
		if p.HealthMonitor != nil {
			p.HealthMonitor.PoolID = p.ID
		}
		for _, m := range p.Members {
			m.PoolID = p.ID
		}
	}
	for _, a := range g.Amphorae {
		a.LoadBalancerID = g.ID
	}
}

func memberIDs(p *lb.Pool) []string {
	var out []string
	for _, m := range p.Members {
		out = append(out, m.ID)
	}
	return out
}

func policyIDs(li *lb.Listener) []string {
	var out []string
	for _, po := range li.L7Policies {
		out = append(out, po.ID)
	}
	return out
}

func testRoundTrip(t *testing.T, s store.Store) {
	g := Graph("lb1")
	var zero []string
	zeroFields("LoadBalancer", reflect.ValueOf(g), &zero)
	if len(zero) > 0 {
		t.Fatalf("storetest.Graph leaves fields unset (update it when package lb grows): %v", zero)
	}
	mustCreate(t, s, g)
	requireGraph(t, Graph("lb1"), g) // the caller's graph is left alone
	got := mustLoad(t, s, "lb1")
	requireGraph(t, Graph("lb1"), got)

	all, err := s.LoadBalancers(t.Context())
	if err != nil {
		t.Fatalf("LoadBalancers: %v", err)
	}
	if len(all) != 1 {
		t.Fatalf("LoadBalancers returned %d graphs, want 1", len(all))
	}
	requireGraph(t, Graph("lb1"), all[0])

	// A loaded graph is the caller's copy.
	got.Name = "changed"
	got.Pools[0].Members = nil
	got.Listeners[0].L7Policies[0].Rules[0].Value = "changed"
	requireGraph(t, Graph("lb1"), mustLoad(t, s, "lb1"))
}

func testParentLinks(t *testing.T, s store.Store) {
	g := Graph("lb")
	for _, li := range g.Listeners {
		li.LoadBalancerID = ""
		for _, po := range li.L7Policies {
			po.ListenerID = ""
			for _, ru := range po.Rules {
				ru.L7PolicyID = ""
			}
		}
	}
	for _, p := range g.Pools {
		p.LoadBalancerID = ""
		p.HealthMonitor.PoolID = ""
		for _, m := range p.Members {
			m.PoolID = ""
		}
	}
	for _, a := range g.Amphorae {
		a.LoadBalancerID = ""
	}
	mustCreate(t, s, g)
	requireGraph(t, Graph("lb"), mustLoad(t, s, "lb"))
}

func testChildOrder(t *testing.T, s store.Store) {
	g := Graph("lb")
	p := g.Pools[0] // members 1 to 3 share a creation time
	Member(p, "lb-early", at(-100))
	Member(p, "lb-tie-1", at(301))
	li := g.Listeners[1]
	li.L7Policies[0].Position = 3
	L7Policy(li, "lb-pos-1", 1, at(500))
	L7Policy(li, "lb-pos-2-late", 2, at(502))
	L7Policy(li, "lb-pos-2-early", 2, at(501))
	mustCreate(t, s, g)
	mustUpdate(t, s, "lb", func(g *lb.LoadBalancer) {
		Member(g.Pools[0], "lb-tie-2", at(301))
		L7Policy(g.Listeners[1], "lb-pos-2-tie", 2, at(502))
	})

	got := mustLoad(t, s, "lb")
	wantMembers := []string{"lb-early", "lb-pool-1-member-1", "lb-pool-1-member-2", "lb-pool-1-member-3", "lb-tie-1", "lb-tie-2"}
	if ids := memberIDs(got.Pools[0]); !slices.Equal(ids, wantMembers) {
		t.Errorf("members = %v, want creation time then insertion order %v", ids, wantMembers)
	}
	wantPolicies := []string{"lb-pos-1", "lb-pos-2-early", "lb-pos-2-late", "lb-pos-2-tie", "lb-listener-2-p1"}
	if ids := policyIDs(got.Listeners[1]); !slices.Equal(ids, wantPolicies) {
		t.Errorf("L7 policies = %v, want position then creation order %v", ids, wantPolicies)
	}
}

func testLoadBalancersOrder(t *testing.T, s store.Store) {
	mk := func(id string, created time.Time, status string) *lb.LoadBalancer {
		g := Graph(id)
		g.CreatedAt = created
		g.ProvisioningStatus = status
		return g
	}
	want := []*lb.LoadBalancer{
		mk("lb-a", at(-20), "ACTIVE"),
		mk("lb-b", at(-10), "ERROR"),
		mk("lb-c", at(-10), "PENDING_CREATE"),
		mk("lb-d", at(5), "DELETED"),
	}
	for _, i := range []int{3, 1, 0, 2} { // lb-b before lb-c: same time, created first
		mustCreate(t, s, want[i])
	}
	all, err := s.LoadBalancers(t.Context())
	if err != nil {
		t.Fatalf("LoadBalancers: %v", err)
	}
	var ids []string
	for _, g := range all {
		ids = append(ids, g.ID)
	}
	if !slices.Equal(ids, []string{"lb-a", "lb-b", "lb-c", "lb-d"}) {
		t.Fatalf("LoadBalancers = %v, want lb-a lb-b lb-c lb-d", ids)
	}
	for i := range want {
		requireGraph(t, want[i], all[i])
	}
	// A DELETED load balancer is still returned on its own.
	requireGraph(t, want[3], mustLoad(t, s, "lb-d"))
}

func testLocate(t *testing.T, s store.Store) {
	g := Graph("lb")
	g.Pools[1].Members[0].ProjectID = "" // a child without a project is its load balancer's
	mustCreate(t, s, g)
	g.Pools[1].Members[0].ProjectID = g.ProjectID
	kinds := make(map[string]bool)
	for _, r := range refs(g) {
		requireLocated(t, s, r)
		kinds[r.Kind] = true
	}
	if len(kinds) != 8 {
		t.Fatalf("the fixture covers %d kinds, want 8", len(kinds))
	}
	_, err := s.Locate(t.Context(), store.KindMember, "nope")
	requireNotFound(t, "Locate of a missing member", err)
	_, err = s.Locate(t.Context(), store.KindPool, "lb-pool-1-member-1")
	requireNotFound(t, "Locate of a member as a pool", err)
	_, err = s.Locate(t.Context(), store.KindListener, "lb")
	requireNotFound(t, "Locate of a load balancer as a listener", err)
}

func testCreateConflict(t *testing.T, s store.Store) {
	mustCreate(t, s, Graph("lb1"))
	requireConflict(t, "creating lb1 twice", s.CreateLoadBalancer(t.Context(), Graph("lb1")))

	g2 := Graph("lb2")
	g2.Pools[1].Members[0].ID = "lb1-pool-1-member-1"
	requireConflict(t, "creating lb2 with a member ID of lb1", s.CreateLoadBalancer(t.Context(), g2))
	_, err := s.LoadBalancer(t.Context(), "lb2")
	requireNotFound(t, "lb2 after its failed create", err)
	requireGone(t, s, store.Ref{Kind: store.KindListener, ID: "lb2-listener-1"}, store.Ref{Kind: store.KindPool, ID: "lb2-pool-1"})
	requireLocated(t, s, store.Ref{Kind: store.KindMember, ID: "lb1-pool-1-member-1", LoadBalancerID: "lb1", ParentID: "lb1-pool-1", ProjectID: "project-lb1"})

	g3 := Graph("lb3")
	g3.Pools[0].Members[1].ID = g3.Pools[0].Members[0].ID
	requireConflict(t, "creating a graph with an ID used twice", s.CreateLoadBalancer(t.Context(), g3))
	_, err = s.LoadBalancer(t.Context(), "lb3")
	requireNotFound(t, "lb3 after its failed create", err)

	requireGraph(t, Graph("lb1"), mustLoad(t, s, "lb1"))
}

func testNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreate(t, s, Graph("lb"))
	_, err := s.LoadBalancer(ctx, "nope")
	requireNotFound(t, "LoadBalancer", err)
	_, err = s.LoadBalancer(ctx, "lb-listener-1")
	requireNotFound(t, "LoadBalancer of a listener ID", err)
	err = s.UpdateLoadBalancer(ctx, "nope", func(*lb.LoadBalancer) error {
		t.Error("fn ran for a missing load balancer")
		return nil
	})
	requireNotFound(t, "UpdateLoadBalancer", err)
	requireNotFound(t, "PurgeLoadBalancer", s.PurgeLoadBalancer(ctx, "nope"))
	_, err = s.Subnet(ctx, "nope")
	requireNotFound(t, "Subnet", err)
	_, err = s.Locate(ctx, store.KindLoadBalancer, "nope")
	requireNotFound(t, "Locate", err)
}

// poolWithoutMonitor is Graph("lb") whose second pool has no health monitor.
func poolWithoutMonitor() *lb.LoadBalancer {
	g := Graph("lb")
	g.Pools[1].HealthMonitor = nil
	return g
}

func testUpdateInsert(t *testing.T, s store.Store) {
	mustCreate(t, s, poolWithoutMonitor())
	mutate := func(g *lb.LoadBalancer) {
		g.ProvisioningStatus = "PENDING_UPDATE"
		li := Listener(g, "lb-listener-3", at(600))
		po := L7Policy(li, "lb-listener-3-p1", 1, at(601))
		L7Rule(po, "lb-listener-3-p1-r1", at(602))
		L7Rule(g.Listeners[0].L7Policies[0], "lb-new-rule", at(603))
		L7Policy(g.Listeners[1], "lb-new-policy", 2, at(604))
		p := Pool(g, "lb-pool-3", at(605))
		HealthMonitor(p, "lb-pool-3-hm", at(606))
		Member(p, "lb-pool-3-member-1", at(607))
		Member(p, "lb-pool-3-member-2", at(607))
		HealthMonitor(g.Pools[1], "lb-new-hm", at(608))
		Member(g.Pools[1], "lb-new-member", at(609))
		Amphora(g, "lb-amphora-3", at(610))
	}
	mustUpdate(t, s, "lb", mutate)
	want := poolWithoutMonitor()
	mutate(want)
	requireGraph(t, want, mustLoad(t, s, "lb"))
	for _, r := range refs(want) {
		requireLocated(t, s, r)
	}
}

func testUpdateChange(t *testing.T, s store.Store) {
	mustCreate(t, s, Graph("lb"))
	mutate := func(g *lb.LoadBalancer) {
		g.Name = "renamed"
		g.Tags = []string{} // empty, not null
		g.AdditionalVIPs = nil
		g.UpdatedAt = at(1000)
		li := g.Listeners[0]
		li.InsertHeaders = map[string]string{}
		li.ProtocolPort = 8443
		// Swapping positions reorders the policies.
		li.L7Policies[0].Position, li.L7Policies[1].Position = 2, 1
		li.L7Policies[0].RedirectHTTPCode = nil
		li.L7Policies[1].Rules[0].Value = "staging"
		p := g.Pools[0]
		p.SessionPersistence = nil
		p.LBAlgorithm = "ROUND_ROBIN"
		p.HealthMonitor.Delay = 30
		p.HealthMonitor.HTTPVersion = nil
		p.Members[1].Weight = 0
		p.Members[1].MonitorPort = nil
		p.Members[1].Tags = nil
		g.Amphorae[1].Role = "BACKUP"
		g.Amphorae[1].CertExpiration = nil
	}
	mustUpdate(t, s, "lb", mutate)
	want := Graph("lb")
	mutate(want)
	ps := want.Listeners[0].L7Policies
	ps[0], ps[1] = ps[1], ps[0]
	requireGraph(t, want, mustLoad(t, s, "lb"))
}

func testUpdateNoChange(t *testing.T, s store.Store) {
	mustCreate(t, s, Graph("lb"))
	var seen *lb.LoadBalancer
	mustUpdate(t, s, "lb", func(g *lb.LoadBalancer) { seen = g })
	requireGraph(t, Graph("lb"), seen) // fn sees the stored graph
	requireGraph(t, Graph("lb"), mustLoad(t, s, "lb"))
}

func testUpdateDelete(t *testing.T, s store.Store) {
	mustCreate(t, s, Graph("lb"))
	mutate := func(g *lb.LoadBalancer) {
		p := g.Pools[0]
		p.Members = slices.Delete(p.Members, 1, 2)
		p.HealthMonitor = nil
		po := g.Listeners[0].L7Policies[0]
		po.Rules = po.Rules[:1]
		g.Listeners[1].L7Policies = nil
		g.Amphorae = g.Amphorae[1:]
	}
	mustUpdate(t, s, "lb", mutate)
	want := Graph("lb")
	mutate(want)
	requireGraph(t, want, mustLoad(t, s, "lb"))
	requireGone(t, s,
		store.Ref{Kind: store.KindMember, ID: "lb-pool-1-member-2"},
		store.Ref{Kind: store.KindHealthMonitor, ID: "lb-pool-1-hm"},
		store.Ref{Kind: store.KindL7Rule, ID: "lb-listener-1-p1-r2"},
		store.Ref{Kind: store.KindL7Policy, ID: "lb-listener-2-p1"},
		store.Ref{Kind: store.KindL7Rule, ID: "lb-listener-2-p1-r1"},
		store.Ref{Kind: store.KindL7Rule, ID: "lb-listener-2-p1-r2"},
		store.Ref{Kind: store.KindAmphora, ID: "lb-amphora-1"},
	)
	for _, r := range refs(want) {
		requireLocated(t, s, r)
	}
}

func testUpdateDeleteSubtree(t *testing.T, s store.Store) {
	mustCreate(t, s, Graph("lb"))
	mustCreate(t, s, Graph("other"))
	before := refs(Graph("lb"))
	mutate := func(g *lb.LoadBalancer) {
		g.Pools = g.Pools[1:]
		g.Listeners = g.Listeners[1:]
	}
	mustUpdate(t, s, "lb", mutate)
	want := Graph("lb")
	mutate(want)
	requireGraph(t, want, mustLoad(t, s, "lb"))
	kept := make(map[string]bool)
	for _, r := range refs(want) {
		requireLocated(t, s, r)
		kept[r.ID] = true
	}
	var gone []store.Ref
	for _, r := range before {
		if !kept[r.ID] {
			gone = append(gone, r)
		}
	}
	if len(gone) != 12 { // a pool, its monitor and 3 members; a listener, 2 policies, 4 rules
		t.Fatalf("the test removes %d objects, want 12", len(gone))
	}
	requireGone(t, s, gone...)
	requireGraph(t, Graph("other"), mustLoad(t, s, "other"))
}

func testUpdateMove(t *testing.T, s store.Store) {
	mustCreate(t, s, Graph("lb"))
	mutate := func(g *lb.LoadBalancer) {
		p1, p2 := g.Pools[0], g.Pools[1]
		// A member of pool 1 (created before pool 2's) moves to pool 2.
		m := p1.Members[1]
		p1.Members = slices.Delete(p1.Members, 1, 2)
		p2.Members = slices.Insert(p2.Members, 0, m)
		// Pool 1's monitor replaces pool 2's.
		p2.HealthMonitor, p1.HealthMonitor = p1.HealthMonitor, nil
		l1, l2 := g.Listeners[0], g.Listeners[1]
		// A rule of policy 1 moves to policy 2 (its rules are newer)...
		po1, po2 := l1.L7Policies[0], l1.L7Policies[1]
		po2.Rules = slices.Insert(po2.Rules, 0, po1.Rules[0])
		po1.Rules = po1.Rules[1:]
		// ...and policy 2, with its rules, moves to listener 2.
		l1.L7Policies = l1.L7Policies[:1]
		l2.L7Policies = append(l2.L7Policies, po2)
	}
	mustUpdate(t, s, "lb", mutate)
	want := Graph("lb")
	mutate(want)
	linkParents(want)
	requireGraph(t, want, mustLoad(t, s, "lb"))
	for _, r := range refs(want) {
		requireLocated(t, s, r)
	}
	requireGone(t, s, store.Ref{Kind: store.KindHealthMonitor, ID: "lb-pool-2-hm"})
}

func testUpdateMoveOutOfDeletedParent(t *testing.T, s store.Store) {
	mustCreate(t, s, Graph("lb"))
	mutate := func(g *lb.LoadBalancer) {
		// The members and monitor of pool 1 move to a new pool; pool 1 goes.
		p1 := g.Pools[0]
		p3 := Pool(g, "lb-pool-3", at(600))
		p3.Members, p3.HealthMonitor = p1.Members, p1.HealthMonitor
		g.Pools = g.Pools[1:]
		// The policies of listener 1, with their rules, move to listener 2;
		// listener 1 goes.
		l1, l2 := g.Listeners[0], g.Listeners[1]
		for i, po := range l1.L7Policies {
			po.Position = 2 + i
			l2.L7Policies = append(l2.L7Policies, po)
		}
		g.Listeners = g.Listeners[1:]
	}
	mustUpdate(t, s, "lb", mutate)
	want := Graph("lb")
	mutate(want)
	linkParents(want)
	requireGraph(t, want, mustLoad(t, s, "lb"))
	for _, r := range refs(want) {
		requireLocated(t, s, r)
	}
	requireGone(t, s, store.Ref{Kind: store.KindPool, ID: "lb-pool-1"}, store.Ref{Kind: store.KindListener, ID: "lb-listener-1"})
}

// refusal is an error type fn returns, to check errors.As.
type refusal struct{ code int }

func (r *refusal) Error() string { return fmt.Sprintf("storetest: refused with %d", r.code) }

func testUpdateFnError(t *testing.T, s store.Store) {
	mustCreate(t, s, Graph("lb"))
	mutate := func(g *lb.LoadBalancer) {
		g.ProvisioningStatus = "PENDING_UPDATE"
		Member(g.Pools[0], "lb-new-member", at(700))
		g.Pools = g.Pools[:1]
		g.Listeners[0].Name = "changed"
		g.Amphorae = nil
	}
	sentinel := errors.New("storetest: sentinel")
	err := s.UpdateLoadBalancer(t.Context(), "lb", func(g *lb.LoadBalancer) error {
		mutate(g)
		return sentinel
	})
	if err != sentinel { //nolint:errorlint // the error must be returned unchanged
		t.Fatalf("UpdateLoadBalancer returned %v, want fn's error unchanged", err)
	}
	r := &refusal{code: 409}
	err = s.UpdateLoadBalancer(t.Context(), "lb", func(g *lb.LoadBalancer) error {
		mutate(g)
		return r
	})
	var got *refusal
	if !errors.As(err, &got) || got != r {
		t.Fatalf("UpdateLoadBalancer returned %v, want fn's *refusal", err)
	}
	requireGraph(t, Graph("lb"), mustLoad(t, s, "lb"))
	requireGone(t, s, store.Ref{Kind: store.KindMember, ID: "lb-new-member"})
}

func testUpdatePanic(t *testing.T, s store.Store) {
	mustCreate(t, s, Graph("lb"))
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic of fn did not reach the caller")
			}
		}()
		_ = s.UpdateLoadBalancer(t.Context(), "lb", func(g *lb.LoadBalancer) error {
			g.Name = "changed"
			Member(g.Pools[0], "lb-new-member", at(700))
			panic("storetest: fn panics")
		})
	}()
	requireGraph(t, Graph("lb"), mustLoad(t, s, "lb"))
	// The panic released the store: the next update goes through.
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	if err := s.UpdateLoadBalancer(ctx, "lb", func(g *lb.LoadBalancer) error {
		g.Name = "after the panic"
		return nil
	}); err != nil {
		t.Fatalf("UpdateLoadBalancer after a panic: %v", err)
	}
	if g := mustLoad(t, s, "lb"); g.Name != "after the panic" {
		t.Fatalf("name = %q after the update", g.Name)
	}
}

func testUpdateConflict(t *testing.T, s store.Store) {
	mustCreate(t, s, Graph("lb1"))
	mustCreate(t, s, Graph("lb2"))
	err := s.UpdateLoadBalancer(t.Context(), "lb2", func(g *lb.LoadBalancer) error {
		g.ProvisioningStatus = "PENDING_UPDATE"
		Member(g.Pools[0], "lb1-pool-1-member-1", at(700)) // lb1's
		return nil
	})
	requireConflict(t, "adding to lb2 a member with an ID of lb1", err)

	err = s.UpdateLoadBalancer(t.Context(), "lb2", func(g *lb.LoadBalancer) error {
		g.ProvisioningStatus = "PENDING_UPDATE"
		g.Pools[1].Members = append(g.Pools[1].Members, g.Pools[0].Members[0])
		return nil
	})
	requireConflict(t, "an update that puts a member in two pools", err)

	err = s.UpdateLoadBalancer(t.Context(), "lb2", func(g *lb.LoadBalancer) error {
		g.ID = "lb3"
		return nil
	})
	if err == nil {
		t.Fatal("an update that changes the load balancer's ID succeeded")
	}
	_, err = s.LoadBalancer(t.Context(), "lb3")
	requireNotFound(t, "LoadBalancer(lb3)", err)

	requireGraph(t, Graph("lb1"), mustLoad(t, s, "lb1"))
	requireGraph(t, Graph("lb2"), mustLoad(t, s, "lb2"))
}

func testPurge(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreate(t, s, Graph("lb1"))
	mustCreate(t, s, Graph("lb2"))
	if err := s.PurgeLoadBalancer(ctx, "lb1"); err != nil {
		t.Fatalf("PurgeLoadBalancer: %v", err)
	}
	_, err := s.LoadBalancer(ctx, "lb1")
	requireNotFound(t, "LoadBalancer after the purge", err)
	requireGone(t, s, refs(Graph("lb1"))...)
	all, err := s.LoadBalancers(ctx)
	if err != nil {
		t.Fatalf("LoadBalancers: %v", err)
	}
	if len(all) != 1 {
		t.Fatalf("LoadBalancers returned %d graphs after the purge, want 1", len(all))
	}
	requireGraph(t, Graph("lb2"), all[0])
	requireNotFound(t, "purging twice", s.PurgeLoadBalancer(ctx, "lb1"))
	// The IDs are free again.
	mustCreate(t, s, Graph("lb1"))
	requireGraph(t, Graph("lb1"), mustLoad(t, s, "lb1"))
}

func testSubnets(t *testing.T, s store.Store) {
	ctx := t.Context()
	subnets := map[string]store.Subnet{
		"c": {ID: "subnet-c", NetworkID: "net-1", Name: "c", CIDR: "10.3.0.0/24", Gateway: "10.3.0.1", CreatedAt: at(1)},
		"b": {ID: "subnet-b", NetworkID: "net-1", Name: "b", CIDR: "10.2.0.0/24", Gateway: "10.2.0.1", CreatedAt: at(2)},
		"z": {ID: "subnet-z", NetworkID: "net-2", Name: "z", CIDR: "fd00::/64", Gateway: "fd00::1", Default: true, CreatedAt: at(3)},
		"a": {ID: "subnet-a", NetworkID: "net-1", Name: "a", CIDR: "10.1.0.0/24", Gateway: "10.1.0.1", CreatedAt: at(4)},
	}
	for _, k := range []string{"c", "b", "z", "a"} {
		if err := s.EnsureSubnet(ctx, subnets[k]); err != nil {
			t.Fatalf("EnsureSubnet(%s): %v", k, err)
		}
	}
	requireSubnets := func(want ...store.Subnet) {
		t.Helper()
		got, err := s.Subnets(ctx)
		if err != nil {
			t.Fatalf("Subnets: %v", err)
		}
		if d := Diff(want, got); len(d) > 0 {
			t.Fatalf("Subnets: %v", d)
		}
	}
	requireSubnets(subnets["z"], subnets["a"], subnets["b"], subnets["c"])
	got, err := s.Subnet(ctx, "subnet-b")
	if err != nil {
		t.Fatalf("Subnet: %v", err)
	}
	if d := Diff(subnets["b"], got); len(d) > 0 {
		t.Fatalf("Subnet: %v", d)
	}

	// Updates; an existing subnet keeps its creation time.
	y := store.Subnet{ID: "subnet-b", NetworkID: "net-3", Name: "y", CIDR: "10.9.0.0/24", Gateway: "10.9.0.254", CreatedAt: at(99)}
	a := subnets["a"]
	a.Default = true
	z := subnets["z"]
	z.Default = false
	for _, sn := range []store.Subnet{y, a, z} {
		if err := s.EnsureSubnet(ctx, sn); err != nil {
			t.Fatalf("EnsureSubnet(%s): %v", sn.ID, err)
		}
	}
	y.CreatedAt = subnets["b"].CreatedAt
	requireSubnets(a, subnets["c"], y, z)
}

func testPorts(t *testing.T, s store.Store) {
	ctx := t.Context()
	p1 := store.Port{ID: "port-1", Name: "vip", NetworkID: "net-1", SubnetID: "subnet-1", IPAddress: "10.0.0.10", DeviceID: "lb-1", CreatedAt: at(1)}
	p2 := store.Port{ID: "port-2", Name: "vrrp", NetworkID: "net-1", SubnetID: "subnet-1", IPAddress: "10.0.0.11", DeviceID: "lb-1", CreatedAt: at(2)}
	p3 := store.Port{ID: "port-3", Name: "vip", NetworkID: "net-2", SubnetID: "subnet-2", IPAddress: "10.0.0.10", DeviceID: "lb-2", CreatedAt: at(0)}
	for _, p := range []store.Port{p1, p2, p3} { // p3: same address, another subnet
		if err := s.CreatePort(ctx, p); err != nil {
			t.Fatalf("CreatePort(%s): %v", p.ID, err)
		}
	}
	taken := store.Port{ID: "port-4", NetworkID: "net-1", SubnetID: "subnet-1", IPAddress: "10.0.0.10", DeviceID: "lb-3", CreatedAt: at(3)}
	requireConflict(t, "a second port with the same address on the subnet", s.CreatePort(ctx, taken))
	requireConflict(t, "a port with an existing ID", s.CreatePort(ctx, store.Port{ID: "port-1", SubnetID: "subnet-3", IPAddress: "10.0.0.99", CreatedAt: at(3)}))

	requirePorts := func(device string, want ...store.Port) {
		t.Helper()
		got, err := s.Ports(ctx, device)
		if err != nil {
			t.Fatalf("Ports(%q): %v", device, err)
		}
		if len(want) == 0 && len(got) == 0 {
			return
		}
		if d := Diff(want, got); len(d) > 0 {
			t.Fatalf("Ports(%q): %v", device, d)
		}
	}
	requirePorts("lb-1", p1, p2)
	requirePorts("", p3, p1, p2)
	requirePorts("lb-9")

	for range 2 { // idempotent
		if err := s.DeletePort(ctx, "port-1"); err != nil {
			t.Fatalf("DeletePort: %v", err)
		}
	}
	if err := s.DeletePort(ctx, "never-created"); err != nil {
		t.Fatalf("DeletePort of a missing port: %v", err)
	}
	requirePorts("", p3, p2)
	// The address is free again.
	if err := s.CreatePort(ctx, taken); err != nil {
		t.Fatalf("CreatePort on a freed address: %v", err)
	}
	requirePorts("lb-3", taken)
}

func testCanceled(t *testing.T, s store.Store) {
	mustCreate(t, s, Graph("lb"))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	requireCanceled := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a canceled context: got %v, want context.Canceled", what, err)
		}
	}
	_, err := s.LoadBalancer(ctx, "lb")
	requireCanceled("LoadBalancer", err)
	_, err = s.LoadBalancers(ctx)
	requireCanceled("LoadBalancers", err)
	requireCanceled("UpdateLoadBalancer", s.UpdateLoadBalancer(ctx, "lb", func(g *lb.LoadBalancer) error {
		t.Error("fn ran with a canceled context")
		return nil
	}))
	requireCanceled("CreateLoadBalancer", s.CreateLoadBalancer(ctx, Graph("lb2")))
	requireCanceled("CreatePort", s.CreatePort(ctx, store.Port{ID: "p", SubnetID: "s", IPAddress: "10.0.0.1"}))
	_, err = s.LoadBalancer(t.Context(), "lb2")
	requireNotFound(t, "a load balancer created with a canceled context", err)
	requireGraph(t, Graph("lb"), mustLoad(t, s, "lb"))
}

// recv waits for a value of ch, at most waitLimit.
func recv[T any](t testing.TB, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLimit):
		t.Fatalf("%s: nothing after %s", what, waitLimit)
		var zero T
		return zero
	}
}

// Exclusion checks that an UpdateLoadBalancer in progress through a excludes
// every other update through b (b may be a, or another handle on the same
// database), even of another load balancer, while reads through b go on and
// see the last committed state; and that an update waiting for the lock gives
// up when its context ends.
func Exclusion(t *testing.T, a, b store.Store) {
	ctx := t.Context()
	mustCreate(t, a, Graph("x1"))
	mustCreate(t, a, Graph("x2"))

	entered, release := make(chan struct{}), make(chan struct{})
	errA := make(chan error, 1)
	go func() {
		errA <- a.UpdateLoadBalancer(ctx, "x1", func(g *lb.LoadBalancer) error {
			g.Description = "by a"
			close(entered)
			select {
			case <-release:
			case <-time.After(waitLimit):
			}
			return nil
		})
	}()
	select {
	case <-entered:
	case err := <-errA:
		t.Fatalf("the first update ended before its fn ran: %v", err)
	case <-time.After(waitLimit):
		t.Fatal("the first update did not start")
	}

	bEntered := make(chan struct{})
	errB := make(chan error, 1)
	go func() {
		errB <- b.UpdateLoadBalancer(ctx, "x1", func(g *lb.LoadBalancer) error {
			close(bEntered)
			if g.Description != "by a" {
				return fmt.Errorf("the second update saw description %q, want the first's %q", g.Description, "by a")
			}
			g.Description = "by b"
			return nil
		})
	}()

	// Reads do not wait for the writer.
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	g, err := b.LoadBalancer(rctx, "x1")
	cancel()
	if err != nil {
		t.Fatalf("LoadBalancer while an update is in progress: %v", err)
	}
	if g.Description != Graph("x1").Description {
		t.Fatalf("LoadBalancer while an update is in progress saw description %q, want the committed one", g.Description)
	}

	// An update of another load balancer waits too, until its context ends.
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	err = b.UpdateLoadBalancer(short, "x2", func(*lb.LoadBalancer) error {
		t.Error("an update ran while another was in progress")
		return nil
	})
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("an update that waited past its deadline returned %v, want context.DeadlineExceeded", err)
	}

	select {
	case <-bEntered:
		t.Fatal("the second update ran while the first was in progress")
	case err := <-errB:
		t.Fatalf("the second update ended while the first was in progress: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if err := recv(t, "first update", errA); err != nil {
		t.Fatalf("first update: %v", err)
	}
	if err := recv(t, "second update", errB); err != nil {
		t.Fatalf("second update: %v", err)
	}
	if g := mustLoad(t, a, "x1"); g.Description != "by b" {
		t.Fatalf("description = %q, want the second update's", g.Description)
	}
	requireGraph(t, Graph("x2"), mustLoad(t, b, "x2"))
}

// errNotActive is what the updates of Concurrency return when the load
// balancer is not ACTIVE: Octavia's 409.
var errNotActive = errors.New("storetest: load balancer is not ACTIVE")

// Concurrency runs updates of one load balancer from many goroutines spread
// over the stores (handles on one database): each worker waits until it reads
// the load balancer ACTIVE, then updates it: checks it is ACTIVE, sets it
// PENDING_UPDATE and adds a member, or fails with a conflict. A goroutine per
// store waits for PENDING_UPDATE and sets it back to ACTIVE. Every successful
// update must be kept (as many members as successes) and no two may have seen
// the same ACTIVE (no more successes than returns to ACTIVE, plus one).
// Readers check that every graph they load is a committed one.
func Concurrency(t *testing.T, stores ...store.Store) {
	const (
		workers   = 16
		attempts  = 8
		maxPolls  = 100000
		pollEvery = 100 * time.Microsecond
		maxReads  = 100000
	)
	ctx := t.Context()
	g := Graph("busy")
	g.Pools[0].Members = nil
	mustCreate(t, stores[0], g)

	var (
		successes, flips atomic.Int64
		workersWG        sync.WaitGroup
		othersWG         sync.WaitGroup
		done             = make(chan struct{})
	)
	// waitFor polls (reads take no lock) until the load balancer has the
	// status, and reports whether it did before the end of the test.
	waitFor := func(s store.Store, status string) bool {
		for range maxPolls {
			select {
			case <-done:
				return false
			default:
			}
			g, err := s.LoadBalancer(ctx, "busy")
			if err != nil {
				t.Errorf("reading: %v", err)
				return false
			}
			if g.ProvisioningStatus == status {
				return true
			}
			time.Sleep(pollEvery)
		}
		return false
	}
	for w := range workers {
		s := stores[w%len(stores)]
		workersWG.Go(func() {
			for i := range attempts {
				// Many workers see ACTIVE at once and race to update.
				waitFor(s, "ACTIVE")
				err := s.UpdateLoadBalancer(ctx, "busy", func(g *lb.LoadBalancer) error {
					if g.ProvisioningStatus != "ACTIVE" {
						return errNotActive
					}
					g.ProvisioningStatus = "PENDING_UPDATE"
					Member(g.Pools[0], fmt.Sprintf("busy-member-%02d-%02d", w, i), at(1000+w*attempts+i))
					return nil
				})
				switch {
				case err == nil:
					successes.Add(1)
				case errors.Is(err, errNotActive):
				default:
					t.Errorf("worker %d: %v", w, err)
					return
				}
			}
		})
	}
	for f := range len(stores) {
		s := stores[f]
		othersWG.Go(func() { // returns the load balancer to ACTIVE
			for range maxPolls {
				if !waitFor(s, "PENDING_UPDATE") {
					return
				}
				flipped := false
				err := s.UpdateLoadBalancer(ctx, "busy", func(g *lb.LoadBalancer) error {
					flipped = false
					if g.ProvisioningStatus != "PENDING_UPDATE" {
						return nil
					}
					g.ProvisioningStatus = "ACTIVE"
					flipped = true
					return nil
				})
				if err != nil {
					t.Errorf("flipper %d: %v", f, err)
					return
				}
				if flipped {
					flips.Add(1)
				}
			}
		})
		othersWG.Go(func() { // reads committed states only
			last := 0
			for range maxReads {
				select {
				case <-done:
					return
				default:
				}
				time.Sleep(pollEvery)
				g, err := s.LoadBalancer(ctx, "busy")
				if err != nil {
					t.Errorf("reader %d: %v", f, err)
					return
				}
				n := len(g.Pools[0].Members)
				if n < last {
					t.Errorf("reader %d: %d members after %d", f, n, last)
					return
				}
				last = n
				if st := g.ProvisioningStatus; st != "ACTIVE" && st != "PENDING_UPDATE" {
					t.Errorf("reader %d: status %q", f, st)
					return
				}
			}
		})
	}
	workersWG.Wait()
	close(done)
	othersWG.Wait()

	got := mustLoad(t, stores[len(stores)-1], "busy")
	n := int64(len(got.Pools[0].Members))
	t.Logf("%d successful updates, %d returns to ACTIVE, %d members", successes.Load(), flips.Load(), n)
	if successes.Load() == 0 {
		t.Fatal("no update succeeded")
	}
	if n != successes.Load() {
		t.Fatalf("%d members after %d successful updates: updates were lost", n, successes.Load())
	}
	if successes.Load() > flips.Load()+1 {
		t.Fatalf("%d successful updates but the load balancer was ACTIVE only %d times: two updates saw the same state", successes.Load(), flips.Load()+1)
	}
	want := make(map[string]bool)
	for _, m := range got.Pools[0].Members {
		if want[m.ID] {
			t.Fatalf("member %s twice", m.ID)
		}
		want[m.ID] = true
	}
}
