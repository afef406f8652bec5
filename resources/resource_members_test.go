package resources_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

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

// testAccMembersConfig is a load balancer, an HTTP listener on port, a
// pool, and (unless members is "-") an lbaas_members of that pool with the
// given members map body and extra attribute lines.
func testAccMembersConfig(name string, port int, members, extra string) string {
	cfg := testAccPoolConfig(name, port, "ROUND_ROBIN", "")
	if members == "-" {
		return cfg
	}
	return cfg + fmt.Sprintf(`
resource "lbaas_members" "test" {
  pool_id = lbaas_pool.test.id
%[2]s
  members = {
%[1]s
  }
}
`, members, extra)
}

// testAccMemberKey is the lbaas_members key of the test member address on
// port.
func testAccMemberKey(port int) string {
	addr := acctest.MemberAddress()
	if strings.Contains(addr, ":") {
		addr = "[" + addr + "]"
	}
	return addr + ":" + strconv.Itoa(port)
}

// testAccMembersEntry is one entry of the members map.
func testAccMembersEntry(port int, body string) string {
	return fmt.Sprintf("    %q = {%s}\n", testAccMemberKey(port), body)
}

// testAccCheckPoolMembers asserts through the API that the pool of
// lbaas_pool.test has exactly the members of want (port → weight), all on
// the test member address.
func testAccCheckPoolMembers(t *testing.T, want map[int]int) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		poolID := s.RootModule().Resources["lbaas_pool.test"].Primary.ID
		ms, err := testAccAPI(t).ListMembers(context.Background(), poolID, nil)
		if err != nil {
			return err
		}
		got := map[int]int{}
		for _, m := range ms {
			if m.Address != acctest.MemberAddress() {
				return fmt.Errorf("unexpected member %s on %s", m.ID, m.Address)
			}
			if _, dup := got[m.ProtocolPort]; dup {
				return fmt.Errorf("two members on port %d", m.ProtocolPort)
			}
			got[m.ProtocolPort] = m.Weight
		}
		if fmt.Sprint(sortedPairs(got)) != fmt.Sprint(sortedPairs(want)) {
			return fmt.Errorf("pool %s: want members (port→weight) %v, got %v", poolID, sortedPairs(want), sortedPairs(got))
		}
		return nil
	}
}

func sortedPairs(m map[int]int) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, fmt.Sprintf("%d→%d", k, v))
	}
	sort.Strings(out)
	return out
}

// testAccAddExternalMember creates a member outside Terraform on port (as
// another tool would) in the pool of lbaas_pool.test.
func testAccAddExternalMember(t *testing.T, port int) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		api := testAccAPI(t)
		poolID := s.RootModule().Resources["lbaas_pool.test"].Primary.ID
		m, err := api.CreateMember(ctx, poolID, &lb.Member{
			Address: acctest.MemberAddress(), ProtocolPort: port, Weight: lb.DefaultWeight, AdminStateUp: true,
		})
		if err != nil {
			return err
		}
		_, err = api.WaitMember(ctx, octavia.ActionCreate, poolID, m.ID)
		return err
	}
}

func membersAttr(key, attr string) tfjsonpath.Path {
	return tfjsonpath.New("members").AtMapKey(key).AtMapKey(attr)
}

