package lb

import (
	"fmt"
	"slices"
	"testing"
)

// Each case cites the Octavia source it reproduces; paths are relative to
// octavia/ in python3-octavia 11.0.0 (Zed), wsme/ in python3-wsme 0.11.0.

func TestValidateLoadBalancer(t *testing.T) {
	t.Parallel()
	lb := func(f func(*LoadBalancer)) func() error {
		return func() error { return ValidateLoadBalancer(with(okLB(), f)) }
	}
	runCases(t, []vcase{
		// api/v2/types/load_balancer.py: LoadBalancerPOST.
		{name: "valid", run: lb(func(*LoadBalancer) {})},
		{name: "valid port only, uuid without dashes", run: lb(func(l *LoadBalancer) {
			l.VIPSubnetID, l.VIPPortID = "", "6a0a707c45ef4758b533e55adddba8ce"
		})},
		{name: "valid network only, IPv6 VIP", run: lb(func(l *LoadBalancer) {
			l.VIPSubnetID, l.VIPNetworkID, l.VIPAddress = "", subnetID, "2001:db8::10"
		})},
		{name: "valid additional vips", run: lb(func(l *LoadBalancer) {
			l.AdditionalVIPs = []AdditionalVIP{{SubnetID: subnet2ID, IPAddress: "2001:db8::10"}}
		})},
		{name: "name 255 ok", run: lb(func(l *LoadBalancer) { l.Name = long(255) })},
		// wsme/types.py StringType: max_length.
		{name: "name 256", run: lb(func(l *LoadBalancer) { l.Name = long(256) }),
			status: 400, field: "name",
			message: "Invalid input for field/attribute name. Value: '" + long(256) + "'. Value should have a maximum character requirement of 255"},
		{name: "description 256", run: lb(func(l *LoadBalancer) { l.Description = long(256) }),
			status: 400, field: "description",
			message: "Invalid input for field/attribute description. Value: '" + long(256) + "'. Value should have a maximum character requirement of 255"},
		// api/common/types.py IPAddressType.
		{name: "vip_address not an IP", run: lb(func(l *LoadBalancer) { l.VIPAddress = "10.0.0.300" }),
			status: 400, field: "vip_address",
			message: "Invalid input for field/attribute vip_address. Value: '10.0.0.300'. Value should be IPv4 or IPv6 format"},
		{name: "vip_address with zone", run: lb(func(l *LoadBalancer) { l.VIPAddress = "fe80::1%eth0" }),
			status: 400, field: "vip_address",
			message: "Invalid input for field/attribute vip_address. Value: 'fe80::1%eth0'. Value should be IPv4 or IPv6 format"},
		// wsme/types.py UuidType.
		{name: "vip_subnet_id not a UUID", run: lb(func(l *LoadBalancer) { l.VIPSubnetID = "subnet-1" }),
			status: 400, field: "vip_subnet_id",
			message: "Invalid input for field/attribute vip_subnet_id. Value: 'subnet-1'. Value should be UUID format"},
		{name: "vip_qos_policy_id not a UUID", run: lb(func(l *LoadBalancer) { l.VIPQoSPolicyID = "qos" }),
			status: 400, field: "vip_qos_policy_id",
			message: "Invalid input for field/attribute vip_qos_policy_id. Value: 'qos'. Value should be UUID format"},
		// api/v2/types/load_balancer.py AdditionalVipsType: subnet_id mandatory.
		{name: "additional vip without subnet", run: lb(func(l *LoadBalancer) {
			l.AdditionalVIPs = []AdditionalVIP{{IPAddress: "10.0.1.5"}}
		}), status: 400, field: "additional_vips.subnet_id",
			message: "Invalid input for field/attribute subnet_id. Value: 'None'. Mandatory field missing."},
		{name: "additional vip bad address", run: lb(func(l *LoadBalancer) {
			l.AdditionalVIPs = []AdditionalVIP{{SubnetID: subnet2ID, IPAddress: "x"}}
		}), status: 400, field: "additional_vips.ip_address",
			message: "Invalid input for field/attribute ip_address. Value: 'x'. Value should be IPv4 or IPv6 format"},
		{name: "project_id 37", run: lb(func(l *LoadBalancer) { l.ProjectID = long(37) }),
			status: 400, field: "project_id",
			message: "Invalid input for field/attribute project_id. Value: '" + long(37) + "'. Value should have a maximum character requirement of 36"},
		{name: "provider 65", run: lb(func(l *LoadBalancer) { l.Provider = long(65) }),
			status: 400, field: "provider",
			message: "Invalid input for field/attribute provider. Value: '" + long(65) + "'. Value should have a maximum character requirement of 64"},
		// wsme/types.py ArrayType(StringType(max_length=255)): the list is the value.
		{name: "tag 256", run: lb(func(l *LoadBalancer) { l.Tags = []string{"a", long(256)} }),
			status: 400, field: "tags",
			message: "Invalid input for field/attribute tags. Value: '['a', '" + long(256) + "']'. Value should have a maximum character requirement of 255"},
		{name: "flavor_id not a UUID", run: lb(func(l *LoadBalancer) { l.FlavorID = "small" }),
			status: 400, field: "flavor_id",
			message: "Invalid input for field/attribute flavor_id. Value: 'small'. Value should be UUID format"},
		// wsme/types.py Enum (topology is set by flavors; same enum answer).
		{name: "topology unknown", run: lb(func(l *LoadBalancer) { l.Topology = "TRIPLE" }),
			status: 400, field: "topology",
			message: "Invalid input for field/attribute topology. Value: 'TRIPLE'. Value should be one of: ACTIVE_STANDBY, SINGLE"},
		{name: "topology active standby", run: lb(func(l *LoadBalancer) { l.Topology = TopologyActiveStandby })},
		// api/v2/controllers/load_balancer.py _validate_vip_request_object: VIPValidationException.
		{name: "no VIP object", run: lb(func(l *LoadBalancer) { l.VIPSubnetID = "" }),
			status: 400, field: "vip_subnet_id",
			message: "Validation failure: VIP must contain one of: vip_port_id, vip_network_id, vip_subnet_id."},
		// api/v2/controllers/load_balancer.py _validate_subnets_share_network_but_no_duplicates.
		{name: "additional vip on the VIP subnet", run: lb(func(l *LoadBalancer) {
			l.AdditionalVIPs = []AdditionalVIP{{SubnetID: subnetID}}
		}), status: 400, field: "additional_vips.subnet_id",
			message: "Validation failure: Duplicate VIP subnet(s) specified. Only one IP can be bound per subnet."},
		{name: "additional vips duplicated", run: lb(func(l *LoadBalancer) {
			l.AdditionalVIPs = []AdditionalVIP{{SubnetID: subnet2ID}, {SubnetID: subnet2ID}}
		}), status: 400, field: "additional_vips.subnet_id",
			message: "Validation failure: Duplicate VIP subnet(s) specified. Only one IP can be bound per subnet."},
	})
}

