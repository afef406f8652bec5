package lb

import "strings"

// ValidatePool checks a pool as Octavia's PoolPOST type and PoolsController
// (post, _validate_create_pool) do ([PO] api/v2/types/pool.py,
// api/v2/controllers/pool.py, common/validate.py:check_session_persistence).
// l is the pool's load balancer; nil (plan time) skips the checks that need
// the graph: the listener_id listener's existence, protocol and default
// pool. With l the pool is taken to belong to l, so loadbalancer_id and
// listener_id are only required when l is nil. The health monitor and the
// members are not validated here (see ValidateGraph).
func ValidatePool(p *Pool, l *LoadBalancer) error {
	if p == nil {
		return nil
	}
	return errOrNil(validatePool(p, l))
}

func validatePool(p *Pool, l *LoadBalancer) *Error {
	return first(
		// wsme, in PoolPOST's declaration order.
		func() *Error { return checkName(p.Name) },
		func() *Error { return checkDescription(p.Description) },
		func() *Error { return checkUUID("listener_id", p.ListenerID) },
		func() *Error { return checkUUID("loadbalancer_id", p.LoadBalancerID) },
		func() *Error { return checkMandatoryEnum("protocol", p.Protocol, PoolProtocols()) },
		func() *Error { return checkMandatoryEnum("lb_algorithm", p.LBAlgorithm, Algorithms()) },
		func() *Error { return checkSessionPersistenceType(p.SessionPersistence) },
		func() *Error { return checkProjectID(p.ProjectID) },
		func() *Error { return checkTags(p.Tags) },
		func() *Error { return checkMaxLen("tls_container_ref", p.TLSContainerRef, maxRefLength) },
		func() *Error { return checkMaxLen("ca_tls_container_ref", p.CATLSContainerRef, maxRefLength) },
		func() *Error { return checkMaxLen("crl_container_ref", p.CRLContainerRef, maxRefLength) },
		func() *Error { return checkMaxLen("tls_ciphers", p.TLSCiphers, maxTLSCiphersLength) },
		func() *Error { return checkListMaxLen("tls_versions", p.TLSVersions, maxTLSVersionLength) },
		func() *Error { return checkALPNType("alpn_protocols", p.ALPNProtocols) },
		// PoolsController.post.
		func() *Error {
			if l == nil && p.LoadBalancerID == "" && p.ListenerID == "" {
				return validationFailure("loadbalancer_id", "Must provide at least one of: loadbalancer_id, listener_id")
			}
			return nil
		},
		func() *Error { return checkPoolListener(p, l) },
		func() *Error { return checkSessionPersistence(p) },
		func() *Error {
			if l == nil || p.ListenerID == "" {
				return nil
			}
			if li := l.Listener(p.ListenerID); li != nil && li.DefaultPoolID != "" && li.DefaultPoolID != p.ID {
				return conflict("listener_id", "This listener already has a default pool")
			}
			return nil
		},
		// _validate_create_pool.
		func() *Error {
			if p.CRLContainerRef != "" && p.CATLSContainerRef == "" {
				return validationFailure("crl_container_ref",
					"A CA certificate reference is required to specify a revocation list.")
			}
			return nil
		},
		func() *Error { return checkTLSCiphers(p.TLSCiphers) },
		func() *Error {
			if !p.TLSEnabled {
				return nil
			}
			if e := checkTLSVersionList(p.TLSVersions); e != nil {
				return e
			}
			return checkALPNList(p.ALPNProtocols)
		},
	)
}

// checkSessionPersistenceType is SessionPersistencePOST's wsme part: type
// mandatory and known, cookie_name ≤255 matching ^[^\s,;\\]+$,
// persistence_granularity an IP address.
func checkSessionPersistenceType(sp *SessionPersistence) *Error {
	if sp == nil {
		return nil
	}
	return first(
		func() *Error {
			return checkMandatoryEnum("session_persistence.type", sp.Type, PersistenceTypes())
		},
		func() *Error { return checkCookieNameType(sp.CookieName) },
		func() *Error {
			return checkIP("session_persistence.persistence_granularity", sp.PersistenceGranularity)
		},
	)
}

// checkPoolListener: with the graph, the pool's listener_id must be a
// listener of the load balancer (Octavia fails with a 500 here; this answers
// NotFound), not PROMETHEUS, of a protocol that may use the pool's.
func checkPoolListener(p *Pool, l *LoadBalancer) *Error {
	if l == nil || p.ListenerID == "" {
		return nil
	}
	li := l.Listener(p.ListenerID)
	if li == nil {
		return notFound("listener_id", "Listener", p.ListenerID)
	}
	if li.Protocol == ProtocolPrometheus {
		return listenerNoChildren("listener_id")
	}
	return checkListenerPoolProtocol("listener_id", li.Protocol, p.Protocol)
}

