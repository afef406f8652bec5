package apiserver

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// Pools ([PO] api/v2/controllers/pool.py).

func poolAttrs(g *lb.LoadBalancer, p *lb.Pool) map[string]any {
	var hmID any
	if hm := liveHM(p); hm != nil {
		hmID = hm.ID
	}
	return scalarAttrs(poolView(g, p, false), map[string]any{
		"loadbalancer_id":       g.ID,
		"load_balancer_id":      g.ID,
		"enabled":               p.AdminStateUp,
		"healthmonitor_id":      hmID,
		"tls_certificate_id":    nullable(p.TLSContainerRef),
		"ca_tls_certificate_id": nullable(p.CATLSContainerRef),
		"crl_container_id":      nullable(p.CRLContainerRef),
	})
}

func poolCollection() collection {
	return collection{
		name:      "pools",
		linksName: "pools_links",
		aliases:   map[string]string{"enabled": "admin_state_up"},
		translate: map[string]string{"admin_state_up": "enabled", "healthmonitor_id": "health_monitor.id",
			"tls_container_ref": "tls_certificate_id", "ca_tls_container_ref": "ca_tls_certificate_id",
			"crl_container_ref": "crl_container_id"},
		known: knownAttrs(poolAttrs(&lb.LoadBalancer{}, &lb.Pool{})),
	}
}

