package resources

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/octavia"
)

var (
	_ resource.ResourceWithImportState    = &listenerResource{}
	_ resource.ResourceWithConfigure      = &listenerResource{}
	_ resource.ResourceWithValidateConfig = &listenerResource{}
	_ resource.ResourceWithModifyPlan     = &listenerResource{}
)

const kindListener = "listener"

// NewListener is the lbaas_listener resource.
func NewListener() resource.Resource { return &listenerResource{} }

type listenerResource struct {
	base
}

type listenerModel struct {
	AdminStateUp            types.Bool     `tfsdk:"admin_state_up"`
	AllowedCIDRs            types.Set      `tfsdk:"allowed_cidrs"`
	ALPNProtocols           types.List     `tfsdk:"alpn_protocols"`
	ClientAuthentication    types.String   `tfsdk:"client_authentication"`
	ClientCATLSContainerRef types.String   `tfsdk:"client_ca_tls_container_ref"`
	ClientCRLContainerRef   types.String   `tfsdk:"client_crl_container_ref"`
	ConnectionLimit         types.Int64    `tfsdk:"connection_limit"`
	DefaultPoolID           types.String   `tfsdk:"default_pool_id"`
	DefaultTLSContainerRef  types.String   `tfsdk:"default_tls_container_ref"`
	Description             types.String   `tfsdk:"description"`
	ID                      types.String   `tfsdk:"id"`
	InsertHeaders           types.Map      `tfsdk:"insert_headers"`
	LoadBalancerID          types.String   `tfsdk:"loadbalancer_id"`
	Name                    types.String   `tfsdk:"name"`
	OperatingStatus         types.String   `tfsdk:"operating_status"`
	ProjectID               types.String   `tfsdk:"project_id"`
	Protocol                types.String   `tfsdk:"protocol"`
	ProtocolPort            types.Int64    `tfsdk:"protocol_port"`
	ProvisioningStatus      types.String   `tfsdk:"provisioning_status"`
	SNIContainerRefs        types.Set      `tfsdk:"sni_container_refs"`
	Tags                    types.Set      `tfsdk:"tags"`
	TimeoutClientData       types.Int64    `tfsdk:"timeout_client_data"`
	TimeoutMemberConnect    types.Int64    `tfsdk:"timeout_member_connect"`
	TimeoutMemberData       types.Int64    `tfsdk:"timeout_member_data"`
	TimeoutTCPInspect       types.Int64    `tfsdk:"timeout_tcp_inspect"`
	Timeouts                timeouts.Value `tfsdk:"timeouts"`
	TLSCiphers              types.String   `tfsdk:"tls_ciphers"`
	TLSVersions             types.Set      `tfsdk:"tls_versions"`
}

func (r *listenerResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_listener"
}

// listenerTimeoutAttribute is one of the listener's millisecond timeouts.
func listenerTimeoutAttribute(what string, def int) schema.Int64Attribute {
	return schema.Int64Attribute{
		MarkdownDescription: fmt.Sprintf("%s, in milliseconds, %d to %d. Defaults to `%d`.", what, lb.MinTimeoutMS, lb.MaxTimeoutMS, def),
		Optional:            true,
		Computed:            true,
		Default:             int64default.StaticInt64(int64(def)),
		Validators:          []validator.Int64{int64validator.Between(lb.MinTimeoutMS, lb.MaxTimeoutMS)},
	}
}

// certRefAttribute is an optional certificate container reference.
func certRefAttribute(what string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: what + " (a Barbican secret or container URL, at most 255 characters). Defaults to none.",
		Optional:            true,
		Validators:          []validator.String{stringvalidator.LengthBetween(1, 255)},
	}
}

