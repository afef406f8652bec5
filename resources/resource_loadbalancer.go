package resources

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/octavia"
)

var (
	_ resource.ResourceWithImportState      = &loadBalancerResource{}
	_ resource.ResourceWithConfigure        = &loadBalancerResource{}
	_ resource.ResourceWithConfigValidators = &loadBalancerResource{}
	_ resource.ResourceWithValidateConfig   = &loadBalancerResource{}
	_ resource.ResourceWithModifyPlan       = &loadBalancerResource{}
)

const kindLoadBalancer = "load balancer"

// NewLoadBalancer is the lbaas_loadbalancer resource.
func NewLoadBalancer() resource.Resource { return &loadBalancerResource{} }

type loadBalancerResource struct {
	base
}

type loadBalancerModel struct {
	AdditionalVIPs       types.List     `tfsdk:"additional_vips"`
	AdminStateUp         types.Bool     `tfsdk:"admin_state_up"`
	AvailabilityZone     types.String   `tfsdk:"availability_zone"`
	CascadeDelete        types.Bool     `tfsdk:"cascade_delete"`
	Description          types.String   `tfsdk:"description"`
	FlavorID             types.String   `tfsdk:"flavor_id"`
	ID                   types.String   `tfsdk:"id"`
	LoadBalancerProvider types.String   `tfsdk:"loadbalancer_provider"`
	Name                 types.String   `tfsdk:"name"`
	OperatingStatus      types.String   `tfsdk:"operating_status"`
	ProjectID            types.String   `tfsdk:"project_id"`
	ProvisioningStatus   types.String   `tfsdk:"provisioning_status"`
	Tags                 types.Set      `tfsdk:"tags"`
	Timeouts             timeouts.Value `tfsdk:"timeouts"`
	VIPAddress           types.String   `tfsdk:"vip_address"`
	VIPNetworkID         types.String   `tfsdk:"vip_network_id"`
	VIPPortID            types.String   `tfsdk:"vip_port_id"`
	VIPQoSPolicyID       types.String   `tfsdk:"vip_qos_policy_id"`
	VIPSubnetID          types.String   `tfsdk:"vip_subnet_id"`
}

type additionalVIPModel struct {
	IPAddress types.String `tfsdk:"ip_address"`
	SubnetID  types.String `tfsdk:"subnet_id"`
}

func additionalVIPAttrTypes() map[string]attr.Type {
	return map[string]attr.Type{"ip_address": types.StringType, "subnet_id": types.StringType}
}

func (r *loadBalancerResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_loadbalancer"
}

