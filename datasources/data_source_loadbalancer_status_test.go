package datasources_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

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

// statusConfig is a load balancer with an HTTP listener, its default pool
// (an HTTP pool with listener_id), one member at address:memberPort and an
// HTTP health monitor, plus extra.
func statusConfig(name string, port int, address string, memberPort int, extra string) string {
	return fmt.Sprintf(`
resource "lbaas_loadbalancer" "test" {
  name          = %[1]q
  vip_subnet_id = %[2]q
}

resource "lbaas_listener" "test" {
  name            = "web"
  loadbalancer_id = lbaas_loadbalancer.test.id
  protocol        = "HTTP"
  protocol_port   = %[3]d
}

resource "lbaas_pool" "test" {
  name         = "web"
  listener_id  = lbaas_listener.test.id
  protocol     = "HTTP"
  lb_algorithm = "ROUND_ROBIN"
}

resource "lbaas_member" "test" {
  name          = "backend-1"
  pool_id       = lbaas_pool.test.id
  address       = %[4]q
  protocol_port = %[5]d
}

resource "lbaas_monitor" "test" {
  name        = "http"
  pool_id     = lbaas_pool.test.id
  type        = "HTTP"
  delay       = 1
  timeout     = 1
  max_retries = 1
}
%[6]s`, name, lbacctest.VIPSubnetID(), port, address, memberPort, extra)
}

func TestAccLoadBalancerStatusDataSource_basic(t *testing.T) {
	name := acctest.RandomWithPrefix("tf-acc-status")
	ds, inCheck := "data.lbaas_loadbalancer_status.test", "data.lbaas_loadbalancer_status.in_check"
	// Fresh paths every time: a tfjsonpath.Path shares its steps with the
	// paths built from it.
	pool0 := func(key string) tfjsonpath.Path {
		return tfjsonpath.New("listeners").AtSliceIndex(0).AtMapKey("pools").AtSliceIndex(0).AtMapKey(key)
	}
	member0 := func(key string) tfjsonpath.Path {
		return tfjsonpath.New("listeners").AtSliceIndex(0).AtMapKey("pools").AtSliceIndex(0).
			AtMapKey("members").AtSliceIndex(0).AtMapKey(key)
	}
	anyOperating := knownvalue.StringRegexp(lbStatusRegexp("ONLINE", "OFFLINE", "DEGRADED", "ERROR", "DRAINING", "NO_MONITOR"))
	config := statusConfig(name, l7dsPortStatus, lbacctest.MemberAddress(), 18080, `
data "lbaas_loadbalancer_status" "test" {
  loadbalancer_id = lbaas_loadbalancer.test.id
  depends_on      = [lbaas_member.test, lbaas_monitor.test]

  lifecycle {
    postcondition {
      condition     = self.provisioning_status == "ACTIVE" && length(self.members) == 1
      error_message = "the load balancer is not ACTIVE with one member"
    }
  }
}

check "members_active" {
  assert {
    condition     = alltrue([for m in data.lbaas_loadbalancer_status.test.members : m.provisioning_status == "ACTIVE"])
    error_message = "a member is not ACTIVE"
  }
}
`)
	// A check block with its own (scoped) data source: Terraform reads such
	// a data source again during every apply (hashicorp/terraform#36536),
	// so that read is the one change a plan shows.
	scoped := config + `
check "members_scoped" {
  data "lbaas_loadbalancer_status" "in_check" {
    loadbalancer_id = lbaas_loadbalancer.test.id
  }

  assert {
    condition     = length(data.lbaas_loadbalancer_status.in_check.members) == 1
    error_message = "the load balancer does not have one member"
  }
}
`
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { lbacctest.PreCheck(t) },
		ProtoV6ProviderFactories: lbacctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:           config,
				ConfigPlanChecks: l7dsEmptyPlan(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs(ds, tfjsonpath.New("id"), "lbaas_loadbalancer.test", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("provisioning_status"), knownvalue.StringExact("ACTIVE")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("operating_status"), anyOperating),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("listeners"), knownvalue.ListSizeExact(1)),
					statecheck.CompareValuePairs(ds, tfjsonpath.New("listeners").AtSliceIndex(0).AtMapKey("id"), "lbaas_listener.test", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("listeners").AtSliceIndex(0).AtMapKey("name"), knownvalue.StringExact("web")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("listeners").AtSliceIndex(0).AtMapKey("provisioning_status"), knownvalue.StringExact("ACTIVE")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("listeners").AtSliceIndex(0).AtMapKey("pools"), knownvalue.ListSizeExact(1)),
					statecheck.CompareValuePairs(ds, pool0("id"), "lbaas_pool.test", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(ds, pool0("provisioning_status"), knownvalue.StringExact("ACTIVE")),
					statecheck.CompareValuePairs(ds, pool0("health_monitor").AtMapKey("id"), "lbaas_monitor.test", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(ds, pool0("health_monitor").AtMapKey("type"), knownvalue.StringExact("HTTP")),
					statecheck.ExpectKnownValue(ds, pool0("health_monitor").AtMapKey("name"), knownvalue.StringExact("http")),
					statecheck.ExpectKnownValue(ds, pool0("members"), knownvalue.ListSizeExact(1)),
					statecheck.CompareValuePairs(ds, member0("id"), "lbaas_member.test", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(ds, member0("name"), knownvalue.StringExact("backend-1")),
					statecheck.ExpectKnownValue(ds, member0("address"), knownvalue.StringExact(lbacctest.MemberAddress())),
					statecheck.ExpectKnownValue(ds, member0("protocol_port"), knownvalue.Int64Exact(18080)),
					statecheck.ExpectKnownValue(ds, member0("operating_status"), anyOperating),
					statecheck.ExpectKnownValue(ds, member0("provisioning_status"), knownvalue.StringExact("ACTIVE")),

					statecheck.ExpectKnownValue(ds, tfjsonpath.New("members"), knownvalue.ListSizeExact(1)),
					statecheck.CompareValuePairs(ds, tfjsonpath.New("members").AtSliceIndex(0).AtMapKey("id"), "lbaas_member.test", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs(ds, tfjsonpath.New("members").AtSliceIndex(0).AtMapKey("pool_id"), "lbaas_pool.test", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("members").AtSliceIndex(0).AtMapKey("protocol_port"), knownvalue.Int64Exact(18080)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("members").AtSliceIndex(0).AtMapKey("provisioning_status"), knownvalue.StringExact("ACTIVE")),
				},
			},
			{
				Config:             scoped,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{onlyReads{inCheck}},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs(inCheck, tfjsonpath.New("id"), "lbaas_loadbalancer.test", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs(inCheck, tfjsonpath.New("members").AtSliceIndex(0).AtMapKey("id"), "lbaas_member.test", tfjsonpath.New("id"), compare.ValuesSame()),
				},
			},
		},
	})
}

