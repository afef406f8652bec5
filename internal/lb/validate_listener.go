package lb

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// ValidateListener checks a listener as Octavia's ListenerPOST type and
// ListenersController (post, _graph_create, _validate_create_listener) do
// ([PO] api/v2/types/listener.py, api/v2/controllers/listener.py,
// common/validate.py). l is the listener's load balancer; nil (plan time,
// no graph known) skips the checks that need it: default pool existence and
// protocol, duplicate protocol_port, allowed_cidrs against the VIP's IP
// version. The L7 policies are not validated here (see ValidateGraph), only
// their presence on a PROMETHEUS listener.
func ValidateListener(li *Listener, l *LoadBalancer) error {
	if li == nil {
		return nil
	}
	return errOrNil(validateListener(li, l))
}

func validateListener(li *Listener, l *LoadBalancer) *Error {
	return first(
		// wsme, in ListenerPOST's declaration order.
		func() *Error { return checkName(li.Name) },
		func() *Error { return checkDescription(li.Description) },
		func() *Error { return checkMandatoryEnum("protocol", li.Protocol, ListenerProtocols()) },
		func() *Error { return checkRange("protocol_port", li.ProtocolPort, MinPort, MaxPort) },
		func() *Error {
			if li.ConnectionLimit < MinConnectionLimit {
				return invalidInput("connection_limit", li.ConnectionLimit, reasonMin(MinConnectionLimit))
			}
			return nil
		},
		func() *Error {
			return checkMaxLen("default_tls_container_ref", li.DefaultTLSContainerRef, maxRefLength)
		},
		func() *Error { return checkListMaxLen("sni_container_refs", li.SNIContainerRefs, maxRefLength) },
		func() *Error { return checkProjectID(li.ProjectID) },
		func() *Error { return checkUUID("default_pool_id", li.DefaultPoolID) },
		func() *Error {
			for _, v := range li.InsertHeaders {
				if pyLen(v) > maxHeaderValueLength {
					return invalidInput("insert_headers", pyDict(li.InsertHeaders), reasonMaxLen(maxHeaderValueLength))
				}
			}
			return nil
		},
		func() *Error { return checkUUID("loadbalancer_id", li.LoadBalancerID) },
		func() *Error {
			return checkRange("timeout_client_data", li.TimeoutClientData, MinTimeoutMS, MaxTimeoutMS)
		},
		func() *Error {
			return checkRange("timeout_member_connect", li.TimeoutMemberConnect, MinTimeoutMS, MaxTimeoutMS)
		},
		func() *Error {
			return checkRange("timeout_member_data", li.TimeoutMemberData, MinTimeoutMS, MaxTimeoutMS)
		},
		func() *Error {
			return checkRange("timeout_tcp_inspect", li.TimeoutTCPInspect, MinTimeoutMS, MaxTimeoutMS)
		},
		func() *Error { return checkTags(li.Tags) },
		func() *Error {
			return checkMaxLen("client_ca_tls_container_ref", li.ClientCATLSContainerRef, maxRefLength)
		},
		func() *Error {
			return checkEnum("client_authentication", li.ClientAuthentication, ClientAuthentications())
		},
		func() *Error { return checkMaxLen("client_crl_container_ref", li.ClientCRLContainerRef, maxRefLength) },
		func() *Error { return checkAllowedCIDRs(li.AllowedCIDRs) },
		func() *Error { return checkMaxLen("tls_ciphers", li.TLSCiphers, maxTLSCiphersLength) },
		func() *Error { return checkListMaxLen("tls_versions", li.TLSVersions, maxTLSVersionLength) },
		func() *Error { return checkALPNType("alpn_protocols", li.ALPNProtocols) },
		// ListenersController.post / _graph_create.
		func() *Error { return checkListenerDefaultPool(li, l) },
		// _validate_create_listener.
		func() *Error { return checkInsertHeaders(li) },
		func() *Error { return checkListenerTLS(li) },
		func() *Error { return checkTLSCiphers(li.TLSCiphers) },
		func() *Error { return checkDuplicateListener(li, l) },
		func() *Error { return checkCIDRsAgainstVIP(li, l) },
		func() *Error {
			if !listenerCanTLSOffload(li) {
				return nil
			}
			if e := checkTLSVersionList(li.TLSVersions); e != nil {
				return e
			}
			return checkALPNList(li.ALPNProtocols)
		},
		// _graph_create: a PROMETHEUS listener with L7 policies.
		func() *Error {
			if li.Protocol == ProtocolPrometheus && len(li.L7Policies) > 0 {
				return listenerNoChildren("l7policies")
			}
			return nil
		},
	)
}

