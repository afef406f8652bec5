package datasources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

var (
	_ datasource.DataSourceWithConfigure        = &l7RuleDataSource{}
	_ datasource.DataSourceWithConfigValidators = &l7RuleDataSource{}
)

// NewL7Rule is the lbaas_l7rule data source.
func NewL7Rule() datasource.DataSource { return &l7RuleDataSource{} }

type l7RuleDataSource struct {
	base
}

// l7RuleData is an L7 rule as data sources report it.
type l7RuleData struct {
	AdminStateUp       types.Bool   `tfsdk:"admin_state_up"`
	CompareType        types.String `tfsdk:"compare_type"`
	ID                 types.String `tfsdk:"id"`
	Invert             types.Bool   `tfsdk:"invert"`
	Key                types.String `tfsdk:"key"`
	L7PolicyID         types.String `tfsdk:"l7policy_id"`
	OperatingStatus    types.String `tfsdk:"operating_status"`
	ProjectID          types.String `tfsdk:"project_id"`
	ProvisioningStatus types.String `tfsdk:"provisioning_status"`
	Tags               types.Set    `tfsdk:"tags"`
	Type               types.String `tfsdk:"type"`
	Value              types.String `tfsdk:"value"`
}

// l7RuleAttributes are the attributes of l7RuleData, all computed.
func l7RuleAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"admin_state_up":      computedBool("Whether the rule is enabled."),
		"compare_type":        computedString("How the value is compared: " + backtickedList(lb.CompareTypes()) + "."),
		"id":                  computedString("The rule's ID."),
		"invert":              computedBool("Whether the rule matches when the comparison fails."),
		"key":                 computedString("The header or cookie name, or the distinguished-name field; null when the type takes none."),
		"l7policy_id":         computedString("The rule's L7 policy."),
		"operating_status":    computedString(operatingStatusText),
		"project_id":          computedString("The project that owns it."),
		"provisioning_status": computedString(provisioningStatusText),
		"tags":                computedStringSet("Its tags."),
		"type":                computedString("What the rule looks at: " + backtickedList(lb.L7RuleTypes()) + "."),
		"value":               computedString("The value compared."),
	}
}

// l7RuleFilters are the optional arguments of the lbaas_l7rule lookup ("id"
// first); l7policy_id is required.
func l7RuleFilters() []string {
	return []string{"id", "compare_type", "key", "tags", "type", "value"}
}

func (d *l7RuleDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_l7rule"
}

func (d *l7RuleDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := l7RuleAttributes()
	attrs["l7policy_id"] = schema.StringAttribute{MarkdownDescription: "The L7 policy the rule belongs to.", Required: true}
	attrs["id"] = asFilter(attrs["id"], "Give it to read that rule, or give other arguments to look it up among the policy's rules.")
	for _, f := range l7RuleFilters()[1:] {
		what := "Looks the rule up by it (exact match)."
		if f == "tags" {
			what = "As an argument: the rule must have all of these tags (and they are what is reported)."
		}
		attrs[f] = asFilter(attrs[f], what)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "One rule of an L7 policy: by `id`, or looked up among the rules of `l7policy_id` by `type`, " +
			"`compare_type`, `key`, `value` or `tags`, which must match exactly one rule (with none, the policy must have exactly one rule).",
		Attributes: attrs,
	}
}

// ConfigValidators: id excludes the other lookup arguments.
func (d *l7RuleDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	out := []datasource.ConfigValidator{}
	for _, n := range l7RuleFilters()[1:] {
		out = append(out, datasourcevalidator.Conflicting(path.MatchRoot("id"), path.MatchRoot(n)))
	}
	return out
}

func (d *l7RuleDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg l7RuleData
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !d.ready(&resp.Diagnostics) {
		return
	}
	policyID := cfg.L7PolicyID.ValueString()
	var found *lb.L7Rule
	if isSet(cfg.ID) {
		r, err := d.api.GetL7Rule(ctx, policyID, cfg.ID.ValueString())
		if err != nil {
			resp.Diagnostics.AddError("Reading L7 rule "+cfg.ID.ValueString()+" of L7 policy "+policyID, err.Error())
			return
		}
		found = r
	} else {
		f := newFilterSet()
		f.str("compare_type", cfg.CompareType)
		f.str("key", cfg.Key)
		f.str("type", cfg.Type)
		f.str("value", cfg.Value)
		f.tags(ctx, cfg.Tags, &resp.Diagnostics)
		all, err := d.api.ListL7Rules(ctx, policyID, f.f)
		if err != nil {
			resp.Diagnostics.AddError("Listing the L7 rules of L7 policy "+policyID, err.Error())
			return
		}
		what := "L7 policy " + policyID
		if len(f.f) > 0 {
			what += " and " + f.describe()
		}
		if !exactlyOne(&resp.Diagnostics, "L7 rule", len(all), what) {
			return
		}
		found = all[0]
	}
	out := l7RuleDataFrom(policyID, found)
	if isSet(cfg.Tags) {
		out.Tags = cfg.Tags
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &out)...)
}

// l7RuleDataFrom converts a rule of policy policyID.
func l7RuleDataFrom(policyID string, r *lb.L7Rule) l7RuleData {
	return l7RuleData{
		AdminStateUp:       types.BoolValue(r.AdminStateUp),
		CompareType:        types.StringValue(r.CompareType),
		ID:                 types.StringValue(r.ID),
		Invert:             types.BoolValue(r.Invert),
		Key:                optionalString(r.Key),
		L7PolicyID:         types.StringValue(policyID),
		OperatingStatus:    types.StringValue(r.OperatingStatus),
		ProjectID:          optionalString(r.ProjectID),
		ProvisioningStatus: types.StringValue(r.ProvisioningStatus),
		Tags:               stringSet(r.Tags),
		Type:               types.StringValue(r.Type),
		Value:              types.StringValue(r.Value),
	}
}
