package datasources_test

import (
	"os"
	"testing"

	"github.com/lbaas/terraform-provider-lbaas/internal/acctest"
)

// TestMain runs the package's tests; with TF_ACC=1 and no cloud configured,
// against an lbaasd that acctest.Main builds and starts.
func TestMain(m *testing.M) { os.Exit(acctest.Main(m)) }
