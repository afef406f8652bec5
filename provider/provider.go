// Package provider is the lbaas Terraform provider: its schema, its
// configuration and the client it hands to resources and data sources.
package provider

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/providervalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/lbaas/terraform-provider-lbaas/datasources"
	"github.com/lbaas/terraform-provider-lbaas/internal/octavia"
	"github.com/lbaas/terraform-provider-lbaas/resources"
)

// Address is the provider's registry address.
const Address = "registry.terraform.io/lbaas/lbaas"

var (
	_ provider.Provider                     = &Provider{}
	_ provider.ProviderWithConfigValidators = &Provider{}
)

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

// providerModel is the provider's configuration.
type providerModel struct {
	ApplicationCredentialID     types.String `tfsdk:"application_credential_id"`
	ApplicationCredentialName   types.String `tfsdk:"application_credential_name"`
	ApplicationCredentialSecret types.String `tfsdk:"application_credential_secret"`
	AuthType                    types.String `tfsdk:"auth_type"`
	AuthURL                     types.String `tfsdk:"auth_url"`
	CACertFile                  types.String `tfsdk:"cacert_file"`
	Cert                        types.String `tfsdk:"cert"`
	Cloud                       types.String `tfsdk:"cloud"`
	DefaultDomain               types.String `tfsdk:"default_domain"`
	DomainID                    types.String `tfsdk:"domain_id"`
	DomainName                  types.String `tfsdk:"domain_name"`
	Endpoint                    types.String `tfsdk:"endpoint"`
	EndpointType                types.String `tfsdk:"endpoint_type"`
	Insecure                    types.Bool   `tfsdk:"insecure"`
	Key                         types.String `tfsdk:"key"`
	MaxRetries                  types.Int64  `tfsdk:"max_retries"`
	Password                    types.String `tfsdk:"password"`
	ProjectDomainID             types.String `tfsdk:"project_domain_id"`
	ProjectDomainName           types.String `tfsdk:"project_domain_name"`
	ProjectID                   types.String `tfsdk:"project_id"`
	ProjectName                 types.String `tfsdk:"project_name"`
	Region                      types.String `tfsdk:"region"`
	TenantID                    types.String `tfsdk:"tenant_id"`
	TenantName                  types.String `tfsdk:"tenant_name"`
	Token                       types.String `tfsdk:"token"`
	UserDomainID                types.String `tfsdk:"user_domain_id"`
	UserDomainName              types.String `tfsdk:"user_domain_name"`
	UserID                      types.String `tfsdk:"user_id"`
	UserName                    types.String `tfsdk:"user_name"`
}

// Auth types and endpoint types the provider accepts.
func authTypes() []string     { return []string{"password", "token", "v3applicationcredential", "none"} }
func endpointTypes() []string { return []string{"public", "internal", "admin"} }

// Metadata sets the provider's type name, the prefix of every resource.
func (p *Provider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "lbaas"
	resp.Version = p.version
}

// str is an optional string attribute documented with its OS_* variables.
func str(desc string, env ...string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: desc + envText(env), Optional: true}
}

// secret is an optional sensitive string attribute.
func secret(desc string, env ...string) schema.StringAttribute {
	a := str(desc, env...)
	a.Sensitive = true
	return a
}

func envText(env []string) string {
	if len(env) == 0 {
		return ""
	}
	s := " Defaults to the `" + env[0] + "` environment variable"
	for _, e := range env[1:] {
		s += " (or `" + e + "`)"
	}
	return s + ", then to the `clouds.yaml` entry."
}

