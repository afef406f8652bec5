package apiserver

import (
	"errors"
	"net/http"
	"strings"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// Versions ([PO] api/root_controller.py): v2.0 to v2.26, the last CURRENT.
func apiVersions() [][2]string {
	return [][2]string{
		{"v2.0", "2016-12-11T00:00:00Z"}, {"v2.1", "2018-04-20T00:00:00Z"}, {"v2.2", "2018-07-31T00:00:00Z"},
		{"v2.3", "2018-12-18T00:00:00Z"}, {"v2.4", "2018-12-19T00:00:00Z"}, {"v2.5", "2019-01-21T00:00:00Z"},
		{"v2.6", "2019-01-25T00:00:00Z"}, {"v2.7", "2018-01-25T12:00:00Z"}, {"v2.8", "2019-02-12T00:00:00Z"},
		{"v2.9", "2019-03-04T00:00:00Z"}, {"v2.10", "2019-03-05T00:00:00Z"}, {"v2.11", "2019-06-24T00:00:00Z"},
		{"v2.12", "2019-09-11T00:00:00Z"}, {"v2.13", "2019-09-13T00:00:00Z"}, {"v2.14", "2019-11-10T00:00:00Z"},
		{"v2.15", "2020-03-10T00:00:00Z"}, {"v2.16", "2020-03-15T00:00:00Z"}, {"v2.17", "2020-04-29T00:00:00Z"},
		{"v2.18", "2020-04-29T01:00:00Z"}, {"v2.19", "2020-05-12T00:00:00Z"}, {"v2.20", "2020-08-02T00:00:00Z"},
		{"v2.21", "2020-09-03T00:00:00Z"}, {"v2.22", "2020-09-04T00:00:00Z"}, {"v2.23", "2020-09-07T00:00:00Z"},
		{"v2.24", "2020-10-15T00:00:00Z"}, {"v2.25", "2021-10-02T00:00:00Z"}, {"v2.26", "2022-08-29T00:00:00Z"},
	}
}

// hostURL is pecan's request.path_url of the root, with a final slash.
func hostURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := scheme + "://" + r.Host + r.URL.Path
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

func (s *server) versions(w http.ResponseWriter, r *http.Request) {
	base := hostURL(r)
	versions := apiVersions()
	out := make([]view, 0, len(versions))
	for i, v := range versions {
		status := "SUPPORTED"
		if i == len(versions)-1 {
			status = "CURRENT"
		}
		out = append(out, view{
			"id":      v[0],
			"status":  status,
			"updated": v[1],
			"links":   []view{{"href": base + "v2", "rel": "self"}},
		})
	}
	writeJSON(w, http.StatusOK, view{"versions": out})
}

func (s *server) v2Root(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, "v2")
}

// Providers ([PO] api/v2/controllers/provider.py and the amphora driver's
// flavor and availability zone schemas).

// flavorCapabilities of the amphora provider, in schema order.
func amphoraFlavorCapabilities() [][2]string {
	return [][2]string{
		{"loadbalancer_topology", "The load balancer topology. One of: SINGLE - One amphora per load balancer. " +
			"ACTIVE_STANDBY - Two amphora per load balancer."},
		{"compute_flavor", "The compute driver flavor ID."},
		{"amp_image_tag", "The amphora image tag."},
	}
}

func amphoraAZCapabilities() [][2]string {
	return [][2]string{
		{"compute_zone", "The compute availability zone."},
		{"management_network", "The management network ID for the amphora."},
		{"valid_vip_networks", "List of network IDs that are allowed for VIP use. This overrides/replaces the " +
			"list of allowed networks configured in `octavia.conf`."},
	}
}

func nameDescriptions(pairs [][2]string, r *http.Request, filter bool) []view {
	q := r.URL.Query()
	out := make([]view, 0, len(pairs))
	for _, p := range pairs {
		if filter {
			if n := q.Get("name"); n != "" && p[0] != n {
				continue
			}
			if d := q.Get("description"); d != "" && p[1] != d {
				continue
			}
		}
		out = append(out, selectFields(view{"name": p[0], "description": p[1]}, fieldsOf(r)))
	}
	return out
}

func (s *server) listProviders(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, view{"providers": nameDescriptions(enabledProviders(), r, false)})
}

func (s *server) flavorCapabilities(w http.ResponseWriter, r *http.Request) {
	if p := r.PathValue("provider"); !providerEnabled(p) {
		s.writeError(w, r, providerNotEnabled(p))
		return
	}
	writeJSON(w, http.StatusOK, view{"flavor_capabilities": nameDescriptions(amphoraFlavorCapabilities(), r, true)})
}

func (s *server) azCapabilities(w http.ResponseWriter, r *http.Request) {
	if p := r.PathValue("provider"); !providerEnabled(p) {
		s.writeError(w, r, providerNotEnabled(p))
		return
	}
	writeJSON(w, http.StatusOK, view{"availability_zone_capabilities": nameDescriptions(amphoraAZCapabilities(), r, true)})
}

// Amphorae ([PO] api/v2/controllers/amphora.py).

