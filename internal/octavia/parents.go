package octavia

import (
	"context"
	"fmt"
)

// The write queue is keyed by load balancer: every child write first finds
// its load balancer, through its parents, and the client remembers each
// answer (an object never moves to another parent).

const (
	parentListener = "listener/" // listener → load balancer
	parentPool     = "pool/"     // pool → load balancer
	parentMonitor  = "hm/"       // health monitor → pool
	parentPolicy   = "l7policy/" // L7 policy → listener
)

// lbOfListener returns the load balancer of a listener.
func (c *Client) lbOfListener(ctx context.Context, id string) (string, error) {
	if v := c.parent(parentListener + id); v != "" {
		return v, nil
	}
	o, err := c.getListener(ctx, id)
	if err != nil {
		return "", fmt.Errorf("finding the load balancer of listener %s: %w", id, err)
	}
	if o.LoadBalancerID == "" {
		return "", fmt.Errorf("listener %s names no load balancer", id)
	}
	return o.LoadBalancerID, nil
}

// lbOfPool returns the load balancer of a pool.
func (c *Client) lbOfPool(ctx context.Context, id string) (string, error) {
	if v := c.parent(parentPool + id); v != "" {
		return v, nil
	}
	o, err := c.getPool(ctx, id)
	if err != nil {
		return "", fmt.Errorf("finding the load balancer of pool %s: %w", id, err)
	}
	if o.LoadBalancerID == "" {
		return "", fmt.Errorf("pool %s names no load balancer", id)
	}
	return o.LoadBalancerID, nil
}

// poolOfMonitor returns the pool of a health monitor.
func (c *Client) poolOfMonitor(ctx context.Context, id string) (string, error) {
	if v := c.parent(parentMonitor + id); v != "" {
		return v, nil
	}
	o, err := c.getHealthMonitor(ctx, id)
	if err != nil {
		return "", fmt.Errorf("finding the pool of health monitor %s: %w", id, err)
	}
	if o.PoolID == "" {
		return "", fmt.Errorf("health monitor %s names no pool", id)
	}
	return o.PoolID, nil
}

// listenerOfPolicy returns the listener of an L7 policy.
func (c *Client) listenerOfPolicy(ctx context.Context, id string) (string, error) {
	if v := c.parent(parentPolicy + id); v != "" {
		return v, nil
	}
	o, err := c.getL7Policy(ctx, id)
	if err != nil {
		return "", fmt.Errorf("finding the listener of L7 policy %s: %w", id, err)
	}
	if o.ListenerID == "" {
		return "", fmt.Errorf("L7 policy %s names no listener", id)
	}
	return o.ListenerID, nil
}

func (c *Client) lbOfMonitor(ctx context.Context, id string) (string, error) {
	poolID, err := c.poolOfMonitor(ctx, id)
	if err != nil {
		return "", err
	}
	return c.lbOfPool(ctx, poolID)
}

func (c *Client) lbOfPolicy(ctx context.Context, id string) (string, error) {
	listenerID, err := c.listenerOfPolicy(ctx, id)
	if err != nil {
		return "", err
	}
	return c.lbOfListener(ctx, listenerID)
}

// cachedLB returns the load balancer found by resolve, or "" (a wait then
// skips its load-balancer phase rather than fail).
func cachedLB(ctx context.Context, resolve func(context.Context, string) (string, error), id string) string {
	if id == "" {
		return ""
	}
	v, err := resolve(ctx, id)
	if err != nil {
		return ""
	}
	return v
}
