// Package octavia is the provider's only door to the Octavia v2 API: it
// builds the gophercloud client (Keystone, clouds.yaml, OS_* or no auth),
// sends every request through a retrying transport that never blindly
// repeats a POST, serializes writes per load balancer so that no write of
// ours meets a 409 caused by our own parallelism, makes creates idempotent
// after an ambiguous failure, and waits on provisioning_status.
//
// Objects travel as the internal/lb types, so resources validate, convert and
// compare one model.
package octavia

import (
	"context"
	"errors"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// ErrNotFound is returned (wrapped) when an object does not exist (404, or
// provisioning_status DELETED).
var ErrNotFound = errors.New("not found")

// StatusError ends a wait early: the object went to ERROR (or another
// status the wait cannot leave).
type StatusError struct {
	Action string // "creating", "updating", "deleting"
	Kind   string // "load balancer", "listener", …
	ID     string
	Status string
	Fault  string // what the API said last, if anything
}

func (e *StatusError) Error() string {
	msg := e.Action + " " + e.Kind + " " + e.ID + ": provisioning_status " + e.Status
	if e.Fault != "" {
		msg += "; last fault: " + e.Fault
	}
	return msg
}

// TimeoutError ends a wait that ran out of time.
type TimeoutError struct {
	Action, Kind, ID, Status string
	Waited                   time.Duration
}

func (e *TimeoutError) Error() string {
	return e.Kind + " " + e.ID + " stayed " + e.Status + " for " + e.Waited.String() + " while " + e.Action
}

// StatusTree is GET /loadbalancers/{id}/status.
type StatusTree struct {
	LoadBalancer StatusNode `json:"loadbalancer"`
}

// StatusNode is one node of the status tree.
type StatusNode struct {
	ID                 string       `json:"id"`
	Name               string       `json:"name"`
	Type               string       `json:"type,omitempty"`
	Address            string       `json:"address,omitempty"`
	ProtocolPort       int          `json:"protocol_port,omitempty"`
	ProvisioningStatus string       `json:"provisioning_status"`
	OperatingStatus    string       `json:"operating_status"`
	Listeners          []StatusNode `json:"listeners,omitempty"`
	Pools              []StatusNode `json:"pools,omitempty"`
	Members            []StatusNode `json:"members,omitempty"`
	HealthMonitor      *StatusNode  `json:"health_monitor,omitempty"`
}

// Filter is a list query: Octavia's equality filters by API field name
// (name, project_id, vip_address, …) and tags.
type Filter map[string]string

// API is what resources and data sources use. Create returns as soon as the
// API accepted the object (its ID is known; the caller writes it to state
// before waiting); Update sends every updatable field of want (a full-state
// PUT); Delete treats 404 as success; Wait* poll until the object (and its
// load balancer) is ACTIVE, or gone when deleting, and return *StatusError
// at once on ERROR. Every write to a child waits its turn on the child's load
// balancer and for that load balancer to be ACTIVE.
type API interface {
	CreateLoadBalancer(ctx context.Context, want *lb.LoadBalancer) (*lb.LoadBalancer, error)
	GetLoadBalancer(ctx context.Context, id string) (*lb.LoadBalancer, error)
	ListLoadBalancers(ctx context.Context, f Filter) ([]*lb.LoadBalancer, error)
	UpdateLoadBalancer(ctx context.Context, id string, have, want *lb.LoadBalancer) (*lb.LoadBalancer, error)
	DeleteLoadBalancer(ctx context.Context, id string, cascade bool) error
	WaitLoadBalancer(ctx context.Context, action, id string) (*lb.LoadBalancer, error)
	LoadBalancerStatus(ctx context.Context, id string) (*StatusTree, error)

	CreateListener(ctx context.Context, want *lb.Listener) (*lb.Listener, error)
	GetListener(ctx context.Context, id string) (*lb.Listener, error)
	ListListeners(ctx context.Context, f Filter) ([]*lb.Listener, error)
	UpdateListener(ctx context.Context, id string, want *lb.Listener) (*lb.Listener, error)
	DeleteListener(ctx context.Context, id string) error
	WaitListener(ctx context.Context, action, id string) (*lb.Listener, error)

	CreatePool(ctx context.Context, want *lb.Pool) (*lb.Pool, error)
	GetPool(ctx context.Context, id string) (*lb.Pool, error)
	ListPools(ctx context.Context, f Filter) ([]*lb.Pool, error)
	UpdatePool(ctx context.Context, id string, want *lb.Pool) (*lb.Pool, error)
	DeletePool(ctx context.Context, id string) error
	WaitPool(ctx context.Context, action, id string) (*lb.Pool, error)

	CreateMember(ctx context.Context, poolID string, want *lb.Member) (*lb.Member, error)
	GetMember(ctx context.Context, poolID, id string) (*lb.Member, error)
	ListMembers(ctx context.Context, poolID string, f Filter) ([]*lb.Member, error)
	UpdateMember(ctx context.Context, poolID, id string, want *lb.Member) (*lb.Member, error)
	DeleteMember(ctx context.Context, poolID, id string) error
	WaitMember(ctx context.Context, action, poolID, id string) (*lb.Member, error)
	// BatchUpdateMembers replaces the pool's members by want (matched on
	// address and protocol_port), or only adds and updates with additiveOnly,
	// then waits for the pool's load balancer to be ACTIVE.
	BatchUpdateMembers(ctx context.Context, poolID string, want []*lb.Member, additiveOnly bool) error

	CreateHealthMonitor(ctx context.Context, want *lb.HealthMonitor) (*lb.HealthMonitor, error)
	GetHealthMonitor(ctx context.Context, id string) (*lb.HealthMonitor, error)
	ListHealthMonitors(ctx context.Context, f Filter) ([]*lb.HealthMonitor, error)
	UpdateHealthMonitor(ctx context.Context, id string, want *lb.HealthMonitor) (*lb.HealthMonitor, error)
	DeleteHealthMonitor(ctx context.Context, id string) error
	WaitHealthMonitor(ctx context.Context, action, id string) (*lb.HealthMonitor, error)

	CreateL7Policy(ctx context.Context, want *lb.L7Policy) (*lb.L7Policy, error)
	GetL7Policy(ctx context.Context, id string) (*lb.L7Policy, error)
	ListL7Policies(ctx context.Context, f Filter) ([]*lb.L7Policy, error)
	UpdateL7Policy(ctx context.Context, id string, want *lb.L7Policy) (*lb.L7Policy, error)
	DeleteL7Policy(ctx context.Context, id string) error
	WaitL7Policy(ctx context.Context, action, id string) (*lb.L7Policy, error)

	CreateL7Rule(ctx context.Context, policyID string, want *lb.L7Rule) (*lb.L7Rule, error)
	GetL7Rule(ctx context.Context, policyID, id string) (*lb.L7Rule, error)
	ListL7Rules(ctx context.Context, policyID string, f Filter) ([]*lb.L7Rule, error)
	UpdateL7Rule(ctx context.Context, policyID, id string, want *lb.L7Rule) (*lb.L7Rule, error)
	DeleteL7Rule(ctx context.Context, policyID, id string) error
	WaitL7Rule(ctx context.Context, action, policyID, id string) (*lb.L7Rule, error)
}

// Actions a wait is for (used in diagnostics and to know the goal).
const (
	ActionCreate = "creating"
	ActionUpdate = "updating"
	ActionDelete = "deleting"
)
