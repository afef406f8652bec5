package resources_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lbaas/terraform-provider-lbaas/internal/acctest"
	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/octavia"
)

// testAccMonitorConfig is a load balancer, an HTTP listener on port, a
// pool, and a health monitor named name of type typ on that pool with extra
// attribute lines.
func testAccMonitorConfig(name string, port int, typ, extra string) string {
	return testAccPoolConfig(name, port, "ROUND_ROBIN", "") + fmt.Sprintf(`
resource "lbaas_monitor" "test" {
  name        = %[1]q
  pool_id     = lbaas_pool.test.id
  type        = %[2]q
  delay       = 5
  timeout     = 3
  max_retries = 2
%[3]s
}
`, name, typ, extra)
}

func deleteMonitor(ctx context.Context, api *octavia.Client, id string) error {
	if err := api.DeleteHealthMonitor(ctx, id); err != nil {
		return err
	}
	if _, err := api.WaitHealthMonitor(ctx, octavia.ActionDelete, id); err != nil && !errors.Is(err, octavia.ErrNotFound) {
		return err
	}
	return nil
}

func TestAccMonitor_basic(t *testing.T) {
	name := testAccName("hm")
	res := "lbaas_monitor.test"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckPoolAreaDestroyed(t),
		Steps: []resource.TestStep{{
			Config:           testAccMonitorConfig(name, monitorPortBasic, lb.MonitorHTTP, ""),
			ConfigPlanChecks: testAccEmptyPlanAfterApply(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(res, tfjsonpath.New("id"), knownvalue.StringRegexp(uuidRegexp)),
				statecheck.CompareValuePairs(res, tfjsonpath.New("pool_id"), "lbaas_pool.test", tfjsonpath.New("id"), compare.ValuesSame()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact(name)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("type"), knownvalue.StringExact(lb.MonitorHTTP)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("delay"), knownvalue.Int64Exact(5)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("timeout"), knownvalue.Int64Exact(3)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("max_retries"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("max_retries_down"), knownvalue.Int64Exact(lb.DefaultMaxRetriesDown)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("http_method"), knownvalue.StringExact(lb.DefaultHTTPMethod)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("url_path"), knownvalue.StringExact(lb.DefaultURLPath)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("expected_codes"), knownvalue.StringExact(lb.DefaultExpectedCodes)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("http_version"), knownvalue.Null()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("domain_name"), knownvalue.Null()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("admin_state_up"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("provisioning_status"), knownvalue.StringExact(lb.StatusActive)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("operating_status"), knownvalue.NotNull()),
			},
		}},
	})
}

