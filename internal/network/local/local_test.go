package local_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lbaas/terraform-provider-lbaas/internal/network"
	"github.com/lbaas/terraform-provider-lbaas/internal/network/local"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

func newDriver(t *testing.T) (*local.Driver, store.Store) {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "lbaasd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var n atomic.Int64
	return local.New(st, func() string { return fmt.Sprintf("port-%d", n.Add(1)) }), st
}

func TestAllocateVIP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, st := newDriver(t)
	sub, err := d.EnsureSubnet(ctx, "127.77.0.0/16", "lbaasd-local", true)
	if err != nil {
		t.Fatal(err)
	}
	if sub.ID != local.SubnetID("127.77.0.0/16") || sub.Gateway != "127.77.0.1" {
		t.Fatalf("subnet %+v", sub)
	}

	a, err := d.AllocateVIP(ctx, "lb-a", network.VIPRequest{SubnetID: sub.ID})
	if err != nil || a.Address != "127.77.0.2" || a.NetworkID != sub.NetworkID {
		t.Fatalf("first VIP %+v %v", a, err)
	}
	again, err := d.AllocateVIP(ctx, "lb-a", network.VIPRequest{SubnetID: sub.ID})
	if err != nil || again != a {
		t.Fatalf("allocating again for the same LB must return the same VIP: %+v %v", again, err)
	}
	b, err := d.AllocateVIP(ctx, "lb-b", network.VIPRequest{NetworkID: sub.NetworkID})
	if err != nil || b.Address != "127.77.0.3" {
		t.Fatalf("second VIP by network %+v %v", b, err)
	}
	if _, err := d.AllocateVIP(ctx, "lb-c", network.VIPRequest{SubnetID: sub.ID, Address: "127.77.0.3"}); !errors.Is(err, network.ErrAddressInUse) {
		t.Fatalf("taken address: %v", err)
	}
	for _, bad := range []string{"127.78.0.9", "127.77.0.1", "127.77.255.255", "nonsense"} {
		if _, err := d.AllocateVIP(ctx, "lb-c", network.VIPRequest{SubnetID: sub.ID, Address: bad}); !errors.Is(err, network.ErrNoAddress) {
			t.Fatalf("address %s: %v", bad, err)
		}
	}
	if _, err := d.AllocateVIP(ctx, "lb-c", network.VIPRequest{SubnetID: "nope"}); !errors.Is(err, network.ErrSubnetNotFound) {
		t.Fatalf("unknown subnet: %v", err)
	}
	chosen, err := d.AllocateVIP(ctx, "lb-c", network.VIPRequest{SubnetID: sub.ID, Address: "127.77.9.9"})
	if err != nil || chosen.Address != "127.77.9.9" {
		t.Fatalf("requested address: %+v %v", chosen, err)
	}

	if err := d.DeallocateVIP(ctx, "lb-a"); err != nil {
		t.Fatal(err)
	}
	if err := d.DeallocateVIP(ctx, "lb-a"); err != nil {
		t.Fatalf("deallocating twice: %v", err)
	}
	reused, err := d.AllocateVIP(ctx, "lb-d", network.VIPRequest{SubnetID: sub.ID})
	if err != nil || reused.Address != "127.77.0.2" {
		t.Fatalf("the freed address must be reused: %+v %v", reused, err)
	}
	ports, err := st.Ports(ctx, "")
	if err != nil || len(ports) != 3 {
		t.Fatalf("ports %v %v", ports, err)
	}
}

func TestAllocateVIPConcurrentAndFull(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := newDriver(t)
	sub, err := d.EnsureSubnet(ctx, "127.5.5.0/29", "tiny", true) // 8 addresses: .2–.6 usable
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([]network.VIP, 8)
	errs := make([]error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = d.AllocateVIP(ctx, fmt.Sprintf("lb-%d", i), network.VIPRequest{SubnetID: sub.ID})
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	full := 0
	for i := range 8 {
		if errors.Is(errs[i], network.ErrNoAddress) {
			full++
			continue
		}
		if errs[i] != nil {
			t.Fatalf("lb-%d: %v", i, errs[i])
		}
		if seen[got[i].Address] {
			t.Fatalf("address %s handed out twice", got[i].Address)
		}
		seen[got[i].Address] = true
	}
	if len(seen) != 5 || full != 3 {
		t.Fatalf("want 5 VIPs and 3 'full' answers, got %d and %d", len(seen), full)
	}
}

func TestOneDefaultSubnet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, st := newDriver(t)
	for _, cidr := range []string{"127.77.0.0/16", "127.88.0.0/16"} {
		if _, err := d.EnsureSubnet(ctx, cidr, "s", true); err != nil {
			t.Fatal(err)
		}
	}
	subnets, err := st.Subnets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(subnets) != 2 || !subnets[0].Default || subnets[0].CIDR != "127.88.0.0/16" || subnets[1].Default {
		t.Fatalf("subnets %+v", subnets)
	}
	if _, err := d.EnsureSubnet(ctx, "127.0.0.1/32", "x", false); err == nil {
		t.Fatal("a /32 cannot hold VIPs")
	}
}

func TestNeutronView(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, st := newDriver(t)
	sub, err := d.EnsureSubnet(ctx, "127.77.0.0/16", "lbaasd-local", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.AllocateVIP(ctx, "lb-a", network.VIPRequest{SubnetID: sub.ID}); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	local.NewAPI(st).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	getJSON := func(path string, wantStatus int) map[string]any {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != wantStatus {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	byName := getJSON("/v2.0/subnets?name=lbaasd-local", 200)["subnets"].([]any)
	if len(byName) != 1 || byName[0].(map[string]any)["id"] != sub.ID || byName[0].(map[string]any)["cidr"] != "127.77.0.0/16" {
		t.Fatalf("subnet by name: %v", byName)
	}
	pools := byName[0].(map[string]any)["allocation_pools"].([]any)
	if p := pools[0].(map[string]any); p["start"] != "127.77.0.2" || p["end"] != "127.77.255.254" {
		t.Fatalf("allocation pool %v", p)
	}
	if n := getJSON("/v2.0/subnets?name=other", 200)["subnets"].([]any); len(n) != 0 {
		t.Fatalf("filter: %v", n)
	}
	if one := getJSON("/v2.0/subnets/"+sub.ID, 200)["subnet"].(map[string]any); one["created_at"] == "0001-01-01T00:00:00Z" {
		t.Fatalf("subnet without a creation time: %v", one)
	}
	if e := getJSON("/v2.0/subnets/nope", 404)["NeutronError"].(map[string]any); e["type"] != "SubnetNotFound" {
		t.Fatalf("404 body %v", e)
	}
	nets := getJSON("/v2.0/networks?id="+sub.NetworkID, 200)["networks"].([]any)
	if len(nets) != 1 || len(nets[0].(map[string]any)["subnets"].([]any)) != 1 {
		t.Fatalf("networks %v", nets)
	}
	ports := getJSON("/v2.0/ports?device_id=lb-lb-a", 200)["ports"].([]any)
	if len(ports) != 1 {
		t.Fatalf("ports %v", ports)
	}
}
