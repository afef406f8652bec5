package datasources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

var (
	_ datasource.DataSourceWithConfigure        = &memberDataSource{}
	_ datasource.DataSourceWithConfigValidators = &memberDataSource{}
)

// NewMember is the lbaas_member data source.
func NewMember() datasource.DataSource { return &memberDataSource{} }

type memberDataSource struct {
	base
}

// memberData is a member as data sources report it.
type memberData struct {
	Address            types.String `tfsdk:"address"`
	AdminStateUp       types.Bool   `tfsdk:"admin_state_up"`
	Backup             types.Bool   `tfsdk:"backup"`
	ID                 types.String `tfsdk:"id"`
	MonitorAddress     types.String `tfsdk:"monitor_address"`
	MonitorPort        types.Int64  `tfsdk:"monitor_port"`
	Name               types.String `tfsdk:"name"`
	OperatingStatus    types.String `tfsdk:"operating_status"`
	PoolID             types.String `tfsdk:"pool_id"`
	ProjectID          types.String `tfsdk:"project_id"`
	ProtocolPort       types.Int64  `tfsdk:"protocol_port"`
	ProvisioningStatus types.String `tfsdk:"provisioning_status"`
	SubnetID           types.String `tfsdk:"subnet_id"`
	Tags               types.Set    `tfsdk:"tags"`
	Weight             types.Int64  `tfsdk:"weight"`
}

// memberAttributes are the attributes of memberData, all computed.
func memberAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"address":             computedString("The member's IP address."),
		"admin_state_up":      computedBool("Whether the member is enabled."),
		"backup":              computedBool("Whether the member is a backup."),
		"id":                  computedString("The member's ID."),
		"monitor_address":     computedString("The address the health monitor checks instead, if any."),
		"monitor_port":        computedInt("The port the health monitor checks instead, if any."),
		"name":                computedString("The name."),
		"operating_status":    computedString(operatingStatusText),
		"pool_id":             computedString("The member's pool."),
		"project_id":          computedString("The project that owns it."),
		"protocol_port":       computedInt("The member's port."),
		"provisioning_status": computedString(provisioningStatusText),
		"subnet_id":           computedString("The subnet the member is reached on, if any."),
		"tags":                computedStringSet("Its tags."),
		"weight":              computedInt("The member's weight (0–256)."),
	}
}

// memberFilters are the lookup arguments of lbaas_member (besides pool_id).
var memberFilters = []string{"id", "address", "name", "protocol_port", "tags"}

func (d *memberDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_member"
}

func (d *memberDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := memberAttributes()
	pool := attrs["pool_id"].(schema.StringAttribute)
	pool.Computed, pool.Required = false, true
	pool.MarkdownDescription = "The pool of the member."
	attrs["pool_id"] = pool
	attrs["id"] = asFilter(attrs["id"], "Give it to read that member, or give other arguments to look it up.")
	for _, f := range memberFilters[1:] {
		what := "Looks the member up by it (exact match)."
		if f == "tags" {
			what = "As an argument: the member must have all of these tags (and they are what is reported)."
		}
		attrs[f] = asFilter(attrs[f], what)
	}
	port := attrs["protocol_port"].(schema.Int64Attribute)
	port.Validators = []validator.Int64{int64validator.Between(lb.MinPort, lb.MaxPort)}
	attrs["protocol_port"] = port
	resp.Schema = schema.Schema{
		MarkdownDescription: "One member of a pool: by `id`, or looked up by `address`, `protocol_port`, `name` " +
			"and `tags`, which must match exactly one member of the pool.",
		Attributes: attrs,
	}
}

// ConfigValidators: an id, or at least one lookup argument, not both.
func (d *memberDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return idOrFilters(memberFilters)
}

func (d *memberDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg memberData
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !d.ready(&resp.Diagnostics) {
		return
	}
	poolID := cfg.PoolID.ValueString()
	var found *lb.Member
	if isSet(cfg.ID) {
		m, err := d.api.GetMember(ctx, poolID, cfg.ID.ValueString())
		if err != nil {
			resp.Diagnostics.AddError("Reading member "+cfg.ID.ValueString()+" of pool "+poolID, err.Error())
			return
		}
		found = m
	} else {
		f := newFilterSet()
		f.str("address", cfg.Address)
		f.str("name", cfg.Name)
		f.int("protocol_port", cfg.ProtocolPort)
		f.tags(ctx, cfg.Tags, &resp.Diagnostics)
		all, err := d.api.ListMembers(ctx, poolID, f.f)
		if err != nil {
			resp.Diagnostics.AddError("Listing the members of pool "+poolID, err.Error())
			return
		}
		if !exactlyOne(&resp.Diagnostics, "member", len(all), f.describe()+" in pool "+poolID) {
			return
		}
		found = all[0]
	}
	out := memberDataFrom(found, poolID)
	if isSet(cfg.Tags) {
		out.Tags = cfg.Tags
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &out)...)
}

// memberDataFrom converts a member of poolID.
func memberDataFrom(m *lb.Member, poolID string) memberData {
	monitorPort := types.Int64Null()
	if m.MonitorPort != nil {
		monitorPort = types.Int64Value(int64(*m.MonitorPort))
	}
	if m.PoolID != "" {
		poolID = m.PoolID
	}
	return memberData{
		Address:            types.StringValue(m.Address),
		AdminStateUp:       types.BoolValue(m.AdminStateUp),
		Backup:             types.BoolValue(m.Backup),
		ID:                 types.StringValue(m.ID),
		MonitorAddress:     optionalString(m.MonitorAddress),
		MonitorPort:        monitorPort,
		Name:               types.StringValue(m.Name),
		OperatingStatus:    types.StringValue(m.OperatingStatus),
		PoolID:             types.StringValue(poolID),
		ProjectID:          optionalString(m.ProjectID),
		ProtocolPort:       types.Int64Value(int64(m.ProtocolPort)),
		ProvisioningStatus: types.StringValue(m.ProvisioningStatus),
		SubnetID:           optionalString(m.SubnetID),
		Tags:               stringSet(m.Tags),
		Weight:             types.Int64Value(int64(m.Weight)),
	}
}
