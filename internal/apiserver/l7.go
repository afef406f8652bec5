package apiserver

import (
	"errors"
	"net/http"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// L7 policies and rules ([PO] api/v2/controllers/l7policy.py, l7rule.py).

func l7policyViewOf(li *lb.Listener, pol *lb.L7Policy) view {
	v := l7policyView(pol, false)
	v["listener_id"] = li.ID
	return v
}

func l7policyAttrs(li *lb.Listener, pol *lb.L7Policy) map[string]any {
	return scalarAttrs(l7policyViewOf(li, pol), map[string]any{"enabled": pol.AdminStateUp})
}

func l7policyCollection() collection {
	return collection{
		name:      "l7policies",
		linksName: "l7policies_links",
		aliases:   map[string]string{"enabled": "admin_state_up"},
		translate: map[string]string{"admin_state_up": "enabled"},
		known:     knownAttrs(l7policyAttrs(&lb.Listener{}, &lb.L7Policy{})),
	}
}

func (s *server) listL7Policies(w http.ResponseWriter, r *http.Request) {
	graphs, err := s.store.LoadBalancers(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var items []listItem
	for _, g := range graphs {
		for _, li := range g.Listeners {
			for _, pol := range li.L7Policies {
				items = append(items, listItem{view: l7policyViewOf(li, pol), attrs: l7policyAttrs(li, pol), tags: pol.Tags,
					deleted: deleted(pol.ProvisioningStatus)})
			}
		}
	}
	s.list(w, r, l7policyCollection(), items)
}

func (s *server) l7policyGraph(r *http.Request, id, resource string) (*lb.LoadBalancer, *lb.Listener, *lb.L7Policy, error) {
	g, err := s.graphOf(r.Context(), store.KindL7Policy, id, resource)
	if err != nil {
		return nil, nil, nil, err
	}
	li, pol := findL7Policy(g, id)
	if pol == nil {
		return nil, nil, nil, notFound(resource, id)
	}
	return g, li, pol, nil
}

func (s *server) getL7Policy(w http.ResponseWriter, r *http.Request) {
	_, li, pol, err := s.l7policyGraph(r, r.PathValue("id"), resL7Policy)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeObject(w, r, http.StatusOK, "l7policy", l7policyViewOf(li, pol))
}

// lockListener locks a load balancer for an L7 write and sets the
// listener PENDING_UPDATE.
func (s *server) lockListener(g *lb.LoadBalancer, li *lb.Listener) error {
	if err := s.lockLB(g); err != nil {
		return err
	}
	s.markListeners([]*lb.Listener{li}, lb.StatusPendingUpdate)
	return nil
}

func (s *server) createL7Policy(w http.ResponseWriter, r *http.Request) {
	var req l7policyReq
	if err := s.decodeRequest(r, maxBody, "l7policy_", s.sch.l7policyPost, "l7policy", &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	listenerID := req.ListenerID.V
	ref, err := s.store.Locate(r.Context(), store.KindListener, listenerID)
	if errors.Is(err, store.ErrNotFound) {
		err = notFound(resListener, listenerID)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var resp view
	err = s.update(r.Context(), ref.LoadBalancerID, func(g *lb.LoadBalancer) error {
		li := findListener(g, listenerID)
		if li == nil {
			return notFound(resListener, listenerID)
		}
		now := s.timestamp()
		pol := newL7Policy(&req, s.newID(), li, g.ProjectID, now)
		for _, rr := range req.Rules.Or(nil) {
			pol.Rules = append(pol.Rules, newL7Rule(rr, s.newID(), pol, g.ProjectID, now))
		}
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
		if err := s.lockListener(g, li); err != nil {
			return err
		}
		insertPolicy(li, pol, position)
		if err := lb.SupportedByAmphoraL7Policy(pol, li); err != nil {
			return err
		}
		resp = l7policyViewOf(li, pol)
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, view{"l7policy": resp})
}

func (s *server) updateL7Policy(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var req l7policyReq
	if err := s.decodeRequest(r, maxBody, "l7policy_", s.sch.l7policyPut, "l7policy", &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	g0, _, _, err := s.l7policyGraph(r, id, resL7Policy)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var resp view
	err = s.update(r.Context(), g0.ID, func(g *lb.LoadBalancer) error {
		li, pol := findL7Policy(g, id)
		if pol == nil {
			return notFound(resL7Policy, id)
		}
		c := *pol
		if err := applyL7PolicyPut(&c, &req); err != nil {
			return err
		}
		if err := lb.ValidateL7Policy(&c, li, g); err != nil {
			return err
		}
		if err := lb.SupportedByAmphoraL7Policy(&c, li); err != nil {
			return err
		}
		if err := s.lockListener(g, li); err != nil {
			return err
		}
		*pol = c
		pol.ProvisioningStatus = lb.StatusPendingUpdate
		pol.UpdatedAt = s.timestamp()
		if req.Position.Has() {
			movePolicy(li, pol, req.Position.V)
		}
		resp = l7policyViewOf(li, pol)
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view{"l7policy": resp})
}

// applyL7PolicyPut merges a PUT body into a policy as L7PolicyController.put
// and L7PolicyRepository.update do: the body alone is sanitized (so a
// redirect action needs its target in the same body), then the action
// clears the redirect fields it does not use.
func applyL7PolicyPut(c *lb.L7Policy, req *l7policyReq) error {
	if req.Name.Set {
		c.Name = req.Name.Or("")
	}
	if req.Description.Set {
		c.Description = req.Description.Or("")
	}
	if req.AdminStateUp.Set {
		c.AdminStateUp = req.AdminStateUp.Or(false)
	}
	if req.Tags.Has() {
		c.Tags = req.Tags.V
	}
	tmp := &lb.L7Policy{
		Action:         req.Action.Or(""),
		RedirectURL:    req.RedirectURL.Or(""),
		RedirectPoolID: req.RedirectPoolID.Or(""),
		RedirectPrefix: req.RedirectPrefix.Or(""),
	}
	if req.RedirectHTTPCode.Has() {
		tmp.RedirectHTTPCode = intPtr(req.RedirectHTTPCode.V)
	}
	if tmp.Action == "" && tmp.RedirectURL == "" && tmp.RedirectPoolID == "" && tmp.RedirectPrefix == "" {
		// Nothing to sanitize: the attributes given (null clears) apply.
		if req.RedirectURL.Set {
			c.RedirectURL = ""
		}
		if req.RedirectPoolID.Set {
			c.RedirectPoolID = ""
		}
		if req.RedirectPrefix.Set {
			c.RedirectPrefix = ""
		}
		if req.RedirectHTTPCode.Set {
			c.RedirectHTTPCode = tmp.RedirectHTTPCode
		}
		return nil
	}
	if err := lb.SanitizeL7Policy(tmp); err != nil {
		return err
	}
	c.Action = tmp.Action
	switch c.Action {
	case lb.L7ActionReject:
		c.RedirectURL, c.RedirectPoolID, c.RedirectPrefix, c.RedirectHTTPCode = "", "", "", nil
	case lb.L7ActionRedirectToURL:
		c.RedirectURL, c.RedirectPoolID, c.RedirectPrefix, c.RedirectHTTPCode = tmp.RedirectURL, "", "", tmp.RedirectHTTPCode
	case lb.L7ActionRedirectToPool:
		c.RedirectURL, c.RedirectPoolID, c.RedirectPrefix, c.RedirectHTTPCode = "", tmp.RedirectPoolID, "", nil
	case lb.L7ActionRedirectPrefix:
		c.RedirectURL, c.RedirectPoolID, c.RedirectPrefix, c.RedirectHTTPCode = "", "", tmp.RedirectPrefix, tmp.RedirectHTTPCode
	}
	return nil
}

func (s *server) deleteL7Policy(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := checkQueryArgs(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	g0, _, _, err := s.l7policyGraph(r, id, resL7Policy)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	err = s.update(r.Context(), g0.ID, func(g *lb.LoadBalancer) error {
		li, pol := findL7Policy(g, id)
		if pol == nil {
			return notFound(resL7Policy, id)
		}
		if err := s.lockListener(g, li); err != nil {
			return err
		}
		pol.ProvisioningStatus = lb.StatusPendingDelete
		pol.UpdatedAt = s.timestamp()
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusNoContent)
}

// L7 rules. The policy of the path is looked up first; Octavia's lookup
// names it "L7Policy".
const resL7PolicyLookup = "L7Policy"

func l7ruleAttrs(pol *lb.L7Policy, rule *lb.L7Rule) map[string]any {
	return scalarAttrs(l7ruleView(rule), map[string]any{"l7policy_id": pol.ID, "enabled": rule.AdminStateUp})
}

func l7ruleCollection() collection {
	return collection{
		name:      "rules",
		linksName: "rules_links",
		aliases:   map[string]string{"enabled": "admin_state_up"},
		translate: map[string]string{"admin_state_up": "enabled"},
		known:     knownAttrs(l7ruleAttrs(&lb.L7Policy{}, &lb.L7Rule{})),
	}
}

func (s *server) listL7Rules(w http.ResponseWriter, r *http.Request) {
	_, _, pol, err := s.l7policyGraph(r, r.PathValue("policy_id"), resL7PolicyLookup)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items := make([]listItem, 0, len(pol.Rules))
	for _, rule := range pol.Rules {
		items = append(items, listItem{view: l7ruleView(rule), attrs: l7ruleAttrs(pol, rule), tags: rule.Tags,
			deleted: deleted(rule.ProvisioningStatus)})
	}
	s.list(w, r, l7ruleCollection(), items)
}

func ruleOf(pol *lb.L7Policy, id string) *lb.L7Rule {
	for _, rule := range pol.Rules {
		if rule.ID == id && !deleted(rule.ProvisioningStatus) {
			return rule
		}
	}
	return nil
}

func (s *server) getL7Rule(w http.ResponseWriter, r *http.Request) {
	_, _, pol, err := s.l7policyGraph(r, r.PathValue("policy_id"), resL7PolicyLookup)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	rule := ruleOf(pol, id)
	if rule == nil {
		s.writeError(w, r, notFound(resL7Rule, id))
		return
	}
	writeObject(w, r, http.StatusOK, "rule", l7ruleView(rule))
}

// lockPolicyChild locks for a rule write: the policy must be ACTIVE, then
// the load balancer; load balancer, listener and policy become
// PENDING_UPDATE.
func (s *server) lockPolicyChild(g *lb.LoadBalancer, li *lb.Listener, pol *lb.L7Policy) error {
	if pol.ProvisioningStatus != lb.StatusActive {
		return immutable(resL7PolicyLookup, pol.ID)
	}
	if err := s.lockListener(g, li); err != nil {
		return err
	}
	pol.ProvisioningStatus = lb.StatusPendingUpdate
	pol.UpdatedAt = s.timestamp()
	return nil
}

func (s *server) createL7Rule(w http.ResponseWriter, r *http.Request) {
	policyID := r.PathValue("policy_id")
	g0, _, _, err := s.l7policyGraph(r, policyID, resL7PolicyLookup)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req l7ruleReq
	if err := s.decodeRequest(r, maxBody, "rule_", s.sch.l7rulePost, "rule", &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	var resp view
	err = s.update(r.Context(), g0.ID, func(g *lb.LoadBalancer) error {
		li, pol := findL7Policy(g, policyID)
		if pol == nil {
			return notFound(resL7PolicyLookup, policyID)
		}
		rule := newL7Rule(&req, s.newID(), pol, g.ProjectID, s.timestamp())
		if err := lb.ValidateL7Rule(rule, pol); err != nil {
			return err
		}
		if err := s.lockPolicyChild(g, li, pol); err != nil {
			return err
		}
		pol.Rules = append(pol.Rules, rule)
		resp = l7ruleView(rule)
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, view{"rule": resp})
}

func (s *server) updateL7Rule(w http.ResponseWriter, r *http.Request) {
	policyID, id := r.PathValue("policy_id"), r.PathValue("id")
	g0, _, _, err := s.l7policyGraph(r, policyID, resL7PolicyLookup)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req l7ruleReq
	if err := s.decodeRequest(r, maxBody, "l7rule_", s.sch.l7rulePut, "rule", &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	var resp view
	err = s.update(r.Context(), g0.ID, func(g *lb.LoadBalancer) error {
		li, pol := findL7Policy(g, policyID)
		if pol == nil {
			return notFound(resL7PolicyLookup, policyID)
		}
		rule := ruleOf(pol, id)
		if rule == nil {
			return notFound(resL7Rule, id)
		}
		c := *rule
		if req.Type.Set {
			c.Type = req.Type.Or("")
		}
		if req.CompareType.Set {
			c.CompareType = req.CompareType.Or("")
		}
		if req.Key.Set {
			c.Key = req.Key.Or("")
		}
		if req.Value.Set {
			c.Value = req.Value.Or("")
		}
		if req.Invert.Set {
			c.Invert = req.Invert.Or(false)
		}
		if req.AdminStateUp.Set {
			c.AdminStateUp = req.AdminStateUp.Or(false)
		}
		if req.Tags.Has() {
			c.Tags = req.Tags.V
		}
		if err := lb.ValidateL7Rule(&c, pol); err != nil {
			return err
		}
		if err := s.lockPolicyChild(g, li, pol); err != nil {
			return err
		}
		*rule = c
		rule.ProvisioningStatus = lb.StatusPendingUpdate
		rule.UpdatedAt = s.timestamp()
		resp = l7ruleView(rule)
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view{"rule": resp})
}

func (s *server) deleteL7Rule(w http.ResponseWriter, r *http.Request) {
	policyID, id := r.PathValue("policy_id"), r.PathValue("id")
	g0, _, _, err := s.l7policyGraph(r, policyID, resL7PolicyLookup)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := checkQueryArgs(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	err = s.update(r.Context(), g0.ID, func(g *lb.LoadBalancer) error {
		li, pol := findL7Policy(g, policyID)
		if pol == nil {
			return notFound(resL7PolicyLookup, policyID)
		}
		rule := ruleOf(pol, id)
		if rule == nil {
			return notFound(resL7Rule, id)
		}
		if err := s.lockPolicyChild(g, li, pol); err != nil {
			return err
		}
		rule.ProvisioningStatus = lb.StatusPendingDelete
		rule.UpdatedAt = s.timestamp()
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusNoContent)
}
