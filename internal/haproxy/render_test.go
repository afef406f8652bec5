package haproxy

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

func TestRenderReturnsValidationErrorsUnchanged(t *testing.T) {
	t.Parallel()
	if _, err := Render(nil, Options{}); err == nil {
		t.Error("Render(nil) succeeded")
	}
	for name, mutate := range map[string]func(*lb.LoadBalancer){
		"ValidateGraph": func(l *lb.LoadBalancer) { l.Listeners[0].Protocol = "GOPHER" },
		"SupportedByAmphora": func(l *lb.LoadBalancer) {
			l.Pools[0].LBAlgorithm = lb.AlgorithmSourceIPPort
		},
	} {
		l := loadGraph(t, filepath.Join("testdata", "seed004_beispiel.json"))
		mutate(l)
		want := lb.ValidateGraph(l)
		if want == nil {
			want = lb.SupportedByAmphora(l)
		}
		if want == nil {
			t.Fatalf("%s: the mutated graph is valid", name)
		}
		_, err := Render(l, Options{})
		var lbErr *lb.Error
		if !errors.As(err, &lbErr) || !reflect.DeepEqual(err, want) {
			t.Errorf("%s: Render error %#v, want %#v", name, err, want)
		}
		if _, err := TLSFiles(l, Options{}); !reflect.DeepEqual(err, want) {
			t.Errorf("%s: TLSFiles error %#v, want %#v", name, err, want)
		}
	}
}

func TestRenderDoesNotChangeTheGraph(t *testing.T) {
	t.Parallel()
	l := loadGraph(t, filepath.Join("testdata", "members.json"))
	// Drop the defaults SetDefaults would fill, so that a Render that
	// modified the graph would show.
	l.Pools[0].HealthMonitor.HTTPMethod = ""
	l.Pools[0].HealthMonitor.MaxRetriesDown = 0
	before, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Render(l, Options{})
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	after, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Error("Render changed the graph")
	}
	if !strings.Contains(cfg, "http-check send meth GET uri") || !strings.Contains(cfg, " fall 3 ") {
		t.Errorf("health monitor defaults not applied:\n%s", cfg)
	}
}

func TestRenderRefusesWhatHAProxyWould(t *testing.T) {
	t.Parallel()
	l := loadGraph(t, filepath.Join("testdata", "seed004_beispiel.json"))
	if _, err := Render(l, Options{StateDir: "/" + strings.Repeat("d", 60)}); err == nil || !strings.Contains(err.Error(), "stats socket path") {
		t.Errorf("a 97+ byte stats socket path: got %v", err)
	}

	l.Pools[0].HealthMonitor.Delay = 0
	if _, err := Render(l, Options{}); err == nil {
		t.Error("a health monitor with delay 0 rendered (HAProxy refuses inter 0)")
	}

	l = loadGraph(t, filepath.Join("testdata", "seed004_beispiel.json"))
	l.VIPAddress = ""
	if cfg, err := Render(l, Options{}); err == nil {
		t.Errorf("a load balancer without VIP address rendered:\n%s", cfg)
	}
	l = loadGraph(t, filepath.Join("testdata", "seed004_beispiel.json"))
	if _, err := Render(l, Options{User: "a\nb"}); err == nil {
		t.Error("a user name with a newline rendered")
	}
	if _, err := Render(l, Options{LogTargets: []LogTarget{{Address: "/dev/log"}}}); err == nil {
		t.Error("a log target without facility rendered")
	}
}

func TestTLSFiles(t *testing.T) {
	t.Parallel()
	l := loadGraph(t, filepath.Join("testdata", "tls_termination.json"))
	opts := Options{CertDir: "/c"}
	files, err := TLSFiles(l, opts)
	if err != nil {
		t.Fatal(err)
	}
	li, pool := l.Listeners[0], l.Pools[0]
	byPath := map[string]TLSFile{}
	for i, f := range files {
		if i > 0 && files[i-1].Path >= f.Path {
			t.Errorf("files not sorted or duplicated: %s, %s", files[i-1].Path, f.Path)
		}
		byPath[f.Path] = f
	}
	crtList := byPath[CrtListPath(opts, li.ID)]
	want := CertPath(opts, li.DefaultTLSContainerRef) + "\n" + CertPath(opts, li.SNIContainerRefs[0]) + "\n" +
		CertPath(opts, li.SNIContainerRefs[1]) + "\n"
	if crtList.Content != want || crtList.Ref != "" {
		t.Errorf("crt-list %+v, want content %q", crtList, want)
	}
	for _, ref := range []string{
		li.DefaultTLSContainerRef, li.SNIContainerRefs[0], li.SNIContainerRefs[1], li.ClientCATLSContainerRef,
		li.ClientCRLContainerRef, pool.TLSContainerRef, pool.CATLSContainerRef, pool.CRLContainerRef,
	} {
		if f := byPath[CertPath(opts, ref)]; f.Ref != ref || f.Content != "" {
			t.Errorf("file for %s: %+v", ref, f)
		}
	}
	// Both listeners' crt-lists, 3 listener certificates, client CA and CRL,
	// pool certificate, CA and CRL.
	if len(files) != 10 {
		t.Errorf("%d files, want 10: %+v", len(files), files)
	}
	cfg, err := Render(l, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Ref != "" && strings.Contains(f.Content, f.Path) {
			continue
		}
		if !strings.Contains(cfg, f.Path) && !strings.Contains(crtList.Content, f.Path) {
			t.Errorf("%s is listed but not used", f.Path)
		}
	}

	// A listener without TLS needs no file.
	plain := loadGraph(t, filepath.Join("testdata", "seed004_beispiel.json"))
	if files, err := TLSFiles(plain, opts); err != nil || len(files) != 0 {
		t.Errorf("TLSFiles(plain) = %v, %v", files, err)
	}
}
