package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/agent"
	"github.com/lbaas/terraform-provider-lbaas/internal/pki"
)

func noEnv(string) string { return "" }

func haproxyBinary(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("haproxy"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/haproxy"); err == nil {
		return "/usr/sbin/haproxy"
	}
	t.Fatal("haproxy not found (install haproxy: apt-get install haproxy)")
	return ""
}

func TestVersionAndUsage(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(t.Context(), []string{"version"}, &out, &out, noEnv); err != nil || !strings.HasPrefix(out.String(), "amphora-agent ") {
		t.Fatalf("version: %q, %v", out.String(), err)
	}
	for _, args := range [][]string{nil, {"nope"}, {"check"}, {"serve"}, {"serve", "--data-dir", "/x"}, {"serve", "--bogus"}} {
		var ue usageError
		if err := run(t.Context(), args, &out, &out, noEnv); !errors.As(err, &ue) {
			t.Errorf("run(%q): want a usage error, got %v", args, err)
		}
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	bin := haproxyBinary(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.cfg")
	bad := filepath.Join(dir, "bad.cfg")
	os.WriteFile(good, []byte("defaults\n    mode http\n    timeout client 5s\n    timeout server 5s\n    timeout connect 5s\nfrontend f\n    bind 127.0.0.1:18080\n"), 0o600)
	os.WriteFile(bad, []byte("frontend f\n    bind 127.0.0.1:18080\n    balance nonsense\n"), 0o600)
	var out bytes.Buffer
	if err := run(t.Context(), []string{"check", "-haproxy", bin, "-f", good}, &out, &out, noEnv); err != nil {
		t.Fatalf("good config: %v", err)
	}
	var ce *agent.CheckError
	if err := run(t.Context(), []string{"check", "-haproxy", bin, "-f", bad}, &out, &out, noEnv); !errors.As(err, &ce) {
		t.Fatalf("bad config: want *CheckError, got %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for the agent's logger and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServe runs serve configured from the environment, calls it over
// mutual TLS, and stops it by cancelling its context (what SIGTERM does).
func TestServe(t *testing.T) {
	t.Parallel()
	bin := haproxyBinary(t)
	dir := t.TempDir()
	ca, err := pki.LoadOrCreateCA(filepath.Join(dir, "ca"))
	if err != nil {
		t.Fatal(err)
	}
	const amp = "amp-serve-test"
	cert, key, err := ca.IssueServer(amp, []net.IP{net.ParseIP("127.0.0.1")}, nil, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ccert, ckey, err := ca.IssueClient("controller", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"cert.pem": cert, "key.pem": key, "ca.pem": ca.CertPEM()}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dataDir, err := os.MkdirTemp("", "agc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dataDir) })
	env := map[string]string{
		"AMPHORA_AGENT_DATA_DIR":   dataDir,
		"AMPHORA_AGENT_LISTEN":     "127.0.0.1:1", // overridden by the flag
		"AMPHORA_AGENT_AMPHORA_ID": amp,
		"AMPHORA_AGENT_CERT":       filepath.Join(dir, "cert.pem"),
		"AMPHORA_AGENT_KEY":        filepath.Join(dir, "key.pem"),
		"AMPHORA_AGENT_CA":         filepath.Join(dir, "ca.pem"),
		"AMPHORA_AGENT_HAPROXY":    bin,
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--listen", addr, "--log-level", "debug"}, logs, logs, func(k string) string { return env[k] })
	}()

	tc, err := agent.ClientTLSConfig(ccert, ckey, ca.Pool())
	if err != nil {
		t.Fatal(err)
	}
	c, err := agent.NewClient("https://"+addr, amp, tc)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var info agent.Info
	deadline := time.Now().Add(20 * time.Second)
	for {
		ictx, icancel := context.WithTimeout(context.Background(), 2*time.Second)
		info, err = c.Info(ictx)
		icancel()
		if err == nil || time.Now().After(deadline) {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited: %v\n%s", err, logs.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err != nil {
		t.Fatalf("agent never answered: %v\n%s", err, logs.String())
	}
	if info.AmphoraID != amp || info.StateDir != filepath.Join(dataDir, "run") {
		t.Fatalf("info %+v", info)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(logs.String(), "amphora agent stopped") {
		t.Fatalf("no shutdown log:\n%s", logs.String())
	}
}

func TestServeHeartbeatFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.key")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"serve", "--data-dir", dir, "--amphora-id", "a", "--cert", "c", "--key", "k", "--ca", "ca"}
	var out bytes.Buffer
	for _, extra := range [][]string{
		{"--heartbeat-key-file", empty},
		{"--controllers", "127.0.0.1:5555"},
		{"--heartbeat-interval", "0s", "--heartbeat-key-file", empty, "--controllers", "127.0.0.1:5555"},
		{"--heartbeat-interval", "soon"},
	} {
		var ue usageError
		if err := run(t.Context(), append(base, extra...), &out, &out, noEnv); !errors.As(err, &ue) {
			t.Errorf("serve %q: want a usage error, got %v", extra, err)
		}
	}
	err := run(t.Context(), append(base, "--heartbeat-key-file", empty, "--controllers", "127.0.0.1:5555"), &out, &out, noEnv)
	if err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("an empty key file: %v", err)
	}
}
