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

var _ datasource.DataSourceWithConfigure = &membersDataSource{}

// NewMembers is the lbaas_members data source.
func NewMembers() datasource.DataSource { return &membersDataSource{} }

type membersDataSource struct {
	base
}

type membersModel struct {
	Address            types.String `tfsdk:"address"`
	IDs                types.List   `tfsdk:"ids"`
	Members            types.List   `tfsdk:"members"`
	Name               types.String `tfsdk:"name"`
	OperatingStatus    types.String `tfsdk:"operating_status"`
	PoolID             types.String `tfsdk:"pool_id"`
	ProtocolPort       types.Int64  `tfsdk:"protocol_port"`
	ProvisioningStatus types.String `tfsdk:"provisioning_status"`
	Tags               types.Set    `tfsdk:"tags"`
}

func (d *membersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_members"
}

func (d *membersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The members of a pool that match every given filter (all of them when none is " +
			"given), in the order Octavia lists them.",
		Attributes: map[string]schema.Attribute{
			"address": schema.StringAttribute{MarkdownDescription: "Only members on this address.", Optional: true},
			"ids":     computedStringList("The IDs of the members found."),
			"members": schema.ListNestedAttribute{
				MarkdownDescription: "The members found, with the attributes of the `lbaas_member` data source.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: memberAttributes()},
			},
			"name": schema.StringAttribute{MarkdownDescription: "Only members of this name.", Optional: true},
			"operating_status": schema.StringAttribute{
				MarkdownDescription: "Only members in this operating status: " + backtickedList(operatingStatuses()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(operatingStatuses()...)},
			},
			"pool_id": schema.StringAttribute{MarkdownDescription: "The pool whose members to list.", Required: true},
			"protocol_port": schema.Int64Attribute{
				MarkdownDescription: "Only members on this port.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(lb.MinPort, lb.MaxPort)},
			},
			"provisioning_status": schema.StringAttribute{
				MarkdownDescription: "Only members in this provisioning status: " + backtickedList(provisioningStatuses()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(provisioningStatuses()...)},
			},
			"tags": schema.SetAttribute{
				MarkdownDescription: "Only members that have all of these tags.",
				Optional:            true,
				ElementType:         types.StringType,
			},
		},
	}
}

func (d *membersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m membersModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !d.ready(&resp.Diagnostics) {
		return
	}
	poolID := m.PoolID.ValueString()
	f := newFilterSet()
	f.str("address", m.Address)
	f.str("name", m.Name)
	f.str("operating_status", m.OperatingStatus)
	f.int("protocol_port", m.ProtocolPort)
	f.str("provisioning_status", m.ProvisioningStatus)
	f.tags(ctx, m.Tags, &resp.Diagnostics)
	all, err := d.api.ListMembers(ctx, poolID, f.f)
	if err != nil {
		resp.Diagnostics.AddError("Listing the members of pool "+poolID, err.Error())
		return
	}
	items := make([]memberData, 0, len(all))
	ids := make([]string, 0, len(all))
	for _, x := range all {
		items = append(items, memberDataFrom(x, poolID))
		ids = append(ids, x.ID)
	}
	m.IDs = stringList(ids)
	list, diags := types.ListValueFrom(ctx, objectType(memberAttributes()), items)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.Members = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