func (r *listenerResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A listener of an Octavia load balancer: accepts connections on the VIP for one protocol " +
			"and port and hands them to its default pool or its L7 policies. Octavia's listener rules (ranges, " +
			"`insert_headers` per protocol, certificates for `TERMINATED_HTTPS`, …) are checked at plan time. " +
			"A listener found in `ERROR` is planned for replacement.",
		Attributes: map[string]schema.Attribute{
			"admin_state_up": schema.BoolAttribute{
				MarkdownDescription: "Whether the listener accepts connections. Defaults to `true`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"allowed_cidrs": schema.SetAttribute{
				MarkdownDescription: "Source networks allowed to connect, in canonical CIDR form (`192.0.2.0/24`, " +
					"`2001:db8::/64`), of the VIP's IP version. Defaults to none: every source is allowed.",
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     setdefault.StaticValue(emptyStringSet()),
				Validators:  []validator.Set{setvalidator.ValueStringsAre(canonicalCIDR{})},
			},
			"alpn_protocols": schema.ListAttribute{
				MarkdownDescription: "ALPN protocols offered on a TLS-terminating listener, in order of preference; " +
					"one of " + backticked(lb.ALPNProtocols()) + " each. When not given, Octavia chooses: its default " +
					"(`h2`, `http/1.1`, `http/1.0`) for `TERMINATED_HTTPS` listeners, and on every update of a " +
					"listener, so the value is known only after an update is applied.",
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Validators: []validator.List{
					listvalidator.ValueStringsAre(stringvalidator.OneOf(lb.ALPNProtocols()...)),
				},
			},
			"client_authentication": schema.StringAttribute{
				MarkdownDescription: "TLS client authentication mode: one of " + backticked(lb.ClientAuthentications()) +
					". Anything but `NONE` needs `client_ca_tls_container_ref`. Defaults to `" + lb.ClientAuthNone + "`.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(lb.ClientAuthNone),
				Validators: []validator.String{stringvalidator.OneOf(lb.ClientAuthentications()...)},
			},
			"client_ca_tls_container_ref": certRefAttribute("The CA certificate that client certificates are checked against"),
			"client_crl_container_ref":    certRefAttribute("The revocation list of client certificates (needs `client_ca_tls_container_ref`)"),
			"connection_limit": schema.Int64Attribute{
				MarkdownDescription: "The most concurrent connections; `-1` is unlimited. Defaults to `-1`.",
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(lb.DefaultConnectionLimit),
				Validators:          []validator.Int64{int64validator.AtLeast(lb.MinConnectionLimit)},
			},
			"default_pool_id": schema.StringAttribute{
				MarkdownDescription: "The pool that gets the traffic no L7 policy takes. A pool created with this " +
					"listener's `listener_id` becomes its default pool on the server, and is then reported here " +
					"without a diff. Defaults to none.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"default_tls_container_ref": certRefAttribute("The server certificate of a `TERMINATED_HTTPS` listener"),
			"description": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("A description, at most %d characters. Defaults to `\"\"`.", lb.MaxNameLength),
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.LengthAtMost(lb.MaxNameLength)},
			},
			"id": idAttribute(kindListener),
			"insert_headers": schema.MapAttribute{
				MarkdownDescription: "Headers added to requests sent to members (HTTP and `TERMINATED_HTTPS` listeners " +
					"only; the `X-SSL-*` ones only on `TERMINATED_HTTPS`), e.g. `{ \"X-Forwarded-For\" = \"true\" }`. " +
					"Keys: " + backticked(lb.InsertHeaders()) + ". Defaults to none.",
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     emptyStringMapDefault(),
				Validators: []validator.Map{
					mapvalidator.KeysAre(stringvalidator.OneOf(lb.InsertHeaders()...)),
					mapvalidator.ValueStringsAre(stringvalidator.LengthAtMost(255)),
				},
			},
			"loadbalancer_id": schema.StringAttribute{
				MarkdownDescription: "The load balancer of the listener. Changing it replaces the listener.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
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
				MarkdownDescription: "The project that owns the listener (its load balancer's).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"protocol": schema.StringAttribute{
				MarkdownDescription: "The protocol: one of " + backticked(lb.ListenerProtocols()) +
					". Changing it replaces the listener.",
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{stringvalidator.OneOf(lb.ListenerProtocols()...)},
			},
			"protocol_port": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("The port, %d to %d; unique per transport (TCP family, UDP, SCTP) "+
					"on the load balancer. Changing it replaces the listener.", lb.MinPort, lb.MaxPort),
				Required:      true,
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
				Validators:    []validator.Int64{int64validator.Between(lb.MinPort, lb.MaxPort)},
			},
			"provisioning_status": provisioningStatusAttribute(),
			"sni_container_refs": schema.SetAttribute{
				MarkdownDescription: "More server certificates of a `TERMINATED_HTTPS` listener, chosen by SNI. Defaults to none.",
				ElementType:         types.StringType,
				Optional:            true,
				Computed:            true,
				Default:             setdefault.StaticValue(emptyStringSet()),
				Validators:          []validator.Set{setvalidator.ValueStringsAre(stringvalidator.LengthBetween(1, 255))},
			},
			"tags":                   tagsAttribute(),
			"timeout_client_data":    listenerTimeoutAttribute("Client inactivity timeout", lb.DefaultTimeoutClientData),
			"timeout_member_connect": listenerTimeoutAttribute("Member connection timeout", lb.DefaultTimeoutMemberConnect),
			"timeout_member_data":    listenerTimeoutAttribute("Member inactivity timeout", lb.DefaultTimeoutMemberData),
			"timeout_tcp_inspect": listenerTimeoutAttribute("Time to wait for more TCP packets for content inspection",
				lb.DefaultTimeoutTCPInspect),
			"timeouts": timeoutsAttribute(ctx),
			"tls_ciphers": schema.StringAttribute{
				MarkdownDescription: "The OpenSSL cipher string of a TLS-terminating listener (at most 2048 characters " +
					"of `A-Za-z0-9-+!:@=_.`). When not given, Octavia chooses (its default cipher suite for " +
					"`TERMINATED_HTTPS` listeners, and on every update), as for `alpn_protocols`.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, 2048)},
			},
			"tls_versions": schema.SetAttribute{
				MarkdownDescription: "TLS versions a TLS-terminating listener accepts: " + backticked(lb.TLSVersions()) +
					". When not given, Octavia chooses (`TLSv1.2`, `TLSv1.3` for `TERMINATED_HTTPS` listeners, and " +
					"on every update), as for `alpn_protocols`.",
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Validators:  []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(lb.TLSVersions()...))},
			},
		},
	}
}

