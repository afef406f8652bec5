// Package local is the network driver of lbaasd's embedded default: VIPs are
// addresses of local subnets (127.77.0.0/16 by default, where Linux answers
// every address on the loopback interface without any configuration), and
// their allocations are ports in the store.
package local

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/google/uuid"

	"github.com/lbaas/terraform-provider-lbaas/internal/network"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// DefaultCIDR is the default local subnet.
const DefaultCIDR = "127.77.0.0/16"

// maxScan bounds the search for a free address, so a full subnet answers
// ErrNoAddress quickly instead of walking millions of addresses.
const maxScan = 1 << 16

var _ network.Driver = (*Driver)(nil)

// Driver allocates VIPs from local subnets.
type Driver struct {
	store store.Store
	newID func() string
}

// New returns a driver over the store's subnets and ports. newID makes port IDs.
func New(s store.Store, newID func() string) *Driver {
	return &Driver{store: s, newID: newID}
}

// SubnetID is the stable ID of a local subnet: a name-based UUID of its CIDR,
// so the same CIDR has the same ID on every machine and after every restart.
func SubnetID(cidr string) string { return nameUUID("subnet:" + cidr) }

// NetworkID is the stable ID of the network of a local subnet.
func NetworkID(cidr string) string { return nameUUID("network:" + cidr) }

func nameUUID(name string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("lbaasd:"+name)).String()
}

// EnsureSubnet records a local subnet (idempotent) and returns it.
func (d *Driver) EnsureSubnet(ctx context.Context, cidr, name string, isDefault bool) (store.Subnet, error) {
	prefix, err := netip.ParsePrefix(cidr)
	if err != nil {
		return store.Subnet{}, fmt.Errorf("local subnet %q: %w", cidr, err)
	}
	prefix = prefix.Masked()
	if prefix.Addr().Is4() && prefix.Bits() > 30 || prefix.Addr().Is6() && prefix.Bits() > 126 {
		return store.Subnet{}, fmt.Errorf("local subnet %s is too small for VIPs", prefix)
	}
	s := store.Subnet{
		ID:        SubnetID(prefix.String()),
		NetworkID: NetworkID(prefix.String()),
		Name:      name,
		CIDR:      prefix.String(),
		Gateway:   prefix.Addr().Next().String(),
		Default:   isDefault,
		CreatedAt: time.Now().UTC(),
	}
	if err := d.store.EnsureSubnet(ctx, s); err != nil {
		return store.Subnet{}, fmt.Errorf("recording local subnet %s: %w", prefix, err)
	}
	if !isDefault {
		return s, nil
	}
	// There is one default subnet: the one lbaasd was last started with.
	all, err := d.store.Subnets(ctx)
	if err != nil {
		return store.Subnet{}, err
	}
	for _, other := range all {
		if other.ID != s.ID && other.Default {
			other.Default = false
			if err := d.store.EnsureSubnet(ctx, other); err != nil {
				return store.Subnet{}, fmt.Errorf("updating local subnet %s: %w", other.CIDR, err)
			}
		}
	}
	return s, nil
}

func deviceID(loadBalancerID string) string { return "lb-" + loadBalancerID }

// AllocateVIP reserves an address for the load balancer, or returns the one
// it already has.
func (d *Driver) AllocateVIP(ctx context.Context, loadBalancerID string, req network.VIPRequest) (network.VIP, error) {
	have, err := d.store.Ports(ctx, deviceID(loadBalancerID))
	if err != nil {
		return network.VIP{}, err
	}
	if len(have) > 0 {
		p := have[0]
		return network.VIP{PortID: p.ID, NetworkID: p.NetworkID, SubnetID: p.SubnetID, Address: p.IPAddress}, nil
	}
	subnet, err := d.pickSubnet(ctx, req)
	if err != nil {
		return network.VIP{}, err
	}
	prefix, err := netip.ParsePrefix(subnet.CIDR)
	if err != nil {
		return network.VIP{}, fmt.Errorf("subnet %s has a bad CIDR %q: %w", subnet.ID, subnet.CIDR, err)
	}
	port := store.Port{
		ID:        d.newID(),
		Name:      "octavia-lb-" + loadBalancerID,
		NetworkID: subnet.NetworkID,
		SubnetID:  subnet.ID,
		DeviceID:  deviceID(loadBalancerID),
		CreatedAt: time.Now().UTC(),
	}
	if req.Address != "" {
		addr, err := netip.ParseAddr(req.Address)
		if err != nil || !prefix.Contains(addr) || !usable(prefix, addr) {
			return network.VIP{}, fmt.Errorf("%w: %s is not a usable address of subnet %s (%s)", network.ErrNoAddress, req.Address, subnet.ID, subnet.CIDR)
		}
		port.IPAddress = addr.String()
		if err := d.store.CreatePort(ctx, port); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return network.VIP{}, fmt.Errorf("%w: %s on subnet %s", network.ErrAddressInUse, addr, subnet.ID)
			}
			return network.VIP{}, err
		}
		return vipOf(port), nil
	}
	if err := d.allocateFree(ctx, prefix, &port); err != nil {
		return network.VIP{}, err
	}
	return vipOf(port), nil
}

