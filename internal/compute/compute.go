// Package compute is the compute driver interface of lbaasd: where amphorae
// run. The local driver runs each amphora as an amphora-agent process (which
// runs HAProxy) on this machine; a Nova driver boots servers.
package compute

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get for an amphora that does not run.
var ErrNotFound = errors.New("amphora instance not found")

// Spec is what an amphora is booted with: its identity, the TLS material of
// its agent (a server certificate for the amphora ID signed by lbaasd's CA,
// and the CA that verifies lbaasd's client certificate), and where and how
// it sends its heartbeats.
type Spec struct {
	AmphoraID      string
	LoadBalancerID string
	CertPEM        []byte
	KeyPEM         []byte
	CAPEM          []byte
	// Heartbeat is empty when the amphora sends no heartbeat.
	Heartbeat Heartbeat
}

// Heartbeat is what an amphora needs to send heartbeats: the key that signs
// them (a secret: drivers keep it readable by the agent only), the UDP
// addresses (host:port) of the health managers, and the interval.
type Heartbeat struct {
	Key      []byte
	Targets  []string
	Interval time.Duration
}

// Instance is a running amphora.
type Instance struct {
	// ComputeID identifies the instance to the driver (a Nova server ID, or
	// "local-<pid>").
	ComputeID string
	// LBNetworkIP is the amphora's management address.
	LBNetworkIP string
	// AgentURL is the base URL of the amphora agent's REST API.
	AgentURL string
}

// Driver boots and deletes amphorae. It does only what it is asked,
// idempotently by amphora ID; it decides no policy.
type Driver interface {
	// Create boots the amphora, or returns it when it already runs.
	Create(ctx context.Context, spec Spec) (Instance, error)
	// Get returns the running amphora, or ErrNotFound.
	Get(ctx context.Context, amphoraID string) (Instance, error)
	// Delete stops the amphora and removes everything it left; an amphora
	// that does not exist is not an error.
	Delete(ctx context.Context, amphoraID string) error
	// List returns the IDs of every amphora the driver knows of, running or
	// not, so the controller can remove those the store no longer has.
	List(ctx context.Context) ([]string, error)
}