func TestValidateListener(t *testing.T) {
	t.Parallel()
	li := func(protocol string, port int, f func(*Listener)) func() error {
		return func() error { return ValidateListener(with(okListener(protocol, port), f), nil) }
	}
	tls := func(f func(*Listener)) func() error {
		return func() error { return ValidateListener(with(okTLSListener(), f), nil) }
	}
	inLB := func(x *Listener, others ...*Listener) func() error {
		return func() error {
			l := graph(append(others, x), okPool(ProtocolHTTP), with(okPool(ProtocolTCP), func(p *Pool) { p.ID = otherPool }))
			return ValidateListener(x, l)
		}
	}
	other := func(protocol string, port int) *Listener {
		return with(okListener(protocol, port), func(o *Listener) { o.ID = otherLiID })
	}
	noop := func(*Listener) {}
	runCases(t, []vcase{
		{name: "valid HTTP", run: li(ProtocolHTTP, 80, noop)},
		{name: "valid TERMINATED_HTTPS", run: tls(noop)},
		{name: "valid TCP UDP SCTP PROMETHEUS", run: func() error {
			for _, p := range []string{ProtocolTCP, ProtocolUDP, ProtocolSCTP, ProtocolPrometheus, ProtocolHTTPS} {
				if err := ValidateListener(okListener(p, 9000), nil); err != nil {
					return err
				}
			}
			return nil
		}},
		// api/v2/types/listener.py ListenerPOST: protocol mandatory enum.
		{name: "protocol missing", run: li("", 80, noop), status: 400, field: "protocol",
			message: "Invalid input for field/attribute protocol. Value: 'None'. Mandatory field missing."},
		{name: "protocol unknown", run: li("FTP", 21, noop), status: 400, field: "protocol",
			message: "Invalid input for field/attribute protocol. Value: 'FTP'. Value should be one of: HTTP, HTTPS, PROMETHEUS, SCTP, TCP, TERMINATED_HTTPS, UDP"},
		// ListenerPOST: protocol_port IntegerType(1, 65535).
		{name: "port 0", run: li(ProtocolTCP, 0, noop), status: 400, field: "protocol_port",
			message: "Invalid input for field/attribute protocol_port. Value: '0'. Value should be greater or equal to 1"},
		{name: "port 65536", run: li(ProtocolTCP, 65536, noop), status: 400, field: "protocol_port",
			message: "Invalid input for field/attribute protocol_port. Value: '65536'. Value should be lower or equal to 65535"},
		{name: "port 1", run: li(ProtocolTCP, 1, noop)},
		{name: "port 65535", run: li(ProtocolTCP, 65535, noop)},
		// ListenerPOST: connection_limit IntegerType(minimum=-1).
		{name: "connection_limit -2", run: li(ProtocolTCP, 80, func(x *Listener) { x.ConnectionLimit = -2 }),
			status: 400, field: "connection_limit",
			message: "Invalid input for field/attribute connection_limit. Value: '-2'. Value should be greater or equal to -1"},
		{name: "connection_limit 0", run: li(ProtocolTCP, 80, func(x *Listener) { x.ConnectionLimit = 0 })},
		// ListenerPOST: timeouts IntegerType(0, MAX_TIMEOUT=2073600000).
		{name: "timeout_client_data -1", run: li(ProtocolTCP, 80, func(x *Listener) { x.TimeoutClientData = -1 }),
			status: 400, field: "timeout_client_data",
			message: "Invalid input for field/attribute timeout_client_data. Value: '-1'. Value should be greater or equal to 0"},
		{name: "timeout_member_connect too big", run: li(ProtocolTCP, 80, func(x *Listener) { x.TimeoutMemberConnect = 2073600001 }),
			status: 400, field: "timeout_member_connect",
			message: "Invalid input for field/attribute timeout_member_connect. Value: '2073600001'. Value should be lower or equal to 2073600000"},
		{name: "timeout_member_data too big", run: li(ProtocolTCP, 80, func(x *Listener) { x.TimeoutMemberData = 2073600001 }),
			status: 400, field: "timeout_member_data",
			message: "Invalid input for field/attribute timeout_member_data. Value: '2073600001'. Value should be lower or equal to 2073600000"},
		{name: "timeout_tcp_inspect -1", run: li(ProtocolTCP, 80, func(x *Listener) { x.TimeoutTCPInspect = -1 }),
			status: 400, field: "timeout_tcp_inspect",
			message: "Invalid input for field/attribute timeout_tcp_inspect. Value: '-1'. Value should be greater or equal to 0"},
		{name: "timeouts 0 and max", run: li(ProtocolTCP, 80, func(x *Listener) {
			x.TimeoutClientData, x.TimeoutMemberConnect, x.TimeoutMemberData, x.TimeoutTCPInspect = 0, 2073600000, 0, 2073600000
		})},
		{name: "default_pool_id not a UUID", run: li(ProtocolHTTP, 80, func(x *Listener) { x.DefaultPoolID = "pool" }),
			status: 400, field: "default_pool_id",
			message: "Invalid input for field/attribute default_pool_id. Value: 'pool'. Value should be UUID format"},
		// ListenerPOST: insert_headers DictType(str, StringType(max_length=255)).
		{name: "insert header value 256", run: li(ProtocolHTTP, 80, func(x *Listener) {
			x.InsertHeaders = map[string]string{"X-Forwarded-For": long(256)}
		}), status: 400, field: "insert_headers",
			message: "Invalid input for field/attribute insert_headers. Value: '{'X-Forwarded-For': '" + long(256) + "'}'. Value should have a maximum character requirement of 255"},
		// api/v2/controllers/listener.py _validate_insert_headers.
		{name: "insert headers on TCP", run: li(ProtocolTCP, 80, func(x *Listener) {
			x.InsertHeaders = map[string]string{"X-Forwarded-For": "true"}
		}), status: 400, field: "insert_headers",
			message: "insert-headers is not a valid option for a TCP protocol listener."},
		{name: "insert headers on UDP", run: li(ProtocolUDP, 53, func(x *Listener) {
			x.InsertHeaders = map[string]string{"X-Forwarded-For": "true"}
		}), status: 400, field: "insert_headers",
			message: "insert-headers is not a valid option for a UDP protocol listener."},
		{name: "insert header unknown", run: li(ProtocolHTTP, 80, func(x *Listener) {
			x.InsertHeaders = map[string]string{"X-Forwarded-For": "true", "X-Bad": "1"}
		}), status: 400, field: "insert_headers",
			message: "dict_keys(['X-Bad', 'X-Forwarded-For']) is not a valid option for insert_headers"},
		{name: "X-SSL header on HTTP", run: li(ProtocolHTTP, 80, func(x *Listener) {
			x.InsertHeaders = map[string]string{"X-Forwarded-Proto": "true", "X-SSL-Client-DN": "true"}
		}), status: 400, field: "insert_headers",
			message: "['X-SSL-Client-DN'] is not a valid option for HTTP protocol listener."},
		{name: "X-SSL header on TERMINATED_HTTPS", run: tls(func(x *Listener) {
			x.InsertHeaders = map[string]string{"X-SSL-Client-DN": "true", "X-Forwarded-Port": "true"}
		})},
		// _validate_create_listener: UDP/SCTP compatibility.
		{name: "UDP with certificate", run: li(ProtocolUDP, 53, func(x *Listener) { x.DefaultTLSContainerRef = "ref" }),
			status: 400, field: "default_tls_container_ref",
			message: "Validation failure: UDP protocol listener does not support TLS."},
		{name: "SCTP with SNI", run: li(ProtocolSCTP, 53, func(x *Listener) { x.SNIContainerRefs = []string{"ref"} }),
			status: 400, field: "sni_container_refs",
			message: "Validation failure: SCTP protocol listener does not support TLS."},
		// _validate_create_listener: certificates on a non-TLS protocol.
		{name: "HTTP with certificate", run: li(ProtocolHTTP, 80, func(x *Listener) { x.DefaultTLSContainerRef = "ref" }),
			status: 400, field: "default_tls_container_ref",
			message: "Validation failure: Certificate container references are not allowed on HTTP protocol listeners."},
		{name: "HTTPS with client CA", run: li(ProtocolHTTPS, 443, func(x *Listener) { x.ClientCATLSContainerRef = "ca" }),
			status: 400, field: "client_ca_tls_container_ref",
			message: "Validation failure: Certificate container references are not allowed on HTTPS protocol listeners."},
		// _validate_create_listener: client CA needs a certificate.
		{name: "PROMETHEUS with only client CA", run: li(ProtocolPrometheus, 9100, func(x *Listener) { x.ClientCATLSContainerRef = "ca" }),
			status: 400, field: "client_ca_tls_container_ref",
			message: "Validation failure: An SNI or default certificate container reference must be provided with a client CA container reference."},
		{name: "PROMETHEUS with TLS", run: li(ProtocolPrometheus, 9100, func(x *Listener) { x.SNIContainerRefs = []string{"a", "b"} })},
		// _validate_create_listener: TLS protocol without certificate.
		{name: "TERMINATED_HTTPS without certificate", run: tls(func(x *Listener) { x.DefaultTLSContainerRef = "" }),
			status: 400, field: "default_tls_container_ref",
			message: "Validation failure: An SNI or default certificate container reference must be provided for TERMINATED_HTTPS protocol listeners."},
		{name: "TERMINATED_HTTPS with SNI only", run: tls(func(x *Listener) {
			x.DefaultTLSContainerRef, x.SNIContainerRefs = "", []string{"sni"}
		})},
		// ListenerPOST: client_authentication enum; _validate_create_listener: needs a CA.
		{name: "client_authentication unknown", run: tls(func(x *Listener) { x.ClientAuthentication = "ALWAYS" }),
			status: 400, field: "client_authentication",
			message: "Invalid input for field/attribute client_authentication. Value: 'ALWAYS'. Value should be one of: MANDATORY, NONE, OPTIONAL"},
		{name: "client_authentication without CA", run: tls(func(x *Listener) { x.ClientAuthentication = ClientAuthMandatory }),
			status: 400, field: "client_authentication",
			message: "Validation failure: Client authentication setting MANDATORY requires a client CA container reference."},
		{name: "client_authentication OPTIONAL with CA", run: tls(func(x *Listener) {
			x.ClientAuthentication, x.ClientCATLSContainerRef, x.ClientCRLContainerRef = ClientAuthOptional, "ca", "crl"
		})},
		{name: "CRL without CA", run: tls(func(x *Listener) { x.ClientCRLContainerRef = "crl" }),
			status: 400, field: "client_crl_container_ref",
			message: "Validation failure: A client authentication CA reference is required to specify a client authentication revocation list."},
		{name: "certificate ref 256", run: tls(func(x *Listener) { x.DefaultTLSContainerRef = long(256) }),
			status: 400, field: "default_tls_container_ref",
			message: "Invalid input for field/attribute default_tls_container_ref. Value: '" + long(256) + "'. Value should have a maximum character requirement of 255"},
		// common/validate.py check_cipher_string.
		{name: "ciphers with space", run: tls(func(x *Listener) { x.TLSCiphers = "ECDHE-RSA-AES128-GCM-SHA256 AES" }),
			status: 400, field: "tls_ciphers",
			message: "Validation failure: Invalid characters in cipher string. Only alphanumeric, -, +, !, :, @, =, _, and . are allowed."},
		{name: "ciphers valid", run: tls(func(x *Listener) { x.TLSCiphers = "ECDHE-RSA-AES128-GCM-SHA256:!aNULL:@STRENGTH" })},
		// common/validate.py check_tls_version_list.
		{name: "tls_versions empty", run: tls(func(x *Listener) { x.TLSVersions = []string{} }),
			status: 400, field: "tls_versions",
			message: "Validation failure: Empty TLS version list. Either specify at least one TLS version or remove this parameter to use the default."},
		{name: "tls_versions unknown", run: tls(func(x *Listener) { x.TLSVersions = []string{"TLSv1.2", "TLSv9", "SSLv2"} }),
			status: 400, field: "tls_versions",
			message: "Validation failure: Invalid TLS versions: TLSv9, SSLv2"},
		{name: "tls_versions ignored on HTTP", run: li(ProtocolHTTP, 80, func(x *Listener) { x.TLSVersions = []string{"TLSv9"} })},
		// api/common/types.py AlpnProtocolType; common/validate.py check_alpn_protocols.
		{name: "alpn unknown", run: tls(func(x *Listener) { x.ALPNProtocols = []string{"h2", "h3"} }),
			status: 400, field: "alpn_protocols",
			message: "Invalid input for field/attribute alpn_protocols. Value: '['h2', 'h3']'. Value should be a valid ALPN protocol ID"},
		{name: "alpn empty", run: tls(func(x *Listener) { x.ALPNProtocols = []string{} }),
			status: 400, field: "alpn_protocols",
			message: "Validation failure: Empty ALPN protocol list. Either specify at least one ALPN protocol or remove this parameter to use the default."},
		// api/common/types.py CidrType.
		{name: "allowed cidr prefix 33", run: li(ProtocolTCP, 80, func(x *Listener) { x.AllowedCIDRs = []string{"10.0.0.0/8", "10.0.0.0/33"} }),
			status: 400, field: "allowed_cidrs",
			message: "Invalid input for field/attribute allowed_cidrs. Value: '['10.0.0.0/8', '10.0.0.0/33']'. Value should be IPv4 or IPv6 CIDR format"},
		{name: "allowed cidrs host, netmask, IPv6", run: li(ProtocolTCP, 80, func(x *Listener) {
			x.AllowedCIDRs = []string{"192.0.2.1", "10.1.2.3/255.0.0.0", "2001:db8::/32"}
		})},
		// _validate_cidr_compatible_with_vip (normalized CIDR in the message).
		{name: "allowed cidr IPv6 on IPv4 VIP", run: inLB(with(okListener(ProtocolTCP, 80), func(x *Listener) {
			x.AllowedCIDRs = []string{"10.0.0.0/8", "2001:db8::1/32"}
		})), status: 400, field: "allowed_cidrs",
			message: "Validation failure: CIDR 2001:db8::/32 IP version incompatible with VIP 10.0.0.10 IP version."},
		// listener.py post/_graph_create: ListenerNoChildren.
		{name: "PROMETHEUS with default pool", run: li(ProtocolPrometheus, 9100, func(x *Listener) { x.DefaultPoolID = poolID }),
			status: 400, field: "default_pool_id",
			message: "Protocol PROMETHEUS listeners cannot have child objects."},
		{name: "PROMETHEUS with L7 policy", run: li(ProtocolPrometheus, 9100, func(x *Listener) {
			x.L7Policies = []*L7Policy{okPolicy(L7ActionReject)}
		}), status: 400, field: "l7policies",
			message: "Protocol PROMETHEUS listeners cannot have child objects."},
		// listener.py _validate_pool: NotFound, then _validate_protocol.
		{name: "default pool not found", run: inLB(with(okListener(ProtocolHTTP, 80), func(x *Listener) { x.DefaultPoolID = missingID })),
			status: 404, field: "default_pool_id", message: "Pool " + missingID + " not found."},
		{name: "default pool protocol mismatch", run: inLB(with(okListener(ProtocolHTTP, 80), func(x *Listener) { x.DefaultPoolID = otherPool })),
			status: 400, field: "default_pool_id",
			message: "Validation failure: The pool protocol 'TCP' is invalid while the listener protocol is 'HTTP'."},
		{name: "default pool compatible", run: inLB(with(okListener(ProtocolTCP, 80), func(x *Listener) { x.DefaultPoolID = poolID }))},
		{name: "default pool shared by two listeners", run: inLB(
			with(okListener(ProtocolHTTP, 80), func(x *Listener) { x.DefaultPoolID = poolID }),
			with(other(ProtocolHTTP, 8080), func(x *Listener) { x.DefaultPoolID = poolID }))},
		// _validate_create_listener: DuplicateListenerEntry (protocol of the listener already there).
		{name: "duplicate port TCP family", run: inLB(okListener(ProtocolTCP, 80), other(ProtocolHTTP, 80)),
			status: 409, field: "protocol_port",
			message: "Another Listener on this Load Balancer is already using protocol HTTP and protocol_port 80"},
		{name: "duplicate port PROMETHEUS is TCP", run: inLB(okListener(ProtocolPrometheus, 9100), other(ProtocolTerminatedHTTPS, 9100)),
			status: 409, field: "protocol_port",
			message: "Another Listener on this Load Balancer is already using protocol TERMINATED_HTTPS and protocol_port 9100"},
		{name: "duplicate port UDP", run: inLB(okListener(ProtocolUDP, 53), other(ProtocolUDP, 53)),
			status: 409, field: "protocol_port",
			message: "Another Listener on this Load Balancer is already using protocol UDP and protocol_port 53"},
		{name: "TCP and UDP on the same port", run: inLB(okListener(ProtocolTCP, 53), other(ProtocolUDP, 53))},
		{name: "UDP and SCTP on the same port", run: inLB(okListener(ProtocolSCTP, 53), other(ProtocolUDP, 53))},
		{name: "same listener already in the graph", run: func() error {
			x := okListener(ProtocolHTTP, 80)
			stored := okListener(ProtocolHTTP, 80)
			return ValidateListener(x, graph([]*Listener{stored}))
		}},
	})
}

