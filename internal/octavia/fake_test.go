package octavia

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeOctavia is a scripted Octavia for unit tests: an in-memory store
// with Octavia's status rules (a write flips the load balancer to
// PENDING_UPDATE for settle, and a write that arrives meanwhile gets 409),
// plus a hook that can answer any request first.
type fakeOctavia struct {
	t      *testing.T
	srv    *httptest.Server
	settle time.Duration

	mu    sync.Mutex
	objs  map[string]map[string]map[string]any // collection → id → object
	order map[string][]string                  // collection → ids in creation order
	hits  map[string]int                       // "METHOD /path" → count
	seq   int

	conflicts atomic.Int64 // 409s answered because a load balancer was busy
	accepted  atomic.Int64 // writes accepted

	// hook, if set, sees every request first (its body already read) and
	// answers it when it returns true.
	hook func(w http.ResponseWriter, r *http.Request, body []byte) bool
}

const fakePrefix = "/v2.0/lbaas/"

func newFake(t *testing.T) *fakeOctavia {
	t.Helper()
	f := &fakeOctavia{
		t:      t,
		settle: 20 * time.Millisecond,
		objs:   map[string]map[string]map[string]any{},
		order:  map[string][]string{},
		hits:   map[string]int{},
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// client returns a Client of the fake with small poll intervals.
func (f *fakeOctavia) client(t *testing.T, mod ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		AuthType: "none",
		Endpoint: f.srv.URL,
		Poll:     PollConfig{Initial: 2 * time.Millisecond, Max: 10 * time.Millisecond},
		Logf: func(_ context.Context, msg string, kv ...any) {
			t.Logf("%s %v", msg, kv)
		},
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fakeOctavia) count(method, path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[method+" "+fakePrefix+path]
}

func (f *fakeOctavia) newID() string {
	f.seq++
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", f.seq)
}

// put stores an object (test setup); it returns its id.
func (f *fakeOctavia) put(coll string, obj map[string]any) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.putLocked(coll, obj)
}

func (f *fakeOctavia) putLocked(coll string, obj map[string]any) string {
	id, _ := obj["id"].(string)
	if id == "" {
		id = f.newID()
		obj["id"] = id
	}
	if _, ok := obj["provisioning_status"]; !ok {
		obj["provisioning_status"] = "ACTIVE"
	}
	if _, ok := obj["created_at"]; !ok {
		obj["created_at"] = time.Now().UTC().Format("2006-01-02T15:04:05")
	}
	if f.objs[coll] == nil {
		f.objs[coll] = map[string]map[string]any{}
	}
	if _, ok := f.objs[coll][id]; !ok {
		f.order[coll] = append(f.order[coll], id)
	}
	f.objs[coll][id] = obj
	return id
}

func (f *fakeOctavia) status(coll, id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o := f.objs[coll][id]; o != nil {
		s, _ := o["provisioning_status"].(string)
		return s
	}
	return ""
}

func (f *fakeOctavia) setStatus(coll, id, status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objs[coll][id]["provisioning_status"] = status
}

func (f *fakeOctavia) size(coll string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.objs[coll])
}

// addLB stores an ACTIVE load balancer.
func (f *fakeOctavia) addLB() string {
	return f.put("loadbalancers", map[string]any{"name": "lb", "vip_subnet_id": "subnet", "admin_state_up": true})
}