func (r *loadBalancerResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replaceStable := []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An Octavia load balancer: a virtual IP address (VIP) on a subnet, served by one or two " +
			"amphorae. Listeners, pools and members are separate resources (`lbaas_listener`, `lbaas_pool`, `lbaas_member`). " +
			"Give at least one of `vip_subnet_id`, `vip_network_id` and `vip_port_id`. A load balancer found in " +
			"`ERROR` is planned for replacement.",
		Attributes: map[string]schema.Attribute{
			"additional_vips": schema.ListNestedAttribute{
				MarkdownDescription: "More VIP addresses on other subnets of the VIP network, one per subnet. " +
					"Changing it replaces the load balancer. Defaults to none.",
				Optional: true,
				Computed: true,
				PlanModifiers: []planmodifier.List{
					listplanmodifier.UseStateForUnknown(), listplanmodifier.RequiresReplace(),
				},
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"ip_address": schema.StringAttribute{
							MarkdownDescription: "The address on that subnet; chosen by Octavia when not given.",
							Optional:            true,
							Computed:            true,
							PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
						},
						"subnet_id": schema.StringAttribute{
							MarkdownDescription: "The subnet's ID.",
							Required:            true,
						},
					},
				},
			},
			"admin_state_up": schema.BoolAttribute{
				MarkdownDescription: "Whether the load balancer serves traffic. Defaults to `true`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"availability_zone": schema.StringAttribute{
				MarkdownDescription: "The name of the Octavia availability zone to build the load balancer in. " +
					"Changing it replaces the load balancer. Defaults to none (Octavia's default placement).",
				Optional:      true,
				Computed:      true,
				PlanModifiers: replaceStable,
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 255)},
			},
			"cascade_delete": schema.BoolAttribute{
				MarkdownDescription: "Delete the load balancer together with everything under it (`?cascade=true`), " +
					"including listeners and pools Terraform does not manage. Only the provider uses it; Octavia does " +
					"not store it. Defaults to `false`: deleting a load balancer that still has children fails.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"description": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("A description, at most %d characters. Defaults to `\"\"`.", lb.MaxNameLength),
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.LengthAtMost(lb.MaxNameLength)},
			},
			"flavor_id": schema.StringAttribute{
				MarkdownDescription: "The ID of the Octavia flavor (e.g. its topology). Changing it replaces the load " +
					"balancer. Defaults to none (the provider's default topology).",
				Optional:      true,
				Computed:      true,
				PlanModifiers: replaceStable,
			},
			"id": idAttribute(kindLoadBalancer),
			"loadbalancer_provider": schema.StringAttribute{
				MarkdownDescription: "Octavia's `provider` field (renamed: `provider` is a Terraform meta-argument): the " +
					"provider driver that runs the load balancer. Changing it replaces the load balancer. Defaults to " +
					"Octavia's default provider (`" + lb.DefaultProvider + "`).",
				Optional:      true,
				Computed:      true,
				PlanModifiers: replaceStable,
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 64)},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("A name, at most %d characters. Defaults to `\"\"`.", lb.MaxNameLength),
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.LengthAtMost(lb.MaxNameLength)},
			},
			"operating_status": operatingStatusAttribute(),
			"project_id": schema.StringAttribute{
				MarkdownDescription: "The project that owns the load balancer. Defaults to the project of the " +
					"credentials (setting another one needs an admin role). Changing it replaces the load balancer.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: replaceStable,
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 36)},
			},
			"provisioning_status": provisioningStatusAttribute(),
			"tags":                tagsAttribute(),
			"timeouts":            timeoutsAttribute(ctx),
			"vip_address": schema.StringAttribute{
				MarkdownDescription: "The VIP address (IPv4 or IPv6). Chosen by Octavia from the VIP subnet when not " +
					"given. Changing it replaces the load balancer.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: replaceStable,
			},
			"vip_network_id": schema.StringAttribute{
				MarkdownDescription: "The network of the VIP. Octavia derives it from the subnet or port when not " +
					"given. Changing it replaces the load balancer.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: replaceStable,
			},
			"vip_port_id": schema.StringAttribute{
				MarkdownDescription: "The Neutron port of the VIP: an unused port to take the VIP from, or, when not " +
					"given, the port Octavia creates. Changing it replaces the load balancer.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: replaceStable,
			},
			"vip_qos_policy_id": schema.StringAttribute{
				MarkdownDescription: "The Neutron QoS policy applied to the VIP port. Updatable. Defaults to none.",
				Optional:            true,
			},
			"vip_subnet_id": schema.StringAttribute{
				MarkdownDescription: "The subnet the VIP address is taken from. Octavia derives it from the network or " +
					"port when not given. Changing it replaces the load balancer.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: replaceStable,
			},
		},
	}
}

func (r *loadBalancerResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan loadBalancerModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, opCreate, &resp.Diagnostics)
	defer cancel()

	want := plan.toLB(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := lb.ValidateLoadBalancer(want); err != nil {
		ruleCheck(&resp.Diagnostics, err, nil, loadBalancerFieldPath)
		return
	}
	created, err := r.api.CreateLoadBalancer(ctx, want)
	if err != nil {
		apiError(&resp.Diagnostics, "Creating", kindLoadBalancer, "", err)
		return
	}
	// The ID goes to state before any wait: a failed wait leaves a tainted
	// resource that Terraform replaces, never an orphan.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), created.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("cascade_delete"), plan.CascadeDelete)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("timeouts"), plan.Timeouts)...)
	if resp.Diagnostics.HasError() {
		return
	}
	got, err := r.api.WaitLoadBalancer(ctx, octavia.ActionCreate, created.ID)
	if err != nil {
		apiError(&resp.Diagnostics, "Creating", kindLoadBalancer, created.ID, err)
		return
	}
	plan.fromLB(got)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *loadBalancerResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state loadBalancerModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	got, err := r.api.GetLoadBalancer(ctx, state.ID.ValueString())
	if isNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		apiError(&resp.Diagnostics, "Reading", kindLoadBalancer, state.ID.ValueString(), err)
		return
	}
	state.fromLB(got)
	if state.CascadeDelete.IsNull() {
		state.CascadeDelete = types.BoolValue(false) // imported
	}
	warnIfError(&resp.Diagnostics, kindLoadBalancer, got.ID, got.ProvisioningStatus)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *loadBalancerResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state loadBalancerModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, opUpdate, &resp.Diagnostics)
	defer cancel()
	id := state.ID.ValueString()

	var got *lb.LoadBalancer
	if plan.updatableChanged(state) {
		want := plan.toLB(ctx, &resp.Diagnostics)
		have := state.toLB(ctx, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		if _, err := r.api.UpdateLoadBalancer(ctx, id, have, want); err != nil {
			apiError(&resp.Diagnostics, "Updating", kindLoadBalancer, id, err)
			return
		}
		var err error
		if got, err = r.api.WaitLoadBalancer(ctx, octavia.ActionUpdate, id); err != nil {
			apiError(&resp.Diagnostics, "Updating", kindLoadBalancer, id, err)
			return
		}
	} else {
		var err error
		if got, err = r.api.GetLoadBalancer(ctx, id); err != nil {
			apiError(&resp.Diagnostics, "Reading", kindLoadBalancer, id, err)
			return
		}
	}
	plan.ID = state.ID
	plan.fromLB(got)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *loadBalancerResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state loadBalancerModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts, opDelete, &resp.Diagnostics)
	defer cancel()
	id := state.ID.ValueString()
	if err := r.api.DeleteLoadBalancer(ctx, id, state.CascadeDelete.ValueBool()); err != nil {
		apiError(&resp.Diagnostics, "Deleting", kindLoadBalancer, id, err)
		return
	}
	if _, err := r.api.WaitLoadBalancer(ctx, octavia.ActionDelete, id); err != nil && !isNotFound(err) {
		apiError(&resp.Diagnostics, "Deleting", kindLoadBalancer, id, err)
	}
}

