package resources_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

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

// testAccMemberConfig is a load balancer, an HTTP listener on port, a pool
// and a member named name of that pool on the test member address and
// memberPort, with extra attribute lines for the member.
func testAccMemberConfig(name string, port, memberPort int, extra string) string {
	return testAccPoolConfig(name, port, "ROUND_ROBIN", "") + fmt.Sprintf(`
resource "lbaas_member" "test" {
  name          = %[1]q
  pool_id       = lbaas_pool.test.id
  address       = %[2]q
  protocol_port = %[3]d
%[4]s
}
`, name, acctest.MemberAddress(), memberPort, extra)
}

func deleteMember(poolID string) func(ctx context.Context, api *octavia.Client, id string) error {
	return func(ctx context.Context, api *octavia.Client, id string) error {
		if err := api.DeleteMember(ctx, poolID, id); err != nil {
			return err
		}
		if _, err := api.WaitMember(ctx, octavia.ActionDelete, poolID, id); err != nil && !errors.Is(err, octavia.ErrNotFound) {
			return err
		}
		return nil
	}
}

func TestAccMember_basic(t *testing.T) {
	name := testAccName("mb")
	res := "lbaas_member.test"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckPoolAreaDestroyed(t),
		Steps: []resource.TestStep{{
			Config:           testAccMemberConfig(name, memberPortBasic, 8080, ""),
			ConfigPlanChecks: testAccEmptyPlanAfterApply(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(res, tfjsonpath.New("id"), knownvalue.StringRegexp(uuidRegexp)),
				statecheck.CompareValuePairs(res, tfjsonpath.New("pool_id"), "lbaas_pool.test", tfjsonpath.New("id"), compare.ValuesSame()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact(name)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("address"), knownvalue.StringExact(acctest.MemberAddress())),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("protocol_port"), knownvalue.Int64Exact(8080)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("weight"), knownvalue.Int64Exact(lb.DefaultWeight)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("backup"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("admin_state_up"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("monitor_address"), knownvalue.Null()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("monitor_port"), knownvalue.Null()),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("provisioning_status"), knownvalue.StringExact(lb.StatusActive)),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("operating_status"), knownvalue.NotNull()),
			},
		}},
	})
}

func TestAccMember_update(t *testing.T) {
	name := testAccName("mb-up")
	res := "lbaas_member.test"
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
				Config:           testAccMemberConfig(name, memberPortUpdate, 8080, ""),
				ConfigPlanChecks: testAccEmptyPlanAfterApply(),
			},
			{
				Config: testAccMemberConfig(name, memberPortUpdate, 8080, fmt.Sprintf(`
  weight          = 0
  backup          = true
  admin_state_up  = false
  monitor_address = %q
  monitor_port    = 9090
  tags            = ["blue"]
`, acctest.MemberAddress())),
				ConfigPlanChecks: inPlace,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("weight"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("backup"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("admin_state_up"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("monitor_address"), knownvalue.StringExact(acctest.MemberAddress())),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("monitor_port"), knownvalue.Int64Exact(9090)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("blue")})),
				},
			},
			{
				// Back to the defaults: weight 1, no monitor address/port.
				Config:           testAccMemberConfig(name+"-2", memberPortUpdate, 8080, ""),
				ConfigPlanChecks: inPlace,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact(name+"-2")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("weight"), knownvalue.Int64Exact(lb.DefaultWeight)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("backup"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("monitor_address"), knownvalue.Null()),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("monitor_port"), knownvalue.Null()),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{})),
				},
			},
			{
				// A new port is a new member.
				Config: testAccMemberConfig(name+"-2", memberPortUpdate, 8081, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccMember_import(t *testing.T) {
	name := testAccName("mb-imp")
	res := "lbaas_member.test"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckPoolAreaDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:           testAccMemberConfig(name, memberPortImport, 8080, "  weight = 7\n  tags = [\"x\", \"y\"]"),
				ConfigPlanChecks: testAccEmptyPlanAfterApply(),
			},
			{
				ResourceName:      res,
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					rs := s.RootModule().Resources[res]
					return rs.Primary.Attributes["pool_id"] + "/" + rs.Primary.ID, nil
				},
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				ResourceName:  res,
				ImportState:   true,
				ImportStateId: "no-slash",
				ExpectError:   regexp.MustCompile(`Expected an import ID of the form "<pool_id>/<member_id>"`),
			},
		},
	})
}

