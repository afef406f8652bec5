package resources_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/lbaas/terraform-provider-lbaas/resources"
)

// testValidateConfig calls r's ValidateConfig with the attributes of cfg
// (every other attribute null), as Terraform does at plan time.
func testValidateConfig(t *testing.T, r resource.Resource, cfg map[string]tftypes.Value) diag.Diagnostics {
	t.Helper()
	ctx := context.Background()
	var sch resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sch)
	if sch.Diagnostics.HasError() {
		t.Fatalf("schema: %v", sch.Diagnostics)
	}
	typ, ok := sch.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatal("schema type is not an object")
	}
	vals := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range cfg {
		if _, ok := vals[name]; !ok {
			t.Fatalf("no attribute %q", name)
		}
		vals[name] = v
	}
	vr, ok := r.(resource.ResourceWithValidateConfig)
	if !ok {
		t.Fatal("no ValidateConfig")
	}
	var resp resource.ValidateConfigResponse
	vr.ValidateConfig(ctx, resource.ValidateConfigRequest{Config: tfsdk.Config{Schema: sch.Schema, Raw: tftypes.NewValue(typ, vals)}}, &resp)
	return resp.Diagnostics
}

var (
	tfStr     = func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	tfNum     = func(n int) tftypes.Value { return tftypes.NewValue(tftypes.Number, n) }
	tfUnknown = func(t tftypes.Type) tftypes.Value { return tftypes.NewValue(t, tftypes.UnknownValue) }
	tfStrMap  = func(m map[string]string) tftypes.Value {
		vals := map[string]tftypes.Value{}
		for k, v := range m {
			vals[k] = tfStr(v)
		}
		return tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, vals)
	}
	tfStrSet = func(vs ...string) tftypes.Value {
		vals := []tftypes.Value{}
		for _, v := range vs {
			vals = append(vals, tfStr(v))
		}
		return tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, vals)
	}
)

// TestListenerValidateConfig: Octavia's rules run on known values, point at
// the attribute, and never fire because of a value not known yet.
func TestListenerValidateConfig(t *testing.T) {
	t.Parallel()
	const lbID = "00000000-0000-4000-8000-0000000000aa"
	base := func(protocol string, extra map[string]tftypes.Value) map[string]tftypes.Value {
		cfg := map[string]tftypes.Value{"loadbalancer_id": tfStr(lbID), "protocol": tfStr(protocol), "protocol_port": tfNum(8080)}
		for k, v := range extra {
			cfg[k] = v
		}
		return cfg
	}
	cert := tfStr("https://barbican.example/v1/containers/c")
	for _, tc := range []struct {
		name string
		cfg  map[string]tftypes.Value
		path string // "" = no error
		msg  string
	}{
		{"plain HTTP", base("HTTP", nil), "", ""},
		{"unknown protocol skips the rules", base("", map[string]tftypes.Value{
			"protocol": tfUnknown(tftypes.String), "insert_headers": tfStrMap(map[string]string{"X-Forwarded-For": "true"}),
		}), "", ""},
		{"insert_headers on TCP", base("TCP", map[string]tftypes.Value{
			"insert_headers": tfStrMap(map[string]string{"X-Forwarded-For": "true"}),
		}), "insert_headers", "not a valid option for a TCP protocol listener"},
		{"X-SSL header on HTTP", base("HTTP", map[string]tftypes.Value{
			"insert_headers": tfStrMap(map[string]string{"X-SSL-Client-DN": "true"}),
		}), "insert_headers", "is not a valid option for HTTP protocol listener"},
		{"X-SSL header on TERMINATED_HTTPS", base("TERMINATED_HTTPS", map[string]tftypes.Value{
			"default_tls_container_ref": cert, "insert_headers": tfStrMap(map[string]string{"X-SSL-Client-DN": "true"}),
		}), "", ""},
		{"TERMINATED_HTTPS without certificate", base("TERMINATED_HTTPS", nil),
			"default_tls_container_ref", "must be provided for TERMINATED_HTTPS"},
		{"TERMINATED_HTTPS with a certificate not known yet", base("TERMINATED_HTTPS", map[string]tftypes.Value{
			"default_tls_container_ref": tfUnknown(tftypes.String),
		}), "", ""},
		{"TERMINATED_HTTPS with SNI not known yet", base("TERMINATED_HTTPS", map[string]tftypes.Value{
			"sni_container_refs": tfUnknown(tftypes.Set{ElementType: tftypes.String}),
		}), "", ""},
		{"certificate on HTTP", base("HTTP", map[string]tftypes.Value{"default_tls_container_ref": cert}),
			"default_tls_container_ref", "not allowed on HTTP protocol listeners"},
		{"certificate not known yet on HTTP", base("HTTP", map[string]tftypes.Value{
			"default_tls_container_ref": tfUnknown(tftypes.String),
		}), "", ""},
		{"MANDATORY client auth without CA", base("TERMINATED_HTTPS", map[string]tftypes.Value{
			"default_tls_container_ref": cert, "client_authentication": tfStr("MANDATORY"),
		}), "client_authentication", "requires a client CA container reference"},
		{"CRL without CA", base("TERMINATED_HTTPS", map[string]tftypes.Value{
			"default_tls_container_ref": cert, "client_crl_container_ref": cert,
		}), "client_crl_container_ref", "A client authentication CA reference is required"},
		{"UDP with certificate", base("UDP", map[string]tftypes.Value{"default_tls_container_ref": cert}),
			"default_tls_container_ref", "UDP protocol listener does not support TLS"},
		{"bad cipher characters", base("HTTP", map[string]tftypes.Value{"tls_ciphers": tfStr("A B")}),
			"tls_ciphers", "Invalid characters in cipher string"},
		{"empty tls_versions on TERMINATED_HTTPS", base("TERMINATED_HTTPS", map[string]tftypes.Value{
			"default_tls_container_ref": cert, "tls_versions": tfStrSet(),
		}), "tls_versions", "Empty TLS version list"},
		{"loadbalancer_id not a UUID", base("HTTP", map[string]tftypes.Value{"loadbalancer_id": tfStr("lb-1")}),
			"loadbalancer_id", "Value should be UUID format"},
		{"loadbalancer_id not known yet", base("HTTP", map[string]tftypes.Value{
			"loadbalancer_id": tfUnknown(tftypes.String),
		}), "", ""},
		{"PROMETHEUS with default pool", base("PROMETHEUS", map[string]tftypes.Value{
			"default_pool_id": tfStr("00000000-0000-4000-8000-0000000000bb"),
		}), "default_pool_id", "PROMETHEUS listeners cannot have child objects"},
		// The schema's validators own these: ValidateConfig stays silent so
		// that one mistake gives one diagnostic.
		{"port out of range", base("HTTP", map[string]tftypes.Value{"protocol_port": tfNum(70000)}), "", ""},
		{"negative timeout", base("HTTP", map[string]tftypes.Value{"timeout_client_data": tfNum(-1)}), "", ""},
		{"unknown protocol name", base("FTP", nil), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			diags := testValidateConfig(t, resources.NewListener(), tc.cfg)
			checkOneRuleError(t, diags, tc.path, tc.msg)
		})
	}
}

