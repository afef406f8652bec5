package storetest

import (
	"fmt"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// base is the creation time of the fixtures: not UTC and with nanoseconds, so
// that a store that loses either fails the round trip.
var base = time.Date(2025, time.March, 4, 5, 6, 7, 123456789, time.FixedZone("UTC+1", 3600))

// at returns base plus n seconds.
func at(n int) time.Time { return base.Add(time.Duration(n) * time.Second) }

func ptr[T any](v T) *T { return &v }

// Graph returns a load balancer graph with every field of every object set
// (to values derived from id), ordered as a store returns it: children in
// creation order, L7 policies by position. It has two listeners (the first
// with two L7 policies, the second with one; two rules each), two pools (each
// with a health monitor; three members and one) and two amphorae. Object IDs are id + "-listener-1", id + "-pool-2-member-3"...
func Graph(id string) *lb.LoadBalancer {
	g := &lb.LoadBalancer{
		ID:                 id,
		ProjectID:          "project-" + id,
		Name:               "lb " + id,
		Description:        "load balancer " + id,
		AdminStateUp:       true,
		VIPAddress:         "10.0.0.10",
		VIPPortID:          id + "-vip-port",
		VIPSubnetID:        "subnet-1",
		VIPNetworkID:       "network-1",
		VIPQoSPolicyID:     "qos-1",
		AdditionalVIPs:     []lb.AdditionalVIP{{SubnetID: "subnet-2", IPAddress: "10.1.0.10"}},
		Provider:           "amphora",
		FlavorID:           "flavor-1",
		AvailabilityZone:   "az-1",
		Topology:           "ACTIVE_STANDBY",
		Tags:               []string{"a", "b"},
		ProvisioningStatus: "ACTIVE",
		OperatingStatus:    "ONLINE",
		CreatedAt:          at(0),
		UpdatedAt:          at(1),
	}
	for i := 1; i <= 2; i++ {
		li := Listener(g, fmt.Sprintf("%s-listener-%d", id, i), at(10+i))
		policies := 2
		if i == 2 {
			policies = 1
		}
		for j := 1; j <= policies; j++ {
			po := L7Policy(li, fmt.Sprintf("%s-p%d", li.ID, j), j, at(20+10*i+j))
			for k := 1; k <= 2; k++ {
				L7Rule(po, fmt.Sprintf("%s-r%d", po.ID, k), at(100+10*i+3*j+k))
			}
		}
	}
	for i := 1; i <= 2; i++ {
		p := Pool(g, fmt.Sprintf("%s-pool-%d", id, i), at(200+i))
		p.ListenerID = g.Listeners[i-1].ID
		g.Listeners[i-1].DefaultPoolID = p.ID
		HealthMonitor(p, fmt.Sprintf("%s-pool-%d-hm", id, i), at(210+i))
		members := 3
		if i == 2 {
			members = 1
		}
		for j := 1; j <= members; j++ {
			// The members of pool 1 share a creation time: their order is the
			// order they were inserted in.
			Member(p, fmt.Sprintf("%s-pool-%d-member-%d", id, i, j), at(300+i))
		}
	}
	for i := 1; i <= 2; i++ {
		Amphora(g, fmt.Sprintf("%s-amphora-%d", id, i), at(400+i))
	}
	g.Listeners[0].L7Policies[1].RedirectPoolID = g.Pools[1].ID
	return g
}

// Listener appends a listener with every field set to g.
func Listener(g *lb.LoadBalancer, id string, created time.Time) *lb.Listener {
	li := &lb.Listener{
		ID:                      id,
		ProjectID:               g.ProjectID,
		Name:                    "listener " + id,
		Description:             "listener " + id,
		LoadBalancerID:          g.ID,
		Protocol:                "TERMINATED_HTTPS",
		ProtocolPort:            443,
		ConnectionLimit:         1000,
		DefaultPoolID:           "pool-x",
		DefaultTLSContainerRef:  "https://barbican/containers/" + id,
		SNIContainerRefs:        []string{"https://barbican/containers/sni-1", "https://barbican/containers/sni-2"},
		ClientCATLSContainerRef: "https://barbican/containers/ca",
		ClientAuthentication:    "OPTIONAL",
		ClientCRLContainerRef:   "https://barbican/containers/crl",
		InsertHeaders:           map[string]string{"X-Forwarded-For": "true", "X-Forwarded-Port": "true"},
		TimeoutClientData:       50000,
		TimeoutMemberConnect:    5000,
		TimeoutMemberData:       50000,
		TimeoutTCPInspect:       10,
		AllowedCIDRs:            []string{"10.0.0.0/8", "192.168.0.0/16"},
		TLSCiphers:              "ECDHE-ECDSA-AES256-GCM-SHA384",
		TLSVersions:             []string{"TLSv1.2", "TLSv1.3"},
		ALPNProtocols:           []string{"h2", "http/1.1"},
		AdminStateUp:            true,
		Tags:                    []string{"listener"},
		ProvisioningStatus:      "ACTIVE",
		OperatingStatus:         "ONLINE",
		CreatedAt:               created,
		UpdatedAt:               created.Add(time.Millisecond),
	}
	g.Listeners = append(g.Listeners, li)
	return li
}

// L7Policy appends an L7 policy with every field set to li.
func L7Policy(li *lb.Listener, id string, position int, created time.Time) *lb.L7Policy {
	po := &lb.L7Policy{
		ID:                 id,
		ProjectID:          li.ProjectID,
		Name:               "policy " + id,
		Description:        "policy " + id,
		ListenerID:         li.ID,
		Action:             "REDIRECT_PREFIX",
		Position:           position,
		RedirectPoolID:     "pool-y",
		RedirectURL:        "https://example.com/",
		RedirectPrefix:     "https://example.org",
		RedirectHTTPCode:   ptr(302),
		AdminStateUp:       true,
		Tags:               []string{"policy"},
		ProvisioningStatus: "ACTIVE",
		OperatingStatus:    "ONLINE",
		CreatedAt:          created,
		UpdatedAt:          created.Add(time.Millisecond),
	}
	li.L7Policies = append(li.L7Policies, po)
	return po
}

// L7Rule appends an L7 rule with every field set to po.
func L7Rule(po *lb.L7Policy, id string, created time.Time) *lb.L7Rule {
	ru := &lb.L7Rule{
		ID:                 id,
		ProjectID:          po.ProjectID,
		L7PolicyID:         po.ID,
		Type:               "HEADER",
		CompareType:        "STARTS_WITH",
		Key:                "X-Env",
		Value:              "prod",
		Invert:             true,
		AdminStateUp:       true,
		Tags:               []string{"rule"},
		ProvisioningStatus: "ACTIVE",
		OperatingStatus:    "ONLINE",
		CreatedAt:          created,
		UpdatedAt:          created.Add(time.Millisecond),
	}
	po.Rules = append(po.Rules, ru)
	return ru
}

// Pool appends a pool with every field set, but no health monitor or
// members, to g.
func Pool(g *lb.LoadBalancer, id string, created time.Time) *lb.Pool {
	p := &lb.Pool{
		ID:             id,
		ProjectID:      g.ProjectID,
		Name:           "pool " + id,
		Description:    "pool " + id,
		LoadBalancerID: g.ID,
		ListenerID:     "listener-x",
		Protocol:       "UDP",
		LBAlgorithm:    "SOURCE_IP",
		SessionPersistence: &lb.SessionPersistence{
			Type:                   "SOURCE_IP",
			CookieName:             "cookie",
			PersistenceTimeout:     ptr(360),
			PersistenceGranularity: "255.255.255.0",
		},
		TLSEnabled:         true,
		TLSContainerRef:    "https://barbican/containers/pool-tls",
		CATLSContainerRef:  "https://barbican/containers/pool-ca",
		CRLContainerRef:    "https://barbican/containers/pool-crl",
		TLSCiphers:         "ECDHE-RSA-AES128-GCM-SHA256",
		TLSVersions:        []string{"TLSv1.3"},
		ALPNProtocols:      []string{"http/1.1"},
		AdminStateUp:       true,
		Tags:               []string{"pool"},
		ProvisioningStatus: "ACTIVE",
		OperatingStatus:    "ONLINE",
		CreatedAt:          created,
		UpdatedAt:          created.Add(time.Millisecond),
	}
	g.Pools = append(g.Pools, p)
	return p
}

// HealthMonitor sets a health monitor with every field set on p.
func HealthMonitor(p *lb.Pool, id string, created time.Time) *lb.HealthMonitor {
	hm := &lb.HealthMonitor{
		ID:                 id,
		ProjectID:          p.ProjectID,
		Name:               "monitor " + id,
		PoolID:             p.ID,
		Type:               "HTTPS",
		Delay:              5,
		Timeout:            3,
		MaxRetries:         2,
		MaxRetriesDown:     4,
		HTTPMethod:         "HEAD",
		URLPath:            "/healthz",
		ExpectedCodes:      "200-204",
		HTTPVersion:        ptr(1.1),
		DomainName:         "example.com",
		AdminStateUp:       true,
		Tags:               []string{"monitor"},
		ProvisioningStatus: "ACTIVE",
		OperatingStatus:    "ONLINE",
		CreatedAt:          created,
		UpdatedAt:          created.Add(time.Millisecond),
	}
	p.HealthMonitor = hm
	return hm
}

// Member appends a member with every field set to p.
func Member(p *lb.Pool, id string, created time.Time) *lb.Member {
	m := &lb.Member{
		ID:                 id,
		ProjectID:          p.ProjectID,
		Name:               "member " + id,
		PoolID:             p.ID,
		Address:            "192.0.2.10",
		ProtocolPort:       8080,
		Weight:             10,
		Backup:             true,
		SubnetID:           "subnet-1",
		MonitorAddress:     "192.0.2.11",
		MonitorPort:        ptr(9090),
		AdminStateUp:       true,
		Tags:               []string{"member"},
		ProvisioningStatus: "ACTIVE",
		OperatingStatus:    "ONLINE",
		CreatedAt:          created,
		UpdatedAt:          created.Add(time.Millisecond),
	}
	p.Members = append(p.Members, m)
	return m
}

// Amphora appends an amphora with every field set to g.
func Amphora(g *lb.LoadBalancer, id string, created time.Time) *lb.Amphora {
	a := &lb.Amphora{
		ID:             id,
		LoadBalancerID: g.ID,
		ComputeID:      "compute-" + id,
		LBNetworkIP:    "172.16.0.5",
		VRRPIP:         "10.0.0.11",
		HAIP:           "10.0.0.10",
		VRRPPortID:     "vrrp-port-" + id,
		HAPortID:       "ha-port-" + id,
		CertExpiration: ptr(created.Add(365 * 24 * time.Hour)),
		CertBusy:       true,
		Role:           "MASTER",
		Status:         "ALLOCATED",
		VRRPInterface:  "eth1",
		VRRPID:         1,
		VRRPPriority:   100,
		CachedZone:     "az-1",
		ImageID:        "image-1",
		ComputeFlavor:  "flavor-amphora",
		CreatedAt:      created,
		UpdatedAt:      created.Add(time.Millisecond),
	}
	g.Amphorae = append(g.Amphorae, a)
	return a
}
