package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/health/heartbeat"
)

// The heartbeat sender: every HeartbeatInterval the agent reads `show stat`
// of every HAProxy it runs and sends one heartbeat (package heartbeat,
// Octavia's format, version 3) to the next of HeartbeatTargets, signed with
// HeartbeatKey.
//
// Listener counters travel as deltas since the previous heartbeat. The agent
// keeps, in <DataDir>/heartbeat.json, HAProxy's cumulative counters at the
// last reading (the base the next delta is taken from) and the sequence
// number, so a restarted agent neither counts traffic twice nor reuses a
// sequence number (it also never goes below the clock in milliseconds, so a
// lost data dir does not either). A new HAProxy process (a start, a reload)
// counts from zero: before a reload or a stop the agent reads the old
// process's counters into "pending" deltas that the next heartbeat carries,
// and after a start or a successful reload its base is zero.

const heartbeatFileName = "heartbeat.json"

// hbCounters are the cumulative counters of one HAProxy frontend.
type hbCounters struct {
	Bin  int64 `json:"bin"`
	Bout int64 `json:"bout"`
	Stot int64 `json:"stot"`
	Ereq int64 `json:"ereq"`
}

// since returns what the counters grew by since base; a counter below its
// base belongs to a new process and counts whole.
func (c hbCounters) since(base hbCounters) hbCounters {
	d := func(cur, b int64) int64 {
		if cur >= b {
			return cur - b
		}
		return cur
	}
	return hbCounters{Bin: d(c.Bin, base.Bin), Bout: d(c.Bout, base.Bout), Stot: d(c.Stot, base.Stot), Ereq: d(c.Ereq, base.Ereq)}
}

func (c hbCounters) plus(o hbCounters) hbCounters {
	return hbCounters{Bin: c.Bin + o.Bin, Bout: c.Bout + o.Bout, Stot: c.Stot + o.Stot, Ereq: c.Ereq + o.Ereq}
}

// hbState is what the sender keeps across restarts; counters are by load
// balancer, then listener.
type hbState struct {
	Seq     int64                            `json:"seq"`
	Base    map[string]map[string]hbCounters `json:"base,omitempty"`
	Pending map[string]map[string]hbCounters `json:"pending,omitempty"`
}

// heartbeater holds the sender's state; its lock is taken after an
// lbEntry's, never before.
type heartbeater struct {
	path string
	mu   sync.Mutex
	st   hbState
	next int // the target of the next heartbeat
}

func newHeartbeater(dataDir string) *heartbeater {
	return &heartbeater{path: filepath.Join(dataDir, heartbeatFileName)}
}

// load reads the saved state; a missing file is a fresh start, a corrupt one
// is reported and replaced.
func (h *heartbeater) load() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	b, err := os.ReadFile(h.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var st hbState
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("corrupt %s: %w", h.path, err)
	}
	h.st = st
	return nil
}

// save writes the state; the caller holds h.mu.
func (h *heartbeater) save() error {
	b, err := json.Marshal(h.st)
	if err != nil {
		return err
	}
	return writeFileAtomic(h.path, b, 0o600)
}

func setCounters(m *map[string]map[string]hbCounters, lbID, listenerID string, c hbCounters) {
	if *m == nil {
		*m = map[string]map[string]hbCounters{}
	}
	if (*m)[lbID] == nil {
		(*m)[lbID] = map[string]hbCounters{}
	}
	(*m)[lbID][listenerID] = c
}

// frontendCounters picks the FRONTEND rows of `show stat`, by listener ID.
func frontendCounters(rows []StatRow) map[string]hbCounters {
	out := map[string]hbCounters{}
	for _, r := range rows {
		if r.SvName == "FRONTEND" {
			out[r.PxName] = hbCounters{Bin: r.Bin, Bout: r.Bout, Stot: r.Stot, Ereq: r.Ereq}
		}
	}
	return out
}

// flush moves what a load balancer's HAProxy counted since the last reading
// into its pending deltas, before a reload or a stop replaces the process.
// The caller holds the entry's lock.
func (h *heartbeater) flush(lbID string, rows []StatRow) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, cur := range frontendCounters(rows) {
		d := cur.since(h.st.Base[lbID][id])
		setCounters(&h.st.Pending, lbID, id, h.st.Pending[lbID][id].plus(d))
		setCounters(&h.st.Base, lbID, id, cur)
	}
	return h.save()
}

// reset forgets the base of a load balancer whose HAProxy process is new
// (started, or reloaded into a new worker): its counters start from zero.
func (h *heartbeater) reset(lbID string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.st.Base[lbID]; !ok {
		return nil
	}
	delete(h.st.Base, lbID)
	return h.save()
}

