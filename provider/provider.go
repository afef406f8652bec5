// Package provider is the lbaas Terraform provider: its schema, its
// configuration and the client it hands to resources and data sources.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Address is the provider's registry address.
const Address = "registry.terraform.io/lbaas/lbaas"

var _ provider.Provider = &Provider{}

// Provider is the lbaas provider.
type Provider struct {
	version string
}

// New returns a constructor of the provider at the given version, as
// providerserver.Serve expects.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &Provider{version: version}
	}
}

// Metadata sets the provider's type name, the prefix of every resource.
func (p *Provider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "lbaas"
	resp.Version = p.version
}

// Schema describes the provider's configuration.
func (p *Provider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The lbaas provider manages OpenStack load balancers through the Octavia v2 API: " +
			"against any cloud that runs Octavia, or against lbaasd, the standalone reconciler that ships with it.",
	}
}

// Configure prepares the client that resources and data sources share.
func (p *Provider) Configure(_ context.Context, _ provider.ConfigureRequest, _ *provider.ConfigureResponse) {
}

// Resources lists the provider's resources.
func (p *Provider) Resources(_ context.Context) []func() resource.Resource {
	return nil
}

// DataSources lists the provider's data sources.
func (p *Provider) DataSources(_ context.Context) []func() datasource.DataSource {
	return nil
}
