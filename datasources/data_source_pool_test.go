package datasources_test

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lbaas/terraform-provider-lbaas/internal/acctest"
)

// Listener ports of the pool, member and monitor data source tests.
const (
	pmdsPortPool = 20700 + iota
	pmdsPortMember
	pmdsPortMonitor
)

// pmdsConfig is a load balancer, an HTTP listener on port, a pool on it
// with a health monitor and two members, and a second pool (TCP, on the
// load balancer only), all named after name.
func pmdsConfig(name string, port int) string {
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

resource "lbaas_pool" "http" {
  name         = %[1]q
  listener_id  = lbaas_listener.test.id
  protocol     = "HTTP"
  lb_algorithm = "ROUND_ROBIN"
  tags         = [%[1]q, "http"]
  session_persistence = {
    type        = "APP_COOKIE"
    cookie_name = "SID"
  }
}

resource "lbaas_pool" "tcp" {
  name            = "%[1]s-tcp"
  loadbalancer_id = lbaas_loadbalancer.test.id
  protocol        = "TCP"
  lb_algorithm    = "LEAST_CONNECTIONS"
}

resource "lbaas_monitor" "test" {
  name        = %[1]q
  pool_id     = lbaas_pool.http.id
  type        = "HTTP"
  delay       = 5
  timeout     = 3
  max_retries = 2
  url_path    = "/healthz"
  tags        = [%[1]q]
}

resource "lbaas_members" "test" {
  pool_id = lbaas_pool.http.id
  members = {
    %[4]q = { name = "a" }
    %[5]q = { name = "b", weight = 3, tags = ["blue"] }
  }
}
`, name, acctest.VIPSubnetID(), port,
		net.JoinHostPort(acctest.MemberAddress(), "8080"), net.JoinHostPort(acctest.MemberAddress(), "8081"))
}

func pmdsSame(ds, res string, dsAttr, resAttr tfjsonpath.Path) statecheck.StateCheck {
	return statecheck.CompareValuePairs(ds, dsAttr, res, resAttr, compare.ValuesSame())
}

func TestAccPoolDataSources(t *testing.T) {
	name := sdkacctest.RandomWithPrefix("tf-acc-dsp")
	config := pmdsConfig(name, pmdsPortPool) + fmt.Sprintf(`
data "lbaas_pool" "by_id" {
  id         = lbaas_pool.http.id
  depends_on = [lbaas_monitor.test, lbaas_members.test]
}

data "lbaas_pool" "by_lb_and_protocol" {
  loadbalancer_id = lbaas_loadbalancer.test.id
  protocol        = "TCP"
  depends_on      = [lbaas_pool.http, lbaas_pool.tcp]
}

data "lbaas_pool" "by_name_and_tags" {
  name       = %[1]q
  tags       = ["http"]
  depends_on = [lbaas_pool.http]
}

data "lbaas_pools" "of_lb" {
  loadbalancer_id = lbaas_loadbalancer.test.id
  depends_on      = [lbaas_pool.http, lbaas_pool.tcp]
}

data "lbaas_pools" "least_conn" {
  loadbalancer_id = lbaas_loadbalancer.test.id
  lb_algorithm    = "LEAST_CONNECTIONS"
  depends_on      = [lbaas_pool.http, lbaas_pool.tcp]
}
`, name)
	ds, res := "data.lbaas_pool.by_id", "lbaas_pool.http"
	var checks []statecheck.StateCheck
	for _, attr := range []string{
		"id", "name", "description", "loadbalancer_id", "listener_id", "protocol", "lb_algorithm", "admin_state_up",
		"tls_enabled", "tags", "provisioning_status",
	} {
		checks = append(checks, pmdsSame(ds, res, tfjsonpath.New(attr), tfjsonpath.New(attr)))
	}
	checks = append(checks,
		statecheck.ExpectKnownValue(ds, tfjsonpath.New("session_persistence").AtMapKey("type"), knownvalue.StringExact("APP_COOKIE")),
		statecheck.ExpectKnownValue(ds, tfjsonpath.New("session_persistence").AtMapKey("cookie_name"), knownvalue.StringExact("SID")),
		pmdsSame(ds, "lbaas_monitor.test", tfjsonpath.New("healthmonitor_id"), tfjsonpath.New("id")),
		statecheck.ExpectKnownValue(ds, tfjsonpath.New("member_ids"), knownvalue.ListSizeExact(2)),
		pmdsSame("data.lbaas_pool.by_lb_and_protocol", "lbaas_pool.tcp", tfjsonpath.New("id"), tfjsonpath.New("id")),
		statecheck.ExpectKnownValue("data.lbaas_pool.by_lb_and_protocol", tfjsonpath.New("session_persistence"), knownvalue.Null()),
		statecheck.ExpectKnownValue("data.lbaas_pool.by_lb_and_protocol", tfjsonpath.New("healthmonitor_id"), knownvalue.Null()),
		pmdsSame("data.lbaas_pool.by_name_and_tags", res, tfjsonpath.New("id"), tfjsonpath.New("id")),
		statecheck.ExpectKnownValue("data.lbaas_pools.of_lb", tfjsonpath.New("ids"), knownvalue.ListSizeExact(2)),
		statecheck.ExpectKnownValue("data.lbaas_pools.least_conn", tfjsonpath.New("pools"), knownvalue.ListSizeExact(1)),
		pmdsSame("data.lbaas_pools.least_conn", "lbaas_pool.tcp", tfjsonpath.New("pools").AtSliceIndex(0).AtMapKey("id"), tfjsonpath.New("id")),
	)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             checkDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigPlanChecks:  emptyPlanAfterApply(),
				ConfigStateChecks: checks,
			},
			{
				Config: config + `
data "lbaas_pool" "ambiguous" {
  loadbalancer_id = lbaas_loadbalancer.test.id
  depends_on      = [lbaas_pool.http, lbaas_pool.tcp]
}
`,
				ExpectError: regexp.MustCompile(`More than one pool found`),
			},
		},
	})
}

func TestAccMemberDataSources(t *testing.T) {
	name := sdkacctest.RandomWithPrefix("tf-acc-dsm")
	key := func(port int) string { return net.JoinHostPort(acctest.MemberAddress(), strconv.Itoa(port)) }
	config := pmdsConfig(name, pmdsPortMember) + `
data "lbaas_member" "by_id" {
  pool_id = lbaas_pool.http.id
  id      = lbaas_members.test.members["` + key(8081) + `"].id
}

data "lbaas_member" "by_port" {
  pool_id       = lbaas_pool.http.id
  protocol_port = 8080
  depends_on    = [lbaas_members.test]
}

data "lbaas_members" "all" {
  pool_id    = lbaas_pool.http.id
  depends_on = [lbaas_members.test]
}

data "lbaas_members" "tagged" {
  pool_id    = lbaas_pool.http.id
  tags       = ["blue"]
  depends_on = [lbaas_members.test]
}
`
	ds, res := "data.lbaas_member.by_id", "lbaas_members.test"
	m := func(port int, attr string) tfjsonpath.Path {
		return tfjsonpath.New("members").AtMapKey(key(port)).AtMapKey(attr)
	}
	var checks []statecheck.StateCheck
	for _, attr := range []string{"id", "name", "address", "protocol_port", "weight", "backup", "admin_state_up", "tags", "provisioning_status"} {
		checks = append(checks, pmdsSame(ds, res, tfjsonpath.New(attr), m(8081, attr)))
	}
	checks = append(checks,
		pmdsSame(ds, "lbaas_pool.http", tfjsonpath.New("pool_id"), tfjsonpath.New("id")),
		pmdsSame("data.lbaas_member.by_port", res, tfjsonpath.New("id"), m(8080, "id")),
		statecheck.ExpectKnownValue("data.lbaas_members.all", tfjsonpath.New("ids"), knownvalue.ListSizeExact(2)),
		statecheck.ExpectKnownValue("data.lbaas_members.tagged", tfjsonpath.New("members"), knownvalue.ListSizeExact(1)),
		pmdsSame("data.lbaas_members.tagged", res, tfjsonpath.New("members").AtSliceIndex(0).AtMapKey("id"), m(8081, "id")),
	)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             checkDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigPlanChecks:  emptyPlanAfterApply(),
				ConfigStateChecks: checks,
			},
			{
				Config: config + `
data "lbaas_member" "none" {
  pool_id       = lbaas_pool.http.id
  protocol_port = 9999
  depends_on    = [lbaas_members.test]
}
`,
				ExpectError: regexp.MustCompile(`No member found`),
			},
		},
	})
}

func TestAccMonitorDataSources(t *testing.T) {
	name := sdkacctest.RandomWithPrefix("tf-acc-dsh")
	config := pmdsConfig(name, pmdsPortMonitor) + `
data "lbaas_monitor" "by_id" {
  id = lbaas_monitor.test.id
}

data "lbaas_monitor" "by_pool" {
  pool_id    = lbaas_pool.http.id
  depends_on = [lbaas_monitor.test]
}

data "lbaas_monitors" "of_pool" {
  pool_id    = lbaas_pool.http.id
  depends_on = [lbaas_monitor.test]
}

data "lbaas_monitors" "tcp_of_pool" {
  pool_id    = lbaas_pool.http.id
  type       = "TCP"
  depends_on = [lbaas_monitor.test]
}
`
	ds, res := "data.lbaas_monitor.by_id", "lbaas_monitor.test"
	var checks []statecheck.StateCheck
	for _, attr := range []string{
		"id", "name", "pool_id", "type", "delay", "timeout", "max_retries", "max_retries_down", "http_method",
		"url_path", "expected_codes", "http_version", "domain_name", "admin_state_up", "tags",
	} {
		checks = append(checks, pmdsSame(ds, res, tfjsonpath.New(attr), tfjsonpath.New(attr)))
	}
	checks = append(checks,
		pmdsSame("data.lbaas_monitor.by_pool", res, tfjsonpath.New("id"), tfjsonpath.New("id")),
		statecheck.ExpectKnownValue("data.lbaas_monitors.of_pool", tfjsonpath.New("ids"), knownvalue.ListSizeExact(1)),
		statecheck.ExpectKnownValue("data.lbaas_monitors.tcp_of_pool", tfjsonpath.New("monitors"), knownvalue.ListSizeExact(0)),
	)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             checkDestroyed(t),
		Steps: []resource.TestStep{{
			Config:            config,
			ConfigPlanChecks:  emptyPlanAfterApply(),
			ConfigStateChecks: checks,
		}},
	})
}
