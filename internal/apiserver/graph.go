package apiserver

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// Resource names of Octavia's NotFound and ImmutableObject answers
// (data_models._name(): the class name split at capitals).
const (
	resLoadBalancer  = "Load Balancer"
	resListener      = "Listener"
	resPool          = "Pool"
	resMember        = "Member"
	resHealthMonitor = "Health Monitor"
	resL7Policy      = "L7 Policy"
	resL7Rule        = "L7 Rule"
	resAmphora       = "Amphora"
)

// graphOf loads the graph of the load balancer an object of kind belongs
// to; a missing object is a 404 about resource.
func (s *server) graphOf(ctx context.Context, kind, id, resource string) (*lb.LoadBalancer, error) {
	ref, err := s.store.Locate(ctx, kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(resource, id)
	}
	if err != nil {
		return nil, err
	}
	g, err := s.store.LoadBalancer(ctx, ref.LoadBalancerID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(resource, id)
	}
	return g, err
}

// update runs fn on the graph of a load balancer in a write transaction and
// wakes the controller up when it committed.
func (s *server) update(ctx context.Context, lbID string, fn func(g *lb.LoadBalancer) error) error {
	err := s.store.UpdateLoadBalancer(ctx, lbID, fn)
	if errors.Is(err, store.ErrNotFound) {
		return notFound(resLoadBalancer, lbID)
	}
	if err != nil {
		return err
	}
	s.ctrl.Enqueue(lbID)
	return nil
}

func deleted(status string) bool { return status == lb.StatusDeleted }

func findListener(g *lb.LoadBalancer, id string) *lb.Listener {
	li := g.Listener(id)
	if li == nil || deleted(li.ProvisioningStatus) {
		return nil
	}
	return li
}

func findPool(g *lb.LoadBalancer, id string) *lb.Pool {
	p := g.Pool(id)
	if p == nil || deleted(p.ProvisioningStatus) {
		return nil
	}
	return p
}

func findHealthMonitor(g *lb.LoadBalancer, id string) (*lb.Pool, *lb.HealthMonitor) {
	for _, p := range g.Pools {
		if hm := p.HealthMonitor; hm != nil && hm.ID == id && !deleted(hm.ProvisioningStatus) {
			return p, hm
		}
	}
	return nil, nil
}

func findL7Policy(g *lb.LoadBalancer, id string) (*lb.Listener, *lb.L7Policy) {
	for _, li := range g.Listeners {
		for _, p := range li.L7Policies {
			if p.ID == id && !deleted(p.ProvisioningStatus) {
				return li, p
			}
		}
	}
	return nil, nil
}

func findAmphora(g *lb.LoadBalancer, id string) *lb.Amphora {
	for _, a := range g.Amphorae {
		if a.ID == id && !deleted(a.Status) {
			return a
		}
	}
	return nil
}

// lockLB is test_and_set_provisioning_status for a child write: the load
// balancer must be ACTIVE (else ImmutableObject), and becomes PENDING_UPDATE.
func (s *server) lockLB(g *lb.LoadBalancer) error {
	if g.ProvisioningStatus != lb.StatusActive {
		return immutable(resLoadBalancer, g.ID)
	}
	g.ProvisioningStatus = lb.StatusPendingUpdate
	g.UpdatedAt = s.timestamp()
	return nil
}

// markListeners sets listeners PENDING_UPDATE (or status).
func (s *server) markListeners(ls []*lb.Listener, status string) {
	now := s.timestamp()
	for _, li := range ls {
		li.ProvisioningStatus = status
		li.UpdatedAt = now
	}
}

// poolUnlocked is the check member, health monitor writes make first: the
// pool must be ACTIVE.
func poolUnlocked(p *lb.Pool) error {
	if p.ProvisioningStatus != lb.StatusActive {
		return immutable("Pool", p.ID)
	}
	return nil
}

// lockPoolChild locks a pool's load balancer for a member or health monitor
// write: pool ACTIVE, load balancer ACTIVE, then load balancer, the pool's
// listeners and the pool PENDING_UPDATE.
func (s *server) lockPoolChild(g *lb.LoadBalancer, p *lb.Pool) error {
	if err := poolUnlocked(p); err != nil {
		return err
	}
	if err := s.lockLB(g); err != nil {
		return err
	}
	s.markListeners(g.ListenersOfPool(p.ID), lb.StatusPendingUpdate)
	p.ProvisioningStatus = lb.StatusPendingUpdate
	p.UpdatedAt = s.timestamp()
	return nil
}

// renumberPolicies sets the positions of a listener's L7 policies to 1..n in
// their current order (Octavia's ordering list reorder()).
func renumberPolicies(li *lb.Listener) {
	slices.SortStableFunc(li.L7Policies, func(a, b *lb.L7Policy) int { return a.Position - b.Position })
	for i, p := range li.L7Policies {
		p.Position = i + 1
	}
}

// insertPolicy adds pol to the listener at position (appended when position
// is beyond the end), as L7PolicyRepository.create does.
func insertPolicy(li *lb.Listener, pol *lb.L7Policy, position int) {
	renumberPolicies(li)
	idx := len(li.L7Policies)
	if position >= 1 && position <= len(li.L7Policies) {
		idx = position - 1
	}
	li.L7Policies = slices.Insert(li.L7Policies, idx, pol)
	for i, p := range li.L7Policies {
		p.Position = i + 1
	}
}

// movePolicy moves pol to position, as L7PolicyRepository.update does.
func movePolicy(li *lb.Listener, pol *lb.L7Policy, position int) {
	renumberPolicies(li)
	i := slices.Index(li.L7Policies, pol)
	if i < 0 {
		return
	}
	li.L7Policies = slices.Delete(li.L7Policies, i, i+1)
	idx := min(position-1, len(li.L7Policies))
	li.L7Policies = slices.Insert(li.L7Policies, idx, pol)
	for i, p := range li.L7Policies {
		p.Position = i + 1
	}
}

// writeObject answers a single object, honouring ?fields=.
func writeObject(w http.ResponseWriter, r *http.Request, status int, root string, v view) {
	writeJSON(w, status, view{root: selectFields(v, fieldsOf(r))})
}

// writeEmpty answers a status without a body.
func writeEmpty(w http.ResponseWriter, status int) {
	w.WriteHeader(status)
}

// projectOf is the project of a new object (noauth): the body's project_id,
// else the configured default.
func (s *server) projectOf(o Opt[string]) string {
	if o.Has() && o.V != "" {
		return o.V
	}
	return s.project
}