// checkSessionPersistence is the controller part: the UDP/SCTP rules
// (_validate_pool_request_for_udp_sctp), the non-UDP rule on
// persistence_timeout/granularity, then check_session_persistence.
func checkSessionPersistence(p *Pool) *Error {
	sp := p.SessionPersistence
	if sp == nil {
		return nil
	}
	if p.Protocol == ProtocolUDP || p.Protocol == ProtocolSCTP {
		if sp.Type == PersistenceSourceIP && sp.CookieName != "" {
			return validationFailure("session_persistence.cookie_name",
				"session_persistence SOURCE_IP type for UDP and SCTP protocols only accepts: type, persistence_timeout, persistence_granularity.")
		}
		if sp.CookieName != "" {
			return validationFailure("session_persistence.cookie_name",
				"Cookie names are not supported for UDP/SCTP pools.")
		}
		if sp.Type == PersistenceHTTPCookie || sp.Type == PersistenceAppCookie {
			return validationFailure("session_persistence.type",
				"Session persistence of type "+sp.Type+" is not supported for UDP/SCTP protocol pools.")
		}
	} else {
		// Python truthiness: a timeout of 0 passes.
		timeout := sp.PersistenceTimeout != nil && *sp.PersistenceTimeout != 0
		if timeout || sp.PersistenceGranularity != "" {
			field := "session_persistence.persistence_timeout"
			if !timeout {
				field = "session_persistence.persistence_granularity"
			}
			return validationFailure(field,
				"persistence_timeout and persistence_granularity is only for UDP and SCTP protocol pools.")
		}
	}
	if sp.CookieName != "" {
		if sp.Type != PersistenceAppCookie {
			return validationFailure("session_persistence.cookie_name",
				`Field "cookie_name" can only be specified with session persistence of type "APP_COOKIE".`)
		}
		if e := checkCookieNameChars(sp.CookieName); e != nil {
			return e
		}
	}
	if sp.Type == PersistenceAppCookie && sp.CookieName == "" {
		return validationFailure("session_persistence.cookie_name",
			`Field "cookie_name" must be specified when using the "APP_COOKIE" session persistence type.`)
	}
	return nil
}

// CheckCookieName checks a session persistence cookie_name on its own: the
// wsme length and pattern (^[^\s,;\\]+$), then the characters
// check_session_persistence refuses. An empty value is unset and passes.
// (That a cookie_name needs type APP_COOKIE is ValidatePool's.)
func CheckCookieName(v string) error {
	if v == "" {
		return nil
	}
	if e := checkCookieNameType(v); e != nil {
		return e
	}
	return errOrNil(checkCookieNameChars(v))
}

func checkCookieNameType(v string) *Error {
	const field = "session_persistence.cookie_name"
	if v == "" {
		return nil
	}
	if e := checkMaxLen(field, v, maxCookieNameLength); e != nil {
		return e
	}
	// Python's $ also matches before a final newline, so "name\n" passes
	// wsme (and is refused by checkCookieNameChars).
	s := strings.TrimSuffix(v, "\n")
	ok := s != ""
	for _, r := range s {
		if isPySpace(r) || r == ',' || r == ';' || r == '\\' {
			ok = false
			break
		}
	}
	if !ok {
		return invalidInput(field, v, reasonPattern(`^[^\s,;\\]+$`))
	}
	return nil
}

// checkCookieNameChars is check_session_persistence's bad_cookie_name and
// valid_chars test: no CTL, space, '"', '(', ')', ',', '/', ':'…'@',
// '['…']', '{', '}' or DEL, and at least one Latin-1 character.
func checkCookieNameChars(v string) *Error {
	latin1 := false
	for _, r := range v {
		if r <= 0xff {
			latin1 = true
		}
		if r <= 0x20 || r == 0x22 || r == 0x28 || r == 0x29 || r == 0x2c || r == 0x2f ||
			(r >= 0x3a && r <= 0x40) || (r >= 0x5b && r <= 0x5d) || r == 0x7b || r == 0x7d || r == 0x7f {
			latin1 = false
			break
		}
	}
	if !latin1 {
		return validationFailure("session_persistence.cookie_name", `Supplied "cookie_name" is invalid.`)
	}
	return nil
}
