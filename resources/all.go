package resources

import "github.com/hashicorp/terraform-plugin-framework/resource"

// All lists the provider's resources.
func All() []func() resource.Resource {
	return []func() resource.Resource{
		NewLoadBalancer,
		NewListener,
		NewPool,
		NewMember,
		NewMembers,
		NewMonitor,
		NewL7Policy,
		NewL7Rule,
		// Each resource adds its constructor here (one line, keep the order).
	}
}
