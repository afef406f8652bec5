package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"
	"time"
)

// Item 3: terraform apply and destroy of one load balancer, listener, pool,
// HTTP monitor and N members, as N lbaas_member resources (Terraform's
// default parallelism of 10) and as one lbaas_members, against lbaasd and,
// with -octavia, against the cloud of the OS_* environment. The provider is
// built from this module and reached through dev_overrides (no init, no
// registry).

// tfConfig is the configuration of one scenario (a text/template).
const tfConfig = `terraform {
  required_providers {
    lbaas = {
      source = "lbaas/lbaas"
    }
  }
}

# Credentials and endpoint come from the OS_* environment. The members are
# never sent traffic: nothing needs to listen on their ports.
provider "lbaas" {}

resource "lbaas_loadbalancer" "lb" {
  name          = "{{.Name}}"
  vip_subnet_id = "{{.Subnet}}"
}

resource "lbaas_listener" "http" {
  loadbalancer_id = lbaas_loadbalancer.lb.id
  protocol        = "HTTP"
  protocol_port   = {{.Port}}
}

resource "lbaas_pool" "pool" {
  listener_id  = lbaas_listener.http.id
  protocol     = "HTTP"
  lb_algorithm = "ROUND_ROBIN"
}

resource "lbaas_monitor" "http" {
  pool_id     = lbaas_pool.pool.id
  type        = "HTTP"
  delay       = 5
  timeout     = 3
  max_retries = 3
}
{{if .Each}}
resource "lbaas_member" "m" {
  count         = {{.N}}
  pool_id       = lbaas_pool.pool.id
  address       = "{{.Address}}"
  protocol_port = {{.BasePort}} + count.index
}
{{- else}}
resource "lbaas_members" "m" {
  pool_id = lbaas_pool.pool.id
  members = {
    for i in range({{.N}}) : "{{.Address}}:${ {{- .BasePort}} + i}" => {}
  }
}
{{- end}}
`

// cloudDestroyTime is what an apply against a cloud leaves of the item's
// budget for the destroy that follows it.
const cloudDestroyTime = 4 * time.Minute

// tfScenario fills tfConfig.
type tfScenario struct {
	Name, Subnet, Address string
	Port, BasePort, N     int
	Each                  bool
}

// tfTarget is where Terraform's provider points: lbaasd or a cloud.
type tfTarget struct {
	name    string
	env     []string // the OS_* variables the provider reads
	subnet  string
	address string
	port    int
}

