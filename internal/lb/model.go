// Package lb is the object graph of an Octavia v2 load balancer: the objects,
// their field names, defaults, enums and limits, and the one set of
// validation rules that the API server, the provider's plan-time validation,
// the controller and the renderers share.
//
// The JSON names of every field are Octavia's, so a graph can be read from and
// written to the same documents the Octavia API exchanges.
package lb

import "time"

// LoadBalancer is the root of the graph. Listeners and Pools are the load
// balancer's children; Amphorae are the machines (or local processes) that run
// its data plane.
type LoadBalancer struct {
	ID                 string          `json:"id"`
	ProjectID          string          `json:"project_id"`
	Name               string          `json:"name"`
	Description        string          `json:"description"`
	AdminStateUp       bool            `json:"admin_state_up"`
	VIPAddress         string          `json:"vip_address"`
	VIPPortID          string          `json:"vip_port_id"`
	VIPSubnetID        string          `json:"vip_subnet_id"`
	VIPNetworkID       string          `json:"vip_network_id"`
	VIPQoSPolicyID     string          `json:"vip_qos_policy_id"`
	AdditionalVIPs     []AdditionalVIP `json:"additional_vips"`
	Provider           string          `json:"provider"`
	FlavorID           string          `json:"flavor_id"`
	AvailabilityZone   string          `json:"availability_zone"`
	Topology           string          `json:"topology,omitempty"`
	Tags               []string        `json:"tags"`
	ProvisioningStatus string          `json:"provisioning_status"`
	OperatingStatus    string          `json:"operating_status"`
	CreatedAt          time.Time       `json:"created_at"`
	UpdatedAt          time.Time       `json:"updated_at"`

	Listeners []*Listener `json:"listeners,omitempty"`
	Pools     []*Pool     `json:"pools,omitempty"`
	Amphorae  []*Amphora  `json:"amphorae,omitempty"`
}

// AdditionalVIP is one more address of the load balancer on another subnet.
type AdditionalVIP struct {
	SubnetID  string `json:"subnet_id"`
	IPAddress string `json:"ip_address"`
}

// Listener accepts connections on the VIP for one protocol and port.
// Timeouts are in milliseconds.
type Listener struct {
	ID                      string            `json:"id"`
	ProjectID               string            `json:"project_id"`
	Name                    string            `json:"name"`
	Description             string            `json:"description"`
	LoadBalancerID          string            `json:"loadbalancer_id"`
	Protocol                string            `json:"protocol"`
	ProtocolPort            int               `json:"protocol_port"`
	ConnectionLimit         int               `json:"connection_limit"`
	DefaultPoolID           string            `json:"default_pool_id"`
	DefaultTLSContainerRef  string            `json:"default_tls_container_ref"`
	SNIContainerRefs        []string          `json:"sni_container_refs"`
	ClientCATLSContainerRef string            `json:"client_ca_tls_container_ref"`
	ClientAuthentication    string            `json:"client_authentication"`
	ClientCRLContainerRef   string            `json:"client_crl_container_ref"`
	InsertHeaders           map[string]string `json:"insert_headers"`
	TimeoutClientData       int               `json:"timeout_client_data"`
	TimeoutMemberConnect    int               `json:"timeout_member_connect"`
	TimeoutMemberData       int               `json:"timeout_member_data"`
	TimeoutTCPInspect       int               `json:"timeout_tcp_inspect"`
	AllowedCIDRs            []string          `json:"allowed_cidrs"`
	TLSCiphers              string            `json:"tls_ciphers"`
	TLSVersions             []string          `json:"tls_versions"`
	ALPNProtocols           []string          `json:"alpn_protocols"`
	AdminStateUp            bool              `json:"admin_state_up"`
	Tags                    []string          `json:"tags"`
	ProvisioningStatus      string            `json:"provisioning_status"`
	OperatingStatus         string            `json:"operating_status"`
	CreatedAt               time.Time         `json:"created_at"`
	UpdatedAt               time.Time         `json:"updated_at"`

	L7Policies []*L7Policy `json:"l7policies,omitempty"`
}

