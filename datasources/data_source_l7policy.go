package datasources

import (
	"context"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

var (
	_ datasource.DataSourceWithConfigure        = &l7PolicyDataSource{}
	_ datasource.DataSourceWithConfigValidators = &l7PolicyDataSource{}
)

// NewL7Policy is the lbaas_l7policy data source.
func NewL7Policy() datasource.DataSource { return &l7PolicyDataSource{} }

type l7PolicyDataSource struct {
	base
}

// l7PolicyData is an L7 policy as data sources report it.
type l7PolicyData struct {
	Action             types.String `tfsdk:"action"`
	AdminStateUp       types.Bool   `tfsdk:"admin_state_up"`
	Description        types.String `tfsdk:"description"`
	ID                 types.String `tfsdk:"id"`
	ListenerID         types.String `tfsdk:"listener_id"`
	Name               types.String `tfsdk:"name"`
	OperatingStatus    types.String `tfsdk:"operating_status"`
	Position           types.Int64  `tfsdk:"position"`
	ProjectID          types.String `tfsdk:"project_id"`
	ProvisioningStatus types.String `tfsdk:"provisioning_status"`
	RedirectHTTPCode   types.Int64  `tfsdk:"redirect_http_code"`
	RedirectPoolID     types.String `tfsdk:"redirect_pool_id"`
	RedirectPrefix     types.String `tfsdk:"redirect_prefix"`
	RedirectURL        types.String `tfsdk:"redirect_url"`
	RuleIDs            types.List   `tfsdk:"rule_ids"`
	Tags               types.Set    `tfsdk:"tags"`
}

// l7PolicyAttributes are the attributes of l7PolicyData, all computed.
func l7PolicyAttributes() map[string]schema.Attribute {
	codes := make([]string, 0, len(lb.RedirectHTTPCodes()))
	for _, c := range lb.RedirectHTTPCodes() {
		codes = append(codes, strconv.Itoa(c))
	}
	return map[string]schema.Attribute{
		"action":              computedString("What the policy does: " + backtickedList(lb.L7Actions()) + "."),
		"admin_state_up":      computedBool("Whether the policy is enabled."),
		"description":         computedString("The description."),
		"id":                  computedString("The policy's ID."),
		"listener_id":         computedString("The policy's listener."),
		"name":                computedString("The name."),
		"operating_status":    computedString(operatingStatusText),
		"position":            computedInt("The policy's place in its listener's evaluation order (1 first)."),
		"project_id":          computedString("The project that owns it."),
		"provisioning_status": computedString(provisioningStatusText),
		"redirect_http_code":  computedInt("The redirect's HTTP status code (" + backtickedList(codes) + "); null unless the action is `REDIRECT_TO_URL` or `REDIRECT_PREFIX`."),
		"redirect_pool_id":    computedString("The pool of a `REDIRECT_TO_POOL` policy."),
		"redirect_prefix":     computedString("The URL prefix of a `REDIRECT_PREFIX` policy."),
		"redirect_url":        computedString("The URL of a `REDIRECT_TO_URL` policy."),
		"rule_ids":            computedStringList("The IDs of its rules (Octavia's `rules`)."),
		"tags":                computedStringSet("Its tags."),
	}
}

// l7PolicyFilters are the arguments of the lbaas_l7policy lookup ("id"
// first).
func l7PolicyFilters() []string {
	return []string{"id", "action", "listener_id", "name", "position", "project_id", "tags"}
}

func (d *l7PolicyDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_l7policy"
}

func (d *l7PolicyDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := l7PolicyAttributes()
	attrs["id"] = asFilter(attrs["id"], "Give it to read that policy, or give other arguments to look it up.")
	for _, f := range l7PolicyFilters()[1:] {
		what := "Looks the policy up by it (exact match)."
		if f == "tags" {
			what = "As an argument: the policy must have all of these tags (and they are what is reported)."
		}
		attrs[f] = asFilter(attrs[f], what)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "One L7 policy: by `id`, or looked up by `listener_id`, `name`, `position` and other " +
			"arguments, which must match exactly one policy.",
		Attributes: attrs,
	}
}

// ConfigValidators: an id, or at least one lookup argument, not both.
func (d *l7PolicyDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return idOrFilters(l7PolicyFilters())
}

func (d *l7PolicyDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg l7PolicyData
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !d.ready(&resp.Diagnostics) {
		return
	}
	var found *lb.L7Policy
	if isSet(cfg.ID) {
		p, err := d.api.GetL7Policy(ctx, cfg.ID.ValueString())
		if err != nil {
			resp.Diagnostics.AddError("Reading L7 policy "+cfg.ID.ValueString(), err.Error())
			return
		}
		found = p
	} else {
		f := newFilterSet()
		f.str("action", cfg.Action)
		f.str("listener_id", cfg.ListenerID)
		f.str("name", cfg.Name)
		f.int("position", cfg.Position)
		f.str("project_id", cfg.ProjectID)
		f.tags(ctx, cfg.Tags, &resp.Diagnostics)
		all, err := d.api.ListL7Policies(ctx, f.f)
		if err != nil {
			resp.Diagnostics.AddError("Listing L7 policies", err.Error())
			return
		}
		if !exactlyOne(&resp.Diagnostics, "L7 policy", len(all), f.describe()) {
			return
		}
		found = all[0]
	}
	out := l7PolicyDataFrom(found)
	if isSet(cfg.Tags) {
		out.Tags = cfg.Tags
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &out)...)
}

// l7PolicyDataFrom converts a policy.
func l7PolicyDataFrom(p *lb.L7Policy) l7PolicyData {
	code := types.Int64Null()
	if p.RedirectHTTPCode != nil {
		code = types.Int64Value(int64(*p.RedirectHTTPCode))
	}
	return l7PolicyData{
		Action:             types.StringValue(p.Action),
		AdminStateUp:       types.BoolValue(p.AdminStateUp),
		Description:        types.StringValue(p.Description),
		ID:                 types.StringValue(p.ID),
		ListenerID:         types.StringValue(p.ListenerID),
		Name:               types.StringValue(p.Name),
		OperatingStatus:    types.StringValue(p.OperatingStatus),
		Position:           types.Int64Value(int64(p.Position)),
		ProjectID:          optionalString(p.ProjectID),
		ProvisioningStatus: types.StringValue(p.ProvisioningStatus),
		RedirectHTTPCode:   code,
		RedirectPoolID:     optionalString(p.RedirectPoolID),
		RedirectPrefix:     optionalString(p.RedirectPrefix),
		RedirectURL:        optionalString(p.RedirectURL),
		RuleIDs:            idList(p.Rules, func(x *lb.L7Rule) string { return x.ID }),
		Tags:               stringSet(p.Tags),
	}
}
