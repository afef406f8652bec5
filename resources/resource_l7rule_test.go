package resources_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
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

// l7RuleConfig is a REJECT policy with one rule whose body is given.
func l7RuleConfig(name string, port int, ruleBody string) string {
	return l7BaseConfig(name, port) + fmt.Sprintf(`
resource "lbaas_l7policy" "test" {
  name        = %[1]q
  listener_id = lbaas_listener.test.id
  action      = "REJECT"
}

resource "lbaas_l7rule" "test" {
  l7policy_id = lbaas_l7policy.test.id
%[2]s
}
`, name, ruleBody)
}

// l7ErrorRegexp matches the parts in order, anywhere in Terraform's output,
// whatever the line wrapping (every space matches any whitespace).
func l7ErrorRegexp(parts ...string) *regexp.Regexp {
	quoted := make([]string, 0, len(parts))
	for _, p := range parts {
		quoted = append(quoted, strings.ReplaceAll(regexp.QuoteMeta(p), " ", `\s+`))
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, ".*"))
}

// testAccL7RuleDisappears deletes the rule behind Terraform's back.
func testAccL7RuleDisappears(t *testing.T, name string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		api := l7TestAPI(t)
		ctx := context.Background()
		policyID := rs.Primary.Attributes["l7policy_id"]
		if err := api.DeleteL7Rule(ctx, policyID, rs.Primary.ID); err != nil {
			return err
		}
		if _, err := api.WaitL7Rule(ctx, octavia.ActionDelete, policyID, rs.Primary.ID); err != nil && !errors.Is(err, octavia.ErrNotFound) {
			return err
		}
		return nil
	}
}

func TestAccL7Rule_basic(t *testing.T) {
	name := acctest.RandomWithPrefix("tf-acc-l7r")
	res := "lbaas_l7rule.test"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { lbacctest.PreCheck(t) },
		ProtoV6ProviderFactories: lbacctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckL7Destroyed(t),
		Steps: []resource.TestStep{{
			Config: l7RuleConfig(name, l7PortRuleBasic, `
  type         = "PATH"
  compare_type = "STARTS_WITH"
  value        = "/api"
`),
			ConfigPlanChecks: l7ExpectEmptyPlan(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(res, tfjsonpath.New("id"), knownvalue.NotNull()),
				statecheck.CompareValuePairs(res, tfjsonpath.New("l7policy_id"), "lbaas_l7policy.test", tfjsonpath.New("id"), compare.ValuesSame()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("type"), knownvalue.StringExact("PATH")),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("compare_type"), knownvalue.StringExact("STARTS_WITH")),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("value"), knownvalue.StringExact("/api")),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("key"), knownvalue.Null()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("invert"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("admin_state_up"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("provisioning_status"), knownvalue.StringExact("ACTIVE")),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("operating_status"), knownvalue.StringExact("ONLINE")),
			},
		}},
	})
}

func TestAccL7Rule_update(t *testing.T) {
	name := acctest.RandomWithPrefix("tf-acc-l7r")
	res := "lbaas_l7rule.test"
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
				Config: l7RuleConfig(name, l7PortRuleUpdate, `
  type         = "HEADER"
  compare_type = "EQUAL_TO"
  key          = "X-Canary"
  value        = "1"
`),
				ConfigPlanChecks: l7ExpectEmptyPlan(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("type"), knownvalue.StringExact("HEADER")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("key"), knownvalue.StringExact("X-Canary")),
				},
			},
			{
				Config: l7RuleConfig(name, l7PortRuleUpdate, `
  type           = "HEADER"
  compare_type   = "REGEX"
  key            = "X-Canary"
  value          = "^(1|yes)$"
  invert         = true
  admin_state_up = false
  tags           = ["canary"]
`),
				ConfigPlanChecks: updateInPlace,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("compare_type"), knownvalue.StringExact("REGEX")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("value"), knownvalue.StringExact("^(1|yes)$")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("invert"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("admin_state_up"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("operating_status"), knownvalue.StringExact("OFFLINE")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("canary")})),
				},
			},
			{
				// Another type, in place; the key goes away.
				Config: l7RuleConfig(name, l7PortRuleUpdate, `
  type         = "HOST_NAME"
  compare_type = "ENDS_WITH"
  value        = ".example.com"
`),
				ConfigPlanChecks: updateInPlace,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("type"), knownvalue.StringExact("HOST_NAME")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("key"), knownvalue.Null()),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("invert"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("admin_state_up"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("provisioning_status"), knownvalue.StringExact("ACTIVE")),
				},
			},
		},
	})
}

