package datasources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

var (
	_ datasource.DataSourceWithConfigure        = &monitorDataSource{}
	_ datasource.DataSourceWithConfigValidators = &monitorDataSource{}
)

// NewMonitor is the lbaas_monitor data source.
func NewMonitor() datasource.DataSource { return &monitorDataSource{} }

type monitorDataSource struct {
	base
}

// monitorData is a health monitor as data sources report it.
type monitorData struct {
	AdminStateUp       types.Bool    `tfsdk:"admin_state_up"`
	Delay              types.Int64   `tfsdk:"delay"`
	DomainName         types.String  `tfsdk:"domain_name"`
	ExpectedCodes      types.String  `tfsdk:"expected_codes"`
	HTTPMethod         types.String  `tfsdk:"http_method"`
	HTTPVersion        types.Float64 `tfsdk:"http_version"`
	ID                 types.String  `tfsdk:"id"`
	MaxRetries         types.Int64   `tfsdk:"max_retries"`
	MaxRetriesDown     types.Int64   `tfsdk:"max_retries_down"`
	Name               types.String  `tfsdk:"name"`
	OperatingStatus    types.String  `tfsdk:"operating_status"`
	PoolID             types.String  `tfsdk:"pool_id"`
	ProjectID          types.String  `tfsdk:"project_id"`
	ProvisioningStatus types.String  `tfsdk:"provisioning_status"`
	Tags               types.Set     `tfsdk:"tags"`
	Timeout            types.Int64   `tfsdk:"timeout"`
	Type               types.String  `tfsdk:"type"`
	URLPath            types.String  `tfsdk:"url_path"`
}

// monitorAttributes are the attributes of monitorData, all computed.
func monitorAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"admin_state_up":      computedBool("Whether the monitor is enabled."),
		"delay":               computedInt("Seconds between checks."),
		"domain_name":         computedString("The `Host` header of HTTP checks, if any."),
		"expected_codes":      computedString("The HTTP codes that mean healthy (HTTP and HTTPS monitors)."),
		"http_method":         computedString("The HTTP method of the check (HTTP and HTTPS monitors)."),
		"http_version":        schema.Float64Attribute{MarkdownDescription: "The HTTP version of the check, if set.", Computed: true},
		"id":                  computedString("The monitor's ID."),
		"max_retries":         computedInt("Successful checks that bring a member up."),
		"max_retries_down":    computedInt("Failed checks that take a member down."),
		"name":                computedString("The name."),
		"operating_status":    computedString(operatingStatusText),
		"pool_id":             computedString("The pool the monitor checks."),
		"project_id":          computedString("The project that owns it."),
		"provisioning_status": computedString(provisioningStatusText),
		"tags":                computedStringSet("Its tags."),
		"timeout":             computedInt("Seconds a check may take."),
		"type":                computedString("The check: " + backtickedList(lb.MonitorTypes()) + "."),
		"url_path":            computedString("The path of the check (HTTP and HTTPS monitors)."),
	}
}

// monitorFilters are the arguments of the lbaas_monitor lookup.
var monitorFilters = []string{"id", "name", "pool_id", "project_id", "tags", "type"}

func (d *monitorDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_monitor"
}

func (d *monitorDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := monitorAttributes()
	attrs["id"] = asFilter(attrs["id"], "Give it to read that monitor, or give other arguments to look it up.")
	for _, f := range monitorFilters[1:] {
		what := "Looks the monitor up by it (exact match)."
		if f == "tags" {
			what = "As an argument: the monitor must have all of these tags (and they are what is reported)."
		}
		attrs[f] = asFilter(attrs[f], what)
	}
	typ := attrs["type"].(schema.StringAttribute)
	typ.Validators = []validator.String{stringvalidator.OneOf(lb.MonitorTypes()...)}
	attrs["type"] = typ
	resp.Schema = schema.Schema{
		MarkdownDescription: "One health monitor: by `id`, or looked up by `pool_id`, `name`, `type` and other " +
			"arguments, which must match exactly one monitor.",
		Attributes: attrs,
	}
}

// ConfigValidators: an id, or at least one lookup argument, not both.
func (d *monitorDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return idOrFilters(monitorFilters)
}

func (d *monitorDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg monitorData
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !d.ready(&resp.Diagnostics) {
		return
	}
	var found *lb.HealthMonitor
	if isSet(cfg.ID) {
		h, err := d.api.GetHealthMonitor(ctx, cfg.ID.ValueString())
		if err != nil {
			resp.Diagnostics.AddError("Reading health monitor "+cfg.ID.ValueString(), err.Error())
			return
		}
		found = h
	} else {
		f := newFilterSet()
		f.str("name", cfg.Name)
		f.str("pool_id", cfg.PoolID)
		f.str("project_id", cfg.ProjectID)
		f.str("type", cfg.Type)
		f.tags(ctx, cfg.Tags, &resp.Diagnostics)
		all, err := d.api.ListHealthMonitors(ctx, f.f)
		if err != nil {
			resp.Diagnostics.AddError("Listing health monitors", err.Error())
			return
		}
		if !exactlyOne(&resp.Diagnostics, "health monitor", len(all), f.describe()) {
			return
		}
		found = all[0]
	}
	out := monitorDataFrom(found)
	if isSet(cfg.Tags) {
		out.Tags = cfg.Tags
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &out)...)
}

// monitorDataFrom converts a health monitor.
func monitorDataFrom(h *lb.HealthMonitor) monitorData {
	version := types.Float64Null()
	if h.HTTPVersion != nil {
		version = types.Float64Value(*h.HTTPVersion)
	}
	return monitorData{
		AdminStateUp:       types.BoolValue(h.AdminStateUp),
		Delay:              types.Int64Value(int64(h.Delay)),
		DomainName:         optionalString(h.DomainName),
		ExpectedCodes:      optionalString(h.ExpectedCodes),
		HTTPMethod:         optionalString(h.HTTPMethod),
		HTTPVersion:        version,
		ID:                 types.StringValue(h.ID),
		MaxRetries:         types.Int64Value(int64(h.MaxRetries)),
		MaxRetriesDown:     types.Int64Value(int64(h.MaxRetriesDown)),
		Name:               types.StringValue(h.Name),
		OperatingStatus:    types.StringValue(h.OperatingStatus),
		PoolID:             optionalString(h.PoolID),
		ProjectID:          optionalString(h.ProjectID),
		ProvisioningStatus: types.StringValue(h.ProvisioningStatus),
		Tags:               stringSet(h.Tags),
		Timeout:            types.Int64Value(int64(h.Timeout)),
		Type:               types.StringValue(h.Type),
		URLPath:            optionalString(h.URLPath),
	}
}
