package apiserver

import (
	"errors"
	"net/http"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// Members ([PO] api/v2/controllers/member.py).

func memberAttrs(p *lb.Pool, m *lb.Member) map[string]any {
	return scalarAttrs(memberView(m), map[string]any{
		"pool_id":    p.ID,
		"ip_address": m.Address,
		"enabled":    m.AdminStateUp,
	})
}

func memberCollection() collection {
	return collection{
		name:      "members",
		linksName: "members_links",
		aliases:   map[string]string{"enabled": "admin_state_up", "ip_address": "address"},
		translate: map[string]string{"admin_state_up": "enabled", "address": "ip_address"},
		known:     knownAttrs(memberAttrs(&lb.Pool{}, &lb.Member{})),
	}
}

func (s *server) listMembers(w http.ResponseWriter, r *http.Request) {
	_, p, err := s.poolGraph(r, r.PathValue("pool_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items := make([]listItem, 0, len(p.Members))
	for _, m := range p.Members {
		items = append(items, listItem{view: memberView(m), attrs: memberAttrs(p, m), tags: m.Tags,
			deleted: deleted(m.ProvisioningStatus)})
	}
	s.list(w, r, memberCollection(), items)
}

// memberOf finds a live member of the pool; a member of another pool is not
// found.
func memberOf(p *lb.Pool, id string) *lb.Member {
	for _, m := range p.Members {
		if m.ID == id && !deleted(m.ProvisioningStatus) {
			return m
		}
	}
	return nil
}

func (s *server) getMember(w http.ResponseWriter, r *http.Request) {
	_, p, err := s.poolGraph(r, r.PathValue("pool_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	m := memberOf(p, id)
	if m == nil {
		s.writeError(w, r, notFound(resMember, id))
		return
	}
	writeObject(w, r, http.StatusOK, "member", memberView(m))
}

func (s *server) createMember(w http.ResponseWriter, r *http.Request) {
	poolID := r.PathValue("pool_id")
	g0, _, err := s.poolGraph(r, poolID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req memberReq
	if err := s.decodeRequest(r, maxBody, "member_", s.sch.memberPost, "member", &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	var resp view
	err = s.update(r.Context(), g0.ID, func(g *lb.LoadBalancer) error {
		p := findPool(g, poolID)
		if p == nil {
			return notFound(resPool, poolID)
		}
		m := newMember(&req, s.newID(), p, g.ProjectID, s.timestamp())
		// The address checks, then the lock, then the database's unique key.
		if err := lb.ValidateMember(m, nil); err != nil {
			return err
		}
		if err := s.lockPoolChild(g, p); err != nil {
			return err
		}
		if err := lb.ValidateMember(m, p); err != nil {
			return err
		}
		p.Members = append(p.Members, m)
		if err := lb.SupportedByAmphoraMember(m, p, g); err != nil {
			return err
		}
		resp = memberView(m)
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, view{"member": resp})
}

func (s *server) updateMember(w http.ResponseWriter, r *http.Request) {
	poolID, id := r.PathValue("pool_id"), r.PathValue("id")
	// The pool of the path is looked up while routing, before the body is
	// read.
	g0, _, err := s.poolGraph(r, poolID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req memberReq
	if err := s.decodeRequest(r, maxBody, "member_", s.sch.memberPut, "member", &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	var resp view
	err = s.update(r.Context(), g0.ID, func(g *lb.LoadBalancer) error {
		p := findPool(g, poolID)
		if p == nil {
			return notFound(resPool, poolID)
		}
		m := memberOf(p, id)
		if m == nil {
			return notFound(resMember, id)
		}
		c := *m
		applyMemberPut(&c, &req)
		if err := lb.ValidateMember(&c, p); err != nil {
			return err
		}
		if err := s.lockPoolChild(g, p); err != nil {
			return err
		}
		*m = c
		m.ProvisioningStatus = lb.StatusPendingUpdate
		m.UpdatedAt = s.timestamp()
		resp = memberView(m)
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view{"member": resp})
}

// applyMemberPut merges a PUT body (MemberPUT) into a member; null weight
// and backup reset to their defaults.
func applyMemberPut(m *lb.Member, req *memberReq) {
	if req.Name.Set {
		m.Name = req.Name.Or("")
	}
	if req.AdminStateUp.Set {
		m.AdminStateUp = req.AdminStateUp.Or(false)
	}
	if req.Weight.Set {
		m.Weight = req.Weight.Or(lb.DefaultWeight)
	}
	if req.Backup.Set {
		m.Backup = req.Backup.Or(false)
	}
	if req.MonitorPort.Set {
		m.MonitorPort = nil
		if req.MonitorPort.Has() {
			m.MonitorPort = intPtr(req.MonitorPort.V)
		}
	}
	if req.MonitorAddress.Set {
		m.MonitorAddress = req.MonitorAddress.Or("")
	}
	if req.Tags.Has() {
		m.Tags = req.Tags.V
	}
}

func (s *server) deleteMember(w http.ResponseWriter, r *http.Request) {
	poolID, id := r.PathValue("pool_id"), r.PathValue("id")
	g0, _, err := s.poolGraph(r, poolID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := checkQueryArgs(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	err = s.update(r.Context(), g0.ID, func(g *lb.LoadBalancer) error {
		p := findPool(g, poolID)
		if p == nil {
			return notFound(resPool, poolID)
		}
		m := memberOf(p, id)
		if m == nil {
			return notFound(resMember, id)
		}
		if err := s.lockPoolChild(g, p); err != nil {
			return err
		}
		m.ProvisioningStatus = lb.StatusPendingDelete
		m.UpdatedAt = s.timestamp()
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusNoContent)
}

// batchMembers is MembersController.put: the body's members replace the
// pool's, matched on (address, protocol_port): new ones are created, known
// ones updated (with MemberPOST's defaults for what the body leaves out),
// the others deleted unless additive_only.
func (s *server) batchMembers(w http.ResponseWriter, r *http.Request) {
	poolID := r.PathValue("pool_id")
	g0, _, err := s.poolGraph(r, poolID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req membersPutReq
	if err := s.decodeRequest(r, maxGraphBody, "members_", s.sch.membersPut, "", &req, "additive_only"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !req.Members.Has() {
		s.writeError(w, r, clientError(http.StatusBadRequest, (&inputError{"members", "None", "Mandatory field missing."}).Error()))
		return
	}
	additive := boolFromString(r.URL.Query().Get("additive_only"))
	err = s.update(r.Context(), g0.ID, func(g *lb.LoadBalancer) error {
		p := findPool(g, poolID)
		if p == nil {
			return notFound(resPool, poolID)
		}
		if err := s.lockPoolChild(g, p); err != nil {
			return err
		}
		type key struct {
			addr string
			port int
		}
		old := map[key]*lb.Member{}
		for _, m := range p.Members {
			if !deleted(m.ProvisioningStatus) {
				old[key{m.Address, m.ProtocolPort}] = m
			}
		}
		wanted := map[key]bool{}
		now := s.timestamp()
		var created, updated []*lb.Member
		for _, mr := range req.Members.V {
			k := key{mr.Address.V, mr.ProtocolPort.V}
			wanted[k] = true
			if m, ok := old[k]; ok {
				applyMemberBatch(m, mr)
				m.ProvisioningStatus = lb.StatusPendingUpdate
				m.UpdatedAt = now
				updated = append(updated, m)
				continue
			}
			m := newMember(mr, s.newID(), p, g.ProjectID, now)
			if err := lb.ValidateMember(m, p); err != nil {
				return err
			}
			p.Members = append(p.Members, m)
			created = append(created, m)
		}
		for _, m := range append(created, updated...) {
			if err := lb.ValidateMember(m, p); err != nil {
				return err
			}
			if err := lb.SupportedByAmphoraMember(m, p, g); err != nil {
				return err
			}
		}
		if !additive {
			for k, m := range old {
				if !wanted[k] {
					m.ProvisioningStatus = lb.StatusPendingDelete
					m.UpdatedAt = now
				}
			}
		}
		if len(created) == 0 && len(updated) == 0 && len(old) == 0 {
			// A no-op: Octavia rolls back without touching any status.
			return errNoop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errNoop) {
		s.writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusAccepted)
}

// errNoop rolls back a write that changes nothing.
var errNoop = errors.New("no-op")

// applyMemberBatch updates a known member from a batch entry (MemberPOST):
// the attributes with defaults take them when absent.
func applyMemberBatch(m *lb.Member, req *memberReq) {
	if req.Name.Set {
		m.Name = req.Name.Or("")
	}
	m.AdminStateUp = adminState(req.AdminStateUp)
	m.Weight = req.Weight.Or(lb.DefaultWeight)
	m.Backup = req.Backup.Or(false)
	if req.SubnetID.Set {
		m.SubnetID = req.SubnetID.Or("")
	}
	m.MonitorPort = nil
	if req.MonitorPort.Has() {
		m.MonitorPort = intPtr(req.MonitorPort.V)
	}
	m.MonitorAddress = req.MonitorAddress.Or("")
	if req.Tags.Has() {
		m.Tags = req.Tags.V
	}
}
