package health

import "github.com/prometheus/client_golang/prometheus"

// Reasons a heartbeat is dropped, as the label of
// lbaasd_health_heartbeats_dropped_total.
const (
	// DropMalformed: not a heartbeat (too short, not zlib, not JSON, no id).
	DropMalformed = "malformed"
	// DropUnknownAmphora: no amphora of that id has a heartbeat key.
	DropUnknownAmphora = "unknown_amphora"
	// DropBadHMAC: unsigned or forged (the amphora's key does not verify it).
	DropBadHMAC = "bad_hmac"
	// DropUnsupportedVersion: a message version other than 3.
	DropUnsupportedVersion = "unsupported_version"
	// DropReplay: a sequence number not above the last one accepted.
	DropReplay = "replay"
	// DropOverload: the queue of its worker was full.
	DropOverload = "overload"
	// DropError: the store failed.
	DropError = "error"
)

var dropReasons = []string{DropMalformed, DropUnknownAmphora, DropBadHMAC, DropUnsupportedVersion, DropReplay, DropOverload, DropError}

// Metrics are the health manager's Prometheus metrics.
type Metrics struct {
	received prometheus.Counter
	accepted prometheus.Counter
	dropped  *prometheus.CounterVec
	late     prometheus.Counter
	changes  *prometheus.CounterVec
}

// NewMetrics creates the health manager's metrics; Register adds them to a
// registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		received: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "lbaasd", Subsystem: "health", Name: "heartbeats_received_total",
			Help: "UDP datagrams received on the heartbeat port.",
		}),
		accepted: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "lbaasd", Subsystem: "health", Name: "heartbeats_accepted_total",
			Help: "Heartbeats verified and recorded.",
		}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "lbaasd", Subsystem: "health", Name: "heartbeats_dropped_total",
			Help: "Datagrams dropped, by reason (malformed, unknown_amphora, bad_hmac, unsupported_version, replay, overload, error).",
		}, []string{"reason"}),
		late: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "lbaasd", Subsystem: "health", Name: "heartbeats_late_total",
			Help: "Heartbeats processed too long after they arrived: their counters were recorded, their statuses ignored.",
		}),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "lbaasd", Subsystem: "health", Name: "operating_status_changes_total",
			Help: "Operating statuses changed by heartbeats, by kind of object and new status.",
		}, []string{"kind", "status"}),
	}
	for _, r := range dropReasons {
		m.dropped.WithLabelValues(r)
	}
	return m
}

// Register adds the metrics to r.
func (m *Metrics) Register(r prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.received, m.accepted, m.dropped, m.late, m.changes} {
		if err := r.Register(c); err != nil {
			return err
		}
	}
	return nil
}
