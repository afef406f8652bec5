package resources

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/octavia"
)

var (
	_ resource.ResourceWithConfigure        = &poolResource{}
	_ resource.ResourceWithImportState      = &poolResource{}
	_ resource.ResourceWithModifyPlan       = &poolResource{}
	_ resource.ResourceWithValidateConfig   = &poolResource{}
	_ resource.ResourceWithConfigValidators = &poolResource{}
)

const poolKind = "pool"

// NewPool is the lbaas_pool resource.
func NewPool() resource.Resource { return &poolResource{} }

// poolResource is an Octavia pool.
type poolResource struct {
	base
}

type poolModel struct {
	ID                 types.String   `tfsdk:"id"`
	Name               types.String   `tfsdk:"name"`
	Description        types.String   `tfsdk:"description"`
	LoadBalancerID     types.String   `tfsdk:"loadbalancer_id"`
	ListenerID         types.String   `tfsdk:"listener_id"`
	Protocol           types.String   `tfsdk:"protocol"`
	LBAlgorithm        types.String   `tfsdk:"lb_algorithm"`
	SessionPersistence types.Object   `tfsdk:"session_persistence"`
	TLSEnabled         types.Bool     `tfsdk:"tls_enabled"`
	TLSContainerRef    types.String   `tfsdk:"tls_container_ref"`
	CATLSContainerRef  types.String   `tfsdk:"ca_tls_container_ref"`
	CRLContainerRef    types.String   `tfsdk:"crl_container_ref"`
	TLSCiphers         types.String   `tfsdk:"tls_ciphers"`
	TLSVersions        types.List     `tfsdk:"tls_versions"`
	ALPNProtocols      types.List     `tfsdk:"alpn_protocols"`
	AdminStateUp       types.Bool     `tfsdk:"admin_state_up"`
	Tags               types.Set      `tfsdk:"tags"`
	ProvisioningStatus types.String   `tfsdk:"provisioning_status"`
	OperatingStatus    types.String   `tfsdk:"operating_status"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

type sessionPersistenceModel struct {
	Type                   types.String `tfsdk:"type"`
	CookieName             types.String `tfsdk:"cookie_name"`
	PersistenceTimeout     types.Int64  `tfsdk:"persistence_timeout"`
	PersistenceGranularity types.String `tfsdk:"persistence_granularity"`
}

func sessionPersistenceAttrTypes() map[string]attr.Type {
	return map[string]attr.Type{
		"type":                    types.StringType,
		"cookie_name":             types.StringType,
		"persistence_timeout":     types.Int64Type,
		"persistence_granularity": types.StringType,
	}
}

func (r *poolResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pool"
}

func (r *poolResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An Octavia pool: a group of members that receives traffic from a listener (as its default " +
			"pool, through `listener_id`) or from L7 policies. Give `loadbalancer_id`, `listener_id`, or both. " +
			"Octavia's session persistence, TLS and protocol rules are checked at plan time.",
		Attributes: map[string]schema.Attribute{
			"admin_state_up": schema.BoolAttribute{
				MarkdownDescription: "The administrative state of the pool. Defaults to `true`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"alpn_protocols": schema.ListAttribute{
				MarkdownDescription: "The ALPN protocols offered to members when `tls_enabled` is true, among " +
					backticked(lb.ALPNProtocols()) + ". Octavia fills its default (`h2`, `http/1.1`, `http/1.0`) " +
					"when TLS is enabled and none are given.",
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(stringvalidator.OneOf(lb.ALPNProtocols()...)),
				},
				PlanModifiers: []planmodifier.List{pmKeepNonNullState{}},
			},
			"ca_tls_container_ref": schema.StringAttribute{
				MarkdownDescription: "The key manager reference of the CA certificate that member certificates are " +
					"verified against (with `tls_enabled`).",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, 255)},
			},
			"crl_container_ref": schema.StringAttribute{
				MarkdownDescription: "The key manager reference of the revocation list for member certificates. " +
					"Needs `ca_tls_container_ref`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, 255)},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("A description (at most %d characters). Defaults to `\"\"`.", lb.MaxNameLength),
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.LengthAtMost(lb.MaxNameLength)},
			},
			"id": idAttribute(poolKind),
			"lb_algorithm": schema.StringAttribute{
				MarkdownDescription: "The load-balancing algorithm: " + backticked(lb.Algorithms()) +
					". (The amphora provider does not support `SOURCE_IP_PORT`.) Updatable.",
				Required:   true,
				Validators: []validator.String{stringvalidator.OneOf(lb.Algorithms()...)},
			},
			"listener_id": schema.StringAttribute{
				MarkdownDescription: "The listener whose default pool this pool becomes. At least one of `listener_id` " +
					"and `loadbalancer_id` is required. Changing it replaces the pool. When not set, it shows the listener " +
					"that Octavia reports for the pool, if any.",
				Optional: true,
				Computed: true,
				Validators: []validator.String{
					pmUUID("listener_id"),
				},
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplaceIfConfigured(),
				},
			},
			"loadbalancer_id": schema.StringAttribute{
				MarkdownDescription: "The load balancer of the pool. At least one of `listener_id` and `loadbalancer_id` " +
					"is required; when only `listener_id` is given, it is the listener's load balancer. Changing it " +
					"replaces the pool.",
				Optional: true,
				Computed: true,
				Validators: []validator.String{
					pmUUID("loadbalancer_id"),
				},
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplaceIfConfigured(),
				},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("A name (at most %d characters). Defaults to `\"\"`.", lb.MaxNameLength),
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.LengthAtMost(lb.MaxNameLength)},
			},
			"operating_status": operatingStatusAttribute(),
			"protocol": schema.StringAttribute{
				MarkdownDescription: "The protocol to the members: " + backticked(lb.PoolProtocols()) +
					". It must suit the listener's protocol (e.g. a `UDP` listener takes only `UDP` pools): " +
					"checked at plan when the listener exists already, by Octavia at apply when it is created in " +
					"the same run. Changing it replaces the pool.",
				Required:      true,
				Validators:    []validator.String{stringvalidator.OneOf(lb.PoolProtocols()...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"provisioning_status": provisioningStatusAttribute(),
			"session_persistence": schema.SingleNestedAttribute{
				MarkdownDescription: "Keeps a client on the same member. Removing the block turns persistence off. " +
					"`UDP` and `SCTP` pools take only `SOURCE_IP` (with `persistence_timeout` and " +
					"`persistence_granularity`); `APP_COOKIE` needs `cookie_name`, which no other type takes. " +
					"`HTTP_COOKIE` and `APP_COOKIE` on a `TCP` or `HTTPS` pool fail at plan: Octavia accepts them " +
					"there, but such a pool forwards TCP streams and no cookie is ever read or set.",
				Optional: true,
				Attributes: map[string]schema.Attribute{
					"cookie_name": schema.StringAttribute{
						MarkdownDescription: "The application cookie to stick on (`APP_COOKIE` only, at most 255 " +
							"characters, no whitespace, `,`, `;`, `\\`, or separators).",
						Optional:   true,
						Validators: []validator.String{pmRuleString("must be a valid cookie name", lb.CheckCookieName)},
					},
					"persistence_granularity": schema.StringAttribute{
						MarkdownDescription: "The netmask that groups source addresses (`UDP` and `SCTP` pools only), " +
							"e.g. `255.255.255.0`. When not set, Octavia's value (if it reports one) is shown.",
						Optional:      true,
						Computed:      true,
						Validators:    []validator.String{pmIPAddress("session_persistence.persistence_granularity")},
						PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
					},
					"persistence_timeout": schema.Int64Attribute{
						MarkdownDescription: "How long, in seconds, a source stays on its member (`UDP` and `SCTP` " +
							"pools only). When not set, Octavia's value (if it reports one) is shown.",
						Optional:      true,
						Computed:      true,
						Validators:    []validator.Int64{int64validator.AtLeast(0)},
						PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
					},
					"type": schema.StringAttribute{
						MarkdownDescription: "The persistence type: " + backticked(lb.PersistenceTypes()) + ".",
						Required:            true,
						Validators:          []validator.String{stringvalidator.OneOf(lb.PersistenceTypes()...)},
					},
				},
			},
			"tags":     tagsAttribute(),
			"timeouts": timeoutsAttribute(ctx),
			"tls_ciphers": schema.StringAttribute{
				MarkdownDescription: "The OpenSSL cipher list used towards members (at most 2048 characters). Octavia " +
					"fills its default when TLS is enabled and none is given.",
				Optional:      true,
				Computed:      true,
				Validators:    []validator.String{pmRuleString("must be a valid OpenSSL cipher list", lb.CheckTLSCiphers)},
				PlanModifiers: []planmodifier.String{pmKeepNonNullState{}},
			},
			"tls_container_ref": schema.StringAttribute{
				MarkdownDescription: "The key manager reference of the client certificate presented to members.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 255)},
			},
			"tls_enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the connections to the members use TLS. Defaults to `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"tls_versions": schema.ListAttribute{
				MarkdownDescription: "The TLS versions allowed towards members, among " + backticked(lb.TLSVersions()) +
					". Octavia fills its default when TLS is enabled and none are given.",
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(stringvalidator.OneOf(lb.TLSVersions()...)),
				},
				PlanModifiers: []planmodifier.List{pmKeepNonNullState{}},
			},
		},
	}
}

