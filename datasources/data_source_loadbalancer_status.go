package datasources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lbaas/terraform-provider-lbaas/internal/octavia"
)

var _ datasource.DataSourceWithConfigure = &loadBalancerStatusDataSource{}

// NewLoadBalancerStatus is the lbaas_loadbalancer_status data source.
func NewLoadBalancerStatus() datasource.DataSource { return &loadBalancerStatusDataSource{} }

type loadBalancerStatusDataSource struct {
	base
}

// loadBalancerStatusModel is Octavia's status tree of a load balancer
// (GET /v2/lbaas/loadbalancers/{id}/status), plus a flat list of its
// members.
type loadBalancerStatusModel struct {
	ID                 types.String     `tfsdk:"id"`
	Listeners          []listenerStatus `tfsdk:"listeners"`
	LoadBalancerID     types.String     `tfsdk:"loadbalancer_id"`
	Members            []memberStatus   `tfsdk:"members"`
	Name               types.String     `tfsdk:"name"`
	OperatingStatus    types.String     `tfsdk:"operating_status"`
	ProvisioningStatus types.String     `tfsdk:"provisioning_status"`
}

type listenerStatus struct {
	ID                 types.String `tfsdk:"id"`
	Name               types.String `tfsdk:"name"`
	OperatingStatus    types.String `tfsdk:"operating_status"`
	Pools              []poolStatus `tfsdk:"pools"`
	ProvisioningStatus types.String `tfsdk:"provisioning_status"`
}

type poolStatus struct {
	HealthMonitor      *healthMonitorStatus `tfsdk:"health_monitor"`
	ID                 types.String         `tfsdk:"id"`
	Members            []poolMemberStatus   `tfsdk:"members"`
	Name               types.String         `tfsdk:"name"`
	OperatingStatus    types.String         `tfsdk:"operating_status"`
	ProvisioningStatus types.String         `tfsdk:"provisioning_status"`
}

type healthMonitorStatus struct {
	ID                 types.String `tfsdk:"id"`
	Name               types.String `tfsdk:"name"`
	OperatingStatus    types.String `tfsdk:"operating_status"`
	ProvisioningStatus types.String `tfsdk:"provisioning_status"`
	Type               types.String `tfsdk:"type"`
}

type poolMemberStatus struct {
	Address            types.String `tfsdk:"address"`
	ID                 types.String `tfsdk:"id"`
	Name               types.String `tfsdk:"name"`
	OperatingStatus    types.String `tfsdk:"operating_status"`
	ProtocolPort       types.Int64  `tfsdk:"protocol_port"`
	ProvisioningStatus types.String `tfsdk:"provisioning_status"`
}

// memberStatus is a member of the flat list: a pool member with its pool.
type memberStatus struct {
	Address            types.String `tfsdk:"address"`
	ID                 types.String `tfsdk:"id"`
	Name               types.String `tfsdk:"name"`
	OperatingStatus    types.String `tfsdk:"operating_status"`
	PoolID             types.String `tfsdk:"pool_id"`
	ProtocolPort       types.Int64  `tfsdk:"protocol_port"`
	ProvisioningStatus types.String `tfsdk:"provisioning_status"`
}

func (d *loadBalancerStatusDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_loadbalancer_status"
}

func (d *loadBalancerStatusDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	memberAttrs := func(withPool bool) map[string]schema.Attribute {
		a := map[string]schema.Attribute{
			"address":             computedString("The member's IP address."),
			"id":                  computedString("The member's ID."),
			"name":                computedString("The member's name (`\"\"` when unnamed)."),
			"operating_status":    computedString("The member's health: " + operatingStatusText),
			"protocol_port":       computedInt("The member's port."),
			"provisioning_status": computedString(provisioningStatusText),
		}
		if withPool {
			a["pool_id"] = computedString("The member's pool.")
		}
		return a
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The status tree of a load balancer as Octavia reports it (`GET /v2/lbaas/loadbalancers/{id}/status`): " +
			"the load balancer, its listeners, each listener's pools with their health monitor and members, every " +
			"node with its `operating_status` and `provisioning_status`; plus `members`, every member once, for " +
			"`check` blocks and conditions that assert member health. Pools that no listener uses are not in " +
			"Octavia's tree. Statuses are read when the data source is read: in a `check` block, on every plan and apply.",
		Attributes: map[string]schema.Attribute{
			"id": computedString("The load balancer's ID (the same as `loadbalancer_id`)."),
			"listeners": schema.ListNestedAttribute{
				MarkdownDescription: "The load balancer's listeners.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":               computedString("The listener's ID."),
					"name":             computedString("The listener's name (`\"\"` when unnamed)."),
					"operating_status": computedString(operatingStatusText),
					"pools": schema.ListNestedAttribute{
						MarkdownDescription: "The pools the listener uses (its default pool and the pools its L7 policies redirect to).",
						Computed:            true,
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"health_monitor": schema.SingleNestedAttribute{
								MarkdownDescription: "The pool's health monitor; null when it has none.",
								Computed:            true,
								Attributes: map[string]schema.Attribute{
									"id":                  computedString("The health monitor's ID."),
									"name":                computedString("The health monitor's name (`\"\"` when unnamed)."),
									"operating_status":    computedString(operatingStatusText),
									"provisioning_status": computedString(provisioningStatusText),
									"type":                computedString("The health monitor's type."),
								},
							},
							"id": computedString("The pool's ID."),
							"members": schema.ListNestedAttribute{
								MarkdownDescription: "The pool's members.",
								Computed:            true,
								NestedObject:        schema.NestedAttributeObject{Attributes: memberAttrs(false)},
							},
							"name":                computedString("The pool's name (`\"\"` when unnamed)."),
							"operating_status":    computedString(operatingStatusText),
							"provisioning_status": computedString(provisioningStatusText),
						}},
					},
					"provisioning_status": computedString(provisioningStatusText),
				}},
			},
			"loadbalancer_id": schema.StringAttribute{
				MarkdownDescription: "The load balancer whose status is read.",
				Required:            true,
			},
			"members": schema.ListNestedAttribute{
				MarkdownDescription: "Every member of the tree once (a pool used by several listeners appears under each), " +
					"in tree order, with its pool: `alltrue([for m in data.lbaas_loadbalancer_status.x.members : " +
					"m.operating_status == \"ONLINE\"])` asserts that all members are healthy.",
				Computed:     true,
				NestedObject: schema.NestedAttributeObject{Attributes: memberAttrs(true)},
			},
			"name":                computedString("The load balancer's name (`\"\"` when unnamed)."),
			"operating_status":    computedString("The load balancer's " + operatingStatusText),
			"provisioning_status": computedString("The load balancer's " + provisioningStatusText),
		},
	}
}

