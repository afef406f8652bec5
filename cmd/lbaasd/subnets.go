package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/uuid"

	networklocal "github.com/lbaas/terraform-provider-lbaas/internal/network/local"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

type subnetsCmd struct {
	DataDir string `default:"${default_data_dir}" env:"LBAASD_DATA_DIR" help:"Where lbaasd keeps its database."`
	Subnet  string `default:"127.77.0.0/16" env:"LBAASD_SUBNET" help:"The default local subnet."`
}

// Run prints every local subnet as "ID CIDR NAME", the default first. The
// default subnet is recorded first, so its ID is known before lbaasd ever ran.
func (c subnetsCmd) Run(e *env) error {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	st, err := store.OpenSQLite(e.ctx, filepath.Join(c.DataDir, "lbaasd.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	return printSubnets(e.ctx, st, c.Subnet, e)
}

func printSubnets(ctx context.Context, st store.Store, cidr string, e *env) error {
	drv := networklocal.New(st, uuid.NewString)
	if _, err := drv.EnsureSubnet(ctx, cidr, "lbaasd-local", true); err != nil {
		return err
	}
	subnets, err := st.Subnets(ctx)
	if err != nil {
		return err
	}
	for _, s := range subnets {
		if _, err := fmt.Fprintf(e.stdout, "%s %s %s\n", s.ID, s.CIDR, s.Name); err != nil {
			return err
		}
	}
	return nil
}
