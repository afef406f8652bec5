package agent

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// CheckError is a configuration that the binary itself refused.
type CheckError struct {
	Binary string
	Output string
}

func (e *CheckError) Error() string {
	return fmt.Sprintf("%s refused the configuration: %s", e.Binary, strings.TrimSpace(e.Output))
}

// CheckHAProxy validates the configuration file at path with `haproxy -c`,
// the same check the agent runs before any reload. A refused configuration is
// a *CheckError carrying HAProxy's own output; a binary that cannot be run is
// a plain error.
func CheckHAProxy(ctx context.Context, haproxyBin, path string) error {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, haproxyBin, "-c", "-f", path)
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	if err == nil {
		return nil
	}
	if _, ok := err.(*exec.ExitError); ok {
		return &CheckError{Binary: haproxyBin, Output: out.String()}
	}
	return fmt.Errorf("running %s -c: %w", haproxyBin, err)
}
