package agent

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures a Server.
type Config struct {
	// AmphoraID names this amphora; the server certificate must carry it as
	// a DNS SAN because the controller verifies it as the server name.
	AmphoraID string
	// DataDir holds the configurations, their revisions, the recorded
	// HAProxy state and HAProxy's runtime files (see Info.StateDir).
	DataDir string
	// HAProxyBin is the haproxy binary; default "haproxy" from PATH.
	HAProxyBin string
	// ListenAddr is where Run listens, e.g. "127.0.0.1:9443".
	ListenAddr string
	// CertPEM and KeyPEM are the agent's server certificate and key.
	CertPEM, KeyPEM []byte
	// ClientCAs verifies client (controller) certificates; required.
	ClientCAs *x509.CertPool
	// Logger receives the agent's logs; default slog.Default().
	Logger *slog.Logger

	// RequestTimeout bounds every request handler; default 60s.
	RequestTimeout time.Duration
	// ExecTimeout bounds every run of haproxy (check, start, reload, -v);
	// default 30s.
	ExecTimeout time.Duration
	// StopTimeout is how long a stop waits for HAProxy's soft stop
	// (SIGUSR1) before SIGKILL; default 10s.
	StopTimeout time.Duration
	// WatchInterval is how often the watcher checks that HAProxy runs where
	// it should and restarts it otherwise; default 5s.
	WatchInterval time.Duration
	// ShutdownTimeout bounds the graceful HTTP shutdown; default 10s.
	ShutdownTimeout time.Duration
	// MaxConfigBytes bounds an uploaded configuration; default 16 MiB.
	MaxConfigBytes int64

	// HeartbeatKey signs the heartbeats (HMAC-SHA256); HeartbeatTargets are
	// the UDP addresses (host:port) of the controllers' health managers,
	// sent to in turn. With neither, the agent sends no heartbeat; one
	// without the other is an error.
	HeartbeatKey     []byte
	HeartbeatTargets []string
	// HeartbeatInterval is how often a heartbeat is sent; default 10s
	// (Octavia's heartbeat_interval).
	HeartbeatInterval time.Duration
}

// Server is the amphora agent: an HTTPS (mutual TLS) REST API that stores
// HAProxy configurations by revision, validates them with `haproxy -c`
// before switching, and runs one HAProxy (master-worker) per load balancer.
//
// HAProxy runs detached from the agent (own session, daemonized), like the
// systemd service it is on an Octavia amphora: stopping or restarting the
// agent leaves it serving, and a new agent adopts it through the master pid
// recorded in DataDir.
type Server struct {
	cfg      Config
	log      *slog.Logger
	tls      *tls.Config
	stateDir string
	lbRoot   string
	started  atomic.Bool

	mu         sync.Mutex
	lbs        map[string]*lbEntry
	haproxyVer string

	hb *heartbeater // nil without heartbeats
}

// lbEntry serializes the operations on one load balancer.
type lbEntry struct {
	id    string
	files lbFiles
	lock  chan struct{} // holding the token is holding the lock

	// Guarded by lock.
	failures int
	nextTry  time.Time
}

func (e *lbEntry) acquire(ctx context.Context) error {
	select {
	case e.lock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for load balancer %s: %w", e.id, ctx.Err())
	}
}

func (e *lbEntry) tryAcquire() bool {
	select {
	case e.lock <- struct{}{}:
		return true
	default:
		return false
	}
}

func (e *lbEntry) release() { <-e.lock }

// backoff records a failed attempt and schedules the next one: 2, 4, 8 …
// seconds (from a one-second base), capped at 5 minutes.
func (e *lbEntry) backoff() {
	e.failures++
	e.nextTry = time.Now().Add(min(time.Second<<min(e.failures, 9), 5*time.Minute))
}