func TestAccMember_disappears(t *testing.T) {
	name := testAccName("mb-gone")
	res := "lbaas_member.test"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckPoolAreaDestroyed(t),
		Steps: []resource.TestStep{{
			Config: testAccMemberConfig(name, memberPortDisappears, 8080, ""),
			Check: func(s *terraform.State) error {
				rs := s.RootModule().Resources[res]
				return testAccDisappears(t, res, deleteMember(rs.Primary.Attributes["pool_id"]))(s)
			},
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

// TestAccMember_planRejectsBadConfig: Octavia's member rules fail at plan,
// on the attribute.
func TestAccMember_planRejectsBadConfig(t *testing.T) {
	name := testAccName("mb-bad")
	cfg := func(address string, extra string) string {
		return testAccLoadBalancerConfig(name, "") + fmt.Sprintf(`
resource "lbaas_member" "test" {
  pool_id       = lbaas_loadbalancer.test.id
  address       = %q
  protocol_port = 8080
%s
}
`, address, extra)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg("169.254.169.254", ""), PlanOnly: true, ExpectError: testAccErrAt(`address`, `169.254.169.254 is not a valid option for member address`)},
			{Config: cfg("10.0.0.256", ""), PlanOnly: true, ExpectError: testAccErrAt(`address`, `Value should be IPv4 or IPv6 format`)},
			{Config: cfg("10.0.0.1", "  weight = 257"), PlanOnly: true, ExpectError: testAccErrAt(`weight`, `must be between 0 and 256`)},
			{Config: cfg("10.0.0.1", "  monitor_address = \"x\""), PlanOnly: true, ExpectError: testAccErrAt(`monitor_address`, `Value should be IPv4 or IPv6 format`)},
		},
	})
}

// parallelMembers is the size of TestAccMember_parallel50.
const parallelMembers = 50

// TestAccMember_parallel50 applies one load balancer, listener and pool and
// 50 lbaas_member resources with terraform apply -parallelism=50, then
// proves through the API that the pool has exactly 50 members and no two on
// the same address:port, and through the provider's log that no 409 (and no
// error at all) reached Terraform.
//
// How the parallelism gets to Terraform: terraform-plugin-testing runs
// Terraform through terraform-exec, whose apply always passes
// -parallelism=10 (its default) on the command line. TF_CLI_ARGS_apply does
// reach Terraform (os.Environ is passed through), but Terraform inserts
// those arguments before the command line's, and for a repeated flag the
// last one wins, so TF_CLI_ARGS_apply="-parallelism=50" is overridden (seen
// with Terraform 1.11: 30 one-second sleeps take 3 s with it, 1 s with a
// later -parallelism=50). The test therefore points TF_ACC_TERRAFORM_PATH
// at a wrapper script that rewrites -parallelism=N to -parallelism=50 and
// records every command line; the test asserts that the apply ran with
// -parallelism=50 and, from the provider's log, that more than 10 member
// creates were in flight at once.
//
// How the log is captured: with TF_ACC_LOG_PATH set,
// terraform-plugin-testing's log sink writes the in-process provider's
// logs (framework, protocol, and the Octavia client's messages routed to
// tflog) at TRACE to that file. terraform-plugin-go logs every error
// diagnostic a response carries as "Response contains error diagnostic"
// (with its summary and detail), so "no 409 returned to Terraform" is: the
// apply succeeded, the log holds no such line at all, and no ERROR line of
// the log mentions "409 Conflict". The 409s the client absorbed (the load
// balancer was busy; the client waited and sent again) are counted from
// its "busy, will retry" messages and, against lbaasd, from the server's
// lbaasd_api_requests_total{code="409"}: they are reported, not failed on.
// The duplicates are counted through the API (GET the pool's members).
//
// The test is not parallel (t.Setenv): no other test's provider writes to
// the log while it runs. It needs -timeout above 10m when run with the
// whole package on a slow machine (it alone takes about 5 minutes against
// lbaasd on 2 cores: every member write waits for the load balancer).
func TestAccMember_parallel50(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	acctest.PreCheck(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "provider.log")
	argsPath := filepath.Join(dir, "terraform-args.log")
	t.Setenv("TF_ACC_TERRAFORM_PATH", testAccParallelismWrapper(t, dir, argsPath, parallelMembers))
	t.Setenv("TF_ACC_LOG_PATH", logPath)

	name := testAccName("mb-par")
	const firstPort = 30000
	config := testAccPoolConfig(name, memberPortParallel, "ROUND_ROBIN", "") + fmt.Sprintf(`
resource "lbaas_member" "test" {
  count         = %[1]d
  name          = "%[2]s-${count.index}"
  pool_id       = lbaas_pool.test.id
  address       = %[3]q
  protocol_port = %[4]d + count.index
}
`, parallelMembers, name, acctest.MemberAddress(), firstPort)

	var start time.Time
	var conflictsBefore int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             testAccCheckPoolAreaDestroyed(t),
		Steps: []resource.TestStep{{
			PreConfig: func() {
				conflictsBefore = testAccServerConflicts(t)
				start = time.Now()
			},
			Config:           config,
			ConfigPlanChecks: testAccEmptyPlanAfterApply(),
			Check: resource.ComposeAggregateTestCheckFunc(
				func(*terraform.State) error {
					t.Logf("apply of 1 load balancer, listener, pool and %d members with -parallelism=%d: %s",
						parallelMembers, parallelMembers, time.Since(start).Round(time.Millisecond))
					return nil
				},
				testAccCheckParallelMembers(t, firstPort),
				testAccCheckParallelism(t, argsPath, logPath),
				testAccCheckNo409(t, logPath, conflictsBefore),
			),
		}},
	})
}

