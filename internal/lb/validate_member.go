package lb

import (
	"fmt"
	"net/netip"
	"strings"
)

// ReservedMemberAddresses is [networking] reserved_ips, the addresses a
// member may not have, in Python's exploded upper-case form.
func ReservedMemberAddresses() []string { return []string{"169.254.169.254"} }

// ValidateMember checks a member as Octavia's MemberPOST type and
// MemberController.post do ([PO] api/v2/types/member.py,
// api/v2/controllers/member.py, common/validate.py:ip_not_reserved): name
// ≤255, address (mandatory, IP, not reserved), protocol_port 1–65535,
// weight 0–256, subnet_id UUID, monitor_port 1–65535, monitor_address IP,
// tags. p is the member's pool; nil (plan time) skips the duplicate check:
// no other member of the pool on the same address and protocol_port (the
// database's unique key, compared as strings as Octavia stores them).
func ValidateMember(m *Member, p *Pool) error {
	if m == nil {
		return nil
	}
	return errOrNil(validateMember(m, p))
}

func validateMember(m *Member, p *Pool) *Error {
	return first(
		func() *Error { return checkName(m.Name) },
		func() *Error {
			if m.Address == "" {
				return mandatory("address")
			}
			return checkIP("address", m.Address)
		},
		func() *Error { return checkRange("protocol_port", m.ProtocolPort, MinPort, MaxPort) },
		func() *Error { return checkRange("weight", m.Weight, MinWeight, MaxWeight) },
		func() *Error { return checkUUID("subnet_id", m.SubnetID) },
		func() *Error { return checkProjectID(m.ProjectID) },
		func() *Error {
			if m.MonitorPort == nil {
				return nil
			}
			return checkRange("monitor_port", *m.MonitorPort, MinPort, MaxPort)
		},
		func() *Error { return checkIP("monitor_address", m.MonitorAddress) },
		func() *Error { return checkTags(m.Tags) },
		func() *Error {
			a, _ := parseIP(m.Address)
			x := pyExploded(a)
			for _, r := range ReservedMemberAddresses() {
				if x == r {
					return invalidOption("address", x, "member address")
				}
			}
			return nil
		},
		func() *Error {
			if p == nil {
				return nil
			}
			for _, o := range precedingOrAll(p.Members, m, func(x *Member) string { return x.ID }) {
				if o.Address == m.Address && o.ProtocolPort == m.ProtocolPort {
					return conflict("address", fmt.Sprintf(
						"Another member on this pool is already using ip %s on protocol_port %d",
						m.Address, m.ProtocolPort))
				}
			}
			return nil
		},
	)
}

// pyExploded is ipaddress.ip_address(a).exploded.upper().
func pyExploded(a netip.Addr) string {
	if !a.Is6() {
		return a.String()
	}
	b := a.As16()
	parts := make([]string, 8)
	for i := range parts {
		parts[i] = fmt.Sprintf("%02X%02X", b[2*i], b[2*i+1])
	}
	return strings.Join(parts, ":")
}