// New checks cfg and returns a Server; nothing runs until Run or Serve.
func New(cfg Config) (*Server, error) {
	if cfg.AmphoraID == "" {
		return nil, errors.New("agent: AmphoraID is required")
	}
	if cfg.DataDir == "" {
		return nil, errors.New("agent: DataDir is required")
	}
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	cfg.DataDir = dataDir
	if cfg.ClientCAs == nil {
		return nil, errors.New("agent: ClientCAs is required (mutual TLS)")
	}
	pair, err := tls.X509KeyPair(cfg.CertPEM, cfg.KeyPEM)
	if err != nil {
		return nil, fmt.Errorf("agent: server certificate: %w", err)
	}
	if cfg.HAProxyBin == "" {
		cfg.HAProxyBin = "haproxy"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	setDefault(&cfg.RequestTimeout, 60*time.Second)
	setDefault(&cfg.ExecTimeout, 30*time.Second)
	setDefault(&cfg.StopTimeout, 10*time.Second)
	setDefault(&cfg.WatchInterval, 5*time.Second)
	setDefault(&cfg.ShutdownTimeout, 10*time.Second)
	if cfg.MaxConfigBytes <= 0 {
		cfg.MaxConfigBytes = 16 << 20
	}
	setDefault(&cfg.HeartbeatInterval, 10*time.Second)
	if (len(cfg.HeartbeatKey) == 0) != (len(cfg.HeartbeatTargets) == 0) {
		return nil, errors.New("agent: HeartbeatKey and HeartbeatTargets go together")
	}
	for _, t := range cfg.HeartbeatTargets {
		if _, port, err := net.SplitHostPort(t); err != nil || port == "" {
			return nil, fmt.Errorf("agent: heartbeat target %q is not host:port", t)
		}
	}
	s := &Server{
		cfg:      cfg,
		log:      cfg.Logger.With("amphora_id", cfg.AmphoraID),
		stateDir: filepath.Join(dataDir, "run"),
		lbRoot:   filepath.Join(dataDir, "lb"),
		lbs:      make(map[string]*lbEntry),
		tls: &tls.Config{
			Certificates: []tls.Certificate{pair},
			ClientCAs:    cfg.ClientCAs,
			ClientAuth:   tls.RequireAndVerifyClientCert,
			MinVersion:   tls.VersionTLS12,
		},
	}
	if len(cfg.HeartbeatKey) > 0 {
		s.hb = newHeartbeater(dataDir)
	}
	// The master socket of a load balancer with a UUID must fit.
	if l := len(lbFiles{dir: filepath.Join(s.lbRoot, strings.Repeat("x", 36))}.masterSock()); l > maxSocketPath {
		return nil, fmt.Errorf("agent: DataDir %s is too long for HAProxy's UNIX sockets (%d > %d bytes with a UUID load balancer id)", dataDir, l, maxSocketPath)
	}
	return s, nil
}

func setDefault(d *time.Duration, def time.Duration) {
	if *d <= 0 {
		*d = def
	}
}

// StateDir is the directory under which pushed configurations must place
// their stats socket (see Info).
func (s *Server) StateDir() string { return s.stateDir }

// Run listens on Config.ListenAddr and serves until ctx is cancelled (see
// Serve).
func (s *Server) Run(ctx context.Context) error {
	if s.cfg.ListenAddr == "" {
		return errors.New("agent: ListenAddr is required")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves the API over mutual TLS on ln until ctx is cancelled, then
// shuts down gracefully. Before serving it adopts every HAProxy a previous
// agent left running, and starts from its last stored configuration every
// HAProxy that should run but does not. HAProxy is never stopped by Serve
// returning. A Server serves once.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if !s.started.CompareAndSwap(false, true) {
		ln.Close()
		return errors.New("agent: Serve called twice")
	}
	for _, d := range []string{s.cfg.DataDir, s.lbRoot, s.stateDir} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			ln.Close()
			return fmt.Errorf("agent: %w", err)
		}
	}
	if v, err := s.haproxyVersion(ctx); err != nil {
		s.log.Warn("cannot read the haproxy version", "err", err)
	} else {
		s.mu.Lock()
		s.haproxyVer = v
		s.mu.Unlock()
	}
	if s.hb != nil {
		// Before recover: starting an HAProxy resets its counters.
		if err := s.hb.load(); err != nil {
			s.log.Warn("heartbeat state unreadable; starting afresh", "err", err)
		}
	}
	s.recover(ctx)

	// Handlers get a context that outlives ctx by the shutdown grace, so
	// that in-flight requests can finish.
	handlerCtx, cancelHandlers := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHandlers()

	watchCtx, stopWatch := context.WithCancel(ctx)
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		s.watch(watchCtx)
	}()
	defer func() {
		stopWatch()
		<-watchDone
	}()
	if s.hb != nil {
		hbDone := make(chan struct{})
		go func() {
			defer close(hbDone)
			s.heartbeats(watchCtx)
		}()
		defer func() {
			stopWatch()
			<-hbDone
		}()
	}

	srv := &http.Server{
		Handler:           s.handler(),
		TLSConfig:         s.tls,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       s.cfg.RequestTimeout,
		WriteTimeout:      s.cfg.RequestTimeout + 5*time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return handlerCtx },
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.ServeTLS(ln, "", "") }()
	s.log.Info("amphora agent serving", "addr", ln.Addr().String(), "data_dir", s.cfg.DataDir, "state_dir", s.stateDir)

	var err error
	select {
	case err = <-serveErr:
		srv.Close()
		err = fmt.Errorf("agent: %w", err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
		if serr := srv.Shutdown(sctx); serr != nil {
			s.log.Warn("graceful shutdown incomplete", "err", serr)
			srv.Close()
		}
		cancel()
		cancelHandlers()
		if serr := <-serveErr; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
			err = fmt.Errorf("agent: %w", serr)
		}
	}
	s.log.Info("amphora agent stopped; HAProxy processes, if any, keep running")
	return err
}

