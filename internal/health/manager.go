package health

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/health/heartbeat"
	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// Config wires a Manager.
type Config struct {
	Store   store.Store
	Logger  *slog.Logger
	Metrics *Metrics
	// Workers process heartbeats in parallel, each amphora always on the
	// same one (default 4).
	Workers int
	// Queue is the number of heartbeats a worker holds before the reader
	// drops more (default 256).
	Queue int
	// MaxDelay is how long after its arrival a heartbeat may still change
	// statuses and refresh its amphora's health; later, only its counters
	// are recorded (default 10 s, Octavia's heartbeat interval).
	MaxDelay time.Duration
	// Timeout bounds the processing of one heartbeat (default 30 s).
	Timeout time.Duration
	// Now is the clock.
	Now func() time.Time
}

// Manager receives heartbeats; Serve runs it.
type Manager struct {
	cfg Config
	log *slog.Logger
	m   *Metrics

	mu    sync.Mutex
	known map[string]*amphora
}

// amphora is what the manager caches of an amphora that has a key.
type amphora struct {
	key            []byte
	loadBalancerID string
	lastSeq        int64 // highest sequence accepted by this process
}

// New returns a health manager.
func New(cfg Config) (*Manager, error) {
	if cfg.Store == nil {
		return nil, errors.New("health: Store is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 256
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = 10 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Manager{cfg: cfg, log: cfg.Logger, m: cfg.Metrics, known: map[string]*amphora{}}, nil
}

// NewKey returns a new heartbeat key: 32 random bytes, hex encoded (a text
// key, like Octavia's heartbeat_key).
func NewKey() ([]byte, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("health: generating a heartbeat key: %w", err)
	}
	return hex.AppendEncode(nil, b[:]), nil
}

// Key returns the heartbeat key of an amphora, creating it on first use; the
// amphora's row must exist. Calling it again returns the same key, so a boot
// that is retried hands the amphora the key it may already hold.
func (m *Manager) Key(ctx context.Context, amphoraID string) ([]byte, error) {
	key, err := NewKey()
	if err != nil {
		return nil, err
	}
	h, err := m.cfg.Store.EnsureAmphoraHealth(ctx, amphoraID, key)
	if err != nil {
		return nil, fmt.Errorf("health: heartbeat key of amphora %s: %w", amphoraID, err)
	}
	return h.HeartbeatKey, nil
}

// datagram is a decoded, not yet verified, heartbeat and when it arrived.
type datagram struct {
	env  *heartbeat.Envelope
	at   time.Time
	from net.Addr
}

// Serve reads heartbeats from conn until ctx ends, then closes conn and
// waits for the heartbeats in progress. It returns conn's read error, if
// one ends it first.
func (m *Manager) Serve(ctx context.Context, conn net.PacketConn) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()

	queues := make([]chan datagram, m.cfg.Workers)
	var wg sync.WaitGroup
	for i := range queues {
		queues[i] = make(chan datagram, m.cfg.Queue)
		q := queues[i]
		wg.Go(func() { m.work(ctx, q) })
	}
	defer wg.Wait()
	defer cancel() // the workers stop before Serve returns

	buf := make([]byte, 64<<10)
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("health: reading heartbeats: %w", err)
		}
		at := m.cfg.Now()
		m.m.received.Inc()
		// The envelope keeps slices of the datagram: it gets its own copy,
		// the buffer is read into again at once.
		env, err := heartbeat.Open(bytes.Clone(buf[:n]))
		if err != nil {
			m.drop(DropMalformed, "", from, err)
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(env.Message.ID))
		select {
		case queues[h.Sum32()%uint32(len(queues))] <- datagram{env: env, at: at, from: from}: //nolint:gosec // len(queues) is small and positive.
		default:
			m.drop(DropOverload, env.Message.ID, from, nil)
		}
	}
}

func (m *Manager) work(ctx context.Context, q <-chan datagram) {
	for {
		select {
		case <-ctx.Done():
			return
		case d := <-q:
			m.process(ctx, d)
		}
	}
}

// process handles one heartbeat, recovering from a panic so that one bad
// message cannot stop the manager.
func (m *Manager) process(ctx context.Context, d datagram) {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			m.drop(DropError, d.env.Message.ID, d.from, fmt.Errorf("panic: %v\n%s", r, debug.Stack()))
		}
	}()
	reason, err := m.handle(ctx, d)
	if reason != "" {
		m.drop(reason, d.env.Message.ID, d.from, err)
		return
	}
	m.m.accepted.Inc()
}

func (m *Manager) drop(reason, amphoraID string, from net.Addr, err error) {
	m.m.dropped.WithLabelValues(reason).Inc()
	level := slog.LevelWarn
	switch reason {
	case DropReplay, DropUnknownAmphora:
		// A datagram overtaken by a later one, a heartbeat of an amphora
		// being deleted: normal now and then.
		level = slog.LevelDebug
	case DropError:
		level = slog.LevelError
	}
	addr := ""
	if from != nil {
		addr = from.String()
	}
	m.log.Log(context.Background(), level, "heartbeat dropped", "reason", reason, "amphora_id", amphoraID, "from", addr, "err", err)
}

