package agent

import (
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// showStat is real `show stat` output of HAProxy 2.6.12, cut to the columns
// that matter plus an unknown one.
const showStat = `# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,addr,mode,future_column,
fe,FRONTEND,,,1,3,9980,12,2400,3600,0,0,1,,,,,OPEN,,,,,,,,,1,2,0,,,,0,5,0,7,,,,0,40,0,2,0,0,,3,9,42,,,,http,x,
be,s1,0,0,0,1,,40,1000,2000,,0,,0,0,0,0,UP,1,1,0,0,0,10,0,,1,3,1,,40,,2,1,,3,L7OK,200,1,0,40,0,0,0,0,,,,,0,0,127.0.0.1:8080,http,y,
be,BACKEND,0,0,0,1,998,40,1000,2000,0,0,,0,0,0,0,UP,1,1,0,,0,10,0,,1,3,0,,40,,1,1,,3,,,,0,40,0,0,0,0,,,,40,0,0,,http,z,

`

func TestParseShowStat(t *testing.T) {
	t.Parallel()
	rows, err := parseShowStat([]byte(showStat))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("got %d rows, want 3", len(rows))
	}
	fe, srv := rows[0], rows[1]
	if fe.PxName != "fe" || fe.SvName != "FRONTEND" || fe.Type != StatTypeFrontend || fe.Status != "OPEN" {
		t.Errorf("frontend row %+v", fe)
	}
	if fe.Stot != 12 || fe.Scur != 1 || fe.Ereq != 1 || fe.ReqTot != 42 || fe.Hrsp2xx != 40 || fe.Hrsp4xx != 2 || fe.Bin != 2400 {
		t.Errorf("frontend counters %+v", fe)
	}
	if srv.Type != StatTypeServer || srv.Status != "UP" || srv.CheckStatus != "L7OK" || srv.CheckCode != "200" ||
		srv.Stot != 40 || srv.Addr != "127.0.0.1:8080" || srv.Weight != 1 || srv.Mode != "http" {
		t.Errorf("server row %+v", srv)
	}
	for _, bad := range []string{"", "Unknown command\n", "# foo,bar\n1,2\n"} {
		if _, err := parseShowStat([]byte(bad)); err == nil {
			t.Errorf("parseShowStat(%q) succeeded", bad)
		}
	}
}