// entry returns the serializer of a load balancer, creating it on demand.
func (s *Server) entry(id string) *lbEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.lbs[id]
	if !ok {
		e = &lbEntry{id: id, files: lbFiles{dir: filepath.Join(s.lbRoot, id)}, lock: make(chan struct{}, 1)}
		s.lbs[id] = e
	}
	return e
}

func (s *Server) entries() []*lbEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*lbEntry, 0, len(s.lbs))
	for _, e := range s.lbs {
		out = append(out, e)
	}
	return out
}

// recover adopts or restarts the HAProxy of every load balancer on disk.
func (s *Server) recover(ctx context.Context) {
	dirs, err := os.ReadDir(s.lbRoot)
	if err != nil {
		s.log.Error("cannot list load balancers", "err", err)
		return
	}
	for _, d := range dirs {
		if !d.IsDir() || !ValidLBID(d.Name()) {
			continue
		}
		e := s.entry(d.Name())
		if err := e.acquire(ctx); err != nil {
			return
		}
		s.ensure(ctx, e, true)
		e.release()
	}
}

// watch restarts dead HAProxy processes whose desired state is running,
// until ctx ends.
func (s *Server) watch(ctx context.Context) {
	t := time.NewTicker(s.cfg.WatchInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, e := range s.entries() {
			if ctx.Err() != nil {
				return
			}
			if !e.tryAcquire() {
				continue // an API call is working on it
			}
			s.ensure(ctx, e, false)
			e.release()
		}
	}
}

// ensure makes the recorded state true for one load balancer: adopt a live
// master, or start HAProxy when it should run and does not. The caller holds
// the entry's lock.
func (s *Server) ensure(ctx context.Context, e *lbEntry, atStartup bool) {
	log := s.log.With("lb_id", e.id)
	st, err := e.files.loadState()
	if err != nil {
		log.Error("cannot read state", "err", err)
		return
	}
	if pid, start, ok := s.findMaster(e.files, st); ok {
		if atStartup {
			log.Info("adopted running haproxy", "pid", pid)
		}
		if pid != st.MasterPID || start != st.MasterStart {
			st.MasterPID, st.MasterStart = pid, start
			if err := e.files.saveState(st); err != nil {
				log.Error("cannot record adopted haproxy", "err", err)
			}
		}
		e.failures = 0
		return
	}
	if st.Desired != DesiredRunning {
		return
	}
	if time.Now().Before(e.nextTry) {
		return
	}
	rev, _, err := e.files.current()
	if err != nil || rev == 0 {
		e.backoff()
		log.Error("haproxy should run but there is no configuration", "err", err, "retry_in", time.Until(e.nextTry).Round(time.Second))
		return
	}
	if atStartup {
		log.Warn("haproxy is not running; starting it from the last applied configuration", "revision", rev, "pid", st.MasterPID)
	} else {
		log.Warn("haproxy died; restarting it", "revision", rev, "pid", st.MasterPID)
	}
	if err := s.start(ctx, e, &st); err != nil {
		e.backoff()
		log.Error("cannot start haproxy", "err", err, "retry_in", time.Until(e.nextTry).Round(time.Second))
		return
	}
	e.failures, e.nextTry = 0, time.Time{}
}

