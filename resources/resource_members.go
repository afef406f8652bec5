package resources

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
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
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/octavia"
)

var (
	_ resource.ResourceWithConfigure      = &membersResource{}
	_ resource.ResourceWithImportState    = &membersResource{}
	_ resource.ResourceWithModifyPlan     = &membersResource{}
	_ resource.ResourceWithValidateConfig = &membersResource{}
)

// NewMembers is the lbaas_members resource.
func NewMembers() resource.Resource { return &membersResource{} }

// membersResource is the member set of a pool, written with Octavia's
// batch member update (PUT /pools/{id}/members).
type membersResource struct {
	base
}

type membersModel struct {
	ID           types.String   `tfsdk:"id"`
	PoolID       types.String   `tfsdk:"pool_id"`
	AdditiveOnly types.Bool     `tfsdk:"additive_only"`
	Members      types.Map      `tfsdk:"members"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

// batchMemberModel is one value of the members map.
type batchMemberModel struct {
	Address            types.String `tfsdk:"address"`
	ProtocolPort       types.Int64  `tfsdk:"protocol_port"`
	Name               types.String `tfsdk:"name"`
	Weight             types.Int64  `tfsdk:"weight"`
	Backup             types.Bool   `tfsdk:"backup"`
	SubnetID           types.String `tfsdk:"subnet_id"`
	MonitorAddress     types.String `tfsdk:"monitor_address"`
	MonitorPort        types.Int64  `tfsdk:"monitor_port"`
	AdminStateUp       types.Bool   `tfsdk:"admin_state_up"`
	Tags               types.Set    `tfsdk:"tags"`
	ID                 types.String `tfsdk:"id"`
	ProvisioningStatus types.String `tfsdk:"provisioning_status"`
	OperatingStatus    types.String `tfsdk:"operating_status"`
}

func batchMemberAttrTypes() map[string]attr.Type {
	return map[string]attr.Type{
		"address":             types.StringType,
		"protocol_port":       types.Int64Type,
		"name":                types.StringType,
		"weight":              types.Int64Type,
		"backup":              types.BoolType,
		"subnet_id":           types.StringType,
		"monitor_address":     types.StringType,
		"monitor_port":        types.Int64Type,
		"admin_state_up":      types.BoolType,
		"tags":                types.SetType{ElemType: types.StringType},
		"id":                  types.StringType,
		"provisioning_status": types.StringType,
		"operating_status":    types.StringType,
	}
}

func batchMemberType() types.ObjectType { return types.ObjectType{AttrTypes: batchMemberAttrTypes()} }

func (r *membersResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_members"
}

func (r *membersResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The members of a pool as one set, written with Octavia's batch member update (one " +
			"request, one load balancer update, however many members change). `members` is a map keyed by " +
			"`\"<address>:<port>\"` (`\"[<IPv6 address>]:<port>\"` for IPv6), so that a member whose other " +
			"attributes are unknown at plan time never makes the whole set unknown.\n\n" +
			"With `additive_only = false` (the default) this resource owns every member of the pool: members " +
			"added outside Terraform show as drift and the next apply removes them, and **destroying the " +
			"resource removes every member of the pool**. With `additive_only = true` it manages only the keys " +
			"of `members`: other members are left alone, and destroying it deletes only its own members.\n\n" +
			"Do not manage the same pool with `lbaas_members` (with `additive_only = false`) and `lbaas_member`.",
		Attributes: map[string]schema.Attribute{
			"additive_only": schema.BoolAttribute{
				MarkdownDescription: "When `true`, members of the pool that are not in `members` are left alone " +
					"(Octavia's `additive_only`), and only this resource's members are deleted on destroy. When " +
					"`false`, the pool's members are exactly `members`. Defaults to `false`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "The pool's ID (the import ID).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"members": schema.MapNestedAttribute{
				MarkdownDescription: "The members, keyed by `\"<address>:<port>\"` (e.g. `\"192.0.2.10:8080\"`, " +
					"`\"[2001:db8::10]:8080\"`), the address written in its canonical form (IPv6 in lower case with " +
					"zeros compressed), as Octavia matches members on the address as written. The key is the " +
					"member's `address` and `protocol_port`.",
				Required: true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: batchMemberAttributes(),
				},
			},
			"pool_id": schema.StringAttribute{
				MarkdownDescription: "The pool whose members these are. Changing it replaces the resource.",
				Required:            true,
				Validators:          []validator.String{pmUUID("pool_id")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"timeouts": timeoutsAttribute(ctx),
		},
	}
}