// TestAccLoadBalancerStatusDataSource_memberHealth: a member in front of a
// real backend is reported ONLINE by the health monitor, and a check block
// (and a postcondition) can assert it; after the backend stops, it is not.
func TestAccLoadBalancerStatusDataSource_memberHealth(t *testing.T) {
	lbacctest.RequiresDataPlane(t)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	}))
	t.Cleanup(backend.Close)
	host, portText, err := net.SplitHostPort(backend.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	backendPort, err := strconv.Atoi(portText)
	if err != nil {
		t.Fatal(err)
	}
	name := acctest.RandomWithPrefix("tf-acc-health")
	ds := "data.lbaas_loadbalancer_status.test"
	dataSource := func(want string) string {
		return fmt.Sprintf(`
data "lbaas_loadbalancer_status" "test" {
  loadbalancer_id = lbaas_loadbalancer.test.id
  depends_on      = [lbaas_member.test, lbaas_monitor.test]

  lifecycle {
    postcondition {
      condition     = alltrue([for m in self.members : m.operating_status == %[1]q])
      error_message = "not every member is %[1]s"
    }
  }
}

check "members_online" {
  assert {
    condition     = alltrue([for m in data.lbaas_loadbalancer_status.test.members : m.operating_status == "ONLINE"])
    error_message = "a member is not ONLINE"
  }
}
`, want)
	}
	config := func(extra string) string { return statusConfig(name, l7dsPortHealth, host, backendPort, extra) }
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { lbacctest.PreCheck(t) },
		ProtoV6ProviderFactories: lbacctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: config(""),
				Check:  waitMemberStatus("lbaas_loadbalancer.test", "lbaas_member.test", "ONLINE"),
			},
			{
				Config:           config(dataSource("ONLINE")),
				ConfigPlanChecks: l7dsEmptyPlan(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("members").AtSliceIndex(0).AtMapKey("operating_status"), knownvalue.StringExact("ONLINE")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("listeners").AtSliceIndex(0).AtMapKey("pools").AtSliceIndex(0).
						AtMapKey("members").AtSliceIndex(0).AtMapKey("operating_status"), knownvalue.StringExact("ONLINE")),
				},
			},
			{
				// The backend goes away: the monitor takes the member down.
				PreConfig: backend.Close,
				Config:    config(""),
				Check:     waitMemberStatus("lbaas_loadbalancer.test", "lbaas_member.test", "ERROR"),
			},
			{
				Config:      config(dataSource("ONLINE")),
				ExpectError: l7dsErrorRegexp("not every member is ONLINE"),
			},
		},
	})
}

// waitMemberStatus polls the load balancer's status tree (through the API,
// as the data source reads it) until the member has the operating status.
func waitMemberStatus(lbName, memberName, want string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		api, err := octavia.New(context.Background(), octavia.Config{Getenv: os.Getenv})
		if err != nil {
			return err
		}
		lbID := s.RootModule().Resources[lbName].Primary.ID
		memberID := s.RootModule().Resources[memberName].Primary.ID
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		last := ""
		for {
			tree, err := api.LoadBalancerStatus(ctx, lbID)
			if err != nil {
				return err
			}
			for _, li := range tree.LoadBalancer.Listeners {
				for _, p := range li.Pools {
					for _, m := range p.Members {
						if m.ID == memberID {
							last = m.OperatingStatus
						}
					}
				}
			}
			if last == want {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("member %s stayed %q, want %s", memberID, last, want)
			case <-time.After(time.Second):
			}
		}
	}
}

// lbStatusRegexp matches exactly one of the statuses.
func lbStatusRegexp(statuses ...string) *regexp.Regexp {
	return regexp.MustCompile(`^(` + strings.Join(statuses, "|") + `)$`)
}

// onlyReads is a plan check: nothing changes but reads of these data
// sources.
type onlyReads []string

func (o onlyReads) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Change.Actions.NoOp() || (rc.Change.Actions.Read() && slices.Contains(o, rc.Address)) {
			continue
		}
		resp.Error = errors.Join(resp.Error, fmt.Errorf("%s has planned actions %v", rc.Address, rc.Change.Actions))
	}
}
