package agent

import "fmt"

// APIVersion is the version of the agent REST API; it is the first element of
// every versioned path (/1.0/...), as in Octavia's amphora agent.
const APIVersion = "1.0"

// The service actions of PUT /1.0/loadbalancer/{lb_id}/{action}.
const (
	ActionStart  = "start"
	ActionStop   = "stop"
	ActionReload = "reload"
)

// Desired states of a load balancer's HAProxy, as recorded on disk.
const (
	DesiredRunning = "running"
	DesiredStopped = "stopped"
)

// VersionInfo is the body of GET /.
type VersionInfo struct {
	APIVersion string `json:"api_version"`
}

// Info is the body of GET /1.0/info.
//
// StateDir is part of the configuration contract: the controller renders
// every HAProxy configuration it pushes with its stats socket under StateDir
// (recommended: "stats socket <state_dir>/<lb_id>.sock mode 600 level user"),
// because the agent reads `show stat` through that socket. A configuration
// whose stats socket is missing, is not a UNIX socket or lies outside StateDir
// is refused with 400.
type Info struct {
	Hostname       string `json:"hostname"`
	HAProxyVersion string `json:"haproxy_version"`
	APIVersion     string `json:"api_version"`
	AmphoraID      string `json:"amphora_id"`
	StateDir       string `json:"state_dir"`
}

// PutConfigResult is the body of a 202 reply to
// PUT /1.0/loadbalancer/{lb_id}/haproxy. Changed is false when the same
// revision with the same content was already stored (an idempotent retry).
type PutConfigResult struct {
	Message  string `json:"message"`
	Revision int64  `json:"revision"`
	Changed  bool   `json:"changed"`
}

// Status is the body of GET /1.0/loadbalancer/{lb_id}/status.
type Status struct {
	// Running is true when the HAProxy master process is alive.
	Running bool `json:"running"`
	// Revision is the revision of the stored (last accepted) configuration.
	Revision int64 `json:"revision"`
	// LoadedRevision is the revision HAProxy loaded at its last start or
	// successful reload; when it differs from Revision a reload is due.
	LoadedRevision int64 `json:"loaded_revision,omitempty"`
	// PID is the HAProxy master process id, when running.
	PID int `json:"pid,omitempty"`
	// Workers are the pids of the master's worker processes, when running.
	Workers []int `json:"workers,omitempty"`
	// Desired is "running" after start/reload and "stopped" after stop or
	// before the first start; the agent restarts a dead HAProxy whose
	// desired state is running.
	Desired string `json:"desired"`
}

// ActionResult is the body of a 202 reply to an action.
type ActionResult struct {
	Message string `json:"message"`
	Details string `json:"details,omitempty"`
}

// StatsResult is the body of GET /1.0/loadbalancer/{lb_id}/stats.
type StatsResult struct {
	Stats []StatRow `json:"stats"`
}

// ErrorBody is the body of every error reply, as in Octavia's agent.
type ErrorBody struct {
	Message string `json:"message"`
	Details string `json:"details,omitempty"`
}

// APIError is a non-2xx reply from the agent.
type APIError struct {
	StatusCode int
	Message    string
	Details    string
}

func (e *APIError) Error() string {
	if e.Details == "" {
		return fmt.Sprintf("amphora agent: %d %s", e.StatusCode, e.Message)
	}
	return fmt.Sprintf("amphora agent: %d %s: %s", e.StatusCode, e.Message, e.Details)
}

// ValidLBID reports whether id can name a load balancer on the agent: 1 to 64
// characters of letters, digits, '-' and '_', starting with a letter or
// digit (a UUID fits).
func ValidLBID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case (c == '-' || c == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}
