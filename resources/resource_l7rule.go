package resources

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/octavia"
)

var (
	_ resource.Resource                   = &l7RuleResource{}
	_ resource.ResourceWithConfigure      = &l7RuleResource{}
	_ resource.ResourceWithImportState    = &l7RuleResource{}
	_ resource.ResourceWithModifyPlan     = &l7RuleResource{}
	_ resource.ResourceWithValidateConfig = &l7RuleResource{}
)

const kindL7Rule = "L7 rule"

// l7RuleMaxString is the longest key or value Octavia takes.
const l7RuleMaxString = 255

// NewL7Rule is the lbaas_l7rule resource.
func NewL7Rule() resource.Resource { return &l7RuleResource{} }

// l7RuleResource manages one rule of an Octavia L7 policy.
type l7RuleResource struct {
	base
}

// l7RuleModel is lbaas_l7rule's state.
type l7RuleModel struct {
	AdminStateUp       types.Bool     `tfsdk:"admin_state_up"`
	CompareType        types.String   `tfsdk:"compare_type"`
	ID                 types.String   `tfsdk:"id"`
	Invert             types.Bool     `tfsdk:"invert"`
	Key                types.String   `tfsdk:"key"`
	L7PolicyID         types.String   `tfsdk:"l7policy_id"`
	OperatingStatus    types.String   `tfsdk:"operating_status"`
	ProvisioningStatus types.String   `tfsdk:"provisioning_status"`
	Tags               types.Set      `tfsdk:"tags"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
	Type               types.String   `tfsdk:"type"`
	Value              types.String   `tfsdk:"value"`
}

// Metadata names the resource.
func (r *l7RuleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_l7rule"
}

// Schema describes lbaas_l7rule.
func (r *l7RuleResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A rule of an Octavia L7 policy: the policy acts on a request when all of its rules match. " +
			fmt.Sprintf("A policy holds at most %d rules. Import with `<l7policy_id>/<rule_id>`.", lb.MaxRulesPerPolicy),
		Attributes: map[string]schema.Attribute{
			"admin_state_up": schema.BoolAttribute{
				MarkdownDescription: "Whether the rule is enabled. Defaults to `true`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"compare_type": schema.StringAttribute{
				MarkdownDescription: "How `value` is compared. One of " + backticked(lb.CompareTypes()) +
					". `FILE_TYPE` rules take only `REGEX` and `EQUAL_TO`; `SSL_CONN_HAS_CERT` and " +
					"`SSL_VERIFY_RESULT` only `EQUAL_TO`. A `REGEX` value must be a valid regular expression.",
				Required:   true,
				Validators: []validator.String{stringvalidator.OneOf(lb.CompareTypes()...)},
			},
			"id": idAttribute("L7 rule"),
			"invert": schema.BoolAttribute{
				MarkdownDescription: "Whether the rule matches when the comparison fails. Defaults to `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"key": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The header or cookie name for `HEADER` and `COOKIE` rules (required there), "+
					"the distinguished-name field for `SSL_DN_FIELD` (required there, e.g. `CN`); `SSL_CONN_HAS_CERT` and "+
					"`SSL_VERIFY_RESULT` take none. 1–%d characters, no line breaks.", l7RuleMaxString),
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, l7RuleMaxString)},
			},
			"l7policy_id": schema.StringAttribute{
				MarkdownDescription: "The ID of the L7 policy the rule belongs to. Changing it replaces the rule.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"operating_status":    operatingStatusAttribute(),
			"provisioning_status": provisioningStatusAttribute(),
			"tags":                tagsAttribute(),
			"timeouts":            timeoutsAttribute(ctx),
			"type": schema.StringAttribute{
				MarkdownDescription: "What the rule looks at. One of " + backticked(lb.L7RuleTypes()) + ".",
				Required:            true,
				Validators:          []validator.String{stringvalidator.OneOf(lb.L7RuleTypes()...)},
			},
			"value": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The value compared, 1–%d characters, no line breaks: `true` for "+
					"`SSL_CONN_HAS_CERT`, a non-negative integer for `SSL_VERIFY_RESULT`.", l7RuleMaxString),
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, l7RuleMaxString)},
			},
		},
	}
}

