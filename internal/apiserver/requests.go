package apiserver

// Request structs, one per Octavia request type. Every field is an Opt so a
// handler tells an absent attribute from a null one from a zero value; the
// json tags are the attribute names bindObject matches.

type additionalVIPReq struct {
	SubnetID  Opt[string] `json:"subnet_id"`
	IPAddress Opt[string] `json:"ip_address"`
}

type lbPostReq struct {
	Name             Opt[string]              `json:"name"`
	Description      Opt[string]              `json:"description"`
	AdminStateUp     Opt[bool]                `json:"admin_state_up"`
	VIPAddress       Opt[string]              `json:"vip_address"`
	VIPPortID        Opt[string]              `json:"vip_port_id"`
	VIPSubnetID      Opt[string]              `json:"vip_subnet_id"`
	VIPNetworkID     Opt[string]              `json:"vip_network_id"`
	VIPQoSPolicyID   Opt[string]              `json:"vip_qos_policy_id"`
	AdditionalVIPs   Opt[[]*additionalVIPReq] `json:"additional_vips"`
	ProjectID        Opt[string]              `json:"project_id"`
	Listeners        Opt[[]*listenerReq]      `json:"listeners"`
	Pools            Opt[[]*poolReq]          `json:"pools"`
	Provider         Opt[string]              `json:"provider"`
	Tags             Opt[[]string]            `json:"tags"`
	FlavorID         Opt[string]              `json:"flavor_id"`
	AvailabilityZone Opt[string]              `json:"availability_zone"`
}

type lbPutReq struct {
	Name           Opt[string]   `json:"name"`
	Description    Opt[string]   `json:"description"`
	VIPQoSPolicyID Opt[string]   `json:"vip_qos_policy_id"`
	AdminStateUp   Opt[bool]     `json:"admin_state_up"`
	Tags           Opt[[]string] `json:"tags"`
}

// listenerReq serves ListenerPOST, ListenerPUT and ListenerSingleCreate; the
// schema decides which attributes a request may carry.
type listenerReq struct {
	Name                    Opt[string]            `json:"name"`
	Description             Opt[string]            `json:"description"`
	AdminStateUp            Opt[bool]              `json:"admin_state_up"`
	Protocol                Opt[string]            `json:"protocol"`
	ProtocolPort            Opt[int]               `json:"protocol_port"`
	ConnectionLimit         Opt[int]               `json:"connection_limit"`
	DefaultTLSContainerRef  Opt[string]            `json:"default_tls_container_ref"`
	SNIContainerRefs        Opt[[]string]          `json:"sni_container_refs"`
	ProjectID               Opt[string]            `json:"project_id"`
	DefaultPoolID           Opt[string]            `json:"default_pool_id"`
	DefaultPool             Opt[*poolReq]          `json:"default_pool"`
	L7Policies              Opt[[]*l7policyReq]    `json:"l7policies"`
	InsertHeaders           Opt[map[string]string] `json:"insert_headers"`
	LoadBalancerID          Opt[string]            `json:"loadbalancer_id"`
	TimeoutClientData       Opt[int]               `json:"timeout_client_data"`
	TimeoutMemberConnect    Opt[int]               `json:"timeout_member_connect"`
	TimeoutMemberData       Opt[int]               `json:"timeout_member_data"`
	TimeoutTCPInspect       Opt[int]               `json:"timeout_tcp_inspect"`
	Tags                    Opt[[]string]          `json:"tags"`
	ClientCATLSContainerRef Opt[string]            `json:"client_ca_tls_container_ref"`
	ClientAuthentication    Opt[string]            `json:"client_authentication"`
	ClientCRLContainerRef   Opt[string]            `json:"client_crl_container_ref"`
	AllowedCIDRs            Opt[[]string]          `json:"allowed_cidrs"`
	TLSCiphers              Opt[string]            `json:"tls_ciphers"`
	TLSVersions             Opt[[]string]          `json:"tls_versions"`
	ALPNProtocols           Opt[[]string]          `json:"alpn_protocols"`
}

type sessionPersistenceReq struct {
	Type                   Opt[string] `json:"type"`
	CookieName             Opt[string] `json:"cookie_name"`
	PersistenceTimeout     Opt[int]    `json:"persistence_timeout"`
	PersistenceGranularity Opt[string] `json:"persistence_granularity"`
}

