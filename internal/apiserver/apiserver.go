// Package apiserver is lbaasd's Octavia v2 API: the same routes, request
// validation, JSON documents, status codes, error bodies and status
// transitions as Octavia's API service (Zed, API version 2.26), so that the
// openstack CLI and gophercloud cannot tell the difference. It stores the
// desired state through package store and leaves the data plane to the
// controller, which it wakes up after every committed write.
//
// Authentication is "noauth": the project of a new object is the project_id
// of the request body, or Config.DefaultProjectID.
package apiserver

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/network"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// Controller is the reconciler: it picks up the PENDING_* work of a load
// balancer. Enqueue must not block.
type Controller interface {
	Enqueue(loadBalancerID string)
}

// Stats are the traffic counters of one listener.
type Stats struct {
	BytesIn, BytesOut, ActiveConnections, TotalConnections, RequestErrors int64
}

// StatsSource reports the counters of a load balancer's listeners, by
// listener ID; a listener it knows nothing about counts as zero.
type StatsSource interface {
	ListenerStats(ctx context.Context, l *lb.LoadBalancer) (map[string]Stats, error)
}

// Config wires the API server.
type Config struct {
	Store      store.Store
	Network    network.Driver
	Controller Controller
	// Stats is optional; without it every counter is zero.
	Stats StatsSource
	// DefaultProjectID is the project of objects created without a
	// project_id in the body (noauth).
	DefaultProjectID string
	// Logger is optional.
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// NewID makes object IDs (default random UUID v4).
	NewID func() string
}

// Body size limits: single objects, and the documents that carry many
// (fully populated load balancers, batch member updates).
const (
	maxBody      = 1 << 20
	maxGraphBody = 16 << 20
)

type server struct {
	store   store.Store
	net     network.Driver
	ctrl    Controller
	stats   StatsSource
	project string
	log     *slog.Logger
	now     func() time.Time
	newID   func() string
	sch     *schemas
}

// New returns the API server's handler.
func New(cfg Config) (http.Handler, error) {
	if cfg.Store == nil || cfg.Network == nil || cfg.Controller == nil {
		return nil, errors.New("apiserver: Store, Network and Controller are required")
	}
	s := &server{
		store:   cfg.Store,
		net:     cfg.Network,
		ctrl:    cfg.Controller,
		stats:   cfg.Stats,
		project: cfg.DefaultProjectID,
		log:     cfg.Logger,
		now:     cfg.Now,
		newID:   cfg.NewID,
		sch:     buildSchemas(),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = newUUID
	}
	return s.routes(), nil
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// methods maps HTTP methods to the handlers of one path.
type methods map[string]http.HandlerFunc

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(path string, m methods) {
		mux.Handle(path, s.dispatch(m))
	}
	handle("/{$}", methods{http.MethodGet: s.versions})
	for _, v := range []string{"/v2", "/v2.0"} {
		handle(v, methods{http.MethodGet: s.v2Root})
		for _, p := range []string{v + "/lbaas", v} {
			if p != v {
				handle(p, methods{http.MethodGet: s.v2Root})
			}
			s.lbaasRoutes(p, handle)
		}
		o := v + "/octavia"
		handle(o, methods{http.MethodGet: s.v2Root})
		handle(o+"/amphorae", methods{http.MethodGet: s.listAmphorae})
		handle(o+"/amphorae/{id}", methods{http.MethodGet: s.getAmphora})
		handle(o+"/amphorae/{id}/failover", methods{http.MethodPut: s.failoverAmphora})
		handle(o+"/amphorae/{id}/stats", methods{http.MethodGet: s.amphoraStats})
	}
	mux.Handle("/", s.dispatch(nil))
	return s.middleware(mux)
}