// TestAccMonitor_tcp: a TCP monitor has no HTTP fields, and no diff for
// them.
func TestAccMonitor_tcp(t *testing.T) {
	name := testAccName("hm-tcp")
	res := "lbaas_monitor.test"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckPoolAreaDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:           testAccMonitorConfig(name, monitorPortTCP, lb.MonitorTCP, ""),
				ConfigPlanChecks: testAccEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("http_method"), knownvalue.Null()),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("url_path"), knownvalue.Null()),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("expected_codes"), knownvalue.Null()),
				},
			},
			{
				// An update of another field plans no HTTP field.
				Config: testAccMonitorConfig(name, monitorPortTCP, lb.MonitorTCP, "  max_retries_down = 4"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(res, tfjsonpath.New("url_path"), knownvalue.Null()),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccMonitor_update(t *testing.T) {
	name := testAccName("hm-up")
	res := "lbaas_monitor.test"
	inPlace := resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckPoolAreaDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:           testAccMonitorConfig(name, monitorPortUpdate, lb.MonitorHTTP, ""),
				ConfigPlanChecks: testAccEmptyPlanAfterApply(),
			},
			{
				Config: testAccMonitorConfig(name+"-2", monitorPortUpdate, lb.MonitorHTTP, `
  max_retries_down = 5
  http_method      = "HEAD"
  url_path         = "/healthz"
  expected_codes   = "200-204"
  http_version     = 1.1
  domain_name      = "app.example.com"
  admin_state_up   = false
  tags             = ["hm"]
`),
				ConfigPlanChecks: inPlace,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact(name+"-2")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("max_retries_down"), knownvalue.Int64Exact(5)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("http_method"), knownvalue.StringExact("HEAD")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("url_path"), knownvalue.StringExact("/healthz")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("expected_codes"), knownvalue.StringExact("200-204")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("http_version"), knownvalue.Float64Exact(1.1)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("domain_name"), knownvalue.StringExact("app.example.com")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("admin_state_up"), knownvalue.Bool(false)),
				},
			},
			{
				// Back to Octavia's defaults.
				Config:           testAccMonitorConfig(name+"-2", monitorPortUpdate, lb.MonitorHTTP, ""),
				ConfigPlanChecks: inPlace,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("max_retries_down"), knownvalue.Int64Exact(lb.DefaultMaxRetriesDown)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("http_method"), knownvalue.StringExact(lb.DefaultHTTPMethod)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("url_path"), knownvalue.StringExact(lb.DefaultURLPath)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("expected_codes"), knownvalue.StringExact(lb.DefaultExpectedCodes)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("http_version"), knownvalue.Null()),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("domain_name"), knownvalue.Null()),
				},
			},
			{
				// The type cannot change in place.
				Config: testAccMonitorConfig(name+"-2", monitorPortUpdate, lb.MonitorTCP, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccMonitor_import(t *testing.T) {
	name := testAccName("hm-imp")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckPoolAreaDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:           testAccMonitorConfig(name, monitorPortImport, lb.MonitorHTTPS, "  url_path = \"/ready\"\n  tags = [\"a\"]"),
				ConfigPlanChecks: testAccEmptyPlanAfterApply(),
			},
			{
				ResourceName:            "lbaas_monitor.test",
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}

func TestAccMonitor_disappears(t *testing.T) {
	name := testAccName("hm-gone")
	res := "lbaas_monitor.test"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckPoolAreaDestroyed(t),
		Steps: []resource.TestStep{{
			Config:             testAccMonitorConfig(name, monitorPortDisappears, lb.MonitorTCP, ""),
			Check:              testAccDisappears(t, res, deleteMonitor),
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("lbaas_pool.test", plancheck.ResourceActionNoop),
				},
			},
		}},
	})
}

// TestAccMonitor_planRejectsBadConfig: Octavia's health monitor rules fail
// at plan, on the attribute.
func TestAccMonitor_planRejectsBadConfig(t *testing.T) {
	name := testAccName("hm-bad")
	cfgDelay := func(typ string, delay int, extra string) string {
		return testAccLoadBalancerConfig(name, "") + fmt.Sprintf(`
resource "lbaas_monitor" "test" {
  pool_id     = lbaas_loadbalancer.test.id
  type        = %q
  delay       = %d
  timeout     = 3
  max_retries = 3
%s
}
`, typ, delay, extra)
	}
	cfg := func(typ, extra string) string { return cfgDelay(typ, 5, extra) }
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg("TCP", `  url_path = "/x"`), PlanOnly: true, ExpectError: testAccErrAt(`url_path`, `url_path is not a valid option for health monitors of type TCP`)},
			{Config: cfg("HTTP", `  expected_codes = "2xx"`), PlanOnly: true, ExpectError: testAccErrAt(`expected_codes`, `Invalid input for field/attribute expected_codes`)},
			{Config: cfg("HTTP", `  url_path = "healthz"`), PlanOnly: true, ExpectError: testAccErrAt(`url_path`, `url_path`)},
			{Config: cfg("HTTP", `  domain_name = "-bad-.example"`+"\n"+`  http_version = 1.1`), PlanOnly: true, ExpectError: testAccErrAt(`domain_name`, `Invalid input for field/attribute domain_name`)},
			{Config: cfg("HTTP", `  domain_name = "example.com"`), PlanOnly: true, ExpectError: regexp.MustCompile(testAccWrapped(`'http_version' must be specified when 'domain_name' is provided\.`))},
			{Config: cfgDelay("UDP-CONNECT", 2, ""), PlanOnly: true, ExpectError: testAccErrAt(`delay`, `The request delay value 2 should be larger than 3 for UDP-CONNECT health monitor type\.`)},
			{Config: cfg("HTTP", `  max_retries_down = 11`), PlanOnly: true, ExpectError: testAccErrAt(`max_retries_down`, `must be between 1 and 10`)},
		},
	})
}