// handle verifies and applies one heartbeat; it returns the reason it was
// dropped, or "" when it was accepted.
func (m *Manager) handle(ctx context.Context, d datagram) (reason string, err error) {
	msg := d.env.Message
	amp, err := m.lookup(ctx, msg.ID)
	if errors.Is(err, store.ErrNotFound) {
		return DropUnknownAmphora, nil
	}
	if err != nil {
		return DropError, err
	}
	if err := d.env.Verify(amp.key); err != nil {
		return DropBadHMAC, err
	}
	if msg.Ver != heartbeat.Version {
		return DropUnsupportedVersion, fmt.Errorf("message version %d", msg.Ver)
	}
	if msg.Seq <= m.lastSeq(msg.ID) {
		return DropReplay, fmt.Errorf("sequence %d, last accepted %d", msg.Seq, m.lastSeq(msg.ID))
	}

	g, err := m.cfg.Store.LoadBalancer(ctx, amp.loadBalancerID)
	if errors.Is(err, store.ErrNotFound) {
		m.forget(msg.ID)
		return DropUnknownAmphora, nil
	}
	if err != nil {
		return DropError, err
	}
	var self *lb.Amphora
	for _, a := range g.Amphorae {
		if a.ID == msg.ID {
			self = a
		}
	}
	if self == nil {
		m.forget(msg.ID)
		return DropUnknownAmphora, nil
	}
	late := m.cfg.Now().Sub(d.at) > m.cfg.MaxDelay
	err = m.cfg.Store.RecordHeartbeat(ctx, store.Heartbeat{
		AmphoraID:  msg.ID,
		Seq:        msg.Seq,
		ReceivedAt: d.at,
		Healthy:    !late && Healthy(g, msg),
		Listeners:  counters(msg),
	})
	switch {
	case errors.Is(err, store.ErrStaleSequence):
		return DropReplay, err
	case errors.Is(err, store.ErrNotFound):
		m.forget(msg.ID)
		return DropUnknownAmphora, nil
	case err != nil:
		return DropError, err
	}
	m.accepted(msg.ID, msg.Seq)
	if late {
		m.m.late.Inc()
		m.log.Warn("heartbeat processed too late to update statuses", "amphora_id", msg.ID, "delay", m.cfg.Now().Sub(d.at))
		return "", nil
	}
	if !appliesStatuses(g, self) || len(Apply(g, msg, m.cfg.Now().UTC())) == 0 {
		return "", nil
	}
	var changes []Change
	err = m.cfg.Store.UpdateLoadBalancer(ctx, g.ID, func(cur *lb.LoadBalancer) error {
		changes = nil
		for _, a := range cur.Amphorae {
			if a.ID == msg.ID && appliesStatuses(cur, a) {
				changes = Apply(cur, msg, m.cfg.Now().UTC())
			}
		}
		return nil
	})
	if err != nil {
		// The heartbeat is recorded; the next one brings the statuses.
		m.log.Error("writing operating statuses", "loadbalancer_id", g.ID, "amphora_id", msg.ID, "err", err)
		return "", nil
	}
	for _, c := range changes {
		m.m.changes.WithLabelValues(c.Kind, c.To).Inc()
		m.log.Info("operating status changed", "kind", c.Kind, "id", c.ID, "from", c.From, "to", c.To,
			"loadbalancer_id", g.ID, "amphora_id", msg.ID)
	}
	return "", nil
}

// appliesStatuses tells whether a heartbeat of amphora a may set the
// statuses of g: not while g is PENDING_* (the controller is changing it) or
// gone, and only from the amphora that serves it.
func appliesStatuses(g *lb.LoadBalancer, a *lb.Amphora) bool {
	return !isPending(g.ProvisioningStatus) && g.ProvisioningStatus != lb.StatusDeleted && a.Status == lb.AmphoraAllocated
}

// counters turns a heartbeat's listener stats into statistics deltas
// (negative values, which no honest amphora sends, count as 0).
func counters(msg *heartbeat.Message) []store.ListenerStatistics {
	out := make([]store.ListenerStatistics, 0, len(msg.Listeners))
	for id, l := range msg.Listeners {
		out = append(out, store.ListenerStatistics{
			ListenerID:        id,
			BytesIn:           max(l.Stats.Rx, 0),
			BytesOut:          max(l.Stats.Tx, 0),
			ActiveConnections: max(l.Stats.Conns, 0),
			TotalConnections:  max(l.Stats.TotConns, 0),
			RequestErrors:     max(l.Stats.Ereq, 0),
		})
	}
	return out
}

// lookup returns the cached key and load balancer of an amphora, reading
// them from the store on first use.
func (m *Manager) lookup(ctx context.Context, amphoraID string) (*amphora, error) {
	m.mu.Lock()
	a, ok := m.known[amphoraID]
	m.mu.Unlock()
	if ok {
		return a, nil
	}
	h, err := m.cfg.Store.AmphoraHealth(ctx, amphoraID)
	if err != nil {
		return nil, err
	}
	a = &amphora{key: h.HeartbeatKey, loadBalancerID: h.LoadBalancerID, lastSeq: h.LastSeq}
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur, ok := m.known[amphoraID]; ok {
		return cur, nil
	}
	m.known[amphoraID] = a
	return a, nil
}

func (m *Manager) lastSeq(amphoraID string) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if a, ok := m.known[amphoraID]; ok {
		return a.lastSeq
	}
	return 0
}

func (m *Manager) accepted(amphoraID string, seq int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if a, ok := m.known[amphoraID]; ok && seq > a.lastSeq {
		a.lastSeq = seq
	}
}

// forget drops the cache of an amphora that is gone.
func (m *Manager) forget(amphoraID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.known, amphoraID)
}
