package datasources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

var (
	_ datasource.DataSourceWithConfigure        = &loadBalancerDataSource{}
	_ datasource.DataSourceWithConfigValidators = &loadBalancerDataSource{}
)

// NewLoadBalancer is the lbaas_loadbalancer data source.
func NewLoadBalancer() datasource.DataSource { return &loadBalancerDataSource{} }

type loadBalancerDataSource struct {
	base
}

// loadBalancerData is a load balancer as data sources report it (the
// lbaas_loadbalancer data source, and each element of lbaas_loadbalancers).
type loadBalancerData struct {
	AdditionalVIPs       types.List   `tfsdk:"additional_vips"`
	AdminStateUp         types.Bool   `tfsdk:"admin_state_up"`
	AvailabilityZone     types.String `tfsdk:"availability_zone"`
	Description          types.String `tfsdk:"description"`
	FlavorID             types.String `tfsdk:"flavor_id"`
	ID                   types.String `tfsdk:"id"`
	ListenerIDs          types.List   `tfsdk:"listener_ids"`
	LoadBalancerProvider types.String `tfsdk:"loadbalancer_provider"`
	Name                 types.String `tfsdk:"name"`
	OperatingStatus      types.String `tfsdk:"operating_status"`
	PoolIDs              types.List   `tfsdk:"pool_ids"`
	ProjectID            types.String `tfsdk:"project_id"`
	ProvisioningStatus   types.String `tfsdk:"provisioning_status"`
	Tags                 types.Set    `tfsdk:"tags"`
	VIPAddress           types.String `tfsdk:"vip_address"`
	VIPNetworkID         types.String `tfsdk:"vip_network_id"`
	VIPPortID            types.String `tfsdk:"vip_port_id"`
	VIPQoSPolicyID       types.String `tfsdk:"vip_qos_policy_id"`
	VIPSubnetID          types.String `tfsdk:"vip_subnet_id"`
}

func additionalVIPAttrTypes() map[string]attr.Type {
	return map[string]attr.Type{"ip_address": types.StringType, "subnet_id": types.StringType}
}

// loadBalancerAttributes are the attributes of loadBalancerData, all
// computed.
func loadBalancerAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"additional_vips": schema.ListNestedAttribute{
			MarkdownDescription: "The VIP addresses on other subnets.",
			Computed:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"ip_address": computedString("The address."),
				"subnet_id":  computedString("The subnet's ID."),
			}},
		},
		"admin_state_up":        computedBool("Whether the load balancer serves traffic."),
		"availability_zone":     computedString("The Octavia availability zone, if any."),
		"description":           computedString("The description."),
		"flavor_id":             computedString("The Octavia flavor's ID, if any."),
		"id":                    computedString("The load balancer's ID."),
		"listener_ids":          computedStringList("The IDs of its listeners (Octavia's `listeners`)."),
		"loadbalancer_provider": computedString("Octavia's `provider` field: the provider driver."),
		"name":                  computedString("The name."),
		"operating_status":      computedString(operatingStatusText),
		"pool_ids":              computedStringList("The IDs of its pools (Octavia's `pools`)."),
		"project_id":            computedString("The project that owns it."),
		"provisioning_status":   computedString(provisioningStatusText),
		"tags":                  computedStringSet("Its tags."),
		"vip_address":           computedString("The VIP address."),
		"vip_network_id":        computedString("The VIP's network."),
		"vip_port_id":           computedString("The VIP's Neutron port."),
		"vip_qos_policy_id":     computedString("The QoS policy of the VIP port, if any."),
		"vip_subnet_id":         computedString("The VIP's subnet."),
	}
}

// loadBalancerFilters are the arguments of the lbaas_loadbalancer lookup.
var loadBalancerFilters = []string{"id", "name", "project_id", "tags", "vip_address", "vip_network_id", "vip_subnet_id"}

func (d *loadBalancerDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_loadbalancer"
}

