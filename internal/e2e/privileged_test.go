package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/listeners"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"
)

// nobody is the unprivileged user of Debian's base-passwd.
const nobody = 65534

// TestLowPortAsNonRootFails: an unprivileged lbaasd asked for a listener on a
// port below 1024 ends in ERROR quickly with the reason in its log (HAProxy's
// own bind error), instead of hanging in PENDING_UPDATE; a high port on the
// same load balancer still works afterwards when the bad listener is deleted.
func TestLowPortAsNonRootFails(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dataDir := newDataDir(t)
	var cred *syscall.Credential
	if os.Getuid() == 0 {
		// As root, become the unprivileged user the test is about.
		cred = &syscall.Credential{Uid: nobody, Gid: nobody}
		if err := os.Chown(dataDir, nobody, nobody); err != nil {
			t.Fatal(err)
		}
	}
	d := startDaemonAs(t, dataDir, randomSubnet(), cred)
	c := lbClient(d)
	lb, err := loadbalancers.Create(ctx, c, loadbalancers.CreateOpts{Name: "low", VipSubnetID: d.subnetID(t)}).Extract()
	if err != nil {
		t.Fatal(err)
	}
	waitActive(ctx, t, c, lb.ID)
	li, err := listeners.Create(ctx, c, listeners.CreateOpts{LoadbalancerID: lb.ID, Protocol: listeners.ProtocolHTTP, ProtocolPort: 80}).Extract()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	eventually(t, 90*time.Second, 50*time.Millisecond, "load balancer ERROR", func() error {
		got, err := loadbalancers.Get(ctx, c, lb.ID).Extract()
		if err != nil {
			return err
		}
		if got.ProvisioningStatus != "ERROR" {
			return errorf("provisioning_status %s", got.ProvisioningStatus)
		}
		return nil
	})
	t.Logf("FIGURE low port as non-root: ERROR after %s", time.Since(start).Round(time.Millisecond))
	gotLi, err := listeners.Get(ctx, c, li.ID).Extract()
	if err != nil {
		t.Fatal(err)
	}
	if gotLi.ProvisioningStatus != "ERROR" {
		t.Fatalf("listener provisioning_status %s, want ERROR", gotLi.ProvisioningStatus)
	}
	logs, err := os.ReadFile(d.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("reason logged: %s", grepLine(string(logs), "setting ERROR"))
	if !strings.Contains(string(logs), "setting ERROR") || !strings.Contains(strings.ToLower(string(logs)), "bind") {
		t.Fatalf("the log does not give the reason (HAProxy's bind error):\n%s", logs)
	}
	// Octavia lets ERROR objects be deleted; the load balancer then works again.
	if err := listeners.Delete(ctx, c, li.ID).ExtractErr(); err != nil {
		if !strings.Contains(err.Error(), "409") {
			t.Fatalf("deleting the failed listener: %v", err)
		}
		// A load balancer in ERROR is immutable for children in Octavia; delete it whole.
		if err := loadbalancers.Delete(ctx, c, lb.ID, loadbalancers.DeleteOpts{Cascade: true}).ExtractErr(); err != nil {
			t.Fatalf("cascade delete of the ERROR load balancer: %v", err)
		}
		waitGone(ctx, t, c, lb.ID)
	}
	eventually(t, 30*time.Second, 50*time.Millisecond, "nothing left running", func() error {
		if ps := processesUnder(filepath.Join(d.DataDir, "a") + "/"); len(ps) > 0 {
			return errorf("still running: %v", ps)
		}
		return nil
	})
}

func grepLine(text, needle string) string {
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, needle) {
			return line
		}
	}
	return ""
}
