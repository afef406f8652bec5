package haproxy

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// TestMain registers -update, which rewrites the golden configurations:
// go test ./internal/haproxy -update. The flag lives in the flag package's
// set rather than in a package variable of its own.
func TestMain(m *testing.M) {
	flag.Bool("update", false, "rewrite testdata/*.cfg from the renderer")
	flag.Parse()
	os.Exit(m.Run())
}

// updateGoldens reports whether -update was given.
func updateGoldens() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// The golden configurations are rendered with these directories; the
// haproxy -c run renders the same graph with temporary directories that hold
// real files, and checks that only the directories differ.
const (
	goldenStateDir = "/var/lib/lbaas/haproxy"
	goldenCertDir  = "/var/lib/lbaas/certs"
)

func goldenOptions() Options {
	return Options{
		StateDir: goldenStateDir,
		CertDir:  goldenCertDir,
		User:     "nobody",
		Group:    "nogroup",
		Daemon:   true,
		LogTargets: []LogTarget{
			{Address: "/run/rsyslog/octavia/log", Facility: "local0"},
			{Address: "/run/rsyslog/octavia/log", Facility: "local1", Level: "notice"},
		},
	}
}

// loadGraph reads testdata/<name>.json, an Octavia-style graph; unknown
// fields are errors so that a misspelt fixture cannot pass silently.
func loadGraph(t testing.TB, path string) *lb.LoadBalancer {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var l lb.LoadBalancer
	if err := dec.Decode(&l); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &l
}

// loadOptions returns goldenOptions overlaid with testdata/<name>.options.json
// when it exists (Go field names).
func loadOptions(t testing.TB, base string) Options {
	t.Helper()
	opts := goldenOptions()
	data, err := os.ReadFile(base + ".options.json")
	if os.IsNotExist(err) {
		return opts
	}
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&opts); err != nil {
		t.Fatalf("%s.options.json: %v", base, err)
	}
	return opts
}

func TestGolden(t *testing.T) {
	t.Parallel()
	graphs, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range graphs {
		if !strings.HasSuffix(g, ".options.json") {
			names = append(names, strings.TrimSuffix(filepath.Base(g), ".json"))
		}
	}
	if len(names) == 0 {
		t.Fatal("no testdata/*.json graphs")
	}
	// Every golden has its graph.
	cfgs, err := filepath.Glob(filepath.Join("testdata", "*.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cfgs {
		if _, err := os.Stat(strings.TrimSuffix(c, ".cfg") + ".json"); err != nil {
			t.Errorf("%s has no graph: %v", c, err)
		}
	}
	pki := newTestPKI(t)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			base := filepath.Join("testdata", name)
			l := loadGraph(t, base+".json")
			opts := loadOptions(t, base)
			got, err := Render(l, opts)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			again, err := Render(l, opts)
			if err != nil || again != got {
				t.Fatalf("Render is not deterministic (err %v)", err)
			}
			if updateGoldens() {
				if err := os.WriteFile(base+".cfg", []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(base + ".cfg")
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("Render(%s) differs from %s.cfg (go test -update rewrites it):\n%s", name, base, lineDiff(string(want), got))
			}

			// The same graph with real directories must be the golden with
			// the directories substituted, and HAProxy must accept it.
			dir := shortTempDir(t)
			checkOpts := opts
			checkOpts.StateDir = filepath.Join(dir, "state")
			checkOpts.CertDir = filepath.Join(dir, "certs")
			cfg, err := Render(l, checkOpts)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			subst := strings.NewReplacer(goldenStateDir, checkOpts.StateDir, goldenCertDir, checkOpts.CertDir).Replace(got)
			if cfg != subst {
				t.Fatalf("rendering with other directories changed more than the directories:\n%s", lineDiff(subst, cfg))
			}
			writeStateFile(t, checkOpts, l.ID)
			writeTLSFiles(t, l, checkOpts, pki)
			assertHAProxyAccepts(t, dir, "haproxy.cfg", cfg)
		})
	}
}

// lineDiff shows the lines of want and got that differ, by position.
func lineDiff(want, got string) string {
	w := strings.Split(want, "\n")
	g := strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want: %s\n  got:  %s\n", i+1, wl, gl)
		}
	}
	return b.String()
}