func (d *loadBalancerDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := loadBalancerAttributes()
	attrs["id"] = asFilter(attrs["id"], "Give it to read that load balancer, or give other arguments to look it up.")
	for _, f := range loadBalancerFilters[1:] {
		what := "Looks the load balancer up by it (exact match)."
		if f == "tags" {
			what = "As an argument: the load balancer must have all of these tags (and they are what is reported)."
		}
		attrs[f] = asFilter(attrs[f], what)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "One Octavia load balancer: by `id`, or looked up by `name` and other arguments, " +
			"which must match exactly one load balancer.",
		Attributes: attrs,
	}
}

// ConfigValidators: an id, or at least one lookup argument, not both.
func (d *loadBalancerDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return idOrFilters(loadBalancerFilters)
}

func (d *loadBalancerDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg loadBalancerData
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !d.ready(&resp.Diagnostics) {
		return
	}
	var found *lb.LoadBalancer
	if isSet(cfg.ID) {
		l, err := d.api.GetLoadBalancer(ctx, cfg.ID.ValueString())
		if err != nil {
			resp.Diagnostics.AddError("Reading load balancer "+cfg.ID.ValueString(), err.Error())
			return
		}
		found = l
	} else {
		f := newFilterSet()
		f.str("name", cfg.Name)
		f.str("project_id", cfg.ProjectID)
		f.str("vip_address", cfg.VIPAddress)
		f.str("vip_network_id", cfg.VIPNetworkID)
		f.str("vip_subnet_id", cfg.VIPSubnetID)
		f.tags(ctx, cfg.Tags, &resp.Diagnostics)
		all, err := d.api.ListLoadBalancers(ctx, f.f)
		if err != nil {
			resp.Diagnostics.AddError("Listing load balancers", err.Error())
			return
		}
		if !exactlyOne(&resp.Diagnostics, "load balancer", len(all), f.describe()) {
			return
		}
		found = all[0]
	}
	out := loadBalancerDataFrom(found)
	if isSet(cfg.Tags) {
		out.Tags = cfg.Tags
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &out)...)
}

// loadBalancerDataFrom converts a load balancer.
func loadBalancerDataFrom(l *lb.LoadBalancer) loadBalancerData {
	vips := make([]attr.Value, 0, len(l.AdditionalVIPs))
	for _, v := range l.AdditionalVIPs {
		vips = append(vips, types.ObjectValueMust(additionalVIPAttrTypes(), map[string]attr.Value{
			"ip_address": optionalString(v.IPAddress), "subnet_id": types.StringValue(v.SubnetID),
		}))
	}
	return loadBalancerData{
		AdditionalVIPs:       types.ListValueMust(types.ObjectType{AttrTypes: additionalVIPAttrTypes()}, vips),
		AdminStateUp:         types.BoolValue(l.AdminStateUp),
		AvailabilityZone:     optionalString(l.AvailabilityZone),
		Description:          types.StringValue(l.Description),
		FlavorID:             optionalString(l.FlavorID),
		ID:                   types.StringValue(l.ID),
		ListenerIDs:          idList(l.Listeners, func(x *lb.Listener) string { return x.ID }),
		LoadBalancerProvider: optionalString(l.Provider),
		Name:                 types.StringValue(l.Name),
		OperatingStatus:      types.StringValue(l.OperatingStatus),
		PoolIDs:              idList(l.Pools, func(x *lb.Pool) string { return x.ID }),
		ProjectID:            optionalString(l.ProjectID),
		ProvisioningStatus:   types.StringValue(l.ProvisioningStatus),
		Tags:                 stringSet(l.Tags),
		VIPAddress:           optionalString(l.VIPAddress),
		VIPNetworkID:         optionalString(l.VIPNetworkID),
		VIPPortID:            optionalString(l.VIPPortID),
		VIPQoSPolicyID:       optionalString(l.VIPQoSPolicyID),
		VIPSubnetID:          optionalString(l.VIPSubnetID),
	}
}
