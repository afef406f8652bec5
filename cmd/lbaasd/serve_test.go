package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestListenHealthKeepsItsPort checks that --health-listen with port 0
// takes the port of the previous run again (running amphorae send there),
// and records the address in the data dir.
func TestListenHealthKeepsItsPort(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pc, err := listenHealth(t.Context(), "127.0.0.1:0", dir)
	if err != nil {
		t.Fatal(err)
	}
	first := pc.LocalAddr().String()
	rec, err := os.ReadFile(filepath.Join(dir, healthAddrFile))
	if err != nil || strings.TrimSpace(string(rec)) != first {
		t.Fatalf("recorded %q, %v; want %s", rec, err, first)
	}
	pc.Close()
	pc, err = listenHealth(t.Context(), "127.0.0.1:0", dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := pc.LocalAddr().String(); got != first {
		t.Fatalf("second run listens on %s, want the first run's %s", got, first)
	}
	// Taken by someone else meanwhile: any free port.
	other, err := listenHealth(t.Context(), "127.0.0.1:0", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	defer pc.Close()
	if other.LocalAddr().String() == first {
		t.Fatal("two sockets on one port")
	}
	if _, err := listenHealth(t.Context(), "no-port", dir); err == nil {
		t.Fatal("an address without a port was accepted")
	}
}

func TestHeartbeatTarget(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{
		"127.0.0.1:5555": "127.0.0.1:5555",
		"0.0.0.0:5555":   "127.0.0.1:5555",
		"[::]:5555":      "[::1]:5555",
		"[::1]:7":        "[::1]:7",
		"10.1.2.3:5555":  "10.1.2.3:5555",
	} {
		ua, err := net.ResolveUDPAddr("udp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := heartbeatTarget(ua); got != want {
			t.Errorf("heartbeatTarget(%s) = %s, want %s", addr, got, want)
		}
	}
}

// TestCheckFailover refuses failover settings that cannot work.
func TestCheckFailover(t *testing.T) {
	t.Parallel()
	ok := serveCmd{
		HeartbeatInterval: time.Second, FailoverTimeout: time.Minute, FailoverMaxConcurrent: 2,
		FailoverStormMin: 3, FailoverStormFraction: 0.5, AgentCertValidity: 8760 * time.Hour,
		CertRotateBefore: 336 * time.Hour, PurgeDeletedAfter: 168 * time.Hour,
	}
	if err := ok.checkFailover(); err != nil {
		t.Fatalf("the defaults: %v", err)
	}
	disabled := ok
	disabled.FailoverTimeout, disabled.CertRotateBefore, disabled.PurgeDeletedAfter = 0, 0, 0
	if err := disabled.checkFailover(); err != nil {
		t.Fatalf("everything off: %v", err)
	}
	bad := []func(*serveCmd){
		func(s *serveCmd) { s.FailoverTimeout = -time.Second },
		func(s *serveCmd) { s.FailoverTimeout = time.Second },
		func(s *serveCmd) { s.FailoverMaxConcurrent = 0 },
		func(s *serveCmd) { s.FailoverStormMin = 0 },
		func(s *serveCmd) { s.FailoverStormFraction = 0 },
		func(s *serveCmd) { s.FailoverStormFraction = 1.5 },
		func(s *serveCmd) { s.AgentCertValidity = 0 },
		func(s *serveCmd) { s.CertRotateBefore = 5000 * time.Hour },
		func(s *serveCmd) { s.PurgeDeletedAfter = -time.Hour },
	}
	for i, tweak := range bad {
		s := ok
		tweak(&s)
		if err := s.checkFailover(); err == nil {
			t.Errorf("case %d: %+v accepted", i, s)
		}
	}
}

// TestFindAgentMakesARelativePathAbsolute: amphora agents run in their own
// directory, so a relative --agent-bin (bin/amphora-agent from the checkout)
// must be resolved against lbaasd's working directory once, at start.
func TestFindAgentMakesARelativePathAbsolute(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	agent := filepath.Join(dir, "bin", "amphora-agent")
	if err := os.WriteFile(agent, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	got, err := findAgent("bin/amphora-agent")
	if err != nil {
		t.Fatal(err)
	}
	if got != agent {
		t.Fatalf("findAgent(bin/amphora-agent) = %q, want %q", got, agent)
	}
}
