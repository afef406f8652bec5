package datasources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

var (
	_ datasource.DataSourceWithConfigure        = &listenerDataSource{}
	_ datasource.DataSourceWithConfigValidators = &listenerDataSource{}
)

// NewListener is the lbaas_listener data source.
func NewListener() datasource.DataSource { return &listenerDataSource{} }

type listenerDataSource struct {
	base
}

// listenerData is a listener as data sources report it.
type listenerData struct {
	AdminStateUp            types.Bool   `tfsdk:"admin_state_up"`
	AllowedCIDRs            types.Set    `tfsdk:"allowed_cidrs"`
	ALPNProtocols           types.List   `tfsdk:"alpn_protocols"`
	ClientAuthentication    types.String `tfsdk:"client_authentication"`
	ClientCATLSContainerRef types.String `tfsdk:"client_ca_tls_container_ref"`
	ClientCRLContainerRef   types.String `tfsdk:"client_crl_container_ref"`
	ConnectionLimit         types.Int64  `tfsdk:"connection_limit"`
	DefaultPoolID           types.String `tfsdk:"default_pool_id"`
	DefaultTLSContainerRef  types.String `tfsdk:"default_tls_container_ref"`
	Description             types.String `tfsdk:"description"`
	ID                      types.String `tfsdk:"id"`
	InsertHeaders           types.Map    `tfsdk:"insert_headers"`
	L7PolicyIDs             types.List   `tfsdk:"l7policy_ids"`
	LoadBalancerID          types.String `tfsdk:"loadbalancer_id"`
	Name                    types.String `tfsdk:"name"`
	OperatingStatus         types.String `tfsdk:"operating_status"`
	ProjectID               types.String `tfsdk:"project_id"`
	Protocol                types.String `tfsdk:"protocol"`
	ProtocolPort            types.Int64  `tfsdk:"protocol_port"`
	ProvisioningStatus      types.String `tfsdk:"provisioning_status"`
	SNIContainerRefs        types.Set    `tfsdk:"sni_container_refs"`
	Tags                    types.Set    `tfsdk:"tags"`
	TimeoutClientData       types.Int64  `tfsdk:"timeout_client_data"`
	TimeoutMemberConnect    types.Int64  `tfsdk:"timeout_member_connect"`
	TimeoutMemberData       types.Int64  `tfsdk:"timeout_member_data"`
	TimeoutTCPInspect       types.Int64  `tfsdk:"timeout_tcp_inspect"`
	TLSCiphers              types.String `tfsdk:"tls_ciphers"`
	TLSVersions             types.Set    `tfsdk:"tls_versions"`
}

// listenerAttributes are the attributes of listenerData, all computed.
func listenerAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"admin_state_up":              computedBool("Whether the listener accepts connections."),
		"allowed_cidrs":               computedStringSet("Source networks allowed to connect (empty: all)."),
		"alpn_protocols":              computedStringList("ALPN protocols of a TLS-terminating listener."),
		"client_authentication":       computedString("TLS client authentication mode: " + backtickedList(lb.ClientAuthentications()) + "."),
		"client_ca_tls_container_ref": computedString("The client CA certificate reference, if any."),
		"client_crl_container_ref":    computedString("The client revocation list reference, if any."),
		"connection_limit":            computedInt("The most concurrent connections (`-1`: unlimited)."),
		"default_pool_id":             computedString("The default pool, if any."),
		"default_tls_container_ref":   computedString("The server certificate reference, if any."),
		"description":                 computedString("The description."),
		"id":                          computedString("The listener's ID."),
		"insert_headers": schema.MapAttribute{
			MarkdownDescription: "Headers added to requests sent to members.",
			Computed:            true,
			ElementType:         types.StringType,
		},
		"l7policy_ids":           computedStringList("The IDs of its L7 policies (Octavia's `l7policies`)."),
		"loadbalancer_id":        computedString("The listener's load balancer."),
		"name":                   computedString("The name."),
		"operating_status":       computedString(operatingStatusText),
		"project_id":             computedString("The project that owns it."),
		"protocol":               computedString("The protocol: " + backtickedList(lb.ListenerProtocols()) + "."),
		"protocol_port":          computedInt("The port."),
		"provisioning_status":    computedString(provisioningStatusText),
		"sni_container_refs":     computedStringSet("The SNI certificate references."),
		"tags":                   computedStringSet("Its tags."),
		"timeout_client_data":    computedInt("Client inactivity timeout, in milliseconds."),
		"timeout_member_connect": computedInt("Member connection timeout, in milliseconds."),
		"timeout_member_data":    computedInt("Member inactivity timeout, in milliseconds."),
		"timeout_tcp_inspect":    computedInt("Time to wait for more TCP packets for content inspection, in milliseconds."),
		"tls_ciphers":            computedString("The OpenSSL cipher string, if any."),
		"tls_versions":           computedStringSet("The accepted TLS versions, if any."),
	}
}

