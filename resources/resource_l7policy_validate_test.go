package resources_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/lbaas/terraform-provider-lbaas/resources"
)

// l7ValidateCase is one plan-time check of ValidateConfig: the configured
// attributes (the others are null), the attribute the error must point at
// ("" for no error) and a part of its message.
type l7ValidateCase struct {
	name   string
	config map[string]tftypes.Value
	path   string
	msg    string
}

// l7Unknown is an unknown value of a primitive type.
func l7Unknown(t tftypes.Type) tftypes.Value { return tftypes.NewValue(t, tftypes.UnknownValue) }

func l7Str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func l7Num(n int) tftypes.Value { return tftypes.NewValue(tftypes.Number, n) }

// runL7ValidateConfig calls the resource's ValidateConfig with cfg.
func runL7ValidateConfig(t *testing.T, r resource.Resource, cfg map[string]tftypes.Value) diag.Diagnostics {
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
	req := resource.ValidateConfigRequest{Config: tfsdk.Config{Schema: sch.Schema, Raw: tftypes.NewValue(typ, vals)}}
	var resp resource.ValidateConfigResponse
	vr, ok := r.(resource.ResourceWithValidateConfig)
	if !ok {
		t.Fatal("no ValidateConfig")
	}
	vr.ValidateConfig(ctx, req, &resp)
	return resp.Diagnostics
}

// checkL7Validate runs the cases against the resource made by newResource.
func checkL7Validate(t *testing.T, newResource func() resource.Resource, cases []l7ValidateCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			diags := runL7ValidateConfig(t, newResource(), tc.config)
			if tc.path == "" {
				if diags.HasError() {
					t.Fatalf("want no error, got %v", diags)
				}
				return
			}
			if diags.ErrorsCount() != 1 {
				t.Fatalf("want one error on %s, got %v", tc.path, diags)
			}
			d := diags.Errors()[0]
			dp, ok := d.(diag.DiagnosticWithPath)
			if !ok {
				t.Fatalf("error without an attribute path: %s: %s", d.Summary(), d.Detail())
			}
			if got := dp.Path().String(); got != tc.path {
				t.Errorf("path = %s, want %s (%s)", got, tc.path, d.Detail())
			}
			if !strings.Contains(d.Detail(), tc.msg) {
				t.Errorf("detail = %q, want it to contain %q", d.Detail(), tc.msg)
			}
		})
	}
}