func (d *loadBalancerStatusDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var id types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("loadbalancer_id"), &id)...)
	if resp.Diagnostics.HasError() || !d.ready(&resp.Diagnostics) {
		return
	}
	tree, err := d.api.LoadBalancerStatus(ctx, id.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Reading the status of load balancer "+id.ValueString(), err.Error())
		return
	}
	out := loadBalancerStatusFrom(id.ValueString(), tree)
	resp.Diagnostics.Append(resp.State.Set(ctx, &out)...)
}

// loadBalancerStatusFrom converts Octavia's status tree.
func loadBalancerStatusFrom(id string, tree *octavia.StatusTree) loadBalancerStatusModel {
	root := tree.LoadBalancer
	out := loadBalancerStatusModel{
		ID:                 types.StringValue(id),
		LoadBalancerID:     types.StringValue(id),
		Name:               types.StringValue(root.Name),
		OperatingStatus:    types.StringValue(root.OperatingStatus),
		ProvisioningStatus: types.StringValue(root.ProvisioningStatus),
		Listeners:          make([]listenerStatus, 0, len(root.Listeners)),
		Members:            []memberStatus{},
	}
	seen := map[string]bool{}
	for _, li := range root.Listeners {
		ls := listenerStatus{
			ID:                 types.StringValue(li.ID),
			Name:               types.StringValue(li.Name),
			OperatingStatus:    types.StringValue(li.OperatingStatus),
			ProvisioningStatus: types.StringValue(li.ProvisioningStatus),
			Pools:              make([]poolStatus, 0, len(li.Pools)),
		}
		for _, p := range li.Pools {
			ps := poolStatus{
				ID:                 types.StringValue(p.ID),
				Name:               types.StringValue(p.Name),
				OperatingStatus:    types.StringValue(p.OperatingStatus),
				ProvisioningStatus: types.StringValue(p.ProvisioningStatus),
				Members:            make([]poolMemberStatus, 0, len(p.Members)),
			}
			if hm := p.HealthMonitor; hm != nil {
				ps.HealthMonitor = &healthMonitorStatus{
					ID:                 types.StringValue(hm.ID),
					Name:               types.StringValue(hm.Name),
					OperatingStatus:    types.StringValue(hm.OperatingStatus),
					ProvisioningStatus: types.StringValue(hm.ProvisioningStatus),
					Type:               types.StringValue(hm.Type),
				}
			}
			for _, m := range p.Members {
				ps.Members = append(ps.Members, poolMemberStatus{
					Address:            types.StringValue(m.Address),
					ID:                 types.StringValue(m.ID),
					Name:               types.StringValue(m.Name),
					OperatingStatus:    types.StringValue(m.OperatingStatus),
					ProtocolPort:       types.Int64Value(int64(m.ProtocolPort)),
					ProvisioningStatus: types.StringValue(m.ProvisioningStatus),
				})
				if seen[m.ID] {
					continue
				}
				seen[m.ID] = true
				out.Members = append(out.Members, memberStatus{
					Address:            types.StringValue(m.Address),
					ID:                 types.StringValue(m.ID),
					Name:               types.StringValue(m.Name),
					OperatingStatus:    types.StringValue(m.OperatingStatus),
					PoolID:             types.StringValue(p.ID),
					ProtocolPort:       types.Int64Value(int64(m.ProtocolPort)),
					ProvisioningStatus: types.StringValue(m.ProvisioningStatus),
				})
			}
			ls.Pools = append(ls.Pools, ps)
		}
		out.Listeners = append(out.Listeners, ls)
	}
	return out
}
