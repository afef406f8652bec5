package resources_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"strings"
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
	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/octavia"
)

// Helpers of the load balancer and listener tests; other tests may use them.

// testAccAPI is an Octavia client built from the same environment as the
// provider under test (OS_* as acctest.Main or the caller set them).
func testAccAPI(t *testing.T) *octavia.Client {
	t.Helper()
	c, err := octavia.New(context.Background(), octavia.Config{Getenv: os.Getenv})
	if err != nil {
		t.Fatalf("octavia client: %v", err)
	}
	return c
}

// testAccName is a unique name for a test's objects.
func testAccName(prefix string) string {
	return sdkacctest.RandomWithPrefix("tf-acc-" + prefix)
}

// testAccEmptyPlanAfterApply is the plan check of every apply step: the
// configuration is fully applied and a refresh finds nothing to change.
func testAccEmptyPlanAfterApply() resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
}

// testAccLoadBalancerConfig is a load balancer named name on the test VIP
// subnet, with extra attribute lines.
func testAccLoadBalancerConfig(name, extra string) string {
	return fmt.Sprintf(`
resource "lbaas_loadbalancer" "test" {
  name          = %[1]q
  vip_subnet_id = %[2]q
%[3]s
}
`, name, acctest.VIPSubnetID(), extra)
}

// testAccCheckDestroyed asserts through the API that no load balancer or
// listener of the state is left.
func testAccCheckDestroyed(t *testing.T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		api := testAccAPI(t)
		ctx := context.Background()
		for name, rs := range s.RootModule().Resources {
			var err error
			switch rs.Type {
			case "lbaas_loadbalancer":
				_, err = api.GetLoadBalancer(ctx, rs.Primary.ID)
			case "lbaas_listener":
				_, err = api.GetListener(ctx, rs.Primary.ID)
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

// testAccDisappears deletes the object of a state resource behind
// Terraform's back (with del) and waits until it is gone.
func testAccDisappears(t *testing.T, name string, del func(ctx context.Context, api *octavia.Client, id string) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		return del(context.Background(), testAccAPI(t), rs.Primary.ID)
	}
}

func deleteLoadBalancer(ctx context.Context, api *octavia.Client, id string) error {
	if err := api.DeleteLoadBalancer(ctx, id, true); err != nil {
		return err
	}
	if _, err := api.WaitLoadBalancer(ctx, octavia.ActionDelete, id); err != nil && !errors.Is(err, octavia.ErrNotFound) {
		return err
	}
	return nil
}

func TestAccLoadBalancer_basic(t *testing.T) {
	name := testAccName("lb")
	res := "lbaas_loadbalancer.test"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckDestroyed(t),
		Steps: []resource.TestStep{{
			Config:           testAccLoadBalancerConfig(name, ""),
			ConfigPlanChecks: testAccEmptyPlanAfterApply(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(res, tfjsonpath.New("id"), knownvalue.StringRegexp(uuidRegexp)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact(name)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("description"), knownvalue.StringExact("")),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("admin_state_up"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("vip_subnet_id"), knownvalue.StringExact(acctest.VIPSubnetID())),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("vip_address"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("loadbalancer_provider"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("project_id"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("provisioning_status"), knownvalue.StringExact(lb.StatusActive)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("operating_status"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("additional_vips"), knownvalue.ListExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("cascade_delete"), knownvalue.Bool(false)),
			},
		}},
	})
}

// testAccErrorAt matches a diagnostic on the configuration line of attr
// (Terraform quotes it) with detail (a regexp whose spaces match any blank,
// as Terraform wraps long details).
func testAccErrorAt(attr, detail string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + attr + `\s+=.*` + strings.ReplaceAll(detail, " ", `\s+`))
}

var uuidRegexp = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func TestAccLoadBalancer_update(t *testing.T) {
	name := testAccName("lb-upd")
	res := "lbaas_loadbalancer.test"
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: testAccLoadBalancerConfig(name, `
  description    = "first"
  admin_state_up = true
  tags           = ["a", "b"]
`),
				ConfigPlanChecks: testAccEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("description"), knownvalue.StringExact("first")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("a"), knownvalue.StringExact("b"),
					})),
				},
			},
			{
				Config: testAccLoadBalancerConfig(name+"-2", `
  description    = "second"
  admin_state_up = false
  tags           = ["b", "c", "d"]
  timeouts = {
    update = "10m"
  }
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact(name+"-2")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("description"), knownvalue.StringExact("second")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("admin_state_up"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("b"), knownvalue.StringExact("c"), knownvalue.StringExact("d"),
					})),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("provisioning_status"), knownvalue.StringExact(lb.StatusActive)),
				},
			},
			{
				// Back to the defaults: attributes removed from the
				// configuration return to Octavia's defaults.
				Config:           testAccLoadBalancerConfig(name, ""),
				ConfigPlanChecks: testAccEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("description"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("admin_state_up"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{})),
				},
			},
		},
	})
}

func TestAccLoadBalancer_import(t *testing.T) {
	name := testAccName("lb-imp")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:           testAccLoadBalancerConfig(name, `  tags = ["imported"]`),
				ConfigPlanChecks: testAccEmptyPlanAfterApply(),
			},
			{
				ResourceName:            "lbaas_loadbalancer.test",
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"cascade_delete", "timeouts"},
			},
		},
	})
}

func TestAccLoadBalancer_disappears(t *testing.T) {
	name := testAccName("lb-gone")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckDestroyed(t),
		Steps: []resource.TestStep{{
			Config:             testAccLoadBalancerConfig(name, ""),
			Check:              testAccDisappears(t, "lbaas_loadbalancer.test", deleteLoadBalancer),
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("lbaas_loadbalancer.test", plancheck.ResourceActionCreate),
				},
			},
		}},
	})
}

// TestAccLoadBalancer_cascadeDelete destroys a load balancer that has a
// listener Terraform does not manage.
func TestAccLoadBalancer_cascadeDelete(t *testing.T) {
	name := testAccName("lb-cascade")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckDestroyed(t),
		Steps: []resource.TestStep{{
			Config:           testAccLoadBalancerConfig(name, `  cascade_delete = true`),
			ConfigPlanChecks: testAccEmptyPlanAfterApply(),
			Check: func(s *terraform.State) error {
				rs := s.RootModule().Resources["lbaas_loadbalancer.test"]
				api := testAccAPI(t)
				ctx := context.Background()
				li, err := api.CreateListener(ctx, &lb.Listener{
					Name: name, LoadBalancerID: rs.Primary.ID, Protocol: lb.ProtocolTCP, ProtocolPort: 20090,
					ConnectionLimit: lb.DefaultConnectionLimit, TimeoutClientData: lb.DefaultTimeoutClientData,
					TimeoutMemberConnect: lb.DefaultTimeoutMemberConnect, TimeoutMemberData: lb.DefaultTimeoutMemberData,
					AdminStateUp: true,
				})
				if err != nil {
					return err
				}
				_, err = api.WaitListener(ctx, octavia.ActionCreate, li.ID)
				return err
			},
		}},
	})
}

// TestAccLoadBalancer_planRejectsBadConfig: Octavia's load balancer rules
// fail at plan, on the attribute.
func TestAccLoadBalancer_planRejectsBadConfig(t *testing.T) {
	name := testAccName("lb-bad")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`
resource "lbaas_loadbalancer" "test" {
  name = %q
}
`, name),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)At least one of these attributes must be configured:\s+\[vip_subnet_id,vip_network_id,vip_port_id\]`),
			},
			{
				Config:      testAccLoadBalancerConfig(name, `  vip_address = "300.1.2.3"`),
				PlanOnly:    true,
				ExpectError: testAccErrorAt(`vip_address`, `Value should be IPv4 or IPv6 format`),
			},
			{
				Config:      testAccLoadBalancerConfig(name, `  flavor_id = "not-a-uuid"`),
				PlanOnly:    true,
				ExpectError: testAccErrorAt(`flavor_id`, `Value should be UUID format`),
			},
		},
	})
}

