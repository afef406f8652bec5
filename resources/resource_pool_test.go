package resources_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
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

// Listener ports of the pool, member and monitor tests: each test has its
// own load balancer (and VIP); distinct ports keep them apart anyway.
const (
	poolPortBasic = 21000 + iota
	poolPortUpdate
	poolPortImport
	poolPortDisappears
	poolPortBad
	memberPortBasic
	memberPortUpdate
	memberPortImport
	memberPortDisappears
	memberPortParallel
	membersPortBasic
	membersPortUpdate
	membersPortAdditive
	membersPortImport
	membersPortDisappears
	monitorPortBasic
	monitorPortUpdate
	monitorPortImport
	monitorPortDisappears
	monitorPortBad
	monitorPortTCP
)

// testAccPoolConfig is a load balancer, an HTTP listener on port and an
// HTTP pool named name on that listener with algorithm, with extra
// attribute lines for the pool.
func testAccPoolConfig(name string, port int, algorithm, extra string) string {
	return testAccLoadBalancerConfig(name, "") + fmt.Sprintf(`
resource "lbaas_listener" "test" {
  name            = %[1]q
  loadbalancer_id = lbaas_loadbalancer.test.id
  protocol        = "HTTP"
  protocol_port   = %[2]d
}

resource "lbaas_pool" "test" {
  name         = %[1]q
  listener_id  = lbaas_listener.test.id
  protocol     = "HTTP"
  lb_algorithm = %[3]q
%[4]s
}
`, name, port, algorithm, extra)
}

// testAccCheckPoolAreaDestroyed asserts through the API that no pool,
// member or health monitor of the state is left, then that no load
// balancer or listener is (testAccCheckDestroyed).
func testAccCheckPoolAreaDestroyed(t *testing.T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		api := testAccAPI(t)
		ctx := context.Background()
		for name, rs := range s.RootModule().Resources {
			var err error
			switch rs.Type {
			case "lbaas_pool":
				_, err = api.GetPool(ctx, rs.Primary.ID)
			case "lbaas_member":
				_, err = api.GetMember(ctx, rs.Primary.Attributes["pool_id"], rs.Primary.ID)
			case "lbaas_monitor":
				_, err = api.GetHealthMonitor(ctx, rs.Primary.ID)
			case "lbaas_members":
				var ms []*lb.Member
				ms, err = api.ListMembers(ctx, rs.Primary.Attributes["pool_id"], nil)
				if err == nil && len(ms) > 0 {
					return fmt.Errorf("%s: pool %s still has %d members", name, rs.Primary.Attributes["pool_id"], len(ms))
				}
				if err == nil {
					continue
				}
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
		return testAccCheckDestroyed(t)(s)
	}
}

func deletePool(ctx context.Context, api *octavia.Client, id string) error {
	if err := api.DeletePool(ctx, id); err != nil {
		return err
	}
	if _, err := api.WaitPool(ctx, octavia.ActionDelete, id); err != nil && !errors.Is(err, octavia.ErrNotFound) {
		return err
	}
	return nil
}

// testAccErrAt matches a plan error on a top-level attribute: Terraform
// prints the offending line, then the message.
func testAccErrAt(attribute, message string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + attribute + `\s+=.*` + testAccWrapped(message))
}

// testAccErrAtNested matches a plan error on a nested attribute: Terraform
// shows only the resource's line, so the provider names the attribute path
// in the detail ("Attribute: session_persistence.type").
func testAccErrAtNested(attributePath, message string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + testAccWrapped(message) + `.*Attribute:\s+` + regexp.QuoteMeta(attributePath))
}

// testAccWrapped lets each space of a message pattern match the line breaks
// Terraform puts in long diagnostics.
func testAccWrapped(pattern string) string { return strings.ReplaceAll(pattern, " ", `\s+`) }

func TestAccPool_basic(t *testing.T) {
	name := testAccName("pool")
	res := "lbaas_pool.test"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckPoolAreaDestroyed(t),
		Steps: []resource.TestStep{{
			Config:           testAccPoolConfig(name, poolPortBasic, "ROUND_ROBIN", ""),
			ConfigPlanChecks: testAccEmptyPlanAfterApply(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(res, tfjsonpath.New("id"), knownvalue.StringRegexp(uuidRegexp)),
				statecheck.CompareValuePairs(res, tfjsonpath.New("listener_id"),
					"lbaas_listener.test", tfjsonpath.New("id"), compare.ValuesSame()),
				statecheck.CompareValuePairs(res, tfjsonpath.New("loadbalancer_id"),
					"lbaas_loadbalancer.test", tfjsonpath.New("id"), compare.ValuesSame()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact(name)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("description"), knownvalue.StringExact("")),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("protocol"), knownvalue.StringExact(lb.ProtocolHTTP)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("lb_algorithm"), knownvalue.StringExact(lb.AlgorithmRoundRobin)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("session_persistence"), knownvalue.Null()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("tls_enabled"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("admin_state_up"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("provisioning_status"), knownvalue.StringExact(lb.StatusActive)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("operating_status"), knownvalue.NotNull()),
			},
		}},
	})
}

