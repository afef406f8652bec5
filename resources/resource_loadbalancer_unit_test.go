package resources

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/octavia"
)

// Unit tests of the ERROR → replace rule and of Read's handling of ERROR and
// 404, with a double below octavia.API: lbaasd never leaves an object in
// ERROR on request, so the acceptance suite cannot provoke it cheaply.

// fakeAPI answers the reads of one load balancer and one listener; every
// other method is the nil interface's (a call panics: the code under test
// must not make it).
type fakeAPI struct {
	octavia.API
	lbs       map[string]*lb.LoadBalancer
	listeners map[string]*lb.Listener
}

func (f *fakeAPI) GetLoadBalancer(_ context.Context, id string) (*lb.LoadBalancer, error) {
	if l, ok := f.lbs[id]; ok {
		return l, nil
	}
	return nil, fmt.Errorf("load balancer %s: %w", id, octavia.ErrNotFound)
}

func (f *fakeAPI) GetListener(_ context.Context, id string) (*lb.Listener, error) {
	if l, ok := f.listeners[id]; ok {
		return l, nil
	}
	return nil, fmt.Errorf("listener %s: %w", id, octavia.ErrNotFound)
}

const (
	unitLBID       = "5d1e1a4c-0a8b-4c39-9d61-6c9a3e0c2b11"
	unitListenerID = "7b0f6b1e-3f2e-4e0c-a3a8-1f2d3c4b5a69"
	unitSubnetID   = "0b6e5bb0-24f5-4e2f-8b86-9a0f1e1f3a10"
)

func unitLB(status string) *lb.LoadBalancer {
	return &lb.LoadBalancer{
		ID: unitLBID, Name: "web", AdminStateUp: true, VIPAddress: "192.0.2.10", VIPSubnetID: unitSubnetID,
		Provider: "amphora", ProjectID: "p1", ProvisioningStatus: status, OperatingStatus: lb.OperatingOnline,
	}
}

func unitListener(status string) *lb.Listener {
	return &lb.Listener{
		ID: unitListenerID, LoadBalancerID: unitLBID, Protocol: lb.ProtocolHTTP, ProtocolPort: 80,
		ConnectionLimit: -1, ClientAuthentication: lb.ClientAuthNone, TimeoutClientData: lb.DefaultTimeoutClientData,
		TimeoutMemberConnect: lb.DefaultTimeoutMemberConnect, TimeoutMemberData: lb.DefaultTimeoutMemberData,
		AdminStateUp: true, ProvisioningStatus: status, OperatingStatus: lb.OperatingOnline,
	}
}

// unitCase is one resource under test: how to build it and its state for
// an object in a given provisioning status.
type unitCase struct {
	name     string
	kind     string
	resource func(api octavia.API) resource.Resource
	model    func(status string, timeouts timeouts.Value) any
}

func unitCases() []unitCase {
	return []unitCase{
		{
			name: "loadbalancer", kind: kindLoadBalancer,
			resource: func(api octavia.API) resource.Resource { return &loadBalancerResource{base{api: api}} },
			model: func(status string, t timeouts.Value) any {
				m := &loadBalancerModel{CascadeDelete: types.BoolValue(false), Timeouts: t}
				m.fromLB(unitLB(status))
				return m
			},
		},
		{
			name: "listener", kind: kindListener,
			resource: func(api octavia.API) resource.Resource { return &listenerResource{base{api: api}} },
			model: func(status string, t timeouts.Value) any {
				m := &listenerModel{Timeouts: t}
				m.fromListener(unitListener(status))
				return m
			},
		},
	}
}

func unitSchema(t *testing.T, r resource.Resource) resource.SchemaResponse {
	t.Helper()
	var resp resource.SchemaResponse
	r.Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", resp.Diagnostics)
	}
	return resp
}

// unitState is the state (or plan) of the case's object in status.
func unitState(t *testing.T, r resource.Resource, c unitCase, status string) tfsdk.State {
	t.Helper()
	ctx := context.Background()
	sch := unitSchema(t, r).Schema
	tt, ok := sch.Attributes["timeouts"].GetType().(timeouts.Type)
	if !ok {
		t.Fatalf("timeouts type is %T", sch.Attributes["timeouts"].GetType())
	}
	st := tfsdk.State{Schema: sch, Raw: tftypes.NewValue(sch.Type().TerraformType(ctx), nil)}
	if d := st.Set(ctx, c.model(status, timeouts.Value{Object: types.ObjectNull(tt.AttrTypes)})); d.HasError() {
		t.Fatalf("state: %v", d)
	}
	return st
}

func warnings(d diag.Diagnostics) []string {
	var out []string
	for _, w := range d.Warnings() {
		out = append(out, w.Summary())
	}
	return out
}

