// Package datasources holds the provider's lbaas_* data sources: one file per
// data source, its acceptance test beside it.
package datasources

import "github.com/hashicorp/terraform-plugin-framework/datasource"

// All lists the provider's data sources.
func All() []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewLoadBalancer, NewLoadBalancers, NewListener, NewListeners,
		NewL7Policy, NewL7Policies, NewL7Rule, NewL7Rules, NewLoadBalancerStatus,
		NewPool, NewPools, NewMember, NewMembers, NewMonitor, NewMonitors,
		// Each data source adds its constructor here (one line, keep the order).
	}
}
