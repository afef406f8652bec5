package controller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/agent"
	"github.com/lbaas/terraform-provider-lbaas/internal/compute"
	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// reconcile drives one load balancer's data plane to its stored graph.
func (c *Controller) reconcile(ctx context.Context, id string, log *slog.Logger) error {
	g, err := c.cfg.Store.LoadBalancer(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	switch g.ProvisioningStatus {
	case lb.StatusDeleted, lb.StatusError:
		return nil
	case lb.StatusPendingDelete:
		return c.deleteLoadBalancer(ctx, g, log)
	}

	amps, err := c.ensureAmphorae(ctx, g, log)
	if err != nil {
		return err
	}
	desired := withoutPendingDeletes(g)
	for _, a := range amps {
		if err := c.apply(ctx, desired, a, log); err != nil {
			return err
		}
	}
	if err := c.retireAmphorae(ctx, g, log); err != nil {
		return err
	}
	return c.markActive(ctx, id, len(amps) > 0, log)
}

// liveAmphora is an amphora whose agent answers.
type liveAmphora struct {
	amp   *lb.Amphora
	agent Agent
	info  agent.Info
}

// ensureAmphorae makes sure the load balancer has one amphora that is not
// being replaced, that its process runs and its agent answers. The amphora row
// is written before its process starts, so a crash in between finds the row
// and adopts or starts the process under the same ID.
func (c *Controller) ensureAmphorae(ctx context.Context, g *lb.LoadBalancer, log *slog.Logger) ([]liveAmphora, error) {
	var current *lb.Amphora
	for _, a := range g.Amphorae {
		if a.Status == lb.AmphoraBooting || a.Status == lb.AmphoraAllocated {
			current = a
			break
		}
	}
	if current == nil {
		amp := &lb.Amphora{
			ID:             c.cfg.NewID(),
			LoadBalancerID: g.ID,
			Role:           lb.RoleStandalone,
			Status:         lb.AmphoraBooting,
			CreatedAt:      c.cfg.Now().UTC(),
			UpdatedAt:      c.cfg.Now().UTC(),
		}
		err := c.cfg.Store.UpdateLoadBalancer(ctx, g.ID, func(cur *lb.LoadBalancer) error {
			cur.Amphorae = append(cur.Amphorae, amp)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("recording amphora %s: %w", amp.ID, err)
		}
		log.Info("amphora recorded", "amphora_id", amp.ID)
		current = amp
	}

	inst, err := c.cfg.Compute.Get(ctx, current.ID)
	if errors.Is(err, compute.ErrNotFound) && current.Status == lb.AmphoraAllocated && c.failoverEnabled() {
		// An amphora that served is gone: it is replaced under a new ID
		// (its heartbeat key, certificate and addresses go with it), as
		// the failover scan decides, not restarted in place.
		c.setUnreachable(current.ID, true)
		return nil, &unreachableError{amphoraID: current.ID, err: err}
	}
	if errors.Is(err, compute.ErrNotFound) {
		certPEM, keyPEM, caPEM, expires, ierr := c.cfg.IssueCert(current.ID)
		if ierr != nil {
			return nil, fmt.Errorf("issuing the certificate of amphora %s: %w", current.ID, ierr)
		}
		spec := compute.Spec{
			AmphoraID: current.ID, LoadBalancerID: g.ID,
			CertPEM: certPEM, KeyPEM: keyPEM, CAPEM: caPEM,
		}
		if hb := c.cfg.Heartbeats; hb.Key != nil {
			key, kerr := hb.Key(ctx, current.ID)
			if kerr != nil {
				return nil, fmt.Errorf("heartbeat key of amphora %s: %w", current.ID, kerr)
			}
			spec.Heartbeat = compute.Heartbeat{Key: key, Targets: hb.Targets, Interval: hb.Interval}
		}
		inst, err = c.cfg.Compute.Create(ctx, spec)
		if err != nil {
			return nil, fmt.Errorf("booting amphora %s: %w", current.ID, err)
		}
		current.CertExpiration = &expires
	}
	if err != nil {
		return nil, fmt.Errorf("looking up amphora %s: %w", current.ID, err)
	}
	client, err := c.cfg.Dial(current.ID, inst)
	if err != nil {
		return nil, fmt.Errorf("dialing the agent of amphora %s: %w", current.ID, err)
	}
	info, err := c.waitAgent(ctx, client)
	if err != nil {
		err = fmt.Errorf("waiting for the agent of amphora %s: %w", current.ID, err)
		if current.Status == lb.AmphoraAllocated && c.failoverEnabled() && ctx.Err() == nil {
			c.setUnreachable(current.ID, true)
			return nil, &unreachableError{amphoraID: current.ID, err: err}
		}
		return nil, err
	}
	c.setUnreachable(current.ID, false)
	if current.Status != lb.AmphoraAllocated || current.ComputeID != inst.ComputeID || current.LBNetworkIP != inst.LBNetworkIP {
		ampID, expires := current.ID, current.CertExpiration
		err := c.cfg.Store.UpdateLoadBalancer(ctx, g.ID, func(cur *lb.LoadBalancer) error {
			for _, a := range cur.Amphorae {
				if a.ID == ampID {
					a.Status = lb.AmphoraAllocated
					a.ComputeID = inst.ComputeID
					a.LBNetworkIP = inst.LBNetworkIP
					a.HAIP = g.VIPAddress
					if expires != nil {
						a.CertExpiration = expires
					}
					a.UpdatedAt = c.cfg.Now().UTC()
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("recording amphora %s as allocated: %w", current.ID, err)
		}
		current.Status = lb.AmphoraAllocated
		log.Info("amphora allocated", "amphora_id", current.ID, "compute_id", inst.ComputeID)
	}
	return []liveAmphora{{amp: current, agent: client, info: info}}, nil
}

// waitAgent polls the agent until it answers, with a bounded number of tries.
func (c *Controller) waitAgent(ctx context.Context, a Agent) (agent.Info, error) {
	deadline := c.cfg.Now().Add(c.cfg.AgentWait)
	delay := 20 * time.Millisecond
	var last error
	for attempt := 0; attempt < 1000; attempt++ {
		info, err := a.Info(ctx)
		if err == nil {
			return info, nil
		}
		last = err
		if c.cfg.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return agent.Info{}, ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, 500*time.Millisecond)
	}
	return agent.Info{}, fmt.Errorf("agent did not answer within %s: %w", c.cfg.AgentWait, last)
}

// apply renders the configuration, pushes it when the agent's differs, and
// makes HAProxy run it (or stop when no listener is left).
func (c *Controller) apply(ctx context.Context, g *lb.LoadBalancer, a liveAmphora, log *slog.Logger) error {
	if !hasServedListener(g) {
		if err := a.agent.Delete(ctx, g.ID); err != nil {
			return fmt.Errorf("stopping HAProxy of load balancer %s on amphora %s: %w", g.ID, a.amp.ID, err)
		}
		return nil
	}
	cfg, err := c.cfg.Render(g, a.info)
	if err != nil {
		return Terminal(fmt.Errorf("rendering the configuration of load balancer %s: %w", g.ID, err))
	}
	cur, rev, err := a.agent.Config(ctx, g.ID)
	if isNotFound(err) {
		cur, rev, err = nil, 0, nil
	}
	if err != nil {
		return fmt.Errorf("reading the configuration on amphora %s: %w", a.amp.ID, err)
	}
	st, err := a.agent.Status(ctx, g.ID)
	if isNotFound(err) {
		st, err = agent.Status{}, nil
	}
	if err != nil {
		return fmt.Errorf("reading the HAProxy state on amphora %s: %w", a.amp.ID, err)
	}
	if cur == nil || string(cur) != cfg {
		rev++
		if _, err := a.agent.PutConfig(ctx, g.ID, rev, []byte(cfg)); err != nil {
			var apiErr *agent.APIError
			if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusBadRequest {
				return Terminal(fmt.Errorf("amphora %s refused the configuration: %w", a.amp.ID, err))
			}
			return fmt.Errorf("pushing the configuration to amphora %s: %w", a.amp.ID, err)
		}
		log.Info("configuration pushed", "amphora_id", a.amp.ID, "revision", rev)
	}
	switch {
	case !st.Running:
		if err := a.agent.Action(ctx, g.ID, agent.ActionStart); err != nil {
			return fmt.Errorf("starting HAProxy on amphora %s: %w", a.amp.ID, err)
		}
		log.Info("HAProxy started", "amphora_id", a.amp.ID, "revision", rev)
	case st.LoadedRevision != rev:
		if err := a.agent.Action(ctx, g.ID, agent.ActionReload); err != nil {
			return fmt.Errorf("reloading HAProxy on amphora %s: %w", a.amp.ID, err)
		}
		log.Info("HAProxy reloaded", "amphora_id", a.amp.ID, "revision", rev)
	}
	return nil
}

func isNotFound(err error) bool {
	var apiErr *agent.APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// hasServedListener tells whether HAProxy has anything to serve.
func hasServedListener(g *lb.LoadBalancer) bool {
	for _, li := range g.Listeners {
		if li.Protocol != lb.ProtocolUDP && li.Protocol != lb.ProtocolSCTP {
			return true
		}
	}
	return false
}

// retireAmphorae deletes the amphorae marked for replacement once a
// replacement serves, then drops their rows.
func (c *Controller) retireAmphorae(ctx context.Context, g *lb.LoadBalancer, log *slog.Logger) error {
	var gone []string
	for _, a := range g.Amphorae {
		if a.Status != lb.StatusPendingDelete && a.Status != lb.StatusDeleted {
			continue
		}
		c.drain(ctx, g.ID, a.ID, log)
		if err := c.cfg.Compute.Delete(ctx, a.ID); err != nil {
			return fmt.Errorf("deleting amphora %s: %w", a.ID, err)
		}
		log.Info("amphora retired", "amphora_id", a.ID)
		gone = append(gone, a.ID)
	}
	if len(gone) == 0 {
		return nil
	}
	err := c.cfg.Store.UpdateLoadBalancer(ctx, g.ID, func(cur *lb.LoadBalancer) error {
		cur.Amphorae = dropAmphorae(cur.Amphorae, gone)
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range gone {
		c.retired(id, log)
	}
	return nil
}

// drainTimeout bounds the graceful stop of a retiring amphora's HAProxy.
const drainTimeout = 15 * time.Second

// drain stops the HAProxy of a retiring amphora gracefully, when its agent
// still answers: its listeners close while the replacement's (bound to the
// same VIP and ports) take the new connections, and the requests in
// progress finish. Best effort: Compute.Delete follows in any case.
func (c *Controller) drain(ctx context.Context, loadBalancerID, amphoraID string, log *slog.Logger) {
	inst, err := c.cfg.Compute.Get(ctx, amphoraID)
	if err != nil {
		return
	}
	client, err := c.cfg.Dial(amphoraID, inst)
	if err != nil {
		return
	}
	dctx, cancel := context.WithTimeout(ctx, drainTimeout)
	defer cancel()
	if err := client.Action(dctx, loadBalancerID, agent.ActionStop); err != nil && !isNotFound(err) {
		log.Warn("draining the retiring amphora failed; deleting it anyway", "amphora_id", amphoraID, "err", err)
	}
}

func dropAmphorae(amps []*lb.Amphora, ids []string) []*lb.Amphora {
	out := amps[:0:0]
	for _, a := range amps {
		keep := true
		for _, id := range ids {
			if a.ID == id {
				keep = false
			}
		}
		if keep {
			out = append(out, a)
		}
	}
	return out
}

// deleteLoadBalancer stops and deletes every amphora, frees the VIP, and
// marks the load balancer DELETED (its children rows go).
func (c *Controller) deleteLoadBalancer(ctx context.Context, g *lb.LoadBalancer, log *slog.Logger) error {
	for _, a := range g.Amphorae {
		if err := c.cfg.Compute.Delete(ctx, a.ID); err != nil {
			return fmt.Errorf("deleting amphora %s: %w", a.ID, err)
		}
		c.forget(a.ID)
	}
	if err := c.cfg.Network.DeallocateVIP(ctx, g.ID); err != nil {
		return fmt.Errorf("freeing the VIP of load balancer %s: %w", g.ID, err)
	}
	err := c.cfg.Store.UpdateLoadBalancer(ctx, g.ID, func(cur *lb.LoadBalancer) error {
		if cur.ProvisioningStatus != lb.StatusPendingDelete {
			return nil
		}
		cur.ProvisioningStatus = lb.StatusDeleted
		cur.OperatingStatus = lb.OperatingOffline
		cur.UpdatedAt = c.cfg.Now().UTC()
		cur.Listeners, cur.Pools, cur.Amphorae = nil, nil, nil
		return nil
	})
	if err != nil {
		return err
	}
	log.Info("load balancer deleted")
	return nil
}
