// Package health is lbaasd's health manager: it receives the heartbeats of
// the amphorae over UDP (Octavia's wire format, package heartbeat), verifies
// them, and turns them into the operating statuses of load balancers,
// listeners, pools and members, and into the listeners' statistics.
//
// # Keys
//
// Every amphora signs its heartbeats with its own HMAC-SHA256 key: 32 random
// bytes, hex encoded, that the controller asks for (Manager.Key) right before
// it boots the amphora and hands it over in compute.Spec. The key is stored
// in the amphora's health record (store.AmphoraHealth), which is deleted with
// the amphora's row, so a replaced or deleted amphora's key stops working.
// One amphora's key vouches for that amphora only: its heartbeats can change
// the statuses and counters of its own load balancer and nothing else.
//
// # Replays
//
// Every heartbeat carries a sequence number that the agent raises with every
// message and keeps across its restarts. The store accepts a heartbeat only
// when its number is above the last one accepted from the amphora
// (store.RecordHeartbeat, in the transaction that records its counters), so
// a replayed or overtaken datagram changes nothing, even when several
// lbaasd processes share the database.
//
// # Processing
//
// One goroutine reads the socket and decodes datagrams; heartbeats are
// handed to a fixed set of workers by amphora, so one amphora's heartbeats are
// applied in order. For each: the key (cached), the digest, the version, the
// sequence; then its counters and sequence are recorded in one transaction,
// and, when the load balancer is not PENDING_* and the amphora is the one
// that serves it (ALLOCATED), the operating statuses are computed (Apply)
// and written through store.UpdateLoadBalancer when one of them changes.
// Every datagram is counted (Metrics): received, accepted, or dropped by
// reason.
//
// Statuses follow Octavia's rules (see Apply), with two differences: while a
// load balancer is PENDING_* its heartbeats change no status (Octavia
// applies them, then the controller's own writes race with them), and the
// listeners of a disabled load balancer are OFFLINE, not ERROR.
//
// # Failover and housekeeping
//
// The decisions that act on these records live in the controller
// (internal/controller, failover.go and housekeeping.go), which owns the
// load balancers' writes: a periodic scan reads store.AmphoraHealth.LastUpdate
// (moved only by healthy heartbeats: those reporting every listener the
// amphora should run) and fails over the amphorae that stopped reporting,
// rate-limited and paused when too many stop at once (storm protection);
// the housekeeping deletes amphorae that belong to no load balancer any
// more, whose heartbeats are dropped here as unknown_amphora.
package health