// ImportState imports a load balancer by its ID.
func (r *loadBalancerResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("cascade_delete"), false)...)
}

// ConfigValidators: Octavia needs a VIP subnet, network or port.
func (r *loadBalancerResource) ConfigValidators(_ context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.AtLeastOneOf(
			path.MatchRoot("vip_subnet_id"), path.MatchRoot("vip_network_id"), path.MatchRoot("vip_port_id"),
		),
	}
}

// ValidateConfig runs Octavia's load balancer rules (internal/lb) on the
// values known at plan time.
func (r *loadBalancerResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg loadBalancerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	want, unknown := cfg.forValidation(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ruleCheck(&resp.Diagnostics, lb.ValidateLoadBalancer(want), unknown, loadBalancerFieldPath)
}

// ModifyPlan replaces a load balancer found in ERROR.
func (r *loadBalancerResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	replaceIfError(ctx, req, resp, kindLoadBalancer)
}

// loadBalancerFieldPath is the attribute of an Octavia load balancer field.
func loadBalancerFieldPath(field string) path.Path {
	switch field {
	case "provider":
		return path.Root("loadbalancer_provider")
	case "additional_vips.subnet_id", "additional_vips.ip_address":
		return path.Root("additional_vips")
	}
	return FieldPath(field)
}

// toLB is the load balancer the plan asks for (unknown values are "").
func (m *loadBalancerModel) toLB(ctx context.Context, diags *diag.Diagnostics) *lb.LoadBalancer {
	l := &lb.LoadBalancer{
		Name:             m.Name.ValueString(),
		Description:      m.Description.ValueString(),
		AdminStateUp:     m.AdminStateUp.ValueBool(),
		VIPAddress:       m.VIPAddress.ValueString(),
		VIPPortID:        m.VIPPortID.ValueString(),
		VIPSubnetID:      m.VIPSubnetID.ValueString(),
		VIPNetworkID:     m.VIPNetworkID.ValueString(),
		VIPQoSPolicyID:   m.VIPQoSPolicyID.ValueString(),
		Provider:         m.LoadBalancerProvider.ValueString(),
		FlavorID:         m.FlavorID.ValueString(),
		AvailabilityZone: m.AvailabilityZone.ValueString(),
		ProjectID:        m.ProjectID.ValueString(),
		Tags:             setStrings(ctx, m.Tags, diags),
	}
	if !m.AdditionalVIPs.IsNull() && !m.AdditionalVIPs.IsUnknown() {
		var vips []additionalVIPModel
		diags.Append(m.AdditionalVIPs.ElementsAs(ctx, &vips, false)...)
		for _, v := range vips {
			l.AdditionalVIPs = append(l.AdditionalVIPs, lb.AdditionalVIP{
				SubnetID: v.SubnetID.ValueString(), IPAddress: v.IPAddress.ValueString(),
			})
		}
	}
	return l
}

// forValidation is the configured load balancer for plan-time validation:
// unknown values get stand-ins that pass the rules, and are reported by
// root attribute name so that rule failures about them are dropped. Values
// that the schema's own validators reject are left out too, so that one
// mistake gives one diagnostic.
func (m *loadBalancerModel) forValidation(ctx context.Context, diags *diag.Diagnostics) (*lb.LoadBalancer, map[string]bool) {
	unknown := map[string]bool{}
	const standInUUID = "00000000-0000-4000-8000-000000000000"
	for name, v := range map[string]types.String{
		"name": m.Name, "description": m.Description, "vip_address": m.VIPAddress, "vip_port_id": m.VIPPortID,
		"vip_subnet_id": m.VIPSubnetID, "vip_network_id": m.VIPNetworkID, "vip_qos_policy_id": m.VIPQoSPolicyID,
		"provider": m.LoadBalancerProvider, "flavor_id": m.FlavorID, "availability_zone": m.AvailabilityZone,
		"project_id": m.ProjectID,
	} {
		knownString(v, name, unknown)
	}
	if m.Tags.IsUnknown() {
		unknown["tags"] = true
	}
	if m.AdditionalVIPs.IsUnknown() {
		unknown["additional_vips"] = true
	}
	l := m.toLB(ctx, diags)
	// The schema validators own these checks.
	l.Name, l.Description, l.Tags = "", "", nil
	l.ProjectID, l.Provider, l.AvailabilityZone = "", "", ""
	// resourcevalidator.AtLeastOneOf owns "one of the VIP fields".
	if l.VIPSubnetID == "" && l.VIPNetworkID == "" && l.VIPPortID == "" {
		l.VIPSubnetID = standInUUID
		unknown["vip_subnet_id"] = true
	}
	for i, v := range l.AdditionalVIPs {
		if v.SubnetID == "" {
			l.AdditionalVIPs[i].SubnetID = standInUUID
			unknown["additional_vips"] = true
		}
	}
	for name, p := range map[string]*string{
		"vip_port_id": &l.VIPPortID, "vip_subnet_id": &l.VIPSubnetID, "vip_network_id": &l.VIPNetworkID,
		"vip_qos_policy_id": &l.VIPQoSPolicyID, "flavor_id": &l.FlavorID,
	} {
		if unknown[name] {
			*p = standInUUID
		}
	}
	if unknown["vip_address"] {
		l.VIPAddress = ""
	}
	return l, unknown
}

// updatableChanged tells whether a field Octavia can update differs between
// the plan and the state.
func (m *loadBalancerModel) updatableChanged(state loadBalancerModel) bool {
	return !m.Name.Equal(state.Name) || !m.Description.Equal(state.Description) ||
		!m.AdminStateUp.Equal(state.AdminStateUp) || !m.VIPQoSPolicyID.Equal(state.VIPQoSPolicyID) ||
		!m.Tags.Equal(state.Tags)
}

// fromLB sets every attribute Octavia reports (not cascade_delete or
// timeouts).
func (m *loadBalancerModel) fromLB(l *lb.LoadBalancer) {
	m.ID = types.StringValue(l.ID)
	m.Name = types.StringValue(l.Name)
	m.Description = types.StringValue(l.Description)
	m.AdminStateUp = types.BoolValue(l.AdminStateUp)
	m.VIPAddress = optionalString(l.VIPAddress)
	m.VIPPortID = optionalString(l.VIPPortID)
	m.VIPSubnetID = optionalString(l.VIPSubnetID)
	m.VIPNetworkID = optionalString(l.VIPNetworkID)
	m.VIPQoSPolicyID = optionalString(l.VIPQoSPolicyID)
	m.LoadBalancerProvider = optionalString(l.Provider)
	m.FlavorID = optionalString(l.FlavorID)
	m.AvailabilityZone = optionalString(l.AvailabilityZone)
	m.ProjectID = optionalString(l.ProjectID)
	m.Tags = stringSet(l.Tags)
	m.ProvisioningStatus = types.StringValue(l.ProvisioningStatus)
	m.OperatingStatus = types.StringValue(l.OperatingStatus)
	vips := make([]attr.Value, 0, len(l.AdditionalVIPs))
	for _, v := range l.AdditionalVIPs {
		vips = append(vips, types.ObjectValueMust(additionalVIPAttrTypes(), map[string]attr.Value{
			"ip_address": optionalString(v.IPAddress), "subnet_id": types.StringValue(v.SubnetID),
		}))
	}
	m.AdditionalVIPs = types.ListValueMust(types.ObjectType{AttrTypes: additionalVIPAttrTypes()}, vips)
}
