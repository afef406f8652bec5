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

var _ datasource.DataSourceWithConfigure = &l7RulesDataSource{}

// NewL7Rules is the lbaas_l7rules data source.
func NewL7Rules() datasource.DataSource { return &l7RulesDataSource{} }

type l7RulesDataSource struct {
	base
}

type l7RulesModel struct {
	CompareType        types.String `tfsdk:"compare_type"`
	IDs                types.List   `tfsdk:"ids"`
	Key                types.String `tfsdk:"key"`
	L7PolicyID         types.String `tfsdk:"l7policy_id"`
	OperatingStatus    types.String `tfsdk:"operating_status"`
	ProvisioningStatus types.String `tfsdk:"provisioning_status"`
	Rules              types.List   `tfsdk:"rules"`
	Tags               types.Set    `tfsdk:"tags"`
	Type               types.String `tfsdk:"type"`
	Value              types.String `tfsdk:"value"`
}

func (d *l7RulesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_l7rules"
}

func (d *l7RulesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The rules of an L7 policy that match every given filter (all of them when none is given), " +
			"in the order Octavia lists them.",
		Attributes: map[string]schema.Attribute{
			"compare_type": schema.StringAttribute{
				MarkdownDescription: "Only rules with this compare type: " + backtickedList(lb.CompareTypes()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(lb.CompareTypes()...)},
			},
			"ids": computedStringList("The IDs of the rules found."),
			"key": schema.StringAttribute{MarkdownDescription: "Only rules with this key.", Optional: true},
			"l7policy_id": schema.StringAttribute{
				MarkdownDescription: "The L7 policy whose rules are listed.",
				Required:            true,
			},
			"operating_status": schema.StringAttribute{
				MarkdownDescription: "Only rules in this operating status: " + backtickedList(operatingStatuses()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(operatingStatuses()...)},
			},
			"provisioning_status": schema.StringAttribute{
				MarkdownDescription: "Only rules in this provisioning status: " + backtickedList(provisioningStatuses()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(provisioningStatuses()...)},
			},
			"rules": schema.ListNestedAttribute{
				MarkdownDescription: "The rules found, with the attributes of the `lbaas_l7rule` data source.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: l7RuleAttributes()},
			},
			"tags": schema.SetAttribute{
				MarkdownDescription: "Only rules that have all of these tags.",
				Optional:            true,
				ElementType:         types.StringType,
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "Only rules of this type: " + backtickedList(lb.L7RuleTypes()) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(lb.L7RuleTypes()...)},
			},
			"value": schema.StringAttribute{MarkdownDescription: "Only rules with this value.", Optional: true},
		},
	}
}

func (d *l7RulesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m l7RulesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !d.ready(&resp.Diagnostics) {
		return
	}
	policyID := m.L7PolicyID.ValueString()
	f := newFilterSet()
	f.str("compare_type", m.CompareType)
	f.str("key", m.Key)
	f.str("operating_status", m.OperatingStatus)
	f.str("provisioning_status", m.ProvisioningStatus)
	f.str("type", m.Type)
	f.str("value", m.Value)
	f.tags(ctx, m.Tags, &resp.Diagnostics)
	all, err := d.api.ListL7Rules(ctx, policyID, f.f)
	if err != nil {
		resp.Diagnostics.AddError("Listing the L7 rules of L7 policy "+policyID, err.Error())
		return
	}
	items := make([]l7RuleData, 0, len(all))
	ids := make([]string, 0, len(all))
	for _, r := range all {
		items = append(items, l7RuleDataFrom(policyID, r))
		ids = append(ids, r.ID)
	}
	m.IDs = stringList(ids)
	list, diags := types.ListValueFrom(ctx, objectType(l7RuleAttributes()), items)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.Rules = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
