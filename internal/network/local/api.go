package local

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/netip"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// API serves a read-only part of Neutron's v2.0 API for the local subnets,
// their networks and the VIP ports: what the openstack CLI and gophercloud
// look up (`--vip-subnet-id NAME`, `openstack subnet list`) when lbaasd is
// both their load-balancer and their network endpoint.
type API struct {
	store store.Store
}

// NewAPI returns the handler; mount it at /v2.0/subnets, /v2.0/networks and
// /v2.0/ports (and their /{id} paths).
func NewAPI(s store.Store) *API { return &API{store: s} }

// Register adds the routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	for _, prefix := range []string{"/v2.0", "/v2"} {
		mux.HandleFunc("GET "+prefix+"/subnets", a.listSubnets)
		mux.HandleFunc("GET "+prefix+"/subnets/{id}", a.showSubnet)
		mux.HandleFunc("GET "+prefix+"/networks", a.listNetworks)
		mux.HandleFunc("GET "+prefix+"/networks/{id}", a.showNetwork)
		mux.HandleFunc("GET "+prefix+"/ports", a.listPorts)
		mux.HandleFunc("GET "+prefix+"/ports/{id}", a.showPort)
	}
}

type subnetView struct {
	ID              string           `json:"id"`
	Name            string           `json:"name"`
	Description     string           `json:"description"`
	NetworkID       string           `json:"network_id"`
	CIDR            string           `json:"cidr"`
	IPVersion       int              `json:"ip_version"`
	GatewayIP       string           `json:"gateway_ip"`
	EnableDHCP      bool             `json:"enable_dhcp"`
	AllocationPools []map[string]any `json:"allocation_pools"`
	DNSNameservers  []string         `json:"dns_nameservers"`
	HostRoutes      []any            `json:"host_routes"`
	TenantID        string           `json:"tenant_id"`
	ProjectID       string           `json:"project_id"`
	Tags            []string         `json:"tags"`
	CreatedAt       string           `json:"created_at"`
	UpdatedAt       string           `json:"updated_at"`
	RevisionNumber  int              `json:"revision_number"`
}

type networkView struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	Description    string   `json:"description"`
	Subnets        []string `json:"subnets"`
	Status         string   `json:"status"`
	AdminStateUp   bool     `json:"admin_state_up"`
	Shared         bool     `json:"shared"`
	External       bool     `json:"router:external"`
	MTU            int      `json:"mtu"`
	PortSecurity   bool     `json:"port_security_enabled"`
	TenantID       string   `json:"tenant_id"`
	ProjectID      string   `json:"project_id"`
	Tags           []string `json:"tags"`
	CreatedAt      string   `json:"created_at"`
	UpdatedAt      string   `json:"updated_at"`
	RevisionNumber int      `json:"revision_number"`
}

