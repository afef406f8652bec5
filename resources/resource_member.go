package resources

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/octavia"
)

var (
	_ resource.ResourceWithConfigure      = &memberResource{}
	_ resource.ResourceWithImportState    = &memberResource{}
	_ resource.ResourceWithModifyPlan     = &memberResource{}
	_ resource.ResourceWithValidateConfig = &memberResource{}
)

const memberKind = "member"

// NewMember is the lbaas_member resource.
func NewMember() resource.Resource { return &memberResource{} }

// memberResource is one member of a pool.
type memberResource struct {
	base
}

type memberModel struct {
	ID                 types.String   `tfsdk:"id"`
	PoolID             types.String   `tfsdk:"pool_id"`
	Name               types.String   `tfsdk:"name"`
	Address            types.String   `tfsdk:"address"`
	ProtocolPort       types.Int64    `tfsdk:"protocol_port"`
	Weight             types.Int64    `tfsdk:"weight"`
	Backup             types.Bool     `tfsdk:"backup"`
	SubnetID           types.String   `tfsdk:"subnet_id"`
	MonitorAddress     types.String   `tfsdk:"monitor_address"`
	MonitorPort        types.Int64    `tfsdk:"monitor_port"`
	AdminStateUp       types.Bool     `tfsdk:"admin_state_up"`
	Tags               types.Set      `tfsdk:"tags"`
	ProvisioningStatus types.String   `tfsdk:"provisioning_status"`
	OperatingStatus    types.String   `tfsdk:"operating_status"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

func (r *memberResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_member"
}

func (r *memberResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "One member (backend server) of a pool. Many `lbaas_member` resources of one load " +
			"balancer may be applied in parallel: the provider serializes their writes per load balancer, so " +
			"Octavia's 409 (load balancer busy) never reaches Terraform. To manage a pool's members as one set " +
			"(one batch request), use `lbaas_members`.",
		Attributes: memberAttributes(ctx),
	}
}

// memberAttributes is the schema of lbaas_member.
func memberAttributes(ctx context.Context) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"address": schema.StringAttribute{
			MarkdownDescription: "The member's IPv4 or IPv6 address. Changing it replaces the member.",
			Required:            true,
			Validators:          []validator.String{pmIPAddress("address")},
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		"admin_state_up": schema.BoolAttribute{
			MarkdownDescription: "The administrative state of the member. Defaults to `true`.",
			Optional:            true,
			Computed:            true,
			Default:             booldefault.StaticBool(true),
		},
		"backup": schema.BoolAttribute{
			MarkdownDescription: "Whether the member is a backup, used only when every other member is down. " +
				"Defaults to `false`.",
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(false),
		},
		"id": idAttribute(memberKind),
		"monitor_address": schema.StringAttribute{
			MarkdownDescription: "An alternate address the health monitor checks instead of `address`.",
			Optional:            true,
			Validators:          []validator.String{pmIPAddress("monitor_address")},
		},
		"monitor_port": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("An alternate port the health monitor checks instead of `protocol_port` (%d–%d).",
				lb.MinPort, lb.MaxPort),
			Optional:   true,
			Validators: []validator.Int64{int64validator.Between(lb.MinPort, lb.MaxPort)},
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
			MarkdownDescription: "The pool of the member. Changing it replaces the member.",
			Required:            true,
			Validators:          []validator.String{pmUUID("pool_id")},
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		"protocol_port": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("The member's port (%d–%d). Changing it replaces the member.", lb.MinPort, lb.MaxPort),
			Required:            true,
			Validators:          []validator.Int64{int64validator.Between(lb.MinPort, lb.MaxPort)},
			PlanModifiers:       []planmodifier.Int64{int64planmodifier.RequiresReplace()},
		},
		"provisioning_status": provisioningStatusAttribute(),
		"subnet_id": schema.StringAttribute{
			MarkdownDescription: "The subnet the member is reached on. When not set, the member must be reachable " +
				"from the VIP subnet (Octavia may report the subnet it chose). Changing it replaces the member.",
			Optional:   true,
			Computed:   true,
			Validators: []validator.String{pmUUID("subnet_id")},
			PlanModifiers: []planmodifier.String{
				stringplanmodifier.UseStateForUnknown(),
				stringplanmodifier.RequiresReplaceIfConfigured(),
			},
		},
		"tags":     tagsAttribute(),
		"timeouts": timeoutsAttribute(ctx),
		"weight": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("The member's share of the traffic (%d–%d; 0 sends it no new connections). Defaults to `%d`.",
				lb.MinWeight, lb.MaxWeight, lb.DefaultWeight),
			Optional:   true,
			Computed:   true,
			Default:    int64default.StaticInt64(lb.DefaultWeight),
			Validators: []validator.Int64{int64validator.Between(lb.MinWeight, lb.MaxWeight)},
		},
	}
}

func (r *memberResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan memberModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, opCreate, &resp.Diagnostics)
	defer cancel()
	poolID := plan.PoolID.ValueString()
	want := memberFromModel(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := lb.ValidateMember(want, nil); err != nil {
		AddRuleError(&resp.Diagnostics, err)
		return
	}
	created, err := r.api.CreateMember(ctx, poolID, want)
	if err != nil {
		apiError(&resp.Diagnostics, "Creating", memberKind+" of pool "+poolID, "", err)
		return
	}
	// The ID (and the pool, which a delete needs) go to state before any
	// wait: a failed wait leaves a tainted member, never an orphan.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), created.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("pool_id"), poolID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("timeouts"), plan.Timeouts)...)
	got, err := r.api.WaitMember(ctx, octavia.ActionCreate, poolID, created.ID)
	if err != nil {
		apiError(&resp.Diagnostics, "Creating", memberKind, created.ID, err)
		return
	}
	memberToModel(got, &plan)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *memberResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state memberModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	got, err := r.api.GetMember(ctx, state.PoolID.ValueString(), state.ID.ValueString())
	if isNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		apiError(&resp.Diagnostics, "Reading", memberKind, state.ID.ValueString(), err)
		return
	}
	memberToModel(got, &state)
	warnIfError(&resp.Diagnostics, memberKind, got.ID, got.ProvisioningStatus)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *memberResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan memberModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, opUpdate, &resp.Diagnostics)
	defer cancel()
	poolID, id := plan.PoolID.ValueString(), plan.ID.ValueString()
	want := memberFromModel(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if _, err := r.api.UpdateMember(ctx, poolID, id, want); err != nil {
		apiError(&resp.Diagnostics, "Updating", memberKind, id, err)
		return
	}
	got, err := r.api.WaitMember(ctx, octavia.ActionUpdate, poolID, id)
	if err != nil {
		apiError(&resp.Diagnostics, "Updating", memberKind, id, err)
		return
	}
	memberToModel(got, &plan)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *memberResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state memberModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts, opDelete, &resp.Diagnostics)
	defer cancel()
	poolID, id := state.PoolID.ValueString(), state.ID.ValueString()
	if err := r.api.DeleteMember(ctx, poolID, id); err != nil && !isNotFound(err) {
		apiError(&resp.Diagnostics, "Deleting", memberKind, id, err)
		return
	}
	if _, err := r.api.WaitMember(ctx, octavia.ActionDelete, poolID, id); err != nil && !isNotFound(err) {
		apiError(&resp.Diagnostics, "Deleting", memberKind, id, err)
	}
}

// ImportState imports a member as "<pool_id>/<member_id>".
func (r *memberResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	poolID, id, ok := pmSplitImportID(req.ID, "<pool_id>/<member_id>", &resp.Diagnostics)
	if !ok {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("pool_id"), poolID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

// ModifyPlan replaces a member that a refresh found in ERROR.
func (r *memberResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	replaceIfError(ctx, req, resp, memberKind)
}

// ValidateConfig runs Octavia's member rules (internal/lb) at plan time on
// the known values: the address (an IP, not a reserved one), port and
// weight ranges, the monitor address and port.
func (r *memberResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg memberModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m, ok := memberForValidation(ctx, &cfg)
	if !ok {
		return
	}
	if err := lb.ValidateMember(m, nil); err != nil {
		AddRuleError(&resp.Diagnostics, err)
	}
}

// memberForValidation is the member that ValidateMember checks, when every
// value it reads is known.
func memberForValidation(ctx context.Context, cfg *memberModel) (*lb.Member, bool) {
	for _, s := range []types.String{cfg.Name, cfg.Address, cfg.SubnetID, cfg.MonitorAddress} {
		if s.IsUnknown() {
			return nil, false
		}
	}
	for _, i := range []types.Int64{cfg.ProtocolPort, cfg.Weight, cfg.MonitorPort} {
		if i.IsUnknown() {
			return nil, false
		}
	}
	if cfg.Tags.IsUnknown() || cfg.Address.IsNull() || cfg.ProtocolPort.IsNull() {
		return nil, false
	}
	for _, e := range cfg.Tags.Elements() {
		if e.IsUnknown() {
			return nil, false
		}
	}
	var diags diag.Diagnostics
	m := &lb.Member{
		Name:           cfg.Name.ValueString(),
		Address:        cfg.Address.ValueString(),
		ProtocolPort:   int(cfg.ProtocolPort.ValueInt64()),
		Weight:         pmIntOr(cfg.Weight, lb.DefaultWeight),
		SubnetID:       cfg.SubnetID.ValueString(),
		MonitorAddress: cfg.MonitorAddress.ValueString(),
		MonitorPort:    pmIntPtr(cfg.MonitorPort),
		Tags:           setStrings(ctx, cfg.Tags, &diags),
	}
	return m, !diags.HasError()
}

// memberFromModel is the member a plan asks for.
func memberFromModel(ctx context.Context, m *memberModel, diags *diag.Diagnostics) *lb.Member {
	return &lb.Member{
		Name:           pmStringOr(m.Name, ""),
		Address:        m.Address.ValueString(),
		ProtocolPort:   int(m.ProtocolPort.ValueInt64()),
		Weight:         pmIntOr(m.Weight, lb.DefaultWeight),
		Backup:         pmBoolOr(m.Backup, false),
		SubnetID:       pmStringOr(m.SubnetID, ""),
		MonitorAddress: pmStringOr(m.MonitorAddress, ""),
		MonitorPort:    pmIntPtr(m.MonitorPort),
		AdminStateUp:   pmBoolOr(m.AdminStateUp, true),
		Tags:           setStrings(ctx, m.Tags, diags),
	}
}

// memberToModel writes what Octavia reports into m.
func memberToModel(x *lb.Member, m *memberModel) {
	m.ID = types.StringValue(x.ID)
	if x.PoolID != "" {
		m.PoolID = types.StringValue(x.PoolID)
	}
	m.Name = types.StringValue(x.Name)
	m.Address = types.StringValue(x.Address)
	m.ProtocolPort = types.Int64Value(int64(x.ProtocolPort))
	m.Weight = types.Int64Value(int64(x.Weight))
	m.Backup = types.BoolValue(x.Backup)
	m.SubnetID = optionalString(x.SubnetID)
	m.MonitorAddress = optionalString(x.MonitorAddress)
	m.MonitorPort = pmInt64(x.MonitorPort)
	m.AdminStateUp = types.BoolValue(x.AdminStateUp)
	m.Tags = stringSet(x.Tags)
	m.ProvisioningStatus = types.StringValue(x.ProvisioningStatus)
	m.OperatingStatus = types.StringValue(x.OperatingStatus)
}