func (r *poolResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan poolModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, opCreate, &resp.Diagnostics)
	defer cancel()
	want := poolFromModel(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := lb.ValidatePool(want, nil); err != nil {
		AddRuleError(&resp.Diagnostics, err)
		return
	}
	created, err := r.api.CreatePool(ctx, want)
	if err != nil {
		apiError(&resp.Diagnostics, "Creating", poolKind, "", err)
		return
	}
	// The ID goes to state before any wait: a failed wait leaves a tainted
	// pool that the next apply replaces, never an orphan.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), created.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("loadbalancer_id"), optionalString(created.LoadBalancerID))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("timeouts"), plan.Timeouts)...)
	got, err := r.api.WaitPool(ctx, octavia.ActionCreate, created.ID)
	if err != nil {
		apiError(&resp.Diagnostics, "Creating", poolKind, created.ID, err)
		return
	}
	poolToModel(got, &plan)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *poolResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state poolModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	got, err := r.api.GetPool(ctx, state.ID.ValueString())
	if isNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		apiError(&resp.Diagnostics, "Reading", poolKind, state.ID.ValueString(), err)
		return
	}
	poolToModel(got, &state)
	warnIfError(&resp.Diagnostics, poolKind, got.ID, got.ProvisioningStatus)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *poolResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan poolModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, opUpdate, &resp.Diagnostics)
	defer cancel()
	id := plan.ID.ValueString()
	want := poolFromModel(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if _, err := r.api.UpdatePool(ctx, id, want); err != nil {
		apiError(&resp.Diagnostics, "Updating", poolKind, id, err)
		return
	}
	got, err := r.api.WaitPool(ctx, octavia.ActionUpdate, id)
	if err != nil {
		apiError(&resp.Diagnostics, "Updating", poolKind, id, err)
		return
	}
	poolToModel(got, &plan)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *poolResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state poolModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts, opDelete, &resp.Diagnostics)
	defer cancel()
	id := state.ID.ValueString()
	if err := r.api.DeletePool(ctx, id); err != nil && !isNotFound(err) {
		apiError(&resp.Diagnostics, "Deleting", poolKind, id, err)
		return
	}
	if _, err := r.api.WaitPool(ctx, octavia.ActionDelete, id); err != nil && !isNotFound(err) {
		apiError(&resp.Diagnostics, "Deleting", poolKind, id, err)
	}
}

