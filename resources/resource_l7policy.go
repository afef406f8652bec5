package resources

import (
	"context"
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/octavia"
)

var (
	_ resource.Resource                   = &l7PolicyResource{}
	_ resource.ResourceWithConfigure      = &l7PolicyResource{}
	_ resource.ResourceWithImportState    = &l7PolicyResource{}
	_ resource.ResourceWithModifyPlan     = &l7PolicyResource{}
	_ resource.ResourceWithValidateConfig = &l7PolicyResource{}
)

const kindL7Policy = "L7 policy"

// NewL7Policy is the lbaas_l7policy resource.
func NewL7Policy() resource.Resource { return &l7PolicyResource{} }

// l7PolicyResource manages an Octavia L7 policy.
type l7PolicyResource struct {
	base
}

// l7PolicyModel is lbaas_l7policy's state.
type l7PolicyModel struct {
	Action             types.String   `tfsdk:"action"`
	AdminStateUp       types.Bool     `tfsdk:"admin_state_up"`
	Description        types.String   `tfsdk:"description"`
	ID                 types.String   `tfsdk:"id"`
	ListenerID         types.String   `tfsdk:"listener_id"`
	Name               types.String   `tfsdk:"name"`
	OperatingStatus    types.String   `tfsdk:"operating_status"`
	Position           types.Int64    `tfsdk:"position"`
	ProvisioningStatus types.String   `tfsdk:"provisioning_status"`
	RedirectHTTPCode   types.Int64    `tfsdk:"redirect_http_code"`
	RedirectPoolID     types.String   `tfsdk:"redirect_pool_id"`
	RedirectPrefix     types.String   `tfsdk:"redirect_prefix"`
	RedirectURL        types.String   `tfsdk:"redirect_url"`
	Tags               types.Set      `tfsdk:"tags"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

// Metadata names the resource.
func (r *l7PolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_l7policy"
}

// Schema describes lbaas_l7policy.
func (r *l7PolicyResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	codes := make([]int64, 0, len(lb.RedirectHTTPCodes()))
	codeNames := make([]string, 0, len(lb.RedirectHTTPCodes()))
	for _, c := range lb.RedirectHTTPCodes() {
		codes = append(codes, int64(c))
		codeNames = append(codeNames, strconv.Itoa(c))
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An Octavia L7 policy: on an `HTTP` or `TERMINATED_HTTPS` listener, requests that match " +
			"all of the policy's rules (`lbaas_l7rule`) are rejected, redirected to a URL or prefix, or sent to " +
			"another pool. Policies are evaluated in `position` order. Import with the policy's ID.",
		Attributes: map[string]schema.Attribute{
			"action": schema.StringAttribute{
				MarkdownDescription: "What the policy does with a matching request. One of " + backticked(lb.L7Actions()) +
					". `REDIRECT_TO_POOL` needs `redirect_pool_id`, `REDIRECT_TO_URL` needs `redirect_url`, " +
					"`REDIRECT_PREFIX` needs `redirect_prefix`, `REJECT` takes none of them.",
				Required:   true,
				Validators: []validator.String{stringvalidator.OneOf(lb.L7Actions()...)},
			},
			"admin_state_up": schema.BoolAttribute{
				MarkdownDescription: "Whether the policy is enabled. Defaults to `true`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"description": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("A description, at most %d characters. Defaults to `\"\"`.", lb.MaxNameLength),
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.LengthAtMost(lb.MaxNameLength)},
			},
			"id": idAttribute("L7 policy"),
			"listener_id": schema.StringAttribute{
				MarkdownDescription: "The ID of the listener the policy belongs to (an `HTTP` or `TERMINATED_HTTPS` " +
					"listener with the amphora provider). Changing it replaces the policy.",
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("A name, at most %d characters. Defaults to `\"\"`.", lb.MaxNameLength),
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.LengthAtMost(lb.MaxNameLength)},
			},
			"operating_status": operatingStatusAttribute(),
			"position": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("The policy's place in the listener's evaluation order, %d–%d (1 first). "+
					"When unset the policy is appended and this attribute reports the position Octavia gave it. "+
					"Octavia numbers a listener's policies 1..n: a position beyond the last one puts the policy last, "+
					"and that is not reported as a difference while the policy stays last.", lb.MinPosition, lb.MaxPosition),
				Optional:   true,
				Computed:   true,
				Validators: []validator.Int64{int64validator.Between(lb.MinPosition, lb.MaxPosition)},
			},
			"provisioning_status": provisioningStatusAttribute(),
			"redirect_http_code": schema.Int64Attribute{
				MarkdownDescription: "The HTTP status code of a redirect, one of " + backticked(codeNames) +
					fmt.Sprintf(". Only for `REDIRECT_TO_URL` and `REDIRECT_PREFIX`, where it defaults to `%d`; ", lb.DefaultRedirectHTTPCode) +
					"null for the other actions.",
				Optional:      true,
				Computed:      true,
				Validators:    []validator.Int64{int64validator.OneOf(codes...)},
				PlanModifiers: []planmodifier.Int64{redirectHTTPCodeDefault{}},
			},
			"redirect_pool_id": schema.StringAttribute{
				MarkdownDescription: "The pool matching requests are sent to. Required by, and only used with, `REDIRECT_TO_POOL`. " +
					"The pool must be on the listener's load balancer and have a protocol the listener can use.",
				Optional: true,
			},
			"redirect_prefix": schema.StringAttribute{
				MarkdownDescription: "An `http` or `https` URL prefix that replaces the scheme and host of matching requests " +
					"(the path and query are kept). Required by, and only used with, `REDIRECT_PREFIX`.",
				Optional: true,
			},
			"redirect_url": schema.StringAttribute{
				MarkdownDescription: "The `http` or `https` URL matching requests are redirected to. Required by, and only used with, `REDIRECT_TO_URL`.",
				Optional:            true,
			},
			"tags":     tagsAttribute(),
			"timeouts": timeoutsAttribute(ctx),
		},
	}
}

