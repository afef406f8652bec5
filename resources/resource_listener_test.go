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

// Listener ports of the listener tests (each test has its own load
// balancer; distinct ports keep them apart on a shared VIP anyway).
const (
	listenerPortBasic = 20000 + iota
	listenerPortUpdate
	listenerPortImport
	listenerPortDisappears
	listenerPortBad
	listenerPortDefaultPool
)

// testAccListenerConfig is a load balancer and a listener on port with
// extra attribute lines.
func testAccListenerConfig(name, protocol string, port int, extra string) string {
	return testAccLoadBalancerConfig(name, "") + fmt.Sprintf(`
resource "lbaas_listener" "test" {
  name            = %[1]q
  loadbalancer_id = lbaas_loadbalancer.test.id
  protocol        = %[2]q
  protocol_port   = %[3]d
%[4]s
}
`, name, protocol, port, extra)
}

func deleteListener(ctx context.Context, api *octavia.Client, id string) error {
	if err := api.DeleteListener(ctx, id); err != nil {
		return err
	}
	if _, err := api.WaitListener(ctx, octavia.ActionDelete, id); err != nil && !errors.Is(err, octavia.ErrNotFound) {
		return err
	}
	return nil
}

func TestAccListener_basic(t *testing.T) {
	name := testAccName("li")
	res := "lbaas_listener.test"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckDestroyed(t),
		Steps: []resource.TestStep{{
			Config:           testAccListenerConfig(name, lb.ProtocolHTTP, listenerPortBasic, ""),
			ConfigPlanChecks: testAccEmptyPlanAfterApply(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(res, tfjsonpath.New("id"), knownvalue.StringRegexp(uuidRegexp)),
				statecheck.CompareValuePairs(res, tfjsonpath.New("loadbalancer_id"),
					"lbaas_loadbalancer.test", tfjsonpath.New("id"), compare.ValuesSame()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact(name)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("protocol"), knownvalue.StringExact(lb.ProtocolHTTP)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("protocol_port"), knownvalue.Int64Exact(listenerPortBasic)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("admin_state_up"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("connection_limit"), knownvalue.Int64Exact(-1)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("client_authentication"), knownvalue.StringExact(lb.ClientAuthNone)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("timeout_client_data"), knownvalue.Int64Exact(lb.DefaultTimeoutClientData)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("timeout_member_connect"), knownvalue.Int64Exact(lb.DefaultTimeoutMemberConnect)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("timeout_member_data"), knownvalue.Int64Exact(lb.DefaultTimeoutMemberData)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("timeout_tcp_inspect"), knownvalue.Int64Exact(lb.DefaultTimeoutTCPInspect)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("insert_headers"), knownvalue.MapExact(map[string]knownvalue.Check{})),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("allowed_cidrs"), knownvalue.SetExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("default_pool_id"), knownvalue.Null()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("provisioning_status"), knownvalue.StringExact(lb.StatusActive)),
			},
		}},
	})
}