func TestParseShowProc(t *testing.T) {
	t.Parallel()
	out := "#<PID>          <type>          <reloads>       <uptime>        <version>      \n" +
		"19960           master          2 [failed: 1]   0d00h00m04s     2.6.12-1+deb12u4\n" +
		"# workers\n" +
		"19994           worker          0               0d00h00m01s     2.6.12-1+deb12u4\n" +
		"19961           worker          1               0d00h00m03s     2.6.12-1+deb12u4\n" +
		"# programs\n\n"
	mp, err := parseShowProc([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if mp.pid != 19960 || mp.reloads != 2 || mp.failed != 1 || len(mp.workers) != 2 ||
		mp.workers[0] != (workerProc{pid: 19994, reloads: 0}) || mp.workers[1].reloads != 1 {
		t.Fatalf("parsed %+v", mp)
	}
	if _, err := parseShowProc([]byte("Unknown command.\n")); err == nil {
		t.Fatal("garbage accepted")
	}
}

func TestCheckStatsSocket(t *testing.T) {
	t.Parallel()
	const dir = "/var/lib/agent/run"
	tests := []struct {
		name, cfg, want, wantErr string
	}{
		{"plain", "global\n    stats socket /var/lib/agent/run/lb1.sock mode 600 level user\n", dir + "/lb1.sock", ""},
		{"unix prefix and comment", "global # g\n  stats socket unix@/var/lib/agent/run/x/../lb1.sock # c\n", dir + "/lb1.sock", ""},
		{"first of two", "global\n stats socket /var/lib/agent/run/a.sock\n stats socket /var/lib/agent/run/b.sock\n", dir + "/a.sock", ""},
		{"unix-bind prefix", "global\n unix-bind prefix /var/lib/agent/run/\n stats socket /lb.sock\n", dir + "/lb.sock", ""},
		{"commented out only", "global\n # stats socket /var/lib/agent/run/lb1.sock\n", "", "no stats socket"},
		{"missing", "global\n  maxconn 10\n", "", "no stats socket"},
		{"outside", "global\n stats socket /tmp/lb1.sock\n", "", "not under the agent's state_dir"},
		{"escape", "global\n stats socket /var/lib/agent/run/../lb1.sock\n", "", "not under"},
		{"dir itself", "global\n stats socket /var/lib/agent/run\n", "", "not under"},
		{"sibling prefix", "global\n stats socket /var/lib/agent/run2/lb.sock\n", "", "not under"},
		{"second outside", "global\n stats socket /var/lib/agent/run/a.sock\n stats socket /tmp/b.sock\n", "", "not under"},
		{"tcp", "global\n stats socket 127.0.0.1:9999\n", "", "not an absolute UNIX socket path"},
		{"ipv4@", "global\n stats socket ipv4@127.0.0.1:9999\n", "", "not an absolute"},
		{"variable", "global\n stats socket ${DIR}/lb.sock\n", "", "variables"},
		{"no address", "global\n stats socket\n", "", "without an address"},
		{"too long", "global\n stats socket /var/lib/agent/run/" + strings.Repeat("x", 80) + ".sock\n", "", "longer than"},
	}
	for _, tc := range tests {
		got, err := checkStatsSocket([]byte(tc.cfg), dir)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got[0] != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestStoreKeepsCurrentAndPrevious(t *testing.T) {
	t.Parallel()
	f := lbFiles{dir: filepath.Join(t.TempDir(), "lb1")}
	if rev, _, err := f.current(); err != nil || rev != 0 {
		t.Fatalf("empty store: rev %d, %v", rev, err)
	}
	var prev int64
	for _, rev := range []int64{1, 2, 7} {
		in, err := f.writeIncoming([]byte("rev " + string(rune('0'+rev))))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.commit(in, rev, prev); err != nil {
			t.Fatal(err)
		}
		prev = rev
	}
	// A stale upload is cleaned by the next commit.
	if _, err := f.writeIncoming([]byte("stale")); err != nil {
		t.Fatal(err)
	}
	in, err := f.writeIncoming([]byte("rev 8"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.commit(in, 8, 7); err != nil {
		t.Fatal(err)
	}
	rev, path, err := f.current()
	if err != nil || rev != 8 {
		t.Fatalf("current: %d, %v", rev, err)
	}
	if b, _ := os.ReadFile(path); string(b) != "rev 8" {
		t.Fatalf("current content %q", b)
	}
	if b, _ := os.ReadFile(f.cfgLink()); string(b) != "rev 8" {
		t.Fatalf("content through the link %q", b)
	}
	entries, err := os.ReadDir(f.revDir())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "7.cfg,8.cfg" {
		t.Fatalf("revisions kept: %v, want 7.cfg,8.cfg", names)
	}

	st := lbState{Desired: DesiredRunning, MasterPID: 42, MasterStart: 7, LoadedRevision: 8}
	if err := f.saveState(st); err != nil {
		t.Fatal(err)
	}
	got, err := f.loadState()
	if err != nil || got != st {
		t.Fatalf("state round trip: %+v, %v", got, err)
	}
}

func TestReadAPIError(t *testing.T) {
	t.Parallel()
	resp := func(code int, body string) *http.Response {
		return &http.Response{StatusCode: code, Body: io.NopCloser(strings.NewReader(body))}
	}
	var ae *APIError
	err := readAPIError(resp(400, `{"message":"Invalid request","details":"[ALERT] bad"}`))
	if !errors.As(err, &ae) || ae.StatusCode != 400 || ae.Message != "Invalid request" || ae.Details != "[ALERT] bad" {
		t.Fatalf("got %#v", err)
	}
	err = readAPIError(resp(409, `{"message":"Conflict","details":{"x":1}}`))
	if !errors.As(err, &ae) || ae.Details != `{"x":1}` {
		t.Fatalf("got %#v", err)
	}
	err = readAPIError(resp(404, "<html>not ready</html>"))
	if !errors.As(err, &ae) || ae.StatusCode != 404 || ae.Message != "Not Found" || !strings.Contains(ae.Details, "not ready") {
		t.Fatalf("got %#v", err)
	}
}

func TestValidLBID(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]bool{
		"01197be7-98d5-440d-a846-cd70f52dc503": true,
		"lb_1":                                 true,
		"":                                     false,
		"..":                                   false,
		"-x":                                   false,
		"a/b":                                  false,
		"a.b":                                  false,
		strings.Repeat("a", 65):                false,
	} {
		if got := ValidLBID(id); got != want {
			t.Errorf("ValidLBID(%q) = %v, want %v", id, got, want)
		}
	}
}