// Create creates the policy, records its ID, then waits for it to be ACTIVE.
func (r *l7PolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan l7PolicyModel
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

	want := plan.toAPI(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := lb.ValidateL7Policy(want, nil, nil); err != nil {
		AddRuleError(&resp.Diagnostics, err)
		return
	}
	created, err := r.api.CreateL7Policy(ctx, want)
	if err != nil {
		apiError(&resp.Diagnostics, "Creating", kindL7Policy, "", err)
		return
	}
	// The ID goes to state before any wait: a failed wait leaves a tainted
	// policy that Terraform replaces, never an orphan.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), created.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("listener_id"), plan.ListenerID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("timeouts"), plan.Timeouts)...)
	if resp.Diagnostics.HasError() {
		return
	}
	got, err := r.api.WaitL7Policy(ctx, octavia.ActionCreate, created.ID)
	if err != nil {
		apiError(&resp.Diagnostics, "Creating", kindL7Policy, created.ID, err)
		return
	}
	plan.fromAPI(got)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read refreshes the policy; a policy that is gone leaves the state.
func (r *l7PolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state l7PolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	got, err := r.api.GetL7Policy(ctx, state.ID.ValueString())
	if isNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		apiError(&resp.Diagnostics, "Reading", kindL7Policy, state.ID.ValueString(), err)
		return
	}
	prior := state.Position
	state.fromAPI(got)
	state.Position = r.refreshedPosition(ctx, prior, got, &resp.Diagnostics)
	warnIfError(&resp.Diagnostics, kindL7Policy, got.ID, got.ProvisioningStatus)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update sends the whole desired policy and waits for it to be ACTIVE.
func (r *l7PolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan l7PolicyModel
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

	id := plan.ID.ValueString()
	want := plan.toAPI(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := lb.ValidateL7Policy(want, nil, nil); err != nil {
		AddRuleError(&resp.Diagnostics, err)
		return
	}
	if _, err := r.api.UpdateL7Policy(ctx, id, want); err != nil {
		apiError(&resp.Diagnostics, "Updating", kindL7Policy, id, err)
		return
	}
	got, err := r.api.WaitL7Policy(ctx, octavia.ActionUpdate, id)
	if err != nil {
		apiError(&resp.Diagnostics, "Updating", kindL7Policy, id, err)
		return
	}
	plan.fromAPI(got)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete deletes the policy (gone already is success) and waits until it is.
func (r *l7PolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state l7PolicyModel
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

	id := state.ID.ValueString()
	if err := r.api.DeleteL7Policy(ctx, id); err != nil && !isNotFound(err) {
		apiError(&resp.Diagnostics, "Deleting", kindL7Policy, id, err)
		return
	}
	if _, err := r.api.WaitL7Policy(ctx, octavia.ActionDelete, id); err != nil && !isNotFound(err) {
		apiError(&resp.Diagnostics, "Deleting", kindL7Policy, id, err)
	}
}

// ImportState imports a policy by its ID.
func (r *l7PolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// ModifyPlan replaces a policy that a refresh found in ERROR.
func (r *l7PolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	replaceIfError(ctx, req, resp, kindL7Policy)
}

// ValidateConfig runs Octavia's L7 policy rules on the known values, so that
// what Octavia would refuse fails at plan time on the attribute concerned.
func (r *l7PolicyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg l7PolicyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateL7PolicyConfig(ctx, &cfg, &resp.Diagnostics)
}

// redirectHTTPCodeDefault plans redirect_http_code when it is not
// configured: Octavia's 302 for URL and prefix redirects, null otherwise
// (unknown while the action is).
type redirectHTTPCodeDefault struct{}

func (redirectHTTPCodeDefault) Description(context.Context) string {
	return fmt.Sprintf("defaults to %d for REDIRECT_TO_URL and REDIRECT_PREFIX, null otherwise", lb.DefaultRedirectHTTPCode)
}

func (m redirectHTTPCodeDefault) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (redirectHTTPCodeDefault) PlanModifyInt64(ctx context.Context, req planmodifier.Int64Request, resp *planmodifier.Int64Response) {
	if !req.ConfigValue.IsNull() {
		return
	}
	var action types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("action"), &action)...)
	switch {
	case resp.Diagnostics.HasError():
	case action.IsUnknown():
		resp.PlanValue = types.Int64Unknown()
	case l7ActionTakesHTTPCode(action.ValueString()):
		resp.PlanValue = types.Int64Value(lb.DefaultRedirectHTTPCode)
	default:
		resp.PlanValue = types.Int64Null()
	}
}

// l7ActionTakesHTTPCode tells whether a policy with this action answers with
// redirect_http_code.
func l7ActionTakesHTTPCode(action string) bool {
	return action == lb.L7ActionRedirectToURL || action == lb.L7ActionRedirectPrefix
}

// l7PolicyRedirectFields are the redirect attributes and the action that
// uses each.
func l7PolicyRedirectFields() []struct{ field, action string } {
	return []struct{ field, action string }{
		{"redirect_pool_id", lb.L7ActionRedirectToPool},
		{"redirect_url", lb.L7ActionRedirectToURL},
		{"redirect_prefix", lb.L7ActionRedirectPrefix},
	}
}

// validateL7PolicyConfig is the plan-time check. Unknown values are never
// passed as "" (unset): an unknown redirect target stands for "set" by a
// valid placeholder, an unknown action skips the checks that depend on it.
func validateL7PolicyConfig(ctx context.Context, cfg *l7PolicyModel, diags *diag.Diagnostics) {
	const placeholderUUID = "00000000-0000-0000-0000-000000000000"
	const placeholderURL = "http://placeholder.invalid"
	strOr := func(v types.String, unknown string) string {
		if v.IsUnknown() {
			return unknown
		}
		return v.ValueString()
	}
	tags := setStrings(ctx, cfg.Tags, diags)
	if diags.HasError() {
		return
	}
	pol := &lb.L7Policy{
		Name:           strOr(cfg.Name, ""),
		Description:    strOr(cfg.Description, ""),
		ListenerID:     strOr(cfg.ListenerID, ""),
		Action:         cfg.Action.ValueString(),
		RedirectPoolID: strOr(cfg.RedirectPoolID, placeholderUUID),
		RedirectURL:    strOr(cfg.RedirectURL, placeholderURL),
		RedirectPrefix: strOr(cfg.RedirectPrefix, placeholderURL),
		Tags:           tags,
	}
	if !cfg.Position.IsUnknown() {
		pol.Position = int(cfg.Position.ValueInt64())
	}
	if !cfg.RedirectHTTPCode.IsNull() && !cfg.RedirectHTTPCode.IsUnknown() {
		c := int(cfg.RedirectHTTPCode.ValueInt64())
		pol.RedirectHTTPCode = &c
	}

	if cfg.Action.IsUnknown() {
		// The per-field rules only.
		for _, err := range []error{
			lb.CheckUUID("listener_id", pol.ListenerID),
			lb.CheckUUID("redirect_pool_id", pol.RedirectPoolID),
			lb.CheckRedirectURL("redirect_url", pol.RedirectURL),
			lb.CheckRedirectURL("redirect_prefix", pol.RedirectPrefix),
		} {
			if err != nil {
				AddRuleError(diags, err)
			}
		}
		return
	}
	if err := lb.ValidateL7Policy(pol, nil, nil); err != nil {
		AddRuleError(diags, err)
		return
	}

	// Stricter than Octavia, which silently drops (or acts on) a redirect
	// field the action does not use: that would show as a perpetual
	// difference, so refuse it where it is written.
	action := cfg.Action.ValueString()
	values := map[string]types.String{
		"redirect_pool_id": cfg.RedirectPoolID, "redirect_url": cfg.RedirectURL, "redirect_prefix": cfg.RedirectPrefix,
	}
	for _, f := range l7PolicyRedirectFields() {
		if v := values[f.field]; !v.IsNull() && f.action != action {
			diags.AddAttributeError(path.Root(f.field), "Invalid configuration for Octavia",
				fmt.Sprintf("%s is only used by %s policies; Octavia ignores it on a %s policy: remove it.", f.field, f.action, action))
		}
	}
	if !cfg.RedirectHTTPCode.IsNull() && !l7ActionTakesHTTPCode(action) {
		diags.AddAttributeError(path.Root("redirect_http_code"), "Invalid configuration for Octavia",
			fmt.Sprintf("redirect_http_code is only used by %s and %s policies; Octavia ignores it on a %s policy: remove it.",
				lb.L7ActionRedirectToURL, lb.L7ActionRedirectPrefix, action))
	}
}

// toAPI is the desired policy. An unset position is 0 (Octavia appends the
// policy on create and leaves it where it is on update).
func (m *l7PolicyModel) toAPI(ctx context.Context, diags *diag.Diagnostics) *lb.L7Policy {
	tags := setStrings(ctx, m.Tags, diags)
	p := &lb.L7Policy{
		ID:             m.ID.ValueString(),
		Name:           m.Name.ValueString(),
		Description:    m.Description.ValueString(),
		ListenerID:     m.ListenerID.ValueString(),
		Action:         m.Action.ValueString(),
		RedirectPoolID: m.RedirectPoolID.ValueString(),
		RedirectURL:    m.RedirectURL.ValueString(),
		RedirectPrefix: m.RedirectPrefix.ValueString(),
		AdminStateUp:   m.AdminStateUp.ValueBool(),
		Tags:           tags,
	}
	if !m.Position.IsNull() && !m.Position.IsUnknown() {
		p.Position = int(m.Position.ValueInt64())
	}
	if !m.RedirectHTTPCode.IsNull() && !m.RedirectHTTPCode.IsUnknown() {
		c := int(m.RedirectHTTPCode.ValueInt64())
		p.RedirectHTTPCode = &c
	}
	return p
}

// fromAPI sets the model from Octavia's policy. A known position is kept:
// Octavia took it (a position beyond the last one makes the policy last),
// and a sibling created in the same apply may have moved it since; the next
// refresh compares it (refreshedPosition).
func (m *l7PolicyModel) fromAPI(p *lb.L7Policy) {
	m.ID = types.StringValue(p.ID)
	m.Name = types.StringValue(p.Name)
	m.Description = types.StringValue(p.Description)
	m.ListenerID = types.StringValue(p.ListenerID)
	m.Action = types.StringValue(p.Action)
	if m.Position.IsNull() || m.Position.IsUnknown() {
		m.Position = types.Int64Value(int64(p.Position))
	}
	m.RedirectPoolID = optionalString(p.RedirectPoolID)
	m.RedirectURL = optionalString(p.RedirectURL)
	m.RedirectPrefix = optionalString(p.RedirectPrefix)
	m.RedirectHTTPCode = types.Int64Null()
	if p.RedirectHTTPCode != nil {
		m.RedirectHTTPCode = types.Int64Value(int64(*p.RedirectHTTPCode))
	}
	m.AdminStateUp = types.BoolValue(p.AdminStateUp)
	m.Tags = stringSet(p.Tags)
	m.ProvisioningStatus = types.StringValue(p.ProvisioningStatus)
	m.OperatingStatus = types.StringValue(p.OperatingStatus)
}

// refreshedPosition is the position to keep in state after a refresh.
// Octavia numbers a listener's policies 1..n, so a position beyond n was
// stored as n: while the policy is still the last one, the larger position
// in state means the same thing and is kept (no perpetual difference).
// Anything else is the server's value.
func (r *l7PolicyResource) refreshedPosition(ctx context.Context, prior types.Int64, got *lb.L7Policy, diags *diag.Diagnostics) types.Int64 {
	server := types.Int64Value(int64(got.Position))
	if prior.IsNull() || prior.IsUnknown() || prior.ValueInt64() <= int64(got.Position) {
		return server
	}
	siblings, err := r.api.ListL7Policies(ctx, octavia.Filter{"listener_id": got.ListenerID})
	if err != nil {
		apiError(diags, "Listing the L7 policies of", "listener", got.ListenerID, err)
		return server
	}
	last := 0
	for _, s := range siblings {
		if s.ProvisioningStatus != lb.StatusDeleted {
			last = max(last, s.Position)
		}
	}
	if got.Position == last {
		return prior
	}
	return server
}