// ImportState imports a pool by its ID.
func (r *poolResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

// ConfigValidators: Octavia needs loadbalancer_id or listener_id (both are
// accepted when they agree).
func (r *poolResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.AtLeastOneOf(path.MatchRoot("loadbalancer_id"), path.MatchRoot("listener_id")),
	}
}

// ModifyPlan replaces a pool that a refresh found in ERROR, and checks a new
// pool's protocol against its listener's when that listener exists already
// (Octavia's listener/pool protocol map: a UDP listener takes only UDP pools).
// A listener created in the same apply has no protocol to read at plan time;
// Octavia's 400 then comes at apply, on the same attribute.
func (r *poolResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	replaceIfError(ctx, req, resp, poolKind)
	if req.Plan.Raw.IsNull() || !req.State.Raw.IsNull() || r.api == nil {
		return // destroy, update (listener_id and protocol replace), or no client yet
	}
	var listenerID, protocol types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("listener_id"), &listenerID)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("protocol"), &protocol)...)
	if resp.Diagnostics.HasError() || listenerID.IsNull() || listenerID.IsUnknown() || protocol.IsUnknown() {
		return
	}
	l, err := r.api.GetListener(ctx, listenerID.ValueString())
	if err != nil {
		return // a listener that cannot be read now is Octavia's to report at apply
	}
	if err := lb.CheckListenerPoolProtocol(l.Protocol, protocol.ValueString()); err != nil {
		AddRuleError(&resp.Diagnostics, err)
	}
}