// testAccParallelismWrapper writes an executable that runs the real
// Terraform (TF_ACC_TERRAFORM_PATH) with every -parallelism=N replaced by
// -parallelism=n, appending each command line to argsPath.
func testAccParallelismWrapper(t *testing.T, dir, argsPath string, n int) string {
	t.Helper()
	tfPath := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tfPath == "" {
		var err error
		if tfPath, err = exec.LookPath("terraform"); err != nil {
			t.Fatal("no terraform: set TF_ACC_TERRAFORM_PATH")
		}
	}
	script := fmt.Sprintf(`#!/bin/sh
# terraform-exec passes -parallelism=10 to every apply; make it %[1]d.
first=1
for a do
  if [ "$first" = 1 ]; then set --; first=0; fi
  case "$a" in -parallelism=*) a=-parallelism=%[1]d ;; esac
  set -- "$@" "$a"
done
echo "$*" >> %[2]q
exec %[3]q "$@"
`, n, argsPath, tfPath)
	path := filepath.Join(dir, "terraform")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// testAccCheckParallelMembers asserts through the API that the pool has
// exactly parallelMembers members, each on its own address:port, on the
// expected ports, each ACTIVE.
func testAccCheckParallelMembers(t *testing.T, firstPort int) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		poolID := s.RootModule().Resources["lbaas_pool.test"].Primary.ID
		members, err := testAccAPI(t).ListMembers(context.Background(), poolID, nil)
		if err != nil {
			return err
		}
		seen := map[string]string{}
		duplicates := 0
		for _, m := range members {
			key := m.Address + ":" + strconv.Itoa(m.ProtocolPort)
			if other, dup := seen[key]; dup {
				duplicates++
				t.Errorf("members %s and %s are both on %s", other, m.ID, key)
			}
			seen[key] = m.ID
			if m.ProtocolPort < firstPort || m.ProtocolPort >= firstPort+parallelMembers {
				t.Errorf("member %s on unexpected port %d", m.ID, m.ProtocolPort)
			}
			if m.ProvisioningStatus != lb.StatusActive {
				t.Errorf("member %s is %s", m.ID, m.ProvisioningStatus)
			}
		}
		t.Logf("pool %s: %d members, %d distinct address:port, %d duplicates", poolID, len(members), len(seen), duplicates)
		if len(members) != parallelMembers || len(seen) != parallelMembers || duplicates != 0 {
			return fmt.Errorf("want %d members on %d distinct address:port and 0 duplicates, got %d members, %d distinct, %d duplicates",
				parallelMembers, parallelMembers, len(members), len(seen), duplicates)
		}
		// Every member in state is one of them.
		ids := map[string]bool{}
		for _, id := range seen {
			ids[id] = true
		}
		for i := 0; i < parallelMembers; i++ {
			rs, ok := s.RootModule().Resources[fmt.Sprintf("lbaas_member.test.%d", i)]
			if !ok || !ids[rs.Primary.ID] {
				return fmt.Errorf("lbaas_member.test[%d] is not one of the pool's members", i)
			}
		}
		return nil
	}
}

// reqID is the request ID field of a provider log line (hclog writes the
// fields in no fixed order).
var reqID = regexp.MustCompile(`\btf_req_id=(\S+)`)

// memberCreateLine tells whether line is the framework's trace line before
// ("Calling") or after ("Called") an lbaas_member Create, and its request
// ID.
func memberCreateLine(line string) (calling, called bool, id string) {
	if !strings.Contains(line, " tf_resource_type=lbaas_member") {
		return false, false, ""
	}
	m := reqID.FindStringSubmatch(line)
	if m == nil {
		return false, false, ""
	}
	return strings.Contains(line, "Calling provider defined Resource Create:"),
		strings.Contains(line, "Called provider defined Resource Create:"), m[1]
}