// findMaster returns the live master of a load balancer: the recorded one,
// else the one in HAProxy's pid file, if it is ours.
func (s *Server) findMaster(files lbFiles, st lbState) (pid int, start uint64, ok bool) {
	if st.MasterPID > 0 && isOurMaster(st.MasterPID, st.MasterStart, files) {
		return st.MasterPID, st.MasterStart, true
	}
	b, err := os.ReadFile(files.pidFile())
	if err != nil {
		return 0, 0, false
	}
	p, err := strconv.Atoi(string(bytes.TrimSpace(b)))
	if err != nil || !isOurMaster(p, 0, files) {
		return 0, 0, false
	}
	ps, err := readProcStat(p)
	if err != nil {
		return 0, 0, false
	}
	return p, ps.start, true
}

// start starts HAProxy on the current configuration and records it. The
// caller holds the entry's lock.
func (s *Server) start(ctx context.Context, e *lbEntry, st *lbState) error {
	rev, path, err := e.files.current()
	if err != nil {
		return err
	}
	if rev == 0 {
		return errors.New("no configuration")
	}
	// The stats socket directories may be gone (a restored data dir).
	if cfg, err := os.ReadFile(path); err == nil {
		if socks, err := checkStatsSocket(cfg, s.stateDir); err == nil {
			for _, p := range socks {
				_ = os.MkdirAll(filepath.Dir(p), 0o750)
			}
		}
	}
	pid, start, err := s.startHAProxy(ctx, e.files)
	if err != nil {
		if pid > 0 {
			// Half-started: do not leave it behind.
			_ = s.stopHAProxy(ctx, pid, start)
		}
		return err
	}
	st.Desired = DesiredRunning
	st.MasterPID, st.MasterStart, st.LoadedRevision = pid, start, rev
	s.resetCounters(e.id)
	if err := e.files.saveState(*st); err != nil {
		return fmt.Errorf("recording haproxy %d: %w", pid, err)
	}
	s.log.Info("haproxy started", "lb_id", e.id, "pid", pid, "revision", rev)
	return nil
}

// handler returns the API's HTTP handler; Serve wraps it in mutual TLS.
func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.handleVersion)
	mux.HandleFunc("GET /1.0/info", s.handleInfo)
	mux.HandleFunc("PUT /1.0/loadbalancer/{lb_id}/haproxy", s.handlePutConfig)
	mux.HandleFunc("GET /1.0/loadbalancer/{lb_id}/haproxy", s.handleGetConfig)
	mux.HandleFunc("PUT /1.0/loadbalancer/{lb_id}/{action}", s.handleAction)
	mux.HandleFunc("DELETE /1.0/loadbalancer/{lb_id}", s.handleDelete)
	mux.HandleFunc("GET /1.0/loadbalancer/{lb_id}/stats", s.handleStats)
	mux.HandleFunc("GET /1.0/loadbalancer/{lb_id}/status", s.handleStatus)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Not found", r.Method+" "+r.URL.Path)
	})
	return s.middleware(mux)
}

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

// middleware bounds every request by RequestTimeout and logs it. A write
// (start, reload, a config upload, a delete) runs to its end even when the
// controller goes away mid-request: cancelling it halfway (say, after HAProxy
// forked but before its pid was recorded) would leave a process nobody knows
// of, and the controller's retry would start a second one.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := r.Context()
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			base = context.WithoutCancel(base)
		}
		ctx, cancel := context.WithTimeout(base, s.cfg.RequestTimeout)
		defer cancel()
		rec := &statusRecorder{ResponseWriter: w}
		begin := time.Now()
		next.ServeHTTP(rec, r.WithContext(ctx))
		level := slog.LevelInfo
		if r.Method == http.MethodGet {
			level = slog.LevelDebug
		}
		if rec.status >= 500 {
			level = slog.LevelError
		}
		client := ""
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			client = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		s.log.Log(ctx, level, "request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"duration", time.Since(begin).Round(time.Microsecond), "client", client)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, message, details string) {
	writeJSON(w, status, ErrorBody{Message: message, Details: details})
}

