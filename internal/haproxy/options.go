package haproxy

import (
	"crypto/sha1" //nolint:gosec // Octavia's peer names are base64(SHA-1(amphora id)); not a security use.
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"path/filepath"
	"strings"
)

// maxSocketPath is the longest UNIX socket path HAProxy 2.6 accepts (its
// sun_path minus room for the temporary name it binds first).
const maxSocketPath = 97

// Defaults the renderer applies to zero Options fields. They are Octavia's
// ([haproxy_amphora] and the amphora image's) values.
const (
	// DefaultStateDir is Octavia's amphora base path.
	DefaultStateDir = "/var/lib/octavia"
	// DefaultCertDir is Octavia's base_cert_dir.
	DefaultCertDir = "/var/lib/octavia/certs"
	// DefaultPingScript is the external-check script of Octavia's amphora image.
	DefaultPingScript = "/var/lib/octavia/ping-wrapper.sh"
	// DefaultPeerPort is Octavia's HAPROXY_BASE_PEER_PORT.
	DefaultPeerPort = 1025
	// DefaultMaxConnCap is Octavia's HAPROXY_MAX_MAXCONN.
	DefaultMaxConnCap = 1000000
	// DefaultConnectionLimit is [haproxy_amphora] default_connection_limit:
	// the maxconn of a listener whose connection_limit is -1 (or 0).
	DefaultConnectionLimit = 50000
	// DefaultStickTableSize is [haproxy_amphora] haproxy_stick_size.
	DefaultStickTableSize = "10k"
	// DefaultStatsSocketLevel is the level Octavia gives the stats socket.
	DefaultStatsSocketLevel = "user"
	// DefaultUserLogFormat is [haproxy_amphora] user_log_format. The
	// placeholders {{ project_id }} and {{ lb_id }} are replaced by the load
	// balancer's project and ID.
	DefaultUserLogFormat = "{{ project_id }} {{ lb_id }} %f %ci %cp %t %{+Q}r %ST %B %U %[ssl_c_verify] %{+Q}[ssl_c_s_dn] %b %s %Tt %tsc"
)

// Options are the paths and knobs that the caller (the controller that pushes
// the configuration, or the agent that runs HAProxy) decides. The zero value
// renders Octavia's amphora configuration: every zero field takes the default
// documented on it.
type Options struct {
	// StateDir holds HAProxy's runtime files for the load balancer: the stats
	// socket <StateDir>/<lb_id>.sock and the server state file
	// <StateDir>/<lb_id>.state (read back with load-server-state-from-file on
	// reloads of pools that have a health monitor; the agent saves it with
	// "show servers state" before a reload). Empty means DefaultStateDir.
	// HAProxy refuses socket paths longer than 97 bytes, so StateDir must
	// stay under about 55 bytes; Render reports a longer one.
	StateDir string

	// CertDir holds the load balancer's TLS files: one crt-list per TLS
	// listener, <CertDir>/<listener_id>.crt-list, and one PEM file per
	// certificate container or secret reference, <CertDir>/<sha256(ref)>.pem
	// (see TLSFiles, CrtListPath and CertPath). Empty means DefaultCertDir.
	CertDir string

	// User and Group are the "user" and "group" HAProxy drops privileges to.
	// Empty means none: HAProxy keeps the identity it was started with.
	// Octavia uses "nobody" and no group.
	User  string
	Group string

	// Daemon adds "daemon" to the global section (Octavia's amphorae do). Leave
	// it false when an agent runs HAProxy in master-worker mode (-W -S) as a
	// child process.
	Daemon bool

	// LogTargets are the global "log" lines, in order; Octavia has two: the
	// user (connection) log and the administrative log at level notice. With
	// none, connection logging is off ("no log" in defaults, no log-format),
	// because HAProxy would only warn that a log-format has no log address.
	LogTargets []LogTarget

	// DisableConnectionLogging renders "no log" in defaults and no
	// log-format, like Octavia's connection_logging = False; the global log
	// targets still get HAProxy's own messages.
	DisableConnectionLogging bool

	// UserLogFormat is the per-listener log-format when connection logging is
	// on; {{ project_id }} and {{ lb_id }} are substituted. Empty means
	// DefaultUserLogFormat. For TCP-mode listeners the HTTP-only fields %r,
	// %{+Q}r, %ST and %{+Q}ST are replaced by "-", as Octavia does.
	UserLogFormat string

	// StatsSocketLevel is the level of the stats socket: "user" (Octavia's,
	// enough for "show stat" and "show servers state"), "operator" or
	// "admin". Empty means DefaultStatsSocketLevel.
	StatsSocketLevel string

	// PingScript is the external-check command of PING health monitors.
	// Empty means DefaultPingScript.
	PingScript string

	// PeerPort is the port of the HAProxy peers (stick-table
	// synchronisation) on each amphora's VRRP address in ACTIVE_STANDBY
	// topology. Zero means DefaultPeerPort.
	PeerPort int

	// AmphoraID is the amphora this configuration is rendered for. In
	// ACTIVE_STANDBY topology it names the local peer ("localpeer"); without
	// it the caller must start HAProxy with -L <PeerName(amphora id)>, or
	// HAProxy drops the peers section.
	AmphoraID string

	// MaxConnCap caps the global maxconn (the sum of the listeners'
	// connection limits). Zero means DefaultMaxConnCap.
	MaxConnCap int

	// DefaultConnectionLimit is the maxconn of a listener whose
	// connection_limit is -1 (or 0, as Octavia treats it). Zero means
	// DefaultConnectionLimit.
	DefaultConnectionLimit int

	// StickTableSize is the size of session persistence stick tables. Empty
	// means DefaultStickTableSize.
	StickTableSize string

	// EnforceAllowedCIDRs makes HAProxy itself refuse connections from
	// outside a listener's allowed_cidrs ("tcp-request connection reject").
	// Octavia leaves allowed_cidrs to Neutron security groups on the VIP
	// port; set it where no such filter exists (local amphorae).
	EnforceAllowedCIDRs bool
}