func (r *listenerResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan listenerModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, opCreate, &resp.Diagnostics)
	defer cancel()

	want := plan.toListener(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := lb.ValidateListener(want, nil); err != nil {
		ruleCheck(&resp.Diagnostics, err, nil, nil)
		return
	}
	created, err := r.api.CreateListener(ctx, want)
	if err != nil {
		apiError(&resp.Diagnostics, "Creating", kindListener, "", err)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), created.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("loadbalancer_id"), plan.LoadBalancerID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("timeouts"), plan.Timeouts)...)
	if resp.Diagnostics.HasError() {
		return
	}
	got, err := r.api.WaitListener(ctx, octavia.ActionCreate, created.ID)
	if err != nil {
		apiError(&resp.Diagnostics, "Creating", kindListener, created.ID, err)
		return
	}
	plan.fromListener(got)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *listenerResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state listenerModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	got, err := r.api.GetListener(ctx, state.ID.ValueString())
	if isNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		apiError(&resp.Diagnostics, "Reading", kindListener, state.ID.ValueString(), err)
		return
	}
	state.fromListener(got)
	warnIfError(&resp.Diagnostics, kindListener, got.ID, got.ProvisioningStatus)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *listenerResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state listenerModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, opUpdate, &resp.Diagnostics)
	defer cancel()
	id := state.ID.ValueString()

	var got *lb.Listener
	var err error
	if !plan.updatableChanged(state) {
		got, err = r.api.GetListener(ctx, id)
		if err != nil {
			apiError(&resp.Diagnostics, "Reading", kindListener, id, err)
			return
		}
	} else {
		want := plan.toListener(ctx, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		if err := lb.ValidateListener(want, nil); err != nil {
			ruleCheck(&resp.Diagnostics, err, nil, nil)
			return
		}
		if _, err := r.api.UpdateListener(ctx, id, want); err != nil {
			apiError(&resp.Diagnostics, "Updating", kindListener, id, err)
			return
		}
		if got, err = r.api.WaitListener(ctx, octavia.ActionUpdate, id); err != nil {
			apiError(&resp.Diagnostics, "Updating", kindListener, id, err)
			return
		}
	}
	plan.fromListener(got)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *listenerResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state listenerModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireAPI(r.api, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts, opDelete, &resp.Diagnostics)
	defer cancel()
	id := state.ID.ValueString()
	if err := r.api.DeleteListener(ctx, id); err != nil {
		apiError(&resp.Diagnostics, "Deleting", kindListener, id, err)
		return
	}
	if _, err := r.api.WaitListener(ctx, octavia.ActionDelete, id); err != nil && !isNotFound(err) {
		apiError(&resp.Diagnostics, "Deleting", kindListener, id, err)
	}
}

