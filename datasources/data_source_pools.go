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

var _ datasource.DataSourceWithConfigure = &poolsDataSource{}

// NewPools is the lbaas_pools data source.
func NewPools() datasource.DataSource { return &poolsDataSource{} }

type poolsDataSource struct {
	base
}

type poolsModel struct {
	IDs                types.List   `tfsdk:"ids"`
	LBAlgorithm        types.String `tfsdk:"lb_algorithm"`
	LoadBalancerID     types.String `tfsdk:"loadbalancer_id"`
	Name               types.String `tfsdk:"name"`
	OperatingStatus    types.String `tfsdk:"operating_status"`
	Pools              types.List   `tfsdk:"pools"`
	ProjectID          types.String `tfsdk:"project_id"`
	Protocol           types.String `tfsdk:"protocol"`
	ProvisioningStatus types.String `tfsdk:"provisioning_status"`
	Tags               types.Set    `tfsdk:"tags"`
}

func (d *poolsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pools"
}

func (d *poolsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The pools that match every given filter (all of them when none is given), " +
			"in the order Octavia lists them.",
		Attributes: map[string]schema.Attribute{
			"ids": computedStringList("The IDs of the pools found."),
			"lb_algorithm": schema.StringAttribute{
				MarkdownDescription: "Only pools with this algorithm: " + backtickedList(lb.Algorithms()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(lb.Algorithms()...)},
			},
			"loadbalancer_id": schema.StringAttribute{MarkdownDescription: "Only pools of this load balancer.", Optional: true},
			"name":            schema.StringAttribute{MarkdownDescription: "Only pools of this name.", Optional: true},
			"operating_status": schema.StringAttribute{
				MarkdownDescription: "Only pools in this operating status: " + backtickedList(operatingStatuses()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(operatingStatuses()...)},
			},
			"pools": schema.ListNestedAttribute{
				MarkdownDescription: "The pools found, with the attributes of the `lbaas_pool` data source.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: poolAttributes()},
			},
			"project_id": schema.StringAttribute{MarkdownDescription: "Only pools of this project.", Optional: true},
			"protocol": schema.StringAttribute{
				MarkdownDescription: "Only pools of this protocol: " + backtickedList(lb.PoolProtocols()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(lb.PoolProtocols()...)},
			},
			"provisioning_status": schema.StringAttribute{
				MarkdownDescription: "Only pools in this provisioning status: " + backtickedList(provisioningStatuses()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(provisioningStatuses()...)},
			},
			"tags": schema.SetAttribute{
				MarkdownDescription: "Only pools that have all of these tags.",
				Optional:            true,
				ElementType:         types.StringType,
			},
		},
	}
}

func (d *poolsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m poolsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !d.ready(&resp.Diagnostics) {
		return
	}
	f := newFilterSet()
	f.str("lb_algorithm", m.LBAlgorithm)
	f.str("loadbalancer_id", m.LoadBalancerID)
	f.str("name", m.Name)
	f.str("operating_status", m.OperatingStatus)
	f.str("project_id", m.ProjectID)
	f.str("protocol", m.Protocol)
	f.str("provisioning_status", m.ProvisioningStatus)
	f.tags(ctx, m.Tags, &resp.Diagnostics)
	all, err := d.api.ListPools(ctx, f.f)
	if err != nil {
		resp.Diagnostics.AddError("Listing pools", err.Error())
		return
	}
	items := make([]poolData, 0, len(all))
	ids := make([]string, 0, len(all))
	for _, p := range all {
		items = append(items, poolDataFrom(p))
		ids = append(ids, p.ID)
	}
	m.IDs = stringList(ids)
	list, diags := types.ListValueFrom(ctx, objectType(poolAttributes()), items)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.Pools = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
