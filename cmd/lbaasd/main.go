// Command lbaasd is the standalone reconciler: it serves the Octavia v2 API
// and does Octavia's job with real HAProxy, through amphora agents.
//
//	lbaasd serve [--listen 127.0.0.1:9876] [--data-dir DIR] [--config FILE]
//	lbaasd subnets [--data-dir DIR]
//	lbaasd render -f graph.json
//	lbaasd version
//
// Every flag also reads an LBAASD_* environment variable and a key of the
// optional YAML config file (flags win over the environment, the environment
// over the file).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/alecthomas/kong"
	kongyaml "github.com/alecthomas/kong-yaml"
)

// version is set by the release build with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type cli struct {
	Config kong.ConfigFlag `help:"YAML file with defaults for the flags (keys are flag names)." env:"LBAASD_CONFIG" type:"existingfile"`

	Serve   serveCmd   `cmd:"" help:"Serve the Octavia v2 API and reconcile load balancers (foreground)."`
	Subnets subnetsCmd `cmd:"" help:"Print each local subnet as ID CIDR NAME, the default first."`
	Render  renderCmd  `cmd:"" help:"Validate a load balancer graph (Octavia JSON) and print its haproxy.cfg."`
	Version versionCmd `cmd:"" help:"Print the version."`
}

// env is what commands need from the process, so tests can run them in-process.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var c cli
	exit := -1
	parser, err := kong.New(&c,
		kong.Name("lbaasd"),
		kong.Description("lbaasd serves the Octavia v2 API and runs load balancers with real HAProxy."),
		kong.Configuration(envFirst(kongyaml.Loader)),
		kong.Vars{
			"default_data_dir": defaultDataDir(os.Getuid(), os.Getenv("XDG_DATA_HOME"), os.Getenv("HOME")),
			"default_project":  defaultProjectID,
		},
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { exit = code }),
	)
	if err != nil {
		fmt.Fprintln(stderr, "lbaasd:", err)
		return 2
	}
	kctx, err := parser.Parse(args)
	if exit >= 0 {
		return exit // --help
	}
	if err != nil {
		fmt.Fprintln(stderr, "lbaasd:", err)
		return 2
	}
	if err := kctx.Run(&env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}); err != nil {
		fmt.Fprintln(stderr, "lbaasd:", err)
		return 1
	}
	return 0
}

// defaultDataDir is /var/lib/lbaasd for root and $XDG_DATA_HOME/lbaasd
// (~/.local/share/lbaasd) for anyone else.
func defaultDataDir(uid int, xdgDataHome, home string) string {
	if uid == 0 {
		return "/var/lib/lbaasd"
	}
	if xdgDataHome == "" {
		xdgDataHome = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(xdgDataHome, "lbaasd")
}

type versionCmd struct{}

func (versionCmd) Run(e *env) error {
	_, err := fmt.Fprintln(e.stdout, "lbaasd", version)
	return err
}

// envFirst wraps a configuration-file loader so that a flag's environment
// variable, when set, wins over the file (kong consults resolvers first).
func envFirst(load kong.ConfigurationLoader) kong.ConfigurationLoader {
	return func(r io.Reader) (kong.Resolver, error) {
		inner, err := load(r)
		if err != nil {
			return nil, err
		}
		return envFirstResolver{inner}, nil
	}
}

type envFirstResolver struct{ kong.Resolver }

func (e envFirstResolver) Resolve(ctx *kong.Context, parent *kong.Path, flag *kong.Flag) (any, error) {
	for _, name := range flag.Envs {
		if _, ok := os.LookupEnv(name); ok {
			return nil, nil
		}
	}
	return e.Resolver.Resolve(ctx, parent, flag)
}
