package acctest

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/lbaas/terraform-provider-lbaas/provider"
)

// Environment variables the acceptance suite reads (and, against lbaasd,
// sets itself).
const (
	// EnvTarget is "lbaasd" or "octavia".
	EnvTarget = "LBAAS_ACC_TARGET"
	// EnvVIPSubnetID is the subnet test load balancers take their VIP from.
	EnvVIPSubnetID = "LBAAS_ACC_VIP_SUBNET_ID"
	// EnvMemberAddress is the address test members get (a backend address
	// reachable from the amphorae; 127.0.0.1 on lbaasd).
	EnvMemberAddress = "LBAAS_ACC_MEMBER_ADDRESS"
)

// Targets.
const (
	TargetLbaasd  = "lbaasd"
	TargetOctavia = "octavia"
)

// Main runs an acceptance test package: with TF_ACC set and no cloud
// configured (no OS_AUTH_URL, OS_CLOUD or OS_ENDPOINT) it builds and starts
// its own lbaasd, points the provider at it through OS_AUTH_TYPE=none and
// OS_ENDPOINT, runs the tests and tears lbaasd down with every amphora.
// With a cloud configured it runs against that cloud (set EnvVIPSubnetID).
// Use it as `func TestMain(m *testing.M) { os.Exit(acctest.Main(m)) }`.
func Main(m *testing.M) int {
	if os.Getenv("TF_ACC") == "" || os.Getenv("OS_AUTH_URL") != "" || os.Getenv("OS_CLOUD") != "" || os.Getenv("OS_ENDPOINT") != "" {
		if os.Getenv(EnvTarget) == "" && os.Getenv("TF_ACC") != "" {
			_ = os.Setenv(EnvTarget, TargetOctavia)
		}
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bins, err := Build(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "acctest:", err)
		return 1
	}
	defer bins.Cleanup()
	dir, err := NewDataDir()
	if err != nil {
		fmt.Fprintln(os.Stderr, "acctest:", err)
		return 1
	}
	d, err := StartLbaasd(ctx, bins, Options{DataDir: dir, Subnet: RandomSubnet()})
	if err != nil {
		fmt.Fprintln(os.Stderr, "acctest:", err)
		_ = os.RemoveAll(dir)
		return 1
	}
	defer d.Teardown()
	subnetID, err := d.SubnetID(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "acctest:", err)
		return 1
	}
	for k, v := range map[string]string{
		"OS_AUTH_TYPE": "none", "OS_ENDPOINT": d.URL,
		EnvTarget: TargetLbaasd, EnvVIPSubnetID: subnetID, EnvMemberAddress: "127.0.0.1",
	} {
		if err := os.Setenv(k, v); err != nil {
			fmt.Fprintln(os.Stderr, "acctest:", err)
			return 1
		}
	}
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "lbaasd log (%s):\n%s\n", d.LogPath, d.Log())
	}
	return code
}

// ProtoV6ProviderFactories serve the provider in-process to Terraform.
func ProtoV6ProviderFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"lbaas": providerserver.NewProtocol6WithError(provider.New("test")()),
	}
}

// PreCheck fails the test when the acceptance environment is incomplete.
func PreCheck(t *testing.T) {
	t.Helper()
	for _, k := range []string{EnvTarget, EnvVIPSubnetID} {
		if os.Getenv(k) == "" {
			t.Fatalf("%s is not set: run acceptance tests through acctest.Main (TF_ACC=1) or set it for your cloud", k)
		}
	}
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set: export TF_ACC_TERRAFORM_PATH=$(command -v terraform)")
	}
}

// Target is the server under test: TargetLbaasd or TargetOctavia.
func Target() string { return os.Getenv(EnvTarget) }

// VIPSubnetID is the subnet test load balancers use.
func VIPSubnetID() string { return os.Getenv(EnvVIPSubnetID) }

// MemberAddress is the address test members use.
func MemberAddress() string {
	if a := os.Getenv(EnvMemberAddress); a != "" {
		return a
	}
	return "127.0.0.1"
}

// RequiresDataPlane marks a test that needs real traffic through the load
// balancer: against a no-op-amphora Octavia it is reported as not applicable
// (with the reason) instead of failing or being silently skipped.
func RequiresDataPlane(t *testing.T) {
	t.Helper()
	if Target() == TargetOctavia {
		t.Skip("not applicable to the no-op-amphora Octavia of testenv/openstack: no data plane carries traffic there")
	}
}