// ValidateConfig runs Octavia's pool rules (internal/lb) at plan time, once
// every value they look at is known: session persistence per protocol,
// cookie_name, TLS options, CRL without CA…, each reported on its attribute.
func (r *poolResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg poolModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	p, ok := poolForValidation(ctx, &cfg)
	if !ok {
		return
	}
	if err := lb.ValidatePool(p, nil); err != nil {
		AddRuleError(&resp.Diagnostics, err)
		return
	}
	if err := checkCookieOnStreamPool(p); err != nil {
		AddRuleError(&resp.Diagnostics, err)
	}
}

// checkCookieOnStreamPool refuses cookie persistence on a pool that forwards
// TCP streams. Octavia's API accepts it (check_session_persistence only
// refuses cookies on UDP/SCTP pools) and its HAProxy ignores it, so clients
// silently lose their stickiness: the provider is stricter here on purpose
// and fails the plan. lbaasd's API, like Octavia's, still accepts it.
func checkCookieOnStreamPool(p *lb.Pool) error {
	sp := p.SessionPersistence
	if sp == nil || (sp.Type != lb.PersistenceHTTPCookie && sp.Type != lb.PersistenceAppCookie) {
		return nil
	}
	if p.Protocol != lb.ProtocolTCP && p.Protocol != lb.ProtocolHTTPS {
		return nil
	}
	return &lb.Error{Status: 400, Field: "session_persistence.type", Message: "Session persistence of type " + sp.Type +
		" has no effect on a " + p.Protocol + " pool: the pool forwards TCP streams (HAProxy's TCP mode), where " +
		"no cookie can be read or set, so clients would not stay on a member. Use SOURCE_IP, or an HTTP pool " +
		"(Octavia's API accepts this combination; the provider refuses it at plan)."}
}