// ImportState imports a listener by its ID.
func (r *listenerResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// ValidateConfig runs Octavia's listener rules (internal/lb) on the values
// known at plan time.
func (r *listenerResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg listenerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	li, unknown := cfg.forValidation(ctx)
	if li == nil {
		return
	}
	ruleCheck(&resp.Diagnostics, lb.ValidateListener(li, nil), unknown, nil)
}

// ModifyPlan replaces a listener found in ERROR.
func (r *listenerResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	replaceIfError(ctx, req, resp, kindListener)
}

// canonicalCIDR requires a CIDR in the form Octavia stores (the network
// address and its prefix length), so that the state matches the config.
type canonicalCIDR struct{}

func (canonicalCIDR) Description(context.Context) string {
	return "value must be a CIDR in canonical form (network address/prefix length)"
}

func (v canonicalCIDR) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (canonicalCIDR) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	p, err := netip.ParsePrefix(s)
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid CIDR",
			fmt.Sprintf("%q is not a CIDR: write it as address/prefix-length, e.g. 192.0.2.0/24.", s))
		return
	}
	if c := p.Masked().String(); c != s {
		resp.Diagnostics.AddAttributeError(req.Path, "CIDR not in canonical form",
			fmt.Sprintf("Octavia stores %q as %q: write it that way.", s, c))
	}
}

// toListener is the listener the plan asks for (unknown values are "" or
// nil: Create and Update only see known values).
func (m *listenerModel) toListener(ctx context.Context, diags *diag.Diagnostics) *lb.Listener {
	return &lb.Listener{
		Name:                    m.Name.ValueString(),
		Description:             m.Description.ValueString(),
		LoadBalancerID:          m.LoadBalancerID.ValueString(),
		Protocol:                m.Protocol.ValueString(),
		ProtocolPort:            int(m.ProtocolPort.ValueInt64()),
		ConnectionLimit:         int(m.ConnectionLimit.ValueInt64()),
		DefaultPoolID:           m.DefaultPoolID.ValueString(),
		DefaultTLSContainerRef:  m.DefaultTLSContainerRef.ValueString(),
		SNIContainerRefs:        setStrings(ctx, m.SNIContainerRefs, diags),
		ClientCATLSContainerRef: m.ClientCATLSContainerRef.ValueString(),
		ClientAuthentication:    m.ClientAuthentication.ValueString(),
		ClientCRLContainerRef:   m.ClientCRLContainerRef.ValueString(),
		InsertHeaders:           mapStrings(ctx, m.InsertHeaders, diags),
		TimeoutClientData:       int(m.TimeoutClientData.ValueInt64()),
		TimeoutMemberConnect:    int(m.TimeoutMemberConnect.ValueInt64()),
		TimeoutMemberData:       int(m.TimeoutMemberData.ValueInt64()),
		TimeoutTCPInspect:       int(m.TimeoutTCPInspect.ValueInt64()),
		AllowedCIDRs:            setStrings(ctx, m.AllowedCIDRs, diags),
		TLSCiphers:              m.TLSCiphers.ValueString(),
		TLSVersions:             setStrings(ctx, m.TLSVersions, diags),
		ALPNProtocols:           listStrings(ctx, m.ALPNProtocols, diags),
		AdminStateUp:            m.AdminStateUp.ValueBool(),
		Tags:                    setStrings(ctx, m.Tags, diags),
	}
}

