// Command amphora-agent runs on every amphora: it validates the configuration
// the controller pushes with the real HAProxy before switching to it.
//
//	amphora-agent version
//	amphora-agent check [-haproxy PATH] -f haproxy.cfg
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/lbaas/terraform-provider-lbaas/internal/agent"
)

// version is set by the release build with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
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

const usage = "usage: amphora-agent version | check [-haproxy PATH] -f haproxy.cfg"

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{usage}
	}
	switch args[0] {
	case "version":
		_, err := fmt.Fprintln(stdout, "amphora-agent", version)
		return err
	case "check":
		fs := flag.NewFlagSet("check", flag.ContinueOnError)
		file := fs.String("f", "", "the haproxy.cfg to validate")
		bin := fs.String("haproxy", "haproxy", "the haproxy binary")
		if err := fs.Parse(args[1:]); err != nil {
			return usageError{err.Error()}
		}
		if *file == "" {
			return usageError{usage}
		}
		if err := agent.CheckHAProxy(ctx, *bin, *file); err != nil {
			return err
		}
		_, err := fmt.Fprintln(stdout, "configuration valid")
		return err
	default:
		return usageError{fmt.Sprintf("unknown command %q: %s", args[0], usage)}
	}
}