// lbFromPath validates the lb_id path element; on failure it has answered.
func (s *Server) lbFromPath(w http.ResponseWriter, r *http.Request) (*lbEntry, bool) {
	id := r.PathValue("lb_id")
	if !ValidLBID(id) {
		writeError(w, http.StatusBadRequest, "Invalid request", fmt.Sprintf("invalid load balancer id %q", id))
		return nil, false
	}
	return s.entry(id), true
}

func (s *Server) handleVersion(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, VersionInfo{APIVersion: APIVersion})
}

func (s *Server) handleInfo(w http.ResponseWriter, r *http.Request) {
	host, _ := os.Hostname()
	s.mu.Lock()
	v := s.haproxyVer
	s.mu.Unlock()
	if v == "" {
		if got, err := s.haproxyVersion(r.Context()); err == nil {
			v = got
			s.mu.Lock()
			s.haproxyVer = v
			s.mu.Unlock()
		}
	}
	writeJSON(w, http.StatusOK, Info{
		Hostname: host, HAProxyVersion: v, APIVersion: APIVersion,
		AmphoraID: s.cfg.AmphoraID, StateDir: s.stateDir,
	})
}

func (s *Server) handlePutConfig(w http.ResponseWriter, r *http.Request) {
	e, ok := s.lbFromPath(w, r)
	if !ok {
		return
	}
	rev, err := strconv.ParseInt(r.URL.Query().Get("revision"), 10, 64)
	if err != nil || rev < 1 {
		writeError(w, http.StatusBadRequest, "Invalid request", "query parameter revision must be an integer >= 1")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxConfigBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, "Invalid request", fmt.Sprintf("configuration larger than %d bytes", mbe.Limit))
			return
		}
		writeError(w, http.StatusBadRequest, "Invalid request", "reading body: "+err.Error())
		return
	}
	if l := len(e.files.masterSock()); l > maxSocketPath {
		writeError(w, http.StatusBadRequest, "Invalid request", fmt.Sprintf("load balancer id %s is too long for this agent's data dir (master socket path %d > %d bytes)", e.id, l, maxSocketPath))
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		writeError(w, http.StatusBadRequest, "Invalid request", "empty configuration")
		return
	}
	ctx := r.Context()
	if err := e.acquire(ctx); err != nil {
		writeError(w, http.StatusServiceUnavailable, "Busy", err.Error())
		return
	}
	defer e.release()

	if err := os.MkdirAll(e.files.revDir(), 0o750); err != nil {
		writeError(w, http.StatusInternalServerError, "Cannot store configuration", err.Error())
		return
	}
	cur, curPath, err := e.files.current()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Cannot read current configuration", err.Error())
		return
	}
	if cur > 0 {
		switch {
		case rev < cur:
			writeError(w, http.StatusConflict, "Revision conflict", fmt.Sprintf("revision %d is older than the applied revision %d", rev, cur))
			return
		case rev == cur:
			old, err := os.ReadFile(curPath)
			if err != nil {
				writeError(w, http.StatusInternalServerError, "Cannot read current configuration", err.Error())
				return
			}
			if !bytes.Equal(old, body) {
				writeError(w, http.StatusConflict, "Revision conflict", fmt.Sprintf("revision %d is already applied with different content", rev))
				return
			}
			writeJSON(w, http.StatusAccepted, PutConfigResult{Message: "OK", Revision: rev, Changed: false})
			return
		}
	}
	socks, err := checkStatsSocket(body, s.stateDir)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Invalid request", err.Error())
		return
	}
	for _, p := range socks {
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			writeError(w, http.StatusInternalServerError, "Cannot create the stats socket directory", err.Error())
			return
		}
	}
	incoming, err := e.files.writeIncoming(body)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Cannot store configuration", err.Error())
		return
	}
	committed := false
	defer func() {
		if !committed {
			os.Remove(incoming)
		}
	}()
	cctx, cancel := context.WithTimeout(ctx, s.cfg.ExecTimeout)
	err = CheckHAProxy(cctx, s.cfg.HAProxyBin, incoming)
	cancel()
	if err != nil {
		var ce *CheckError
		if errors.As(err, &ce) {
			writeError(w, http.StatusBadRequest, "Invalid request", ce.Output)
			return
		}
		writeError(w, http.StatusInternalServerError, "Cannot validate configuration", err.Error())
		return
	}
	if err := e.files.commit(incoming, rev, cur); err != nil {
		writeError(w, http.StatusInternalServerError, "Cannot store configuration", err.Error())
		return
	}
	committed = true
	s.log.Info("configuration stored", "lb_id", e.id, "revision", rev, "previous", cur, "bytes", len(body))
	writeJSON(w, http.StatusAccepted, PutConfigResult{Message: "OK", Revision: rev, Changed: true})
}