// terraformScenarios is item 3. While the provider built from this module
// lacks the resources the scenarios use, it returns rows that say so.
func (b *bench) terraformScenarios(ctx context.Context) ([]row, error) {
	tf, err := lookTool("terraform")
	if err != nil {
		return []row{text(3, itemTitle(3), "not run", "terraform is not on PATH")}, nil
	}
	dir, err := os.MkdirTemp("", "bench-tf")
	if err != nil {
		return nil, err
	}
	b.atClose(func() { _ = os.RemoveAll(dir) })
	if err := b.buildProvider(ctx, filepath.Join(dir, "plugins")); err != nil {
		return nil, err
	}
	rc := filepath.Join(dir, "terraformrc")
	rcText := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"lbaas/lbaas\" = %q\n  }\n  direct {}\n}\n", filepath.Join(dir, "plugins"))
	if err := os.WriteFile(rc, []byte(rcText), 0o600); err != nil {
		return nil, err
	}
	baseEnv := []string{"TF_CLI_CONFIG_FILE=" + rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OS_") && !strings.HasPrefix(kv, "TF_") {
			baseEnv = append(baseEnv, kv)
		}
	}
	tfr := tfRunner{bin: tf, baseEnv: baseEnv}

	// lbaasd always; with -octavia the cloud too, side by side.
	l, err := b.sharedLbaasd(ctx)
	if err != nil {
		return nil, err
	}
	port, err := b.listenerPort(ctx)
	if err != nil {
		return nil, err
	}
	targets := []tfTarget{{name: "lbaasd", env: []string{"OS_AUTH_TYPE=none", "OS_ENDPOINT=" + l.URL},
		subnet: l.subnetID, address: "127.0.0.1", port: port}}
	var rows []row
	if b.opts.octavia {
		t, err := b.octaviaTarget()
		if err != nil {
			rows = append(rows, text(3, "terraform against Octavia", "not run", err.Error()))
		} else {
			targets = append(targets, t)
		}
	}
	// The probe: validate a configuration of every resource type used.
	probe := filepath.Join(dir, "probe")
	if err := writeTF(probe, tfScenario{Name: "probe", Subnet: targets[0].subnet, Address: "127.0.0.1", Port: 80, BasePort: 1, N: 1, Each: true}); err != nil {
		return nil, err
	}
	if err := appendMembersResource(probe); err != nil {
		return nil, err
	}
	if out, err := tfr.run(ctx, probe, targets[0].env, "validate", "-no-color"); err != nil {
		b.logf("item 3: terraform validate of the probe configuration:\n%s", out)
		why := "provider resources not available"
		if i := strings.Index(out, "does not support resource type"); i >= 0 {
			line, _, _ := strings.Cut(out[i:], "\n")
			why += " (the provider " + strings.TrimSpace(line) + ")"
		} else {
			why += ": " + lastLines(out, 3)
		}
		return append(rows, text(3, itemTitle(3), "not run", why)), nil
	}

	// By N, lbaas_members then N lbaas_member, so that what the deadline
	// leaves out is the largest N. A scenario is skipped when it would not
	// fit in the time left, as estimated from the smaller N: a batch of N
	// members costs one change of the load balancer, N lbaas_member cost N,
	// each about what N lbaas_member cost more than a batch of N.
	ns := pick(b.opts, []int{10, 100, 300}, []int{10})
	if len(b.opts.members) > 0 {
		ns = b.opts.members
	}
	for _, t := range targets {
		type key struct {
			n    int
			each bool
		}
		took := map[key]time.Duration{}
		prev := 0
		for _, n := range ns {
			for _, each := range []bool{false, true} {
				var estimate time.Duration
				if batch, one := took[key{prev, false}], took[key{prev, true}]; prev > 0 && batch > 0 {
					estimate = batch * 3 / 2
					if each && one > 0 {
						perMember := max(one-batch, 0) / time.Duration(prev)
						estimate = max(took[key{n, false}], batch) + perMember*time.Duration(n)
					}
				}
				r, d := b.tfScenario(ctx, tfr, filepath.Join(dir, fmt.Sprintf("%s-%d-%t", t.name, n, each)), t, n, each, estimate)
				rows = append(rows, r...)
				took[key{n, each}] = d
			}
			prev = n
		}
	}
	return rows, nil
}

// tfScenario applies and destroys one configuration and returns both
// timings and the time both took. It is not run when estimate (the time it
// is expected to take) is more than what is left.
func (b *bench) tfScenario(ctx context.Context, tfr tfRunner, dir string, t tfTarget, n int, each bool, estimate time.Duration) ([]row, time.Duration) {
	kind := fmt.Sprintf("%d × lbaas_member", n)
	if !each {
		kind = fmt.Sprintf("lbaas_members of %d", n)
	}
	figure := func(verb string) string {
		return fmt.Sprintf("terraform %s: LB + listener + pool + HTTP monitor + %s (%s)", verb, kind, t.name)
	}
	// Against a cloud, the apply stops cloudDestroyTime before the item's
	// deadline: the destroy that follows must not leave anything behind.
	// Against lbaasd, the bench's teardown removes whatever is left.
	cloud := t.name != "lbaasd"
	applyCtx := ctx
	if dl, ok := ctx.Deadline(); ok && cloud {
		var cancel context.CancelFunc
		applyCtx, cancel = context.WithDeadline(ctx, dl.Add(-cloudDestroyTime))
		defer cancel()
	}
	left := time.Hour
	if dl, ok := applyCtx.Deadline(); ok {
		left = time.Until(dl)
	}
	if left < 30*time.Second || estimate*5/4 > left {
		why := fmt.Sprintf("%s left of the deadline", left.Round(time.Second))
		if estimate > 0 {
			why = fmt.Sprintf("apply + destroy would take about %s (estimated from the smaller N), %s", estimate.Round(time.Second), why)
		}
		return []row{text(3, figure("apply + destroy"), "not run", why)}, estimate
	}
	sc := tfScenario{Name: fmt.Sprintf("bench-tf-%d-%t", n, each), Subnet: t.subnet, Address: t.address, Port: t.port, BasePort: 22000, N: n, Each: each}
	if err := writeTF(dir, sc); err != nil {
		return []row{text(3, figure("apply"), "error", err.Error())}, 0
	}
	b.logf("item 3: apply %s (%s)", kind, t.name)
	start := time.Now()
	out, err := tfr.run(applyCtx, dir, t.env, "apply", "-auto-approve", "-input=false", "-no-color")
	applied := time.Since(start)
	applyOK := err == nil
	var rows []row
	switch {
	case err != nil && applyCtx.Err() != nil:
		rows = append(rows, text(3, figure("apply"), "stopped", fmt.Sprintf("killed at the deadline after %s", applied.Round(time.Second))))
	case err != nil:
		rows = append(rows, text(3, figure("apply"), "error", fmt.Sprintf("after %s: %s", applied.Round(time.Second), lastLines(out, 4))))
	default:
		rows = append(rows, ms(3, figure("apply"), applied, "default parallelism (10)"))
	}
	// Destroy even after a failed apply: against a cloud nothing may stay,
	// so there it may run into the teardown reserve (never past the
	// overall deadline).
	dctx := ctx
	if dl, ok := ctx.Deadline(); ok && cloud {
		var cancel context.CancelFunc
		dctx, cancel = context.WithDeadline(context.WithoutCancel(ctx), dl.Add(teardownReserve*3/4))
		defer cancel()
	}
	b.logf("item 3: destroy %s (%s)", kind, t.name)
	start = time.Now()
	out, err = tfr.run(dctx, dir, t.env, "destroy", "-auto-approve", "-input=false", "-no-color")
	destroyed := time.Since(start)
	switch {
	case err != nil && dctx.Err() != nil:
		rows = append(rows, text(3, figure("destroy"), "stopped", fmt.Sprintf("killed at the deadline after %s", destroyed.Round(time.Second))))
	case err != nil:
		rows = append(rows, text(3, figure("destroy"), "error", fmt.Sprintf("after %s: %s", destroyed.Round(time.Second), lastLines(out, 4))))
	case !applyOK:
		rows = append(rows, text(3, figure("destroy"), fmtMS(destroyed), "after a failed apply: not comparable"))
	default:
		rows = append(rows, ms(3, figure("destroy"), destroyed, ""))
	}
	return rows, applied + destroyed
}

