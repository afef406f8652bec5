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

var _ datasource.DataSourceWithConfigure = &monitorsDataSource{}

// NewMonitors is the lbaas_monitors data source.
func NewMonitors() datasource.DataSource { return &monitorsDataSource{} }

type monitorsDataSource struct {
	base
}

type monitorsModel struct {
	IDs                types.List   `tfsdk:"ids"`
	Monitors           types.List   `tfsdk:"monitors"`
	Name               types.String `tfsdk:"name"`
	OperatingStatus    types.String `tfsdk:"operating_status"`
	PoolID             types.String `tfsdk:"pool_id"`
	ProjectID          types.String `tfsdk:"project_id"`
	ProvisioningStatus types.String `tfsdk:"provisioning_status"`
	Tags               types.Set    `tfsdk:"tags"`
	Type               types.String `tfsdk:"type"`
}

func (d *monitorsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_monitors"
}

func (d *monitorsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The health monitors that match every given filter (all of them when none is given), " +
			"in the order Octavia lists them.",
		Attributes: map[string]schema.Attribute{
			"ids": computedStringList("The IDs of the monitors found."),
			"monitors": schema.ListNestedAttribute{
				MarkdownDescription: "The monitors found, with the attributes of the `lbaas_monitor` data source.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: monitorAttributes()},
			},
			"name": schema.StringAttribute{MarkdownDescription: "Only monitors of this name.", Optional: true},
			"operating_status": schema.StringAttribute{
				MarkdownDescription: "Only monitors in this operating status: " + backtickedList(operatingStatuses()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(operatingStatuses()...)},
			},
			"pool_id":    schema.StringAttribute{MarkdownDescription: "Only the monitor of this pool.", Optional: true},
			"project_id": schema.StringAttribute{MarkdownDescription: "Only monitors of this project.", Optional: true},
			"provisioning_status": schema.StringAttribute{
				MarkdownDescription: "Only monitors in this provisioning status: " + backtickedList(provisioningStatuses()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(provisioningStatuses()...)},
			},
			"tags": schema.SetAttribute{
				MarkdownDescription: "Only monitors that have all of these tags.",
				Optional:            true,
				ElementType:         types.StringType,
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "Only monitors of this type: " + backtickedList(lb.MonitorTypes()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(lb.MonitorTypes()...)},
			},
		},
	}
}

func (d *monitorsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m monitorsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !d.ready(&resp.Diagnostics) {
		return
	}
	f := newFilterSet()
	f.str("name", m.Name)
	f.str("operating_status", m.OperatingStatus)
	f.str("pool_id", m.PoolID)
	f.str("project_id", m.ProjectID)
	f.str("provisioning_status", m.ProvisioningStatus)
	f.str("type", m.Type)
	f.tags(ctx, m.Tags, &resp.Diagnostics)
	all, err := d.api.ListHealthMonitors(ctx, f.f)
	if err != nil {
		resp.Diagnostics.AddError("Listing health monitors", err.Error())
		return
	}
	items := make([]monitorData, 0, len(all))
	ids := make([]string, 0, len(all))
	for _, h := range all {
		items = append(items, monitorDataFrom(h))
		ids = append(ids, h.ID)
	}
	m.IDs = stringList(ids)
	list, diags := types.ListValueFrom(ctx, objectType(monitorAttributes()), items)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.Monitors = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