func (s *Server) handleGetConfig(w http.ResponseWriter, r *http.Request) {
	e, ok := s.lbFromPath(w, r)
	if !ok {
		return
	}
	if err := e.acquire(r.Context()); err != nil {
		writeError(w, http.StatusServiceUnavailable, "Busy", err.Error())
		return
	}
	rev, path, err := e.files.current()
	var body []byte
	if err == nil && rev > 0 {
		body, err = os.ReadFile(path)
	}
	e.release()
	switch {
	case err != nil:
		writeError(w, http.StatusInternalServerError, "Cannot read configuration", err.Error())
	case rev == 0:
		writeError(w, http.StatusNotFound, "Not found", fmt.Sprintf("no configuration for load balancer %s", e.id))
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Revision", strconv.FormatInt(rev, 10))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	}
}

func (s *Server) handleAction(w http.ResponseWriter, r *http.Request) {
	e, ok := s.lbFromPath(w, r)
	if !ok {
		return
	}
	action := r.PathValue("action")
	switch action {
	case ActionStart, ActionStop, ActionReload:
	default:
		writeError(w, http.StatusBadRequest, "Invalid request", fmt.Sprintf("Unknown action: %s", action))
		return
	}
	ctx := r.Context()
	if err := e.acquire(ctx); err != nil {
		writeError(w, http.StatusServiceUnavailable, "Busy", err.Error())
		return
	}
	defer e.release()
	log := s.log.With("lb_id", e.id, "action", action)

	rev, _, err := e.files.current()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Cannot read configuration", err.Error())
		return
	}
	if rev == 0 {
		writeError(w, http.StatusNotFound, "Not found", fmt.Sprintf("no configuration for load balancer %s", e.id))
		return
	}
	st, err := e.files.loadState()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Cannot read state", err.Error())
		return
	}
	pid, start, running := s.findMaster(e.files, st)

	switch action {
	case ActionStop:
		if running {
			s.flushCounters(ctx, e, st, rev)
			if err := s.stopHAProxy(ctx, pid, start); err != nil {
				writeError(w, http.StatusInternalServerError, "Failed to stop haproxy", err.Error())
				return
			}
		}
		s.resetCounters(e.id)
		st = lbState{Desired: DesiredStopped}
		if err := e.files.saveState(st); err != nil {
			writeError(w, http.StatusInternalServerError, "Cannot record state", err.Error())
			return
		}
		log.Info("haproxy stopped", "pid", pid)
		writeJSON(w, http.StatusAccepted, ActionResult{Message: "OK", Details: "haproxy stopped"})
		return
	case ActionStart:
		if running {
			if st.Desired != DesiredRunning || st.MasterPID != pid {
				st.Desired, st.MasterPID, st.MasterStart = DesiredRunning, pid, start
				if err := e.files.saveState(st); err != nil {
					writeError(w, http.StatusInternalServerError, "Cannot record state", err.Error())
					return
				}
			}
			writeJSON(w, http.StatusAccepted, ActionResult{Message: "OK", Details: "haproxy already running"})
			return
		}
	case ActionReload:
		if running {
			s.flushCounters(ctx, e, st, rev)
			if err := s.reloadHAProxy(ctx, e.files); err != nil {
				// The old workers serve on, counting from where they were.
				writeError(w, http.StatusInternalServerError, "Failed to reload haproxy", err.Error())
				return
			}
			s.resetCounters(e.id)
			st.Desired, st.MasterPID, st.MasterStart, st.LoadedRevision = DesiredRunning, pid, start, rev
			if err := e.files.saveState(st); err != nil {
				writeError(w, http.StatusInternalServerError, "Cannot record state", err.Error())
				return
			}
			log.Info("haproxy reloaded", "pid", pid, "revision", rev)
			writeJSON(w, http.StatusAccepted, ActionResult{Message: "OK", Details: "haproxy reloaded"})
			return
		}
		// Like Octavia: reloading a stopped HAProxy starts it.
	}
	if err := s.start(ctx, e, &st); err != nil {
		writeError(w, http.StatusInternalServerError, "Failed to start haproxy", err.Error())
		return
	}
	e.failures, e.nextTry = 0, time.Time{}
	writeJSON(w, http.StatusAccepted, ActionResult{Message: "OK", Details: "haproxy started"})
}