func TestValidatePool(t *testing.T) {
	t.Parallel()
	pool := func(protocol string, f func(*Pool)) func() error {
		return func() error { return ValidatePool(with(okPool(protocol), f), nil) }
	}
	sp := func(protocol string, s SessionPersistence) func() error {
		return pool(protocol, func(p *Pool) { p.SessionPersistence = &s })
	}
	inLB := func(p *Pool, listeners ...*Listener) func() error {
		return func() error { return ValidatePool(p, graph(listeners, p)) }
	}
	onListener := func(protocol string) *Pool {
		return with(okPool(protocol), func(p *Pool) { p.LoadBalancerID, p.ListenerID = "", listenerID })
	}
	noop := func(*Pool) {}
	runCases(t, []vcase{
		{name: "valid", run: pool(ProtocolHTTP, noop)},
		{name: "valid every protocol and algorithm", run: func() error {
			for _, proto := range PoolProtocols() {
				for _, alg := range Algorithms() {
					if err := ValidatePool(with(okPool(proto), func(p *Pool) { p.LBAlgorithm = alg }), nil); err != nil {
						return err
					}
				}
			}
			return nil
		}},
		// api/v2/types/pool.py PoolPOST: protocol, lb_algorithm mandatory enums.
		{name: "protocol missing", run: pool("", noop), status: 400, field: "protocol",
			message: "Invalid input for field/attribute protocol. Value: 'None'. Mandatory field missing."},
		{name: "protocol unknown", run: pool("TERMINATED_HTTPS", noop), status: 400, field: "protocol",
			message: "Invalid input for field/attribute protocol. Value: 'TERMINATED_HTTPS'. Value should be one of: HTTP, HTTPS, PROXY, PROXYV2, SCTP, TCP, UDP"},
		{name: "lb_algorithm missing", run: pool(ProtocolHTTP, func(p *Pool) { p.LBAlgorithm = "" }),
			status: 400, field: "lb_algorithm",
			message: "Invalid input for field/attribute lb_algorithm. Value: 'None'. Mandatory field missing."},
		{name: "lb_algorithm unknown", run: pool(ProtocolHTTP, func(p *Pool) { p.LBAlgorithm = "RANDOM" }),
			status: 400, field: "lb_algorithm",
			message: "Invalid input for field/attribute lb_algorithm. Value: 'RANDOM'. Value should be one of: LEAST_CONNECTIONS, ROUND_ROBIN, SOURCE_IP, SOURCE_IP_PORT"},
		{name: "listener_id not a UUID", run: pool(ProtocolHTTP, func(p *Pool) { p.ListenerID = "l1" }),
			status: 400, field: "listener_id",
			message: "Invalid input for field/attribute listener_id. Value: 'l1'. Value should be UUID format"},
		// api/v2/controllers/pool.py post: neither loadbalancer_id nor listener_id.
		{name: "no parent", run: pool(ProtocolHTTP, func(p *Pool) { p.LoadBalancerID = "" }),
			status: 400, field: "loadbalancer_id",
			message: "Validation failure: Must provide at least one of: loadbalancer_id, listener_id"},
		{name: "listener parent only", run: pool(ProtocolHTTP, func(p *Pool) { p.LoadBalancerID, p.ListenerID = "", listenerID })},
		// pool.py post: the listener_id listener (Octavia itself fails with a 500 when missing).
		{name: "listener not found", run: inLB(onListener(ProtocolHTTP)),
			status: 404, field: "listener_id", message: "Listener " + listenerID + " not found."},
		{name: "listener PROMETHEUS", run: inLB(onListener(ProtocolHTTP), okListener(ProtocolPrometheus, 9100)),
			status: 400, field: "listener_id", message: "Protocol PROMETHEUS listeners cannot have child objects."},
		// base.py _validate_protocol.
		{name: "listener protocol mismatch", run: inLB(onListener(ProtocolHTTP), okListener(ProtocolUDP, 53)),
			status: 400, field: "listener_id",
			message: "Validation failure: The pool protocol 'HTTP' is invalid while the listener protocol is 'UDP'."},
		{name: "listener protocol compatible", run: inLB(onListener(ProtocolProxyV2), okListener(ProtocolTerminatedHTTPS, 443))},
		// pool.py post: DuplicatePoolEntry.
		{name: "listener already has a default pool", run: inLB(onListener(ProtocolHTTP),
			with(okListener(ProtocolHTTP, 80), func(x *Listener) { x.DefaultPoolID = otherPool })),
			status: 409, field: "listener_id", message: "This listener already has a default pool"},
		{name: "listener default pool is this pool", run: inLB(onListener(ProtocolHTTP),
			with(okListener(ProtocolHTTP, 80), func(x *Listener) { x.DefaultPoolID = poolID }))},
		// pool.py _validate_pool_request_for_udp_sctp.
		{name: "UDP SOURCE_IP with timeout and granularity", run: sp(ProtocolUDP, SessionPersistence{
			Type: PersistenceSourceIP, PersistenceTimeout: ptr(360), PersistenceGranularity: "255.255.255.0"})},
		{name: "UDP SOURCE_IP with cookie", run: sp(ProtocolUDP, SessionPersistence{Type: PersistenceSourceIP, CookieName: "c"}),
			status: 400, field: "session_persistence.cookie_name",
			message: "Validation failure: session_persistence SOURCE_IP type for UDP and SCTP protocols only accepts: type, persistence_timeout, persistence_granularity."},
		{name: "UDP APP_COOKIE with cookie", run: sp(ProtocolUDP, SessionPersistence{Type: PersistenceAppCookie, CookieName: "c"}),
			status: 400, field: "session_persistence.cookie_name",
			message: "Validation failure: Cookie names are not supported for UDP/SCTP pools."},
		{name: "SCTP HTTP_COOKIE", run: sp(ProtocolSCTP, SessionPersistence{Type: PersistenceHTTPCookie}),
			status: 400, field: "session_persistence.type",
			message: "Validation failure: Session persistence of type HTTP_COOKIE is not supported for UDP/SCTP protocol pools."},
		// pool.py post: persistence_timeout/granularity only for UDP and SCTP.
		{name: "HTTP with persistence_timeout", run: sp(ProtocolHTTP, SessionPersistence{Type: PersistenceSourceIP, PersistenceTimeout: ptr(60)}),
			status: 400, field: "session_persistence.persistence_timeout",
			message: "Validation failure: persistence_timeout and persistence_granularity is only for UDP and SCTP protocol pools."},
		{name: "TCP with persistence_granularity", run: sp(ProtocolTCP, SessionPersistence{Type: PersistenceSourceIP, PersistenceGranularity: "255.255.0.0"}),
			status: 400, field: "session_persistence.persistence_granularity",
			message: "Validation failure: persistence_timeout and persistence_granularity is only for UDP and SCTP protocol pools."},
		{name: "HTTP with persistence_timeout 0", run: sp(ProtocolHTTP, SessionPersistence{Type: PersistenceSourceIP, PersistenceTimeout: ptr(0)})},
		// api/v2/types/pool.py SessionPersistencePOST.
		{name: "persistence type missing", run: sp(ProtocolHTTP, SessionPersistence{}),
			status: 400, field: "session_persistence.type",
			message: "Invalid input for field/attribute type. Value: 'None'. Mandatory field missing."},
		{name: "persistence type unknown", run: sp(ProtocolHTTP, SessionPersistence{Type: "URL"}),
			status: 400, field: "session_persistence.type",
			message: "Invalid input for field/attribute type. Value: 'URL'. Value should be one of: APP_COOKIE, HTTP_COOKIE, SOURCE_IP"},
		{name: "persistence granularity not an IP", run: sp(ProtocolUDP, SessionPersistence{Type: PersistenceSourceIP, PersistenceGranularity: "/24"}),
			status: 400, field: "session_persistence.persistence_granularity",
			message: "Invalid input for field/attribute persistence_granularity. Value: '/24'. Value should be IPv4 or IPv6 format"},
		{name: "cookie_name pattern", run: sp(ProtocolHTTP, SessionPersistence{Type: PersistenceAppCookie, CookieName: "my cookie"}),
			status: 400, field: "session_persistence.cookie_name",
			message: `Invalid input for field/attribute cookie_name. Value: 'my cookie'. Value should match the pattern ^[^\s,;\\]+$`},
		{name: "cookie_name 256", run: sp(ProtocolHTTP, SessionPersistence{Type: PersistenceAppCookie, CookieName: long(256)}),
			status: 400, field: "session_persistence.cookie_name",
			message: "Invalid input for field/attribute cookie_name. Value: '" + long(256) + "'. Value should have a maximum character requirement of 255"},
		// common/validate.py check_session_persistence.
		{name: "cookie_name with HTTP_COOKIE", run: sp(ProtocolHTTP, SessionPersistence{Type: PersistenceHTTPCookie, CookieName: "c"}),
			status: 400, field: "session_persistence.cookie_name",
			message: `Validation failure: Field "cookie_name" can only be specified with session persistence of type "APP_COOKIE".`},
		{name: "cookie_name bad character", run: sp(ProtocolHTTP, SessionPersistence{Type: PersistenceAppCookie, CookieName: "a=b"}),
			status: 400, field: "session_persistence.cookie_name",
			message: `Validation failure: Supplied "cookie_name" is invalid.`},
		{name: "cookie_name trailing newline", run: sp(ProtocolHTTP, SessionPersistence{Type: PersistenceAppCookie, CookieName: "abc\n"}),
			status: 400, field: "session_persistence.cookie_name",
			message: `Validation failure: Supplied "cookie_name" is invalid.`},
		{name: "APP_COOKIE without cookie_name", run: sp(ProtocolHTTP, SessionPersistence{Type: PersistenceAppCookie}),
			status: 400, field: "session_persistence.cookie_name",
			message: `Validation failure: Field "cookie_name" must be specified when using the "APP_COOKIE" session persistence type.`},
		{name: "APP_COOKIE with cookie_name", run: sp(ProtocolHTTP, SessionPersistence{Type: PersistenceAppCookie, CookieName: "JSESSIONID"})},
		{name: "HTTP_COOKIE", run: sp(ProtocolHTTPS, SessionPersistence{Type: PersistenceHTTPCookie})},
		// pool.py _validate_create_pool.
		{name: "CRL without CA", run: pool(ProtocolHTTP, func(p *Pool) { p.TLSEnabled, p.CRLContainerRef = true, "crl" }),
			status: 400, field: "crl_container_ref",
			message: "Validation failure: A CA certificate reference is required to specify a revocation list."},
		{name: "TLS versions empty", run: pool(ProtocolHTTP, func(p *Pool) { p.TLSEnabled, p.TLSVersions = true, []string{} }),
			status: 400, field: "tls_versions",
			message: "Validation failure: Empty TLS version list. Either specify at least one TLS version or remove this parameter to use the default."},
		{name: "TLS versions ignored without tls_enabled", run: pool(ProtocolHTTP, func(p *Pool) { p.TLSVersions = []string{} })},
		{name: "pool ALPN unknown", run: pool(ProtocolHTTP, func(p *Pool) { p.ALPNProtocols = []string{"spdy/3"} }),
			status: 400, field: "alpn_protocols",
			message: "Invalid input for field/attribute alpn_protocols. Value: '['spdy/3']'. Value should be a valid ALPN protocol ID"},
		{name: "pool ciphers", run: pool(ProtocolHTTP, func(p *Pool) { p.TLSEnabled, p.TLSCiphers = true, "A;B" }),
			status: 400, field: "tls_ciphers",
			message: "Validation failure: Invalid characters in cipher string. Only alphanumeric, -, +, !, :, @, =, _, and . are allowed."},
		{name: "pool TLS valid", run: pool(ProtocolHTTPS, func(p *Pool) {
			p.TLSEnabled, p.CATLSContainerRef, p.CRLContainerRef = true, "ca", "crl"
			p.TLSVersions, p.ALPNProtocols = []string{"TLSv1.3"}, []string{"h2"}
		})},
	})
}

