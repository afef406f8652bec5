package agent

import (
	"bufio"
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
)

// maxSocketPath bounds UNIX socket paths handed to HAProxy: sun_path holds
// 108 bytes and HAProxy binds through "<path>.<pid>.tmp" before renaming.
const maxSocketPath = 94

// statsSockets returns the UNIX paths of the `stats socket` lines of an
// HAProxy configuration, after the `unix-bind prefix` if any. An address that
// is not a plain UNIX path (TCP, abstract, fd@, environment variables) is an
// error: the agent could not tell where it points.
func statsSockets(cfg []byte) ([]string, error) {
	var prefix string
	var raw []string
	sc := bufio.NewScanner(bytes.NewReader(cfg))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		f := configWords(sc.Text())
		switch {
		case len(f) >= 2 && f[0] == "stats" && f[1] == "socket":
			if len(f) < 3 {
				return nil, fmt.Errorf("line %d: stats socket without an address", line)
			}
			raw = append(raw, f[2])
		case len(f) >= 1 && f[0] == "unix-bind":
			for i := 1; i+1 < len(f); i++ {
				if f[i] == "prefix" {
					prefix = f[i+1]
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	paths := make([]string, 0, len(raw))
	for _, addr := range raw {
		p, err := unixPath(addr)
		if err != nil {
			return nil, err
		}
		paths = append(paths, prefix+p)
	}
	return paths, nil
}

func unixPath(addr string) (string, error) {
	p := addr
	for _, pre := range []string{"unix@", "uxst@"} {
		if rest, ok := strings.CutPrefix(p, pre); ok {
			p = rest
			break
		}
	}
	if strings.ContainsAny(p, "$\\\"'") {
		return "", fmt.Errorf("stats socket %q: quoting and variables are not supported here", addr)
	}
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("stats socket %q is not an absolute UNIX socket path", addr)
	}
	return p, nil
}

// configWords splits an HAProxy configuration line into words, dropping a
// trailing comment. It does not interpret quotes: callers refuse words that
// contain them.
func configWords(line string) []string {
	f := strings.Fields(line)
	for i, w := range f {
		if strings.HasPrefix(w, "#") {
			return f[:i]
		}
	}
	return f
}

// checkStatsSocket enforces the state_dir contract on a configuration: at
// least one stats socket, every stats socket a UNIX path under stateDir and
// short enough to bind. It returns the cleaned paths; the first is the one
// the agent reads statistics from.
func checkStatsSocket(cfg []byte, stateDir string) ([]string, error) {
	paths, err := statsSockets(cfg)
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("the configuration declares no stats socket; the agent needs one under %s (e.g. \"stats socket %s/<lb_id>.sock mode 600 level user\" in global)", stateDir, stateDir)
	}
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		clean := filepath.Clean(p)
		rel, err := filepath.Rel(stateDir, clean)
		if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, "../") {
			return nil, fmt.Errorf("stats socket %s is not under the agent's state_dir %s", p, stateDir)
		}
		if len(clean) > maxSocketPath {
			return nil, fmt.Errorf("stats socket path %s is longer than %d bytes", clean, maxSocketPath)
		}
		out = append(out, clean)
	}
	return out, nil
}