// checkAllowedCIDRs is [CidrType] on allowed_cidrs.
func checkAllowedCIDRs(cidrs []string) *Error {
	for _, c := range cidrs {
		if _, ok := parseCIDR(c); !ok {
			return invalidInput("allowed_cidrs", pyList(cidrs), reasonCIDR)
		}
	}
	return nil
}

// checkALPNType is ArrayType(AlpnProtocolType).
func checkALPNType(field string, protocols []string) *Error {
	for _, p := range protocols {
		if !slices.Contains(ALPNProtocols(), p) {
			return invalidInput(field, pyList(protocols), reasonALPN)
		}
	}
	return nil
}

// checkListenerDefaultPool: a PROMETHEUS listener takes no default pool;
// with the graph, the pool must be one of the load balancer's
// (_validate_pool: NotFound) and of a protocol the listener may use.
func checkListenerDefaultPool(li *Listener, l *LoadBalancer) *Error {
	if li.DefaultPoolID == "" {
		return nil
	}
	if li.Protocol == ProtocolPrometheus {
		return listenerNoChildren("default_pool_id")
	}
	if l == nil {
		return nil
	}
	p := l.Pool(li.DefaultPoolID)
	if p == nil {
		return notFound("default_pool_id", "Pool", li.DefaultPoolID)
	}
	return checkListenerPoolProtocol("default_pool_id", li.Protocol, p.Protocol)
}

// checkInsertHeaders is ListenersController._validate_insert_headers. The
// offending keys are listed sorted (Octavia keeps the request's order).
func checkInsertHeaders(li *Listener) *Error {
	if len(li.InsertHeaders) == 0 {
		return nil
	}
	if li.Protocol != ProtocolHTTP && li.Protocol != ProtocolTerminatedHTTPS {
		return invalidOption("insert_headers", "insert-headers", "a "+li.Protocol+" protocol listener.")
	}
	keys := sortedKeys(li.InsertHeaders)
	for _, k := range keys {
		if !slices.Contains(InsertHeaders(), k) {
			return invalidOption("insert_headers", "dict_keys("+pyList(keys)+")", "insert_headers")
		}
	}
	if li.Protocol == ProtocolTerminatedHTTPS {
		return nil
	}
	var ssl []string
	for _, k := range keys {
		if isSSLHeader(k) {
			ssl = append(ssl, k)
		}
	}
	if len(ssl) > 0 {
		return invalidOption("insert_headers", pyList(ssl), li.Protocol+" protocol listener.")
	}
	return nil
}

func isSSLHeader(h string) bool {
	switch h {
	case "X-SSL-Client-Verify", "X-SSL-Client-Has-Cert", "X-SSL-Client-DN", "X-SSL-Client-CN",
		"X-SSL-Issuer", "X-SSL-Client-SHA1", "X-SSL-Client-Not-Before", "X-SSL-Client-Not-After":
		return true
	}
	return false
}

// listenerHasTLSRefs is _has_tls_container_refs.
func listenerHasTLSRefs(li *Listener) bool {
	return li.DefaultTLSContainerRef != "" || li.ClientCATLSContainerRef != "" || len(li.SNIContainerRefs) > 0
}

// listenerCanTLSOffload is _can_tls_offload: TERMINATED_HTTPS, or
// PROMETHEUS with certificate references.
func listenerCanTLSOffload(li *Listener) bool {
	return li.Protocol == ProtocolTerminatedHTTPS || (li.Protocol == ProtocolPrometheus && listenerHasTLSRefs(li))
}

// tlsRefField names the certificate reference a TLS error is about.
func tlsRefField(li *Listener) string {
	switch {
	case li.DefaultTLSContainerRef != "":
		return "default_tls_container_ref"
	case len(li.SNIContainerRefs) > 0:
		return "sni_container_refs"
	}
	return "client_ca_tls_container_ref"
}

