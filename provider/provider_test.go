package provider_test

import (
	"context"
	"strings"
	"testing"

	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/lbaas/terraform-provider-lbaas/provider"
	"github.com/lbaas/terraform-provider-lbaas/resources"
)

// TestProviderSchema serves the provider over protocol 6 in-process and checks
// that Terraform would get a valid schema from it.
func TestProviderSchema(t *testing.T) {
	t.Parallel()
	server, err := providerserver.NewProtocol6WithError(provider.New("test")())()
	if err != nil {
		t.Fatalf("starting provider server: %v", err)
	}
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatalf("GetProviderSchema: %v", err)
	}
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Errorf("schema diagnostic: %s: %s", d.Summary, d.Detail)
		}
	}
	if resp.Provider == nil {
		t.Fatal("provider schema is nil")
	}
}

// testConfig is a provider configuration with the given attributes (every
// other one null).
func testConfig(t *testing.T, p fwprovider.Provider, attrs map[string]tftypes.Value) tfsdk.Config {
	t.Helper()
	ctx := context.Background()
	var sch fwprovider.SchemaResponse
	p.Schema(ctx, fwprovider.SchemaRequest{}, &sch)
	typ, ok := sch.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatal("schema type is not an object")
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range attrs {
		if _, ok := vals[name]; !ok {
			t.Fatalf("no attribute %q", name)
		}
		vals[name] = v
	}
	return tfsdk.Config{Schema: sch.Schema, Raw: tftypes.NewValue(typ, vals)}
}

// TestConfigureWithUnknownValues: a configuration that depends on another
// resource is not configured (and is no error) until it is known.
func TestConfigureWithUnknownValues(t *testing.T) {
	t.Parallel()
	p := provider.New("test")()
	var resp fwprovider.ConfigureResponse
	p.Configure(context.Background(), fwprovider.ConfigureRequest{Config: testConfig(t, p, map[string]tftypes.Value{
		"endpoint": tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
	})}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("Configure: %v", resp.Diagnostics)
	}
	if resp.ResourceData != nil || resp.DataSourceData != nil {
		t.Fatal("Configure built a client from an unknown configuration")
	}
}

// TestConfigureNoAuth builds the client for lbaasd without Keystone (no
// request is sent).
func TestConfigureNoAuth(t *testing.T) {
	t.Setenv("OS_CLOUD", "")
	t.Setenv("OS_AUTH_TYPE", "")
	p := provider.New("test")()
	var resp fwprovider.ConfigureResponse
	p.Configure(context.Background(), fwprovider.ConfigureRequest{Config: testConfig(t, p, map[string]tftypes.Value{
		"auth_type": tftypes.NewValue(tftypes.String, "none"),
		"endpoint":  tftypes.NewValue(tftypes.String, "http://127.0.0.1:9876"),
	})}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("Configure: %v", resp.Diagnostics)
	}
	data, ok := resp.ResourceData.(*resources.ProviderData)
	if !ok || data.API == nil || resp.DataSourceData != resp.ResourceData {
		t.Fatalf("ResourceData = %#v, DataSourceData = %#v; want the same *resources.ProviderData", resp.ResourceData, resp.DataSourceData)
	}
}

// TestConfigureNoAuthNeedsEndpoint: the error names the missing setting.
func TestConfigureNoAuthNeedsEndpoint(t *testing.T) {
	t.Setenv("OS_CLOUD", "")
	t.Setenv("OS_ENDPOINT", "")
	p := provider.New("test")()
	var resp fwprovider.ConfigureResponse
	p.Configure(context.Background(), fwprovider.ConfigureRequest{Config: testConfig(t, p, map[string]tftypes.Value{
		"auth_type": tftypes.NewValue(tftypes.String, "none"),
	})}, &resp)
	if !resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics.Errors()[0].Detail(), "endpoint") {
		t.Fatalf("Configure: %v; want an error about endpoint", resp.Diagnostics)
	}
}