// poolForValidation builds the pool that ValidatePool checks from a
// configuration, and tells whether every value the rules read is known. An
// unknown loadbalancer_id or listener_id (created in the same apply) stands
// as a placeholder UUID: without the graph the rules only look at their
// syntax. Invalid enum values are left to the attribute validators.
func poolForValidation(ctx context.Context, cfg *poolModel) (*lb.Pool, bool) {
	strs := []types.String{cfg.Name, cfg.Description, cfg.Protocol, cfg.LBAlgorithm, cfg.TLSContainerRef,
		cfg.CATLSContainerRef, cfg.CRLContainerRef, cfg.TLSCiphers}
	for _, s := range strs {
		if s.IsUnknown() {
			return nil, false
		}
	}
	if cfg.TLSEnabled.IsUnknown() || cfg.TLSVersions.IsUnknown() || cfg.ALPNProtocols.IsUnknown() ||
		cfg.SessionPersistence.IsUnknown() || cfg.Tags.IsUnknown() {
		return nil, false
	}
	if !slices.Contains(lb.PoolProtocols(), cfg.Protocol.ValueString()) || !slices.Contains(lb.Algorithms(), cfg.LBAlgorithm.ValueString()) {
		return nil, false
	}
	var diags diag.Diagnostics
	p := &lb.Pool{
		Name:              cfg.Name.ValueString(),
		Description:       cfg.Description.ValueString(),
		LoadBalancerID:    pmIDOrPlaceholder(cfg.LoadBalancerID),
		ListenerID:        pmIDOrPlaceholder(cfg.ListenerID),
		Protocol:          cfg.Protocol.ValueString(),
		LBAlgorithm:       cfg.LBAlgorithm.ValueString(),
		TLSEnabled:        cfg.TLSEnabled.ValueBool(),
		TLSContainerRef:   cfg.TLSContainerRef.ValueString(),
		CATLSContainerRef: cfg.CATLSContainerRef.ValueString(),
		CRLContainerRef:   cfg.CRLContainerRef.ValueString(),
		TLSCiphers:        cfg.TLSCiphers.ValueString(),
		TLSVersions:       listStrings(ctx, cfg.TLSVersions, &diags),
		ALPNProtocols:     listStrings(ctx, cfg.ALPNProtocols, &diags),
		Tags:              setStrings(ctx, cfg.Tags, &diags),
	}
	for _, l := range []types.List{cfg.TLSVersions, cfg.ALPNProtocols} {
		for _, e := range l.Elements() {
			if e.IsUnknown() {
				return nil, false
			}
		}
	}
	for _, e := range cfg.Tags.Elements() {
		if e.IsUnknown() {
			return nil, false
		}
	}
	if !cfg.SessionPersistence.IsNull() {
		var sp sessionPersistenceModel
		diags.Append(cfg.SessionPersistence.As(ctx, &sp, basetypes.ObjectAsOptions{})...)
		if sp.Type.IsUnknown() || sp.CookieName.IsUnknown() || sp.PersistenceTimeout.IsUnknown() || sp.PersistenceGranularity.IsUnknown() {
			return nil, false
		}
		if !slices.Contains(lb.PersistenceTypes(), sp.Type.ValueString()) {
			return nil, false
		}
		p.SessionPersistence = &lb.SessionPersistence{
			Type:                   sp.Type.ValueString(),
			CookieName:             sp.CookieName.ValueString(),
			PersistenceTimeout:     pmIntPtr(sp.PersistenceTimeout),
			PersistenceGranularity: sp.PersistenceGranularity.ValueString(),
		}
	}
	if diags.HasError() {
		return nil, false
	}
	return p, true
}

// pmIDOrPlaceholder is a known ID, "" when null, the placeholder when unknown.
func pmIDOrPlaceholder(v types.String) string {
	if v.IsUnknown() {
		return pmPlaceholderUUID
	}
	return v.ValueString()
}