func TestReadKeepsObjectInErrorWithWarning(t *testing.T) {
	t.Parallel()
	for _, c := range unitCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			api := &fakeAPI{
				lbs:       map[string]*lb.LoadBalancer{unitLBID: unitLB(lb.StatusError)},
				listeners: map[string]*lb.Listener{unitListenerID: unitListener(lb.StatusError)},
			}
			r := c.resource(api)
			st := unitState(t, r, c, lb.StatusActive)
			resp := resource.ReadResponse{State: st}
			r.Read(ctx, resource.ReadRequest{State: st}, &resp)
			if resp.Diagnostics.HasError() {
				t.Fatalf("Read: %v", resp.Diagnostics)
			}
			if resp.State.Raw.IsNull() {
				t.Fatal("Read removed an object in ERROR from state; want it kept (and replaced by the plan)")
			}
			var status types.String
			resp.State.GetAttribute(ctx, path.Root("provisioning_status"), &status)
			if status.ValueString() != lb.StatusError {
				t.Errorf("provisioning_status = %s, want ERROR", status)
			}
			w := warnings(resp.Diagnostics)
			if len(w) != 1 || w[0] != fmt.Sprintf("The %s %s is in ERROR", c.kind, idOf(c)) {
				t.Errorf("warnings = %q, want one that names the %s in ERROR", w, c.kind)
			}
		})
	}
}

func idOf(c unitCase) string {
	if c.kind == kindListener {
		return unitListenerID
	}
	return unitLBID
}

func TestReadRemovesObjectThatIsGone(t *testing.T) {
	t.Parallel()
	for _, c := range unitCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := c.resource(&fakeAPI{})
			st := unitState(t, r, c, lb.StatusActive)
			resp := resource.ReadResponse{State: st}
			r.Read(context.Background(), resource.ReadRequest{State: st}, &resp)
			if resp.Diagnostics.HasError() {
				t.Fatalf("Read: %v", resp.Diagnostics)
			}
			if !resp.State.Raw.IsNull() {
				t.Fatal("Read kept an object that is gone (404); want it removed from state")
			}
		})
	}
}

func TestModifyPlanReplacesObjectInError(t *testing.T) {
	t.Parallel()
	for _, c := range unitCases() {
		for _, tc := range []struct {
			status  string
			replace bool
		}{
			{lb.StatusError, true},
			{lb.StatusActive, false},
			{lb.StatusPendingUpdate, false},
		} {
			t.Run(c.name+"/"+tc.status, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				r := c.resource(&fakeAPI{})
				st := unitState(t, r, c, tc.status)
				plan := tfsdk.Plan{Schema: st.Schema, Raw: st.Raw.Copy()}
				req := resource.ModifyPlanRequest{State: st, Plan: plan, Config: tfsdk.Config{Schema: st.Schema, Raw: st.Raw.Copy()}}
				resp := resource.ModifyPlanResponse{Plan: plan}
				r.(resource.ResourceWithModifyPlan).ModifyPlan(ctx, req, &resp)
				if resp.Diagnostics.HasError() {
					t.Fatalf("ModifyPlan: %v", resp.Diagnostics)
				}
				var planned types.String
				resp.Plan.GetAttribute(ctx, path.Root("provisioning_status"), &planned)
				if !tc.replace {
					if len(resp.RequiresReplace) != 0 || len(resp.Diagnostics) != 0 || planned.ValueString() != tc.status {
						t.Errorf("status %s: RequiresReplace %v, diagnostics %v, planned %s; want no change",
							tc.status, resp.RequiresReplace, resp.Diagnostics, planned)
					}
					return
				}
				if !resp.RequiresReplace.Contains(path.Root("provisioning_status")) {
					t.Errorf("RequiresReplace = %v, want provisioning_status", resp.RequiresReplace)
				}
				if !planned.IsUnknown() {
					t.Errorf("planned provisioning_status = %s, want unknown (Terraform replaces only on a change)", planned)
				}
				if w := warnings(resp.Diagnostics); len(w) != 1 {
					t.Errorf("warnings = %q, want one", w)
				}
			})
		}
	}
}

func TestModifyPlanLeavesCreateAndDestroyAlone(t *testing.T) {
	t.Parallel()
	for _, c := range unitCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			r := c.resource(&fakeAPI{})
			st := unitState(t, r, c, lb.StatusError)
			null := tftypes.NewValue(st.Schema.Type().TerraformType(ctx), nil)
			// Destroy: no plan.
			resp := resource.ModifyPlanResponse{Plan: tfsdk.Plan{Schema: st.Schema, Raw: null}}
			r.(resource.ResourceWithModifyPlan).ModifyPlan(ctx, resource.ModifyPlanRequest{
				State: st, Plan: tfsdk.Plan{Schema: st.Schema, Raw: null}, Config: tfsdk.Config{Schema: st.Schema, Raw: null},
			}, &resp)
			if len(resp.RequiresReplace) != 0 || len(resp.Diagnostics) != 0 {
				t.Errorf("destroy: RequiresReplace %v, diagnostics %v", resp.RequiresReplace, resp.Diagnostics)
			}
		})
	}
}
