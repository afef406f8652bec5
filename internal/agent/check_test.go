package agent_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lbaas/terraform-provider-lbaas/internal/agent"
)

func haproxyBinary(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("haproxy")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/haproxy"); serr == nil {
			return "/usr/sbin/haproxy"
		}
		t.Fatalf("haproxy not found (install haproxy: apt-get install haproxy): %v", err)
	}
	return p
}

func TestCheckHAProxy(t *testing.T) {
	t.Parallel()
	bin := haproxyBinary(t)
	tests := []struct {
		name    string
		cfg     string
		wantErr string
	}{
		{
			name: "valid",
			cfg:  "defaults\n    mode http\n    timeout client 5s\n    timeout server 5s\n    timeout connect 5s\nfrontend f\n    bind 127.0.0.1:18080\n    default_backend b\nbackend b\n    server s1 127.0.0.1:18081\n",
		},
		{
			name:    "unknown keyword",
			cfg:     "frontend f\n    bind 127.0.0.1:18080\n    balance nonsense\n",
			wantErr: "balance only supports",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "haproxy.cfg")
			if err := os.WriteFile(path, []byte(tc.cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			err := agent.CheckHAProxy(context.Background(), bin, path)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckHAProxy: %v", err)
				}
				return
			}
			var ce *agent.CheckError
			if !errors.As(err, &ce) {
				t.Fatalf("want *CheckError, got %v", err)
			}
			if !strings.Contains(ce.Output, tc.wantErr) {
				t.Fatalf("output %q does not mention %q", ce.Output, tc.wantErr)
			}
		})
	}
}

func TestCheckHAProxyMissingBinary(t *testing.T) {
	t.Parallel()
	err := agent.CheckHAProxy(context.Background(), filepath.Join(t.TempDir(), "no-haproxy"), "/dev/null")
	var ce *agent.CheckError
	if err == nil || errors.As(err, &ce) {
		t.Fatalf("want a plain error for a missing binary, got %v", err)
	}
}
