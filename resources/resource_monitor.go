package resources

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/octavia"
)

var (
	_ resource.ResourceWithConfigure      = &monitorResource{}
	_ resource.ResourceWithImportState    = &monitorResource{}
	_ resource.ResourceWithModifyPlan     = &monitorResource{}
	_ resource.ResourceWithValidateConfig = &monitorResource{}
)

const monitorKind = "health monitor"

// NewMonitor is the lbaas_monitor resource.
func NewMonitor() resource.Resource { return &monitorResource{} }

// monitorResource is the health monitor of a pool.
type monitorResource struct {
	base
}

type monitorModel struct {
	ID                 types.String   `tfsdk:"id"`
	PoolID             types.String   `tfsdk:"pool_id"`
	Name               types.String   `tfsdk:"name"`
	Type               types.String   `tfsdk:"type"`
	Delay              types.Int64    `tfsdk:"delay"`
	Timeout            types.Int64    `tfsdk:"timeout"`
	MaxRetries         types.Int64    `tfsdk:"max_retries"`
	MaxRetriesDown     types.Int64    `tfsdk:"max_retries_down"`
	HTTPMethod         types.String   `tfsdk:"http_method"`
	URLPath            types.String   `tfsdk:"url_path"`
	ExpectedCodes      types.String   `tfsdk:"expected_codes"`
	HTTPVersion        types.Float64  `tfsdk:"http_version"`
	DomainName         types.String   `tfsdk:"domain_name"`
	AdminStateUp       types.Bool     `tfsdk:"admin_state_up"`
	Tags               types.Set      `tfsdk:"tags"`
	ProvisioningStatus types.String   `tfsdk:"provisioning_status"`
	OperatingStatus    types.String   `tfsdk:"operating_status"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

func (r *monitorResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_monitor"
}

// httpOnly is the note of the attributes only HTTP and HTTPS monitors take.
const httpOnly = " Only for `HTTP` and `HTTPS` monitors: Octavia refuses it on other types, and reports none for them."

func (r *monitorResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The health monitor of a pool (one per pool): checks the members and takes failing ones " +
			"out of rotation. Octavia's rules (types per pool protocol aside, which the API checks) are checked " +
			"at plan time.",
		Attributes: map[string]schema.Attribute{
			"admin_state_up": schema.BoolAttribute{
				MarkdownDescription: "The administrative state of the monitor. Defaults to `true`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"delay": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Seconds between checks (at least 0; `UDP-CONNECT` monitors at least %d).",
					lb.UDPConnectMinDelay),
				Required:   true,
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"domain_name": schema.StringAttribute{
				MarkdownDescription: "The `Host` header of the check (needs `http_version` 1.1)." + httpOnly,
				Optional:            true,
				Validators:          []validator.String{pmRuleString("must be a domain name", lb.CheckDomainName)},
			},
			"expected_codes": schema.StringAttribute{
				MarkdownDescription: "The HTTP status codes that mean healthy: one code (`200`), a list (`200, 202`) " +
					"or a range (`200-204`). Defaults to `" + lb.DefaultExpectedCodes + "`." + httpOnly,
				Optional:      true,
				Computed:      true,
				Validators:    []validator.String{pmRuleString("must be a code, a list or a range", lb.CheckExpectedCodes)},
				PlanModifiers: []planmodifier.String{httpDefault(lb.DefaultExpectedCodes)},
			},
			"http_method": schema.StringAttribute{
				MarkdownDescription: "The HTTP method of the check: " + backticked(lb.HTTPMethods()) +
					". Defaults to `" + lb.DefaultHTTPMethod + "`." + httpOnly,
				Optional:      true,
				Computed:      true,
				Validators:    []validator.String{stringvalidator.OneOf(lb.HTTPMethods()...)},
				PlanModifiers: []planmodifier.String{httpDefault(lb.DefaultHTTPMethod)},
			},
			"http_version": schema.Float64Attribute{
				MarkdownDescription: "The HTTP version of the check: `1.0` or `1.1`. Not set, HAProxy's default (1.0).",
				Optional:            true,
				Validators:          []validator.Float64{httpVersionValidator{}},
			},
			"id": idAttribute(monitorKind),
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Successful checks that bring a member up (%d–%d).", lb.MinRetries, lb.MaxRetries),
				Required:            true,
				Validators:          []validator.Int64{int64validator.Between(lb.MinRetries, lb.MaxRetries)},
			},
			"max_retries_down": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Failed checks that take a member down (%d–%d). Defaults to `%d`.",
					lb.MinRetries, lb.MaxRetries, lb.DefaultMaxRetriesDown),
				Optional:   true,
				Computed:   true,
				Default:    int64default.StaticInt64(lb.DefaultMaxRetriesDown),
				Validators: []validator.Int64{int64validator.Between(lb.MinRetries, lb.MaxRetries)},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("A name (at most %d characters). Defaults to `\"\"`.", lb.MaxNameLength),
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.LengthAtMost(lb.MaxNameLength)},
			},
			"operating_status": operatingStatusAttribute(),
			"pool_id": schema.StringAttribute{
				MarkdownDescription: "The pool the monitor checks (a pool has at most one monitor). Changing it " +
					"replaces the monitor.",
				Required:      true,
				Validators:    []validator.String{pmUUID("pool_id")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"provisioning_status": provisioningStatusAttribute(),
			"tags":                tagsAttribute(),
			"timeout": schema.Int64Attribute{
				MarkdownDescription: "Seconds a check may take (at least 0; Octavia does not compare it with `delay`).",
				Required:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(0)},
			},
			"timeouts": timeoutsAttribute(ctx),
			"type": schema.StringAttribute{
				MarkdownDescription: "The check: " + backticked(lb.MonitorTypes()) + ". `UDP` and `SCTP` pools take " +
					"`UDP-CONNECT`, `SCTP`, `TCP` and `HTTP`; other pools anything but `UDP-CONNECT` and `SCTP`. " +
					"Changing it replaces the monitor.",
				Required:      true,
				Validators:    []validator.String{stringvalidator.OneOf(lb.MonitorTypes()...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"url_path": schema.StringAttribute{
				MarkdownDescription: "The path of the check (starts with `/`). Defaults to `" + lb.DefaultURLPath + "`." + httpOnly,
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{pmRuleString("must be an absolute URL path", lb.CheckURLPath)},
				PlanModifiers:       []planmodifier.String{httpDefault(lb.DefaultURLPath)},
			},
		},
	}
}

func (r *monitorResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan monitorModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, opCreate, &resp.Diagnostics)
	defer cancel()
	want := monitorFromModel(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := lb.ValidateHealthMonitor(want, nil); err != nil {
		AddRuleError(&resp.Diagnostics, err)
		return
	}
	created, err := r.api.CreateHealthMonitor(ctx, want)
	if err != nil {
		apiError(&resp.Diagnostics, "Creating", monitorKind+" of pool "+want.PoolID, "", err)
		return
	}
	// The ID goes to state before any wait: a failed wait leaves a tainted
	// monitor, never an orphan.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), created.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("pool_id"), want.PoolID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("timeouts"), plan.Timeouts)...)
	got, err := r.api.WaitHealthMonitor(ctx, octavia.ActionCreate, created.ID)
	if err != nil {
		apiError(&resp.Diagnostics, "Creating", monitorKind, created.ID, err)
		return
	}
	monitorToModel(got, &plan)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *monitorResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state monitorModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	got, err := r.api.GetHealthMonitor(ctx, state.ID.ValueString())
	if isNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		apiError(&resp.Diagnostics, "Reading", monitorKind, state.ID.ValueString(), err)
		return
	}
	monitorToModel(got, &state)
	warnIfError(&resp.Diagnostics, monitorKind, got.ID, got.ProvisioningStatus)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *monitorResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan monitorModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, opUpdate, &resp.Diagnostics)
	defer cancel()
	id := plan.ID.ValueString()
	want := monitorFromModel(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if _, err := r.api.UpdateHealthMonitor(ctx, id, want); err != nil {
		apiError(&resp.Diagnostics, "Updating", monitorKind, id, err)
		return
	}
	got, err := r.api.WaitHealthMonitor(ctx, octavia.ActionUpdate, id)
	if err != nil {
		apiError(&resp.Diagnostics, "Updating", monitorKind, id, err)
		return
	}
	monitorToModel(got, &plan)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *monitorResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state monitorModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts, opDelete, &resp.Diagnostics)
	defer cancel()
	id := state.ID.ValueString()
	if err := r.api.DeleteHealthMonitor(ctx, id); err != nil && !isNotFound(err) {
		apiError(&resp.Diagnostics, "Deleting", monitorKind, id, err)
		return
	}
	if _, err := r.api.WaitHealthMonitor(ctx, octavia.ActionDelete, id); err != nil && !isNotFound(err) {
		apiError(&resp.Diagnostics, "Deleting", monitorKind, id, err)
	}
}

