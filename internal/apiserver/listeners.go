package apiserver

import (
	"errors"
	"net/http"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// Listeners ([PO] api/v2/controllers/listener.py).

func listenerAttrs(g *lb.LoadBalancer, li *lb.Listener) map[string]any {
	return scalarAttrs(listenerView(g, li, false), map[string]any{
		"loadbalancer_id":              g.ID,
		"load_balancer_id":             g.ID,
		"enabled":                      li.AdminStateUp,
		"tls_certificate_id":           nullable(li.DefaultTLSContainerRef),
		"client_ca_tls_certificate_id": nullable(li.ClientCATLSContainerRef),
		"client_crl_container_id":      nullable(li.ClientCRLContainerRef),
	})
}

func listenerCollection() collection {
	return collection{
		name:      "listeners",
		linksName: "listeners_links",
		aliases:   map[string]string{"enabled": "admin_state_up"},
		translate: map[string]string{"admin_state_up": "enabled", "default_tls_container_ref": "tls_certificate_id"},
		known:     knownAttrs(listenerAttrs(&lb.LoadBalancer{}, &lb.Listener{})),
	}
}

func (s *server) listListeners(w http.ResponseWriter, r *http.Request) {
	graphs, err := s.store.LoadBalancers(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var items []listItem
	for _, g := range graphs {
		for _, li := range g.Listeners {
			items = append(items, listItem{view: listenerView(g, li, false), attrs: listenerAttrs(g, li), tags: li.Tags,
				deleted: deleted(li.ProvisioningStatus)})
		}
	}
	s.list(w, r, listenerCollection(), items)
}

// listenerGraph loads a live listener and its load balancer.
func (s *server) listenerGraph(r *http.Request, id string) (*lb.LoadBalancer, *lb.Listener, error) {
	g, err := s.graphOf(r.Context(), store.KindListener, id, resListener)
	if err != nil {
		return nil, nil, err
	}
	li := findListener(g, id)
	if li == nil {
		return nil, nil, notFound(resListener, id)
	}
	return g, li, nil
}

func (s *server) getListener(w http.ResponseWriter, r *http.Request) {
	g, li, err := s.listenerGraph(r, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeObject(w, r, http.StatusOK, "listener", listenerView(g, li, false))
}

func (s *server) listenerStats(w http.ResponseWriter, r *http.Request) {
	g, li, err := s.listenerGraph(r, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view{"stats": statsView(s.listenerCounters(r.Context(), g)[li.ID])})
}

// lbForChild loads the load balancer a new child names: Octavia looks it up
// with show_deleted, so a missing one is a 404 and a DELETED one fails the
// status check later.
func (s *server) lbForChild(r *http.Request, id string) (*lb.LoadBalancer, error) {
	g, err := s.store.LoadBalancer(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(resLoadBalancer, id)
	}
	return g, err
}

func (s *server) createListener(w http.ResponseWriter, r *http.Request) {
	var req listenerReq
	if err := s.decodeRequest(r, maxGraphBody, "listener_", s.sch.listenerPost, "listener", &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	lbID := req.LoadBalancerID.V
	if _, err := s.lbForChild(r, lbID); err != nil {
		s.writeError(w, r, err)
		return
	}
	var resp view
	err := s.update(r.Context(), lbID, func(g *lb.LoadBalancer) error {
		// ListenersController.post: the default pool first, then the lock,
		// then _validate_create_listener.
		if req.DefaultPoolID.Has() {
			if req.Protocol.V == lb.ProtocolPrometheus {
				return clientError(http.StatusBadRequest, "Protocol PROMETHEUS listeners cannot have child objects.")
			}
			p := findPool(g, req.DefaultPoolID.V)
			if p == nil {
				return notFound(resPool, req.DefaultPoolID.V)
			}
			if err := lb.CheckListenerPoolProtocol(req.Protocol.V, p.Protocol); err != nil {
				return err
			}
		}
		if err := s.lockLB(g); err != nil {
			return err
		}
		// A default pool or redirect pools given in full are created with
		// the listener, as in a fully populated load balancer.
		nPools := len(g.Pools)
		if err := s.buildGraph(g, []*listenerReq{&req}, nil, s.timestamp()); err != nil {
			return err
		}
		li := g.Listeners[len(g.Listeners)-1]
		for _, p := range g.Pools[nPools:] {
			if err := validatePoolTree(p, g); err != nil {
				return err
			}
		}
		if err := lb.ValidateListener(li, g); err != nil {
			return err
		}
		if err := s.addPolicies(g, li); err != nil {
			return err
		}
		resp = listenerView(g, li, false)
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, view{"listener": resp})
}

// validatePoolTree validates a new pool, its health monitor and members,
// and the amphora provider's limits on them.
func validatePoolTree(p *lb.Pool, g *lb.LoadBalancer) error {
	if err := lb.ValidatePool(p, g); err != nil {
		return err
	}
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
	return nil
}

// addPolicies validates, sanitizes and orders the L7 policies a new
// listener carries.
func (s *server) addPolicies(g *lb.LoadBalancer, li *lb.Listener) error {
	policies := li.L7Policies
	li.L7Policies = nil
	for _, pol := range policies {
		position := pol.Position
		if err := lb.ValidateL7Policy(pol, li, g); err != nil {
			return err
		}
		for _, rule := range pol.Rules {
			if err := lb.ValidateL7Rule(rule, pol); err != nil {
				return err
			}
		}
		if err := lb.SanitizeL7Policy(pol); err != nil {
			return err
		}
		if err := lb.SupportedByAmphoraL7Policy(pol, li); err != nil {
			return err
		}
		insertPolicy(li, pol, position)
	}
	return nil
}

// tlsOrHeaders is _is_tls_or_insert_header on a PUT body.
func (req *listenerReq) tlsOrHeaders() bool {
	return req.DefaultTLSContainerRef.Or("") != "" || req.ClientCATLSContainerRef.Or("") != "" ||
		len(req.SNIContainerRefs.Or(nil)) > 0 || len(req.InsertHeaders.Or(nil)) > 0
}

func (s *server) updateListener(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var req listenerReq
	if err := s.decodeRequest(r, maxBody, "listener_", s.sch.listenerPut, "listener", &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	g0, _, err := s.listenerGraph(r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var resp view
	err = s.update(r.Context(), g0.ID, func(g *lb.LoadBalancer) error {
		li := findListener(g, id)
		if li == nil {
			return notFound(resListener, id)
		}
		if (li.Protocol == lb.ProtocolUDP || li.Protocol == lb.ProtocolSCTP) && req.tlsOrHeaders() {
			return validationFailure(li.Protocol + " protocol listener does not support TLS or header insertion.")
		}
		c := *li
		applyListenerPut(&c, &req)
		if err := lb.ValidateListener(&c, g); err != nil {
			return err
		}
		if err := s.lockLB(g); err != nil {
			return err
		}
		*li = c
		li.ProvisioningStatus = lb.StatusPendingUpdate
		li.UpdatedAt = s.timestamp()
		resp = listenerView(g, li, false)
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view{"listener": resp})
}

// applyListenerPut merges a PUT body into a listener; null resets what
// ListenersController._set_default_on_none resets and clears the rest.
func applyListenerPut(li *lb.Listener, req *listenerReq) {
	setStr := func(o Opt[string], dst *string, def string) {
		if o.Set {
			*dst = o.Or(def)
		}
	}
	setInt := func(o Opt[int], dst *int, def int) {
		if o.Set {
			*dst = o.Or(def)
		}
	}
	setList := func(o Opt[[]string], dst *[]string, def []string) {
		if o.Set {
			*dst = o.Or(def)
		}
	}
	setStr(req.Name, &li.Name, "")
	setStr(req.Description, &li.Description, "")
	if req.AdminStateUp.Set {
		li.AdminStateUp = req.AdminStateUp.Or(false)
	}
	setInt(req.ConnectionLimit, &li.ConnectionLimit, lb.DefaultConnectionLimit)
	setStr(req.DefaultTLSContainerRef, &li.DefaultTLSContainerRef, "")
	setList(req.SNIContainerRefs, &li.SNIContainerRefs, nil)
	setStr(req.DefaultPoolID, &li.DefaultPoolID, "")
	if req.InsertHeaders.Set {
		li.InsertHeaders = req.InsertHeaders.Or(map[string]string{})
	}
	setInt(req.TimeoutClientData, &li.TimeoutClientData, lb.DefaultTimeoutClientData)
	setInt(req.TimeoutMemberConnect, &li.TimeoutMemberConnect, lb.DefaultTimeoutMemberConnect)
	setInt(req.TimeoutMemberData, &li.TimeoutMemberData, lb.DefaultTimeoutMemberData)
	setInt(req.TimeoutTCPInspect, &li.TimeoutTCPInspect, lb.DefaultTimeoutTCPInspect)
	if req.Tags.Has() {
		li.Tags = req.Tags.V
	}
	setStr(req.ClientCATLSContainerRef, &li.ClientCATLSContainerRef, "")
	setStr(req.ClientAuthentication, &li.ClientAuthentication, lb.ClientAuthNone)
	setStr(req.ClientCRLContainerRef, &li.ClientCRLContainerRef, "")
	setList(req.AllowedCIDRs, &li.AllowedCIDRs, nil)
	setStr(req.TLSCiphers, &li.TLSCiphers, defaultCiphers)
	setList(req.TLSVersions, &li.TLSVersions, defaultTLSVersions())
	setList(req.ALPNProtocols, &li.ALPNProtocols, defaultALPN())
}

func (s *server) deleteListener(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := checkQueryArgs(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	g0, _, err := s.listenerGraph(r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	err = s.update(r.Context(), g0.ID, func(g *lb.LoadBalancer) error {
		li := findListener(g, id)
		if li == nil {
			return notFound(resListener, id)
		}
		if err := s.lockLB(g); err != nil {
			return err
		}
		li.ProvisioningStatus = lb.StatusPendingDelete
		li.UpdatedAt = s.timestamp()
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusNoContent)
}
