package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/lbaas/terraform-provider-lbaas/internal/haproxy"
	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

type renderCmd struct {
	File     string `short:"f" default:"-" help:"The load balancer graph as Octavia JSON (- for standard input)."`
	StateDir string `default:"/var/lib/lbaasd/haproxy" help:"Directory of the stats socket and server-state file."`
	CertDir  string `default:"/var/lib/lbaasd/certs" help:"Directory of the TLS certificates."`
}

func (r renderCmd) Run(e *env) error {
	in := e.stdin
	if r.File != "-" {
		f, err := os.Open(r.File)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	var graph lb.LoadBalancer
	dec := json.NewDecoder(in)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&graph); err != nil {
		return fmt.Errorf("reading the graph: %w", err)
	}
	cfg, err := haproxy.Render(&graph, haproxy.Options{StateDir: r.StateDir, CertDir: r.CertDir})
	if err != nil {
		var le *lb.Error
		if errors.As(err, &le) && le.Field != "" {
			return fmt.Errorf("field %s: %w", le.Field, err)
		}
		return err
	}
	_, err = io.WriteString(e.stdout, cfg)
	return err
}