// poolFromModel is the pool a plan asks for. Values still unknown (computed
// ones Octavia fills) are left unset, so that Octavia applies its defaults.
func poolFromModel(ctx context.Context, m *poolModel, diags *diag.Diagnostics) *lb.Pool {
	p := &lb.Pool{
		Name:              pmStringOr(m.Name, ""),
		Description:       pmStringOr(m.Description, ""),
		LoadBalancerID:    pmStringOr(m.LoadBalancerID, ""),
		ListenerID:        pmStringOr(m.ListenerID, ""),
		Protocol:          m.Protocol.ValueString(),
		LBAlgorithm:       m.LBAlgorithm.ValueString(),
		TLSEnabled:        pmBoolOr(m.TLSEnabled, false),
		TLSContainerRef:   pmStringOr(m.TLSContainerRef, ""),
		CATLSContainerRef: pmStringOr(m.CATLSContainerRef, ""),
		CRLContainerRef:   pmStringOr(m.CRLContainerRef, ""),
		TLSCiphers:        pmStringOr(m.TLSCiphers, ""),
		TLSVersions:       listStrings(ctx, m.TLSVersions, diags),
		ALPNProtocols:     listStrings(ctx, m.ALPNProtocols, diags),
		AdminStateUp:      pmBoolOr(m.AdminStateUp, true),
		Tags:              setStrings(ctx, m.Tags, diags),
	}
	if !m.SessionPersistence.IsNull() && !m.SessionPersistence.IsUnknown() {
		var sp sessionPersistenceModel
		diags.Append(m.SessionPersistence.As(ctx, &sp, basetypes.ObjectAsOptions{})...)
		p.SessionPersistence = &lb.SessionPersistence{
			Type:                   sp.Type.ValueString(),
			CookieName:             pmStringOr(sp.CookieName, ""),
			PersistenceTimeout:     pmIntPtr(sp.PersistenceTimeout),
			PersistenceGranularity: pmStringOr(sp.PersistenceGranularity, ""),
		}
	}
	return p
}

// poolToModel writes what Octavia reports into m. listener_id is taken
// from Octavia only while m has none (after an import): Octavia reports
// every listener that uses the pool, which is not what listener_id set.
func poolToModel(p *lb.Pool, m *poolModel) {
	m.ID = types.StringValue(p.ID)
	m.Name = types.StringValue(p.Name)
	m.Description = types.StringValue(p.Description)
	if p.LoadBalancerID != "" {
		m.LoadBalancerID = types.StringValue(p.LoadBalancerID)
	} else if m.LoadBalancerID.IsUnknown() {
		m.LoadBalancerID = types.StringNull()
	}
	if m.ListenerID.IsNull() || m.ListenerID.IsUnknown() {
		m.ListenerID = optionalString(p.ListenerID)
	}
	m.Protocol = types.StringValue(p.Protocol)
	m.LBAlgorithm = types.StringValue(p.LBAlgorithm)
	m.SessionPersistence = sessionPersistenceValue(p.SessionPersistence)
	m.TLSEnabled = types.BoolValue(p.TLSEnabled)
	m.TLSContainerRef = optionalString(p.TLSContainerRef)
	m.CATLSContainerRef = optionalString(p.CATLSContainerRef)
	m.CRLContainerRef = optionalString(p.CRLContainerRef)
	m.TLSCiphers = optionalString(p.TLSCiphers)
	m.TLSVersions = stringList(pmNilIfEmpty(p.TLSVersions))
	m.ALPNProtocols = stringList(pmNilIfEmpty(p.ALPNProtocols))
	m.AdminStateUp = types.BoolValue(p.AdminStateUp)
	m.Tags = stringSet(p.Tags)
	m.ProvisioningStatus = types.StringValue(p.ProvisioningStatus)
	m.OperatingStatus = types.StringValue(p.OperatingStatus)
}

// sessionPersistenceValue is Octavia's session_persistence as an object
// value (nil → null).
func sessionPersistenceValue(sp *lb.SessionPersistence) types.Object {
	if sp == nil || sp.Type == "" {
		return types.ObjectNull(sessionPersistenceAttrTypes())
	}
	return types.ObjectValueMust(sessionPersistenceAttrTypes(), map[string]attr.Value{
		"type":                    types.StringValue(sp.Type),
		"cookie_name":             optionalString(sp.CookieName),
		"persistence_timeout":     pmInt64(sp.PersistenceTimeout),
		"persistence_granularity": optionalString(sp.PersistenceGranularity),
	})
}

func pmNilIfEmpty(v []string) []string {
	if len(v) == 0 {
		return nil
	}
	return v
}