func TestAccMembers_basic(t *testing.T) {
	name := testAccName("mbs")
	res := "lbaas_members.test"
	k1, k2 := testAccMemberKey(8080), testAccMemberKey(8081)
	members := testAccMembersEntry(8080, "") + testAccMembersEntry(8081, `
      name   = "second"
      weight = 5
      tags   = ["t"]
    `)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckPoolAreaDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:           testAccMembersConfig(name, membersPortBasic, members, ""),
				ConfigPlanChecks: testAccEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("additive_only"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(res, membersAttr(k1, "id"), knownvalue.StringRegexp(uuidRegexp)),
					statecheck.ExpectKnownValue(res, membersAttr(k1, "address"), knownvalue.StringExact(acctest.MemberAddress())),
					statecheck.ExpectKnownValue(res, membersAttr(k1, "protocol_port"), knownvalue.Int64Exact(8080)),
					statecheck.ExpectKnownValue(res, membersAttr(k1, "weight"), knownvalue.Int64Exact(lb.DefaultWeight)),
					statecheck.ExpectKnownValue(res, membersAttr(k1, "name"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(res, membersAttr(k1, "backup"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(res, membersAttr(k1, "admin_state_up"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(res, membersAttr(k1, "provisioning_status"), knownvalue.StringExact(lb.StatusActive)),
					statecheck.ExpectKnownValue(res, membersAttr(k2, "id"), knownvalue.StringRegexp(uuidRegexp)),
					statecheck.ExpectKnownValue(res, membersAttr(k2, "name"), knownvalue.StringExact("second")),
					statecheck.ExpectKnownValue(res, membersAttr(k2, "weight"), knownvalue.Int64Exact(5)),
					statecheck.ExpectKnownValue(res, membersAttr(k2, "tags"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("t")})),
				},
				Check: testAccCheckPoolMembers(t, map[int]int{8080: 1, 8081: 5}),
			},
			{
				// Destroying lbaas_members (additive_only = false) empties the
				// pool, a member made outside Terraform included.
				Config: testAccMembersConfig(name, membersPortBasic, members, ""),
				Check:  testAccAddExternalMember(t, 9999),
				// The external member is drift: the refresh shows it and
				// the plan removes it.
				ExpectNonEmptyPlan: true,
			},
			{
				Config:           testAccMembersConfig(name, membersPortBasic, "-", ""),
				ConfigPlanChecks: testAccEmptyPlanAfterApply(),
				Check:            testAccCheckPoolMembers(t, map[int]int{}),
			},
		},
	})
}

func TestAccMembers_update(t *testing.T) {
	name := testAccName("mbs-up")
	res := "lbaas_members.test"
	inPlace := resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
	var firstID string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckPoolAreaDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: testAccMembersConfig(name, membersPortUpdate,
					testAccMembersEntry(8080, "")+testAccMembersEntry(8081, "")+testAccMembersEntry(8082, ""), ""),
				ConfigPlanChecks: testAccEmptyPlanAfterApply(),
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckPoolMembers(t, map[int]int{8080: 1, 8081: 1, 8082: 1}),
					func(s *terraform.State) error {
						firstID = s.RootModule().Resources[res].Primary.Attributes[fmt.Sprintf("members.%s.id", testAccMemberKey(8080))]
						return nil
					},
				),
			},
			{
				// Change a weight, remove a key, add one: one batch.
				Config: testAccMembersConfig(name, membersPortUpdate,
					testAccMembersEntry(8080, "weight = 10")+testAccMembersEntry(8082, "")+testAccMembersEntry(8083, `backup = true`), ""),
				ConfigPlanChecks: inPlace,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, membersAttr(testAccMemberKey(8080), "weight"), knownvalue.Int64Exact(10)),
					statecheck.ExpectKnownValue(res, membersAttr(testAccMemberKey(8083), "backup"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("members"), knownvalue.MapSizeExact(3)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckPoolMembers(t, map[int]int{8080: 10, 8082: 1, 8083: 1}),
					func(s *terraform.State) error {
						// A member updated by the batch keeps its ID.
						id := s.RootModule().Resources[res].Primary.Attributes[fmt.Sprintf("members.%s.id", testAccMemberKey(8080))]
						if id != firstID {
							return fmt.Errorf("member %s was replaced (%s → %s)", testAccMemberKey(8080), firstID, id)
						}
						return nil
					},
				),
			},
			{
				// A member made outside Terraform is removed by the next
				// apply (additive_only = false owns the whole pool).
				Config:             testAccMembersConfig(name, membersPortUpdate, testAccMembersEntry(8080, "weight = 10")+testAccMembersEntry(8082, "")+testAccMembersEntry(8083, `backup = true`), ""),
				Check:              testAccAddExternalMember(t, 9999),
				ExpectNonEmptyPlan: true,
			},
			{
				Config:           testAccMembersConfig(name, membersPortUpdate, testAccMembersEntry(8080, "weight = 10")+testAccMembersEntry(8082, "")+testAccMembersEntry(8083, `backup = true`), ""),
				ConfigPlanChecks: inPlace,
				Check:            testAccCheckPoolMembers(t, map[int]int{8080: 10, 8082: 1, 8083: 1}),
			},
			{
				// Empty map: no members.
				Config:           testAccMembersConfig(name, membersPortUpdate, "", ""),
				ConfigPlanChecks: inPlace,
				Check:            testAccCheckPoolMembers(t, map[int]int{}),
			},
		},
	})
}