func (s *server) lbaasRoutes(p string, handle func(string, methods)) {
	handle(p+"/loadbalancers", methods{http.MethodGet: s.listLoadBalancers, http.MethodPost: s.createLoadBalancer})
	handle(p+"/loadbalancers/{id}", methods{http.MethodGet: s.getLoadBalancer, http.MethodPut: s.updateLoadBalancer, http.MethodDelete: s.deleteLoadBalancer})
	handle(p+"/loadbalancers/{id}/status", methods{http.MethodGet: s.loadBalancerStatus})
	handle(p+"/loadbalancers/{id}/statuses", methods{http.MethodGet: s.loadBalancerStatus})
	handle(p+"/loadbalancers/{id}/stats", methods{http.MethodGet: s.loadBalancerStats})
	handle(p+"/loadbalancers/{id}/failover", methods{http.MethodPut: s.failoverLoadBalancer})

	handle(p+"/listeners", methods{http.MethodGet: s.listListeners, http.MethodPost: s.createListener})
	handle(p+"/listeners/{id}", methods{http.MethodGet: s.getListener, http.MethodPut: s.updateListener, http.MethodDelete: s.deleteListener})
	handle(p+"/listeners/{id}/stats", methods{http.MethodGet: s.listenerStats})

	handle(p+"/pools", methods{http.MethodGet: s.listPools, http.MethodPost: s.createPool})
	handle(p+"/pools/{id}", methods{http.MethodGet: s.getPool, http.MethodPut: s.updatePool, http.MethodDelete: s.deletePool})
	handle(p+"/pools/{pool_id}/members", methods{http.MethodGet: s.listMembers, http.MethodPost: s.createMember, http.MethodPut: s.batchMembers})
	handle(p+"/pools/{pool_id}/members/{id}", methods{http.MethodGet: s.getMember, http.MethodPut: s.updateMember, http.MethodDelete: s.deleteMember})

	handle(p+"/healthmonitors", methods{http.MethodGet: s.listHealthMonitors, http.MethodPost: s.createHealthMonitor})
	handle(p+"/healthmonitors/{id}", methods{http.MethodGet: s.getHealthMonitor, http.MethodPut: s.updateHealthMonitor, http.MethodDelete: s.deleteHealthMonitor})

	handle(p+"/l7policies", methods{http.MethodGet: s.listL7Policies, http.MethodPost: s.createL7Policy})
	handle(p+"/l7policies/{id}", methods{http.MethodGet: s.getL7Policy, http.MethodPut: s.updateL7Policy, http.MethodDelete: s.deleteL7Policy})
	handle(p+"/l7policies/{policy_id}/rules", methods{http.MethodGet: s.listL7Rules, http.MethodPost: s.createL7Rule})
	handle(p+"/l7policies/{policy_id}/rules/{id}", methods{http.MethodGet: s.getL7Rule, http.MethodPut: s.updateL7Rule, http.MethodDelete: s.deleteL7Rule})

	handle(p+"/providers", methods{http.MethodGet: s.listProviders})
	handle(p+"/providers/{provider}/flavor_capabilities", methods{http.MethodGet: s.flavorCapabilities})
	handle(p+"/providers/{provider}/availability_zone_capabilities", methods{http.MethodGet: s.azCapabilities})
	s.catalogRoutes(p, handle)
}

// dispatch picks the handler of the request's method: no path → 404, no
// method → 405, both with a fault body.
func (s *server) dispatch(m methods) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m == nil {
			writeFault(w, http.StatusNotFound, "The resource could not be found.")
			return
		}
		method := r.Method
		if method == http.MethodHead {
			method = http.MethodGet
		}
		h, ok := m[method]
		if !ok {
			allow := make([]string, 0, len(m))
			for k := range m {
				allow = append(allow, k)
			}
			slices.Sort(allow)
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeFault(w, http.StatusMethodNotAllowed, "The method "+r.Method+" is not allowed for this resource.")
			return
		}
		h(w, r)
	})
}

// statusRecorder remembers the status of an answer for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// middleware strips a trailing slash, recovers panics into a 500 fault and
// logs every request.
func (s *server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic in handler", slog.String("method", r.Method),
					slog.String("path", r.URL.Path), slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
				if rec.status == 0 {
					writeFault(rec, http.StatusInternalServerError, "Internal Server Error")
				}
			}
			s.log.DebugContext(r.Context(), "request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", rec.status), slog.Duration("duration", s.now().Sub(start)))
		}()
		if len(r.URL.Path) > 1 && strings.HasSuffix(r.URL.Path, "/") {
			r2 := r.Clone(r.Context())
			r2.URL.Path = strings.TrimRight(r.URL.Path, "/")
			if r2.URL.Path == "" {
				r2.URL.Path = "/"
			}
			r2.URL.RawPath = ""
			r = r2
		}
		next.ServeHTTP(rec, r)
	})
}

// readBody reads a request body of at most limit bytes. Form posts carry no
// JSON body for wsme; other non-JSON types are 415.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	ct := r.Header.Get("Content-Type")
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, clientError(http.StatusRequestEntityTooLarge,
				fmt.Sprintf("Request body is larger than %d bytes", limit))
		}
		return nil, clientError(http.StatusBadRequest, "Could not read the request body")
	}
	if len(body) == 0 {
		return body, nil
	}
	switch mt {
	case "", "application/json", "text/javascript", "application/javascript":
		return body, nil
	case "application/x-www-form-urlencoded":
		return nil, nil
	}
	return nil, clientError(http.StatusUnsupportedMediaType, "Unknown mimetype: "+ct)
}

// checkQueryArgs is wsme's check of a write's query string: parameters that
// are not arguments of the handler are "Unknown argument".
func checkQueryArgs(r *http.Request, allowed ...string) error {
	var unknown []string
	for k := range r.URL.Query() {
		ok := false
		for _, a := range allowed {
			if k == a {
				ok = true
			}
		}
		if !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		return clientError(http.StatusBadRequest, fmt.Sprintf("Unknown argument: %q", strings.Join(unknown, ", ")))
	}
	return nil
}

// decodeRequest reads and decodes a write's body into dst (a request
// struct), checking the query string first.
func (s *server) decodeRequest(r *http.Request, limit int64, argname string, sch *schema, rootName string, dst any, queryArgs ...string) error {
	if err := checkQueryArgs(r, queryArgs...); err != nil {
		return err
	}
	body, err := readBody(r, limit)
	if err != nil {
		return err
	}
	o, err := decodeBody(body, argname, sch)
	if err != nil {
		return err
	}
	if rootName != "" {
		if o, err = rootObject(o, rootName); err != nil {
			return err
		}
	}
	bindObject(o, dst)
	return nil
}

// timestamp is the clock truncated to what Octavia's database stores.
func (s *server) timestamp() time.Time { return s.now().UTC().Truncate(time.Second) }