// Pool is a group of members that receives traffic from listeners (as their
// default pool) or from L7 policies.
type Pool struct {
	ID                 string              `json:"id"`
	ProjectID          string              `json:"project_id"`
	Name               string              `json:"name"`
	Description        string              `json:"description"`
	LoadBalancerID     string              `json:"loadbalancer_id"`
	ListenerID         string              `json:"listener_id,omitempty"`
	Protocol           string              `json:"protocol"`
	LBAlgorithm        string              `json:"lb_algorithm"`
	SessionPersistence *SessionPersistence `json:"session_persistence"`
	TLSEnabled         bool                `json:"tls_enabled"`
	TLSContainerRef    string              `json:"tls_container_ref"`
	CATLSContainerRef  string              `json:"ca_tls_container_ref"`
	CRLContainerRef    string              `json:"crl_container_ref"`
	TLSCiphers         string              `json:"tls_ciphers"`
	TLSVersions        []string            `json:"tls_versions"`
	ALPNProtocols      []string            `json:"alpn_protocols"`
	AdminStateUp       bool                `json:"admin_state_up"`
	Tags               []string            `json:"tags"`
	ProvisioningStatus string              `json:"provisioning_status"`
	OperatingStatus    string              `json:"operating_status"`
	CreatedAt          time.Time           `json:"created_at"`
	UpdatedAt          time.Time           `json:"updated_at"`

	HealthMonitor *HealthMonitor `json:"healthmonitor,omitempty"`
	Members       []*Member      `json:"members,omitempty"`
}

// SessionPersistence keeps a client on the same member.
// PersistenceTimeout (seconds) and PersistenceGranularity (a netmask) apply to
// UDP and SCTP pools only.
type SessionPersistence struct {
	Type                   string `json:"type"`
	CookieName             string `json:"cookie_name,omitempty"`
	PersistenceTimeout     *int   `json:"persistence_timeout,omitempty"`
	PersistenceGranularity string `json:"persistence_granularity,omitempty"`
}

