package lb

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

const (
	expectedCodesPattern = `^(\d{3}(\s*,\s*\d{3})*)$|^(\d{3}-\d{3})$`
	domainNamePattern    = `^(?=.{1,253}\.?$)(?:(?!-|[^.]+_)[A-Za-z0-9-_]{1,63}(?<!-)(?:\.|$))+$`
)

// SetDefaults fills what Octavia fills on create when the fields are unset:
// for HTTP and HTTPS monitors http_method GET, url_path "/" and
// expected_codes "200" (HealthMonitorController._validate_create_hm), and
// max_retries_down 3 (HealthMonitorPOST's default).
func (h *HealthMonitor) SetDefaults() {
	if h.Type == MonitorHTTP || h.Type == MonitorHTTPS {
		if h.HTTPMethod == "" {
			h.HTTPMethod = DefaultHTTPMethod
		}
		if h.URLPath == "" {
			h.URLPath = DefaultURLPath
		}
		if h.ExpectedCodes == "" {
			h.ExpectedCodes = DefaultExpectedCodes
		}
	}
	if h.MaxRetriesDown == 0 {
		h.MaxRetriesDown = DefaultMaxRetriesDown
	}
}

// ValidateHealthMonitor checks a health monitor as Octavia's
// HealthMonitorPOST type and HealthMonitorController (post, _validate_create_hm,
// _validate_healthmonitor_request_for_udp_sctp) do ([PO]
// api/v2/types/health_monitor.py, api/v2/controllers/health_monitor.py):
// type, delay ≥0, timeout ≥0 (Octavia has no upper bound and no
// delay/timeout cross-check), max_retries 1–10, max_retries_down 1–10 (0 is
// unset: default 3), http_method, url_path, expected_codes, http_version,
// domain_name (and its need for HTTP/1.1), the http_* fields only on HTTP
// and HTTPS monitors. A UDP-CONNECT monitor needs a delay of at least 3
// ([api_settings] udp_connect_min_interval_health_monitor). p is the
// monitor's pool; nil (plan time) skips the type-per-pool-protocol check
// and the one-monitor-per-pool check.
func ValidateHealthMonitor(h *HealthMonitor, p *Pool) error {
	if h == nil {
		return nil
	}
	return errOrNil(validateHealthMonitor(h, p))
}

func validateHealthMonitor(h *HealthMonitor, p *Pool) *Error {
	return first(
		// wsme, in HealthMonitorPOST's declaration order.
		func() *Error { return checkName(h.Name) },
		func() *Error { return checkMandatoryEnum("type", h.Type, MonitorTypes()) },
		func() *Error { return checkNonNegative("delay", h.Delay) },
		func() *Error { return checkNonNegative("timeout", h.Timeout) },
		func() *Error {
			if h.MaxRetriesDown == 0 {
				return nil
			}
			return checkRange("max_retries_down", h.MaxRetriesDown, MinRetries, MaxRetries)
		},
		func() *Error { return checkRange("max_retries", h.MaxRetries, MinRetries, MaxRetries) },
		func() *Error { return checkEnum("http_method", h.HTTPMethod, HTTPMethods()) },
		func() *Error { return asError(CheckURLPath(h.URLPath)) },
		func() *Error { return asError(CheckExpectedCodes(h.ExpectedCodes)) },
		func() *Error { return checkProjectID(h.ProjectID) },
		func() *Error { return checkUUID("pool_id", h.PoolID) },
		func() *Error { return checkTags(h.Tags) },
		func() *Error {
			if h.HTTPVersion == nil || slices.Contains(HTTPVersions(), *h.HTTPVersion) {
				return nil
			}
			return invalidInput("http_version", pyFloat(*h.HTTPVersion), reasonOneOf([]string{"1.0", "1.1"}))
		},
		func() *Error { return asError(CheckDomainName(h.DomainName)) },
		// HealthMonitorController.post: type per pool protocol.
		func() *Error { return checkMonitorForPool(h, p) },
		// _validate_create_hm.
		func() *Error {
			if h.Type == MonitorHTTP || h.Type == MonitorHTTPS {
				return nil
			}
			for _, f := range []struct{ name, value string }{
				{"http_method", h.HTTPMethod}, {"url_path", h.URLPath}, {"expected_codes", h.ExpectedCodes},
			} {
				if f.value != "" {
					return invalidOption(f.name, f.name, "health monitors of type "+h.Type)
				}
			}
			return nil
		},
		func() *Error {
			if h.DomainName == "" {
				return nil
			}
			if h.HTTPVersion == nil {
				return validationFailure("http_version",
					"'http_version' must be specified when 'domain_name' is provided.")
			}
			if *h.HTTPVersion < 1.1 {
				return invalidOption("http_version", "http_version "+pyFloat(*h.HTTPVersion),
					"health monitors HTTP 1.1 domain name health check")
			}
			return nil
		},
		// The database's one monitor per pool.
		func() *Error {
			if p == nil || p.HealthMonitor == nil || p.HealthMonitor == h ||
				(h.ID != "" && p.HealthMonitor.ID == h.ID) {
				return nil
			}
			return conflict("pool_id", "This pool already has a health monitor")
		},
	)
}

