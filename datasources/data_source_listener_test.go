package datasources_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lbaas/terraform-provider-lbaas/internal/acctest"
)

func TestAccListenerDataSources(t *testing.T) {
	name := sdkacctest.RandomWithPrefix("tf-acc-dsl")
	config := testAccCoreConfig(name) + fmt.Sprintf(`
data "lbaas_listener" "by_id" {
  id = lbaas_listener.http.id
}

data "lbaas_listener" "by_port" {
  loadbalancer_id = lbaas_loadbalancer.test.id
  protocol_port   = %[2]d
  depends_on      = [lbaas_listener.tcp]
}

data "lbaas_listener" "by_name_and_tags" {
  name       = %[1]q
  tags       = [%[1]q]
  depends_on = [lbaas_listener.http]
}

data "lbaas_listeners" "of_lb" {
  loadbalancer_id = lbaas_loadbalancer.test.id
  depends_on      = [lbaas_listener.http, lbaas_listener.tcp]
}

data "lbaas_listeners" "tcp_of_lb" {
  loadbalancer_id = lbaas_loadbalancer.test.id
  protocol        = "TCP"
  depends_on      = [lbaas_listener.http, lbaas_listener.tcp]
}
`, name, dsPortTCP)
	http := "lbaas_listener.http"
	sameAs := func(ds, res, attr string) statecheck.StateCheck {
		return statecheck.CompareValuePairs(ds, tfjsonpath.New(attr), res, tfjsonpath.New(attr), compare.ValuesSame())
	}
	var checks []statecheck.StateCheck
	for _, attr := range []string{
		"id", "name", "loadbalancer_id", "protocol", "protocol_port", "connection_limit", "admin_state_up",
		"timeout_client_data", "timeout_member_connect", "timeout_member_data", "timeout_tcp_inspect",
		"insert_headers", "allowed_cidrs", "client_authentication", "tags", "project_id",
	} {
		checks = append(checks, sameAs("data.lbaas_listener.by_id", http, attr))
	}
	checks = append(checks,
		sameAs("data.lbaas_listener.by_port", "lbaas_listener.tcp", "id"),
		sameAs("data.lbaas_listener.by_name_and_tags", http, "id"),
		statecheck.ExpectKnownValue("data.lbaas_listeners.of_lb", tfjsonpath.New("ids"), knownvalue.ListSizeExact(2)),
		statecheck.ExpectKnownValue("data.lbaas_listeners.tcp_of_lb", tfjsonpath.New("listeners"), knownvalue.ListSizeExact(1)),
		statecheck.CompareValuePairs("data.lbaas_listeners.tcp_of_lb", tfjsonpath.New("listeners").AtSliceIndex(0).AtMapKey("id"),
			"lbaas_listener.tcp", tfjsonpath.New("id"), compare.ValuesSame()),
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
data "lbaas_listener" "ambiguous" {
  loadbalancer_id = lbaas_loadbalancer.test.id
  depends_on      = [lbaas_listener.http, lbaas_listener.tcp]
}
`,
				ExpectError: regexp.MustCompile(`More than one listener found`),
			},
		},
	})
}