// checkListenerTLS is the certificate part of _validate_create_listener.
func checkListenerTLS(li *Listener) *Error {
	hasRefs := listenerHasTLSRefs(li)
	hasCert := li.DefaultTLSContainerRef != "" || len(li.SNIContainerRefs) > 0
	offload := listenerCanTLSOffload(li)
	if (li.Protocol == ProtocolUDP || li.Protocol == ProtocolSCTP) && hasRefs {
		return validationFailure(tlsRefField(li), li.Protocol+" protocol listener does not support TLS.")
	}
	if !offload && hasRefs {
		return validationFailure(tlsRefField(li), fmt.Sprintf(
			"Certificate container references are not allowed on %s protocol listeners.", li.Protocol))
	}
	if li.ClientCATLSContainerRef != "" && !hasCert {
		return validationFailure("client_ca_tls_container_ref",
			"An SNI or default certificate container reference must be provided with a client CA container reference.")
	}
	if offload && !hasCert {
		what := li.Protocol
		if li.Protocol == ProtocolPrometheus {
			what = ProtocolPrometheus + " with TLS"
		}
		return validationFailure("default_tls_container_ref", fmt.Sprintf(
			"An SNI or default certificate container reference must be provided for %s protocol listeners.", what))
	}
	auth := li.ClientAuthentication
	if auth == "" {
		auth = ClientAuthNone
	}
	if auth != ClientAuthNone && li.ClientCATLSContainerRef == "" {
		return validationFailure("client_authentication", fmt.Sprintf(
			"Client authentication setting %s requires a client CA container reference.", auth))
	}
	if li.ClientCRLContainerRef != "" && li.ClientCATLSContainerRef == "" {
		return validationFailure("client_crl_container_ref",
			"A client authentication CA reference is required to specify a client authentication revocation list.")
	}
	return nil
}

// CheckTLSCiphers is validate.check_cipher_string on a listener's or pool's
// tls_ciphers (an OpenSSL cipher string); an empty value is unset and passes.
// The administrator's prohibit list is empty by default and not applied.
func CheckTLSCiphers(v string) error { return errOrNil(checkTLSCiphers(v)) }

func checkTLSCiphers(v string) *Error {
	if v == "" || regexp.MustCompile(`^[A-Za-z0-9\-+!:@=_.]+$`).MatchString(v) {
		return nil
	}
	return validationFailure("tls_ciphers",
		"Invalid characters in cipher string. Only alphanumeric, -, +, !, :, @, =, _, and . are allowed.")
}

// checkTLSVersionList is validate.check_tls_version_list; nil is unset.
// ([api_settings] minimum_tls_version is unset by default and not applied.)
func checkTLSVersionList(versions []string) *Error {
	if versions == nil {
		return nil
	}
	if len(versions) == 0 {
		return validationFailure("tls_versions",
			"Empty TLS version list. Either specify at least one TLS version or remove this parameter to use the default.")
	}
	var invalid []string
	for _, v := range versions {
		if !slices.Contains(TLSVersions(), v) {
			invalid = append(invalid, v)
		}
	}
	if len(invalid) > 0 {
		return validationFailure("tls_versions", "Invalid TLS versions: "+strings.Join(invalid, ", "))
	}
	return nil
}

// checkALPNList is validate.check_alpn_protocols; nil is unset.
func checkALPNList(protocols []string) *Error {
	if protocols == nil {
		return nil
	}
	if len(protocols) == 0 {
		return validationFailure("alpn_protocols",
			"Empty ALPN protocol list. Either specify at least one ALPN protocol or remove this parameter to use the default.")
	}
	var invalid []string
	for _, p := range protocols {
		if !slices.Contains(ALPNProtocols(), p) {
			invalid = append(invalid, p)
		}
	}
	if len(invalid) > 0 {
		return validationFailure("alpn_protocols", "Invalid ALPN protocol: "+strings.Join(invalid, ", "))
	}
	return nil
}

// checkDuplicateListener is the L4 port check of _validate_create_listener:
// no two listeners of the load balancer on the same protocol_port with the
// same transport (TCP family, UDP, SCTP). The message names the protocol of
// the listener already there.
func checkDuplicateListener(li *Listener, l *LoadBalancer) *Error {
	if l == nil {
		return nil
	}
	for _, o := range precedingOrAll(l.Listeners, li, func(x *Listener) string { return x.ID }) {
		if o.ProtocolPort == li.ProtocolPort && l4Protocol(o.Protocol) == l4Protocol(li.Protocol) {
			return conflict("protocol_port", fmt.Sprintf(
				"Another Listener on this Load Balancer is already using protocol %s and protocol_port %d",
				o.Protocol, li.ProtocolPort))
		}
	}
	return nil
}

// checkCIDRsAgainstVIP is _validate_cidr_compatible_with_vip; skipped while
// the VIP address is not known.
func checkCIDRsAgainstVIP(li *Listener, l *LoadBalancer) *Error {
	if l == nil {
		return nil
	}
	vip, ok := parseIP(l.VIPAddress)
	if !ok {
		return nil
	}
	for _, c := range li.AllowedCIDRs {
		p, ok := parseCIDR(c)
		if ok && p.Addr().Is6() != vip.Is6() {
			return validationFailure("allowed_cidrs", fmt.Sprintf(
				"CIDR %s IP version incompatible with VIP %s IP version.", pyPrefix(p), l.VIPAddress))
		}
	}
	return nil
}