func vipOf(p store.Port) network.VIP {
	return network.VIP{PortID: p.ID, NetworkID: p.NetworkID, SubnetID: p.SubnetID, Address: p.IPAddress}
}

// allocateFree takes the lowest free usable address of the subnet. Losing a
// race for an address to another writer only moves on to the next one.
func (d *Driver) allocateFree(ctx context.Context, prefix netip.Prefix, port *store.Port) error {
	all, err := d.store.Ports(ctx, "")
	if err != nil {
		return err
	}
	used := make(map[netip.Addr]bool, len(all))
	for _, p := range all {
		if p.SubnetID != port.SubnetID {
			continue
		}
		if a, err := netip.ParseAddr(p.IPAddress); err == nil {
			used[a] = true
		}
	}
	addr := prefix.Addr()
	for i := 0; i < maxScan; i++ {
		addr = addr.Next()
		if !addr.IsValid() || !prefix.Contains(addr) {
			break
		}
		if !usable(prefix, addr) || used[addr] {
			continue
		}
		port.IPAddress = addr.String()
		err := d.store.CreatePort(ctx, *port)
		if err == nil {
			return nil
		}
		if !errors.Is(err, store.ErrConflict) {
			return err
		}
		used[addr] = true
	}
	return fmt.Errorf("%w: subnet %s (%s) is full", network.ErrNoAddress, port.SubnetID, prefix)
}

// usable excludes the network address, the gateway (the first address) and,
// for IPv4, the broadcast address.
func usable(prefix netip.Prefix, addr netip.Addr) bool {
	first := prefix.Addr()
	if addr == first || addr == first.Next() {
		return false
	}
	if addr.Is4() {
		b := addr.As4()
		bits := prefix.Bits()
		host := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		mask := uint32(1)<<(32-bits) - 1
		if host&mask == mask {
			return false
		}
	}
	return true
}

func (d *Driver) pickSubnet(ctx context.Context, req network.VIPRequest) (store.Subnet, error) {
	switch {
	case req.PortID != "":
		return store.Subnet{}, fmt.Errorf("%w: port %s (the local network driver has no pre-created ports)", network.ErrSubnetNotFound, req.PortID)
	case req.SubnetID != "":
		s, err := d.store.Subnet(ctx, req.SubnetID)
		if errors.Is(err, store.ErrNotFound) {
			return store.Subnet{}, fmt.Errorf("%w: %s", network.ErrSubnetNotFound, req.SubnetID)
		}
		return s, err
	case req.NetworkID != "":
		subnets, err := d.store.Subnets(ctx)
		if err != nil {
			return store.Subnet{}, err
		}
		for _, s := range subnets {
			if s.NetworkID != req.NetworkID {
				continue
			}
			if req.Address == "" {
				return s, nil
			}
			if p, err := netip.ParsePrefix(s.CIDR); err == nil {
				if a, err := netip.ParseAddr(req.Address); err == nil && p.Contains(a) {
					return s, nil
				}
			}
		}
		return store.Subnet{}, fmt.Errorf("%w: network %s", network.ErrSubnetNotFound, req.NetworkID)
	default:
		return store.Subnet{}, fmt.Errorf("%w: no vip_port_id, vip_network_id or vip_subnet_id", network.ErrSubnetNotFound)
	}
}

// DeallocateVIP frees every port of the load balancer.
func (d *Driver) DeallocateVIP(ctx context.Context, loadBalancerID string) error {
	ports, err := d.store.Ports(ctx, deviceID(loadBalancerID))
	if err != nil {
		return err
	}
	for _, p := range ports {
		if err := d.store.DeletePort(ctx, p.ID); err != nil {
			return fmt.Errorf("freeing VIP %s of load balancer %s: %w", p.IPAddress, loadBalancerID, err)
		}
	}
	return nil
}