func TestAccMembers_additiveOnly(t *testing.T) {
	name := testAccName("mbs-add")
	res := "lbaas_members.test"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckPoolAreaDestroyed(t),
		Steps: []resource.TestStep{
			{
				// A member that another tool manages.
				Config: testAccMembersConfig(name, membersPortAdditive, "-", ""),
				Check:  testAccAddExternalMember(t, 9999),
			},
			{
				Config: testAccMembersConfig(name, membersPortAdditive,
					testAccMembersEntry(8080, "")+testAccMembersEntry(8081, "weight = 3"), "  additive_only = true"),
				ConfigPlanChecks: testAccEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("additive_only"), knownvalue.Bool(true)),
					// The other member is not part of this resource.
					statecheck.ExpectKnownValue(res, tfjsonpath.New("members"), knownvalue.MapSizeExact(2)),
				},
				Check: testAccCheckPoolMembers(t, map[int]int{8080: 1, 8081: 3, 9999: 1}),
			},
			{
				// Removing a key deletes that member only.
				Config: testAccMembersConfig(name, membersPortAdditive,
					testAccMembersEntry(8081, "weight = 4"), "  additive_only = true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: testAccCheckPoolMembers(t, map[int]int{8081: 4, 9999: 1}),
			},
			{
				// Destroying it deletes its own members only.
				Config:           testAccMembersConfig(name, membersPortAdditive, "-", ""),
				ConfigPlanChecks: testAccEmptyPlanAfterApply(),
				Check:            testAccCheckPoolMembers(t, map[int]int{9999: 1}),
			},
		},
	})
}

func TestAccMembers_import(t *testing.T) {
	name := testAccName("mbs-imp")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckPoolAreaDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: testAccMembersConfig(name, membersPortImport,
					testAccMembersEntry(8080, `name = "a"`)+testAccMembersEntry(8081, "weight = 0\n      admin_state_up = false"), ""),
				ConfigPlanChecks: testAccEmptyPlanAfterApply(),
			},
			{
				ResourceName:            "lbaas_members.test",
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}

func TestAccMembers_disappears(t *testing.T) {
	name := testAccName("mbs-gone")
	res := "lbaas_members.test"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckPoolAreaDestroyed(t),
		Steps: []resource.TestStep{{
			Config: testAccMembersConfig(name, membersPortDisappears, testAccMembersEntry(8080, "")+testAccMembersEntry(8081, ""), ""),
			Check: func(s *terraform.State) error {
				// One member deleted behind Terraform's back: the plan
				// creates it again (an update of the set).
				a := s.RootModule().Resources[res].Primary.Attributes
				return deleteMember(a["pool_id"])(context.Background(), testAccAPI(t), a[fmt.Sprintf("members.%s.id", testAccMemberKey(8081))])
			},
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
			},
		}},
	})
}

// TestAccMembers_planRejectsBadConfig: malformed keys and Octavia's member
// rules fail at plan, naming the member.
func TestAccMembers_planRejectsBadConfig(t *testing.T) {
	name := testAccName("mbs-bad")
	cfg := func(members string) string {
		return testAccLoadBalancerConfig(name, "") + fmt.Sprintf(`
resource "lbaas_members" "test" {
  pool_id = lbaas_loadbalancer.test.id
  members = {
%s
  }
}
`, members)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      cfg(`"10.0.0.1" = {}`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid member key: a member key is.*Attribute:\s+members\["10\.0\.0\.1"\]`),
			},
			{
				Config:      cfg(`"2001:DB8::1:80" = {}`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)` + testAccWrapped(`a member key is "<IPv4 address>:<port>" or "\[<IPv6 address>\]:<port>", got "2001:DB8::1:80"`)),
			},
			{
				Config:      cfg(`"[2001:DB8::1]:80" = {}`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)` + testAccWrapped(`write member key "\[2001:DB8::1\]:80" as "\[2001:db8::1\]:80"`)),
			},
			{
				Config:      cfg(`"10.0.0.1:0" = {}`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)` + testAccWrapped(`is not a number from 1 to 65535`)),
			},
			{
				Config:      cfg(`"169.254.169.254:80" = {}`),
				PlanOnly:    true,
				ExpectError: testAccErrAtNested(`members["169.254.169.254:80"].address`, `169.254.169.254 is not a valid option for member address`),
			},
			{
				Config:      cfg(`"10.0.0.1:80" = { monitor_address = "10.0.0.999" }`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)` + testAccWrapped(`Value should be IPv4 or IPv6 format`)),
			},
		},
	})
}