// ImportState imports a health monitor by its ID.
func (r *monitorResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

// ModifyPlan replaces a monitor that a refresh found in ERROR.
func (r *monitorResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	replaceIfError(ctx, req, resp, monitorKind)
}

// ValidateConfig runs Octavia's health monitor rules (internal/lb) at plan
// time once the values they read are known: ranges, the HTTP-only fields on
// other types, domain_name and its http_version, the UDP-CONNECT delay.
// The per-field checks (expected_codes, url_path, domain_name) are the
// attributes' validators and run on each known value.
func (r *monitorResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg monitorModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	h, ok := monitorForValidation(ctx, &cfg)
	if !ok {
		return
	}
	if err := lb.ValidateHealthMonitor(h, nil); err != nil {
		AddRuleError(&resp.Diagnostics, err)
	}
}

// monitorForValidation is the monitor that ValidateHealthMonitor checks,
// when every value it reads is known. An unknown pool_id stands as a
// placeholder UUID (only its syntax is checked without the graph).
func monitorForValidation(ctx context.Context, cfg *monitorModel) (*lb.HealthMonitor, bool) {
	for _, s := range []types.String{cfg.Name, cfg.Type, cfg.HTTPMethod, cfg.URLPath, cfg.ExpectedCodes, cfg.DomainName} {
		if s.IsUnknown() {
			return nil, false
		}
	}
	for _, i := range []types.Int64{cfg.Delay, cfg.Timeout, cfg.MaxRetries, cfg.MaxRetriesDown} {
		if i.IsUnknown() {
			return nil, false
		}
	}
	if cfg.HTTPVersion.IsUnknown() || cfg.Tags.IsUnknown() || cfg.Delay.IsNull() || cfg.Timeout.IsNull() ||
		cfg.MaxRetries.IsNull() || !slices.Contains(lb.MonitorTypes(), cfg.Type.ValueString()) {
		return nil, false
	}
	for _, e := range cfg.Tags.Elements() {
		if e.IsUnknown() {
			return nil, false
		}
	}
	var diags diag.Diagnostics
	h := &lb.HealthMonitor{
		Name:           cfg.Name.ValueString(),
		PoolID:         pmIDOrPlaceholder(cfg.PoolID),
		Type:           cfg.Type.ValueString(),
		Delay:          int(cfg.Delay.ValueInt64()),
		Timeout:        int(cfg.Timeout.ValueInt64()),
		MaxRetries:     int(cfg.MaxRetries.ValueInt64()),
		MaxRetriesDown: pmIntOr(cfg.MaxRetriesDown, 0),
		HTTPMethod:     cfg.HTTPMethod.ValueString(),
		URLPath:        cfg.URLPath.ValueString(),
		ExpectedCodes:  cfg.ExpectedCodes.ValueString(),
		HTTPVersion:    pmFloatPtr(cfg.HTTPVersion),
		DomainName:     cfg.DomainName.ValueString(),
		Tags:           setStrings(ctx, cfg.Tags, &diags),
	}
	return h, !diags.HasError()
}

// monitorFromModel is the monitor a plan asks for. The HTTP-only fields are
// sent only for HTTP and HTTPS monitors.
func monitorFromModel(ctx context.Context, m *monitorModel, diags *diag.Diagnostics) *lb.HealthMonitor {
	h := &lb.HealthMonitor{
		Name:           pmStringOr(m.Name, ""),
		PoolID:         m.PoolID.ValueString(),
		Type:           m.Type.ValueString(),
		Delay:          int(m.Delay.ValueInt64()),
		Timeout:        int(m.Timeout.ValueInt64()),
		MaxRetries:     int(m.MaxRetries.ValueInt64()),
		MaxRetriesDown: pmIntOr(m.MaxRetriesDown, lb.DefaultMaxRetriesDown),
		HTTPVersion:    pmFloatPtr(m.HTTPVersion),
		DomainName:     pmStringOr(m.DomainName, ""),
		AdminStateUp:   pmBoolOr(m.AdminStateUp, true),
		Tags:           setStrings(ctx, m.Tags, diags),
	}
	if isHTTPMonitorType(h.Type) {
		h.HTTPMethod = pmStringOr(m.HTTPMethod, lb.DefaultHTTPMethod)
		h.URLPath = pmStringOr(m.URLPath, lb.DefaultURLPath)
		h.ExpectedCodes = pmStringOr(m.ExpectedCodes, lb.DefaultExpectedCodes)
	}
	return h
}

// monitorToModel writes what Octavia reports into m.
func monitorToModel(h *lb.HealthMonitor, m *monitorModel) {
	m.ID = types.StringValue(h.ID)
	if h.PoolID != "" {
		m.PoolID = types.StringValue(h.PoolID)
	}
	m.Name = types.StringValue(h.Name)
	m.Type = types.StringValue(h.Type)
	m.Delay = types.Int64Value(int64(h.Delay))
	m.Timeout = types.Int64Value(int64(h.Timeout))
	m.MaxRetries = types.Int64Value(int64(h.MaxRetries))
	m.MaxRetriesDown = types.Int64Value(int64(h.MaxRetriesDown))
	m.HTTPMethod = optionalString(h.HTTPMethod)
	m.URLPath = optionalString(h.URLPath)
	m.ExpectedCodes = optionalString(h.ExpectedCodes)
	if h.HTTPVersion != nil {
		m.HTTPVersion = types.Float64Value(*h.HTTPVersion)
	} else {
		m.HTTPVersion = types.Float64Null()
	}
	m.DomainName = optionalString(h.DomainName)
	m.AdminStateUp = types.BoolValue(h.AdminStateUp)
	m.Tags = stringSet(h.Tags)
	m.ProvisioningStatus = types.StringValue(h.ProvisioningStatus)
	m.OperatingStatus = types.StringValue(h.OperatingStatus)
}

// isHTTPMonitorType tells the monitor types that take http_method, url_path
// and expected_codes.
func isHTTPMonitorType(t string) bool { return t == lb.MonitorHTTP || t == lb.MonitorHTTPS }

// pmFloatPtr is a known float attribute as a pointer (null or unknown → nil).
func pmFloatPtr(v types.Float64) *float64 {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	f := v.ValueFloat64()
	return &f
}

// httpDefaultModifier plans the value of an HTTP-only attribute left out of
// the configuration: Octavia's default on HTTP and HTTPS monitors, null on
// the other types (Octavia reports none for them), unknown while the type
// is unknown. So plans are exact and a TCP monitor never shows a diff.
type httpDefaultModifier struct{ def string }

var _ planmodifier.String = httpDefaultModifier{}

func httpDefault(def string) planmodifier.String { return httpDefaultModifier{def: def} }

func (m httpDefaultModifier) Description(context.Context) string {
	return fmt.Sprintf("Defaults to %q on HTTP and HTTPS monitors, none on the others.", m.def)
}

func (m httpDefaultModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m httpDefaultModifier) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var typ types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("type"), &typ)...)
	switch {
	case typ.IsUnknown():
		resp.PlanValue = types.StringUnknown()
	case isHTTPMonitorType(typ.ValueString()):
		resp.PlanValue = types.StringValue(m.def)
	default:
		resp.PlanValue = types.StringNull()
	}
}

// httpVersionValidator accepts Octavia's HTTP versions. It compares float64
// values: float64validator.OneOf compares the configuration's
// arbitrary-precision number (1.1 parsed at 512 bits) with the float64 1.1,
// which differ.
type httpVersionValidator struct{}

var _ validator.Float64 = httpVersionValidator{}

func (httpVersionValidator) Description(context.Context) string {
	return "value must be one of: " + quotedFloats(lb.HTTPVersions())
}

func (v httpVersionValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v httpVersionValidator) ValidateFloat64(ctx context.Context, req validator.Float64Request, resp *validator.Float64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if slices.Contains(lb.HTTPVersions(), req.ConfigValue.ValueFloat64()) {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid Attribute Value Match",
		fmt.Sprintf("Attribute %s %s, got: %v", req.Path, v.Description(ctx), req.ConfigValue.ValueFloat64()))
}

// quotedFloats renders versions as "1.0, 1.1".
func quotedFloats(values []float64) string {
	parts := make([]string, 0, len(values))
	for _, f := range values {
		parts = append(parts, strconv.FormatFloat(f, 'f', 1, 64))
	}
	return strings.Join(parts, ", ")
}