func (s *server) listPools(w http.ResponseWriter, r *http.Request) {
	graphs, err := s.store.LoadBalancers(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var items []listItem
	for _, g := range graphs {
		for _, p := range g.Pools {
			items = append(items, listItem{view: poolView(g, p, false), attrs: poolAttrs(g, p), tags: p.Tags,
				deleted: deleted(p.ProvisioningStatus)})
		}
	}
	s.list(w, r, poolCollection(), items)
}

// poolGraph loads a live pool and its load balancer.
func (s *server) poolGraph(r *http.Request, id string) (*lb.LoadBalancer, *lb.Pool, error) {
	g, err := s.graphOf(r.Context(), store.KindPool, id, resPool)
	if err != nil {
		return nil, nil, err
	}
	p := findPool(g, id)
	if p == nil {
		return nil, nil, notFound(resPool, id)
	}
	return g, p, nil
}

func (s *server) getPool(w http.ResponseWriter, r *http.Request) {
	g, p, err := s.poolGraph(r, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeObject(w, r, http.StatusOK, "pool", poolView(g, p, false))
}

func (s *server) createPool(w http.ResponseWriter, r *http.Request) {
	var req poolReq
	if err := s.decodeRequest(r, maxGraphBody, "pool_", s.sch.poolPost, "pool", &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	// PoolsController.post: the load balancer from loadbalancer_id, else
	// from the listener.
	var lbID string
	switch {
	case req.LoadBalancerID.Has():
		lbID = req.LoadBalancerID.V
		if _, err := s.lbForChild(r, lbID); err != nil {
			s.writeError(w, r, err)
			return
		}
	case req.ListenerID.Has():
		ref, err := s.store.Locate(r.Context(), store.KindListener, req.ListenerID.V)
		if errors.Is(err, store.ErrNotFound) {
			err = notFound(resListener, req.ListenerID.V)
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		lbID = ref.LoadBalancerID
	default:
		s.writeError(w, r, validationFailure("Must provide at least one of: loadbalancer_id, listener_id"))
		return
	}
	var resp view
	err := s.update(r.Context(), lbID, func(g *lb.LoadBalancer) error {
		now := s.timestamp()
		p := newPool(&req, s.newID(), g.ID, g.ProjectID, now)
		if p.ListenerID != "" && findListener(g, p.ListenerID) == nil {
			return notFound(resListener, p.ListenerID)
		}
		if err := lb.ValidatePool(p, g); err != nil {
			return err
		}
		var listeners []*lb.Listener
		if p.ListenerID != "" {
			listeners = append(listeners, g.Listener(p.ListenerID))
		}
		if err := s.lockLB(g); err != nil {
			return err
		}
		s.markListeners(listeners, lb.StatusPendingUpdate)
		for _, li := range listeners {
			li.DefaultPoolID = p.ID
		}
		// listener_id is a request attribute, not a pool field.
		p.ListenerID = ""
		if req.HealthMonitor.Has() {
			if err := hmMissing(req.HealthMonitor.V); err != nil {
				return err
			}
			p.HealthMonitor = newHealthMonitor(req.HealthMonitor.V, s.newID(), p, g.ProjectID, now)
			p.HealthMonitor.SetDefaults()
		}
		for _, mr := range req.Members.Or(nil) {
			p.Members = append(p.Members, newMember(mr, s.newID(), p, g.ProjectID, now))
		}
		g.Pools = append(g.Pools, p)
		if p.HealthMonitor != nil {
			if err := lb.ValidateHealthMonitor(p.HealthMonitor, p); err != nil {
				return err
			}
		}
		for _, m := range p.Members {
			if err := lb.ValidateMember(m, p); err != nil {
				return err
			}
		}
		if err := lb.SupportedByAmphoraPool(p); err != nil {
			return err
		}
		for _, m := range p.Members {
			if err := lb.SupportedByAmphoraMember(m, p, g); err != nil {
				return err
			}
		}
		resp = poolView(g, p, false)
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, view{"pool": resp})
}

func (s *server) updatePool(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var req poolReq
	if err := s.decodeRequest(r, maxBody, "pool_", s.sch.poolPut, "pool", &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	g0, _, err := s.poolGraph(r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var resp view
	err = s.update(r.Context(), g0.ID, func(g *lb.LoadBalancer) error {
		p := findPool(g, id)
		if p == nil {
			return notFound(resPool, id)
		}
		c := *p
		c.ListenerID = ""
		applyPoolPut(&c, &req)
		if err := lb.ValidatePool(&c, g); err != nil {
			return err
		}
		if err := lb.SupportedByAmphoraPool(&c); err != nil {
			return err
		}
		if err := s.lockLB(g); err != nil {
			return err
		}
		s.markListeners(g.ListenersOfPool(id), lb.StatusPendingUpdate)
		*p = c
		p.ProvisioningStatus = lb.StatusPendingUpdate
		p.UpdatedAt = s.timestamp()
		resp = poolView(g, p, false)
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view{"pool": resp})
}

// applyPoolPut merges a PUT body into a pool as PoolsController.put and
// update_pool_and_sp do: a null session_persistence removes it, an object
// replaces it keeping the stored type when none is given.
func applyPoolPut(p *lb.Pool, req *poolReq) {
	if req.Name.Set {
		p.Name = req.Name.Or("")
	}
	if req.Description.Set {
		p.Description = req.Description.Or("")
	}
	if req.AdminStateUp.Set {
		p.AdminStateUp = req.AdminStateUp.Or(false)
	}
	if req.LBAlgorithm.Has() {
		p.LBAlgorithm = req.LBAlgorithm.V
	}
	if req.SessionPersistence.Set {
		if !req.SessionPersistence.Has() {
			p.SessionPersistence = nil
		} else {
			sp := newSessionPersistence(req.SessionPersistence.V)
			if sp.Type == "" && p.SessionPersistence != nil {
				sp.Type = p.SessionPersistence.Type
			}
			p.SessionPersistence = sp
		}
	}
	if req.Tags.Has() {
		p.Tags = req.Tags.V
	}
	if req.TLSContainerRef.Set {
		p.TLSContainerRef = req.TLSContainerRef.Or("")
	}
	if req.CATLSContainerRef.Set {
		p.CATLSContainerRef = req.CATLSContainerRef.Or("")
	}
	if req.CRLContainerRef.Set {
		p.CRLContainerRef = req.CRLContainerRef.Or("")
	}
	if req.TLSEnabled.Set {
		p.TLSEnabled = req.TLSEnabled.Or(false)
	}
	if req.TLSCiphers.Set {
		p.TLSCiphers = req.TLSCiphers.Or(defaultCiphers)
	}
	if req.TLSVersions.Set {
		p.TLSVersions = req.TLSVersions.Or(defaultTLSVersions())
	}
	if req.ALPNProtocols.Set {
		p.ALPNProtocols = req.ALPNProtocols.Or(nil)
	}
}

func (s *server) deletePool(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := checkQueryArgs(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	g0, _, err := s.poolGraph(r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	err = s.update(r.Context(), g0.ID, func(g *lb.LoadBalancer) error {
		p := findPool(g, id)
		if p == nil {
			return notFound(resPool, id)
		}
		for _, li := range g.Listeners {
			for _, pol := range li.L7Policies {
				if pol.RedirectPoolID == id && !deleted(pol.ProvisioningStatus) {
					return clientError(http.StatusConflict, fmt.Sprintf("Pool %s is in use by L7 policy %s", id, pol.ID))
				}
			}
		}
		if err := s.lockLB(g); err != nil {
			return err
		}
		s.markListeners(g.ListenersOfPool(id), lb.StatusPendingUpdate)
		p.ProvisioningStatus = lb.StatusPendingDelete
		p.UpdatedAt = s.timestamp()
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusNoContent)
}
