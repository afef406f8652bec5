package controller

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lbaas/terraform-provider-lbaas/internal/agent"
	"github.com/lbaas/terraform-provider-lbaas/internal/compute"
	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/network"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// The doubles below sit under the controller's driver interfaces; the store
// is the real SQLite one.

type fakeCompute struct {
	mu      sync.Mutex
	running map[string]bool
	created atomic.Int64
	deleted []string
}

func (f *fakeCompute) Create(_ context.Context, s compute.Spec) (compute.Instance, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.running[s.AmphoraID] = true
	f.created.Add(1)
	return compute.Instance{ComputeID: "c-" + s.AmphoraID, LBNetworkIP: "127.0.0.1", AgentURL: "https://x"}, nil
}

func (f *fakeCompute) Get(_ context.Context, id string) (compute.Instance, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.running[id] {
		return compute.Instance{}, compute.ErrNotFound
	}
	return compute.Instance{ComputeID: "c-" + id, LBNetworkIP: "127.0.0.1", AgentURL: "https://x"}, nil
}

func (f *fakeCompute) Delete(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.running, id)
	f.deleted = append(f.deleted, id)
	return nil
}

func (f *fakeCompute) List(_ context.Context) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for id := range f.running {
		ids = append(ids, id)
	}
	return ids, nil
}

type fakeNetwork struct {
	mu    sync.Mutex
	freed []string
}

func (f *fakeNetwork) AllocateVIP(context.Context, string, network.VIPRequest) (network.VIP, error) {
	return network.VIP{Address: "127.0.0.2"}, nil
}

func (f *fakeNetwork) DeallocateVIP(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.freed = append(f.freed, id)
	return nil
}

type fakeAgent struct {
	mu       sync.Mutex
	cfg      []byte
	rev      int64
	running  bool
	loaded   int64
	startErr error
	starts   int
}

func (a *fakeAgent) Info(context.Context) (agent.Info, error) {
	return agent.Info{StateDir: "/run/x"}, nil
}

func (a *fakeAgent) Config(context.Context, string) ([]byte, int64, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.rev == 0 {
		return nil, 0, &agent.APIError{StatusCode: http.StatusNotFound}
	}
	return a.cfg, a.rev, nil
}

func (a *fakeAgent) PutConfig(_ context.Context, _ string, rev int64, cfg []byte) (agent.PutConfigResult, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.cfg, a.rev = cfg, rev
	return agent.PutConfigResult{Revision: rev, Changed: true}, nil
}

func (a *fakeAgent) Status(context.Context, string) (agent.Status, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return agent.Status{Running: a.running, Revision: a.rev, LoadedRevision: a.loaded}, nil
}

func (a *fakeAgent) Action(_ context.Context, _ string, action string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if action == agent.ActionStart {
		a.starts++
		if a.startErr != nil {
			return a.startErr
		}
	}
	a.running, a.loaded = true, a.rev
	return nil
}

func (a *fakeAgent) Delete(context.Context, string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.running, a.rev, a.cfg = false, 0, nil
	return nil
}

func (a *fakeAgent) Stats(context.Context, string) ([]agent.StatRow, error) { return nil, nil }

type rig struct {
	c     *Controller
	st    store.Store
	comp  *fakeCompute
	net   *fakeNetwork
	agent *fakeAgent
}

func newRig(t *testing.T, render Renderer) *rig {
	t.Helper()
	return newRigWith(t, render, nil)
}

