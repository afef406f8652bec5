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

// The plan-time rules of the pool area, run through each resource's
// ValidateConfig (as Terraform's validate and plan do) without a cloud:
// every Octavia rule violation must be an error on the attribute's path.

// pmCase is one configuration (attributes not given are null; a func
// builds values that need the schema's types) and the error it must give.
type pmCase struct {
	name   string
	config func(types map[string]tftypes.Type) map[string]tftypes.Value
	path   path.Path // empty: no error
	msg    string
}

// pmValidate runs r's ValidateConfig on a configuration.
func pmValidate(t *testing.T, r resource.Resource, cfg func(map[string]tftypes.Type) map[string]tftypes.Value) diag.Diagnostics {
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
	for name, v := range cfg(typ.AttributeTypes) {
		if _, ok := vals[name]; !ok {
			t.Fatalf("no attribute %q", name)
		}
		vals[name] = v
	}
	req := resource.ValidateConfigRequest{Config: tfsdk.Config{Schema: sch.Schema, Raw: tftypes.NewValue(typ, vals)}}
	var resp resource.ValidateConfigResponse
	r.(resource.ResourceWithValidateConfig).ValidateConfig(ctx, req, &resp)
	return resp.Diagnostics
}

func pmRun(t *testing.T, newResource func() resource.Resource, cases []pmCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			diags := pmValidate(t, newResource(), tc.config)
			if len(tc.path.Steps()) == 0 {
				if diags.HasError() {
					t.Fatalf("want no error, got %v", diags)
				}
				return
			}
			if diags.ErrorsCount() != 1 {
				t.Fatalf("want one error on %s, got %v", tc.path, diags)
			}
			d := diags.Errors()[0]
			wp, ok := d.(diag.DiagnosticWithPath)
			if !ok || !wp.Path().Equal(tc.path) {
				t.Fatalf("want the error on %s, got %v", tc.path, d)
			}
			if !strings.Contains(d.Detail(), tc.msg) {
				t.Fatalf("want %q in the error, got %q", tc.msg, d.Detail())
			}
		})
	}
}

func pmS(s string) tftypes.Value             { return tftypes.NewValue(tftypes.String, s) }
func pmN(n int) tftypes.Value                { return tftypes.NewValue(tftypes.Number, n) }
func pmUnknown(t tftypes.Type) tftypes.Value { return tftypes.NewValue(t, tftypes.UnknownValue) }
func pmObj(t tftypes.Type, v map[string]tftypes.Value) tftypes.Value {
	o := t.(tftypes.Object)
	full := make(map[string]tftypes.Value, len(o.AttributeTypes))
	for name, at := range o.AttributeTypes {
		full[name] = tftypes.NewValue(at, nil)
	}
	for name, x := range v {
		full[name] = x
	}
	return tftypes.NewValue(o, full)
}

func TestPoolValidateConfig(t *testing.T) {
	t.Parallel()
	pool := func(protocol string, sp map[string]tftypes.Value, extra map[string]tftypes.Value) func(map[string]tftypes.Type) map[string]tftypes.Value {
		return func(ty map[string]tftypes.Type) map[string]tftypes.Value {
			v := map[string]tftypes.Value{
				// Created in the same apply: unknown at plan time.
				"loadbalancer_id": pmUnknown(tftypes.String),
				"protocol":        pmS(protocol),
				"lb_algorithm":    pmS("ROUND_ROBIN"),
			}
			if sp != nil {
				v["session_persistence"] = pmObj(ty["session_persistence"], sp)
			}
			for k, x := range extra {
				v[k] = x
			}
			return v
		}
	}
	sp := path.Root("session_persistence")
	pmRun(t, resources.NewPool, []pmCase{
		{name: "ok", config: pool("HTTP", map[string]tftypes.Value{"type": pmS("APP_COOKIE"), "cookie_name": pmS("SID")}, nil)},
		{name: "http cookie on udp", config: pool("UDP", map[string]tftypes.Value{"type": pmS("HTTP_COOKIE")}, nil),
			path: sp.AtName("type"), msg: "Session persistence of type HTTP_COOKIE is not supported for UDP/SCTP protocol pools."},
		{name: "cookie name on sctp", config: pool("SCTP", map[string]tftypes.Value{"type": pmS("SOURCE_IP"), "cookie_name": pmS("C")}, nil),
			path: sp.AtName("cookie_name"), msg: "SOURCE_IP type for UDP and SCTP protocols only accepts"},
		{name: "timeout on tcp", config: pool("TCP", map[string]tftypes.Value{"type": pmS("SOURCE_IP"), "persistence_timeout": pmN(60)}, nil),
			path: sp.AtName("persistence_timeout"), msg: "only for UDP and SCTP protocol pools"},
		{name: "app cookie without name", config: pool("HTTP", map[string]tftypes.Value{"type": pmS("APP_COOKIE")}, nil),
			path: sp.AtName("cookie_name"), msg: `must be specified when using the "APP_COOKIE"`},
		{name: "cookie name on http cookie", config: pool("HTTP", map[string]tftypes.Value{"type": pmS("HTTP_COOKIE"), "cookie_name": pmS("C")}, nil),
			path: sp.AtName("cookie_name"), msg: `can only be specified with session persistence of type "APP_COOKIE"`},
		{name: "crl without ca", config: pool("HTTP", nil, map[string]tftypes.Value{"crl_container_ref": pmS("ref")}),
			path: path.Root("crl_container_ref"), msg: "A CA certificate reference is required"},
		{name: "unknown cookie name waits", config: pool("HTTP", map[string]tftypes.Value{"type": pmS("APP_COOKIE"), "cookie_name": pmUnknown(tftypes.String)}, nil)},
		{name: "unknown protocol waits", config: func(ty map[string]tftypes.Type) map[string]tftypes.Value {
			v := pool("HTTP", map[string]tftypes.Value{"type": pmS("HTTP_COOKIE"), "cookie_name": pmS("C")}, nil)(ty)
			v["protocol"] = pmUnknown(tftypes.String)
			return v
		}},
	})
}

