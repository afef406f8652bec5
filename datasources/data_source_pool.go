package datasources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

var (
	_ datasource.DataSourceWithConfigure        = &poolDataSource{}
	_ datasource.DataSourceWithConfigValidators = &poolDataSource{}
)

// NewPool is the lbaas_pool data source.
func NewPool() datasource.DataSource { return &poolDataSource{} }

type poolDataSource struct {
	base
}

// poolData is a pool as data sources report it.
type poolData struct {
	AdminStateUp       types.Bool   `tfsdk:"admin_state_up"`
	ALPNProtocols      types.List   `tfsdk:"alpn_protocols"`
	CATLSContainerRef  types.String `tfsdk:"ca_tls_container_ref"`
	CRLContainerRef    types.String `tfsdk:"crl_container_ref"`
	Description        types.String `tfsdk:"description"`
	HealthMonitorID    types.String `tfsdk:"healthmonitor_id"`
	ID                 types.String `tfsdk:"id"`
	LBAlgorithm        types.String `tfsdk:"lb_algorithm"`
	ListenerID         types.String `tfsdk:"listener_id"`
	LoadBalancerID     types.String `tfsdk:"loadbalancer_id"`
	MemberIDs          types.List   `tfsdk:"member_ids"`
	Name               types.String `tfsdk:"name"`
	OperatingStatus    types.String `tfsdk:"operating_status"`
	ProjectID          types.String `tfsdk:"project_id"`
	Protocol           types.String `tfsdk:"protocol"`
	ProvisioningStatus types.String `tfsdk:"provisioning_status"`
	SessionPersistence types.Object `tfsdk:"session_persistence"`
	Tags               types.Set    `tfsdk:"tags"`
	TLSCiphers         types.String `tfsdk:"tls_ciphers"`
	TLSContainerRef    types.String `tfsdk:"tls_container_ref"`
	TLSEnabled         types.Bool   `tfsdk:"tls_enabled"`
	TLSVersions        types.List   `tfsdk:"tls_versions"`
}

// sessionPersistenceAttributes are the attributes of a pool's
// session_persistence.
func sessionPersistenceAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"cookie_name":             computedString("The application cookie (`APP_COOKIE`)."),
		"persistence_granularity": computedString("The netmask grouping source addresses (`UDP` and `SCTP` pools)."),
		"persistence_timeout":     computedInt("Seconds a source stays on its member (`UDP` and `SCTP` pools)."),
		"type":                    computedString("The persistence type: " + backtickedList(lb.PersistenceTypes()) + "."),
	}
}

// poolAttributes are the attributes of poolData, all computed.
func poolAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"admin_state_up":       computedBool("Whether the pool is enabled."),
		"alpn_protocols":       computedStringList("ALPN protocols offered to members, if any."),
		"ca_tls_container_ref": computedString("The CA certificate reference for member certificates, if any."),
		"crl_container_ref":    computedString("The revocation list reference for member certificates, if any."),
		"description":          computedString("The description."),
		"healthmonitor_id":     computedString("The pool's health monitor, if any."),
		"id":                   computedString("The pool's ID."),
		"lb_algorithm":         computedString("The load-balancing algorithm: " + backtickedList(lb.Algorithms()) + "."),
		"listener_id":          computedString("The (first) listener that sends traffic to the pool, if any."),
		"loadbalancer_id":      computedString("The pool's load balancer."),
		"member_ids":           computedStringList("The IDs of its members."),
		"name":                 computedString("The name."),
		"operating_status":     computedString(operatingStatusText),
		"project_id":           computedString("The project that owns it."),
		"protocol":             computedString("The protocol to the members: " + backtickedList(lb.PoolProtocols()) + "."),
		"provisioning_status":  computedString(provisioningStatusText),
		"session_persistence": schema.SingleNestedAttribute{
			MarkdownDescription: "Session persistence (null when off).",
			Computed:            true,
			Attributes:          sessionPersistenceAttributes(),
		},
		"tags":              computedStringSet("Its tags."),
		"tls_ciphers":       computedString("The OpenSSL cipher string towards members, if any."),
		"tls_container_ref": computedString("The client certificate reference presented to members, if any."),
		"tls_enabled":       computedBool("Whether connections to members use TLS."),
		"tls_versions":      computedStringList("The TLS versions allowed towards members, if any."),
	}
}

// poolFilters are the arguments of the lbaas_pool lookup.
var poolFilters = []string{"id", "lb_algorithm", "loadbalancer_id", "name", "project_id", "protocol", "tags"}

func (d *poolDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pool"
}