func TestAccPool_update(t *testing.T) {
	name := testAccName("pool-up")
	res := "lbaas_pool.test"
	updateInPlace := func() resource.ConfigPlanChecks {
		return resource.ConfigPlanChecks{
			PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckPoolAreaDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:           testAccPoolConfig(name, poolPortUpdate, "ROUND_ROBIN", ""),
				ConfigPlanChecks: testAccEmptyPlanAfterApply(),
			},
			{
				Config: testAccPoolConfig(name+"-2", poolPortUpdate, "LEAST_CONNECTIONS", `
  description    = "updated"
  admin_state_up = false
  tags           = ["a", "b"]
  session_persistence = {
    type = "SOURCE_IP"
  }
`),
				ConfigPlanChecks: updateInPlace(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact(name+"-2")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("description"), knownvalue.StringExact("updated")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("lb_algorithm"), knownvalue.StringExact(lb.AlgorithmLeastConnections)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("admin_state_up"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("a"), knownvalue.StringExact("b"),
					})),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("session_persistence").AtMapKey("type"),
						knownvalue.StringExact(lb.PersistenceSourceIP)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("session_persistence").AtMapKey("cookie_name"), knownvalue.Null()),
				},
			},
			{
				Config: testAccPoolConfig(name+"-2", poolPortUpdate, "ROUND_ROBIN", `
  session_persistence = {
    type        = "APP_COOKIE"
    cookie_name = "SESSIONID"
  }
`),
				ConfigPlanChecks: updateInPlace(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("description"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("lb_algorithm"), knownvalue.StringExact(lb.AlgorithmRoundRobin)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("admin_state_up"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("session_persistence").AtMapKey("type"),
						knownvalue.StringExact(lb.PersistenceAppCookie)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("session_persistence").AtMapKey("cookie_name"),
						knownvalue.StringExact("SESSIONID")),
				},
			},
			{
				// Removing the block turns persistence off (a PUT with
				// session_persistence null).
				Config:           testAccPoolConfig(name+"-2", poolPortUpdate, "ROUND_ROBIN", ""),
				ConfigPlanChecks: updateInPlace(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("session_persistence"), knownvalue.Null()),
				},
				Check: func(s *terraform.State) error {
					p, err := testAccAPI(t).GetPool(context.Background(), s.RootModule().Resources[res].Primary.ID)
					if err != nil {
						return err
					}
					if p.SessionPersistence != nil {
						return fmt.Errorf("Octavia still reports session_persistence %+v", *p.SessionPersistence)
					}
					return nil
				},
			},
		},
	})
}

func TestAccPool_import(t *testing.T) {
	name := testAccName("pool-imp")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckPoolAreaDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: testAccPoolConfig(name, poolPortImport, "ROUND_ROBIN", `
  description = "imported"
  tags        = ["x"]
  session_persistence = {
    type        = "APP_COOKIE"
    cookie_name = "JSESSIONID"
  }
`),
				ConfigPlanChecks: testAccEmptyPlanAfterApply(),
			},
			{
				ResourceName:            "lbaas_pool.test",
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}

func TestAccPool_disappears(t *testing.T) {
	name := testAccName("pool-gone")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckPoolAreaDestroyed(t),
		Steps: []resource.TestStep{{
			Config:             testAccPoolConfig(name, poolPortDisappears, "ROUND_ROBIN", ""),
			Check:              testAccDisappears(t, "lbaas_pool.test", deletePool),
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("lbaas_pool.test", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("lbaas_listener.test", plancheck.ResourceActionNoop),
				},
			},
		}},
	})
}