func TestMembersValidateConfig(t *testing.T) {
	t.Parallel()
	members := func(entries map[string]map[string]tftypes.Value) func(map[string]tftypes.Type) map[string]tftypes.Value {
		return func(ty map[string]tftypes.Type) map[string]tftypes.Value {
			mt := ty["members"].(tftypes.Map)
			m := map[string]tftypes.Value{}
			for k, v := range entries {
				m[k] = pmObj(mt.ElementType, v)
			}
			return map[string]tftypes.Value{
				"pool_id": pmUnknown(tftypes.String),
				"members": tftypes.NewValue(mt, m),
			}
		}
	}
	at := func(key string) path.Path { return path.Root("members").AtMapKey(key) }
	pmRun(t, resources.NewMembers, []pmCase{
		{name: "ok", config: members(map[string]map[string]tftypes.Value{"192.0.2.1:80": {}, "[2001:db8::1]:80": {"weight": pmN(3)}})},
		{name: "no port", config: members(map[string]map[string]tftypes.Value{"192.0.2.1": {}}),
			path: at("192.0.2.1"), msg: "a member key is"},
		{name: "ipv6 upper case", config: members(map[string]map[string]tftypes.Value{"[2001:DB8::1]:80": {}}),
			path: at("[2001:DB8::1]:80"), msg: `as "[2001:db8::1]:80"`},
		{name: "port 0", config: members(map[string]map[string]tftypes.Value{"192.0.2.1:0": {}}),
			path: at("192.0.2.1:0"), msg: "is not a number from 1 to 65535"},
		{name: "reserved address", config: members(map[string]map[string]tftypes.Value{"169.254.169.254:80": {}}),
			path: at("169.254.169.254:80").AtName("address"), msg: "169.254.169.254 is not a valid option for member address"},
		{name: "unknown weight waits", config: members(map[string]map[string]tftypes.Value{"192.0.2.1:80": {"weight": pmUnknown(tftypes.Number)}})},
	})
}

func TestMemberValidateConfig(t *testing.T) {
	t.Parallel()
	member := func(address string, extra map[string]tftypes.Value) func(map[string]tftypes.Type) map[string]tftypes.Value {
		return func(map[string]tftypes.Type) map[string]tftypes.Value {
			v := map[string]tftypes.Value{"pool_id": pmUnknown(tftypes.String), "address": pmS(address), "protocol_port": pmN(80)}
			for k, x := range extra {
				v[k] = x
			}
			return v
		}
	}
	pmRun(t, resources.NewMember, []pmCase{
		{name: "ok", config: member("192.0.2.1", nil)},
		{name: "reserved", config: member("169.254.169.254", nil), path: path.Root("address"), msg: "is not a valid option for member address"},
		{name: "unknown address waits", config: func(ty map[string]tftypes.Type) map[string]tftypes.Value {
			v := member("x", nil)(ty)
			v["address"] = pmUnknown(tftypes.String)
			return v
		}},
	})
}

func TestMonitorValidateConfig(t *testing.T) {
	t.Parallel()
	monitor := func(typ string, extra map[string]tftypes.Value) func(map[string]tftypes.Type) map[string]tftypes.Value {
		return func(map[string]tftypes.Type) map[string]tftypes.Value {
			v := map[string]tftypes.Value{
				"pool_id": pmUnknown(tftypes.String), "type": pmS(typ),
				"delay": pmN(5), "timeout": pmN(3), "max_retries": pmN(3),
			}
			for k, x := range extra {
				v[k] = x
			}
			return v
		}
	}
	pmRun(t, resources.NewMonitor, []pmCase{
		{name: "ok", config: monitor("HTTP", map[string]tftypes.Value{"http_version": tftypes.NewValue(tftypes.Number, 1.1), "domain_name": pmS("example.com")})},
		{name: "url_path on tcp", config: monitor("TCP", map[string]tftypes.Value{"url_path": pmS("/x")}),
			path: path.Root("url_path"), msg: "url_path is not a valid option for health monitors of type TCP"},
		{name: "domain without version", config: monitor("HTTP", map[string]tftypes.Value{"domain_name": pmS("example.com")}),
			path: path.Root("http_version"), msg: "'http_version' must be specified when 'domain_name' is provided."},
		{name: "domain with 1.0", config: monitor("HTTP", map[string]tftypes.Value{"domain_name": pmS("example.com"), "http_version": tftypes.NewValue(tftypes.Number, 1.0)}),
			path: path.Root("http_version"), msg: "is not a valid option for health monitors HTTP 1.1 domain name health check"},
		{name: "udp-connect delay", config: monitor("UDP-CONNECT", map[string]tftypes.Value{"delay": pmN(2)}),
			path: path.Root("delay"), msg: "should be larger than 3"},
	})
}
