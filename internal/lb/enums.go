package lb

// Provisioning statuses.
const (
	StatusActive        = "ACTIVE"
	StatusPendingCreate = "PENDING_CREATE"
	StatusPendingUpdate = "PENDING_UPDATE"
	StatusPendingDelete = "PENDING_DELETE"
	StatusDeleted       = "DELETED"
	StatusError         = "ERROR"
)

// Operating statuses.
const (
	OperatingOnline    = "ONLINE"
	OperatingOffline   = "OFFLINE"
	OperatingDegraded  = "DEGRADED"
	OperatingError     = "ERROR"
	OperatingDraining  = "DRAINING"
	OperatingNoMonitor = "NO_MONITOR"
)

// Amphora statuses (besides the provisioning statuses) and roles.
const (
	AmphoraBooting         = "BOOTING"
	AmphoraAllocated       = "ALLOCATED"
	AmphoraReady           = "READY"
	AmphoraFailoverStopped = "FAILOVER_STOPPED"

	RoleMaster     = "MASTER"
	RoleBackup     = "BACKUP"
	RoleStandalone = "STANDALONE"
)

// Topologies.
const (
	TopologySingle        = "SINGLE"
	TopologyActiveStandby = "ACTIVE_STANDBY"
)

// Protocols of listeners and pools.
const (
	ProtocolTCP             = "TCP"
	ProtocolHTTP            = "HTTP"
	ProtocolHTTPS           = "HTTPS"
	ProtocolTerminatedHTTPS = "TERMINATED_HTTPS"
	ProtocolUDP             = "UDP"
	ProtocolSCTP            = "SCTP"
	ProtocolPrometheus      = "PROMETHEUS"
	ProtocolProxy           = "PROXY"
	ProtocolProxyV2         = "PROXYV2"
)

// Load-balancing algorithms.
const (
	AlgorithmRoundRobin       = "ROUND_ROBIN"
	AlgorithmLeastConnections = "LEAST_CONNECTIONS"
	AlgorithmSourceIP         = "SOURCE_IP"
	AlgorithmSourceIPPort     = "SOURCE_IP_PORT"
)

// Session persistence types.
const (
	PersistenceSourceIP   = "SOURCE_IP"
	PersistenceHTTPCookie = "HTTP_COOKIE"
	PersistenceAppCookie  = "APP_COOKIE"
)

// Health monitor types.
const (
	MonitorHTTP       = "HTTP"
	MonitorHTTPS      = "HTTPS"
	MonitorPing       = "PING"
	MonitorTCP        = "TCP"
	MonitorTLSHello   = "TLS-HELLO"
	MonitorUDPConnect = "UDP-CONNECT"
	MonitorSCTP       = "SCTP"
)

// L7 policy actions.
const (
	L7ActionReject         = "REJECT"
	L7ActionRedirectToURL  = "REDIRECT_TO_URL"
	L7ActionRedirectToPool = "REDIRECT_TO_POOL"
	L7ActionRedirectPrefix = "REDIRECT_PREFIX"
)

// L7 rule types.
const (
	L7RuleHostName        = "HOST_NAME"
	L7RulePath            = "PATH"
	L7RuleFileType        = "FILE_TYPE"
	L7RuleHeader          = "HEADER"
	L7RuleCookie          = "COOKIE"
	L7RuleSSLConnHasCert  = "SSL_CONN_HAS_CERT"
	L7RuleSSLVerifyResult = "SSL_VERIFY_RESULT"
	L7RuleSSLDNField      = "SSL_DN_FIELD"
)

// L7 rule compare types.
const (
	CompareRegex      = "REGEX"
	CompareStartsWith = "STARTS_WITH"
	CompareEndsWith   = "ENDS_WITH"
	CompareContains   = "CONTAINS"
	CompareEqualTo    = "EQUAL_TO"
)

// Listener client authentication modes.
const (
	ClientAuthNone      = "NONE"
	ClientAuthOptional  = "OPTIONAL"
	ClientAuthMandatory = "MANDATORY"
)

// The enum lists are functions so that no caller can change them: each call
// returns a fresh slice in Octavia's order. The provider feeds them to its
// OneOf validators and its attribute descriptions.

// ListenerProtocols lists the protocols a listener accepts.
func ListenerProtocols() []string {
	return []string{ProtocolHTTP, ProtocolHTTPS, ProtocolPrometheus, ProtocolSCTP, ProtocolTCP, ProtocolTerminatedHTTPS, ProtocolUDP}
}

