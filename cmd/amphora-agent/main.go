// Command amphora-agent runs on every amphora: it serves the agent REST API
// over mutual TLS, validates the configuration the controller pushes with the
// real HAProxy before switching to it, and runs HAProxy.
//
//	amphora-agent version
//	amphora-agent check [-haproxy PATH] -f haproxy.cfg
//	amphora-agent serve --data-dir DIR --listen 127.0.0.1:9443 --amphora-id ID \
//	    --cert FILE --key FILE --ca FILE [--haproxy PATH] [--log-level info] \
//	    [--heartbeat-key-file FILE --controllers HOST:PORT[,HOST:PORT...] [--heartbeat-interval 10s]]
//
// With a heartbeat key and controllers, serve also sends a heartbeat every
// interval (Octavia's format: statuses and counters of every listener, pool
// and member, signed with the key) to the next controller in turn.
//
// Every serve flag can also be given as an environment variable
// AMPHORA_AGENT_<FLAG> (upper case, '-' as '_', e.g. AMPHORA_AGENT_DATA_DIR);
// a flag wins over the variable. serve runs in the foreground and stops
// gracefully on SIGTERM or SIGINT, leaving HAProxy running: the next agent
// adopts it. Under systemd use KillMode=process so that stopping the agent
// does not kill HAProxy with it.
package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/agent"
)

// version is set by the release build with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "amphora-agent:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = "usage: amphora-agent version | check [-haproxy PATH] -f haproxy.cfg | serve --data-dir DIR --listen ADDR --amphora-id ID --cert FILE --key FILE --ca FILE [--haproxy PATH] [--log-level LEVEL] [--heartbeat-key-file FILE --controllers HOST:PORT,... [--heartbeat-interval DURATION]]"

// checkTimeout bounds the check subcommand's run of haproxy -c.
const checkTimeout = 30 * time.Second

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		return usageError{usage}
	}
	switch args[0] {
	case "version":
		_, err := fmt.Fprintln(stdout, "amphora-agent", version)
		return err
	case "check":
		fs := flag.NewFlagSet("check", flag.ContinueOnError)
		fs.SetOutput(stderr)
		file := fs.String("f", "", "the haproxy.cfg to validate")
		bin := fs.String("haproxy", "haproxy", "the haproxy binary")
		if err := fs.Parse(args[1:]); err != nil {
			return usageError{err.Error()}
		}
		if *file == "" {
			return usageError{usage}
		}
		cctx, cancel := context.WithTimeout(ctx, checkTimeout)
		defer cancel()
		if err := agent.CheckHAProxy(cctx, *bin, *file); err != nil {
			return err
		}
		_, err := fmt.Fprintln(stdout, "configuration valid")
		return err
	case "serve":
		return serve(ctx, args[1:], stderr, getenv)
	default:
		return usageError{fmt.Sprintf("unknown command %q: %s", args[0], usage)}
	}
}

// serveFlags are the serve options; each defaults to AMPHORA_AGENT_<NAME>.
type serveFlags struct {
	dataDir, listen, amphoraID, cert, key, ca, haproxy, logLevel string
	heartbeatKeyFile, controllers, heartbeatInterval             string
}

func serve(ctx context.Context, args []string, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv("AMPHORA_AGENT_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))); v != "" {
			return v
		}
		return def
	}
	var f serveFlags
	str := func(p *string, name, def, help string) {
		fs.StringVar(p, name, env(name, def), help+" (env AMPHORA_AGENT_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_"))+")")
	}
	str(&f.dataDir, "data-dir", "", "directory for configurations, revisions and HAProxy runtime files")
	str(&f.listen, "listen", "127.0.0.1:9443", "address of the HTTPS API")
	str(&f.amphoraID, "amphora-id", "", "this amphora's id; the server certificate must name it")
	str(&f.cert, "cert", "", "server certificate (PEM)")
	str(&f.key, "key", "", "server private key (PEM)")
	str(&f.ca, "ca", "", "CA certificate(s) (PEM) that sign controller client certificates")
	str(&f.haproxy, "haproxy", "haproxy", "the haproxy binary")
	str(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	str(&f.heartbeatKeyFile, "heartbeat-key-file", "", "file holding the key that signs heartbeats (HMAC-SHA256); needs --controllers")
	str(&f.controllers, "controllers", "", "comma-separated UDP addresses (host:port) of the controllers' health managers, sent to in turn")
	str(&f.heartbeatInterval, "heartbeat-interval", "10s", "how often a heartbeat is sent")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected arguments %q: %s", fs.Args(), usage)}
	}
	var missing []string
	for _, m := range []struct{ name, v string }{
		{"--data-dir", f.dataDir}, {"--amphora-id", f.amphoraID}, {"--cert", f.cert}, {"--key", f.key}, {"--ca", f.ca},
	} {
		if m.v == "" {
			missing = append(missing, m.name)
		}
	}
	if len(missing) > 0 {
		return usageError{fmt.Sprintf("serve: missing %s: %s", strings.Join(missing, ", "), usage)}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return usageError{fmt.Sprintf("serve: --log-level: %v", err)}
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	interval, err := time.ParseDuration(f.heartbeatInterval)
	if err != nil || interval <= 0 {
		return usageError{fmt.Sprintf("serve: --heartbeat-interval %q: a positive duration, e.g. 10s", f.heartbeatInterval)}
	}
	var targets []string
	for _, t := range strings.Split(f.controllers, ",") {
		if t = strings.TrimSpace(t); t != "" {
			targets = append(targets, t)
		}
	}
	if (f.heartbeatKeyFile == "") != (len(targets) == 0) {
		return usageError{"serve: --heartbeat-key-file and --controllers go together"}
	}
	var hbKey []byte
	if f.heartbeatKeyFile != "" {
		b, err := os.ReadFile(f.heartbeatKeyFile)
		if err != nil {
			return err
		}
		if hbKey = bytes.TrimRight(b, "\r\n"); len(hbKey) == 0 {
			return fmt.Errorf("serve: heartbeat key file %s is empty", f.heartbeatKeyFile)
		}
	}

	certPEM, err := os.ReadFile(f.cert)
	if err != nil {
		return err
	}
	keyPEM, err := os.ReadFile(f.key)
	if err != nil {
		return err
	}
	caPEM, err := os.ReadFile(f.ca)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return fmt.Errorf("serve: no certificate in %s", f.ca)
	}
	srv, err := agent.New(agent.Config{
		AmphoraID:  f.amphoraID,
		DataDir:    f.dataDir,
		HAProxyBin: f.haproxy,
		ListenAddr: f.listen,
		CertPEM:    certPEM,
		KeyPEM:     keyPEM,
		ClientCAs:  pool,
		Logger:     logger,

		HeartbeatKey:      hbKey,
		HeartbeatTargets:  targets,
		HeartbeatInterval: interval,
	})
	if err != nil {
		return err
	}
	return srv.Run(ctx)
}