func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request) {
	e, ok := s.lbFromPath(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	if err := e.acquire(ctx); err != nil {
		writeError(w, http.StatusServiceUnavailable, "Busy", err.Error())
		return
	}
	defer e.release()
	if _, err := os.Stat(e.files.dir); errors.Is(err, fs.ErrNotExist) {
		writeJSON(w, http.StatusOK, ActionResult{Message: "OK", Details: "nothing to delete"})
		return
	}
	st, err := e.files.loadState()
	if err != nil {
		st = lbState{}
	}
	if pid, start, running := s.findMaster(e.files, st); running {
		if err := s.stopHAProxy(ctx, pid, start); err != nil {
			writeError(w, http.StatusInternalServerError, "Failed to stop haproxy", err.Error())
			return
		}
	}
	// The stats sockets of every stored revision live in the state dir.
	if entries, err := os.ReadDir(e.files.revDir()); err == nil {
		for _, de := range entries {
			b, err := os.ReadFile(filepath.Join(e.files.revDir(), de.Name()))
			if err != nil {
				continue
			}
			if socks, err := checkStatsSocket(b, s.stateDir); err == nil {
				for _, p := range socks {
					os.Remove(p)
				}
			}
		}
	}
	if err := os.RemoveAll(e.files.dir); err != nil {
		writeError(w, http.StatusInternalServerError, "Cannot remove files", err.Error())
		return
	}
	e.failures, e.nextTry = 0, time.Time{}
	s.forgetCounters(e.id)
	s.log.Info("load balancer deleted", "lb_id", e.id)
	writeJSON(w, http.StatusOK, ActionResult{Message: "OK", Details: "deleted"})
}

// snapshot reads the recorded state of a load balancer under its lock.
func (s *Server) snapshot(ctx context.Context, e *lbEntry) (st lbState, rev int64, pid int, running bool, err error) {
	if err := e.acquire(ctx); err != nil {
		return st, 0, 0, false, err
	}
	defer e.release()
	rev, _, err = e.files.current()
	if err != nil {
		return st, 0, 0, false, err
	}
	st, err = e.files.loadState()
	if err != nil {
		return st, 0, 0, false, err
	}
	pid, _, running = s.findMaster(e.files, st)
	return st, rev, pid, running, nil
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	e, ok := s.lbFromPath(w, r)
	if !ok {
		return
	}
	st, rev, pid, running, err := s.snapshot(r.Context(), e)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Cannot read state", err.Error())
		return
	}
	if rev == 0 && !running {
		writeError(w, http.StatusNotFound, "Not found", fmt.Sprintf("unknown load balancer %s", e.id))
		return
	}
	out := Status{Running: running, Revision: rev, Desired: st.Desired}
	if running {
		out.PID = pid
		out.LoadedRevision = st.LoadedRevision
		out.Workers = childPIDs(pid)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) {
	e, ok := s.lbFromPath(w, r)
	if !ok {
		return
	}
	st, rev, _, running, err := s.snapshot(r.Context(), e)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Cannot read state", err.Error())
		return
	}
	if rev == 0 && !running {
		writeError(w, http.StatusNotFound, "Not found", fmt.Sprintf("unknown load balancer %s", e.id))
		return
	}
	if !running {
		writeError(w, http.StatusServiceUnavailable, "HAProxy is not running", "")
		return
	}
	// Read through the socket of the configuration HAProxy loaded.
	sock, err := s.statsSocket(e, st, rev)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "No usable stats socket", err.Error())
		return
	}
	out, err := socketCommand(r.Context(), sock, "show stat")
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "Cannot read HAProxy statistics", err.Error())
		return
	}
	rows, err := parseShowStat(out)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Cannot parse HAProxy statistics", err.Error())
		return
	}
	if rows == nil {
		rows = []StatRow{}
	}
	writeJSON(w, http.StatusOK, StatsResult{Stats: rows})
}