// listenerFilters are the arguments of the lbaas_listener lookup.
var listenerFilters = []string{"id", "loadbalancer_id", "name", "project_id", "protocol", "protocol_port", "tags"}

func (d *listenerDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_listener"
}

func (d *listenerDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := listenerAttributes()
	attrs["id"] = asFilter(attrs["id"], "Give it to read that listener, or give other arguments to look it up.")
	for _, f := range listenerFilters[1:] {
		what := "Looks the listener up by it (exact match)."
		if f == "tags" {
			what = "As an argument: the listener must have all of these tags (and they are what is reported)."
		}
		attrs[f] = asFilter(attrs[f], what)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "One listener of an Octavia load balancer: by `id`, or looked up by `name`, " +
			"`loadbalancer_id`, `protocol_port` and other arguments, which must match exactly one listener.",
		Attributes: attrs,
	}
}

// ConfigValidators: an id, or at least one lookup argument, not both.
func (d *listenerDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return idOrFilters(listenerFilters)
}

func (d *listenerDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg listenerData
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !d.ready(&resp.Diagnostics) {
		return
	}
	var found *lb.Listener
	if isSet(cfg.ID) {
		li, err := d.api.GetListener(ctx, cfg.ID.ValueString())
		if err != nil {
			resp.Diagnostics.AddError("Reading listener "+cfg.ID.ValueString(), err.Error())
			return
		}
		found = li
	} else {
		f := newFilterSet()
		f.str("loadbalancer_id", cfg.LoadBalancerID)
		f.str("name", cfg.Name)
		f.str("project_id", cfg.ProjectID)
		f.str("protocol", cfg.Protocol)
		f.int("protocol_port", cfg.ProtocolPort)
		f.tags(ctx, cfg.Tags, &resp.Diagnostics)
		all, err := d.api.ListListeners(ctx, f.f)
		if err != nil {
			resp.Diagnostics.AddError("Listing listeners", err.Error())
			return
		}
		if !exactlyOne(&resp.Diagnostics, "listener", len(all), f.describe()) {
			return
		}
		found = all[0]
	}
	out := listenerDataFrom(found)
	if isSet(cfg.Tags) {
		out.Tags = cfg.Tags
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &out)...)
}

// listenerDataFrom converts a listener.
func listenerDataFrom(li *lb.Listener) listenerData {
	tlsVersions := types.SetNull(types.StringType)
	if li.TLSVersions != nil {
		tlsVersions = stringSet(li.TLSVersions)
	}
	auth := li.ClientAuthentication
	if auth == "" {
		auth = lb.ClientAuthNone
	}
	return listenerData{
		AdminStateUp:            types.BoolValue(li.AdminStateUp),
		AllowedCIDRs:            stringSet(li.AllowedCIDRs),
		ALPNProtocols:           stringList(li.ALPNProtocols),
		ClientAuthentication:    types.StringValue(auth),
		ClientCATLSContainerRef: optionalString(li.ClientCATLSContainerRef),
		ClientCRLContainerRef:   optionalString(li.ClientCRLContainerRef),
		ConnectionLimit:         types.Int64Value(int64(li.ConnectionLimit)),
		DefaultPoolID:           optionalString(li.DefaultPoolID),
		DefaultTLSContainerRef:  optionalString(li.DefaultTLSContainerRef),
		Description:             types.StringValue(li.Description),
		ID:                      types.StringValue(li.ID),
		InsertHeaders:           stringMap(li.InsertHeaders),
		L7PolicyIDs:             idList(li.L7Policies, func(x *lb.L7Policy) string { return x.ID }),
		LoadBalancerID:          types.StringValue(li.LoadBalancerID),
		Name:                    types.StringValue(li.Name),
		OperatingStatus:         types.StringValue(li.OperatingStatus),
		ProjectID:               optionalString(li.ProjectID),
		Protocol:                types.StringValue(li.Protocol),
		ProtocolPort:            types.Int64Value(int64(li.ProtocolPort)),
		ProvisioningStatus:      types.StringValue(li.ProvisioningStatus),
		SNIContainerRefs:        stringSet(li.SNIContainerRefs),
		Tags:                    stringSet(li.Tags),
		TimeoutClientData:       types.Int64Value(int64(li.TimeoutClientData)),
		TimeoutMemberConnect:    types.Int64Value(int64(li.TimeoutMemberConnect)),
		TimeoutMemberData:       types.Int64Value(int64(li.TimeoutMemberData)),
		TimeoutTCPInspect:       types.Int64Value(int64(li.TimeoutTCPInspect)),
		TLSCiphers:              optionalString(li.TLSCiphers),
		TLSVersions:             tlsVersions,
	}
}