// Schema describes the provider's configuration: the OpenStack provider's
// names, every one optional, each falling back to its OS_* variable and then
// to the clouds.yaml entry named by cloud (or OS_CLOUD).
func (p *Provider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The lbaas provider manages OpenStack load balancers through the Octavia v2 API: " +
			"against any cloud that runs Octavia, or against lbaasd, the standalone reconciler that ships with it.\n\n" +
			"Credentials are taken, in this order, from the provider block, the `OS_*` environment variables, and " +
			"the `clouds.yaml` entry named by `cloud` (or `OS_CLOUD`), as the OpenStack provider and CLI do. " +
			"With `auth_type = \"none\"` the provider talks to `endpoint` without Keystone (lbaasd's no-auth mode).",
		Attributes: map[string]schema.Attribute{
			"application_credential_id":     str("The ID of a Keystone application credential.", "OS_APPLICATION_CREDENTIAL_ID"),
			"application_credential_name":   str("The name of a Keystone application credential (with `user_name` or `user_id`).", "OS_APPLICATION_CREDENTIAL_NAME"),
			"application_credential_secret": secret("The secret of the application credential.", "OS_APPLICATION_CREDENTIAL_SECRET"),
			"auth_type": schema.StringAttribute{
				MarkdownDescription: "How to authenticate: one of `" + joinValues(authTypes()) + "`. `none` sends no " +
					"Keystone token and needs `endpoint` (lbaasd without Keystone). Defaults to the `OS_AUTH_TYPE` " +
					"environment variable, then to the `clouds.yaml` entry, then to `password` (or what the given " +
					"credentials imply).",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(authTypes()...)},
			},
			"auth_url":    str("The Keystone identity endpoint, e.g. `https://keystone.example.com:5000/v3`.", "OS_AUTH_URL"),
			"cacert_file": str("A PEM file of the CA certificates that sign the API's certificates.", "OS_CACERT"),
			"cert":        str("A PEM client certificate file for TLS client authentication (with `key`).", "OS_CERT"),
			"cloud":       str("The entry of `clouds.yaml` (searched in `.`, `~/.config/openstack`, `/etc/openstack`) to take settings from.", "OS_CLOUD"),
			"default_domain": str("The domain used for users and projects when no other domain is given. "+
				"Octavia's own default is `default`.", "OS_DEFAULT_DOMAIN"),
			"domain_id":   str("The domain ID, the default of `user_domain_id` and `project_domain_id`.", "OS_DOMAIN_ID"),
			"domain_name": str("The domain name, the default of `user_domain_name` and `project_domain_name`.", "OS_DOMAIN_NAME"),
			"endpoint": str("The load-balancer (Octavia) endpoint, overriding the service catalog, e.g. "+
				"`http://127.0.0.1:9876` for lbaasd. Required with `auth_type = \"none\"`.", "OS_ENDPOINT"),
			"endpoint_type": schema.StringAttribute{
				MarkdownDescription: "The service catalog interface to use: one of `" + joinValues(endpointTypes()) +
					"`. Defaults to the `OS_INTERFACE` environment variable, then to the `clouds.yaml` entry, then to `public`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(endpointTypes()...)},
			},
			"insecure": schema.BoolAttribute{
				MarkdownDescription: "Skip the verification of the API's TLS certificates. Defaults to the `OS_INSECURE` " +
					"environment variable, then to the `clouds.yaml` entry (`verify: false`), then to `false`.",
				Optional: true,
			},
			"key": str("The private key of `cert`.", "OS_KEY"),
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a GET, PUT or DELETE is retried after a connection "+
					"error, a 429 or a 5xx (with backoff); `0` disables retries. Defaults to `%d`. A 409 from a busy "+
					"load balancer is never returned to Terraform: the provider waits for the load balancer instead.",
					octavia.DefaultMaxRetries),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 100)},
			},
			"password":            secret("The user's password.", "OS_PASSWORD"),
			"project_domain_id":   str("The domain ID of the project.", "OS_PROJECT_DOMAIN_ID"),
			"project_domain_name": str("The domain name of the project.", "OS_PROJECT_DOMAIN_NAME"),
			"project_id":          str("The ID of the project to scope to (alias: `tenant_id`).", "OS_PROJECT_ID", "OS_TENANT_ID"),
			"project_name":        str("The name of the project to scope to (alias: `tenant_name`).", "OS_PROJECT_NAME", "OS_TENANT_NAME"),
			"region":              str("The region of the load-balancer endpoint in the catalog.", "OS_REGION_NAME"),
			"tenant_id":           str("The former name of `project_id`.", "OS_TENANT_ID"),
			"tenant_name":         str("The former name of `project_name`.", "OS_TENANT_NAME"),
			"token":               secret("A Keystone token to use instead of a password (`auth_type = \"token\"`).", "OS_TOKEN", "OS_AUTH_TOKEN"),
			"user_domain_id":      str("The domain ID of the user.", "OS_USER_DOMAIN_ID"),
			"user_domain_name":    str("The domain name of the user.", "OS_USER_DOMAIN_NAME"),
			"user_id":             str("The user's ID.", "OS_USER_ID"),
			"user_name":           str("The user's name.", "OS_USERNAME"),
		},
	}
}

func joinValues(values []string) string {
	out := ""
	for i, v := range values {
		if i > 0 {
			out += "`, `"
		}
		out += v
	}
	return out
}

// ConfigValidators keeps the tenant_* aliases from contradicting project_*.
func (p *Provider) ConfigValidators(_ context.Context) []provider.ConfigValidator {
	return []provider.ConfigValidator{
		providervalidator.Conflicting(path.MatchRoot("project_id"), path.MatchRoot("tenant_id")),
		providervalidator.Conflicting(path.MatchRoot("project_name"), path.MatchRoot("tenant_name")),
	}
}