type portView struct {
	ID             string           `json:"id"`
	Name           string           `json:"name"`
	NetworkID      string           `json:"network_id"`
	FixedIPs       []map[string]any `json:"fixed_ips"`
	DeviceID       string           `json:"device_id"`
	DeviceOwner    string           `json:"device_owner"`
	AdminStateUp   bool             `json:"admin_state_up"`
	Status         string           `json:"status"`
	TenantID       string           `json:"tenant_id"`
	ProjectID      string           `json:"project_id"`
	Tags           []string         `json:"tags"`
	CreatedAt      string           `json:"created_at"`
	RevisionNumber int              `json:"revision_number"`
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func subnetOf(s store.Subnet) subnetView {
	v := subnetView{
		ID: s.ID, Name: s.Name, NetworkID: s.NetworkID, CIDR: s.CIDR, GatewayIP: s.Gateway,
		AllocationPools: []map[string]any{}, DNSNameservers: []string{}, HostRoutes: []any{}, Tags: []string{},
		CreatedAt: ts(s.CreatedAt), UpdatedAt: ts(s.CreatedAt), IPVersion: 4,
	}
	if p, err := netip.ParsePrefix(s.CIDR); err == nil {
		if p.Addr().Is6() {
			v.IPVersion = 6
		}
		first := p.Addr().Next().Next()
		last := lastUsable(p)
		if first.IsValid() && last.IsValid() {
			v.AllocationPools = append(v.AllocationPools, map[string]any{"start": first.String(), "end": last.String()})
		}
	}
	return v
}

func lastUsable(p netip.Prefix) netip.Addr {
	a := p.Addr()
	b := a.AsSlice()
	hostBits := len(b)*8 - p.Bits()
	for i := len(b) - 1; i >= 0 && hostBits > 0; i-- {
		n := min(hostBits, 8)
		b[i] |= byte(1<<n - 1)
		hostBits -= n
	}
	last, ok := netip.AddrFromSlice(b)
	if !ok {
		return netip.Addr{}
	}
	if last.Is4() {
		return last.Prev() // the broadcast address is not usable
	}
	return last
}

// matches applies Neutron's equality filters (repeated keys are ORed).
func matches(r *http.Request, fields map[string]string) bool {
	q := r.URL.Query()
	for key, want := range q {
		have, known := fields[key]
		if !known {
			continue // fields=, sort_key= and other list controls
		}
		ok := false
		for _, w := range want {
			if w == have {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func (a *API) subnets(w http.ResponseWriter, r *http.Request) ([]store.Subnet, bool) {
	subnets, err := a.store.Subnets(r.Context())
	if err != nil {
		neutronError(w, http.StatusInternalServerError, "InternalError", err.Error())
		return nil, false
	}
	return subnets, true
}

func (a *API) listSubnets(w http.ResponseWriter, r *http.Request) {
	subnets, ok := a.subnets(w, r)
	if !ok {
		return
	}
	out := []subnetView{}
	for _, s := range subnets {
		if matches(r, map[string]string{"id": s.ID, "name": s.Name, "network_id": s.NetworkID, "cidr": s.CIDR}) {
			out = append(out, subnetOf(s))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"subnets": out})
}

func (a *API) showSubnet(w http.ResponseWriter, r *http.Request) {
	s, err := a.store.Subnet(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		neutronError(w, http.StatusNotFound, "SubnetNotFound", "Subnet "+r.PathValue("id")+" could not be found.")
		return
	}
	if err != nil {
		neutronError(w, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"subnet": subnetOf(s)})
}

func (a *API) networks(w http.ResponseWriter, r *http.Request) ([]networkView, bool) {
	subnets, ok := a.subnets(w, r)
	if !ok {
		return nil, false
	}
	var out []networkView
	index := map[string]int{}
	for _, s := range subnets {
		i, seen := index[s.NetworkID]
		if !seen {
			i = len(out)
			index[s.NetworkID] = i
			out = append(out, networkView{
				ID: s.NetworkID, Name: s.Name, Status: "ACTIVE", AdminStateUp: true, Shared: true,
				MTU: 65536, PortSecurity: true, Subnets: []string{}, Tags: []string{},
				CreatedAt: ts(s.CreatedAt), UpdatedAt: ts(s.CreatedAt),
			})
		}
		out[i].Subnets = append(out[i].Subnets, s.ID)
	}
	return out, true
}

func (a *API) listNetworks(w http.ResponseWriter, r *http.Request) {
	nets, ok := a.networks(w, r)
	if !ok {
		return
	}
	out := []networkView{}
	for _, n := range nets {
		if matches(r, map[string]string{"id": n.ID, "name": n.Name}) {
			out = append(out, n)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"networks": out})
}

func (a *API) showNetwork(w http.ResponseWriter, r *http.Request) {
	nets, ok := a.networks(w, r)
	if !ok {
		return
	}
	for _, n := range nets {
		if n.ID == r.PathValue("id") {
			writeJSON(w, http.StatusOK, map[string]any{"network": n})
			return
		}
	}
	neutronError(w, http.StatusNotFound, "NetworkNotFound", "Network "+r.PathValue("id")+" could not be found.")
}

func portOf(p store.Port) portView {
	return portView{
		ID: p.ID, Name: p.Name, NetworkID: p.NetworkID, DeviceID: p.DeviceID, DeviceOwner: "Octavia",
		FixedIPs: []map[string]any{{"subnet_id": p.SubnetID, "ip_address": p.IPAddress}},
		Status:   "DOWN", Tags: []string{}, CreatedAt: ts(p.CreatedAt),
	}
}

func (a *API) listPorts(w http.ResponseWriter, r *http.Request) {
	ports, err := a.store.Ports(r.Context(), "")
	if err != nil {
		neutronError(w, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	out := []portView{}
	for _, p := range ports {
		if matches(r, map[string]string{"id": p.ID, "name": p.Name, "network_id": p.NetworkID, "device_id": p.DeviceID}) {
			out = append(out, portOf(p))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"ports": out})
}

func (a *API) showPort(w http.ResponseWriter, r *http.Request) {
	ports, err := a.store.Ports(r.Context(), "")
	if err != nil {
		neutronError(w, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	for _, p := range ports {
		if p.ID == r.PathValue("id") {
			writeJSON(w, http.StatusOK, map[string]any{"port": portOf(p)})
			return
		}
	}
	neutronError(w, http.StatusNotFound, "PortNotFound", "Port "+r.PathValue("id")+" could not be found.")
}

// neutronError writes Neutron's error body.
func neutronError(w http.ResponseWriter, status int, typ, msg string) {
	writeJSON(w, status, map[string]any{"NeutronError": map[string]string{"type": typ, "message": msg, "detail": ""}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