// checkOneRuleError asserts no error (wantPath "") or exactly one, on
// wantPath, whose detail contains msg.
func checkOneRuleError(t *testing.T, diags diag.Diagnostics, wantPath, msg string) {
	t.Helper()
	errs := diags.Errors()
	if wantPath == "" {
		if len(errs) != 0 {
			t.Fatalf("want no error, got %v", errs)
		}
		return
	}
	if len(errs) != 1 {
		t.Fatalf("want one error on %s, got %v", wantPath, errs)
	}
	withPath, ok := errs[0].(diag.DiagnosticWithPath)
	if !ok || !withPath.Path().Equal(path.Root(wantPath)) {
		t.Errorf("error %q is not on %s", errs[0].Summary(), wantPath)
	}
	if !strings.Contains(errs[0].Detail(), msg) {
		t.Errorf("detail %q does not contain %q", errs[0].Detail(), msg)
	}
}

// TestLoadBalancerValidateConfig: the load balancer's rules likewise.
func TestLoadBalancerValidateConfig(t *testing.T) {
	t.Parallel()
	const subnet = "00000000-0000-4000-8000-0000000000cc"
	for _, tc := range []struct {
		name string
		cfg  map[string]tftypes.Value
		path string
		msg  string
	}{
		{"subnet", map[string]tftypes.Value{"vip_subnet_id": tfStr(subnet)}, "", ""},
		{"no VIP field (AtLeastOneOf reports it)", map[string]tftypes.Value{}, "", ""},
		{"subnet not known yet", map[string]tftypes.Value{"vip_subnet_id": tfUnknown(tftypes.String)}, "", ""},
		{"bad subnet", map[string]tftypes.Value{"vip_subnet_id": tfStr("subnet-1")}, "vip_subnet_id", "Value should be UUID format"},
		{"bad address", map[string]tftypes.Value{"vip_subnet_id": tfStr(subnet), "vip_address": tfStr("10.0.0.300")},
			"vip_address", "Value should be IPv4 or IPv6 format"},
		{"bad QoS policy", map[string]tftypes.Value{"vip_subnet_id": tfStr(subnet), "vip_qos_policy_id": tfStr("q")},
			"vip_qos_policy_id", "Value should be UUID format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			diags := testValidateConfig(t, resources.NewLoadBalancer(), tc.cfg)
			checkOneRuleError(t, diags, tc.path, tc.msg)
		})
	}
}
