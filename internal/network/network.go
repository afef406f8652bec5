// Package network is the network driver interface of lbaasd: where VIP
// addresses come from and how they reach an amphora. The local driver
// allocates VIPs from local subnets (127.77.0.0/16 by default); a Neutron
// driver allocates Neutron ports with allowed_address_pairs.
package network

import (
	"context"
	"errors"
)

// ErrSubnetNotFound is returned when the requested VIP subnet (or network, or
// port) does not exist. The API answers it with Octavia's 400
// "Subnet <id> not found." (InvalidSubresource).
var ErrSubnetNotFound = errors.New("subnet not found")

// ErrAddressInUse is returned when the requested VIP address is taken. The
// API answers it with 409.
var ErrAddressInUse = errors.New("address already allocated")

// ErrNoAddress is returned when the subnet has no free address left, or the
// requested address is outside it.
var ErrNoAddress = errors.New("no address available")

// VIPRequest is what a load balancer POST asks for; at least one of PortID,
// NetworkID and SubnetID is set.
type VIPRequest struct {
	PortID    string
	NetworkID string
	SubnetID  string
	Address   string
}

// VIP is an allocated VIP.
type VIP struct {
	PortID    string
	NetworkID string
	SubnetID  string
	Address   string
}

// Driver allocates and frees VIPs. Implementations decide nothing about
// load balancer state: they only do what they are asked, idempotently.
type Driver interface {
	// AllocateVIP reserves the VIP of a load balancer. Calling it again for
	// the same load balancer returns the VIP already allocated.
	AllocateVIP(ctx context.Context, loadBalancerID string, req VIPRequest) (VIP, error)
	// DeallocateVIP frees the VIP of a load balancer; nothing allocated is
	// not an error.
	DeallocateVIP(ctx context.Context, loadBalancerID string) error
}