// forget drops everything of a deleted load balancer.
func (h *heartbeater) forget(lbID string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, b := h.st.Base[lbID]
	_, p := h.st.Pending[lbID]
	if !b && !p {
		return nil
	}
	delete(h.st.Base, lbID)
	delete(h.st.Pending, lbID)
	return h.save()
}

// lbReading is one load balancer's `show stat`.
type lbReading struct {
	lbID string
	rows []StatRow
}

// message turns the readings into the next heartbeat, moving the bases to
// the counters read and clearing the pending deltas it carries, and saves
// the state before the heartbeat leaves: a crash after that loses one
// heartbeat's counts, never counts them twice.
func (h *heartbeater) message(amphoraID string, readings []lbReading, now time.Time) (*heartbeat.Message, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.st.Seq = max(h.st.Seq+1, now.UnixMilli())
	msg := &heartbeat.Message{ID: amphoraID, Seq: h.st.Seq, Ver: heartbeat.Version,
		Listeners: map[string]heartbeat.Listener{}, Pools: map[string]heartbeat.Pool{}}
	for _, rd := range readings {
		cur := frontendCounters(rd.rows)
		base, pending := h.st.Base[rd.lbID], h.st.Pending[rd.lbID]
		for _, r := range rd.rows {
			switch {
			case r.SvName == "FRONTEND":
				d := cur[r.PxName].since(base[r.PxName]).plus(pending[r.PxName])
				msg.Listeners[r.PxName] = heartbeat.Listener{Status: r.Status, Stats: heartbeat.Stats{
					Tx: d.Bout, Rx: d.Bin, Conns: r.Scur, TotConns: d.Stot, Ereq: d.Ereq,
				}}
			case r.Type == StatTypeBackend || r.Type == StatTypeServer:
				p, ok := msg.Pools[r.PxName]
				if !ok {
					p = heartbeat.Pool{Members: map[string]string{}}
				}
				if r.SvName == "BACKEND" {
					p.Status = r.Status
				} else {
					st := r.Status
					// As Octavia's agent: HAProxy may report a server at
					// weight 0 as UP, which is a member draining.
					if st == heartbeat.MemberUp && r.Weight == 0 {
						st = heartbeat.MemberDrain
					}
					p.Members[r.SvName] = st
				}
				msg.Pools[r.PxName] = p
			}
		}
		if len(cur) == 0 {
			delete(h.st.Base, rd.lbID)
		} else {
			if h.st.Base == nil {
				h.st.Base = map[string]map[string]hbCounters{}
			}
			h.st.Base[rd.lbID] = cur
		}
		delete(h.st.Pending, rd.lbID)
	}
	return msg, h.save()
}

// target returns the next controller address, round robin as Octavia's
// health sender does.
func (h *heartbeater) target(targets []string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := targets[h.next%len(targets)]
	h.next = (h.next + 1) % len(targets)
	return t
}

