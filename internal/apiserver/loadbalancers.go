package apiserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/network"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// Load balancers ([PO] api/v2/controllers/load_balancer.py).

// enabledProviders are [api_settings] enabled_provider_drivers, in order.
func enabledProviders() [][2]string {
	return [][2]string{
		{"amphora", "The Octavia Amphora driver."},
		{"octavia", "Deprecated alias of the Octavia Amphora driver."},
	}
}

func providerEnabled(name string) bool {
	for _, p := range enabledProviders() {
		if p[0] == name {
			return true
		}
	}
	return false
}

func providerNotEnabled(name string) error {
	return clientError(http.StatusBadRequest, fmt.Sprintf("Provider '%s' is not enabled.", name))
}

func lbCollection() collection {
	return collection{
		name:      "loadbalancers",
		linksName: "loadbalancers_links",
		aliases:   map[string]string{"enabled": "admin_state_up"},
		translate: map[string]string{"admin_state_up": "enabled", "vip_address": "vip.ip_address"},
		known:     knownAttrs(lbAttrs(&lb.LoadBalancer{})),
	}
}

func lbAttrs(g *lb.LoadBalancer) map[string]any {
	return scalarAttrs(lbView(g, false), map[string]any{"topology": nullable(g.Topology)})
}

func (s *server) listLoadBalancers(w http.ResponseWriter, r *http.Request) {
	graphs, err := s.store.LoadBalancers(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items := make([]listItem, 0, len(graphs))
	for _, g := range graphs {
		items = append(items, listItem{view: lbView(g, false), attrs: lbAttrs(g), tags: g.Tags, deleted: deleted(g.ProvisioningStatus)})
	}
	s.list(w, r, lbCollection(), items)
}

// liveLB loads a load balancer that is not DELETED.
func (s *server) liveLB(ctx context.Context, id string) (*lb.LoadBalancer, error) {
	g, err := s.store.LoadBalancer(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && deleted(g.ProvisioningStatus) {
		return nil, notFound(resLoadBalancer, id)
	}
	return g, err
}

func (s *server) getLoadBalancer(w http.ResponseWriter, r *http.Request) {
	g, err := s.liveLB(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeObject(w, r, http.StatusOK, "loadbalancer", lbView(g, false))
}

func (s *server) createLoadBalancer(w http.ResponseWriter, r *http.Request) {
	var req lbPostReq
	if err := s.decodeRequest(r, maxGraphBody, "load_balancer", s.sch.lbPost, "loadbalancer", &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	g, err := s.createGraph(r.Context(), &req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.ctrl.Enqueue(g.ID)
	writeJSON(w, http.StatusCreated, view{"loadbalancer": lbView(g, true)})
}

// createGraph is LoadBalancersController.post: validate, allocate the VIP,
// build the fully populated graph, validate it, store it.
func (s *server) createGraph(ctx context.Context, req *lbPostReq) (*lb.LoadBalancer, error) {
	project := s.projectOf(req.ProjectID)
	if project == "" {
		return nil, validationFailure("Missing project ID in request where one is required. " +
			"An administrator should check the keystone settings in the Octavia configuration.")
	}
	now := s.timestamp()
	g := &lb.LoadBalancer{
		ID:                 s.newID(),
		ProjectID:          project,
		Name:               req.Name.Or(""),
		Description:        req.Description.Or(""),
		AdminStateUp:       adminState(req.AdminStateUp),
		VIPAddress:         req.VIPAddress.Or(""),
		VIPPortID:          req.VIPPortID.Or(""),
		VIPSubnetID:        req.VIPSubnetID.Or(""),
		VIPNetworkID:       req.VIPNetworkID.Or(""),
		VIPQoSPolicyID:     req.VIPQoSPolicyID.Or(""),
		Provider:           req.Provider.Or(lb.DefaultProvider),
		FlavorID:           req.FlavorID.Or(""),
		AvailabilityZone:   req.AvailabilityZone.Or(""),
		Topology:           lb.TopologySingle,
		Tags:               tagsOf(req.Tags),
		ProvisioningStatus: lb.StatusPendingCreate,
		OperatingStatus:    lb.OperatingOffline,
		CreatedAt:          now,
	}
	if g.Provider == "" {
		g.Provider = lb.DefaultProvider
	}
	for _, a := range req.AdditionalVIPs.Or(nil) {
		g.AdditionalVIPs = append(g.AdditionalVIPs, lb.AdditionalVIP{SubnetID: a.SubnetID.Or(""), IPAddress: a.IPAddress.Or("")})
	}
	if err := lb.ValidateLoadBalancer(g); err != nil {
		return nil, err
	}
	vipReq := network.VIPRequest{PortID: g.VIPPortID, NetworkID: g.VIPNetworkID, SubnetID: g.VIPSubnetID, Address: g.VIPAddress}
	vip, err := s.net.AllocateVIP(ctx, g.ID, vipReq)
	if err != nil {
		return nil, vipError(err, vipReq)
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		// The request's context may be gone; freeing the address must not be.
		if err := s.net.DeallocateVIP(context.WithoutCancel(ctx), g.ID); err != nil {
			s.log.WarnContext(ctx, "freeing the VIP of a load balancer that was not created",
				slog.String("loadbalancer_id", g.ID), slog.Any("err", err))
		}
	}()
	g.VIPPortID, g.VIPNetworkID, g.VIPSubnetID, g.VIPAddress = vip.PortID, vip.NetworkID, vip.SubnetID, vip.Address

	switch {
	case g.FlavorID != "":
		return nil, validationFailure("Invalid flavor_id.")
	case g.AvailabilityZone != "":
		return nil, validationFailure("Invalid availability zone.")
	case !providerEnabled(g.Provider):
		return nil, providerNotEnabled(g.Provider)
	case len(g.AdditionalVIPs) > 0:
		return nil, clientError(http.StatusNotImplemented,
			fmt.Sprintf("Provider '%s' does not support a requested option: additional_vips", g.Provider))
	}
	if err := s.buildGraph(g, req.Listeners.Or(nil), req.Pools.Or(nil), now); err != nil {
		return nil, err
	}
	if err := lb.ValidateGraph(g); err != nil {
		return nil, err
	}
	for _, li := range g.Listeners {
		// Sanitize and order the L7 policies as their creation does.
		policies := li.L7Policies
		li.L7Policies = nil
		for _, pol := range policies {
			position := pol.Position
			if err := lb.SanitizeL7Policy(pol); err != nil {
				return nil, err
			}
			insertPolicy(li, pol, position)
		}
	}
	if err := lb.SupportedByAmphora(g); err != nil {
		return nil, err
	}
	if err := s.store.CreateLoadBalancer(ctx, g); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, clientError(http.StatusConflict, "Already an entity with that specified id.")
		}
		return nil, err
	}
	committed = true
	return g, nil
}

// vipError answers a network driver's refusal the way Octavia answers
// Neutron's: InvalidSubresource for a missing subnet, network or port, and
// Neutron's own 409/400 for addresses.
func vipError(err error, req network.VIPRequest) error {
	switch {
	case errors.Is(err, network.ErrSubnetNotFound):
		switch {
		case req.PortID != "":
			return clientError(http.StatusBadRequest, "Port "+req.PortID+" not found.")
		case req.SubnetID != "":
			return clientError(http.StatusBadRequest, "Subnet "+req.SubnetID+" not found.")
		default:
			return clientError(http.StatusBadRequest, "Network "+req.NetworkID+" not found.")
		}
	case errors.Is(err, network.ErrAddressInUse):
		return clientError(http.StatusConflict, fmt.Sprintf("IP address %s already allocated in subnet %s", req.Address, req.SubnetID))
	case errors.Is(err, network.ErrNoAddress):
		if req.Address != "" {
			return clientError(http.StatusBadRequest, fmt.Sprintf("IP address %s is not a valid IP for the specified subnet.", req.Address))
		}
		where := req.NetworkID
		if where == "" {
			where = req.SubnetID
		}
		return clientError(http.StatusConflict, fmt.Sprintf("No more IP addresses available on network %s.", where))
	}
	return fmt.Errorf("allocating the VIP: %w", err)
}

// poolIsReference tells a pool that only names another (a name and the
// attributes that always have a value) from a full definition, as
// _graph_create's "len(pool) > 3" does.
func poolIsReference(p *poolReq) bool {
	for _, name := range presentAttrs(p) {
		if name != "name" && name != "admin_state_up" && name != "tls_enabled" {
			return false
		}
	}
	return true
}

// buildGraph is LoadBalancersController._graph_create: pools named in
// listeners and L7 policies move to the top level, references resolve by
// name, then every object gets its ID, defaults and PENDING_CREATE status.
func (s *server) buildGraph(g *lb.LoadBalancer, listeners []*listenerReq, pools []*poolReq, now time.Time) error {
	var required []string
	for _, li := range listeners {
		if li.DefaultPool.Has() {
			dp := li.DefaultPool.V
			if !dp.Name.Has() || dp.Name.V == "" {
				return validationFailure("Pools must be named when creating a fully populated loadbalancer.")
			}
			if !poolIsReference(dp) {
				pools = append(pools, dp)
			} else {
				required = append(required, dp.Name.V)
			}
		}
		for _, pol := range li.L7Policies.Or(nil) {
			if !pol.RedirectPool.Has() {
				continue
			}
			rp := pol.RedirectPool.V
			if !rp.Name.Has() || rp.Name.V == "" {
				return validationFailure("Pools must be named when creating a fully populated loadbalancer.")
			}
			if !poolIsReference(rp) {
				pools = append(pools, rp)
			} else {
				required = append(required, rp.Name.V)
			}
		}
	}
	names := map[string]bool{}
	for _, p := range pools {
		name := poolName(p)
		if names[name] {
			return validationFailure("Pool names must be unique when creating a fully populated loadbalancer.")
		}
		names[name] = true
	}
	for _, name := range required {
		if !names[name] {
			return validationFailure(fmt.Sprintf("Pool '%s' was referenced but no full definition was found.", name))
		}
	}
	poolIDs := map[string]string{}
	for _, pr := range pools {
		for _, a := range []struct {
			name string
			set  bool
		}{{"protocol", pr.Protocol.Has()}, {"lb_algorithm", pr.LBAlgorithm.Has()}} {
			if !a.set {
				return validationFailure(fmt.Sprintf("Pool definition for '%s' missing required attribute: %s", poolName(pr), a.name))
			}
		}
		p := newPool(pr, s.newID(), g.ID, g.ProjectID, now)
		p.ListenerID = ""
		if pr.HealthMonitor.Has() {
			hr := pr.HealthMonitor.V
			if err := hmMissing(hr); err != nil {
				return err
			}
			p.HealthMonitor = newHealthMonitor(hr, s.newID(), p, g.ProjectID, now)
			p.HealthMonitor.SetDefaults()
		}
		for _, mr := range pr.Members.Or(nil) {
			p.Members = append(p.Members, newMember(mr, s.newID(), p, g.ProjectID, now))
		}
		g.Pools = append(g.Pools, p)
		if pr.Name.Has() {
			poolIDs[pr.Name.V] = p.ID
		}
	}
	for _, lr := range listeners {
		li := newListener(lr, s.newID(), g.ID, g.ProjectID, now)
		if lr.DefaultPool.Has() {
			li.DefaultPoolID = poolIDs[lr.DefaultPool.V.Name.V]
		}
		g.Listeners = append(g.Listeners, li)
		for _, pr := range lr.L7Policies.Or(nil) {
			pol := newL7Policy(pr, s.newID(), li, g.ProjectID, now)
			if pr.RedirectPool.Has() {
				pol.RedirectPoolID = poolIDs[pr.RedirectPool.V.Name.V]
			}
			for _, rr := range pr.Rules.Or(nil) {
				pol.Rules = append(pol.Rules, newL7Rule(rr, s.newID(), pol, g.ProjectID, now))
			}
			li.L7Policies = append(li.L7Policies, pol)
		}
	}
	return nil
}

// poolName is a pool's name as Python prints it ('None' when unset).
func poolName(p *poolReq) string {
	if p.Name.Has() {
		return p.Name.V
	}
	return "None"
}

func (s *server) updateLoadBalancer(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var req lbPutReq
	if err := s.decodeRequest(r, maxBody, "load_balancer", s.sch.lbPut, "loadbalancer", &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	var resp view
	err := s.update(r.Context(), id, func(g *lb.LoadBalancer) error {
		if deleted(g.ProvisioningStatus) {
			return notFound(resLoadBalancer, id)
		}
		if g.ProvisioningStatus != lb.StatusActive {
			return lbPendingState(g.ProvisioningStatus, id)
		}
		if req.Name.Set {
			g.Name = req.Name.Or("")
		}
		if req.Description.Set {
			g.Description = req.Description.Or("")
		}
		if req.VIPQoSPolicyID.Set {
			g.VIPQoSPolicyID = req.VIPQoSPolicyID.Or("")
		}
		if req.AdminStateUp.Set {
			g.AdminStateUp = req.AdminStateUp.Or(false)
		}
		if req.Tags.Has() {
			g.Tags = req.Tags.V
		}
		if err := lb.ValidateLoadBalancer(g); err != nil {
			return err
		}
		g.ProvisioningStatus = lb.StatusPendingUpdate
		g.UpdatedAt = s.timestamp()
		resp = lbView(g, false)
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view{"loadbalancer": resp})
}

func (s *server) deleteLoadBalancer(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := checkQueryArgs(r, "cascade"); err != nil {
		s.writeError(w, r, err)
		return
	}
	cascade := boolFromString(r.URL.Query().Get("cascade"))
	err := s.update(r.Context(), id, func(g *lb.LoadBalancer) error {
		if deleted(g.ProvisioningStatus) {
			return notFound(resLoadBalancer, id)
		}
		if (len(liveListeners(g)) > 0 || len(livePools(g)) > 0) && !cascade {
			return validationFailure(fmt.Sprintf("Cannot delete Load Balancer %s - it has children", id))
		}
		if g.ProvisioningStatus != lb.StatusActive && g.ProvisioningStatus != lb.StatusError {
			return lbPendingState(g.ProvisioningStatus, id)
		}
		now := s.timestamp()
		g.ProvisioningStatus = lb.StatusPendingDelete
		g.UpdatedAt = now
		if cascade {
			markTreeDeleting(g, now)
		}
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusNoContent)
}

// markTreeDeleting sets every live child of a cascade-deleted load balancer
// PENDING_DELETE.
func markTreeDeleting(g *lb.LoadBalancer, now time.Time) {
	mark := func(status *string, updated *time.Time) {
		if !deleted(*status) {
			*status = lb.StatusPendingDelete
			*updated = now
		}
	}
	for _, li := range g.Listeners {
		mark(&li.ProvisioningStatus, &li.UpdatedAt)
		for _, p := range li.L7Policies {
			mark(&p.ProvisioningStatus, &p.UpdatedAt)
			for _, r := range p.Rules {
				mark(&r.ProvisioningStatus, &r.UpdatedAt)
			}
		}
	}
	for _, p := range g.Pools {
		mark(&p.ProvisioningStatus, &p.UpdatedAt)
		if p.HealthMonitor != nil {
			mark(&p.HealthMonitor.ProvisioningStatus, &p.HealthMonitor.UpdatedAt)
		}
		for _, m := range p.Members {
			mark(&m.ProvisioningStatus, &m.UpdatedAt)
		}
	}
}

func (s *server) loadBalancerStatus(w http.ResponseWriter, r *http.Request) {
	g, err := s.liveLB(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, statusTree(g))
}

// listenerStats asks the stats source for a load balancer's counters; a
// failing source is logged and counts as zero.
func (s *server) listenerCounters(ctx context.Context, g *lb.LoadBalancer) map[string]Stats {
	if s.stats == nil {
		return nil
	}
	st, err := s.stats.ListenerStats(ctx, g)
	if err != nil {
		s.log.WarnContext(ctx, "reading listener statistics", slog.String("loadbalancer_id", g.ID), slog.Any("err", err))
		return nil
	}
	return st
}

func statsView(st Stats) view {
	return view{
		"bytes_in":           st.BytesIn,
		"bytes_out":          st.BytesOut,
		"active_connections": st.ActiveConnections,
		"total_connections":  st.TotalConnections,
		"request_errors":     st.RequestErrors,
	}
}

func (s *server) loadBalancerStats(w http.ResponseWriter, r *http.Request) {
	g, err := s.liveLB(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	counters := s.listenerCounters(r.Context(), g)
	var sum Stats
	for _, li := range liveListeners(g) {
		c := counters[li.ID]
		sum.BytesIn += c.BytesIn
		sum.BytesOut += c.BytesOut
		sum.ActiveConnections += c.ActiveConnections
		sum.TotalConnections += c.TotalConnections
		sum.RequestErrors += c.RequestErrors
	}
	writeJSON(w, http.StatusOK, view{"stats": statsView(sum)})
}

func (s *server) failoverLoadBalancer(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := s.update(r.Context(), id, func(g *lb.LoadBalancer) error {
		if deleted(g.ProvisioningStatus) {
			return notFound(resLoadBalancer, id)
		}
		if g.ProvisioningStatus != lb.StatusActive && g.ProvisioningStatus != lb.StatusError {
			return lbPendingState(g.ProvisioningStatus, id)
		}
		now := s.timestamp()
		g.ProvisioningStatus = lb.StatusPendingUpdate
		g.UpdatedAt = now
		for _, a := range g.Amphorae {
			if !deleted(a.Status) {
				a.Status = lb.StatusPendingDelete
				a.UpdatedAt = now
			}
		}
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusAccepted)
}
