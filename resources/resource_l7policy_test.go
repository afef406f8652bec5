package resources_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	lbacctest "github.com/lbaas/terraform-provider-lbaas/internal/acctest"
	"github.com/lbaas/terraform-provider-lbaas/internal/octavia"
)

// Listener ports of the L7 tests (each test has its own load balancer; the
// ports differ anyway so that the tests never collide on a shared VIP).
const (
	l7PortPolicyBasic = 20400 + iota
	l7PortPolicyUpdate
	l7PortPolicyImport
	l7PortPolicyDisappears
	l7PortPolicyPosition
	l7PortRuleBasic
	l7PortRuleUpdate
	l7PortRuleImport
	l7PortRuleDisappears
)

// l7TestAPI is an Octavia client built from the same environment as the
// provider under test.
func l7TestAPI(t *testing.T) *octavia.Client {
	t.Helper()
	c, err := octavia.New(context.Background(), octavia.Config{Getenv: os.Getenv})
	if err != nil {
		t.Fatalf("octavia client: %v", err)
	}
	return c
}

// l7BaseConfig is a load balancer with an HTTP listener on port and an HTTP
// pool: what L7 policies and rules hang from.
func l7BaseConfig(name string, port int) string {
	return fmt.Sprintf(`
resource "lbaas_loadbalancer" "test" {
  name          = %[1]q
  vip_subnet_id = %[2]q
}

resource "lbaas_listener" "test" {
  name            = %[1]q
  loadbalancer_id = lbaas_loadbalancer.test.id
  protocol        = "HTTP"
  protocol_port   = %[3]d
}

resource "lbaas_pool" "test" {
  name            = %[1]q
  loadbalancer_id = lbaas_loadbalancer.test.id
  protocol        = "HTTP"
  lb_algorithm    = "ROUND_ROBIN"
}
`, name, lbacctest.VIPSubnetID(), port)
}

// l7ExpectEmptyPlan is the plan check of every apply step.
func l7ExpectEmptyPlan() resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
}

// testAccCheckL7Destroyed asserts through the API that no L7 policy or rule
// of the state is left.
func testAccCheckL7Destroyed(t *testing.T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		api := l7TestAPI(t)
		ctx := context.Background()
		for name, rs := range s.RootModule().Resources {
			var err error
			switch rs.Type {
			case "lbaas_l7policy":
				_, err = api.GetL7Policy(ctx, rs.Primary.ID)
			case "lbaas_l7rule":
				_, err = api.GetL7Rule(ctx, rs.Primary.Attributes["l7policy_id"], rs.Primary.ID)
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

// testAccL7PolicyDisappears deletes the policy behind Terraform's back.
func testAccL7PolicyDisappears(t *testing.T, name string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		api := l7TestAPI(t)
		ctx := context.Background()
		if err := api.DeleteL7Policy(ctx, rs.Primary.ID); err != nil {
			return err
		}
		if _, err := api.WaitL7Policy(ctx, octavia.ActionDelete, rs.Primary.ID); err != nil && !errors.Is(err, octavia.ErrNotFound) {
			return err
		}
		return nil
	}
}

func l7PolicyRejectConfig(name string, port int) string {
	return l7BaseConfig(name, port) + fmt.Sprintf(`
resource "lbaas_l7policy" "test" {
  name        = %[1]q
  listener_id = lbaas_listener.test.id
  action      = "REJECT"
  position    = 1
}
`, name)
}

func TestAccL7Policy_basic(t *testing.T) {
	name := acctest.RandomWithPrefix("tf-acc-l7p")
	res := "lbaas_l7policy.test"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { lbacctest.PreCheck(t) },
		ProtoV6ProviderFactories: lbacctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckL7Destroyed(t),
		Steps: []resource.TestStep{{
			Config:           l7PolicyRejectConfig(name, l7PortPolicyBasic),
			ConfigPlanChecks: l7ExpectEmptyPlan(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(res, tfjsonpath.New("id"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact(name)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("description"), knownvalue.StringExact("")),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("action"), knownvalue.StringExact("REJECT")),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("position"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("redirect_http_code"), knownvalue.Null()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("redirect_url"), knownvalue.Null()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("redirect_pool_id"), knownvalue.Null()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("redirect_prefix"), knownvalue.Null()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("admin_state_up"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("provisioning_status"), knownvalue.StringExact("ACTIVE")),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("operating_status"), knownvalue.StringExact("ONLINE")),
				statecheck.CompareValuePairs(res, tfjsonpath.New("listener_id"), "lbaas_listener.test", tfjsonpath.New("id"), compare.ValuesSame()),
			},
		}},
	})
}

