package datasources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ datasource.DataSourceWithConfigure = &loadBalancersDataSource{}

// NewLoadBalancers is the lbaas_loadbalancers data source.
func NewLoadBalancers() datasource.DataSource { return &loadBalancersDataSource{} }

type loadBalancersDataSource struct {
	base
}

type loadBalancersModel struct {
	IDs                types.List   `tfsdk:"ids"`
	LoadBalancers      types.List   `tfsdk:"loadbalancers"`
	Name               types.String `tfsdk:"name"`
	OperatingStatus    types.String `tfsdk:"operating_status"`
	ProjectID          types.String `tfsdk:"project_id"`
	ProvisioningStatus types.String `tfsdk:"provisioning_status"`
	Tags               types.Set    `tfsdk:"tags"`
	VIPAddress         types.String `tfsdk:"vip_address"`
	VIPSubnetID        types.String `tfsdk:"vip_subnet_id"`
}

func (d *loadBalancersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_loadbalancers"
}

func (d *loadBalancersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Octavia load balancers that match every given filter (all of them when none is " +
			"given), in the order Octavia lists them.",
		Attributes: map[string]schema.Attribute{
			"ids": computedStringList("The IDs of the load balancers found."),
			"loadbalancers": schema.ListNestedAttribute{
				MarkdownDescription: "The load balancers found, with the attributes of the `lbaas_loadbalancer` data source.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: loadBalancerAttributes()},
			},
			"name": schema.StringAttribute{MarkdownDescription: "Only load balancers of this name.", Optional: true},
			"operating_status": schema.StringAttribute{
				MarkdownDescription: "Only load balancers in this operating status: " + backtickedList(operatingStatuses()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(operatingStatuses()...)},
			},
			"project_id": schema.StringAttribute{MarkdownDescription: "Only load balancers of this project.", Optional: true},
			"provisioning_status": schema.StringAttribute{
				MarkdownDescription: "Only load balancers in this provisioning status: " + backtickedList(provisioningStatuses()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(provisioningStatuses()...)},
			},
			"tags": schema.SetAttribute{
				MarkdownDescription: "Only load balancers that have all of these tags.",
				Optional:            true,
				ElementType:         types.StringType,
			},
			"vip_address":   schema.StringAttribute{MarkdownDescription: "Only load balancers with this VIP address.", Optional: true},
			"vip_subnet_id": schema.StringAttribute{MarkdownDescription: "Only load balancers with their VIP on this subnet.", Optional: true},
		},
	}
}

func (d *loadBalancersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m loadBalancersModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !d.ready(&resp.Diagnostics) {
		return
	}
	f := newFilterSet()
	f.str("name", m.Name)
	f.str("operating_status", m.OperatingStatus)
	f.str("project_id", m.ProjectID)
	f.str("provisioning_status", m.ProvisioningStatus)
	f.str("vip_address", m.VIPAddress)
	f.str("vip_subnet_id", m.VIPSubnetID)
	f.tags(ctx, m.Tags, &resp.Diagnostics)
	all, err := d.api.ListLoadBalancers(ctx, f.f)
	if err != nil {
		resp.Diagnostics.AddError("Listing load balancers", err.Error())
		return
	}
	items := make([]loadBalancerData, 0, len(all))
	ids := make([]string, 0, len(all))
	for _, l := range all {
		items = append(items, loadBalancerDataFrom(l))
		ids = append(ids, l.ID)
	}
	m.IDs = stringList(ids)
	list, diags := types.ListValueFrom(ctx, objectType(loadBalancerAttributes()), items)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.LoadBalancers = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
