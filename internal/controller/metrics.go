package controller

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the controller's Prometheus metrics.
type Metrics struct {
	reconciles *prometheus.CounterVec
	duration   prometheus.Histogram
}

// NewMetrics creates the controller's metrics; Register adds them to a registry.
func NewMetrics() *Metrics {
	return &Metrics{
		reconciles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "lbaasd", Subsystem: "controller", Name: "reconciles_total",
			Help: "Load balancer reconciles, by result (ok or error).",
		}, []string{"result"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "lbaasd", Subsystem: "controller", Name: "reconcile_duration_seconds",
			Help:    "Time one load balancer reconcile took.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 14),
		}),
	}
}

// Register adds the metrics to r.
func (m *Metrics) Register(r prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.reconciles, m.duration} {
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