func TestAccListener_update(t *testing.T) {
	name := testAccName("li-upd")
	res := "lbaas_listener.test"
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: testAccListenerConfig(name, lb.ProtocolHTTP, listenerPortUpdate, `
  connection_limit = 100
  insert_headers   = { "X-Forwarded-For" = "true" }
  tags             = ["one"]
`),
				ConfigPlanChecks: testAccEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("connection_limit"), knownvalue.Int64Exact(100)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("insert_headers"), knownvalue.MapExact(map[string]knownvalue.Check{
						"X-Forwarded-For": knownvalue.StringExact("true"),
					})),
				},
			},
			{
				Config: testAccListenerConfig(name+"-2", lb.ProtocolHTTP, listenerPortUpdate, `
  description            = "updated"
  connection_limit       = 2000
  timeout_client_data    = 60000
  timeout_member_connect = 3000
  timeout_member_data    = 70000
  timeout_tcp_inspect    = 10
  insert_headers         = { "X-Forwarded-Port" = "true", "X-Forwarded-Proto" = "true" }
  allowed_cidrs          = ["192.0.2.0/24", "198.51.100.0/24"]
  admin_state_up         = false
  tags                   = ["two", "three"]
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact(name+"-2")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("description"), knownvalue.StringExact("updated")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("connection_limit"), knownvalue.Int64Exact(2000)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("timeout_client_data"), knownvalue.Int64Exact(60000)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("timeout_member_connect"), knownvalue.Int64Exact(3000)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("timeout_member_data"), knownvalue.Int64Exact(70000)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("timeout_tcp_inspect"), knownvalue.Int64Exact(10)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("insert_headers"), knownvalue.MapExact(map[string]knownvalue.Check{
						"X-Forwarded-Port": knownvalue.StringExact("true"), "X-Forwarded-Proto": knownvalue.StringExact("true"),
					})),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("allowed_cidrs"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("192.0.2.0/24"), knownvalue.StringExact("198.51.100.0/24"),
					})),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("admin_state_up"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("provisioning_status"), knownvalue.StringExact(lb.StatusActive)),
				},
			},
			{
				// Removed attributes return to Octavia's defaults.
				Config:           testAccListenerConfig(name, lb.ProtocolHTTP, listenerPortUpdate, ""),
				ConfigPlanChecks: testAccEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("connection_limit"), knownvalue.Int64Exact(-1)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("timeout_client_data"), knownvalue.Int64Exact(lb.DefaultTimeoutClientData)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("insert_headers"), knownvalue.MapExact(map[string]knownvalue.Check{})),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("allowed_cidrs"), knownvalue.SetExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{})),
				},
			},
			{
				// A changed port replaces the listener.
				Config: testAccListenerConfig(name, lb.ProtocolHTTP, listenerPortUpdate+100, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccListener_import(t *testing.T) {
	name := testAccName("li-imp")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: testAccListenerConfig(name, lb.ProtocolTCP, listenerPortImport, `
  description   = "imported"
  allowed_cidrs = ["203.0.113.0/24"]
  tags          = ["x"]
`),
				ConfigPlanChecks: testAccEmptyPlanAfterApply(),
			},
			{
				ResourceName:            "lbaas_listener.test",
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}

func TestAccListener_disappears(t *testing.T) {
	name := testAccName("li-gone")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckDestroyed(t),
		Steps: []resource.TestStep{{
			Config:             testAccListenerConfig(name, lb.ProtocolTCP, listenerPortDisappears, ""),
			Check:              testAccDisappears(t, "lbaas_listener.test", deleteListener),
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("lbaas_listener.test", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("lbaas_loadbalancer.test", plancheck.ResourceActionNoop),
				},
			},
		}},
	})
}

// TestAccListener_defaultPoolFromPool: a pool created with the listener's
// listener_id becomes its default pool on the server; the listener reports
// it without a diff and keeps it through an update (a full-state PUT).
func TestAccListener_defaultPoolFromPool(t *testing.T) {
	name := testAccName("li-pool")
	res := "lbaas_listener.test"
	pool := func(listenerName string) string {
		return testAccListenerConfig(listenerName, lb.ProtocolHTTP, listenerPortDefaultPool, "") + fmt.Sprintf(`
resource "lbaas_pool" "test" {
  name         = %q
  listener_id  = lbaas_listener.test.id
  protocol     = "HTTP"
  lb_algorithm = "ROUND_ROBIN"
}
`, name)
	}
	isDefaultPool := statecheck.CompareValuePairs(res, tfjsonpath.New("default_pool_id"),
		"lbaas_pool.test", tfjsonpath.New("id"), compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckDestroyed(t),
		Steps: []resource.TestStep{
			{Config: pool(name), ConfigPlanChecks: testAccEmptyPlanAfterApply()},
			{
				// The refresh brings the default pool into the state.
				Config:            pool(name),
				ConfigPlanChecks:  testAccEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{isDefaultPool},
			},
			{
				Config: pool(name + "-2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{isDefaultPool},
			},
		},
	})
}

// TestAccListener_planRejectsBadConfig: Octavia's listener rules fail at
// plan (no load balancer is created), each on its attribute.
func TestAccListener_planRejectsBadConfig(t *testing.T) {
	const lbID = "00000000-0000-4000-8000-000000000001"
	cfg := func(protocol string, port int, extra string) string {
		return fmt.Sprintf(`
resource "lbaas_listener" "test" {
  loadbalancer_id = %q
  protocol        = %q
  protocol_port   = %d
%s
}
`, lbID, protocol, port, extra)
	}
	errAt := testAccErrorAt
	steps := []resource.TestStep{
		{Config: cfg("HTTP", 70000, ""), ExpectError: errAt(`protocol_port`, `must be between 1 and 65535, got:\s+70000`)},
		{Config: cfg("HTTP", listenerPortBad, "  timeout_client_data = -1"), ExpectError: errAt(`timeout_client_data`, `must be between 0 and\s+2073600000, got: -1`)},
		{Config: cfg("HTTP", listenerPortBad, "  connection_limit = -2"), ExpectError: errAt(`connection_limit`, `must be at least -1`)},
		{Config: cfg("FTP", listenerPortBad, ""), ExpectError: errAt(`protocol`, `value must be one of`)},
		{
			Config:      cfg("TCP", listenerPortBad, `  insert_headers = { "X-Forwarded-For" = "true" }`),
			ExpectError: errAt(`insert_headers`, `insert-headers is not a valid option for a TCP\s+protocol\s+listener`),
		},
		{
			Config:      cfg("HTTP", listenerPortBad, `  insert_headers = { "X-SSL-Client-CN" = "true" }`),
			ExpectError: errAt(`insert_headers`, `X-SSL-Client-CN.*is not a valid option for HTTP\s+protocol\s+listener`),
		},
		{Config: cfg("UDP", listenerPortBad, `  insert_headers = { "X-Forwarded-For" = "true" }`), ExpectError: errAt(`insert_headers`, `not a valid option`)},
		{
			Config:      cfg("TERMINATED_HTTPS", listenerPortBad, ""),
			ExpectError: regexp.MustCompile(`(?s)Invalid default_tls_container_ref for Octavia.*must be\s+provided for\s+TERMINATED_HTTPS`),
		},
		{
			Config:      cfg("HTTP", listenerPortBad, `  default_tls_container_ref = "https://barbican.example/v1/containers/x"`),
			ExpectError: errAt(`default_tls_container_ref`, `not allowed on HTTP\s+protocol\s+listeners`),
		},
		{
			Config: cfg("TERMINATED_HTTPS", listenerPortBad, `
  default_tls_container_ref = "https://barbican.example/v1/containers/x"
  client_authentication     = "MANDATORY"
`),
			ExpectError: errAt(`client_authentication`, `requires a client CA container\s+reference`),
		},
		{Config: cfg("HTTP", listenerPortBad, `  allowed_cidrs = ["192.0.2.1/24"]`), ExpectError: errAt(`allowed_cidrs`, `"192.0.2.0/24"`)},
		{Config: cfg("HTTP", listenerPortBad, `  tls_ciphers = "ECDHE RSA"`), ExpectError: errAt(`tls_ciphers`, `Invalid characters in cipher\s+string`)},
		{Config: cfg("HTTP", listenerPortBad, `  name = "`+longName()+`"`), ExpectError: errAt(`name`, `length must be at most 255`)},
	}
	for i := range steps {
		steps[i].PlanOnly = true
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps:                    steps,
	})
}

func longName() string {
	b := make([]byte, 256)
	for i := range b {
		b[i] = 'n'
	}
	return string(b)
}
