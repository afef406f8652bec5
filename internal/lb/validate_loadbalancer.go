package lb

// ValidateLoadBalancer checks the load balancer's own fields (not its
// children) as Octavia's LoadBalancerPOST type and the VIP checks of
// LoadBalancersController.post do ([PO] api/v2/types/load_balancer.py,
// api/v2/controllers/load_balancer.py): name/description ≤255, VIP address
// and UUID formats, additional_vips (subnet_id mandatory, UUID; ip_address
// IP), project_id ≤36, provider ≤64, tags, flavor_id, availability_zone,
// topology, then "one of vip_port_id/vip_network_id/vip_subnet_id" and
// unique VIP subnets. Checks needing Neutron (port, subnet and network
// existence, same network) are the API server's.
func ValidateLoadBalancer(l *LoadBalancer) error {
	if l == nil {
		return nil
	}
	return errOrNil(validateLoadBalancer(l))
}

func validateLoadBalancer(l *LoadBalancer) *Error {
	return first(
		func() *Error { return checkName(l.Name) },
		func() *Error { return checkDescription(l.Description) },
		func() *Error { return checkIP("vip_address", l.VIPAddress) },
		func() *Error { return checkUUID("vip_port_id", l.VIPPortID) },
		func() *Error { return checkUUID("vip_subnet_id", l.VIPSubnetID) },
		func() *Error { return checkUUID("vip_network_id", l.VIPNetworkID) },
		func() *Error { return checkUUID("vip_qos_policy_id", l.VIPQoSPolicyID) },
		func() *Error { return checkAdditionalVIPs(l.AdditionalVIPs) },
		func() *Error { return checkProjectID(l.ProjectID) },
		func() *Error { return checkMaxLen("provider", l.Provider, maxProviderLength) },
		func() *Error { return checkTags(l.Tags) },
		func() *Error { return checkUUID("flavor_id", l.FlavorID) },
		func() *Error { return checkMaxLen("availability_zone", l.AvailabilityZone, maxAZLength) },
		// topology is not an API field (flavors and configuration set it);
		// the message is wsme's enum answer.
		func() *Error {
			return checkEnum("topology", l.Topology, []string{TopologyActiveStandby, TopologySingle})
		},
		func() *Error {
			// VIPValidationException, with every VIP object allowed
			// ([networking] allow_vip_* default True).
			if l.VIPPortID == "" && l.VIPNetworkID == "" && l.VIPSubnetID == "" {
				return validationFailure("vip_subnet_id",
					"VIP must contain one of: vip_port_id, vip_network_id, vip_subnet_id.")
			}
			return nil
		},
		func() *Error {
			// _validate_subnets_share_network_but_no_duplicates.
			seen := map[string]bool{l.VIPSubnetID: true}
			for _, v := range l.AdditionalVIPs {
				if seen[v.SubnetID] {
					return validationFailure("additional_vips.subnet_id",
						"Duplicate VIP subnet(s) specified. Only one IP can be bound per subnet.")
				}
				seen[v.SubnetID] = true
			}
			return nil
		},
	)
}

// checkAdditionalVIPs is AdditionalVipsType: subnet_id mandatory UUID,
// ip_address IP.
func checkAdditionalVIPs(vips []AdditionalVIP) *Error {
	for _, v := range vips {
		if v.SubnetID == "" {
			return mandatory("additional_vips.subnet_id")
		}
		if e := checkUUID("additional_vips.subnet_id", v.SubnetID); e != nil {
			return e
		}
		if e := checkIP("additional_vips.ip_address", v.IPAddress); e != nil {
			return e
		}
	}
	return nil
}