func TestAccL7Rule_import(t *testing.T) {
	name := acctest.RandomWithPrefix("tf-acc-l7r")
	res := "lbaas_l7rule.test"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { lbacctest.PreCheck(t) },
		ProtoV6ProviderFactories: lbacctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckL7Destroyed(t),
		Steps: []resource.TestStep{
			{
				Config: l7RuleConfig(name, l7PortRuleImport, `
  type         = "COOKIE"
  compare_type = "CONTAINS"
  key          = "session"
  value        = "beta"
  tags         = ["imported"]
`),
				ConfigPlanChecks: l7ExpectEmptyPlan(),
			},
			{
				ResourceName:      res,
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					rs := s.RootModule().Resources[res]
					return rs.Primary.Attributes["l7policy_id"] + "/" + rs.Primary.ID, nil
				},
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				ResourceName:  res,
				ImportState:   true,
				ImportStateId: "no-slash",
				ExpectError:   l7ErrorRegexp("expected an import ID of the form <l7policy_id>/<rule_id>"),
			},
		},
	})
}

func TestAccL7Rule_disappears(t *testing.T) {
	name := acctest.RandomWithPrefix("tf-acc-l7r")
	res := "lbaas_l7rule.test"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { lbacctest.PreCheck(t) },
		ProtoV6ProviderFactories: lbacctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckL7Destroyed(t),
		Steps: []resource.TestStep{{
			Config: l7RuleConfig(name, l7PortRuleDisappears, `
  type         = "FILE_TYPE"
  compare_type = "EQUAL_TO"
  value        = "jpg"
`),
			Check:              testAccL7RuleDisappears(t, res),
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate)},
			},
		}},
	})
}

// TestAccL7Rule_invalid: Octavia's L7 rule rules fail at plan time, on the
// attribute concerned.
func TestAccL7Rule_invalid(t *testing.T) {
	const policyID = "0e1d2c3b-4a59-4687-9a8b-7c6d5e4f3a21"
	rule := func(body string) string {
		return fmt.Sprintf(`
resource "lbaas_l7rule" "bad" {
  l7policy_id = %q
%s
}
`, policyID, body)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { lbacctest.PreCheck(t) },
		ProtoV6ProviderFactories: lbacctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				// HEADER without key.
				Config: rule(`  type         = "HEADER"
  compare_type = "EQUAL_TO"
  value        = "1"`),
				PlanOnly:    true,
				ExpectError: l7ErrorRegexp("Invalid configuration for Octavia", "lbaas_l7rule.bad", "L7 rule type requires a key"),
			},
			{
				Config: rule(`  type         = "FILE_TYPE"
  compare_type = "STARTS_WITH"
  value        = "jpg"`),
				PlanOnly:    true,
				ExpectError: l7ErrorRegexp(`compare_type = "STARTS_WITH"`, "invalid comparison type for rule type"),
			},
			{
				Config: rule(`  type         = "PATH"
  compare_type = "REGEX"
  value        = "^/(api"`),
				PlanOnly:    true,
				ExpectError: l7ErrorRegexp(`value = "^/(api"`, "Unable to parse regular expression"),
			},
			{
				Config: rule(`  type         = "SSL_CONN_HAS_CERT"
  compare_type = "EQUAL_TO"
  key          = "CN"
  value        = "true"`),
				PlanOnly:    true,
				ExpectError: l7ErrorRegexp(`key = "CN"`, `does not use the "key" field`),
			},
		},
	})
}
