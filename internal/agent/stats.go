package agent

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// StatRow is one row of HAProxy's `show stat`: a frontend, a backend, a
// server (a member) or a listener. Field names follow HAProxy's CSV header
// (management guide §9.1); numbers that HAProxy leaves empty are 0.
type StatRow struct {
	PxName string `json:"pxname"`
	SvName string `json:"svname"`
	// Type is 0 frontend, 1 backend, 2 server, 3 listener.
	Type   int    `json:"type"`
	Status string `json:"status"`
	Mode   string `json:"mode,omitempty"`
	Addr   string `json:"addr,omitempty"`

	Qcur   int64 `json:"qcur"`
	Scur   int64 `json:"scur"`
	Smax   int64 `json:"smax"`
	Slim   int64 `json:"slim"`
	Stot   int64 `json:"stot"`
	Bin    int64 `json:"bin"`
	Bout   int64 `json:"bout"`
	Dreq   int64 `json:"dreq"`
	Dresp  int64 `json:"dresp"`
	Ereq   int64 `json:"ereq"`
	Econ   int64 `json:"econ"`
	Eresp  int64 `json:"eresp"`
	Wretr  int64 `json:"wretr"`
	Wredis int64 `json:"wredis"`

	Weight   int64 `json:"weight"`
	Act      int64 `json:"act"`
	Bck      int64 `json:"bck"`
	ChkFail  int64 `json:"chkfail"`
	ChkDown  int64 `json:"chkdown"`
	LastChg  int64 `json:"lastchg"`
	Downtime int64 `json:"downtime"`
	LbTot    int64 `json:"lbtot"`
	Rate     int64 `json:"rate"`
	ReqRate  int64 `json:"req_rate"`
	ReqTot   int64 `json:"req_tot"`
	ConnTot  int64 `json:"conn_tot"`

	Hrsp1xx   int64 `json:"hrsp_1xx"`
	Hrsp2xx   int64 `json:"hrsp_2xx"`
	Hrsp3xx   int64 `json:"hrsp_3xx"`
	Hrsp4xx   int64 `json:"hrsp_4xx"`
	Hrsp5xx   int64 `json:"hrsp_5xx"`
	HrspOther int64 `json:"hrsp_other"`

	CheckStatus   string `json:"check_status,omitempty"`
	CheckCode     string `json:"check_code,omitempty"`
	CheckDuration string `json:"check_duration,omitempty"`
	LastChk       string `json:"last_chk,omitempty"`
}

// Row types of StatRow.Type.
const (
	StatTypeFrontend = 0
	StatTypeBackend  = 1
	StatTypeServer   = 2
	StatTypeListener = 3
)

// parseShowStat parses the CSV output of `show stat`.
func parseShowStat(out []byte) ([]StatRow, error) {
	out = bytes.TrimLeft(out, "\n")
	hdr, ok := bytes.CutPrefix(out, []byte("# "))
	if !ok {
		return nil, fmt.Errorf("unexpected show stat output: %q", truncate(string(out), 200))
	}
	r := csv.NewReader(bytes.NewReader(hdr))
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("show stat header: %w", err)
	}
	col := make(map[string]int, len(header))
	for i, h := range header {
		if h != "" {
			col[h] = i
		}
	}
	for _, need := range []string{"pxname", "svname", "status"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("show stat header lacks %q", need)
		}
	}
	var rows []StatRow
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("show stat: %w", err)
		}
		if len(rec) == 1 && rec[0] == "" {
			continue
		}
		str := func(name string) string {
			i, ok := col[name]
			if !ok || i >= len(rec) {
				return ""
			}
			return rec[i]
		}
		num := func(name string) int64 {
			n, _ := strconv.ParseInt(str(name), 10, 64)
			return n
		}
		rows = append(rows, StatRow{
			PxName: str("pxname"), SvName: str("svname"), Type: int(num("type")),
			Status: str("status"), Mode: str("mode"), Addr: str("addr"),
			Qcur: num("qcur"), Scur: num("scur"), Smax: num("smax"), Slim: num("slim"), Stot: num("stot"),
			Bin: num("bin"), Bout: num("bout"), Dreq: num("dreq"), Dresp: num("dresp"),
			Ereq: num("ereq"), Econ: num("econ"), Eresp: num("eresp"), Wretr: num("wretr"), Wredis: num("wredis"),
			Weight: num("weight"), Act: num("act"), Bck: num("bck"), ChkFail: num("chkfail"), ChkDown: num("chkdown"),
			LastChg: num("lastchg"), Downtime: num("downtime"), LbTot: num("lbtot"), Rate: num("rate"),
			ReqRate: num("req_rate"), ReqTot: num("req_tot"), ConnTot: num("conn_tot"),
			Hrsp1xx: num("hrsp_1xx"), Hrsp2xx: num("hrsp_2xx"), Hrsp3xx: num("hrsp_3xx"),
			Hrsp4xx: num("hrsp_4xx"), Hrsp5xx: num("hrsp_5xx"), HrspOther: num("hrsp_other"),
			CheckStatus: str("check_status"), CheckCode: str("check_code"),
			CheckDuration: str("check_duration"), LastChk: str("last_chk"),
		})
	}
	return rows, nil
}

// maxSocketReply bounds what the agent reads from an HAProxy socket.
const maxSocketReply = 32 << 20

// socketCommand sends one command to an HAProxy CLI socket (stats or
// master) in non-interactive mode and returns the whole reply; HAProxy
// closes the connection after replying.
func socketCommand(ctx context.Context, path, command string) ([]byte, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	dl, _ := ctx.Deadline()
	if err := conn.SetDeadline(dl); err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := io.WriteString(conn, command+"\n"); err != nil {
		return nil, err
	}
	// The master CLI answers only once the client has finished writing.
	if uc, ok := conn.(*net.UnixConn); ok {
		if err := uc.CloseWrite(); err != nil {
			return nil, err
		}
	}
	out, err := io.ReadAll(io.LimitReader(conn, maxSocketReply))
	if err != nil {
		return out, err
	}
	return out, nil
}

func truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
