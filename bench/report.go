package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// row is one line of the table: an item of issue 7, the figure measured, its
// value as printed and, for machines, as a number with a unit.
type row struct {
	Item   int      `json:"item"`
	Figure string   `json:"figure"`
	Value  string   `json:"value"`
	Number *float64 `json:"number,omitempty"`
	Unit   string   `json:"unit,omitempty"`
	Notes  string   `json:"notes,omitempty"`
}

// machineFacts are printed above the table: figures mean little without them.
type machineFacts struct {
	Host      string `json:"host"`
	Kernel    string `json:"kernel"`
	CPU       string `json:"cpu"`
	NProc     int    `json:"nproc"`
	MemTotal  string `json:"mem_total"`
	LoadStart string `json:"loadavg_start"`
	LoadEnd   string `json:"loadavg_end,omitempty"`
	Go        string `json:"go"`
	HAProxy   string `json:"haproxy"`
	Wrk       string `json:"wrk"`
	Terraform string `json:"terraform"`
}

// report is the whole run, as written to bench/results/<timestamp>.json.
type report struct {
	Started     time.Time    `json:"started"`
	WallSeconds float64      `json:"wall_seconds"`
	Args        []string     `json:"args"`
	Quick       bool         `json:"quick"`
	Machine     machineFacts `json:"machine"`
	Rows        []row        `json:"rows"`
}

// ms makes a row whose value is a duration in milliseconds.
func ms(item int, figure string, d time.Duration, notes string) row {
	v := float64(d.Microseconds()) / 1000
	return row{Item: item, Figure: figure, Value: fmtMS(d), Number: &v, Unit: "ms", Notes: notes}
}

// num makes a row whose value is a number with a unit.
func num(item int, figure string, v float64, unit, notes string) row {
	value := strconv.FormatFloat(v, 'f', decimals(v), 64)
	if unit != "" && unit != "ratio" {
		value += " " + unit
	}
	return row{Item: item, Figure: figure, Value: value, Number: &v, Unit: unit, Notes: notes}
}

// text makes a row without a number (a figure that was not measured says why).
func text(item int, figure, value, notes string) row {
	return row{Item: item, Figure: figure, Value: value, Notes: notes}
}

func decimals(v float64) int {
	switch a := math.Abs(v); {
	case a == math.Trunc(a) || a >= 1000:
		return 0
	case a >= 10:
		return 1
	default:
		return 2
	}
}

// fmtMS prints a duration in milliseconds, or in seconds from 10 s on.
func fmtMS(d time.Duration) string {
	if d >= 10*time.Second {
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	}
	v := float64(d.Microseconds()) / 1000
	return strconv.FormatFloat(v, 'f', decimals(v), 64) + " ms"
}

// percentile is the nearest-rank percentile p (0–100) of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// writeMarkdown prints the machine facts and the table.
func writeMarkdown(w io.Writer, r *report) {
	m := r.Machine
	fmt.Fprintf(w, "## make bench — %s (wall %s%s)\n\n", r.Started.UTC().Format(time.RFC3339),
		(time.Duration(r.WallSeconds * float64(time.Second))).Round(time.Second), map[bool]string{true: ", -quick", false: ""}[r.Quick])
	fmt.Fprintf(w, "- machine: %s, %d CPUs (%s), %s RAM, kernel %s\n", m.Host, m.NProc, m.CPU, m.MemTotal, m.Kernel)
	fmt.Fprintf(w, "- load average: %s at start, %s at end (other work on this machine skews every figure: compare ratios taken in one run)\n", m.LoadStart, m.LoadEnd)
	fmt.Fprintf(w, "- %s; %s; %s; %s\n\n", m.HAProxy, m.Wrk, m.Terraform, m.Go)
	fmt.Fprintln(w, "| item | figure | value | notes |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, x := range r.Rows {
		fmt.Fprintf(w, "| %d | %s | %s | %s |\n", x.Item, cell(x.Figure), cell(x.Value), cell(x.Notes))
	}
}

func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

// writeJSON writes the report to dir/<timestamp>.json and returns the path.
func writeJSON(dir string, r *report) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil { //nolint:gosec // results are meant to be read.
		return "", err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, r.Started.UTC().Format("20060102T150405Z")+".json")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil { //nolint:gosec // results are meant to be read.
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// gatherMachine reads the facts of this machine and of the tools it runs.
func gatherMachine() machineFacts {
	m := machineFacts{NProc: runtime.NumCPU(), Go: runtime.Version(), LoadStart: loadAvg()}
	m.Host, _ = os.Hostname()
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	m.CPU = procField("/proc/cpuinfo", "model name")
	if kb, err := strconv.ParseFloat(strings.TrimSuffix(procField("/proc/meminfo", "MemTotal"), " kB"), 64); err == nil {
		m.MemTotal = fmt.Sprintf("%.1f GiB", kb/(1<<20))
	}
	m.HAProxy = firstLine("haproxy", "-v")
	m.Wrk = firstLine("wrk", "--version")
	m.Terraform = firstLine("terraform", "version")
	return m
}

// firstLine is the first line a tool prints for its version ("name: not
// installed" when it is missing).
func firstLine(name string, args ...string) string {
	path, err := lookTool(name)
	if err != nil {
		return name + ": not installed"
	}
	// A short fixed timeout: these print their version and exit.
	cmd := exec.Command(path, args...) //nolint:noctx // bounded by the timer below.
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null", "CHECKPOINT_DISABLE=1")
	out, _ := runBounded(cmd, 10*time.Second)
	line, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
	line = strings.TrimSpace(line)
	if name == "wrk" {
		line, _, _ = strings.Cut(line, " Copyright")
	}
	if name == "haproxy" {
		line, _, _ = strings.Cut(line, " - https")
	}
	return line
}

// runBounded runs cmd with its combined output captured and kills it after d.
func runBounded(cmd *exec.Cmd, d time.Duration) (string, error) {
	var buf strings.Builder
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return buf.String(), err
	case <-time.After(d):
		_ = cmd.Process.Kill()
		err := <-done // before reading buf: Wait ends the copying
		return buf.String(), fmt.Errorf("%s: killed after %s: %w", cmd.Path, d, err)
	}
}

// lookTool finds a command on PATH or in /usr/sbin (haproxy lives there).
func lookTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	p := filepath.Join("/usr/sbin", name)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s is not installed (apt-get install %s)", name, name)
}

// procField returns the value of the first "key: value" line of a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return "?"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

// loadAvg is the three load averages of /proc/loadavg.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