// LogTarget is one global "log" line: log <Address> <Facility> [<Level>].
type LogTarget struct {
	// Address is a UNIX socket path, "ip:port", "stdout" or "stderr".
	Address string
	// Facility is a syslog facility, e.g. "local0".
	Facility string
	// Level is the maximum level sent, e.g. "notice"; empty sends all.
	Level string
}

// withDefaults returns o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.StateDir == "" {
		o.StateDir = DefaultStateDir
	}
	if o.CertDir == "" {
		o.CertDir = DefaultCertDir
	}
	if o.UserLogFormat == "" {
		o.UserLogFormat = DefaultUserLogFormat
	}
	if o.StatsSocketLevel == "" {
		o.StatsSocketLevel = DefaultStatsSocketLevel
	}
	if o.PingScript == "" {
		o.PingScript = DefaultPingScript
	}
	if o.PeerPort == 0 {
		o.PeerPort = DefaultPeerPort
	}
	if o.MaxConnCap == 0 {
		o.MaxConnCap = DefaultMaxConnCap
	}
	if o.DefaultConnectionLimit == 0 {
		o.DefaultConnectionLimit = DefaultConnectionLimit
	}
	if o.StickTableSize == "" {
		o.StickTableSize = DefaultStickTableSize
	}
	return o
}

// StatsSocketPath is the stats socket of load balancer lbID.
func StatsSocketPath(opts Options, lbID string) string {
	return filepath.Join(opts.withDefaults().StateDir, lbID+".sock")
}

// ServerStatePath is the server state file of load balancer lbID.
func ServerStatePath(opts Options, lbID string) string {
	return filepath.Join(opts.withDefaults().StateDir, lbID+".state")
}

// CrtListPath is the crt-list file of a TLS-terminating listener. TLSFiles
// gives its content.
func CrtListPath(opts Options, listenerID string) string {
	return filepath.Join(opts.withDefaults().CertDir, listenerID+".crt-list")
}

// CertPath is the PEM file that holds the content of a certificate container
// or secret reference (a listener's certificates, client CA and CRL, a pool's
// client certificate, CA and CRL). The name is derived from the reference so
// that the same reference always maps to the same file.
func CertPath(opts Options, ref string) string {
	sum := sha256.Sum256([]byte(ref))
	return filepath.Join(opts.withDefaults().CertDir, hex.EncodeToString(sum[:20])+".pem")
}

// BackendName is the name of the backend of pool poolID behind listener
// listenerID, Octavia's "<pool_id>:<listener_id>". Frontends are named by
// their listener ID.
func BackendName(poolID, listenerID string) string {
	return poolID + ":" + listenerID
}

// PeerName is the HAProxy peer name of an amphora: Octavia's URL-safe base64
// of the SHA-1 of its ID, without padding and with a leading "-" replaced by
// "x".
func PeerName(amphoraID string) string {
	sum := sha1.Sum([]byte(amphoraID)) //nolint:gosec // naming only.
	s := base64.StdEncoding.EncodeToString(sum[:])
	s = strings.NewReplacer("+", "_", "/", "-", "=", "").Replace(s)
	if strings.HasPrefix(s, "-") {
		s = "x" + s[1:]
	}
	return s
}

// PeersSectionName is the peers section of load balancer lbID, Octavia's
// "<lb_id without dashes>_peers".
func PeersSectionName(lbID string) string {
	return strings.ReplaceAll(lbID, "-", "") + "_peers"
}