// addPool stores an ACTIVE pool of lbID.
func (f *fakeOctavia) addPool(lbID string) string {
	return f.put("pools", map[string]any{"name": "pool", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN",
		"_lb": lbID, "loadbalancers": []any{map[string]any{"id": lbID}}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeFault(w http.ResponseWriter, status int, msg string) {
	code := "Server"
	if status < 500 {
		code = "Client"
	}
	writeJSON(w, status, map[string]any{"faultcode": code, "faultstring": msg, "debuginfo": nil})
}

// view renders an object without its internal (_-prefixed) keys.
func view(o map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range o {
		if !strings.HasPrefix(k, "_") {
			out[k] = v
		}
	}
	return out
}

// cut closes the connection without an answer.
func cut(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	_ = conn.Close()
}

func (f *fakeOctavia) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.hits[r.Method+" "+r.URL.Path]++
	f.mu.Unlock()
	if f.hook != nil && f.hook(w, r, body) {
		return
	}
	f.handle(w, r, body)
}

// handle is the fake's default behaviour; hooks may call it (with a
// recorder) to make an object and then answer something else.
func (f *fakeOctavia) handle(w http.ResponseWriter, r *http.Request, body []byte) {
	path, ok := strings.CutPrefix(r.URL.Path, fakePrefix)
	if !ok {
		if r.Method == http.MethodGet {
			// Version discovery, as Octavia's root answers it.
			writeJSON(w, http.StatusOK, map[string]any{"versions": []any{
				map[string]any{"id": "v2.0", "status": "SUPPORTED"},
				map[string]any{"id": "v2.26", "status": "CURRENT"},
			}})
			return
		}
		writeFault(w, http.StatusNotFound, "no route")
		return
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case len(parts) == 1 && r.Method == http.MethodGet:
		f.list(w, r, parts[0], nil)
	case len(parts) == 1 && r.Method == http.MethodPost:
		f.create(w, parts[0], "", body)
	case len(parts) == 2 && r.Method == http.MethodGet:
		f.show(w, parts[0], parts[1])
	case len(parts) == 2 && r.Method == http.MethodPut:
		f.update(w, parts[0], parts[1], body)
	case len(parts) == 2 && r.Method == http.MethodDelete:
		f.remove(w, parts[0], parts[1])
	case len(parts) == 3 && parts[0] == "loadbalancers" && parts[2] == "status":
		f.statusTree(w, parts[1])
	case len(parts) == 3 && parts[2] == "members" && r.Method == http.MethodPut:
		f.batch(w, parts[1])
	case len(parts) == 3 && isNested(parts[2]) && r.Method == http.MethodGet:
		f.list(w, r, parts[2], map[string]string{"_parent": parts[1]})
	case len(parts) == 3 && isNested(parts[2]) && r.Method == http.MethodPost:
		f.create(w, parts[2], parts[1], body)
	case len(parts) == 4 && isNested(parts[2]) && r.Method == http.MethodGet:
		f.show(w, parts[2], parts[3])
	case len(parts) == 4 && isNested(parts[2]) && r.Method == http.MethodPut:
		f.update(w, parts[2], parts[3], body)
	case len(parts) == 4 && isNested(parts[2]) && r.Method == http.MethodDelete:
		f.remove(w, parts[2], parts[3])
	default:
		writeFault(w, http.StatusNotFound, "no route "+r.Method+" "+r.URL.Path)
	}
}

// root is the JSON root of one object of a collection.
func root(coll string) string {
	switch coll {
	case "l7policies":
		return "l7policy"
	case "loadbalancers", "listeners", "pools", "members", "healthmonitors", "rules":
		return strings.TrimSuffix(coll, "s")
	}
	return coll
}

// isNested tells the collections under a parent (pools/{id}/members,
// l7policies/{id}/rules).
func isNested(coll string) bool { return coll == "members" || coll == "rules" }

func (f *fakeOctavia) list(w http.ResponseWriter, r *http.Request, coll string, internal map[string]string) {
	items := []any{}
	for _, id := range f.order[coll] {
		o := f.objs[coll][id]
		if o == nil {
			continue
		}
		match := true
		for k, v := range internal {
			if fmt.Sprint(o[k]) != v {
				match = false
			}
		}
		for k, vs := range r.URL.Query() {
			if fmt.Sprint(o[k]) != vs[0] {
				match = false
			}
		}
		if match {
			items = append(items, view(o))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{coll: items, coll + "_links": []any{}})
}

func (f *fakeOctavia) show(w http.ResponseWriter, coll, id string) {
	o := f.objs[coll][id]
	if o == nil {
		writeFault(w, http.StatusNotFound, fmt.Sprintf("%s %s not found.", root(coll), id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{root(coll): view(o)})
}

// lbOf finds the load balancer a write to coll touches.
func (f *fakeOctavia) lbOf(coll, parent string, req map[string]any) string {
	switch coll {
	case "members":
		return fmt.Sprint(f.objs["pools"][parent]["_lb"])
	case "listeners", "pools":
		if id, ok := req["loadbalancer_id"].(string); ok {
			return id
		}
		if id, ok := req["listener_id"].(string); ok {
			return fmt.Sprint(f.objs["listeners"][id]["_lb"])
		}
	case "healthmonitors":
		return fmt.Sprint(f.objs["pools"][fmt.Sprint(req["pool_id"])]["_lb"])
	case "l7policies":
		return fmt.Sprint(f.objs["listeners"][fmt.Sprint(req["listener_id"])]["_lb"])
	case "rules":
		return fmt.Sprint(f.objs["l7policies"][parent]["_lb"])
	}
	return ""
}

// lockLB is Octavia's test-and-set: ACTIVE → PENDING_UPDATE, else 409. It
// schedules the load balancer's (and then) ACTIVE again.
func (f *fakeOctavia) lockLB(w http.ResponseWriter, lbID string, then func()) bool {
	lbo := f.objs["loadbalancers"][lbID]
	if lbo == nil {
		writeFault(w, http.StatusNotFound, "Load Balancer "+lbID+" not found.")
		return false
	}
	if st := lbo["provisioning_status"]; st != "ACTIVE" {
		f.conflicts.Add(1)
		writeFault(w, http.StatusConflict, "Load Balancer "+lbID+" is immutable and cannot be updated.")
		return false
	}
	lbo["provisioning_status"] = "PENDING_UPDATE"
	f.accepted.Add(1)
	time.AfterFunc(f.settle, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if then != nil {
			then()
		}
		if lbo["provisioning_status"] == "PENDING_UPDATE" {
			lbo["provisioning_status"] = "ACTIVE"
		}
	})
	return true
}

func (f *fakeOctavia) create(w http.ResponseWriter, coll, parent string, body []byte) {
	var env map[string]map[string]any
	if err := json.Unmarshal(body, &env); err != nil {
		writeFault(w, http.StatusBadRequest, err.Error())
		return
	}
	req := env[root(coll)]
	obj := map[string]any{}
	for k, v := range req {
		obj[k] = v
	}
	obj["provisioning_status"] = "PENDING_CREATE"
	if coll == "loadbalancers" {
		id := f.putLocked(coll, obj)
		f.accepted.Add(1)
		time.AfterFunc(f.settle, func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			obj["provisioning_status"] = "ACTIVE"
		})
		writeJSON(w, http.StatusCreated, map[string]any{"loadbalancer": view(f.objs[coll][id])})
		return
	}
	lbID := f.lbOf(coll, parent, req)
	if !f.lockLB(w, lbID, func() { obj["provisioning_status"] = "ACTIVE" }) {
		return
	}
	obj["_lb"] = lbID
	obj["_parent"] = parent
	if coll == "listeners" || coll == "pools" {
		obj["loadbalancers"] = []any{map[string]any{"id": lbID}}
	}
	if coll == "healthmonitors" {
		obj["pools"] = []any{map[string]any{"id": req["pool_id"]}}
	}
	id := f.putLocked(coll, obj)
	if coll == "healthmonitors" {
		f.objs["pools"][fmt.Sprint(req["pool_id"])]["healthmonitor_id"] = id
	}
	writeJSON(w, http.StatusCreated, map[string]any{root(coll): view(obj)})
}

func (f *fakeOctavia) update(w http.ResponseWriter, coll, id string, body []byte) {
	obj := f.objs[coll][id]
	if obj == nil {
		writeFault(w, http.StatusNotFound, root(coll)+" "+id+" not found.")
		return
	}
	var env map[string]map[string]any
	if err := json.Unmarshal(body, &env); err != nil {
		writeFault(w, http.StatusBadRequest, err.Error())
		return
	}
	lbID := id
	if coll != "loadbalancers" {
		lbID = fmt.Sprint(obj["_lb"])
	}
	if !f.lockLB(w, lbID, func() { obj["provisioning_status"] = "ACTIVE" }) {
		return
	}
	for k, v := range env[root(coll)] {
		obj[k] = v
	}
	if coll != "loadbalancers" {
		obj["provisioning_status"] = "PENDING_UPDATE"
	}
	writeJSON(w, http.StatusOK, map[string]any{root(coll): view(obj)})
}

func (f *fakeOctavia) remove(w http.ResponseWriter, coll, id string) {
	obj := f.objs[coll][id]
	if obj == nil {
		writeFault(w, http.StatusNotFound, root(coll)+" "+id+" not found.")
		return
	}
	if coll == "loadbalancers" {
		st := obj["provisioning_status"]
		if st != "ACTIVE" && st != "ERROR" {
			f.conflicts.Add(1)
			writeFault(w, http.StatusConflict, fmt.Sprintf("Invalid state %v of loadbalancer resource %s", st, id))
			return
		}
		obj["provisioning_status"] = "PENDING_DELETE"
		f.accepted.Add(1)
		time.AfterFunc(f.settle, func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			delete(f.objs[coll], id)
		})
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if !f.lockLB(w, fmt.Sprint(obj["_lb"]), func() { delete(f.objs[coll], id) }) {
		return
	}
	obj["provisioning_status"] = "PENDING_DELETE"
	w.WriteHeader(http.StatusNoContent)
}

func (f *fakeOctavia) batch(w http.ResponseWriter, poolID string) {
	if !f.lockLB(w, fmt.Sprint(f.objs["pools"][poolID]["_lb"]), nil) {
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (f *fakeOctavia) statusTree(w http.ResponseWriter, id string) {
	o := f.objs["loadbalancers"][id]
	if o == nil {
		writeFault(w, http.StatusNotFound, "Load Balancer "+id+" not found.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"statuses": map[string]any{"loadbalancer": map[string]any{
		"id": id, "name": o["name"], "provisioning_status": o["provisioning_status"], "operating_status": "ONLINE",
		"listeners": []any{map[string]any{"id": "l1", "name": "", "provisioning_status": "ACTIVE", "operating_status": "ONLINE",
			"pools": []any{map[string]any{"id": "p1", "name": "", "provisioning_status": "ACTIVE", "operating_status": "ONLINE",
				"health_monitor": map[string]any{"id": "h1", "name": "", "type": "HTTP", "provisioning_status": "ACTIVE", "operating_status": "ONLINE"},
				"members": []any{map[string]any{"id": "m1", "name": "", "provisioning_status": "ACTIVE", "operating_status": "ONLINE",
					"address": "192.0.2.10", "protocol_port": 80}}}}}},
	}}})
}

// record runs the default behaviour into a recorder (the object is made)
// and returns the recorded answer.
func (f *fakeOctavia) record(r *http.Request, body []byte) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	f.handle(rec, r2, body)
	return rec
}
