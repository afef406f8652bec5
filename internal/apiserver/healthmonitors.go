package apiserver

import (
	"errors"
	"net/http"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// Health monitors ([PO] api/v2/controllers/health_monitor.py).

func hmAttrs(p *lb.Pool, hm *lb.HealthMonitor) map[string]any {
	return scalarAttrs(hmViewOf(p, hm), map[string]any{
		"pool_id":        p.ID,
		"enabled":        hm.AdminStateUp,
		"rise_threshold": hm.MaxRetries,
		"fall_threshold": hm.MaxRetriesDown,
	})
}

// hmViewOf renders a health monitor with its pool taken from the graph.
func hmViewOf(p *lb.Pool, hm *lb.HealthMonitor) view {
	v := hmView(hm)
	v["pools"] = idView(p.ID)
	return v
}

func hmCollection() collection {
	return collection{
		name:      "healthmonitors",
		linksName: "healthmonitors_links",
		aliases:   map[string]string{"enabled": "admin_state_up", "rise_threshold": "max_retries", "fall_threshold": "max_retries_down"},
		translate: map[string]string{"admin_state_up": "enabled", "max_retries": "rise_threshold", "max_retries_down": "fall_threshold"},
		known:     knownAttrs(hmAttrs(&lb.Pool{}, &lb.HealthMonitor{})),
	}
}

func (s *server) listHealthMonitors(w http.ResponseWriter, r *http.Request) {
	graphs, err := s.store.LoadBalancers(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var items []listItem
	for _, g := range graphs {
		for _, p := range g.Pools {
			if hm := p.HealthMonitor; hm != nil {
				items = append(items, listItem{view: hmViewOf(p, hm), attrs: hmAttrs(p, hm), tags: hm.Tags,
					deleted: deleted(hm.ProvisioningStatus)})
			}
		}
	}
	s.list(w, r, hmCollection(), items)
}

func (s *server) hmGraph(r *http.Request, id string) (*lb.LoadBalancer, *lb.Pool, *lb.HealthMonitor, error) {
	g, err := s.graphOf(r.Context(), store.KindHealthMonitor, id, resHealthMonitor)
	if err != nil {
		return nil, nil, nil, err
	}
	p, hm := findHealthMonitor(g, id)
	if hm == nil {
		return nil, nil, nil, notFound(resHealthMonitor, id)
	}
	return g, p, hm, nil
}

func (s *server) getHealthMonitor(w http.ResponseWriter, r *http.Request) {
	_, p, hm, err := s.hmGraph(r, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeObject(w, r, http.StatusOK, "healthmonitor", hmViewOf(p, hm))
}

func (s *server) createHealthMonitor(w http.ResponseWriter, r *http.Request) {
	var req hmReq
	if err := s.decodeRequest(r, maxBody, "health_monitor_", s.sch.hmPost, "healthmonitor", &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	poolID := req.PoolID.V
	ref, err := s.store.Locate(r.Context(), store.KindPool, poolID)
	if errors.Is(err, store.ErrNotFound) {
		err = notFound(resPool, poolID)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var resp view
	err = s.update(r.Context(), ref.LoadBalancerID, func(g *lb.LoadBalancer) error {
		p := findPool(g, poolID)
		if p == nil {
			return notFound(resPool, poolID)
		}
		if err := hmMissing(&req); err != nil {
			return err
		}
		hm := newHealthMonitor(&req, s.newID(), p, g.ProjectID, s.timestamp())
		// The checks, then the lock, then the one-monitor-per-pool key.
		if err := lb.ValidateHealthMonitor(hm, p); err != nil && !isConflict(err) {
			return err
		}
		if err := s.lockPoolChild(g, p); err != nil {
			return err
		}
		if err := lb.ValidateHealthMonitor(hm, p); err != nil {
			return err
		}
		hm.SetDefaults()
		p.HealthMonitor = hm
		resp = hmViewOf(p, hm)
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, view{"healthmonitor": resp})
}

// isConflict tells a 409 of package lb (a duplicate) from its other answers.
func isConflict(err error) bool {
	var le *lb.Error
	return errors.As(err, &le) && le.Status == http.StatusConflict
}

func (s *server) updateHealthMonitor(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var req hmReq
	if err := s.decodeRequest(r, maxBody, "health_monitor_", s.sch.hmPut, "healthmonitor", &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	g0, _, _, err := s.hmGraph(r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var resp view
	err = s.update(r.Context(), g0.ID, func(g *lb.LoadBalancer) error {
		p, hm := findHealthMonitor(g, id)
		if hm == nil {
			return notFound(resHealthMonitor, id)
		}
		// _validate_update_hm.
		if hm.Type != lb.MonitorHTTP && hm.Type != lb.MonitorHTTPS {
			for _, f := range []struct {
				name string
				set  bool
			}{{"http_method", req.HTTPMethod.Set}, {"url_path", req.URLPath.Set}, {"expected_codes", req.ExpectedCodes.Set}} {
				if f.set {
					return clientError(http.StatusBadRequest, f.name+" is not a valid option for health monitors of type "+hm.Type)
				}
			}
		}
		for _, f := range []struct {
			name string
			null bool
		}{{"delay", req.Delay.Null}, {"max_retries", req.MaxRetries.Null}, {"timeout", req.Timeout.Null}} {
			if f.null {
				return clientError(http.StatusBadRequest, "None is not a valid option for "+f.name)
			}
		}
		c := *hm
		applyHMPut(&c, &req)
		if err := lb.ValidateHealthMonitor(&c, p); err != nil {
			return err
		}
		if err := s.lockPoolChild(g, p); err != nil {
			return err
		}
		*hm = c
		hm.ProvisioningStatus = lb.StatusPendingUpdate
		hm.UpdatedAt = s.timestamp()
		resp = hmViewOf(p, hm)
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view{"healthmonitor": resp})
}

// applyHMPut merges a PUT body into a health monitor; null resets what
// _set_default_on_none resets and clears the rest.
func applyHMPut(hm *lb.HealthMonitor, req *hmReq) {
	if req.Name.Set {
		hm.Name = req.Name.Or("")
	}
	if req.Delay.Has() {
		hm.Delay = req.Delay.V
	}
	if req.Timeout.Has() {
		hm.Timeout = req.Timeout.V
	}
	if req.MaxRetriesDown.Set {
		hm.MaxRetriesDown = req.MaxRetriesDown.Or(lb.DefaultMaxRetriesDown)
	}
	if req.MaxRetries.Has() {
		hm.MaxRetries = req.MaxRetries.V
	}
	if req.HTTPMethod.Set {
		hm.HTTPMethod = req.HTTPMethod.Or(lb.DefaultHTTPMethod)
	}
	if req.URLPath.Set {
		hm.URLPath = req.URLPath.Or(lb.DefaultURLPath)
	}
	if req.ExpectedCodes.Set {
		hm.ExpectedCodes = req.ExpectedCodes.Or(lb.DefaultExpectedCodes)
	}
	if req.AdminStateUp.Set {
		hm.AdminStateUp = req.AdminStateUp.Or(false)
	}
	if req.Tags.Has() {
		hm.Tags = req.Tags.V
	}
	if req.HTTPVersion.Set {
		hm.HTTPVersion = nil
		if req.HTTPVersion.Has() {
			v := req.HTTPVersion.V
			hm.HTTPVersion = &v
		}
	}
	if req.DomainName.Set {
		hm.DomainName = req.DomainName.Or("")
	}
}

func (s *server) deleteHealthMonitor(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := checkQueryArgs(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	g0, _, _, err := s.hmGraph(r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	err = s.update(r.Context(), g0.ID, func(g *lb.LoadBalancer) error {
		p, hm := findHealthMonitor(g, id)
		if hm == nil {
			return notFound(resHealthMonitor, id)
		}
		if err := s.lockPoolChild(g, p); err != nil {
			return err
		}
		hm.ProvisioningStatus = lb.StatusPendingDelete
		hm.UpdatedAt = s.timestamp()
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusNoContent)
}
