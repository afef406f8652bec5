package lb

import (
	"errors"
	"strings"
	"testing"
)

// Fixed IDs of the test graphs.
const (
	lbID       = "11111111-1111-4111-8111-111111111111"
	subnetID   = "22222222-2222-4222-8222-222222222222"
	subnet2ID  = "23232323-2323-4323-8323-232323232323"
	listenerID = "33333333-3333-4333-8333-333333333333"
	otherLiID  = "34343434-3434-4434-8434-343434343434"
	poolID     = "44444444-4444-4444-8444-444444444444"
	otherPool  = "45454545-4545-4545-8545-454545454545"
	memberID   = "55555555-5555-4555-8555-555555555555"
	hmID       = "66666666-6666-4666-8666-666666666666"
	policyID   = "77777777-7777-4777-8777-777777777777"
	ruleID     = "88888888-8888-4888-8888-888888888888"
	missingID  = "99999999-9999-4999-8999-999999999999"
)

func ptr[T any](v T) *T { return &v }

// with applies f to x and returns x, to derive a case from a valid object.
func with[T any](x *T, f func(*T)) *T {
	f(x)
	return x
}

func okLB() *LoadBalancer {
	return &LoadBalancer{
		ID: lbID, Name: "lb", AdminStateUp: true,
		VIPSubnetID: subnetID, VIPAddress: "10.0.0.10", Provider: DefaultProvider,
	}
}

func okListener(protocol string, port int) *Listener {
	return &Listener{
		ID: listenerID, LoadBalancerID: lbID, Name: "listener", Protocol: protocol, ProtocolPort: port,
		ConnectionLimit: DefaultConnectionLimit, AdminStateUp: true,
		TimeoutClientData: DefaultTimeoutClientData, TimeoutMemberConnect: DefaultTimeoutMemberConnect,
		TimeoutMemberData: DefaultTimeoutMemberData, TimeoutTCPInspect: DefaultTimeoutTCPInspect,
	}
}

func okTLSListener() *Listener {
	li := okListener(ProtocolTerminatedHTTPS, 443)
	li.DefaultTLSContainerRef = "https://barbican/v1/containers/c1"
	return li
}

func okPool(protocol string) *Pool {
	return &Pool{
		ID: poolID, LoadBalancerID: lbID, Name: "pool", Protocol: protocol,
		LBAlgorithm: AlgorithmRoundRobin, AdminStateUp: true,
	}
}

func okMember(address string, port int) *Member {
	return &Member{ID: memberID, Address: address, ProtocolPort: port, Weight: DefaultWeight, AdminStateUp: true}
}

func okMonitor(typ string) *HealthMonitor {
	h := &HealthMonitor{ID: hmID, PoolID: poolID, Type: typ, Delay: 5, Timeout: 3, MaxRetries: 3, AdminStateUp: true}
	h.SetDefaults()
	return h
}

func okPolicy(action string) *L7Policy {
	p := &L7Policy{ID: policyID, ListenerID: listenerID, Action: action, Position: 1, AdminStateUp: true}
	switch action {
	case L7ActionRedirectToPool:
		p.RedirectPoolID = poolID
	case L7ActionRedirectToURL:
		p.RedirectURL = "https://example.com/moved"
	case L7ActionRedirectPrefix:
		p.RedirectPrefix = "https://example.com"
	}
	return p
}

func okRule(typ, compare, key, value string) *L7Rule {
	return &L7Rule{ID: ruleID, Type: typ, CompareType: compare, Key: key, Value: value, AdminStateUp: true}
}

// graph returns a load balancer with the given listeners and pools.
func graph(listeners []*Listener, pools ...*Pool) *LoadBalancer {
	l := okLB()
	l.Listeners = listeners
	l.Pools = pools
	return l
}

func rules(n int) []*L7Rule {
	out := make([]*L7Rule, n)
	for i := range out {
		out[i] = okRule(L7RulePath, CompareStartsWith, "", "/api")
		out[i].ID = ""
	}
	return out
}

// vcase is one validation case: run returns the validator's answer; a zero
// status means the object must pass.
type vcase struct {
	name    string
	run     func() error
	status  int
	field   string
	message string
}

func runCases(t *testing.T, cases []vcase) {
	t.Helper()
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			t.Fatalf("duplicate case name %q", c.name)
		}
		seen[c.name] = true
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := c.run()
			if c.status == 0 {
				if err != nil {
					t.Fatalf("want no error, got %#v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("want *Error %d %q %q, got %#v", c.status, c.field, c.message, err)
			}
			if e.Status != c.status || e.Field != c.field || e.Message != c.message {
				t.Fatalf("got  %d %q %q\nwant %d %q %q", e.Status, e.Field, e.Message, c.status, c.field, c.message)
			}
		})
	}
}

func long(n int) string { return strings.Repeat("x", n) }