// poolReq serves PoolPOST, PoolPUT and PoolSingleCreate.
type poolReq struct {
	Name               Opt[string]                 `json:"name"`
	Description        Opt[string]                 `json:"description"`
	AdminStateUp       Opt[bool]                   `json:"admin_state_up"`
	ListenerID         Opt[string]                 `json:"listener_id"`
	LoadBalancerID     Opt[string]                 `json:"loadbalancer_id"`
	Protocol           Opt[string]                 `json:"protocol"`
	LBAlgorithm        Opt[string]                 `json:"lb_algorithm"`
	SessionPersistence Opt[*sessionPersistenceReq] `json:"session_persistence"`
	ProjectID          Opt[string]                 `json:"project_id"`
	HealthMonitor      Opt[*hmReq]                 `json:"healthmonitor"`
	Members            Opt[[]*memberReq]           `json:"members"`
	Tags               Opt[[]string]               `json:"tags"`
	TLSContainerRef    Opt[string]                 `json:"tls_container_ref"`
	CATLSContainerRef  Opt[string]                 `json:"ca_tls_container_ref"`
	CRLContainerRef    Opt[string]                 `json:"crl_container_ref"`
	TLSEnabled         Opt[bool]                   `json:"tls_enabled"`
	TLSCiphers         Opt[string]                 `json:"tls_ciphers"`
	TLSVersions        Opt[[]string]               `json:"tls_versions"`
	ALPNProtocols      Opt[[]string]               `json:"alpn_protocols"`
}

// memberReq serves MemberPOST, MemberPUT and MemberSingleCreate.
type memberReq struct {
	Name           Opt[string]   `json:"name"`
	AdminStateUp   Opt[bool]     `json:"admin_state_up"`
	Address        Opt[string]   `json:"address"`
	ProtocolPort   Opt[int]      `json:"protocol_port"`
	Weight         Opt[int]      `json:"weight"`
	Backup         Opt[bool]     `json:"backup"`
	SubnetID       Opt[string]   `json:"subnet_id"`
	ProjectID      Opt[string]   `json:"project_id"`
	MonitorPort    Opt[int]      `json:"monitor_port"`
	MonitorAddress Opt[string]   `json:"monitor_address"`
	Tags           Opt[[]string] `json:"tags"`
}

type membersPutReq struct {
	Members Opt[[]*memberReq] `json:"members"`
}

// hmReq serves HealthMonitorPOST, HealthMonitorPUT and
// HealthMonitorSingleCreate.
type hmReq struct {
	Name           Opt[string]   `json:"name"`
	Type           Opt[string]   `json:"type"`
	Delay          Opt[int]      `json:"delay"`
	Timeout        Opt[int]      `json:"timeout"`
	MaxRetriesDown Opt[int]      `json:"max_retries_down"`
	MaxRetries     Opt[int]      `json:"max_retries"`
	HTTPMethod     Opt[string]   `json:"http_method"`
	URLPath        Opt[string]   `json:"url_path"`
	ExpectedCodes  Opt[string]   `json:"expected_codes"`
	AdminStateUp   Opt[bool]     `json:"admin_state_up"`
	ProjectID      Opt[string]   `json:"project_id"`
	PoolID         Opt[string]   `json:"pool_id"`
	Tags           Opt[[]string] `json:"tags"`
	HTTPVersion    Opt[float64]  `json:"http_version"`
	DomainName     Opt[string]   `json:"domain_name"`
}

// l7policyReq serves L7PolicyPOST, L7PolicyPUT and L7PolicySingleCreate.
type l7policyReq struct {
	Name             Opt[string]       `json:"name"`
	Description      Opt[string]       `json:"description"`
	AdminStateUp     Opt[bool]         `json:"admin_state_up"`
	ProjectID        Opt[string]       `json:"project_id"`
	Action           Opt[string]       `json:"action"`
	RedirectPoolID   Opt[string]       `json:"redirect_pool_id"`
	RedirectPool     Opt[*poolReq]     `json:"redirect_pool"`
	RedirectURL      Opt[string]       `json:"redirect_url"`
	RedirectPrefix   Opt[string]       `json:"redirect_prefix"`
	Position         Opt[int]          `json:"position"`
	ListenerID       Opt[string]       `json:"listener_id"`
	Rules            Opt[[]*l7ruleReq] `json:"rules"`
	Tags             Opt[[]string]     `json:"tags"`
	RedirectHTTPCode Opt[int]          `json:"redirect_http_code"`
}

// l7ruleReq serves L7RulePOST, L7RulePUT and L7RuleSingleCreate.
type l7ruleReq struct {
	Type         Opt[string]   `json:"type"`
	CompareType  Opt[string]   `json:"compare_type"`
	Key          Opt[string]   `json:"key"`
	Value        Opt[string]   `json:"value"`
	Invert       Opt[bool]     `json:"invert"`
	AdminStateUp Opt[bool]     `json:"admin_state_up"`
	ProjectID    Opt[string]   `json:"project_id"`
	Tags         Opt[[]string] `json:"tags"`
}