func TestValidateMember(t *testing.T) {
	t.Parallel()
	member := func(f func(*Member)) func() error {
		return func() error { return ValidateMember(with(okMember("10.0.1.5", 8080), f), nil) }
	}
	inPool := func(m *Member, others ...*Member) func() error {
		return func() error {
			p := okPool(ProtocolHTTP)
			p.Members = append(others, m)
			return ValidateMember(m, p)
		}
	}
	otherMember := func(addr string, port int) *Member {
		return with(okMember(addr, port), func(m *Member) { m.ID = missingID })
	}
	runCases(t, []vcase{
		{name: "valid", run: member(func(*Member) {})},
		{name: "valid IPv6", run: member(func(m *Member) { m.Address = "2001:db8::5" })},
		// api/v2/types/member.py MemberPOST: address mandatory IPAddressType.
		{name: "address missing", run: member(func(m *Member) { m.Address = "" }), status: 400, field: "address",
			message: "Invalid input for field/attribute address. Value: 'None'. Mandatory field missing."},
		{name: "address not an IP", run: member(func(m *Member) { m.Address = "web1" }), status: 400, field: "address",
			message: "Invalid input for field/attribute address. Value: 'web1'. Value should be IPv4 or IPv6 format"},
		{name: "address with leading zero", run: member(func(m *Member) { m.Address = "10.0.1.05" }), status: 400, field: "address",
			message: "Invalid input for field/attribute address. Value: '10.0.1.05'. Value should be IPv4 or IPv6 format"},
		// MemberPOST: protocol_port 1–65535, weight 0–256.
		{name: "port 0", run: member(func(m *Member) { m.ProtocolPort = 0 }), status: 400, field: "protocol_port",
			message: "Invalid input for field/attribute protocol_port. Value: '0'. Value should be greater or equal to 1"},
		{name: "port 65536", run: member(func(m *Member) { m.ProtocolPort = 65536 }), status: 400, field: "protocol_port",
			message: "Invalid input for field/attribute protocol_port. Value: '65536'. Value should be lower or equal to 65535"},
		{name: "port 1 and weight 0", run: member(func(m *Member) { m.ProtocolPort, m.Weight = 1, 0 })},
		{name: "port 65535 and weight 256", run: member(func(m *Member) { m.ProtocolPort, m.Weight = 65535, 256 })},
		{name: "weight -1", run: member(func(m *Member) { m.Weight = -1 }), status: 400, field: "weight",
			message: "Invalid input for field/attribute weight. Value: '-1'. Value should be greater or equal to 0"},
		{name: "weight 257", run: member(func(m *Member) { m.Weight = 257 }), status: 400, field: "weight",
			message: "Invalid input for field/attribute weight. Value: '257'. Value should be lower or equal to 256"},
		{name: "subnet_id not a UUID", run: member(func(m *Member) { m.SubnetID = "net" }), status: 400, field: "subnet_id",
			message: "Invalid input for field/attribute subnet_id. Value: 'net'. Value should be UUID format"},
		// MemberPOST: monitor_port 1–65535, monitor_address IP.
		{name: "monitor_port 0", run: member(func(m *Member) { m.MonitorPort = ptr(0) }), status: 400, field: "monitor_port",
			message: "Invalid input for field/attribute monitor_port. Value: '0'. Value should be greater or equal to 1"},
		{name: "monitor_port 65536", run: member(func(m *Member) { m.MonitorPort = ptr(65536) }), status: 400, field: "monitor_port",
			message: "Invalid input for field/attribute monitor_port. Value: '65536'. Value should be lower or equal to 65535"},
		{name: "monitor address and port", run: member(func(m *Member) { m.MonitorAddress, m.MonitorPort = "10.0.1.6", ptr(65535) })},
		{name: "monitor_address not an IP", run: member(func(m *Member) { m.MonitorAddress = "10.0.1" }), status: 400, field: "monitor_address",
			message: "Invalid input for field/attribute monitor_address. Value: '10.0.1'. Value should be IPv4 or IPv6 format"},
		{name: "name 256", run: member(func(m *Member) { m.Name = long(256) }), status: 400, field: "name",
			message: "Invalid input for field/attribute name. Value: '" + long(256) + "'. Value should have a maximum character requirement of 255"},
		// common/validate.py ip_not_reserved ([networking] reserved_ips).
		{name: "reserved address", run: member(func(m *Member) { m.Address = "169.254.169.254" }), status: 400, field: "address",
			message: "169.254.169.254 is not a valid option for member address"},
		// api/v2/controllers/member.py _validate_create_member: DuplicateMemberEntry.
		{name: "duplicate address and port", run: inPool(okMember("10.0.1.5", 8080), otherMember("10.0.1.5", 8080)),
			status: 409, field: "address", message: "Another member on this pool is already using ip 10.0.1.5 on protocol_port 8080"},
		{name: "same address other port", run: inPool(okMember("10.0.1.5", 8080), otherMember("10.0.1.5", 8081))},
		{name: "same member already in the pool", run: func() error {
			p := okPool(ProtocolHTTP)
			p.Members = []*Member{okMember("10.0.1.5", 8080)}
			return ValidateMember(okMember("10.0.1.5", 8080), p)
		}},
	})
}