// Create creates the rule, records its ID, then waits for it to be ACTIVE.
func (r *l7RuleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan l7RuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, opCreate, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	policyID := plan.L7PolicyID.ValueString()
	want := plan.toAPI(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := lb.ValidateL7Rule(want, nil); err != nil {
		AddRuleError(&resp.Diagnostics, err)
		return
	}
	created, err := r.api.CreateL7Rule(ctx, policyID, want)
	if err != nil {
		apiError(&resp.Diagnostics, "Creating", kindL7Rule+" of L7 policy "+policyID, "", err)
		return
	}
	// The ID (and the policy's, which Delete needs) goes to state before any
	// wait: a failed wait leaves a tainted rule, never an orphan.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), created.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("l7policy_id"), policyID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("timeouts"), plan.Timeouts)...)
	if resp.Diagnostics.HasError() {
		return
	}
	got, err := r.api.WaitL7Rule(ctx, octavia.ActionCreate, policyID, created.ID)
	if err != nil {
		apiError(&resp.Diagnostics, "Creating", kindL7Rule, created.ID, err)
		return
	}
	plan.fromAPI(policyID, got)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read refreshes the rule; a rule (or policy) that is gone leaves the state.
func (r *l7RuleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state l7RuleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	policyID, id := state.L7PolicyID.ValueString(), state.ID.ValueString()
	got, err := r.api.GetL7Rule(ctx, policyID, id)
	if isNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		apiError(&resp.Diagnostics, "Reading", kindL7Rule, id, err)
		return
	}
	state.fromAPI(policyID, got)
	warnIfError(&resp.Diagnostics, kindL7Rule, got.ID, got.ProvisioningStatus)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update sends the whole desired rule and waits for it to be ACTIVE.
func (r *l7RuleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan l7RuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, opUpdate, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	policyID, id := plan.L7PolicyID.ValueString(), plan.ID.ValueString()
	want := plan.toAPI(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := lb.ValidateL7Rule(want, nil); err != nil {
		AddRuleError(&resp.Diagnostics, err)
		return
	}
	if _, err := r.api.UpdateL7Rule(ctx, policyID, id, want); err != nil {
		apiError(&resp.Diagnostics, "Updating", kindL7Rule, id, err)
		return
	}
	got, err := r.api.WaitL7Rule(ctx, octavia.ActionUpdate, policyID, id)
	if err != nil {
		apiError(&resp.Diagnostics, "Updating", kindL7Rule, id, err)
		return
	}
	plan.fromAPI(policyID, got)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete deletes the rule (gone already is success) and waits until it is.
func (r *l7RuleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state l7RuleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts, opDelete, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	policyID, id := state.L7PolicyID.ValueString(), state.ID.ValueString()
	if err := r.api.DeleteL7Rule(ctx, policyID, id); err != nil && !isNotFound(err) {
		apiError(&resp.Diagnostics, "Deleting", kindL7Rule, id, err)
		return
	}
	if _, err := r.api.WaitL7Rule(ctx, octavia.ActionDelete, policyID, id); err != nil && !isNotFound(err) {
		apiError(&resp.Diagnostics, "Deleting", kindL7Rule, id, err)
	}
}

// ImportState imports a rule by "<l7policy_id>/<rule_id>".
func (r *l7RuleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	policyID, id, ok := strings.Cut(req.ID, "/")
	if !ok || policyID == "" || id == "" || strings.Contains(id, "/") {
		resp.Diagnostics.AddError("Importing L7 rule",
			fmt.Sprintf("expected an import ID of the form <l7policy_id>/<rule_id>, got %q", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("l7policy_id"), policyID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

// ModifyPlan replaces a rule that a refresh found in ERROR.
func (r *l7RuleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	replaceIfError(ctx, req, resp, kindL7Rule)
}

// ValidateConfig runs Octavia's L7 rule rules on the known values, so that
// what Octavia would refuse fails at plan time on the attribute concerned.
func (r *l7RuleResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg l7RuleModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateL7RuleConfig(ctx, &cfg, &resp.Diagnostics)
}

// validateL7RuleConfig is the plan-time check: lb.ValidateL7Rule once type,
// compare_type and key are known. An unknown value is replaced by one that
// every rule of its type accepts, so the key and compare-type rules still
// run; an unknown key skips the check (it may turn out null or set).
func validateL7RuleConfig(ctx context.Context, cfg *l7RuleModel, diags *diag.Diagnostics) {
	if cfg.Type.IsUnknown() || cfg.CompareType.IsUnknown() || cfg.Key.IsUnknown() {
		return
	}
	tags := setStrings(ctx, cfg.Tags, diags)
	if diags.HasError() {
		return
	}
	value := cfg.Value.ValueString()
	if cfg.Value.IsUnknown() {
		switch cfg.Type.ValueString() {
		case lb.L7RuleSSLConnHasCert:
			value = "true"
		case lb.L7RuleSSLVerifyResult:
			value = "0"
		default:
			value = "placeholder"
		}
	}
	rule := &lb.L7Rule{
		Type:        cfg.Type.ValueString(),
		CompareType: cfg.CompareType.ValueString(),
		Key:         cfg.Key.ValueString(),
		Value:       value,
		Tags:        tags,
	}
	if err := lb.ValidateL7Rule(rule, nil); err != nil {
		AddRuleError(diags, err)
	}
}

// toAPI is the desired rule.
func (m *l7RuleModel) toAPI(ctx context.Context, diags *diag.Diagnostics) *lb.L7Rule {
	tags := setStrings(ctx, m.Tags, diags)
	return &lb.L7Rule{
		ID:           m.ID.ValueString(),
		L7PolicyID:   m.L7PolicyID.ValueString(),
		Type:         m.Type.ValueString(),
		CompareType:  m.CompareType.ValueString(),
		Key:          m.Key.ValueString(),
		Value:        m.Value.ValueString(),
		Invert:       m.Invert.ValueBool(),
		AdminStateUp: m.AdminStateUp.ValueBool(),
		Tags:         tags,
	}
}

// fromAPI sets the model from Octavia's rule of policy policyID.
func (m *l7RuleModel) fromAPI(policyID string, r *lb.L7Rule) {
	m.ID = types.StringValue(r.ID)
	m.L7PolicyID = types.StringValue(policyID)
	m.Type = types.StringValue(r.Type)
	m.CompareType = types.StringValue(r.CompareType)
	m.Key = optionalString(r.Key)
	m.Value = types.StringValue(r.Value)
	m.Invert = types.BoolValue(r.Invert)
	m.AdminStateUp = types.BoolValue(r.AdminStateUp)
	m.Tags = stringSet(r.Tags)
	m.ProvisioningStatus = types.StringValue(r.ProvisioningStatus)
	m.OperatingStatus = types.StringValue(r.OperatingStatus)
}