func checkNonNegative(field string, v int) *Error {
	if v < 0 {
		return invalidInput(field, v, reasonMin(0))
	}
	return nil
}

// asError turns an error of this package back into *Error.
func asError(err error) *Error {
	if err == nil {
		return nil
	}
	if e, ok := err.(*Error); ok {
		return e
	}
	return &Error{Status: 500, Message: err.Error()}
}

// checkMonitorForPool: UDP and SCTP pools take UDP-CONNECT, SCTP, TCP and
// HTTP monitors, other pools anything but UDP-CONNECT and SCTP; a
// UDP-CONNECT monitor (which only a UDP/SCTP pool takes, so also checked
// without the pool) needs delay ≥ UDPConnectMinDelay.
func checkMonitorForPool(h *HealthMonitor, p *Pool) *Error {
	lvs := p == nil || p.Protocol == ProtocolUDP || p.Protocol == ProtocolSCTP
	if p != nil && lvs {
		switch h.Type {
		case MonitorUDPConnect, MonitorSCTP, MonitorTCP, MonitorHTTP:
		default:
			return validationFailure("type", fmt.Sprintf(
				"The associated pool protocol is %s, so only a %s health monitor is supported.",
				p.Protocol, strings.Join([]string{MonitorUDPConnect, MonitorSCTP, MonitorTCP, MonitorHTTP}, "/")))
		}
	}
	if p != nil && !lvs && (h.Type == MonitorUDPConnect || h.Type == MonitorSCTP) {
		return validationFailure("type", fmt.Sprintf(
			"The %s type is only supported for pools of type %s/%s.", h.Type, ProtocolUDP, ProtocolSCTP))
	}
	if lvs && h.Type == MonitorUDPConnect && h.Delay < UDPConnectMinDelay {
		return validationFailure("delay", fmt.Sprintf(
			"The request delay value %d should be larger than %d for %s health monitor type.",
			h.Delay, UDPConnectMinDelay, MonitorUDPConnect))
	}
	return nil
}

// CheckExpectedCodes is the wsme pattern of a health monitor's
// expected_codes: one code, a comma-separated list or a range. An empty
// value is unset and passes. (Stricter than Python, whose $ also accepts a
// trailing newline and whose \d, \s accept non-ASCII digits and spaces.)
func CheckExpectedCodes(v string) error {
	if v == "" || regexp.MustCompile(expectedCodesPattern).MatchString(v) {
		return nil
	}
	return invalidInput("expected_codes", v, reasonPattern(expectedCodesPattern))
}

// CheckDomainName is the wsme type of a health monitor's domain_name:
// 1–255 characters matching Octavia's DOMAIN_NAME_REGEX. An empty value is
// unset and passes.
func CheckDomainName(v string) error {
	if v == "" {
		return nil
	}
	if e := checkMaxLen("domain_name", v, maxDomainNameLength); e != nil {
		return e
	}
	if !isDomainName(v) {
		return invalidInput("domain_name", v, reasonPattern(domainNamePattern))
	}
	return nil
}

// isDomainName is DOMAIN_NAME_REGEX, whose look-arounds RE2 lacks: at most
// 253 characters (254 with a final dot), dot-separated labels of 1–63 of
// [A-Za-z0-9_-], an optional final dot; a label neither starts nor ends
// with "-" and has "_" at most as its first character.
func isDomainName(s string) bool {
	n := len(s)
	if n == 0 || n > 254 || (n == 254 && s[n-1] != '.') {
		return false
	}
	labels := strings.Split(strings.TrimSuffix(s, "."), ".")
	for _, lab := range labels {
		if len(lab) == 0 || len(lab) > 63 || lab[0] == '-' || lab[len(lab)-1] == '-' {
			return false
		}
		for i := 0; i < len(lab); i++ {
			c := lab[i]
			switch {
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-':
			case c == '_' && i == 0:
			default:
				return false
			}
		}
	}
	return true
}