func TestValidateHealthMonitor(t *testing.T) {
	t.Parallel()
	hm := func(typ string, f func(*HealthMonitor)) func() error {
		return func() error { return ValidateHealthMonitor(with(okMonitor(typ), f), nil) }
	}
	onPool := func(poolProtocol, typ string, f func(*HealthMonitor)) func() error {
		return func() error { return ValidateHealthMonitor(with(okMonitor(typ), f), okPool(poolProtocol)) }
	}
	noop := func(*HealthMonitor) {}
	runCases(t, []vcase{
		{name: "valid HTTP", run: hm(MonitorHTTP, noop)},
		{name: "valid all types on a TCP pool", run: func() error {
			for _, typ := range []string{MonitorHTTP, MonitorHTTPS, MonitorPing, MonitorTCP, MonitorTLSHello} {
				if err := ValidateHealthMonitor(okMonitor(typ), okPool(ProtocolTCP)); err != nil {
					return err
				}
			}
			return nil
		}},
		// api/v2/types/health_monitor.py HealthMonitorPOST.
		{name: "type missing", run: hm("", noop), status: 400, field: "type",
			message: "Invalid input for field/attribute type. Value: 'None'. Mandatory field missing."},
		{name: "type unknown", run: hm("ICMP", noop), status: 400, field: "type",
			message: "Invalid input for field/attribute type. Value: 'ICMP'. Value should be one of: HTTP, HTTPS, PING, SCTP, TCP, TLS-HELLO, UDP-CONNECT"},
		{name: "delay -1", run: hm(MonitorTCP, func(h *HealthMonitor) { h.Delay = -1 }), status: 400, field: "delay",
			message: "Invalid input for field/attribute delay. Value: '-1'. Value should be greater or equal to 0"},
		{name: "timeout -1", run: hm(MonitorTCP, func(h *HealthMonitor) { h.Timeout = -1 }), status: 400, field: "timeout",
			message: "Invalid input for field/attribute timeout. Value: '-1'. Value should be greater or equal to 0"},
		{name: "delay 0 timeout larger than delay", run: hm(MonitorTCP, func(h *HealthMonitor) { h.Delay, h.Timeout = 0, 100000 })},
		{name: "max_retries 0", run: hm(MonitorTCP, func(h *HealthMonitor) { h.MaxRetries = 0 }), status: 400, field: "max_retries",
			message: "Invalid input for field/attribute max_retries. Value: '0'. Value should be greater or equal to 1"},
		{name: "max_retries 11", run: hm(MonitorTCP, func(h *HealthMonitor) { h.MaxRetries = 11 }), status: 400, field: "max_retries",
			message: "Invalid input for field/attribute max_retries. Value: '11'. Value should be lower or equal to 10"},
		{name: "max_retries_down 11", run: hm(MonitorTCP, func(h *HealthMonitor) { h.MaxRetriesDown = 11 }), status: 400, field: "max_retries_down",
			message: "Invalid input for field/attribute max_retries_down. Value: '11'. Value should be lower or equal to 10"},
		{name: "max_retries_down -1", run: hm(MonitorTCP, func(h *HealthMonitor) { h.MaxRetriesDown = -1 }), status: 400, field: "max_retries_down",
			message: "Invalid input for field/attribute max_retries_down. Value: '-1'. Value should be greater or equal to 1"},
		{name: "retries 1", run: hm(MonitorTCP, func(h *HealthMonitor) { h.MaxRetries, h.MaxRetriesDown = 1, 1 })},
		{name: "retries 10", run: hm(MonitorTCP, func(h *HealthMonitor) { h.MaxRetries, h.MaxRetriesDown = 10, 10 })},
		{name: "http_method unknown", run: hm(MonitorHTTP, func(h *HealthMonitor) { h.HTTPMethod = "FETCH" }), status: 400, field: "http_method",
			message: "Invalid input for field/attribute http_method. Value: 'FETCH'. Value should be one of: CONNECT, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE"},
		// api/common/types.py URLPathType / common/validate.py url_path.
		{name: "url_path relative", run: hm(MonitorHTTP, func(h *HealthMonitor) { h.URLPath = "health" }), status: 400, field: "url_path",
			message: "Invalid input for field/attribute url_path. Value: 'health'. Value must be a valid URL Path string"},
		{name: "url_path with host", run: hm(MonitorHTTP, func(h *HealthMonitor) { h.URLPath = "//example.com/health" }), status: 400, field: "url_path",
			message: "Invalid input for field/attribute url_path. Value: '//example.com/health'. Value must be a valid URL Path string"},
		{name: "url_path with space", run: hm(MonitorHTTP, func(h *HealthMonitor) { h.URLPath = "/a b" }), status: 400, field: "url_path",
			message: "Invalid input for field/attribute url_path. Value: '/a b'. Value must be a valid URL Path string"},
		{name: "url_path with scheme", run: hm(MonitorHTTPS, func(h *HealthMonitor) { h.URLPath = "https://a/b" }), status: 400, field: "url_path",
			message: "Invalid input for field/attribute url_path. Value: 'https://a/b'. Value must be a valid URL Path string"},
		{name: "url_path with query", run: hm(MonitorHTTP, func(h *HealthMonitor) { h.URLPath = "/healthz?full=1" })},
		// HealthMonitorPOST: expected_codes pattern.
		{name: "expected_codes 4 digits", run: hm(MonitorHTTP, func(h *HealthMonitor) { h.ExpectedCodes = "2000" }), status: 400, field: "expected_codes",
			message: `Invalid input for field/attribute expected_codes. Value: '2000'. Value should match the pattern ^(\d{3}(\s*,\s*\d{3})*)$|^(\d{3}-\d{3})$`},
		{name: "expected_codes open range", run: hm(MonitorHTTP, func(h *HealthMonitor) { h.ExpectedCodes = "200-" }), status: 400, field: "expected_codes",
			message: `Invalid input for field/attribute expected_codes. Value: '200-'. Value should match the pattern ^(\d{3}(\s*,\s*\d{3})*)$|^(\d{3}-\d{3})$`},
		{name: "expected_codes list and range", run: func() error {
			for _, c := range []string{"200", "200,202", "200 , 202,204", "200-299"} {
				if err := ValidateHealthMonitor(with(okMonitor(MonitorHTTP), func(h *HealthMonitor) { h.ExpectedCodes = c }), nil); err != nil {
					return err
				}
			}
			return nil
		}},
		// HealthMonitorPOST: http_version Enum(float, 1.0, 1.1).
		{name: "http_version 2", run: hm(MonitorHTTP, func(h *HealthMonitor) { h.HTTPVersion = ptr(2.0) }), status: 400, field: "http_version",
			message: "Invalid input for field/attribute http_version. Value: '2.0'. Value should be one of: 1.0, 1.1"},
		// HealthMonitorPOST: domain_name pattern DOMAIN_NAME_REGEX.
		{name: "domain_name leading hyphen", run: hm(MonitorHTTP, func(h *HealthMonitor) { h.HTTPVersion, h.DomainName = ptr(1.1), "-bad.example.com" }),
			status: 400, field: "domain_name",
			message: `Invalid input for field/attribute domain_name. Value: '-bad.example.com'. Value should match the pattern ^(?=.{1,253}\.?$)(?:(?!-|[^.]+_)[A-Za-z0-9-_]{1,63}(?<!-)(?:\.|$))+$`},
		// health_monitor.py _validate_create_hm: domain_name needs http_version ≥ 1.1.
		{name: "domain_name without http_version", run: hm(MonitorHTTP, func(h *HealthMonitor) { h.DomainName = "example.com" }),
			status: 400, field: "http_version",
			message: "Validation failure: 'http_version' must be specified when 'domain_name' is provided."},
		{name: "domain_name with HTTP 1.0", run: hm(MonitorHTTP, func(h *HealthMonitor) { h.HTTPVersion, h.DomainName = ptr(1.0), "example.com" }),
			status: 400, field: "http_version",
			message: "http_version 1.0 is not a valid option for health monitors HTTP 1.1 domain name health check"},
		{name: "domain_name with HTTP 1.1", run: hm(MonitorHTTPS, func(h *HealthMonitor) { h.HTTPVersion, h.DomainName = ptr(1.1), "_svc.example.com." })},
		// _validate_create_hm: http fields on a non-HTTP monitor (InvalidOption).
		{name: "TCP with http_method", run: hm(MonitorTCP, func(h *HealthMonitor) { h.HTTPMethod = "GET" }), status: 400, field: "http_method",
			message: "http_method is not a valid option for health monitors of type TCP"},
		{name: "PING with url_path", run: hm(MonitorPing, func(h *HealthMonitor) { h.URLPath = "/" }), status: 400, field: "url_path",
			message: "url_path is not a valid option for health monitors of type PING"},
		{name: "TLS-HELLO with expected_codes", run: hm(MonitorTLSHello, func(h *HealthMonitor) { h.ExpectedCodes = "200" }), status: 400, field: "expected_codes",
			message: "expected_codes is not a valid option for health monitors of type TLS-HELLO"},
		// health_monitor.py _validate_healthmonitor_request_for_udp_sctp.
		{name: "UDP pool HTTPS monitor", run: onPool(ProtocolUDP, MonitorHTTPS, noop), status: 400, field: "type",
			message: "Validation failure: The associated pool protocol is UDP, so only a UDP-CONNECT/SCTP/TCP/HTTP health monitor is supported."},
		{name: "SCTP pool PING monitor", run: onPool(ProtocolSCTP, MonitorPing, noop), status: 400, field: "type",
			message: "Validation failure: The associated pool protocol is SCTP, so only a UDP-CONNECT/SCTP/TCP/HTTP health monitor is supported."},
		{name: "UDP pool UDP-CONNECT delay 2", run: onPool(ProtocolUDP, MonitorUDPConnect, func(h *HealthMonitor) { h.Delay = 2 }),
			status: 400, field: "delay",
			message: "Validation failure: The request delay value 2 should be larger than 3 for UDP-CONNECT health monitor type."},
		{name: "UDP-CONNECT delay 2 without pool", run: hm(MonitorUDPConnect, func(h *HealthMonitor) { h.Delay = 2 }),
			status: 400, field: "delay",
			message: "Validation failure: The request delay value 2 should be larger than 3 for UDP-CONNECT health monitor type."},
		{name: "UDP pool UDP-CONNECT delay 3", run: onPool(ProtocolUDP, MonitorUDPConnect, func(h *HealthMonitor) { h.Delay = 3 })},
		{name: "UDP and SCTP pools TCP HTTP SCTP monitors", run: func() error {
			for _, proto := range []string{ProtocolUDP, ProtocolSCTP} {
				for _, typ := range []string{MonitorTCP, MonitorHTTP, MonitorSCTP} {
					if err := ValidateHealthMonitor(okMonitor(typ), okPool(proto)); err != nil {
						return err
					}
				}
			}
			return nil
		}},
		// health_monitor.py post: UDP-CONNECT/SCTP only on UDP/SCTP pools.
		{name: "HTTP pool UDP-CONNECT monitor", run: onPool(ProtocolHTTP, MonitorUDPConnect, noop), status: 400, field: "type",
			message: "Validation failure: The UDP-CONNECT type is only supported for pools of type UDP/SCTP."},
		{name: "PROXY pool SCTP monitor", run: onPool(ProtocolProxy, MonitorSCTP, noop), status: 400, field: "type",
			message: "Validation failure: The SCTP type is only supported for pools of type UDP/SCTP."},
		// _validate_create_hm: DuplicateHealthMonitor.
		{name: "pool already has a monitor", run: func() error {
			p := okPool(ProtocolHTTP)
			p.HealthMonitor = with(okMonitor(MonitorTCP), func(h *HealthMonitor) { h.ID = missingID })
			return ValidateHealthMonitor(okMonitor(MonitorHTTP), p)
		}, status: 409, field: "pool_id", message: "This pool already has a health monitor"},
		{name: "pool's own monitor", run: func() error {
			p := okPool(ProtocolHTTP)
			p.HealthMonitor = okMonitor(MonitorTCP)
			return ValidateHealthMonitor(okMonitor(MonitorHTTP), p)
		}},
	})
}

func TestValidateL7Policy(t *testing.T) {
	t.Parallel()
	policy := func(action string, f func(*L7Policy)) func() error {
		return func() error { return ValidateL7Policy(with(okPolicy(action), f), okListener(ProtocolHTTP, 80), nil) }
	}
	inLB := func(listenerProtocol string, pol *L7Policy) func() error {
		return func() error {
			li := okListener(listenerProtocol, 80)
			li.L7Policies = []*L7Policy{pol}
			l := graph([]*Listener{li}, okPool(ProtocolHTTP), with(okPool(ProtocolTCP), func(p *Pool) { p.ID = otherPool }))
			return ValidateL7Policy(pol, li, l)
		}
	}
	noop := func(*L7Policy) {}
	runCases(t, []vcase{
		{name: "valid actions", run: func() error {
			for _, a := range L7Actions() {
				if err := ValidateL7Policy(okPolicy(a), okListener(ProtocolTerminatedHTTPS, 443), nil); err != nil {
					return err
				}
			}
			return nil
		}},
		// api/v2/types/l7policy.py L7PolicyPOST.
		{name: "action missing", run: policy("", noop), status: 400, field: "action",
			message: "Invalid input for field/attribute action. Value: 'None'. Mandatory field missing."},
		{name: "action unknown", run: policy("DROP", noop), status: 400, field: "action",
			message: "Invalid input for field/attribute action. Value: 'DROP'. Value should be one of: REDIRECT_PREFIX, REDIRECT_TO_POOL, REDIRECT_TO_URL, REJECT"},
		{name: "redirect_pool_id not a UUID", run: policy(L7ActionRedirectToPool, func(p *L7Policy) { p.RedirectPoolID = "pool" }),
			status: 400, field: "redirect_pool_id",
			message: "Invalid input for field/attribute redirect_pool_id. Value: 'pool'. Value should be UUID format"},
		// api/common/types.py URLType / common/validate.py url.
		{name: "redirect_url ftp", run: policy(L7ActionRedirectToURL, func(p *L7Policy) { p.RedirectURL = "ftp://example.com/" }),
			status: 400, field: "redirect_url",
			message: "Invalid input for field/attribute redirect_url. Value: 'ftp://example.com/'. Value must be a valid URL string"},
		{name: "redirect_url with newline", run: policy(L7ActionRedirectToURL, func(p *L7Policy) { p.RedirectURL = "http://a/\nX-Evil: 1" }),
			status: 400, field: "redirect_url",
			message: "Invalid input for field/attribute redirect_url. Value: 'http://a/\nX-Evil: 1'. Value must be a valid URL string"},
		{name: "redirect_url without host", run: policy(L7ActionRedirectToURL, func(p *L7Policy) { p.RedirectURL = "https:///path" }),
			status: 400, field: "redirect_url",
			message: "Invalid input for field/attribute redirect_url. Value: 'https:///path'. Value must be a valid URL string"},
		{name: "redirect_prefix with space", run: policy(L7ActionRedirectPrefix, func(p *L7Policy) { p.RedirectPrefix = "http://a b" }),
			status: 400, field: "redirect_prefix",
			message: "Invalid input for field/attribute redirect_prefix. Value: 'http://a b'. Value must be a valid URL string"},
		{name: "redirect_url with port, query, IPv6 host", run: policy(L7ActionRedirectToURL, func(p *L7Policy) {
			p.RedirectURL = "http://[2001:db8::1]:8080/a?b=c#d"
		})},
		// L7PolicyPOST: position 1–2147483647.
		{name: "position -1", run: policy(L7ActionReject, func(p *L7Policy) { p.Position = -1 }), status: 400, field: "position",
			message: "Invalid input for field/attribute position. Value: '-1'. Value should be greater or equal to 1"},
		{name: "position too big", run: policy(L7ActionReject, func(p *L7Policy) { p.Position = 2147483648 }), status: 400, field: "position",
			message: "Invalid input for field/attribute position. Value: '2147483648'. Value should be lower or equal to 2147483647"},
		{name: "position max and unset", run: func() error {
			for _, pos := range []int{0, 1, 2147483647} {
				if err := ValidateL7Policy(with(okPolicy(L7ActionReject), func(p *L7Policy) { p.Position = pos }), nil, nil); err != nil {
					return err
				}
			}
			return nil
		}},
		// L7PolicyPOST: redirect_http_code Enum(int, 301, 302, 303, 307, 308).
		{name: "redirect_http_code 300", run: policy(L7ActionRedirectToURL, func(p *L7Policy) { p.RedirectHTTPCode = ptr(300) }),
			status: 400, field: "redirect_http_code",
			message: "Invalid input for field/attribute redirect_http_code. Value: '300'. Value should be one of: 301, 302, 303, 307, 308"},
		{name: "redirect_http_code 308", run: policy(L7ActionRedirectPrefix, func(p *L7Policy) { p.RedirectHTTPCode = ptr(308) })},
		// common/validate.py sanitize_l7policy_api_args.
		{name: "REDIRECT_TO_URL without url", run: policy(L7ActionRedirectToURL, func(p *L7Policy) { p.RedirectURL = "" }),
			status: 400, field: "redirect_url", message: "Invalid L7 Policy arguments: redirect_url must not be None"},
		{name: "REDIRECT_TO_POOL without pool", run: policy(L7ActionRedirectToPool, func(p *L7Policy) { p.RedirectPoolID = "" }),
			status: 400, field: "redirect_pool_id",
			message: "Invalid L7 Policy arguments: redirect_pool_id or redirect_pool must not be None"},
		{name: "REDIRECT_PREFIX without prefix", run: policy(L7ActionRedirectPrefix, func(p *L7Policy) { p.RedirectPrefix = "" }),
			status: 400, field: "redirect_prefix", message: "Invalid L7 Policy arguments: redirect_prefix must not be None"},
		{name: "REDIRECT_PREFIX with a pool", run: policy(L7ActionRedirectPrefix, func(p *L7Policy) { p.RedirectPoolID = poolID }),
			status: 400, field: "redirect_pool_id",
			message: "Invalid L7 Policy arguments: Cannot specify redirect_pool_id and redirect_url or redirect_prefix at the same time"},
		{name: "REDIRECT_TO_POOL with url and prefix", run: policy(L7ActionRedirectToPool, func(p *L7Policy) {
			p.RedirectURL, p.RedirectPrefix = "http://a/", "http://b"
		}), status: 400, field: "redirect_pool_id",
			message: "Invalid L7 Policy arguments: Cannot specify redirect_pool_id and redirect_url or redirect_prefix at the same time"},
		{name: "REJECT with url and pool (cleared)", run: policy(L7ActionReject, func(p *L7Policy) {
			p.RedirectURL, p.RedirectPoolID = "http://a/", poolID
		})},
		{name: "REDIRECT_TO_URL with pool (cleared)", run: policy(L7ActionRedirectToURL, func(p *L7Policy) { p.RedirectPoolID = poolID })},
		// l7policy.py post: ListenerNoChildren.
		{name: "PROMETHEUS listener", run: func() error {
			return ValidateL7Policy(okPolicy(L7ActionReject), okListener(ProtocolPrometheus, 9100), nil)
		}, status: 400, field: "listener_id", message: "Protocol PROMETHEUS listeners cannot have child objects."},
		// l7policy.py post: _get_db_pool (NotFound) and _validate_protocol.
		{name: "redirect pool not found", run: inLB(ProtocolHTTP, with(okPolicy(L7ActionRedirectToPool), func(p *L7Policy) { p.RedirectPoolID = missingID })),
			status: 404, field: "redirect_pool_id", message: "Pool " + missingID + " not found."},
		{name: "redirect pool protocol mismatch", run: inLB(ProtocolHTTP, with(okPolicy(L7ActionRedirectToPool), func(p *L7Policy) { p.RedirectPoolID = otherPool })),
			status: 400, field: "redirect_pool_id",
			message: "Validation failure: The pool protocol 'TCP' is invalid while the listener protocol is 'HTTP'."},
		{name: "redirect pool compatible", run: inLB(ProtocolTerminatedHTTPS, okPolicy(L7ActionRedirectToPool))},
		// db/prepare.py create_l7policy: TooManyL7RulesOnL7Policy.
		{name: "51 rules", run: policy(L7ActionReject, func(p *L7Policy) { p.Rules = rules(51) }),
			status: 409, field: "rules", message: "Too many rules on L7 policy " + policyID},
		{name: "50 rules", run: policy(L7ActionReject, func(p *L7Policy) { p.Rules = rules(50) })},
	})
}

