package datasources_test

import (
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
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	lbacctest "github.com/lbaas/terraform-provider-lbaas/internal/acctest"
)

// Listener ports of the L7 and status data source tests.
const (
	l7dsPortPolicy = 20500 + iota
	l7dsPortRule
	l7dsPortStatus
	l7dsPortHealth
)

// l7dsBaseConfig is a load balancer with an HTTP listener on port, an HTTP
// pool and two L7 policies: "reject" (position 1, tagged) and "to-pool"
// (position 2, redirecting to the pool) with two rules.
func l7dsBaseConfig(name string, port int) string {
	return fmt.Sprintf(`
resource "lbaas_loadbalancer" "test" {
  name          = %[1]q
  vip_subnet_id = %[2]q
}

resource "lbaas_listener" "test" {
  loadbalancer_id = lbaas_loadbalancer.test.id
  protocol        = "HTTP"
  protocol_port   = %[3]d
}

resource "lbaas_pool" "test" {
  loadbalancer_id = lbaas_loadbalancer.test.id
  protocol        = "HTTP"
  lb_algorithm    = "ROUND_ROBIN"
}

resource "lbaas_l7policy" "reject" {
  name        = "reject"
  listener_id = lbaas_listener.test.id
  action      = "REJECT"
  position    = 1
  tags        = [%[1]q]
}

resource "lbaas_l7policy" "to_pool" {
  name             = "to-pool"
  description      = "API traffic"
  listener_id      = lbaas_listener.test.id
  action           = "REDIRECT_TO_POOL"
  redirect_pool_id = lbaas_pool.test.id
  position         = 2
}

resource "lbaas_l7rule" "path" {
  l7policy_id  = lbaas_l7policy.to_pool.id
  type         = "PATH"
  compare_type = "STARTS_WITH"
  value        = "/api"
}

resource "lbaas_l7rule" "header" {
  l7policy_id  = lbaas_l7policy.to_pool.id
  type         = "HEADER"
  compare_type = "EQUAL_TO"
  key          = "X-Version"
  value        = "2"
  tags         = ["header"]
}
`, name, lbacctest.VIPSubnetID(), port)
}

// l7dsErrorRegexp matches the parts in order, whatever the line wrapping.
func l7dsErrorRegexp(parts ...string) *regexp.Regexp {
	quoted := make([]string, 0, len(parts))
	for _, p := range parts {
		quoted = append(quoted, strings.ReplaceAll(regexp.QuoteMeta(p), " ", `\s+`))
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, ".*"))
}

func l7dsEmptyPlan() resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
}

func TestAccL7PolicyDataSource_basic(t *testing.T) {
	name := acctest.RandomWithPrefix("tf-acc-l7ds")
	base := l7dsBaseConfig(name, l7dsPortPolicy)
	byID, byName, byTags, all, redirects := "data.lbaas_l7policy.by_id", "data.lbaas_l7policy.by_name",
		"data.lbaas_l7policy.by_tags", "data.lbaas_l7policies.all", "data.lbaas_l7policies.redirects"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { lbacctest.PreCheck(t) },
		ProtoV6ProviderFactories: lbacctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: base + fmt.Sprintf(`
data "lbaas_l7policy" "by_id" {
  id         = lbaas_l7policy.to_pool.id
  depends_on = [lbaas_l7rule.path, lbaas_l7rule.header]
}

data "lbaas_l7policy" "by_name" {
  listener_id = lbaas_listener.test.id
  name        = "to-pool"
  depends_on  = [lbaas_l7policy.reject, lbaas_l7policy.to_pool]
}

data "lbaas_l7policy" "by_tags" {
  tags       = [%[1]q]
  depends_on = [lbaas_l7policy.reject]
}

data "lbaas_l7policies" "all" {
  listener_id = lbaas_listener.test.id
  depends_on  = [lbaas_l7policy.reject, lbaas_l7policy.to_pool]
}

data "lbaas_l7policies" "redirects" {
  listener_id = lbaas_listener.test.id
  action      = "REDIRECT_TO_POOL"
  depends_on  = [lbaas_l7policy.reject, lbaas_l7policy.to_pool]
}
`, name),
				ConfigPlanChecks: l7dsEmptyPlan(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs(byID, tfjsonpath.New("id"), "lbaas_l7policy.to_pool", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs(byID, tfjsonpath.New("listener_id"), "lbaas_listener.test", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs(byID, tfjsonpath.New("redirect_pool_id"), "lbaas_pool.test", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("name"), knownvalue.StringExact("to-pool")),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("description"), knownvalue.StringExact("API traffic")),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("action"), knownvalue.StringExact("REDIRECT_TO_POOL")),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("position"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("redirect_http_code"), knownvalue.Null()),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("redirect_url"), knownvalue.Null()),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("admin_state_up"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("provisioning_status"), knownvalue.StringExact("ACTIVE")),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("rule_ids"), knownvalue.ListSizeExact(2)),

					statecheck.CompareValuePairs(byName, tfjsonpath.New("id"), "lbaas_l7policy.to_pool", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs(byTags, tfjsonpath.New("id"), "lbaas_l7policy.reject", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(byTags, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(name)})),

					// Ordered by position.
					statecheck.ExpectKnownValue(all, tfjsonpath.New("ids"), knownvalue.ListSizeExact(2)),
					statecheck.CompareValuePairs(all, tfjsonpath.New("ids").AtSliceIndex(0), "lbaas_l7policy.reject", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs(all, tfjsonpath.New("ids").AtSliceIndex(1), "lbaas_l7policy.to_pool", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(all, tfjsonpath.New("l7policies").AtSliceIndex(0).AtMapKey("name"), knownvalue.StringExact("reject")),
					statecheck.ExpectKnownValue(all, tfjsonpath.New("l7policies").AtSliceIndex(0).AtMapKey("position"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(all, tfjsonpath.New("l7policies").AtSliceIndex(1).AtMapKey("action"), knownvalue.StringExact("REDIRECT_TO_POOL")),

					statecheck.ExpectKnownValue(redirects, tfjsonpath.New("ids"), knownvalue.ListSizeExact(1)),
					statecheck.CompareValuePairs(redirects, tfjsonpath.New("ids").AtSliceIndex(0), "lbaas_l7policy.to_pool", tfjsonpath.New("id"), compare.ValuesSame()),
				},
			},
			{
				Config: base + `
data "lbaas_l7policy" "missing" {
  listener_id = lbaas_listener.test.id
  name        = "no-such-policy"
}
`,
				ExpectError: l7dsErrorRegexp("No L7 policy found", `name="no-such-policy"`),
			},
			{
				Config: base + `
data "lbaas_l7policy" "ambiguous" {
  listener_id = lbaas_listener.test.id
}
`,
				ExpectError: l7dsErrorRegexp("More than one L7 policy found"),
			},
		},
	})
}