// heartbeats sends a heartbeat now and every HeartbeatInterval until ctx
// ends.
func (s *Server) heartbeats(ctx context.Context) {
	t := time.NewTicker(s.cfg.HeartbeatInterval)
	defer t.Stop()
	for {
		if err := s.sendHeartbeat(ctx); err != nil && ctx.Err() == nil {
			level := slog.LevelWarn
			switch {
			case errors.Is(err, errSend):
				// A controller that is down or restarting: normal for a
				// while, and the next heartbeat goes to the next one.
				level = slog.LevelDebug
			case errors.Is(err, errBusy):
				level = slog.LevelInfo
			}
			s.log.Log(ctx, level, "heartbeat not sent", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

var (
	// errBusy skips a heartbeat while a load balancer is being changed.
	errBusy = errors.New("a load balancer is busy")
	// errSend is a heartbeat that did not leave (the network said no).
	errSend = errors.New("sending")
)

// sendHeartbeat reads every running HAProxy and sends one heartbeat. It
// holds the locks of every load balancer while it reads them, so that no
// reload comes between a reading and the bases it moves; when one stays busy
// (a configuration being checked, a reload) for a whole interval the
// heartbeat is skipped rather than sent without that load balancer's
// listeners, which would report them down.
func (s *Server) sendHeartbeat(ctx context.Context) error {
	entries := s.entries()
	slices.SortFunc(entries, func(a, b *lbEntry) int { return strings.Compare(a.id, b.id) })
	lctx, cancel := context.WithTimeout(ctx, s.cfg.HeartbeatInterval)
	defer cancel()
	held := make([]*lbEntry, 0, len(entries))
	defer func() {
		for _, e := range held {
			e.release()
		}
	}()
	var readings []lbReading
	for _, e := range entries {
		if err := e.acquire(lctx); err != nil {
			return fmt.Errorf("%w: %w", errBusy, err)
		}
		held = append(held, e)
		st, err := e.files.loadState()
		if err != nil {
			return err
		}
		rev, _, err := e.files.current()
		if err != nil {
			return err
		}
		if _, _, running := s.findMaster(e.files, st); !running || rev == 0 {
			continue // its listeners are missing from the heartbeat: down
		}
		// Bounded: the locks of every load balancer are held meanwhile.
		rctx, rcancel := context.WithTimeout(ctx, max(s.cfg.HeartbeatInterval, time.Second))
		rows, err := s.readStats(rctx, e, st, rev)
		rcancel()
		if err != nil {
			return fmt.Errorf("reading the statistics of load balancer %s: %w", e.id, err)
		}
		readings = append(readings, lbReading{lbID: e.id, rows: rows})
	}
	msg, err := s.hb.message(s.cfg.AmphoraID, readings, time.Now())
	if err != nil {
		return fmt.Errorf("recording heartbeat counters: %w", err)
	}
	for _, e := range held {
		e.release()
	}
	held = held[:0]

	d, err := heartbeat.Seal(msg, s.cfg.HeartbeatKey)
	if err != nil {
		return err
	}
	if len(d) > heartbeat.MaxDatagram {
		return fmt.Errorf("heartbeat of %d bytes does not fit a UDP datagram", len(d))
	}
	target := s.hb.target(s.cfg.HeartbeatTargets)
	var dialer net.Dialer
	sctx, scancel := context.WithTimeout(ctx, 5*time.Second)
	defer scancel()
	conn, err := dialer.DialContext(sctx, "udp", target)
	if err != nil {
		return fmt.Errorf("%w heartbeat to %s: %w", errSend, target, err)
	}
	defer conn.Close()
	if _, err := conn.Write(d); err != nil {
		return fmt.Errorf("%w heartbeat to %s: %w", errSend, target, err)
	}
	s.log.Debug("heartbeat sent", "to", target, "seq", msg.Seq, "listeners", len(msg.Listeners), "pools", len(msg.Pools), "bytes", len(d))
	return nil
}

// readStats reads `show stat` through the stats socket of the configuration
// HAProxy loaded. The caller holds the entry's lock.
func (s *Server) readStats(ctx context.Context, e *lbEntry, st lbState, rev int64) ([]StatRow, error) {
	sock, err := s.statsSocket(e, st, rev)
	if err != nil {
		return nil, err
	}
	out, err := socketCommand(ctx, sock, "show stat")
	if err != nil {
		return nil, err
	}
	return parseShowStat(out)
}

// statsSocket is the first stats socket of the configuration HAProxy loaded
// (else of the current one).
func (s *Server) statsSocket(e *lbEntry, st lbState, rev int64) (string, error) {
	cfg, err := os.ReadFile(e.files.revPath(st.LoadedRevision))
	if err != nil {
		cfg, err = os.ReadFile(e.files.revPath(rev))
	}
	if err != nil {
		return "", err
	}
	socks, err := checkStatsSocket(cfg, s.stateDir)
	if err != nil {
		return "", err
	}
	return socks[0], nil
}

// flushCounters keeps what HAProxy counted since the last heartbeat before
// its process is replaced. The caller holds the entry's lock.
func (s *Server) flushCounters(ctx context.Context, e *lbEntry, st lbState, rev int64) {
	if s.hb == nil {
		return
	}
	rows, err := s.readStats(ctx, e, st, rev)
	if err == nil {
		err = s.hb.flush(e.id, rows)
	}
	if err != nil {
		s.log.Warn("cannot keep the counters of the HAProxy being replaced", "lb_id", e.id, "err", err)
	}
}

// resetCounters starts the counters of a new HAProxy process from zero.
func (s *Server) resetCounters(lbID string) {
	if s.hb == nil {
		return
	}
	if err := s.hb.reset(lbID); err != nil {
		s.log.Warn("cannot record heartbeat counters", "lb_id", lbID, "err", err)
	}
}

// forgetCounters drops the counters of a deleted load balancer.
func (s *Server) forgetCounters(lbID string) {
	if s.hb == nil {
		return
	}
	if err := s.hb.forget(lbID); err != nil {
		s.log.Warn("cannot record heartbeat counters", "lb_id", lbID, "err", err)
	}
}