func TestValidateL7Rule(t *testing.T) {
	t.Parallel()
	rule := func(typ, compare, key, value string) func() error {
		return func() error { return ValidateL7Rule(okRule(typ, compare, key, value), nil) }
	}
	withRules := func(n int) func() error {
		return func() error {
			pol := okPolicy(L7ActionReject)
			pol.Rules = rules(n)
			return ValidateL7Rule(okRule(L7RuleHostName, CompareEqualTo, "", "example.com"), pol)
		}
	}
	runCases(t, []vcase{
		{name: "valid", run: rule(L7RuleHostName, CompareEqualTo, "", "www.example.com")},
		{name: "valid every compare type on PATH", run: func() error {
			for _, c := range CompareTypes() {
				if err := ValidateL7Rule(okRule(L7RulePath, c, "", "/api"), nil); err != nil {
					return err
				}
			}
			return nil
		}},
		// api/v2/types/l7rule.py L7RulePOST.
		{name: "type missing", run: rule("", CompareEqualTo, "", "x"), status: 400, field: "type",
			message: "Invalid input for field/attribute type. Value: 'None'. Mandatory field missing."},
		{name: "type unknown", run: rule("QUERY", CompareEqualTo, "", "x"), status: 400, field: "type",
			message: "Invalid input for field/attribute type. Value: 'QUERY'. Value should be one of: COOKIE, FILE_TYPE, HEADER, HOST_NAME, PATH, SSL_CONN_HAS_CERT, SSL_DN_FIELD, SSL_VERIFY_RESULT"},
		{name: "compare_type unknown", run: rule(L7RulePath, "GLOB", "", "x"), status: 400, field: "compare_type",
			message: "Invalid input for field/attribute compare_type. Value: 'GLOB'. Value should be one of: CONTAINS, ENDS_WITH, EQUAL_TO, REGEX, STARTS_WITH"},
		{name: "value 256", run: rule(L7RulePath, CompareEqualTo, "", long(256)), status: 400, field: "value",
			message: "Invalid input for field/attribute value. Value: '" + long(256) + "'. Value should have a maximum character requirement of 255"},
		{name: "value 255", run: rule(L7RulePath, CompareEqualTo, "", long(255))},
		{name: "value with CR", run: rule(L7RulePath, CompareEqualTo, "", "/a\r/b"), status: 400, field: "value",
			message: "Invalid input for field/attribute value. Value: '/a\r/b'. Value should match the pattern ^[^\\r\\n]*$"},
		{name: "key with LF", run: rule(L7RuleHeader, CompareEqualTo, "X\nY", "v"), status: 400, field: "key",
			message: "Invalid input for field/attribute key. Value: 'X\nY'. Value should match the pattern ^[^\\r\\n]*$"},
		// common/validate.py l7rule_data, wrapped in L7RuleValidation.
		{name: "empty value", run: rule(L7RulePath, CompareEqualTo, "", ""), status: 400, field: "value",
			message: "Error parsing L7Rule: Invalid L7 Rule: L7 rule type requires a value"},
		{name: "HEADER without key", run: rule(L7RuleHeader, CompareEqualTo, "", "v"), status: 400, field: "key",
			message: "Error parsing L7Rule: Invalid L7 Rule: L7 rule type requires a key"},
		{name: "COOKIE without key", run: rule(L7RuleCookie, CompareEqualTo, "", "v"), status: 400, field: "key",
			message: "Error parsing L7Rule: Invalid L7 Rule: L7 rule type requires a key"},
		{name: "HEADER key not a token", run: rule(L7RuleHeader, CompareEqualTo, "X Forwarded", "v"), status: 400, field: "key",
			message: "Error parsing L7Rule: Invalid characters in key"},
		{name: "HEADER value with space", run: rule(L7RuleHeader, CompareContains, "User-Agent", "curl 8"), status: 400, field: "value",
			message: "Error parsing L7Rule: Invalid characters in header value"},
		{name: "HEADER quoted value with space", run: rule(L7RuleHeader, CompareContains, "User-Agent", `"curl 8"`)},
		{name: "COOKIE value with semicolon", run: rule(L7RuleCookie, CompareEqualTo, "session", "a;b"), status: 400, field: "value",
			message: "Error parsing L7Rule: Invalid characters in cookie value"},
		{name: "COOKIE valid", run: rule(L7RuleCookie, CompareStartsWith, "session", "abc,def")},
		{name: "HOST_NAME value with space", run: rule(L7RuleHostName, CompareEndsWith, "", "example .com"), status: 400, field: "value",
			message: "Error parsing L7Rule: Invalid characters in comparison value"},
		{name: "FILE_TYPE STARTS_WITH", run: rule(L7RuleFileType, CompareStartsWith, "", "jp"), status: 400, field: "compare_type",
			message: "Error parsing L7Rule: Invalid L7 Rule: invalid comparison type for rule type"},
		{name: "FILE_TYPE EQUAL_TO and REGEX", run: func() error {
			if err := ValidateL7Rule(okRule(L7RuleFileType, CompareEqualTo, "", "jpg"), nil); err != nil {
				return err
			}
			return ValidateL7Rule(okRule(L7RuleFileType, CompareRegex, "", `^(jpe?g|png)$`), nil)
		}},
		// common/validate.py regex.
		{name: "REGEX unbalanced", run: rule(L7RulePath, CompareRegex, "", "/api/("), status: 400, field: "value",
			message: "Error parsing L7Rule: Unable to parse regular expression: error parsing regexp: missing closing ): `/api/(`"},
		{name: "REGEX bad escape (Python's message)", run: rule(L7RuleHostName, CompareRegex, "", `^www\.\qexample`), status: 400, field: "value",
			message: `Error parsing L7Rule: Unable to parse regular expression: bad escape \q at position 6`},
		{name: "REGEX nothing to repeat (Python's message)", run: rule(L7RulePath, CompareRegex, "", `^*/api`), status: 400, field: "value",
			message: "Error parsing L7Rule: Unable to parse regular expression: nothing to repeat at position 1"},
		{name: "REGEX look-behind (RE2)", run: rule(L7RulePath, CompareRegex, "", `(?<=/api)/v1`), status: 400, field: "value",
			message: "Error parsing L7Rule: Unable to parse regular expression: error parsing regexp: invalid named capture: `(?<=/api)/v1`"},
		{name: "REGEX control character", run: rule(L7RuleHeader, CompareRegex, "X-A", "a\tb"), status: 400, field: "value",
			message: "Error parsing L7Rule: Unable to parse regular expression: contains control characters"},
		{name: "REGEX valid", run: rule(L7RuleHeader, CompareRegex, "X-A", `^(?P<v>[a-z]+)\d{2,}\.\w*$`)},
		// common/validate.py validate_l7rule_ssl_types.
		{name: "SSL_CONN_HAS_CERT with key", run: rule(L7RuleSSLConnHasCert, CompareEqualTo, "k", "true"), status: 400, field: "key",
			message: `Error parsing L7Rule: Invalid L7 Rule: L7rule type SSL_CONN_HAS_CERT does not use the "key" field.`},
		{name: "SSL_CONN_HAS_CERT false", run: rule(L7RuleSSLConnHasCert, CompareEqualTo, "", "false"), status: 400, field: "value",
			message: "Error parsing L7Rule: Invalid L7 Rule: L7rule value false is not a boolean True string."},
		{name: "SSL_CONN_HAS_CERT STARTS_WITH", run: rule(L7RuleSSLConnHasCert, CompareStartsWith, "", "true"), status: 400, field: "compare_type",
			message: "Error parsing L7Rule: Invalid L7 Rule: L7rule type SSL_CONN_HAS_CERT only supports the EQUAL_TO compare type."},
		{name: "SSL_CONN_HAS_CERT TRUE", run: rule(L7RuleSSLConnHasCert, CompareEqualTo, "", "TRUE")},
		{name: "SSL_VERIFY_RESULT negative", run: rule(L7RuleSSLVerifyResult, CompareEqualTo, "", "-1"), status: 400, field: "value",
			message: "Error parsing L7Rule: Invalid L7 Rule: L7rule type SSL_VERIFY_RESULT needs a int value, which is >= 0"},
		{name: "SSL_VERIFY_RESULT with key", run: rule(L7RuleSSLVerifyResult, CompareEqualTo, "k", "0"), status: 400, field: "key",
			message: `Error parsing L7Rule: Invalid L7 Rule: L7rule type SSL_VERIFY_RESULT does not use the "key" field.`},
		{name: "SSL_VERIFY_RESULT REGEX", run: rule(L7RuleSSLVerifyResult, CompareRegex, "", "0"), status: 400, field: "compare_type",
			message: "Error parsing L7Rule: Invalid L7 Rule: L7rule type SSL_VERIFY_RESULT only supports the EQUAL_TO compare type."},
		{name: "SSL_VERIFY_RESULT 0", run: rule(L7RuleSSLVerifyResult, CompareEqualTo, "", "0")},
		{name: "SSL_DN_FIELD without key", run: rule(L7RuleSSLDNField, CompareEqualTo, "", "admin"), status: 400, field: "key",
			message: "Error parsing L7Rule: Invalid L7 Rule: L7rule type SSL_DN_FIELD needs to specify a key and a value."},
		{name: "SSL_DN_FIELD bad key", run: rule(L7RuleSSLDNField, CompareEqualTo, "1CN", "admin"), status: 400, field: "key",
			message: "Error parsing L7Rule: Invalid L7 Rule: Invalid L7rule distinguished name field."},
		{name: "SSL_DN_FIELD bad regex", run: rule(L7RuleSSLDNField, CompareRegex, "CN", "[a-"), status: 400, field: "value",
			message: "Error parsing L7Rule: Unable to parse regular expression: error parsing regexp: missing closing ]: `[a-`"},
		{name: "SSL_DN_FIELD valid", run: rule(L7RuleSSLDNField, CompareStartsWith, "Organizational-Unit", "Eng")},
		// api/v2/controllers/l7rule.py _check_l7policy_max_rules.
		{name: "policy with 50 rules", run: withRules(50), status: 409, field: "l7policy_id",
			message: "Too many rules on L7 policy " + policyID},
		{name: "policy with 49 rules", run: withRules(49)},
		{name: "rule already on a full policy", run: func() error {
			pol := okPolicy(L7ActionReject)
			pol.Rules = rules(50)
			return ValidateL7Rule(pol.Rules[0], pol)
		}},
	})
}