// newRigWith is newRig with the controller's configuration changed by tune.
func newRigWith(t *testing.T, render Renderer, tune func(*Config)) *rig {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r := &rig{st: st, comp: &fakeCompute{running: map[string]bool{}}, net: &fakeNetwork{}, agent: &fakeAgent{}}
	if render == nil {
		render = func(g *lb.LoadBalancer, _ agent.Info) (string, error) { return "cfg " + g.Name, nil }
	}
	cfg := Config{
		Store: st, Compute: r.comp, Network: r.net,
		Dial:   func(string, compute.Instance) (Agent, error) { return r.agent, nil },
		Render: render,
		IssueCert: func(string) ([]byte, []byte, []byte, time.Time, error) {
			return []byte("c"), []byte("k"), []byte("ca"), time.Now().Add(time.Hour), nil
		},
		NewID:     uuid.NewString,
		RetryBase: time.Millisecond, RetryMax: 5 * time.Millisecond, Budget: time.Second,
		AgentWait: time.Second,
	}
	if tune != nil {
		tune(&cfg)
	}
	r.c, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) create(t *testing.T, name string, listeners int) *lb.LoadBalancer {
	t.Helper()
	g := &lb.LoadBalancer{ID: uuid.NewString(), Name: name, ProvisioningStatus: lb.StatusPendingCreate, OperatingStatus: lb.OperatingOffline, AdminStateUp: true, CreatedAt: time.Now().UTC()}
	for i := range listeners {
		g.Listeners = append(g.Listeners, &lb.Listener{ID: uuid.NewString(), Protocol: lb.ProtocolHTTP, ProtocolPort: 8080 + i, AdminStateUp: true,
			ProvisioningStatus: lb.StatusPendingCreate, OperatingStatus: lb.OperatingOffline, CreatedAt: time.Now().UTC()})
	}
	if err := r.st.CreateLoadBalancer(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	return g
}

func (r *rig) run(t *testing.T) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = r.c.Run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

func (r *rig) waitStatus(t *testing.T, id, want string) *lb.LoadBalancer {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		g, err := r.st.LoadBalancer(context.Background(), id)
		if err == nil && g.ProvisioningStatus == want {
			return g
		}
		if time.Now().After(deadline) {
			t.Fatalf("load balancer %s: want %s, have %v (%v)", id, want, g, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestReconcileCreateAndDelete(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	stop := r.run(t)
	defer stop()
	g := r.create(t, "web", 1)
	r.c.Enqueue(g.ID)
	got := r.waitStatus(t, g.ID, lb.StatusActive)
	if len(got.Amphorae) != 1 || got.Amphorae[0].Status != lb.AmphoraAllocated || got.Listeners[0].ProvisioningStatus != lb.StatusActive {
		t.Fatalf("after create: %+v", got)
	}
	if string(r.agent.cfg) != "cfg web" || !r.agent.running {
		t.Fatalf("agent: cfg %q running %v", r.agent.cfg, r.agent.running)
	}
	if n := r.comp.created.Load(); n != 1 {
		t.Fatalf("%d amphorae booted, want 1", n)
	}
	// A second reconcile with nothing to do changes nothing.
	r.c.Enqueue(g.ID)
	time.Sleep(50 * time.Millisecond)
	if r.agent.rev != 1 || r.comp.created.Load() != 1 {
		t.Fatalf("an idle reconcile pushed revision %d / booted %d", r.agent.rev, r.comp.created.Load())
	}

	err := r.st.UpdateLoadBalancer(context.Background(), g.ID, func(cur *lb.LoadBalancer) error {
		cur.ProvisioningStatus = lb.StatusPendingDelete
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r.c.Enqueue(g.ID)
	gone := r.waitStatus(t, g.ID, lb.StatusDeleted)
	if len(gone.Amphorae) != 0 || len(gone.Listeners) != 0 || len(r.net.freed) != 1 || len(r.comp.deleted) != 1 {
		t.Fatalf("after delete: %+v freed %v deleted %v", gone, r.net.freed, r.comp.deleted)
	}
}

func TestReconcileTerminalErrorSetsError(t *testing.T) {
	t.Parallel()
	r := newRig(t, func(*lb.LoadBalancer, agent.Info) (string, error) {
		return "", errors.New("refused by the renderer")
	})
	stop := r.run(t)
	defer stop()
	g := r.create(t, "bad", 1)
	r.c.Enqueue(g.ID)
	got := r.waitStatus(t, g.ID, lb.StatusError)
	if got.Listeners[0].ProvisioningStatus != lb.StatusError {
		t.Fatalf("the pending listener must go to ERROR too: %s", got.Listeners[0].ProvisioningStatus)
	}
}

func TestReconcileAgentRefusalsSetError(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	r.agent.startErr = &agent.APIError{StatusCode: http.StatusInternalServerError, Message: "cannot bind socket"}
	stop := r.run(t)
	defer stop()
	g := r.create(t, "port80", 1)
	r.c.Enqueue(g.ID)
	r.waitStatus(t, g.ID, lb.StatusError)
	if r.agent.starts != refusalsBeforeError {
		t.Fatalf("%d start attempts before ERROR, want %d", r.agent.starts, refusalsBeforeError)
	}
}

func TestSweepRemovesOrphans(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	r.comp.running["orphan-amphora"] = true
	deleted := r.create(t, "old", 0)
	err := r.st.UpdateLoadBalancer(context.Background(), deleted.ID, func(cur *lb.LoadBalancer) error {
		cur.ProvisioningStatus = lb.StatusDeleted
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.c.sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r.comp.running["orphan-amphora"] {
		t.Fatal("an amphora no load balancer owns was left running")
	}
	if len(r.net.freed) != 1 || r.net.freed[0] != deleted.ID {
		t.Fatalf("the VIP of a DELETED load balancer was not freed: %v", r.net.freed)
	}
}

func TestWithoutPendingDeletes(t *testing.T) {
	t.Parallel()
	pool := &lb.Pool{ID: "p", ProvisioningStatus: lb.StatusPendingDelete}
	g := &lb.LoadBalancer{
		Listeners: []*lb.Listener{{ID: "l", DefaultPoolID: "p", L7Policies: []*lb.L7Policy{
			{ID: "keep", Rules: []*lb.L7Rule{{ID: "r1"}, {ID: "r2", ProvisioningStatus: lb.StatusPendingDelete}}},
			{ID: "drop", ProvisioningStatus: lb.StatusPendingDelete},
		}}},
		Pools: []*lb.Pool{pool, {ID: "q", Members: []*lb.Member{{ID: "m", ProvisioningStatus: lb.StatusPendingDelete}, {ID: "n"}},
			HealthMonitor: &lb.HealthMonitor{ID: "h", ProvisioningStatus: lb.StatusPendingDelete}}},
	}
	out := withoutPendingDeletes(g)
	if len(out.Pools) != 1 || out.Listeners[0].DefaultPoolID != "" || len(out.Listeners[0].L7Policies) != 1 ||
		len(out.Listeners[0].L7Policies[0].Rules) != 1 || len(out.Pools[0].Members) != 1 || out.Pools[0].HealthMonitor != nil {
		t.Fatalf("%+v", out)
	}
	// The input graph is left alone.
	if g.Listeners[0].DefaultPoolID != "p" || len(g.Pools) != 2 || len(g.Pools[1].Members) != 2 {
		t.Fatal("withoutPendingDeletes changed its input")
	}
}