// Configure builds the Octavia client that resources and data sources
// share. With a configuration value that is not known yet (it comes from
// another resource) it configures nothing: Terraform plans such resources
// without calling them and configures the provider again at apply.
func (p *Provider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.hasUnknown() {
		tflog.Debug(ctx, "provider configuration has unknown values: not configuring the client yet")
		return
	}
	cfg := m.octaviaConfig()
	cfg.UserAgent = "terraform-provider-lbaas/" + p.version
	cfg.Getenv = os.Getenv
	cfg.Logf = logf
	client, err := octavia.New(ctx, cfg)
	if err != nil {
		resp.Diagnostics.AddError("Configuring the lbaas provider", err.Error())
		return
	}
	data := &resources.ProviderData{API: client}
	resp.ResourceData = data
	resp.DataSourceData = data
}

// logf routes the client's messages (every retry, wait and 409 it meets) to
// Terraform's log at DEBUG (TF_LOG=DEBUG).
func logf(ctx context.Context, msg string, kv ...any) {
	fields := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		fields[fmt.Sprint(kv[i])] = kv[i+1]
	}
	if len(kv)%2 == 1 {
		fields["extra"] = kv[len(kv)-1]
	}
	tflog.Debug(ctx, msg, fields)
}

// hasUnknown tells whether any configuration value is unknown.
func (m *providerModel) hasUnknown() bool {
	for _, v := range []interface{ IsUnknown() bool }{
		m.ApplicationCredentialID, m.ApplicationCredentialName, m.ApplicationCredentialSecret, m.AuthType,
		m.AuthURL, m.CACertFile, m.Cert, m.Cloud, m.DefaultDomain, m.DomainID, m.DomainName, m.Endpoint,
		m.EndpointType, m.Insecure, m.Key, m.MaxRetries, m.Password, m.ProjectDomainID, m.ProjectDomainName,
		m.ProjectID, m.ProjectName, m.Region, m.TenantID, m.TenantName, m.Token, m.UserDomainID,
		m.UserDomainName, m.UserID, m.UserName,
	} {
		if v.IsUnknown() {
			return true
		}
	}
	return false
}

// octaviaConfig maps the configuration to the client's (the OS_* and
// clouds.yaml fallbacks are the client's, through Getenv).
func (m *providerModel) octaviaConfig() octavia.Config {
	projectID, projectName := m.ProjectID.ValueString(), m.ProjectName.ValueString()
	if projectID == "" {
		projectID = m.TenantID.ValueString()
	}
	if projectName == "" {
		projectName = m.TenantName.ValueString()
	}
	cfg := octavia.Config{
		AuthType:                    m.AuthType.ValueString(),
		Cloud:                       m.Cloud.ValueString(),
		AuthURL:                     m.AuthURL.ValueString(),
		UserName:                    m.UserName.ValueString(),
		UserID:                      m.UserID.ValueString(),
		Password:                    m.Password.ValueString(),
		Token:                       m.Token.ValueString(),
		ProjectName:                 projectName,
		ProjectID:                   projectID,
		UserDomainName:              m.UserDomainName.ValueString(),
		UserDomainID:                m.UserDomainID.ValueString(),
		ProjectDomainName:           m.ProjectDomainName.ValueString(),
		ProjectDomainID:             m.ProjectDomainID.ValueString(),
		DomainName:                  m.DomainName.ValueString(),
		DomainID:                    m.DomainID.ValueString(),
		DefaultDomain:               m.DefaultDomain.ValueString(),
		ApplicationCredentialID:     m.ApplicationCredentialID.ValueString(),
		ApplicationCredentialName:   m.ApplicationCredentialName.ValueString(),
		ApplicationCredentialSecret: m.ApplicationCredentialSecret.ValueString(),
		Region:                      m.Region.ValueString(),
		CACertFile:                  m.CACertFile.ValueString(),
		ClientCertFile:              m.Cert.ValueString(),
		ClientKeyFile:               m.Key.ValueString(),
		Endpoint:                    m.Endpoint.ValueString(),
		Interface:                   m.EndpointType.ValueString(),
		Insecure:                    m.Insecure.ValueBool(),
	}
	if !m.MaxRetries.IsNull() {
		if n := int(m.MaxRetries.ValueInt64()); n == 0 {
			cfg.MaxRetries = -1 // the client's "none"
		} else {
			cfg.MaxRetries = n
		}
	}
	return cfg
}

// Resources lists the provider's resources.
func (p *Provider) Resources(_ context.Context) []func() resource.Resource {
	return resources.All()
}

// DataSources lists the provider's data sources.
func (p *Provider) DataSources(_ context.Context) []func() datasource.DataSource {
	return datasources.All()
}