func TestSupportedByAmphora(t *testing.T) {
	t.Parallel()
	udp := func(memberAddr string, vips ...string) func() error {
		return func() error {
			p := okPool(ProtocolUDP)
			p.Members = []*Member{okMember(memberAddr, 53)}
			li := okListener(ProtocolUDP, 53)
			li.DefaultPoolID = poolID
			l := graph([]*Listener{li}, p)
			l.VIPAddress = vips[0]
			for _, v := range vips[1:] {
				l.AdditionalVIPs = append(l.AdditionalVIPs, AdditionalVIP{SubnetID: subnet2ID, IPAddress: v})
			}
			return SupportedByAmphora(l)
		}
	}
	l7 := func(protocol string) func() error {
		return func() error {
			li := okListener(protocol, 80)
			li.L7Policies = []*L7Policy{okPolicy(L7ActionReject)}
			return SupportedByAmphora(graph([]*Listener{li}))
		}
	}
	runCases(t, []vcase{
		// api/drivers/amphora_driver/v2/driver.py _validate_pool_algorithm.
		{name: "SOURCE_IP_PORT", run: func() error {
			return SupportedByAmphora(graph(nil, with(okPool(ProtocolTCP), func(p *Pool) { p.LBAlgorithm = AlgorithmSourceIPPort })))
		}, status: 501, field: "lb_algorithm",
			message: "Provider 'amphora' does not support a requested option: Amphora provider does not support SOURCE_IP_PORT algorithm."},
		{name: "other algorithms", run: func() error {
			for _, a := range []string{AlgorithmRoundRobin, AlgorithmLeastConnections, AlgorithmSourceIP} {
				if err := SupportedByAmphoraPool(with(okPool(ProtocolTCP), func(p *Pool) { p.LBAlgorithm = a })); err != nil {
					return err
				}
			}
			return nil
		}},
		// driver.py _validate_members.
		{name: "UDP IPv6 member, IPv4 VIP", run: udp("2001:db8::5", "10.0.0.10"), status: 501, field: "address",
			message: "Provider 'amphora' does not support a requested option: This provider doesn't support mixing IPv4 and IPv6 addresses for its VIP and members in UDP load balancers."},
		{name: "UDP IPv4 member, IPv6 VIP", run: udp("10.0.1.5", "2001:db8::10"), status: 501, field: "address",
			message: "Provider 'amphora' does not support a requested option: This provider doesn't support mixing IPv4 and IPv6 addresses for its VIP and members in UDP load balancers."},
		{name: "UDP IPv6 member, additional IPv6 VIP", run: udp("2001:db8::5", "10.0.0.10", "2001:db8::10")},
		{name: "UDP IPv4 member, IPv4 VIP", run: udp("10.0.1.5", "10.0.0.10")},
		{name: "UDP pool without listener", run: func() error {
			p := okPool(ProtocolUDP)
			p.Members = []*Member{okMember("2001:db8::5", 53)}
			return SupportedByAmphora(graph(nil, p))
		}},
		{name: "TCP IPv6 member, IPv4 VIP", run: func() error {
			p := okPool(ProtocolTCP)
			p.Members = []*Member{okMember("2001:db8::5", 80)}
			li := okListener(ProtocolTCP, 80)
			li.DefaultPoolID = poolID
			return SupportedByAmphora(graph([]*Listener{li}, p))
		}},
		// driver.py l7policy_create.
		{name: "L7 policy on TCP listener", run: l7(ProtocolTCP), status: 501, field: "listener_id",
			message: "Provider 'amphora' does not support a requested option: TCP protocol listeners do not support L7 policies"},
		{name: "L7 policy on HTTPS listener", run: l7(ProtocolHTTPS), status: 501, field: "listener_id",
			message: "Provider 'amphora' does not support a requested option: HTTPS protocol listeners do not support L7 policies"},
		{name: "L7 policy on HTTP listener", run: l7(ProtocolHTTP)},
		{name: "L7 policy on TERMINATED_HTTPS listener", run: l7(ProtocolTerminatedHTTPS)},
	})
}

// fullGraph is a valid load balancer with every kind of object.
func fullGraph() *LoadBalancer {
	web := okPool(ProtocolHTTP)
	web.SessionPersistence = &SessionPersistence{Type: PersistenceAppCookie, CookieName: "JSESSIONID"}
	web.HealthMonitor = okMonitor(MonitorHTTP)
	web.Members = []*Member{okMember("10.0.1.5", 8080), with(okMember("10.0.1.6", 8080), func(m *Member) { m.ID = missingID })}
	api := with(okPool(ProtocolHTTP), func(p *Pool) { p.ID = otherPool })
	http := okListener(ProtocolHTTP, 80)
	http.DefaultPoolID = poolID
	http.InsertHeaders = map[string]string{"X-Forwarded-For": "true"}
	pol := okPolicy(L7ActionRedirectToPool)
	pol.RedirectPoolID = otherPool
	pol.Rules = []*L7Rule{okRule(L7RulePath, CompareStartsWith, "", "/api")}
	http.L7Policies = []*L7Policy{pol}
	dns := with(okListener(ProtocolUDP, 80), func(x *Listener) { x.ID = otherLiID })
	return graph([]*Listener{http, dns}, web, api)
}

func TestValidateGraph(t *testing.T) {
	t.Parallel()
	g := func(f func(*LoadBalancer)) func() error {
		return func() error { return ValidateGraph(with(fullGraph(), f)) }
	}
	runCases(t, []vcase{
		{name: "valid", run: g(func(*LoadBalancer) {})},
		{name: "nil", run: func() error { return ValidateGraph(nil) }},
		{name: "load balancer first", run: g(func(l *LoadBalancer) {
			l.VIPSubnetID = ""
			l.Listeners[0].ProtocolPort = 0
		}), status: 400, field: "vip_subnet_id",
			message: "Validation failure: VIP must contain one of: vip_port_id, vip_network_id, vip_subnet_id."},
		{name: "pools before listeners", run: g(func(l *LoadBalancer) {
			l.Listeners[0].ProtocolPort = 0
			l.Pools[1].LBAlgorithm = ""
		}), status: 400, field: "lb_algorithm",
			message: "Invalid input for field/attribute lb_algorithm. Value: 'None'. Mandatory field missing."},
		{name: "monitor before members", run: g(func(l *LoadBalancer) {
			l.Pools[0].HealthMonitor.MaxRetries = 0
			l.Pools[0].Members[0].Weight = 300
		}), status: 400, field: "max_retries",
			message: "Invalid input for field/attribute max_retries. Value: '0'. Value should be greater or equal to 1"},
		{name: "duplicate member reported on the second", run: g(func(l *LoadBalancer) {
			l.Pools[0].Members[1].Address = "10.0.1.5"
		}), status: 409, field: "address",
			message: "Another member on this pool is already using ip 10.0.1.5 on protocol_port 8080"},
		{name: "duplicate listener reported on the second", run: g(func(l *LoadBalancer) {
			l.Listeners[1].Protocol = ProtocolTCP
		}), status: 409, field: "protocol_port",
			message: "Another Listener on this Load Balancer is already using protocol HTTP and protocol_port 80"},
		{name: "policy then its rules", run: g(func(l *LoadBalancer) {
			l.Listeners[0].L7Policies[0].Rules[0].Value = ""
		}), status: 400, field: "value",
			message: "Error parsing L7Rule: Invalid L7 Rule: L7 rule type requires a value"},
		{name: "redirect pool checked against its listener", run: g(func(l *LoadBalancer) {
			l.Pools[1].Protocol = ProtocolTCP
		}), status: 400, field: "redirect_pool_id",
			message: "Validation failure: The pool protocol 'TCP' is invalid while the listener protocol is 'HTTP'."},
	})
}

// TestCheckListenerPoolProtocol checks the whole map of
// common/constants.py VALID_LISTENER_POOL_PROTOCOL_MAP.
func TestCheckListenerPoolProtocol(t *testing.T) {
	t.Parallel()
	allowed := map[string][]string{
		ProtocolTCP:             {ProtocolHTTP, ProtocolHTTPS, ProtocolProxy, ProtocolProxyV2, ProtocolTCP},
		ProtocolHTTP:            {ProtocolHTTP, ProtocolProxy, ProtocolProxyV2},
		ProtocolHTTPS:           {ProtocolHTTPS, ProtocolProxy, ProtocolProxyV2, ProtocolTCP},
		ProtocolTerminatedHTTPS: {ProtocolHTTP, ProtocolProxy, ProtocolProxyV2},
		ProtocolUDP:             {ProtocolUDP},
		ProtocolSCTP:            {ProtocolSCTP},
		ProtocolPrometheus:      {},
	}
	for _, lp := range ListenerProtocols() {
		for _, pp := range PoolProtocols() {
			t.Run(lp+"/"+pp, func(t *testing.T) {
				t.Parallel()
				err := CheckListenerPoolProtocol(lp, pp)
				if slices.Contains(allowed[lp], pp) {
					if err != nil {
						t.Fatalf("want nil, got %v", err)
					}
					return
				}
				want := fmt.Sprintf("Validation failure: The pool protocol '%s' is invalid while the listener protocol is '%s'.", pp, lp)
				e, ok := err.(*Error)
				if !ok || e.Status != 400 || e.Field != "protocol" || e.Message != want {
					t.Fatalf("got %#v, want 400 protocol %q", err, want)
				}
			})
		}
	}
}