// forValidation is the configured listener for plan-time validation, or nil
// when the protocol is not known (nearly every rule depends on it). Unknown
// values get stand-ins that pass the rules and are reported by attribute
// name, so that rule failures about them are dropped; values the schema's
// own validators reject are left out, so that one mistake gives one
// diagnostic.
func (m *listenerModel) forValidation(ctx context.Context) (*lb.Listener, map[string]bool) {
	protocol := m.Protocol.ValueString()
	if m.Protocol.IsUnknown() || !slices.Contains(lb.ListenerProtocols(), protocol) {
		return nil, nil
	}
	unknown := map[string]bool{}
	const standInUUID = "00000000-0000-4000-8000-000000000000"
	const standInRef = "unknown"
	str := func(v types.String, name, standIn string) string {
		if v.IsUnknown() {
			unknown[name] = true
			return standIn
		}
		return v.ValueString()
	}
	num := func(v types.Int64, name string, lo, hi, def int) int {
		if v.IsUnknown() || v.IsNull() || v.ValueInt64() < int64(lo) || v.ValueInt64() > int64(hi) {
			unknown[name] = v.IsUnknown()
			return def
		}
		return int(v.ValueInt64())
	}
	li := &lb.Listener{
		Protocol:                protocol,
		LoadBalancerID:          str(m.LoadBalancerID, "loadbalancer_id", standInUUID),
		ProtocolPort:            num(m.ProtocolPort, "protocol_port", lb.MinPort, lb.MaxPort, lb.MinPort),
		ConnectionLimit:         num(m.ConnectionLimit, "connection_limit", lb.MinConnectionLimit, math.MaxInt32, lb.DefaultConnectionLimit),
		DefaultPoolID:           str(m.DefaultPoolID, "default_pool_id", standInUUID),
		DefaultTLSContainerRef:  str(m.DefaultTLSContainerRef, "default_tls_container_ref", standInRef),
		ClientCATLSContainerRef: str(m.ClientCATLSContainerRef, "client_ca_tls_container_ref", standInRef),
		ClientCRLContainerRef:   str(m.ClientCRLContainerRef, "client_crl_container_ref", standInRef),
		TimeoutClientData:       num(m.TimeoutClientData, "timeout_client_data", lb.MinTimeoutMS, lb.MaxTimeoutMS, lb.DefaultTimeoutClientData),
		TimeoutMemberConnect:    num(m.TimeoutMemberConnect, "timeout_member_connect", lb.MinTimeoutMS, lb.MaxTimeoutMS, lb.DefaultTimeoutMemberConnect),
		TimeoutMemberData:       num(m.TimeoutMemberData, "timeout_member_data", lb.MinTimeoutMS, lb.MaxTimeoutMS, lb.DefaultTimeoutMemberData),
		TimeoutTCPInspect:       num(m.TimeoutTCPInspect, "timeout_tcp_inspect", lb.MinTimeoutMS, lb.MaxTimeoutMS, lb.DefaultTimeoutTCPInspect),
		TLSCiphers:              str(m.TLSCiphers, "tls_ciphers", ""),
		AdminStateUp:            true,
	}
	if a := m.ClientAuthentication.ValueString(); slices.Contains(lb.ClientAuthentications(), a) {
		li.ClientAuthentication = a
	}
	if m.ClientAuthentication.IsUnknown() {
		unknown["client_authentication"] = true
	}
	if len(li.TLSCiphers) > 2048 {
		li.TLSCiphers = ""
	}
	// Collections: unknown (or with unknown elements) → a stand-in or unset.
	if refs, ok := knownElements(ctx, m.SNIContainerRefs); ok {
		li.SNIContainerRefs = refs
	} else {
		unknown["sni_container_refs"] = true
		li.SNIContainerRefs = []string{standInRef}
	}
	if cidrs, ok := knownElements(ctx, m.AllowedCIDRs); ok {
		for _, c := range cidrs {
			if lb.CheckCIDR(c) == nil {
				li.AllowedCIDRs = append(li.AllowedCIDRs, c)
			}
		}
	} else {
		unknown["allowed_cidrs"] = true
	}
	if versions, ok := knownElements(ctx, m.TLSVersions); ok && allIn(versions, lb.TLSVersions()) {
		li.TLSVersions = versions
	} else if !ok {
		unknown["tls_versions"] = true
	}
	if protocols, ok := knownElements(ctx, m.ALPNProtocols); ok && allIn(protocols, lb.ALPNProtocols()) {
		li.ALPNProtocols = protocols
	} else if !ok {
		unknown["alpn_protocols"] = true
	}
	if m.InsertHeaders.IsUnknown() {
		unknown["insert_headers"] = true
	} else {
		headers := map[string]string{}
		for k, v := range m.InsertHeaders.Elements() {
			s, ok := v.(types.String)
			if !ok || s.IsUnknown() {
				unknown["insert_headers"] = true
				continue
			}
			if slices.Contains(lb.InsertHeaders(), k) && len(s.ValueString()) <= 255 {
				headers[k] = s.ValueString()
			}
		}
		li.InsertHeaders = headers
	}
	return li, unknown
}

