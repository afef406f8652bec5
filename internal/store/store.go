// Package store persists lbaasd's state: the object graph of every load
// balancer (lb.LoadBalancer with its children and amphorae), the local
// subnets and the ports (addresses) allocated on them.
//
// The unit of consistency is one load balancer: UpdateLoadBalancer runs a
// function on the whole graph of one load balancer inside a write transaction
// that excludes every other writer, so "check the load balancer is ACTIVE, then
// set it PENDING_UPDATE" is atomic and concurrent writers get Octavia's 409
// instead of corrupting the graph.
//
// SQLite (pure Go, WAL) is the embedded default; a PostgreSQL implementation
// satisfies the same interface and passes the same storetest suite.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// ErrNotFound is returned when an object, load balancer, subnet or port does
// not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a create would duplicate a unique key (an ID,
// or an address already allocated on a subnet).
var ErrConflict = errors.New("conflict")

// ErrStaleSequence is returned by RecordHeartbeat for a heartbeat whose
// sequence number is not above the last one accepted from its amphora: a
// replay, or a datagram overtaken by a later one.
var ErrStaleSequence = errors.New("stale heartbeat sequence number")

// Object kinds, as Ref.Kind.
const (
	KindLoadBalancer  = "loadbalancer"
	KindListener      = "listener"
	KindPool          = "pool"
	KindMember        = "member"
	KindHealthMonitor = "healthmonitor"
	KindL7Policy      = "l7policy"
	KindL7Rule        = "l7rule"
	KindAmphora       = "amphora"
)

// Ref locates an object: its kind, its load balancer and its direct parent
// (the pool of a member or health monitor, the listener of an L7 policy, the
// policy of an L7 rule, the load balancer otherwise; "" for a load balancer,
// whose LoadBalancerID is its own ID). ProjectID is the object's project, or
// its load balancer's when the object has none (an amphora).
type Ref struct {
	Kind           string
	ID             string
	LoadBalancerID string
	ParentID       string
	ProjectID      string
}

// Subnet is a local subnet VIPs are allocated from.
type Subnet struct {
	ID        string
	NetworkID string
	Name      string
	CIDR      string
	Gateway   string
	Default   bool
	CreatedAt time.Time
}

// Port is an address allocated on a subnet, owned by a device (for a VIP
// "lb-<loadbalancer id>", as Neutron's device_id).
type Port struct {
	ID        string
	Name      string
	NetworkID string
	SubnetID  string
	IPAddress string
	DeviceID  string
	CreatedAt time.Time
}

// AmphoraHealth is what the health manager keeps of an amphora: the key its
// heartbeats are signed with, the highest sequence number accepted, and when
// the last healthy heartbeat arrived.
type AmphoraHealth struct {
	AmphoraID string
	// LoadBalancerID is the load balancer of the amphora.
	LoadBalancerID string
	// HeartbeatKey is the HMAC-SHA256 key of the amphora's heartbeats.
	HeartbeatKey []byte
	// LastSeq is the highest sequence number accepted (0: none yet).
	LastSeq int64
	// LastUpdate is when the last healthy heartbeat arrived (zero: none yet).
	LastUpdate time.Time
}

// ListenerStatistics are the counters of one listener as one amphora reported
// them. In a Heartbeat every counter but ActiveConnections is a delta since
// the amphora's previous heartbeat; as stored, they are the sums of those
// deltas, and ActiveConnections is the last value reported.
type ListenerStatistics struct {
	ListenerID        string
	AmphoraID         string
	BytesIn           int64
	BytesOut          int64
	ActiveConnections int64
	TotalConnections  int64
	RequestErrors     int64
	UpdatedAt         time.Time
}

// Heartbeat is what an accepted heartbeat of an amphora records.
type Heartbeat struct {
	AmphoraID string
	// Seq must be above the last sequence number accepted from the amphora.
	Seq int64
	// ReceivedAt is when the heartbeat arrived.
	ReceivedAt time.Time
	// Healthy moves the amphora's LastUpdate to ReceivedAt; an amphora
	// that reports fewer listeners than it should run keeps its LastUpdate.
	Healthy bool
	// Listeners are the amphora's counters, deltas but for
	// ActiveConnections (their AmphoraID and UpdatedAt are not used).
	// Listeners that are not of the amphora's load balancer are ignored.
	Listeners []ListenerStatistics
}

