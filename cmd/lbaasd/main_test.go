package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultDataDir(t *testing.T) {
	t.Parallel()
	tests := []struct {
		uid       int
		xdg, home string
		want      string
	}{
		{0, "/x", "/root", "/var/lib/lbaasd"},
		{1000, "/data", "/home/u", "/data/lbaasd"},
		{1000, "", "/home/u", "/home/u/.local/share/lbaasd"},
	}
	for _, tc := range tests {
		if got := defaultDataDir(tc.uid, tc.xdg, tc.home); got != tc.want {
			t.Errorf("defaultDataDir(%d, %q, %q) = %q, want %q", tc.uid, tc.xdg, tc.home, got, tc.want)
		}
	}
}

// TestSubnetsFromFlagsEnvAndConfigFile runs `lbaasd subnets` in-process with
// its settings from a flag, the environment and a YAML config file, in that
// order of precedence.
func TestSubnetsFromFlagsEnvAndConfigFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "lbaasd.yaml")
	if err := os.WriteFile(cfg, []byte("subnets:\n  subnet: 127.88.0.0/16\n  data-dir: "+filepath.Join(dir, "from-file")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run1 := func(args ...string) (string, int) {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
		if code != 0 {
			t.Logf("stderr: %s", errb.String())
		}
		return out.String(), code
	}

	out, code := run1("--config", cfg, "subnets")
	if code != 0 || !strings.Contains(out, " 127.88.0.0/16 lbaasd-local") {
		t.Fatalf("from the config file: code %d, out %q", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "from-file", "lbaasd.db")); err != nil {
		t.Fatalf("data dir from the config file not used: %v", err)
	}

	t.Setenv("LBAASD_SUBNET", "127.99.0.0/16")
	out, code = run1("--config", cfg, "subnets")
	if code != 0 || !strings.HasPrefix(strings.Fields(out)[1], "127.99.0.0/16") {
		t.Fatalf("the environment must win over the file: code %d, out %q", code, out)
	}
	out, code = run1("--config", cfg, "subnets", "--subnet", "127.66.0.0/16")
	if code != 0 || strings.Fields(out)[1] != "127.66.0.0/16" {
		t.Fatalf("the flag must win over the environment: code %d, out %q", code, out)
	}
	// Every subnet recorded so far is listed, the default first.
	if strings.Count(out, "lbaasd-local") != 3 {
		t.Fatalf("want 3 subnets listed, got %q", out)
	}

	if _, code := run1("serve", "--log-level", "loud"); code != 2 {
		t.Fatalf("a bad flag value must exit 2, got %d", code)
	}
}