// batchMemberAttributes is the schema of one value of the members map.
func batchMemberAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"address": schema.StringAttribute{
			MarkdownDescription: "The member's address (from the key).",
			Computed:            true,
		},
		"admin_state_up": schema.BoolAttribute{
			MarkdownDescription: "The administrative state of the member. Defaults to `true`.",
			Optional:            true,
			Computed:            true,
			Default:             booldefault.StaticBool(true),
		},
		"backup": schema.BoolAttribute{
			MarkdownDescription: "Whether the member is a backup. Defaults to `false`.",
			Optional:            true,
			Computed:            true,
			Default:             booldefault.StaticBool(false),
		},
		"id": schema.StringAttribute{
			MarkdownDescription: "The member's ID.",
			Computed:            true,
			PlanModifiers:       []planmodifier.String{pmUseStateIfKnownElement{}},
		},
		"monitor_address": schema.StringAttribute{
			MarkdownDescription: "An alternate address the health monitor checks.",
			Optional:            true,
			Validators:          []validator.String{pmIPAddress("monitor_address")},
		},
		"monitor_port": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("An alternate port the health monitor checks (%d–%d).", lb.MinPort, lb.MaxPort),
			Optional:            true,
			Validators:          []validator.Int64{int64validator.Between(lb.MinPort, lb.MaxPort)},
		},
		"name": schema.StringAttribute{
			MarkdownDescription: fmt.Sprintf("A name (at most %d characters). Defaults to `\"\"`.", lb.MaxNameLength),
			Optional:            true,
			Computed:            true,
			Default:             stringdefault.StaticString(""),
			Validators:          []validator.String{stringvalidator.LengthAtMost(lb.MaxNameLength)},
		},
		"operating_status": schema.StringAttribute{
			MarkdownDescription: "Octavia's operating status of the member: " + backticked(operatingStatuses()) + ".",
			Computed:            true,
		},
		"protocol_port": schema.Int64Attribute{
			MarkdownDescription: "The member's port (from the key).",
			Computed:            true,
		},
		"provisioning_status": schema.StringAttribute{
			MarkdownDescription: "Octavia's provisioning status of the member: " + backticked(provisioningStatuses()) +
				". A member found in `ERROR` is deleted and created again by the next apply.",
			Computed: true,
		},
		"subnet_id": schema.StringAttribute{
			MarkdownDescription: "The subnet the member is reached on. When not set, Octavia's choice (if any) is shown.",
			Optional:            true,
			Computed:            true,
			Validators:          []validator.String{pmUUID("subnet_id")},
			PlanModifiers:       []planmodifier.String{pmUseStateIfKnownElement{}},
		},
		"tags": tagsAttribute(),
		"weight": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("The member's share of the traffic (%d–%d). Defaults to `%d`.",
				lb.MinWeight, lb.MaxWeight, lb.DefaultWeight),
			Optional:   true,
			Computed:   true,
			Default:    int64default.StaticInt64(lb.DefaultWeight),
			Validators: []validator.Int64{int64validator.Between(lb.MinWeight, lb.MaxWeight)},
		},
	}
}