// Store is the persistence lbaasd's API server, controller and health manager
// share. Every method is safe for concurrent use.
//
// Object IDs are unique across kinds and load balancers. The parent links of
// the objects of a graph (Listener.LoadBalancerID, Member.PoolID,
// L7Policy.ListenerID, L7Rule.L7PolicyID...) are the graph's shape: the store
// sets them from it on load, whatever they held when written. Times come back
// equal (time.Time.Equal) to those written, in UTC. A load balancer or object
// without children has nil child slices.
type Store interface {
	// CreateLoadBalancer inserts a new graph: the load balancer and every
	// listener, L7 policy and rule, pool, member, health monitor and amphora
	// nested in it. An ID that already exists is ErrConflict.
	CreateLoadBalancer(ctx context.Context, g *lb.LoadBalancer) error

	// LoadBalancer returns the whole graph of one load balancer, children
	// nested as in package lb and ordered by creation time (L7 policies by
	// position), including a load balancer whose status is DELETED.
	LoadBalancer(ctx context.Context, id string) (*lb.LoadBalancer, error)

	// LoadBalancers returns the whole graph of every load balancer the store
	// holds (DELETED ones included), ordered by creation time.
	LoadBalancers(ctx context.Context) ([]*lb.LoadBalancer, error)

	// Locate tells which load balancer an object of the given kind belongs to.
	// An object that does not exist, or is of another kind, is ErrNotFound.
	Locate(ctx context.Context, kind, id string) (Ref, error)

	// UpdateLoadBalancer loads the graph of one load balancer in a write
	// transaction that excludes every other writer of the store (of every
	// load balancer, in every process sharing the database), runs fn on it,
	// and writes what fn changed: objects added to the graph are inserted,
	// objects removed from it are deleted with their subtree, changed objects
	// (including one moved to another parent) are updated (UpdatedAt is set by
	// fn, not by the store). When fn returns an error (or panics) nothing is
	// written and that error is returned unchanged. fn must not change the
	// load balancer's ID, and must not call the store's write methods (they
	// would wait for the lock fn's own transaction holds); reads are fine. A
	// missing load balancer is ErrNotFound (fn does not run); an ID fn adds
	// that exists elsewhere, or uses twice, is ErrConflict.
	UpdateLoadBalancer(ctx context.Context, id string, fn func(g *lb.LoadBalancer) error) error

	// PurgeLoadBalancer deletes a load balancer and everything left of it.
	// A missing load balancer is ErrNotFound.
	PurgeLoadBalancer(ctx context.Context, id string) error

	// EnsureSubnet creates the subnet or updates it when its ID exists; an
	// update keeps the subnet's creation time.
	EnsureSubnet(ctx context.Context, s Subnet) error
	// Subnets lists the subnets, the default first, then by name.
	Subnets(ctx context.Context) ([]Subnet, error)
	// Subnet returns one subnet.
	Subnet(ctx context.Context, id string) (Subnet, error)

	// CreatePort allocates a port; an address already allocated on the same
	// subnet, or an existing ID, is ErrConflict.
	CreatePort(ctx context.Context, p Port) error
	// Ports lists the ports of a device ("" for every port), in creation
	// order.
	Ports(ctx context.Context, deviceID string) ([]Port, error)
	// DeletePort frees a port; a missing port is not an error.
	DeletePort(ctx context.Context, id string) error

	// EnsureAmphoraHealth creates the health record of an amphora with the
	// given heartbeat key, unless it exists, and returns the record as
	// stored (with the key it was created with). An amphora that is not in
	// the store is ErrNotFound. The record is deleted with the amphora.
	EnsureAmphoraHealth(ctx context.Context, amphoraID string, key []byte) (AmphoraHealth, error)
	// AmphoraHealth returns the health record of an amphora, or ErrNotFound.
	AmphoraHealth(ctx context.Context, amphoraID string) (AmphoraHealth, error)
	// AmphoraHealths returns the health record of every amphora that has
	// one, ordered by amphora ID.
	AmphoraHealths(ctx context.Context) ([]AmphoraHealth, error)
	// RecordHeartbeat accepts a heartbeat in one transaction: it raises the
	// amphora's LastSeq to hb.Seq (ErrStaleSequence, and nothing written,
	// when hb.Seq is not above it), moves LastUpdate when hb.Healthy, and
	// adds the listeners' deltas to their statistics. An amphora without a
	// health record is ErrNotFound.
	RecordHeartbeat(ctx context.Context, hb Heartbeat) error
	// ListenerStatistics returns the statistics of the listeners of a load
	// balancer, one row per listener and amphora that reported it, ordered
	// by listener and amphora. Rows go with their listener.
	ListenerStatistics(ctx context.Context, loadBalancerID string) ([]ListenerStatistics, error)

	// Close releases the database.
	Close() error
}