// knownElements reads a set or list of strings whose value and elements are
// all known; null is nil, true.
func knownElements(_ context.Context, v interface {
	IsNull() bool
	IsUnknown() bool
	Elements() []attr.Value
},
) ([]string, bool) {
	if v.IsUnknown() {
		return nil, false
	}
	if v.IsNull() {
		return nil, true
	}
	out := make([]string, 0, len(v.Elements()))
	for _, e := range v.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() {
			return nil, false
		}
		out = append(out, s.ValueString())
	}
	return out, true
}

// allIn tells whether every value is one of allowed.
func allIn(values, allowed []string) bool {
	for _, v := range values {
		if !slices.Contains(allowed, v) {
			return false
		}
	}
	return true
}

// updatableChanged tells whether a field Octavia can update differs between
// the plan and the state (the immutable ones replace the listener).
func (m *listenerModel) updatableChanged(state listenerModel) bool {
	pairs := [][2]attr.Value{
		{m.AdminStateUp, state.AdminStateUp}, {m.AllowedCIDRs, state.AllowedCIDRs},
		{m.ALPNProtocols, state.ALPNProtocols}, {m.ClientAuthentication, state.ClientAuthentication},
		{m.ClientCATLSContainerRef, state.ClientCATLSContainerRef},
		{m.ClientCRLContainerRef, state.ClientCRLContainerRef}, {m.ConnectionLimit, state.ConnectionLimit},
		{m.DefaultPoolID, state.DefaultPoolID}, {m.DefaultTLSContainerRef, state.DefaultTLSContainerRef},
		{m.Description, state.Description}, {m.InsertHeaders, state.InsertHeaders}, {m.Name, state.Name},
		{m.SNIContainerRefs, state.SNIContainerRefs}, {m.Tags, state.Tags},
		{m.TimeoutClientData, state.TimeoutClientData}, {m.TimeoutMemberConnect, state.TimeoutMemberConnect},
		{m.TimeoutMemberData, state.TimeoutMemberData}, {m.TimeoutTCPInspect, state.TimeoutTCPInspect},
		{m.TLSCiphers, state.TLSCiphers}, {m.TLSVersions, state.TLSVersions},
	}
	for _, p := range pairs {
		if !p[0].Equal(p[1]) {
			return true
		}
	}
	return false
}

// fromListener sets every attribute Octavia reports (not timeouts).
func (m *listenerModel) fromListener(li *lb.Listener) {
	m.ID = types.StringValue(li.ID)
	m.Name = types.StringValue(li.Name)
	m.Description = types.StringValue(li.Description)
	m.LoadBalancerID = types.StringValue(li.LoadBalancerID)
	m.ProjectID = optionalString(li.ProjectID)
	m.Protocol = types.StringValue(li.Protocol)
	m.ProtocolPort = types.Int64Value(int64(li.ProtocolPort))
	m.ConnectionLimit = types.Int64Value(int64(li.ConnectionLimit))
	m.DefaultPoolID = optionalString(li.DefaultPoolID)
	m.DefaultTLSContainerRef = optionalString(li.DefaultTLSContainerRef)
	m.SNIContainerRefs = stringSet(li.SNIContainerRefs)
	m.ClientCATLSContainerRef = optionalString(li.ClientCATLSContainerRef)
	auth := li.ClientAuthentication
	if auth == "" {
		auth = lb.ClientAuthNone
	}
	m.ClientAuthentication = types.StringValue(auth)
	m.ClientCRLContainerRef = optionalString(li.ClientCRLContainerRef)
	m.InsertHeaders = stringMap(li.InsertHeaders)
	m.TimeoutClientData = types.Int64Value(int64(li.TimeoutClientData))
	m.TimeoutMemberConnect = types.Int64Value(int64(li.TimeoutMemberConnect))
	m.TimeoutMemberData = types.Int64Value(int64(li.TimeoutMemberData))
	m.TimeoutTCPInspect = types.Int64Value(int64(li.TimeoutTCPInspect))
	m.AllowedCIDRs = stringSet(li.AllowedCIDRs)
	m.TLSCiphers = optionalString(li.TLSCiphers)
	m.TLSVersions = nullableStringSet(li.TLSVersions)
	m.ALPNProtocols = stringList(li.ALPNProtocols)
	m.AdminStateUp = types.BoolValue(li.AdminStateUp)
	m.Tags = stringSet(li.Tags)
	m.ProvisioningStatus = types.StringValue(li.ProvisioningStatus)
	m.OperatingStatus = types.StringValue(li.OperatingStatus)
}