// TestAccPool_planRejectsBadPersistence: Octavia's session persistence (and
// TLS) rules fail at plan, on the nested attribute, with Octavia's message,
// while the load balancer (whose ID the pool uses) is not even created.
//
// The issue asks for "HTTP_COOKIE persistence on a TCP pool"; Octavia
// accepts that combination (check_session_persistence only refuses cookie
// types on UDP/SCTP pools), so the provider plans it with a warning (HAProxy
// ignores cookies in TCP mode), and the rejected case is the one Octavia
// rejects: HTTP_COOKIE on a UDP pool.
func TestAccPool_planRejectsBadPersistence(t *testing.T) {
	name := testAccName("pool-bad")
	cfg := func(protocol, extra string) string {
		return testAccLoadBalancerConfig(name, "") + fmt.Sprintf(`
resource "lbaas_pool" "test" {
  loadbalancer_id = lbaas_loadbalancer.test.id
  protocol        = %q
  lb_algorithm    = "ROUND_ROBIN"
%s
}
`, protocol, extra)
	}
	sp := func(body string) string { return "  session_persistence = {\n" + body + "\n  }" }
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      cfg("UDP", sp(`    type = "HTTP_COOKIE"`)),
				PlanOnly:    true,
				ExpectError: testAccErrAtNested(`session_persistence.type`, `Session persistence of type HTTP_COOKIE is not supported for\s+UDP/SCTP protocol pools\.`),
			},
			{
				Config:      cfg("SCTP", sp(`    type = "APP_COOKIE"`+"\n"+`    cookie_name = "C"`)),
				PlanOnly:    true,
				ExpectError: testAccErrAtNested(`session_persistence.cookie_name`, `Cookie names are not supported for UDP/SCTP pools\.`),
			},
			{
				Config:      cfg("TCP", sp(`    type = "SOURCE_IP"`+"\n"+`    persistence_timeout = 60`)),
				PlanOnly:    true,
				ExpectError: testAccErrAtNested(`session_persistence.persistence_timeout`, `persistence_timeout and persistence_granularity is only for UDP and\s+SCTP protocol pools\.`),
			},
			{
				Config:      cfg("HTTP", sp(`    type = "APP_COOKIE"`)),
				PlanOnly:    true,
				ExpectError: testAccErrAtNested(`session_persistence.cookie_name`, `Field "cookie_name" must be specified when using the "APP_COOKIE"\s+session persistence type\.`),
			},
			{
				Config:      cfg("HTTP", sp(`    type = "HTTP_COOKIE"`+"\n"+`    cookie_name = "C"`)),
				PlanOnly:    true,
				ExpectError: testAccErrAtNested(`session_persistence.cookie_name`, `Field "cookie_name" can only be specified with session persistence of\s+type "APP_COOKIE"\.`),
			},
			{
				Config:      cfg("HTTP", sp(`    type = "APP_COOKIE"`+"\n"+`    cookie_name = "a;b"`)),
				PlanOnly:    true,
				ExpectError: testAccErrAtNested(`session_persistence.cookie_name`, `Invalid input for field/attribute cookie_name`),
			},
			{
				Config:      cfg("HTTP", `  crl_container_ref = "http://barbican/v1/containers/crl"`),
				PlanOnly:    true,
				ExpectError: testAccErrAt(`crl_container_ref`, `A CA certificate reference is required to specify a revocation\s+list\.`),
			},
			{
				// Octavia's API accepts cookie persistence on a TCP pool, and
				// its HAProxy ignores it: the provider refuses it at plan.
				Config:      cfg("TCP", sp(`    type = "HTTP_COOKIE"`)),
				PlanOnly:    true,
				ExpectError: testAccErrAtNested(`session_persistence.type`, `Session persistence of type HTTP_COOKIE has no effect on a TCP pool`),
			},
			{
				Config:      cfg("HTTPS", sp(`    type = "APP_COOKIE"`+"\n"+`    cookie_name = "C"`)),
				PlanOnly:    true,
				ExpectError: testAccErrAtNested(`session_persistence.type`, `Session persistence of type APP_COOKIE has no effect on a HTTPS pool`),
			},
		},
	})
}

// TestAccPool_planRejectsProtocolForListener: a pool whose protocol its
// (existing) listener cannot take fails at plan, on `protocol`, with
// Octavia's message, and nothing is created.
func TestAccPool_planRejectsProtocolForListener(t *testing.T) {
	name := testAccName("pool-udp")
	base := testAccLoadBalancerConfig(name, "") + `
resource "lbaas_listener" "udp" {
  loadbalancer_id = lbaas_loadbalancer.test.id
  protocol        = "UDP"
  protocol_port   = 5353
}
`
	pool := func(protocol string) string {
		return base + fmt.Sprintf(`
resource "lbaas_pool" "test" {
  listener_id  = lbaas_listener.udp.id
  protocol     = %q
  lb_algorithm = "ROUND_ROBIN"
}
`, protocol)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckDestroyed(t),
		Steps: []resource.TestStep{
			{Config: base},
			{
				Config:      pool("HTTP"),
				PlanOnly:    true,
				ExpectError: testAccErrAt(`protocol`, `The pool protocol 'HTTP' is invalid while the listener protocol is 'UDP'\.`),
			},
			{
				Config:      pool("TCP"),
				PlanOnly:    true,
				ExpectError: testAccErrAt(`protocol`, `The pool protocol 'TCP' is invalid while the listener protocol is 'UDP'\.`),
			},
			{
				Config: pool("UDP"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.TestCheckResourceAttr("lbaas_pool.test", "provisioning_status", "ACTIVE"),
			},
		},
	})
}