// PoolProtocols lists the protocols a pool accepts.
func PoolProtocols() []string {
	return []string{ProtocolHTTP, ProtocolHTTPS, ProtocolProxy, ProtocolProxyV2, ProtocolSCTP, ProtocolTCP, ProtocolUDP}
}

// Algorithms lists the load-balancing algorithms.
func Algorithms() []string {
	return []string{AlgorithmLeastConnections, AlgorithmRoundRobin, AlgorithmSourceIP, AlgorithmSourceIPPort}
}

// PersistenceTypes lists the session persistence types.
func PersistenceTypes() []string {
	return []string{PersistenceAppCookie, PersistenceHTTPCookie, PersistenceSourceIP}
}

// MonitorTypes lists the health monitor types.
func MonitorTypes() []string {
	return []string{MonitorHTTP, MonitorHTTPS, MonitorPing, MonitorSCTP, MonitorTCP, MonitorTLSHello, MonitorUDPConnect}
}

// HTTPMethods lists the methods an HTTP(S) health monitor may use.
func HTTPMethods() []string {
	return []string{"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"}
}

// HTTPVersions lists the HTTP versions an HTTP(S) health monitor may speak.
func HTTPVersions() []float64 { return []float64{1.0, 1.1} }

// L7Actions lists the L7 policy actions.
func L7Actions() []string {
	return []string{L7ActionRedirectPrefix, L7ActionRedirectToPool, L7ActionRedirectToURL, L7ActionReject}
}

// RedirectHTTPCodes lists the codes a redirecting L7 policy may answer with.
func RedirectHTTPCodes() []int { return []int{301, 302, 303, 307, 308} }

// L7RuleTypes lists the L7 rule types.
func L7RuleTypes() []string {
	return []string{L7RuleCookie, L7RuleFileType, L7RuleHeader, L7RuleHostName, L7RulePath, L7RuleSSLConnHasCert, L7RuleSSLDNField, L7RuleSSLVerifyResult}
}

// CompareTypes lists the L7 rule compare types.
func CompareTypes() []string {
	return []string{CompareContains, CompareEndsWith, CompareEqualTo, CompareRegex, CompareStartsWith}
}

// ClientAuthentications lists the listener client authentication modes.
func ClientAuthentications() []string {
	return []string{ClientAuthMandatory, ClientAuthNone, ClientAuthOptional}
}

// TLSVersions lists the TLS versions a listener or pool may allow.
func TLSVersions() []string {
	return []string{"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}
}

// ALPNProtocols lists the ALPN protocols a listener or pool may offer.
func ALPNProtocols() []string { return []string{"h2", "http/1.0", "http/1.1"} }

// InsertHeaders lists the headers a listener may insert; the X-SSL-* ones only
// on TERMINATED_HTTPS listeners.
func InsertHeaders() []string {
	return []string{
		"X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto",
		"X-SSL-Client-Verify", "X-SSL-Client-Has-Cert", "X-SSL-Client-DN", "X-SSL-Client-CN",
		"X-SSL-Issuer", "X-SSL-Client-SHA1", "X-SSL-Client-Not-Before", "X-SSL-Client-Not-After",
	}
}

// Limits and defaults, as Octavia's API types and [haproxy_amphora] defaults
// define them.
const (
	MinPort                = 1
	MaxPort                = 65535
	MinWeight              = 0
	MaxWeight              = 256
	DefaultWeight          = 1
	MinTimeoutMS           = 0
	MaxTimeoutMS           = 2073600000
	MinRetries             = 1
	MaxRetries             = 10
	DefaultMaxRetriesDown  = 3
	MaxNameLength          = 255
	MaxTagLength           = 255
	MaxRulesPerPolicy      = 50
	MinPosition            = 1
	MaxPosition            = 2147483647
	MinConnectionLimit     = -1
	DefaultConnectionLimit = -1

	DefaultTimeoutClientData    = 50000
	DefaultTimeoutMemberConnect = 5000
	DefaultTimeoutMemberData    = 50000
	DefaultTimeoutTCPInspect    = 0

	DefaultHTTPMethod       = "GET"
	DefaultURLPath          = "/"
	DefaultExpectedCodes    = "200"
	DefaultRedirectHTTPCode = 302
	DefaultProvider         = "amphora"

	// UDPConnectMinDelay is [api_settings] udp_connect_min_interval_health_monitor.
	UDPConnectMinDelay = 3
	// DefaultPersistenceTimeout and DefaultPersistenceGranularity apply to
	// SOURCE_IP persistence on UDP and SCTP pools.
	DefaultPersistenceTimeout     = 360
	DefaultPersistenceGranularity = "255.255.255.255"
)
