package datasources_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lbaas/terraform-provider-lbaas/internal/acctest"
	"github.com/lbaas/terraform-provider-lbaas/internal/octavia"
)

// Ports of the data source tests.
const (
	dsPortHTTP = 20200 + iota
	dsPortTCP
)

// testAccCoreConfig is a load balancer with an HTTP and a TCP listener,
// tagged with the test's name.
func testAccCoreConfig(name string) string {
	return fmt.Sprintf(`
resource "lbaas_loadbalancer" "test" {
  name          = %[1]q
  description   = "data source test"
  vip_subnet_id = %[2]q
  tags          = [%[1]q, "ds"]
}

resource "lbaas_listener" "http" {
  name            = %[1]q
  loadbalancer_id = lbaas_loadbalancer.test.id
  protocol        = "HTTP"
  protocol_port   = %[3]d
  tags            = [%[1]q]
}

resource "lbaas_listener" "tcp" {
  name            = "%[1]s-tcp"
  loadbalancer_id = lbaas_loadbalancer.test.id
  protocol        = "TCP"
  protocol_port   = %[4]d
}
`, name, acctest.VIPSubnetID(), dsPortHTTP, dsPortTCP)
}

// checkDestroyed asserts through the API that the test's load balancers
// and listeners are gone.
func checkDestroyed(t *testing.T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		api, err := octavia.New(context.Background(), octavia.Config{Getenv: os.Getenv})
		if err != nil {
			t.Fatalf("octavia client: %v", err)
		}
		for name, rs := range s.RootModule().Resources {
			switch rs.Type {
			case "lbaas_loadbalancer":
				_, err = api.GetLoadBalancer(context.Background(), rs.Primary.ID)
			case "lbaas_listener":
				_, err = api.GetListener(context.Background(), rs.Primary.ID)
			default:
				continue
			}
			if err == nil {
				return fmt.Errorf("%s %s still exists", name, rs.Primary.ID)
			}
			if !errors.Is(err, octavia.ErrNotFound) {
				return fmt.Errorf("checking %s %s: %w", name, rs.Primary.ID, err)
			}
		}
		return nil
	}
}

func emptyPlanAfterApply() resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
}

func TestAccLoadBalancerDataSources(t *testing.T) {
	name := sdkacctest.RandomWithPrefix("tf-acc-ds")
	lbRes := "lbaas_loadbalancer.test"
	config := testAccCoreConfig(name) + fmt.Sprintf(`
data "lbaas_loadbalancer" "by_id" {
  id         = lbaas_loadbalancer.test.id
  depends_on = [lbaas_listener.http, lbaas_listener.tcp]
}

data "lbaas_loadbalancer" "by_name" {
  name          = lbaas_loadbalancer.test.name
  vip_subnet_id = %[2]q
}

data "lbaas_loadbalancer" "by_tags" {
  tags       = [%[1]q]
  depends_on = [lbaas_loadbalancer.test]
}

data "lbaas_loadbalancers" "by_name" {
  name = lbaas_loadbalancer.test.name
}

data "lbaas_loadbalancers" "active_with_tags" {
  provisioning_status = "ACTIVE"
  tags                = [%[1]q, "ds"]
  depends_on          = [lbaas_loadbalancer.test, lbaas_listener.http, lbaas_listener.tcp]
}

data "lbaas_loadbalancers" "none" {
  name       = "%[1]s-nothing"
  depends_on = [lbaas_loadbalancer.test]
}
`, name, acctest.VIPSubnetID())
	sameAsResource := func(ds string, attr string) statecheck.StateCheck {
		return statecheck.CompareValuePairs(ds, tfjsonpath.New(attr), lbRes, tfjsonpath.New(attr), compare.ValuesSame())
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             checkDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:           config,
				ConfigPlanChecks: emptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					sameAsResource("data.lbaas_loadbalancer.by_id", "id"),
					sameAsResource("data.lbaas_loadbalancer.by_id", "name"),
					sameAsResource("data.lbaas_loadbalancer.by_id", "vip_address"),
					sameAsResource("data.lbaas_loadbalancer.by_id", "vip_port_id"),
					sameAsResource("data.lbaas_loadbalancer.by_id", "vip_network_id"),
					sameAsResource("data.lbaas_loadbalancer.by_id", "loadbalancer_provider"),
					sameAsResource("data.lbaas_loadbalancer.by_id", "project_id"),
					sameAsResource("data.lbaas_loadbalancer.by_id", "tags"),
					statecheck.ExpectKnownValue("data.lbaas_loadbalancer.by_id", tfjsonpath.New("description"),
						knownvalue.StringExact("data source test")),
					statecheck.ExpectKnownValue("data.lbaas_loadbalancer.by_id", tfjsonpath.New("listener_ids"),
						knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue("data.lbaas_loadbalancer.by_id", tfjsonpath.New("provisioning_status"),
						knownvalue.StringExact("ACTIVE")),
					sameAsResource("data.lbaas_loadbalancer.by_name", "id"),
					sameAsResource("data.lbaas_loadbalancer.by_tags", "id"),
					statecheck.ExpectKnownValue("data.lbaas_loadbalancers.by_name", tfjsonpath.New("loadbalancers"),
						knownvalue.ListSizeExact(1)),
					statecheck.CompareValuePairs("data.lbaas_loadbalancers.by_name", tfjsonpath.New("ids").AtSliceIndex(0),
						lbRes, tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs("data.lbaas_loadbalancers.by_name", tfjsonpath.New("loadbalancers").AtSliceIndex(0).AtMapKey("vip_address"),
						lbRes, tfjsonpath.New("vip_address"), compare.ValuesSame()),
					statecheck.ExpectKnownValue("data.lbaas_loadbalancers.active_with_tags", tfjsonpath.New("ids"),
						knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue("data.lbaas_loadbalancers.none", tfjsonpath.New("ids"),
						knownvalue.ListExact([]knownvalue.Check{})),
				},
			},
			{
				Config: config + fmt.Sprintf(`
data "lbaas_loadbalancer" "missing" {
  name       = "%[1]s-missing"
  depends_on = [lbaas_loadbalancer.test]
}
`, name),
				ExpectError: regexp.MustCompile(`No load balancer found`),
			},
			{
				Config: config + `
data "lbaas_loadbalancer" "both" {
  id   = lbaas_loadbalancer.test.id
  name = lbaas_loadbalancer.test.name
}
`,
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*cannot be configured together`),
			},
		},
	})
}