func amphoraAttrs(g *lb.LoadBalancer, a *lb.Amphora) map[string]any {
	return scalarAttrs(amphoraView(a), map[string]any{"load_balancer_id": nullable(a.LoadBalancerID), "project_id": g.ProjectID})
}

func amphoraCollection() collection {
	return collection{
		name:      "amphorae",
		linksName: "amphorae_links",
		aliases:   map[string]string{"load_balancer_id": "loadbalancer_id"},
		translate: map[string]string{"loadbalancer_id": "load_balancer_id"},
		known:     knownAttrs(amphoraAttrs(&lb.LoadBalancer{}, &lb.Amphora{})),
	}
}

func (s *server) listAmphorae(w http.ResponseWriter, r *http.Request) {
	graphs, err := s.store.LoadBalancers(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var items []listItem
	for _, g := range graphs {
		for _, a := range g.Amphorae {
			if a.LoadBalancerID == "" {
				a.LoadBalancerID = g.ID
			}
			items = append(items, listItem{view: amphoraView(a), attrs: amphoraAttrs(g, a), deleted: deleted(a.Status)})
		}
	}
	s.list(w, r, amphoraCollection(), items)
}

func (s *server) amphoraGraph(r *http.Request, id string) (*lb.LoadBalancer, *lb.Amphora, error) {
	g, err := s.graphOf(r.Context(), store.KindAmphora, id, resAmphora)
	if err != nil {
		return nil, nil, err
	}
	a := findAmphora(g, id)
	if a == nil {
		return nil, nil, notFound(resAmphora, id)
	}
	if a.LoadBalancerID == "" {
		a.LoadBalancerID = g.ID
	}
	return g, a, nil
}

func (s *server) getAmphora(w http.ResponseWriter, r *http.Request) {
	_, a, err := s.amphoraGraph(r, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeObject(w, r, http.StatusOK, "amphora", amphoraView(a))
}

func (s *server) failoverAmphora(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := checkQueryArgs(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	g0, _, err := s.amphoraGraph(r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	err = s.update(r.Context(), g0.ID, func(g *lb.LoadBalancer) error {
		a := findAmphora(g, id)
		if a == nil {
			return notFound(resAmphora, id)
		}
		if err := s.lockLB(g); err != nil {
			return err
		}
		a.Status = lb.StatusPendingDelete
		a.UpdatedAt = s.timestamp()
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusAccepted)
}

func (s *server) amphoraStats(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	g, a, err := s.amphoraGraph(r, id)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.status == http.StatusNotFound {
			err = notFound("Amphora stats for", id)
		}
		s.writeError(w, r, err)
		return
	}
	counters := s.listenerCounters(r.Context(), g)
	var out []view
	for _, li := range liveListeners(g) {
		v := statsView(counters[li.ID])
		v["id"], v["listener_id"], v["loadbalancer_id"] = a.ID, li.ID, g.ID
		out = append(out, v)
	}
	if len(out) == 0 {
		s.writeError(w, r, notFound("Amphora stats for", id))
		return
	}
	writeJSON(w, http.StatusOK, view{"amphora_stats": out})
}

// Flavors, flavor profiles, availability zones and their profiles: lbaasd
// has none, so their lists are empty and every one is not found ([PO]
// api/v2/controllers/flavors.py, flavor_profiles.py, availability_zones.py,
// availability_zone_profiles.py).
func emptyCatalogs() []struct{ path, coll, links, resource string } {
	return []struct{ path, coll, links, resource string }{
		{"flavors", "flavors", "flavors_links", "Flavor"},
		{"flavorprofiles", "flavorprofiles", "flavorprofile_links", "Flavor Profile"},
		{"availabilityzones", "availability_zones", "availability_zones_links", "Availability Zone"},
		{"availabilityzoneprofiles", "availability_zone_profiles", "availability_zone_profile_links", "Availability Zone Profile"},
	}
}

func (s *server) catalogRoutes(p string, handle func(string, methods)) {
	for _, c := range emptyCatalogs() {
		handle(p+"/"+c.path, methods{http.MethodGet: func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, http.StatusOK, view{c.coll: []view{}, c.links: []view{}})
		}})
		handle(p+"/"+c.path+"/{id}", methods{http.MethodGet: func(w http.ResponseWriter, r *http.Request) {
			s.writeError(w, r, notFound(c.resource, r.PathValue("id")))
		}})
	}
	handle(p+"/quotas", methods{http.MethodGet: func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, view{"quotas": []view{}, "quotas_links": []view{}})
	}})
	handle(p+"/quotas/{project_id}", methods{http.MethodGet: s.quota})
	handle(p+"/quotas/{project_id}/default", methods{http.MethodGet: s.quota})
}

// quota answers a project's quotas: lbaasd enforces none, so every project
// has Octavia's defaults (-1, unlimited). "defaults" is a project ID as far
// as Octavia is concerned (the CLI's "quota defaults show" asks for it).
func (s *server) quota(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, view{"quota": view{
		"load_balancer": -1, "listener": -1, "member": -1, "pool": -1, "health_monitor": -1, "l7policy": -1, "l7rule": -1,
	}})
}