// Member is one backend server of a pool.
type Member struct {
	ID                 string    `json:"id"`
	ProjectID          string    `json:"project_id"`
	Name               string    `json:"name"`
	PoolID             string    `json:"pool_id,omitempty"`
	Address            string    `json:"address"`
	ProtocolPort       int       `json:"protocol_port"`
	Weight             int       `json:"weight"`
	Backup             bool      `json:"backup"`
	SubnetID           string    `json:"subnet_id"`
	MonitorAddress     string    `json:"monitor_address"`
	MonitorPort        *int      `json:"monitor_port"`
	AdminStateUp       bool      `json:"admin_state_up"`
	Tags               []string  `json:"tags"`
	ProvisioningStatus string    `json:"provisioning_status"`
	OperatingStatus    string    `json:"operating_status"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// HealthMonitor checks the members of one pool. Delay and Timeout are in
// seconds. MaxRetries is the number of successes that bring a member up (rise),
// MaxRetriesDown the number of failures that take it down (fall).
type HealthMonitor struct {
	ID                 string    `json:"id"`
	ProjectID          string    `json:"project_id"`
	Name               string    `json:"name"`
	PoolID             string    `json:"pool_id,omitempty"`
	Type               string    `json:"type"`
	Delay              int       `json:"delay"`
	Timeout            int       `json:"timeout"`
	MaxRetries         int       `json:"max_retries"`
	MaxRetriesDown     int       `json:"max_retries_down"`
	HTTPMethod         string    `json:"http_method,omitempty"`
	URLPath            string    `json:"url_path,omitempty"`
	ExpectedCodes      string    `json:"expected_codes,omitempty"`
	HTTPVersion        *float64  `json:"http_version"`
	DomainName         string    `json:"domain_name"`
	AdminStateUp       bool      `json:"admin_state_up"`
	Tags               []string  `json:"tags"`
	ProvisioningStatus string    `json:"provisioning_status"`
	OperatingStatus    string    `json:"operating_status"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// L7Policy routes, redirects or rejects HTTP requests of a listener when all
// of its rules match. Policies are evaluated in Position order (1 first).
type L7Policy struct {
	ID                 string    `json:"id"`
	ProjectID          string    `json:"project_id"`
	Name               string    `json:"name"`
	Description        string    `json:"description"`
	ListenerID         string    `json:"listener_id"`
	Action             string    `json:"action"`
	Position           int       `json:"position"`
	RedirectPoolID     string    `json:"redirect_pool_id"`
	RedirectURL        string    `json:"redirect_url"`
	RedirectPrefix     string    `json:"redirect_prefix"`
	RedirectHTTPCode   *int      `json:"redirect_http_code"`
	AdminStateUp       bool      `json:"admin_state_up"`
	Tags               []string  `json:"tags"`
	ProvisioningStatus string    `json:"provisioning_status"`
	OperatingStatus    string    `json:"operating_status"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`

	Rules []*L7Rule `json:"rules,omitempty"`
}

// L7Rule is one condition of an L7 policy.
type L7Rule struct {
	ID                 string    `json:"id"`
	ProjectID          string    `json:"project_id"`
	L7PolicyID         string    `json:"l7policy_id,omitempty"`
	Type               string    `json:"type"`
	CompareType        string    `json:"compare_type"`
	Key                string    `json:"key"`
	Value              string    `json:"value"`
	Invert             bool      `json:"invert"`
	AdminStateUp       bool      `json:"admin_state_up"`
	Tags               []string  `json:"tags"`
	ProvisioningStatus string    `json:"provisioning_status"`
	OperatingStatus    string    `json:"operating_status"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// Amphora is one instance that runs a load balancer's data plane: a Nova
// server or, on the embedded default, a local agent process.
type Amphora struct {
	ID             string     `json:"id"`
	LoadBalancerID string     `json:"loadbalancer_id"`
	ComputeID      string     `json:"compute_id"`
	LBNetworkIP    string     `json:"lb_network_ip"`
	VRRPIP         string     `json:"vrrp_ip"`
	HAIP           string     `json:"ha_ip"`
	VRRPPortID     string     `json:"vrrp_port_id"`
	HAPortID       string     `json:"ha_port_id"`
	CertExpiration *time.Time `json:"cert_expiration"`
	CertBusy       bool       `json:"cert_busy"`
	Role           string     `json:"role"`
	Status         string     `json:"status"`
	VRRPInterface  string     `json:"vrrp_interface"`
	VRRPID         int        `json:"vrrp_id"`
	VRRPPriority   int        `json:"vrrp_priority"`
	CachedZone     string     `json:"cached_zone"`
	ImageID        string     `json:"image_id"`
	ComputeFlavor  string     `json:"compute_flavor"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Listener returns the listener with the given ID, or nil.
func (l *LoadBalancer) Listener(id string) *Listener {
	for _, x := range l.Listeners {
		if x.ID == id {
			return x
		}
	}
	return nil
}

// Pool returns the pool with the given ID, or nil.
func (l *LoadBalancer) Pool(id string) *Pool {
	for _, x := range l.Pools {
		if x.ID == id {
			return x
		}
	}
	return nil
}

// ListenersOfPool returns the listeners that send traffic to the pool, as
// their default pool or through a REDIRECT_TO_POOL policy, in listener order.
func (l *LoadBalancer) ListenersOfPool(poolID string) []*Listener {
	var out []*Listener
	for _, li := range l.Listeners {
		if li.DefaultPoolID == poolID {
			out = append(out, li)
			continue
		}
		for _, p := range li.L7Policies {
			if p.Action == L7ActionRedirectToPool && p.RedirectPoolID == poolID {
				out = append(out, li)
				break
			}
		}
	}
	return out
}