func TestAccL7Policy_update(t *testing.T) {
	name := acctest.RandomWithPrefix("tf-acc-l7p")
	res := "lbaas_l7policy.test"
	base := l7BaseConfig(name, l7PortPolicyUpdate)
	updateInPlace := resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { lbacctest.PreCheck(t) },
		ProtoV6ProviderFactories: lbacctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckL7Destroyed(t),
		Steps: []resource.TestStep{
			{
				// A URL redirect: redirect_http_code defaults to 302.
				Config: base + `
resource "lbaas_l7policy" "test" {
  listener_id  = lbaas_listener.test.id
  action       = "REDIRECT_TO_URL"
  redirect_url = "https://example.com/moved"
  tags         = ["a", "b"]
}
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue(res, tfjsonpath.New("redirect_http_code"), knownvalue.Int64Exact(302)),
						plancheck.ExpectUnknownValue(res, tfjsonpath.New("position")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("action"), knownvalue.StringExact("REDIRECT_TO_URL")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("redirect_url"), knownvalue.StringExact("https://example.com/moved")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("redirect_http_code"), knownvalue.Int64Exact(302)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("position"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("a"), knownvalue.StringExact("b"),
					})),
				},
			},
			{
				// Prefix redirect with an explicit code, renamed and disabled.
				Config: base + fmt.Sprintf(`
resource "lbaas_l7policy" "test" {
  name               = %[1]q
  description        = "prefix redirect"
  listener_id        = lbaas_listener.test.id
  action             = "REDIRECT_PREFIX"
  redirect_prefix    = "https://example.org"
  redirect_http_code = 308
  admin_state_up     = false
  tags               = ["b"]
}
`, name),
				ConfigPlanChecks: updateInPlace,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("description"), knownvalue.StringExact("prefix redirect")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("action"), knownvalue.StringExact("REDIRECT_PREFIX")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("redirect_prefix"), knownvalue.StringExact("https://example.org")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("redirect_url"), knownvalue.Null()),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("redirect_http_code"), knownvalue.Int64Exact(308)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("admin_state_up"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("operating_status"), knownvalue.StringExact("OFFLINE")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("b")})),
				},
			},
			{
				// To a pool: the code goes back to null.
				Config: base + fmt.Sprintf(`
resource "lbaas_l7policy" "test" {
  name             = %[1]q
  listener_id      = lbaas_listener.test.id
  action           = "REDIRECT_TO_POOL"
  redirect_pool_id = lbaas_pool.test.id
}
`, name),
				ConfigPlanChecks: updateInPlace,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("action"), knownvalue.StringExact("REDIRECT_TO_POOL")),
					statecheck.CompareValuePairs(res, tfjsonpath.New("redirect_pool_id"), "lbaas_pool.test", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("redirect_prefix"), knownvalue.Null()),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("redirect_http_code"), knownvalue.Null()),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("description"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("admin_state_up"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{})),
				},
			},
			{
				Config: base + fmt.Sprintf(`
resource "lbaas_l7policy" "test" {
  name        = %[1]q
  listener_id = lbaas_listener.test.id
  action      = "REJECT"
}
`, name),
				ConfigPlanChecks: updateInPlace,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("action"), knownvalue.StringExact("REJECT")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("redirect_pool_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("redirect_http_code"), knownvalue.Null()),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("provisioning_status"), knownvalue.StringExact("ACTIVE")),
				},
			},
		},
	})
}

// TestAccL7Policy_position: Octavia renumbers a listener's policies 1..n, so
// a position beyond the end is stored as n; that must not show as a
// difference, and reordering works in place.
func TestAccL7Policy_position(t *testing.T) {
	name := acctest.RandomWithPrefix("tf-acc-l7p")
	base := l7BaseConfig(name, l7PortPolicyPosition)
	policies := func(posA, posB int) string {
		return base + fmt.Sprintf(`
resource "lbaas_l7policy" "a" {
  name        = "a"
  listener_id = lbaas_listener.test.id
  action      = "REJECT"
  position    = %d
}

resource "lbaas_l7policy" "b" {
  name         = "b"
  listener_id  = lbaas_listener.test.id
  action       = "REDIRECT_TO_URL"
  redirect_url = "http://example.com"
  position     = %d
}
`, posA, posB)
	}
	serverPositions := func(want map[string]int) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			api := l7TestAPI(t)
			for name, pos := range want {
				p, err := api.GetL7Policy(context.Background(), s.RootModule().Resources[name].Primary.ID)
				if err != nil {
					return err
				}
				if p.Position != pos {
					return fmt.Errorf("%s: Octavia has position %d, want %d", name, p.Position, pos)
				}
			}
			return nil
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { lbacctest.PreCheck(t) },
		ProtoV6ProviderFactories: lbacctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckL7Destroyed(t),
		Steps: []resource.TestStep{
			{
				Config:           policies(1, 10),
				ConfigPlanChecks: l7ExpectEmptyPlan(),
				Check:            serverPositions(map[string]int{"lbaas_l7policy.a": 1, "lbaas_l7policy.b": 2}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("lbaas_l7policy.a", tfjsonpath.New("position"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue("lbaas_l7policy.b", tfjsonpath.New("position"), knownvalue.Int64Exact(10)),
				},
			},
			{
				Config: policies(2, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("lbaas_l7policy.a", plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("lbaas_l7policy.b", plancheck.ResourceActionUpdate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: serverPositions(map[string]int{"lbaas_l7policy.a": 2, "lbaas_l7policy.b": 1}),
			},
		},
	})
}

func TestAccL7Policy_import(t *testing.T) {
	name := acctest.RandomWithPrefix("tf-acc-l7p")
	res := "lbaas_l7policy.test"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { lbacctest.PreCheck(t) },
		ProtoV6ProviderFactories: lbacctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckL7Destroyed(t),
		Steps: []resource.TestStep{
			{
				Config: l7BaseConfig(name, l7PortPolicyImport) + fmt.Sprintf(`
resource "lbaas_l7policy" "test" {
  name               = %[1]q
  description        = "imported"
  listener_id        = lbaas_listener.test.id
  action             = "REDIRECT_TO_URL"
  redirect_url       = "https://example.com/"
  redirect_http_code = 301
  tags               = ["imported"]
}
`, name),
				ConfigPlanChecks: l7ExpectEmptyPlan(),
			},
			{
				ResourceName:            res,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}

func TestAccL7Policy_disappears(t *testing.T) {
	name := acctest.RandomWithPrefix("tf-acc-l7p")
	res := "lbaas_l7policy.test"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { lbacctest.PreCheck(t) },
		ProtoV6ProviderFactories: lbacctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckL7Destroyed(t),
		Steps: []resource.TestStep{{
			Config:             l7PolicyRejectConfig(name, l7PortPolicyDisappears),
			Check:              testAccL7PolicyDisappears(t, res),
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate)},
			},
		}},
	})
}

// TestAccL7Policy_invalid: Octavia's L7 policy rules fail at plan time, on
// the attribute concerned (the path itself is asserted by the unit tests of
// ValidateConfig; Terraform shows the attribute's line when it is written).
func TestAccL7Policy_invalid(t *testing.T) {
	const listenerID = "6b3f4e8e-0d7c-4c36-9d5f-3a1c2d1e0f01"
	policy := func(body string) string {
		return fmt.Sprintf(`
resource "lbaas_l7policy" "bad" {
  listener_id = %q
%s
}
`, listenerID, body)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { lbacctest.PreCheck(t) },
		ProtoV6ProviderFactories: lbacctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      policy(`  action = "REDIRECT_TO_URL"`),
				PlanOnly:    true,
				ExpectError: l7ErrorRegexp("Invalid configuration for Octavia", "lbaas_l7policy.bad", "redirect_url must not be None"),
			},
			{
				Config:      policy(`  action = "REDIRECT_TO_POOL"`),
				PlanOnly:    true,
				ExpectError: l7ErrorRegexp("Invalid configuration for Octavia", "redirect_pool_id or redirect_pool must not be None"),
			},
			{
				Config: policy(`  action       = "REDIRECT_TO_URL"
  redirect_url = "ftp://example.com/"`),
				PlanOnly:    true,
				ExpectError: l7ErrorRegexp("Invalid configuration for Octavia", `redirect_url = "ftp://example.com/"`, "Invalid input for field/attribute redirect_url"),
			},
			{
				Config: policy(`  action             = "REJECT"
  redirect_http_code = 301`),
				PlanOnly:    true,
				ExpectError: l7ErrorRegexp("redirect_http_code = 301", "redirect_http_code is only used by"),
			},
			{
				Config: policy(`  action          = "REDIRECT_TO_URL"
  redirect_url    = "https://example.com/"
  redirect_prefix = "https://example.org"`),
				PlanOnly:    true,
				ExpectError: l7ErrorRegexp(`redirect_prefix = "https://example.org"`, "redirect_prefix is only used by REDIRECT_PREFIX"),
			},
		},
	})
}