// testAccCheckParallelism asserts that Terraform's apply ran with
// -parallelism=parallelMembers and that more than Terraform's default of 10
// member creates were in flight in the provider at once.
func testAccCheckParallelism(t *testing.T, argsPath, logPath string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		args, err := os.ReadFile(argsPath)
		if err != nil {
			return err
		}
		applied := false
		for _, line := range strings.Split(string(args), "\n") {
			if strings.HasPrefix(line, "apply ") && strings.Contains(line, fmt.Sprintf(" -parallelism=%d", parallelMembers)) {
				applied = true
			}
		}
		if !applied {
			return fmt.Errorf("no terraform apply ran with -parallelism=%d; command lines:\n%s", parallelMembers, args)
		}
		inFlight, maxInFlight, creates := map[string]bool{}, 0, 0
		err = scanLog(logPath, func(line string) {
			switch calling, called, id := memberCreateLine(line); {
			case calling:
				inFlight[id] = true
				creates++
				maxInFlight = max(maxInFlight, len(inFlight))
			case called:
				delete(inFlight, id)
			}
		})
		if err != nil {
			return err
		}
		t.Logf("provider log: %d lbaas_member creates, at most %d in flight at once", creates, maxInFlight)
		if creates != parallelMembers {
			return fmt.Errorf("want %d lbaas_member creates in the provider's log, found %d", parallelMembers, creates)
		}
		if maxInFlight <= 10 {
			return fmt.Errorf("at most %d lbaas_member creates were in flight at once: the apply did not run with -parallelism=%d", maxInFlight, parallelMembers)
		}
		return nil
	}
}

// conflict409 is how the Octavia client writes a 409 answer
// ("PUT …/members/…: 409 Conflict").
var conflict409 = regexp.MustCompile(`(?i)\b409 Conflict\b`)

// testAccCheckNo409 asserts that no error diagnostic (so no 409) reached
// Terraform and that no ERROR line of the provider's log mentions a 409,
// and reports the 409s the client absorbed.
func testAccCheckNo409(t *testing.T, logPath string, conflictsBefore int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		errorDiags, error409, retried := 0, 0, 0
		err := scanLog(logPath, func(line string) {
			switch {
			case strings.Contains(line, "Response contains error diagnostic"):
				errorDiags++
				t.Errorf("error diagnostic returned to Terraform: %s", line)
			case strings.Contains(line, "[ERROR]") && conflict409.MatchString(line):
				error409++
				t.Errorf("409 logged as an error: %s", line)
			case strings.Contains(line, "busy, will retry"):
				retried++
			}
		})
		if err != nil {
			return err
		}
		server := "n/a (not lbaasd)"
		if n := testAccServerConflicts(t); n >= 0 && conflictsBefore >= 0 {
			server = strconv.Itoa(n - conflictsBefore)
		}
		t.Logf("provider log: %d error diagnostics returned to Terraform, %d ERROR lines with 409; "+
			"409s absorbed by the client (busy, will retry): %d; 409s sent by the server during the test: %s",
			errorDiags, error409, retried, server)
		if errorDiags != 0 || error409 != 0 {
			return fmt.Errorf("%d error diagnostics and %d ERROR lines with 409 in the provider's log", errorDiags, error409)
		}
		return nil
	}
}

// scanLog calls fn on each line of the log at path.
func scanLog(path string, fn func(line string)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		fn(sc.Text())
	}
	return sc.Err()
}

// testAccServerConflicts is the number of 409 answers lbaasd has sent
// (lbaasd_api_requests_total{code="409"} summed over methods), or -1 when
// the target is not lbaasd or the metrics cannot be read.
func testAccServerConflicts(t *testing.T) int {
	t.Helper()
	endpoint := os.Getenv("OS_ENDPOINT")
	if acctest.Target() != acctest.TargetLbaasd || endpoint == "" {
		return -1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The endpoint is the lbaasd that acctest.Main started for this test run.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(endpoint, "/")+"/metrics", nil) //nolint:gosec // G704: our own lbaasd, see above.
	if err != nil {
		return -1
	}
	resp, err := http.DefaultClient.Do(req) //nolint:gosec // G704: our own lbaasd, see above.
	if err != nil {
		t.Logf("reading lbaasd metrics: %v", err)
		return -1
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return -1
	}
	total := 0
	for _, line := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(line, "lbaasd_api_requests_total{") || !strings.Contains(line, `code="409"`) {
			continue
		}
		fields := strings.Fields(line)
		if v, err := strconv.ParseFloat(fields[len(fields)-1], 64); err == nil {
			total += int(v)
		}
	}
	return total
}