// tfRunner runs terraform with a fixed base environment.
type tfRunner struct {
	bin     string
	baseEnv []string
}

func (r tfRunner) run(ctx context.Context, dir string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, r.bin, args...)
	cmd.Dir = dir
	cmd.Env = append(append([]string(nil), r.baseEnv...), env...)
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func writeTF(dir string, sc tfScenario) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmpl, err := template.New("main.tf").Parse(tfConfig)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, sc); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "main.tf"), buf.Bytes(), 0o600)
}

// appendMembersResource adds an lbaas_members to a configuration that has
// lbaas_member, so that the probe validates both.
func appendMembersResource(dir string) error {
	sc := tfScenario{Address: "127.0.0.1", BasePort: 1, N: 1}
	tmpl, err := template.New("members").Parse(tfConfig[strings.Index(tfConfig, "{{if .Each}}"):])
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, sc); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, "main.tf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// buildProvider builds the provider of this module into dir under the name
// dev_overrides looks for.
func (b *bench) buildProvider(ctx context.Context, dir string) error {
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(dir, "terraform-provider-lbaas"), ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the provider: %w\n%s", err, out)
	}
	b.logf("built the provider in %s", time.Since(start).Round(100*time.Millisecond))
	return nil
}

func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run bench from inside the module (go run ./bench)")
	}
	return filepath.Dir(mod), nil
}

// octaviaTarget is the cloud of the OS_* environment, as
// testenv/openstack/acc-env.sh prints it.
func (b *bench) octaviaTarget() (tfTarget, error) {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "OS_") {
			env = append(env, kv)
		}
	}
	if b.getenv("OS_CLOUD") == "" && b.getenv("OS_AUTH_URL") == "" {
		return tfTarget{}, errors.New(`no cloud in the environment: eval "$(bash testenv/openstack/acc-env.sh)" first (make bench-octavia does)`)
	}
	subnet := b.getenv("LBAAS_ACC_VIP_SUBNET_ID")
	if subnet == "" {
		return tfTarget{}, errors.New("LBAAS_ACC_VIP_SUBNET_ID is not set (testenv/openstack/acc-env.sh sets it)")
	}
	address := b.getenv("LBAAS_ACC_MEMBER_ADDRESS")
	if address == "" {
		address = "10.0.0.50"
	}
	return tfTarget{name: "Octavia", env: env, subnet: subnet, address: address, port: 80}, nil
}

// lastLines is the end of a command's output, on one line.
func lastLines(out string, n int) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var keep []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep[max(0, len(keep)-n):], " / ")
}
