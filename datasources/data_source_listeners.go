package datasources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

var _ datasource.DataSourceWithConfigure = &listenersDataSource{}

// NewListeners is the lbaas_listeners data source.
func NewListeners() datasource.DataSource { return &listenersDataSource{} }

type listenersDataSource struct {
	base
}

type listenersModel struct {
	IDs                types.List   `tfsdk:"ids"`
	Listeners          types.List   `tfsdk:"listeners"`
	LoadBalancerID     types.String `tfsdk:"loadbalancer_id"`
	Name               types.String `tfsdk:"name"`
	OperatingStatus    types.String `tfsdk:"operating_status"`
	ProjectID          types.String `tfsdk:"project_id"`
	Protocol           types.String `tfsdk:"protocol"`
	ProtocolPort       types.Int64  `tfsdk:"protocol_port"`
	ProvisioningStatus types.String `tfsdk:"provisioning_status"`
	Tags               types.Set    `tfsdk:"tags"`
}

func (d *listenersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_listeners"
}

func (d *listenersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The listeners that match every given filter (all of them when none is given), " +
			"in the order Octavia lists them.",
		Attributes: map[string]schema.Attribute{
			"ids": computedStringList("The IDs of the listeners found."),
			"listeners": schema.ListNestedAttribute{
				MarkdownDescription: "The listeners found, with the attributes of the `lbaas_listener` data source.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: listenerAttributes()},
			},
			"loadbalancer_id": schema.StringAttribute{MarkdownDescription: "Only listeners of this load balancer.", Optional: true},
			"name":            schema.StringAttribute{MarkdownDescription: "Only listeners of this name.", Optional: true},
			"operating_status": schema.StringAttribute{
				MarkdownDescription: "Only listeners in this operating status: " + backtickedList(operatingStatuses()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(operatingStatuses()...)},
			},
			"project_id": schema.StringAttribute{MarkdownDescription: "Only listeners of this project.", Optional: true},
			"protocol": schema.StringAttribute{
				MarkdownDescription: "Only listeners of this protocol: " + backtickedList(lb.ListenerProtocols()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(lb.ListenerProtocols()...)},
			},
			"protocol_port": schema.Int64Attribute{
				MarkdownDescription: "Only listeners on this port.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(lb.MinPort, lb.MaxPort)},
			},
			"provisioning_status": schema.StringAttribute{
				MarkdownDescription: "Only listeners in this provisioning status: " + backtickedList(provisioningStatuses()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(provisioningStatuses()...)},
			},
			"tags": schema.SetAttribute{
				MarkdownDescription: "Only listeners that have all of these tags.",
				Optional:            true,
				ElementType:         types.StringType,
			},
		},
	}
}

func (d *listenersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m listenersModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !d.ready(&resp.Diagnostics) {
		return
	}
	f := newFilterSet()
	f.str("loadbalancer_id", m.LoadBalancerID)
	f.str("name", m.Name)
	f.str("operating_status", m.OperatingStatus)
	f.str("project_id", m.ProjectID)
	f.str("protocol", m.Protocol)
	f.int("protocol_port", m.ProtocolPort)
	f.str("provisioning_status", m.ProvisioningStatus)
	f.tags(ctx, m.Tags, &resp.Diagnostics)
	all, err := d.api.ListListeners(ctx, f.f)
	if err != nil {
		resp.Diagnostics.AddError("Listing listeners", err.Error())
		return
	}
	items := make([]listenerData, 0, len(all))
	ids := make([]string, 0, len(all))
	for _, li := range all {
		items = append(items, listenerDataFrom(li))
		ids = append(ids, li.ID)
	}
	m.IDs = stringList(ids)
	list, diags := types.ListValueFrom(ctx, objectType(listenerAttributes()), items)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.Listeners = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
