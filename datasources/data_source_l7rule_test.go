package datasources_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	lbacctest "github.com/lbaas/terraform-provider-lbaas/internal/acctest"
)

func TestAccL7RuleDataSource_basic(t *testing.T) {
	name := acctest.RandomWithPrefix("tf-acc-l7ds")
	base := l7dsBaseConfig(name, l7dsPortRule)
	byID, byType, byTags, all, headers := "data.lbaas_l7rule.by_id", "data.lbaas_l7rule.by_type",
		"data.lbaas_l7rule.by_tags", "data.lbaas_l7rules.all", "data.lbaas_l7rules.headers"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { lbacctest.PreCheck(t) },
		ProtoV6ProviderFactories: lbacctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: base + `
data "lbaas_l7rule" "by_id" {
  l7policy_id = lbaas_l7policy.to_pool.id
  id          = lbaas_l7rule.header.id
}

data "lbaas_l7rule" "by_type" {
  l7policy_id = lbaas_l7policy.to_pool.id
  type        = "PATH"
  depends_on  = [lbaas_l7rule.path, lbaas_l7rule.header]
}

data "lbaas_l7rule" "by_tags" {
  l7policy_id = lbaas_l7policy.to_pool.id
  tags        = ["header"]
  depends_on  = [lbaas_l7rule.path, lbaas_l7rule.header]
}

data "lbaas_l7rules" "all" {
  l7policy_id = lbaas_l7policy.to_pool.id
  depends_on  = [lbaas_l7rule.path, lbaas_l7rule.header]
}

data "lbaas_l7rules" "headers" {
  l7policy_id  = lbaas_l7policy.to_pool.id
  type         = "HEADER"
  compare_type = "EQUAL_TO"
  depends_on   = [lbaas_l7rule.path, lbaas_l7rule.header]
}
`,
				ConfigPlanChecks: l7dsEmptyPlan(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs(byID, tfjsonpath.New("id"), "lbaas_l7rule.header", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs(byID, tfjsonpath.New("l7policy_id"), "lbaas_l7policy.to_pool", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("type"), knownvalue.StringExact("HEADER")),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("compare_type"), knownvalue.StringExact("EQUAL_TO")),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("key"), knownvalue.StringExact("X-Version")),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("value"), knownvalue.StringExact("2")),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("invert"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("admin_state_up"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("header")})),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("provisioning_status"), knownvalue.StringExact("ACTIVE")),

					statecheck.CompareValuePairs(byType, tfjsonpath.New("id"), "lbaas_l7rule.path", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(byType, tfjsonpath.New("key"), knownvalue.Null()),
					statecheck.ExpectKnownValue(byType, tfjsonpath.New("value"), knownvalue.StringExact("/api")),
					statecheck.CompareValuePairs(byTags, tfjsonpath.New("id"), "lbaas_l7rule.header", tfjsonpath.New("id"), compare.ValuesSame()),

					statecheck.ExpectKnownValue(all, tfjsonpath.New("ids"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(all, tfjsonpath.New("rules"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(headers, tfjsonpath.New("ids"), knownvalue.ListSizeExact(1)),
					statecheck.CompareValuePairs(headers, tfjsonpath.New("rules").AtSliceIndex(0).AtMapKey("id"), "lbaas_l7rule.header", tfjsonpath.New("id"), compare.ValuesSame()),
				},
			},
			{
				// Two rules and no filter: not one rule.
				Config: base + `
data "lbaas_l7rule" "ambiguous" {
  l7policy_id = lbaas_l7policy.to_pool.id
}
`,
				ExpectError: l7dsErrorRegexp("More than one L7 rule found"),
			},
		},
	})
}