func (d *poolDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := poolAttributes()
	attrs["id"] = asFilter(attrs["id"], "Give it to read that pool, or give other arguments to look it up.")
	for _, f := range poolFilters[1:] {
		what := "Looks the pool up by it (exact match)."
		if f == "tags" {
			what = "As an argument: the pool must have all of these tags (and they are what is reported)."
		}
		attrs[f] = asFilter(attrs[f], what)
	}
	protocol := attrs["protocol"].(schema.StringAttribute)
	protocol.Validators = []validator.String{stringvalidator.OneOf(lb.PoolProtocols()...)}
	attrs["protocol"] = protocol
	algorithm := attrs["lb_algorithm"].(schema.StringAttribute)
	algorithm.Validators = []validator.String{stringvalidator.OneOf(lb.Algorithms()...)}
	attrs["lb_algorithm"] = algorithm
	resp.Schema = schema.Schema{
		MarkdownDescription: "One pool: by `id`, or looked up by `name`, `loadbalancer_id`, `protocol` and other " +
			"arguments, which must match exactly one pool.",
		Attributes: attrs,
	}
}

// ConfigValidators: an id, or at least one lookup argument, not both.
func (d *poolDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return idOrFilters(poolFilters)
}

func (d *poolDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg poolData
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !d.ready(&resp.Diagnostics) {
		return
	}
	var found *lb.Pool
	if isSet(cfg.ID) {
		p, err := d.api.GetPool(ctx, cfg.ID.ValueString())
		if err != nil {
			resp.Diagnostics.AddError("Reading pool "+cfg.ID.ValueString(), err.Error())
			return
		}
		found = p
	} else {
		f := newFilterSet()
		f.str("lb_algorithm", cfg.LBAlgorithm)
		f.str("loadbalancer_id", cfg.LoadBalancerID)
		f.str("name", cfg.Name)
		f.str("project_id", cfg.ProjectID)
		f.str("protocol", cfg.Protocol)
		f.tags(ctx, cfg.Tags, &resp.Diagnostics)
		all, err := d.api.ListPools(ctx, f.f)
		if err != nil {
			resp.Diagnostics.AddError("Listing pools", err.Error())
			return
		}
		if !exactlyOne(&resp.Diagnostics, "pool", len(all), f.describe()) {
			return
		}
		found = all[0]
	}
	out := poolDataFrom(found)
	if isSet(cfg.Tags) {
		out.Tags = cfg.Tags
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &out)...)
}

// poolDataFrom converts a pool.
func poolDataFrom(p *lb.Pool) poolData {
	hmID := types.StringNull()
	if p.HealthMonitor != nil && p.HealthMonitor.ID != "" {
		hmID = types.StringValue(p.HealthMonitor.ID)
	}
	return poolData{
		AdminStateUp:       types.BoolValue(p.AdminStateUp),
		ALPNProtocols:      stringList(p.ALPNProtocols),
		CATLSContainerRef:  optionalString(p.CATLSContainerRef),
		CRLContainerRef:    optionalString(p.CRLContainerRef),
		Description:        types.StringValue(p.Description),
		HealthMonitorID:    hmID,
		ID:                 types.StringValue(p.ID),
		LBAlgorithm:        types.StringValue(p.LBAlgorithm),
		ListenerID:         optionalString(p.ListenerID),
		LoadBalancerID:     optionalString(p.LoadBalancerID),
		MemberIDs:          idList(p.Members, func(m *lb.Member) string { return m.ID }),
		Name:               types.StringValue(p.Name),
		OperatingStatus:    types.StringValue(p.OperatingStatus),
		ProjectID:          optionalString(p.ProjectID),
		Protocol:           types.StringValue(p.Protocol),
		ProvisioningStatus: types.StringValue(p.ProvisioningStatus),
		SessionPersistence: sessionPersistenceData(p.SessionPersistence),
		Tags:               stringSet(p.Tags),
		TLSCiphers:         optionalString(p.TLSCiphers),
		TLSContainerRef:    optionalString(p.TLSContainerRef),
		TLSEnabled:         types.BoolValue(p.TLSEnabled),
		TLSVersions:        stringList(p.TLSVersions),
	}
}

// sessionPersistenceData is a pool's session persistence (nil → null).
func sessionPersistenceData(sp *lb.SessionPersistence) types.Object {
	typ := objectType(sessionPersistenceAttributes())
	if sp == nil || sp.Type == "" {
		return types.ObjectNull(typ.AttrTypes)
	}
	timeout := types.Int64Null()
	if sp.PersistenceTimeout != nil {
		timeout = types.Int64Value(int64(*sp.PersistenceTimeout))
	}
	return types.ObjectValueMust(typ.AttrTypes, map[string]attr.Value{
		"cookie_name":             optionalString(sp.CookieName),
		"persistence_granularity": optionalString(sp.PersistenceGranularity),
		"persistence_timeout":     timeout,
		"type":                    types.StringValue(sp.Type),
	})
}