func TestL7PolicyValidateConfig(t *testing.T) {
	t.Parallel()
	const listener = "6b3f4e8e-0d7c-4c36-9d5f-3a1c2d1e0f01"
	const pool = "1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d"
	with := func(action string, more map[string]tftypes.Value) map[string]tftypes.Value {
		m := map[string]tftypes.Value{"listener_id": l7Str(listener), "action": l7Str(action)}
		for k, v := range more {
			m[k] = v
		}
		return m
	}
	checkL7Validate(t, resources.NewL7Policy, []l7ValidateCase{
		{name: "reject", config: with("REJECT", nil)},
		{name: "url", config: with("REDIRECT_TO_URL", map[string]tftypes.Value{
			"redirect_url": l7Str("https://example.com/x?y=1"), "redirect_http_code": l7Num(307),
		})},
		{name: "prefix", config: with("REDIRECT_PREFIX", map[string]tftypes.Value{"redirect_prefix": l7Str("http://example.org")})},
		{name: "pool", config: with("REDIRECT_TO_POOL", map[string]tftypes.Value{"redirect_pool_id": l7Str(pool)})},
		{name: "unknown pool is set", config: with("REDIRECT_TO_POOL", map[string]tftypes.Value{"redirect_pool_id": l7Unknown(tftypes.String)})},
		{name: "unknown url is set", config: with("REDIRECT_TO_URL", map[string]tftypes.Value{"redirect_url": l7Unknown(tftypes.String)})},
		{name: "unknown listener", config: map[string]tftypes.Value{
			"listener_id": l7Unknown(tftypes.String), "action": l7Str("REJECT"),
		}},

		{name: "url missing", config: with("REDIRECT_TO_URL", nil), path: "redirect_url", msg: "redirect_url must not be None"},
		{name: "pool missing", config: with("REDIRECT_TO_POOL", nil), path: "redirect_pool_id", msg: "redirect_pool_id or redirect_pool must not be None"},
		{name: "prefix missing", config: with("REDIRECT_PREFIX", nil), path: "redirect_prefix", msg: "redirect_prefix must not be None"},
		{name: "url scheme", config: with("REDIRECT_TO_URL", map[string]tftypes.Value{"redirect_url": l7Str("ftp://example.com/")}),
			path: "redirect_url", msg: "Invalid input for field/attribute redirect_url"},
		{name: "url space", config: with("REDIRECT_TO_URL", map[string]tftypes.Value{"redirect_url": l7Str("http://exa mple.com/")}),
			path: "redirect_url", msg: "Invalid input for field/attribute redirect_url"},
		{name: "prefix without host", config: with("REDIRECT_PREFIX", map[string]tftypes.Value{"redirect_prefix": l7Str("https://")}),
			path: "redirect_prefix", msg: "Invalid input for field/attribute redirect_prefix"},
		{name: "pool not a uuid", config: with("REDIRECT_TO_POOL", map[string]tftypes.Value{"redirect_pool_id": l7Str("pool-1")}),
			path: "redirect_pool_id", msg: "Value should be UUID format"},
		{name: "listener not a uuid", config: map[string]tftypes.Value{"listener_id": l7Str("web"), "action": l7Str("REJECT")},
			path: "listener_id", msg: "Value should be UUID format"},
		{name: "prefix and pool", config: with("REDIRECT_PREFIX", map[string]tftypes.Value{
			"redirect_pool_id": l7Str(pool), "redirect_prefix": l7Str("http://example.com"),
		}), path: "redirect_pool_id", msg: "Cannot specify redirect_pool_id and redirect_url or redirect_prefix"},
		{name: "url on pool", config: with("REDIRECT_TO_POOL", map[string]tftypes.Value{
			"redirect_pool_id": l7Str(pool), "redirect_url": l7Str("http://example.com"),
		}), path: "redirect_url", msg: "redirect_url is only used by REDIRECT_TO_URL"},
		{name: "bad code", config: with("REDIRECT_TO_URL", map[string]tftypes.Value{
			"redirect_url": l7Str("http://example.com"), "redirect_http_code": l7Num(305),
		}), path: "redirect_http_code", msg: "Value should be one of"},
		{name: "code on reject", config: with("REJECT", map[string]tftypes.Value{"redirect_http_code": l7Num(301)}),
			path: "redirect_http_code", msg: "redirect_http_code is only used by"},
		{name: "code on pool", config: with("REDIRECT_TO_POOL", map[string]tftypes.Value{
			"redirect_pool_id": l7Str(pool), "redirect_http_code": l7Num(302),
		}), path: "redirect_http_code", msg: "redirect_http_code is only used by"},
		{name: "url on reject", config: with("REJECT", map[string]tftypes.Value{"redirect_url": l7Str("http://example.com")}),
			path: "redirect_url", msg: "redirect_url is only used by REDIRECT_TO_URL"},
		{name: "prefix on reject", config: with("REJECT", map[string]tftypes.Value{"redirect_prefix": l7Str("http://example.com")}),
			path: "redirect_prefix", msg: "redirect_prefix is only used by REDIRECT_PREFIX"},
		{name: "prefix on url", config: with("REDIRECT_TO_URL", map[string]tftypes.Value{
			"redirect_url": l7Str("http://example.com"), "redirect_prefix": l7Str("http://example.org"),
		}), path: "redirect_prefix", msg: "redirect_prefix is only used by REDIRECT_PREFIX"},
		{name: "unknown action, bad url", config: map[string]tftypes.Value{
			"listener_id": l7Str(listener), "action": l7Unknown(tftypes.String), "redirect_url": l7Str("ftp://x"),
		}, path: "redirect_url", msg: "Invalid input for field/attribute redirect_url"},
	})
}
