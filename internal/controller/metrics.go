package controller

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the controller's Prometheus metrics.
type Metrics struct {
	reconciles *prometheus.CounterVec
	duration   prometheus.Histogram
	failovers  *prometheus.CounterVec
	paused     prometheus.Gauge
	stale      prometheus.Gauge
	inFlight   prometheus.Gauge
	purged     prometheus.Counter
}

// NewMetrics creates the controller's metrics; Register adds them to a registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		reconciles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "lbaasd", Subsystem: "controller", Name: "reconciles_total",
			Help: "Load balancer reconciles, by result (ok or error).",
		}, []string{"result"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "lbaasd", Subsystem: "controller", Name: "reconcile_duration_seconds",
			Help:    "Time one load balancer reconcile took.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 14),
		}),
		failovers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "lbaasd", Subsystem: "controller", Name: "failovers_total",
			Help: "Amphora failovers, by reason (heartbeat_timeout, unreachable, cert_expiry, api) and outcome (started, raced, error, completed).",
		}, []string{"reason", "outcome"}),
		paused: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "lbaasd", Subsystem: "controller", Name: "failover_paused",
			Help: "1 while the storm protection pauses automatic failover for missed heartbeats (too many amphorae stale at once), else 0.",
		}),
		stale: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "lbaasd", Subsystem: "controller", Name: "amphorae_stale",
			Help: "ALLOCATED amphorae of ACTIVE load balancers without a healthy heartbeat within the failover timeout, at the last scan.",
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "lbaasd", Subsystem: "controller", Name: "failovers_in_progress",
			Help: "Load balancers with an amphora being replaced, at the last failover scan.",
		}),
		purged: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "lbaasd", Subsystem: "controller", Name: "purged_load_balancers_total",
			Help: "DELETED load balancers purged from the store by the housekeeping.",
		}),
	}
	for _, r := range []string{ReasonHeartbeat, ReasonUnreachable, ReasonCertExpiry, ReasonAPI} {
		for _, o := range []string{OutcomeStarted, OutcomeRaced, OutcomeError, OutcomeCompleted} {
			m.failovers.WithLabelValues(r, o)
		}
	}
	return m
}

// Register adds the metrics to r.
func (m *Metrics) Register(r prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.reconciles, m.duration, m.failovers, m.paused, m.stale, m.inFlight, m.purged} {
		if err := r.Register(c); err != nil {
			return err
		}
	}
	return nil
}

func (m *Metrics) observe(err error, d time.Duration) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.reconciles.WithLabelValues(result).Inc()
	m.duration.Observe(d.Seconds())
}

func (m *Metrics) failover(reason, outcome string) {
	m.failovers.WithLabelValues(reason, outcome).Inc()
}