// TestAccLoadBalancer_errorReplaced: a load balancer that went to ERROR
// behind Terraform's back is found in ERROR at refresh and replaced by the
// next apply. It makes the ERROR for real on lbaasd: the test holds the
// VIP's port, so the HAProxy of a listener added on that port cannot bind,
// and lbaasd reverts the load balancer to ERROR.
func TestAccLoadBalancer_errorReplaced(t *testing.T) {
	if acctest.Target() != acctest.TargetLbaasd {
		t.Skip("needs lbaasd's local data plane (a port of the VIP held by the test) to make a load balancer go to ERROR")
	}
	name := testAccName("lb-error")
	res := "lbaas_loadbalancer.test"
	const port = 20095
	config := testAccLoadBalancerConfig(name, `  cascade_delete = true`)
	var held net.Listener
	t.Cleanup(func() {
		if held != nil {
			_ = held.Close()
		}
	})
	sameID := statecheck.CompareValue(compare.ValuesDiffer())
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckDestroyed(t),
		Steps: []resource.TestStep{
			{
				// After the apply, the load balancer goes to ERROR; the
				// refresh finds it so and the plan replaces it.
				Config:             config,
				ConfigStateChecks:  []statecheck.StateCheck{sameID.AddStateValue(res, tfjsonpath.New("id"))},
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(res, plancheck.ResourceActionDestroyBeforeCreate),
					},
				},
				Check: func(s *terraform.State) error {
					rs := s.RootModule().Resources[res]
					var err error
					held, err = net.Listen("tcp", net.JoinHostPort(rs.Primary.Attributes["vip_address"], fmt.Sprint(port)))
					if err != nil {
						return fmt.Errorf("holding the VIP's port: %w", err)
					}
					api := testAccAPI(t)
					ctx := context.Background()
					li, err := api.CreateListener(ctx, &lb.Listener{
						Name: name, LoadBalancerID: rs.Primary.ID, Protocol: lb.ProtocolTCP, ProtocolPort: port,
						ConnectionLimit: lb.DefaultConnectionLimit, TimeoutClientData: lb.DefaultTimeoutClientData,
						TimeoutMemberConnect: lb.DefaultTimeoutMemberConnect, TimeoutMemberData: lb.DefaultTimeoutMemberData,
						AdminStateUp: true,
					})
					if err != nil {
						return err
					}
					_, err = api.WaitListener(ctx, octavia.ActionCreate, li.ID)
					var se *octavia.StatusError
					if !errors.As(err, &se) {
						return fmt.Errorf("the listener on a held port did not go to ERROR: %v", err)
					}
					got, err := api.GetLoadBalancer(ctx, rs.Primary.ID)
					if err != nil {
						return err
					}
					if got.ProvisioningStatus != lb.StatusError {
						return fmt.Errorf("load balancer is %s, want ERROR", got.ProvisioningStatus)
					}
					return nil
				},
			},
			{
				// The next apply replaces it.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("provisioning_status"), knownvalue.StringExact(lb.StatusActive)),
				},
			},
		},
	})
}