func TestFieldChecks(t *testing.T) {
	t.Parallel()
	runCases(t, []vcase{
		{name: "CheckExpectedCodes ok", run: func() error { return CheckExpectedCodes("200-204") }},
		{name: "CheckExpectedCodes bad", run: func() error { return CheckExpectedCodes("2xx") }, status: 400, field: "expected_codes",
			message: `Invalid input for field/attribute expected_codes. Value: '2xx'. Value should match the pattern ^(\d{3}(\s*,\s*\d{3})*)$|^(\d{3}-\d{3})$`},
		{name: "CheckURLPath ok", run: func() error { return CheckURLPath("/status") }},
		{name: "CheckURLPath control character", run: func() error { return CheckURLPath("/a\x01") }, status: 400, field: "url_path",
			message: "Invalid input for field/attribute url_path. Value: '/a\x01'. Value must be a valid URL Path string"},
		{name: "CheckURLPath bracket", run: func() error { return CheckURLPath("/[x]") }, status: 400, field: "url_path",
			message: "Invalid input for field/attribute url_path. Value: '/[x]'. Value must be a valid URL Path string"},
		{name: "CheckCookieName ok", run: func() error { return CheckCookieName("SERVERID") }},
		{name: "CheckCookieName comma", run: func() error { return CheckCookieName("a,b") }, status: 400, field: "session_persistence.cookie_name",
			message: `Invalid input for field/attribute cookie_name. Value: 'a,b'. Value should match the pattern ^[^\s,;\\]+$`},
		{name: "CheckCookieName non Latin-1", run: func() error { return CheckCookieName("日本") }, status: 400, field: "session_persistence.cookie_name",
			message: `Validation failure: Supplied "cookie_name" is invalid.`},
		{name: "CheckDomainName ok", run: func() error { return CheckDomainName("a-b.example.com") }},
		{name: "CheckDomainName underscore inside", run: func() error { return CheckDomainName("a_b.com") }, status: 400, field: "domain_name",
			message: `Invalid input for field/attribute domain_name. Value: 'a_b.com'. Value should match the pattern ^(?=.{1,253}\.?$)(?:(?!-|[^.]+_)[A-Za-z0-9-_]{1,63}(?<!-)(?:\.|$))+$`},
		{name: "CheckDomainName label 64", run: func() error { return CheckDomainName(long(64) + ".com") }, status: 400, field: "domain_name",
			message: `Invalid input for field/attribute domain_name. Value: '` + long(64) + `.com'. Value should match the pattern ^(?=.{1,253}\.?$)(?:(?!-|[^.]+_)[A-Za-z0-9-_]{1,63}(?<!-)(?:\.|$))+$`},
		{name: "CheckCIDR ok", run: func() error { return CheckCIDR("2001:db8::/32") }},
		{name: "CheckCIDR bad netmask", run: func() error { return CheckCIDR("10.0.0.0/255.0.255.0") }, status: 400, field: "allowed_cidrs",
			message: "Invalid input for field/attribute allowed_cidrs. Value: '['10.0.0.0/255.0.255.0']'. Value should be IPv4 or IPv6 CIDR format"},
		{name: "CheckIPAddress bad", run: func() error { return CheckIPAddress("vip_address", "::g") }, status: 400, field: "vip_address",
			message: "Invalid input for field/attribute vip_address. Value: '::g'. Value should be IPv4 or IPv6 format"},
		{name: "CheckUUID braces ok", run: func() error { return CheckUUID("pool_id", "{"+poolID+"}") }},
		{name: "CheckUUID bad", run: func() error { return CheckUUID("pool_id", poolID+"0") }, status: 400, field: "pool_id",
			message: "Invalid input for field/attribute pool_id. Value: '" + poolID + "0'. Value should be UUID format"},
		{name: "CheckRedirectURL bad IPv4 host", run: func() error { return CheckRedirectURL("redirect_url", "http://300.1.1.1/") }, status: 400, field: "redirect_url",
			message: "Invalid input for field/attribute redirect_url. Value: 'http://300.1.1.1/'. Value must be a valid URL string"},
		{name: "CheckRedirectURL upper-case scheme", run: func() error { return CheckRedirectURL("redirect_prefix", "HTTPS://a") }, status: 400, field: "redirect_prefix",
			message: "Invalid input for field/attribute redirect_prefix. Value: 'HTTPS://a'. Value must be a valid URL string"},
		{name: "CheckTLSCiphers bad", run: func() error { return CheckTLSCiphers("AES;") }, status: 400, field: "tls_ciphers",
			message: "Validation failure: Invalid characters in cipher string. Only alphanumeric, -, +, !, :, @, =, _, and . are allowed."},
		{name: "CheckRegex bad", run: func() error { return CheckRegex("a**") }, status: 400, field: "value",
			message: "Error parsing L7Rule: Unable to parse regular expression: multiple repeat at position 2"},
		{name: "CheckRegex global flags later", run: func() error { return CheckRegex("a(?i)b") }, status: 400, field: "value",
			message: "Error parsing L7Rule: Unable to parse regular expression: global flags not at the start of the expression at position 1"},
		{name: "CheckRegex flags at the start and scoped", run: func() error { return CheckRegex(`(?i)^/api(?s:.*)\.json$`) }},
		{name: "CheckRegex trailing backslash", run: func() error { return CheckRegex(`a+\`) }, status: 400, field: "value",
			message: "Error parsing L7Rule: Unable to parse regular expression: bad escape (end of pattern) at position 2"},
	})
}

func TestSanitizeL7Policy(t *testing.T) {
	t.Parallel()
	type want struct {
		action, url, prefix, pool string
		code                      *int
	}
	cases := []struct {
		name string
		in   *L7Policy
		want want
	}{
		{"REJECT clears url and pool", &L7Policy{Action: L7ActionReject, RedirectURL: "http://a/", RedirectPoolID: poolID, RedirectHTTPCode: ptr(301)},
			want{action: L7ActionReject, code: ptr(301)}},
		{"URL defaults code and clears pool", &L7Policy{Action: L7ActionRedirectToURL, RedirectURL: "http://a/", RedirectPoolID: poolID},
			want{action: L7ActionRedirectToURL, url: "http://a/", code: ptr(302)}},
		{"POOL clears url and code", &L7Policy{Action: L7ActionRedirectToPool, RedirectPoolID: poolID, RedirectURL: "http://a/", RedirectHTTPCode: ptr(301)},
			want{action: L7ActionRedirectToPool, pool: poolID}},
		{"PREFIX keeps code", &L7Policy{Action: L7ActionRedirectPrefix, RedirectPrefix: "http://a", RedirectHTTPCode: ptr(308)},
			want{action: L7ActionRedirectPrefix, prefix: "http://a", code: ptr(308)}},
		{"PREFIX with url becomes URL", &L7Policy{Action: L7ActionRedirectPrefix, RedirectPrefix: "http://a", RedirectURL: "http://b/"},
			want{action: L7ActionRedirectToURL, url: "http://b/", code: ptr(302)}},
		{"REJECT with prefix becomes PREFIX", &L7Policy{Action: L7ActionReject, RedirectPrefix: "http://a"},
			want{action: L7ActionRedirectPrefix, prefix: "http://a", code: ptr(302)}},
		{"no action but a url", &L7Policy{RedirectURL: "http://b/"},
			want{action: L7ActionRedirectToURL, url: "http://b/", code: ptr(302)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if err := SanitizeL7Policy(c.in); err != nil {
				t.Fatal(err)
			}
			got := want{c.in.Action, c.in.RedirectURL, c.in.RedirectPrefix, c.in.RedirectPoolID, c.in.RedirectHTTPCode}
			if got.action != c.want.action || got.url != c.want.url || got.prefix != c.want.prefix || got.pool != c.want.pool ||
				(got.code == nil) != (c.want.code == nil) || (got.code != nil && *got.code != *c.want.code) {
				t.Fatalf("got %+v (code %v), want %+v (code %v)", got, got.code, c.want, c.want.code)
			}
		})
	}
	// common/validate.py sanitize_l7policy_api_args errors.
	runCases(t, []vcase{
		{name: "sanitize unknown action", run: func() error { return SanitizeL7Policy(&L7Policy{Action: "DROP"}) },
			status: 400, field: "action", message: "Invalid L7 Policy action specified: DROP"},
		{name: "sanitize no action", run: func() error { return SanitizeL7Policy(&L7Policy{}) },
			status: 400, field: "action", message: "Invalid L7 Policy action specified: None"},
		{name: "sanitize URL without url", run: func() error { return SanitizeL7Policy(&L7Policy{Action: L7ActionRedirectToURL}) },
			status: 400, field: "redirect_url", message: "Invalid L7 Policy arguments: redirect_url must not be None"},
		{name: "sanitize nil", run: func() error { return SanitizeL7Policy(nil) }},
	})
}

func TestHealthMonitorSetDefaults(t *testing.T) {
	t.Parallel()
	h := &HealthMonitor{Type: MonitorHTTPS}
	h.SetDefaults()
	if h.HTTPMethod != "GET" || h.URLPath != "/" || h.ExpectedCodes != "200" || h.MaxRetriesDown != 3 {
		t.Fatalf("HTTPS defaults: %+v", h)
	}
	h = &HealthMonitor{Type: MonitorHTTP, HTTPMethod: "HEAD", URLPath: "/h", ExpectedCodes: "204", MaxRetriesDown: 5}
	h.SetDefaults()
	if h.HTTPMethod != "HEAD" || h.URLPath != "/h" || h.ExpectedCodes != "204" || h.MaxRetriesDown != 5 {
		t.Fatalf("set values changed: %+v", h)
	}
	h = &HealthMonitor{Type: MonitorTCP}
	h.SetDefaults()
	if h.HTTPMethod != "" || h.URLPath != "" || h.ExpectedCodes != "" || h.MaxRetriesDown != 3 {
		t.Fatalf("TCP defaults: %+v", h)
	}
	if err := ValidateHealthMonitor(h, nil); err == nil {
		t.Fatal("max_retries 0 accepted")
	}
}

func TestPyRepr(t *testing.T) {
	t.Parallel()
	// Python 3.11 repr() of the same strings.
	cases := map[string]string{
		"a":                      `'a'`,
		"it's":                   `"it's"`,
		`both ' and "`:           `'both \' and "'`,
		"tab\tnl\n":              `'tab\tnl\n'`,
		`\`:                      `'\\'`,
		"\x00\x7f\u0085é\u200b日": `'\x00\x7f\x85é\u200b日'`,
	}
	for in, want := range cases {
		if got := pyStr(in); got != want {
			t.Errorf("pyStr(%q) = %s, want %s", in, got, want)
		}
	}
	if got := pyDict(map[string]string{"b": "2", "a": "1"}); got != `{'a': '1', 'b': '2'}` {
		t.Errorf("pyDict = %s", got)
	}
	if got := pyFloat(2); got != "2.0" {
		t.Errorf("pyFloat(2) = %s", got)
	}
}