func (r *membersResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan membersModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, opCreate, &resp.Diagnostics)
	defer cancel()
	poolID := plan.PoolID.ValueString()
	planned := batchMembers(ctx, plan.Members, &resp.Diagnostics)
	want := membersFromModel(ctx, planned, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// The resource goes to state before the batch is sent (there is no ID
	// to wait for: the pool's ID is the resource's): if the batch or its
	// wait fails, the resource is tainted and its Delete knows what to
	// remove, so no member is orphaned.
	plan.ID = types.StringValue(poolID)
	pending := plan
	pending.Members = membersMapValue(ctx, nullComputed(planned), &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &pending)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.api.BatchUpdateMembers(ctx, poolID, want, plan.AdditiveOnly.ValueBool()); err != nil {
		apiError(&resp.Diagnostics, "Creating", "members of pool", poolID, err)
		return
	}
	r.readBack(ctx, &plan, planned, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *membersResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state membersModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	poolID := state.PoolID.ValueString()
	current, err := r.api.ListMembers(ctx, poolID, nil)
	if isNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		apiError(&resp.Diagnostics, "Reading", "members of pool", poolID, err)
		return
	}
	prior := batchMembers(ctx, state.Members, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	out := make(map[string]batchMemberModel, len(current))
	for _, m := range current {
		key := pmMemberKey(m.Address, m.ProtocolPort)
		if _, managed := prior[key]; !managed && state.AdditiveOnly.ValueBool() {
			continue // another owner's member
		}
		out[key] = batchMemberFromAPI(m)
		if m.ProvisioningStatus == lb.StatusError {
			resp.Diagnostics.AddWarning(
				fmt.Sprintf("The member %s (%s) of pool %s is in ERROR", m.ID, key, poolID),
				"Octavia reports provisioning_status ERROR for this member: the next apply deletes it and creates it again.")
		}
	}
	state.ID = types.StringValue(poolID)
	state.Members = membersMapValue(ctx, out, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *membersResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state membersModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, opUpdate, &resp.Diagnostics)
	defer cancel()
	poolID := plan.PoolID.ValueString()
	planned := batchMembers(ctx, plan.Members, &resp.Diagnostics)
	prior := batchMembers(ctx, state.Members, &resp.Diagnostics)
	want := membersFromModel(ctx, planned, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// Members in ERROR (ModifyPlan made their id unknown) are deleted first:
	// the batch would only update them in place.
	var stale []string
	for key, p := range planned {
		if s, ok := prior[key]; ok && p.ID.IsUnknown() && s.ProvisioningStatus.ValueString() == lb.StatusError {
			stale = append(stale, s.ID.ValueString())
		}
	}
	additive := plan.AdditiveOnly.ValueBool()
	if additive {
		// Octavia's additive_only never deletes: the keys that left the
		// configuration are deleted one by one (the client queues them on
		// the load balancer).
		for key, s := range prior {
			if _, kept := planned[key]; !kept {
				stale = append(stale, s.ID.ValueString())
			}
		}
	}
	sort.Strings(stale)
	for _, id := range stale {
		r.deleteMember(ctx, poolID, id, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.api.BatchUpdateMembers(ctx, poolID, want, additive); err != nil {
		apiError(&resp.Diagnostics, "Updating", "members of pool", poolID, err)
		return
	}
	plan.ID = types.StringValue(poolID)
	r.readBack(ctx, &plan, planned, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete removes the members: with additive_only false every member of the
// pool (an empty batch), with additive_only true only the keys of this
// resource, one by one.
func (r *membersResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state membersModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts, opDelete, &resp.Diagnostics)
	defer cancel()
	poolID := state.PoolID.ValueString()
	if !state.AdditiveOnly.ValueBool() {
		if err := r.api.BatchUpdateMembers(ctx, poolID, []*lb.Member{}, false); err != nil && !isNotFound(err) {
			apiError(&resp.Diagnostics, "Deleting", "members of pool", poolID, err)
		}
		return
	}
	prior := batchMembers(ctx, state.Members, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// Match on the keys, not on the IDs in state: a create whose batch
	// failed has no IDs in state, yet its members may exist.
	current, err := r.api.ListMembers(ctx, poolID, nil)
	if isNotFound(err) {
		return
	}
	if err != nil {
		apiError(&resp.Diagnostics, "Deleting", "members of pool", poolID, err)
		return
	}
	for _, m := range current {
		if _, managed := prior[pmMemberKey(m.Address, m.ProtocolPort)]; managed {
			r.deleteMember(ctx, poolID, m.ID, &resp.Diagnostics)
		}
	}
}

// ImportState imports the member set of a pool by the pool's ID, with
// additive_only false (every member of the pool).
func (r *membersResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("pool_id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("additive_only"), false)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("members"),
		types.MapValueMust(batchMemberType(), map[string]attr.Value{}))...)
}

// ModifyPlan fills each member's address and protocol_port from its key,
// and plans a member found in ERROR for deletion and re-creation.
func (r *membersResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan membersModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.Members.IsUnknown() || plan.Members.IsNull() {
		return
	}
	planned := batchMembers(ctx, plan.Members, &resp.Diagnostics)
	prior := map[string]batchMemberModel{}
	if !req.State.Raw.IsNull() {
		var state membersModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		prior = batchMembers(ctx, state.Members, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	changed := false
	for key, m := range planned {
		address, port, err := pmParseMemberKey(key)
		if err != nil {
			continue // reported by ValidateConfig
		}
		if m.Address.IsUnknown() || m.ProtocolPort.IsUnknown() {
			m.Address = types.StringValue(address)
			m.ProtocolPort = types.Int64Value(int64(port))
			changed = true
		}
		if s, ok := prior[key]; ok && s.ProvisioningStatus.ValueString() == lb.StatusError {
			m.ID = types.StringUnknown()
			m.ProvisioningStatus = types.StringUnknown()
			m.OperatingStatus = types.StringUnknown()
			changed = true
			resp.Diagnostics.AddWarning(
				fmt.Sprintf("The member %s (%s) of pool %s is in ERROR", s.ID.ValueString(), key, plan.PoolID.ValueString()),
				"Octavia reports provisioning_status ERROR for this member: this apply deletes it and creates it again.")
		}
		planned[key] = m
	}
	if changed {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("members"), membersMapValue(ctx, planned, &resp.Diagnostics))...)
	}
}

// ValidateConfig checks each key ("address:port", canonical address) and
// runs Octavia's member rules (internal/lb) on each member whose values are
// known, reporting on the member's attribute.
func (r *membersResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var members types.Map
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("members"), &members)...)
	if resp.Diagnostics.HasError() || members.IsNull() || members.IsUnknown() {
		return
	}
	for key, v := range members.Elements() {
		at := path.Root("members").AtMapKey(key)
		address, port, err := pmParseMemberKey(key)
		if err != nil {
			attributeError(&resp.Diagnostics, at, "Invalid configuration for Octavia", "Invalid member key: "+err.Error())
			continue
		}
		obj, ok := v.(types.Object)
		if !ok || obj.IsUnknown() || obj.IsNull() {
			continue
		}
		var cfg batchMemberModel
		resp.Diagnostics.Append(obj.As(ctx, &cfg, basetypes.ObjectAsOptions{})...)
		m, known := batchMemberForValidation(ctx, address, port, &cfg)
		if !known {
			continue
		}
		if err := lb.ValidateMember(m, nil); err != nil {
			addRuleErrorAt(&resp.Diagnostics, at, err)
		}
	}
}

// readBack lists the pool's members after a write and fills the computed
// values of the planned ones.
func (r *membersResource) readBack(ctx context.Context, plan *membersModel, planned map[string]batchMemberModel, diags *diag.Diagnostics) {
	poolID := plan.PoolID.ValueString()
	current, err := r.api.ListMembers(ctx, poolID, nil)
	if err != nil {
		apiError(diags, "Reading", "members of pool", poolID, err)
		return
	}
	byKey := make(map[string]*lb.Member, len(current))
	for _, m := range current {
		byKey[pmMemberKey(m.Address, m.ProtocolPort)] = m
	}
	out := make(map[string]batchMemberModel, len(planned))
	for key := range planned {
		m, ok := byKey[key]
		if !ok {
			diags.AddError(fmt.Sprintf("Writing the members of pool %s", poolID),
				fmt.Sprintf("Octavia accepted the batch update but the pool has no member %s afterwards.", key))
			return
		}
		out[key] = batchMemberFromAPI(m)
	}
	plan.Members = membersMapValue(ctx, out, diags)
}

// deleteMember deletes one member and waits until it is gone.
func (r *membersResource) deleteMember(ctx context.Context, poolID, id string, diags *diag.Diagnostics) {
	if err := r.api.DeleteMember(ctx, poolID, id); err != nil && !isNotFound(err) {
		apiError(diags, "Deleting", memberKind, id, err)
		return
	}
	if _, err := r.api.WaitMember(ctx, octavia.ActionDelete, poolID, id); err != nil && !isNotFound(err) {
		apiError(diags, "Deleting", memberKind, id, err)
	}
}

// batchMembers reads the members map (null or unknown → empty).
func batchMembers(ctx context.Context, v types.Map, diags *diag.Diagnostics) map[string]batchMemberModel {
	out := map[string]batchMemberModel{}
	if v.IsNull() || v.IsUnknown() {
		return out
	}
	diags.Append(v.ElementsAs(ctx, &out, false)...)
	return out
}

// membersMapValue is the members map as a value.
func membersMapValue(ctx context.Context, members map[string]batchMemberModel, diags *diag.Diagnostics) types.Map {
	v, d := types.MapValueFrom(ctx, batchMemberType(), members)
	diags.Append(d...)
	return v
}

// nullComputed is planned with the values only Octavia knows (IDs,
// statuses, a subnet it chose) set to null, for a state written before the
// batch.
func nullComputed(planned map[string]batchMemberModel) map[string]batchMemberModel {
	out := make(map[string]batchMemberModel, len(planned))
	for key, m := range planned {
		m.ID = types.StringNull()
		m.ProvisioningStatus = types.StringNull()
		m.OperatingStatus = types.StringNull()
		if m.SubnetID.IsUnknown() {
			m.SubnetID = types.StringNull()
		}
		if address, port, err := pmParseMemberKey(key); err == nil {
			m.Address = types.StringValue(address)
			m.ProtocolPort = types.Int64Value(int64(port))
		}
		out[key] = m
	}
	return out
}

// membersFromModel is the batch the planned members ask for, in key order.
func membersFromModel(ctx context.Context, planned map[string]batchMemberModel, diags *diag.Diagnostics) []*lb.Member {
	keys := make([]string, 0, len(planned))
	for key := range planned {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	out := make([]*lb.Member, 0, len(keys))
	for _, key := range keys {
		address, port, err := pmParseMemberKey(key)
		if err != nil {
			diags.AddAttributeError(path.Root("members").AtMapKey(key), "Invalid member key", err.Error())
			continue
		}
		m := planned[key]
		out = append(out, &lb.Member{
			Name:           pmStringOr(m.Name, ""),
			Address:        address,
			ProtocolPort:   port,
			Weight:         pmIntOr(m.Weight, lb.DefaultWeight),
			Backup:         pmBoolOr(m.Backup, false),
			SubnetID:       pmStringOr(m.SubnetID, ""),
			MonitorAddress: pmStringOr(m.MonitorAddress, ""),
			MonitorPort:    pmIntPtr(m.MonitorPort),
			AdminStateUp:   pmBoolOr(m.AdminStateUp, true),
			Tags:           setStrings(ctx, m.Tags, diags),
		})
	}
	return out
}

// batchMemberForValidation is the member ValidateMember checks, when every
// value it reads is known.
func batchMemberForValidation(ctx context.Context, address string, port int, cfg *batchMemberModel) (*lb.Member, bool) {
	for _, s := range []types.String{cfg.Name, cfg.SubnetID, cfg.MonitorAddress} {
		if s.IsUnknown() {
			return nil, false
		}
	}
	if cfg.Weight.IsUnknown() || cfg.MonitorPort.IsUnknown() || cfg.Tags.IsUnknown() {
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
		Address:        address,
		ProtocolPort:   port,
		Weight:         pmIntOr(cfg.Weight, lb.DefaultWeight),
		SubnetID:       cfg.SubnetID.ValueString(),
		MonitorAddress: cfg.MonitorAddress.ValueString(),
		MonitorPort:    pmIntPtr(cfg.MonitorPort),
		Tags:           setStrings(ctx, cfg.Tags, &diags),
	}
	return m, !diags.HasError()
}

// batchMemberFromAPI is one member as Octavia reports it.
func batchMemberFromAPI(m *lb.Member) batchMemberModel {
	return batchMemberModel{
		Address:            types.StringValue(m.Address),
		ProtocolPort:       types.Int64Value(int64(m.ProtocolPort)),
		Name:               types.StringValue(m.Name),
		Weight:             types.Int64Value(int64(m.Weight)),
		Backup:             types.BoolValue(m.Backup),
		SubnetID:           optionalString(m.SubnetID),
		MonitorAddress:     optionalString(m.MonitorAddress),
		MonitorPort:        pmInt64(m.MonitorPort),
		AdminStateUp:       types.BoolValue(m.AdminStateUp),
		Tags:               stringSet(m.Tags),
		ID:                 types.StringValue(m.ID),
		ProvisioningStatus: types.StringValue(m.ProvisioningStatus),
		OperatingStatus:    types.StringValue(m.OperatingStatus),
	}
}
