package datasources

import (
	"cmp"
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

var _ datasource.DataSourceWithConfigure = &l7PoliciesDataSource{}

// NewL7Policies is the lbaas_l7policies data source.
func NewL7Policies() datasource.DataSource { return &l7PoliciesDataSource{} }

type l7PoliciesDataSource struct {
	base
}

type l7PoliciesModel struct {
	Action             types.String `tfsdk:"action"`
	IDs                types.List   `tfsdk:"ids"`
	L7Policies         types.List   `tfsdk:"l7policies"`
	ListenerID         types.String `tfsdk:"listener_id"`
	Name               types.String `tfsdk:"name"`
	OperatingStatus    types.String `tfsdk:"operating_status"`
	Position           types.Int64  `tfsdk:"position"`
	ProjectID          types.String `tfsdk:"project_id"`
	ProvisioningStatus types.String `tfsdk:"provisioning_status"`
	RedirectPoolID     types.String `tfsdk:"redirect_pool_id"`
	Tags               types.Set    `tfsdk:"tags"`
}

func (d *l7PoliciesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_l7policies"
}

func (d *l7PoliciesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The L7 policies that match every given filter (all of them when none is given), " +
			"ordered by listener and, within a listener, by `position` (evaluation order); give `listener_id` for " +
			"one listener's policies.",
		Attributes: map[string]schema.Attribute{
			"action": schema.StringAttribute{
				MarkdownDescription: "Only policies with this action: " + backtickedList(lb.L7Actions()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(lb.L7Actions()...)},
			},
			"ids": computedStringList("The IDs of the policies found."),
			"l7policies": schema.ListNestedAttribute{
				MarkdownDescription: "The policies found, with the attributes of the `lbaas_l7policy` data source.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: l7PolicyAttributes()},
			},
			"listener_id": schema.StringAttribute{MarkdownDescription: "Only policies of this listener.", Optional: true},
			"name":        schema.StringAttribute{MarkdownDescription: "Only policies of this name.", Optional: true},
			"operating_status": schema.StringAttribute{
				MarkdownDescription: "Only policies in this operating status: " + backtickedList(operatingStatuses()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(operatingStatuses()...)},
			},
			"position": schema.Int64Attribute{
				MarkdownDescription: "Only policies at this position.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(lb.MinPosition, lb.MaxPosition)},
			},
			"project_id": schema.StringAttribute{MarkdownDescription: "Only policies of this project.", Optional: true},
			"provisioning_status": schema.StringAttribute{
				MarkdownDescription: "Only policies in this provisioning status: " + backtickedList(provisioningStatuses()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(provisioningStatuses()...)},
			},
			"redirect_pool_id": schema.StringAttribute{MarkdownDescription: "Only policies that redirect to this pool.", Optional: true},
			"tags": schema.SetAttribute{
				MarkdownDescription: "Only policies that have all of these tags.",
				Optional:            true,
				ElementType:         types.StringType,
			},
		},
	}
}

func (d *l7PoliciesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m l7PoliciesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !d.ready(&resp.Diagnostics) {
		return
	}
	f := newFilterSet()
	f.str("action", m.Action)
	f.str("listener_id", m.ListenerID)
	f.str("name", m.Name)
	f.str("operating_status", m.OperatingStatus)
	f.int("position", m.Position)
	f.str("project_id", m.ProjectID)
	f.str("provisioning_status", m.ProvisioningStatus)
	f.str("redirect_pool_id", m.RedirectPoolID)
	f.tags(ctx, m.Tags, &resp.Diagnostics)
	all, err := d.api.ListL7Policies(ctx, f.f)
	if err != nil {
		resp.Diagnostics.AddError("Listing L7 policies", err.Error())
		return
	}
	slices.SortStableFunc(all, func(a, b *lb.L7Policy) int {
		return cmp.Or(cmp.Compare(a.ListenerID, b.ListenerID), cmp.Compare(a.Position, b.Position))
	})
	items := make([]l7PolicyData, 0, len(all))
	ids := make([]string, 0, len(all))
	for _, p := range all {
		items = append(items, l7PolicyDataFrom(p))
		ids = append(ids, p.ID)
	}
	m.IDs = stringList(ids)
	list, diags := types.ListValueFrom(ctx, objectType(l7PolicyAttributes()), items)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.L7Policies = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
