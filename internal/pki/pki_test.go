package pki_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/pki"
)

const amphoraID = "7f0c3b1e-5a3d-4b8e-9c52-0d6f2f1f9a10"

func TestLoadOrCreateCAIsCreatedOnceAndReused(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "ca")
	ca1, err := pki.LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, pki.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o600 {
		t.Fatalf("key mode %04o, want 0600", got)
	}
	if !ca1.Certificate().IsCA {
		t.Fatal("CA certificate is not a CA")
	}
	if pub, ok := ca1.Certificate().PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
		t.Fatalf("CA key is %T, want ECDSA P-256", ca1.Certificate().PublicKey)
	}
	ca2, err := pki.LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ca1.CertPEM(), ca2.CertPEM()) {
		t.Fatal("second LoadOrCreateCA created a new CA instead of loading the first")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("CA dir holds %d files, want 2 (no temp files left)", len(entries))
	}
}

func TestLoadOrCreateCAConcurrent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const n = 4
	pems := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ca, err := pki.LoadOrCreateCA(dir)
			errs[i] = err
			if err == nil {
				pems[i] = ca.CertPEM()
			}
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if !bytes.Equal(pems[0], pems[i]) {
			t.Fatalf("caller %d got a different CA", i)
		}
	}
}

func TestLoadCARefusesLooseKeyPermissions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := pki.LoadOrCreateCA(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, pki.KeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := pki.LoadOrCreateCA(dir)
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("want a permission error, got %v", err)
	}
}

func TestLoadCAIncomplete(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := pki.LoadOrCreateCA(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, pki.CertFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := pki.LoadOrCreateCA(dir); err == nil || !strings.Contains(err.Error(), "incomplete CA") {
		t.Fatalf("want incomplete CA error, got %v", err)
	}
}

func TestLoadCAMismatchedKey(t *testing.T) {
	t.Parallel()
	a, b := t.TempDir(), t.TempDir()
	if _, err := pki.LoadOrCreateCA(a); err != nil {
		t.Fatal(err)
	}
	if _, err := pki.LoadOrCreateCA(b); err != nil {
		t.Fatal(err)
	}
	other, err := os.ReadFile(filepath.Join(b, pki.CertFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(a, pki.CertFile), other, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := pki.LoadOrCreateCA(a); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Fatalf("want key mismatch error, got %v", err)
	}
}

func TestIssueServerNamesTheAmphora(t *testing.T) {
	t.Parallel()
	ca, err := pki.LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.IssueServer(amphoraID, []net.IP{net.ParseIP("127.0.0.1")}, nil, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tls.X509KeyPair(certPEM, keyPEM); err != nil {
		t.Fatalf("cert and key do not pair: %v", err)
	}
	cert, err := pki.ParseCertificate(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	if cert.Subject.CommonName != amphoraID {
		t.Fatalf("CN %q", cert.Subject.CommonName)
	}
	opts := x509.VerifyOptions{Roots: ca.Pool(), DNSName: amphoraID, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	if _, err := cert.Verify(opts); err != nil {
		t.Fatalf("verify as %s: %v", amphoraID, err)
	}
	opts.DNSName = "another-amphora"
	if _, err := cert.Verify(opts); err == nil {
		t.Fatal("certificate verified for another amphora id")
	}
	if err := cert.VerifyHostname("127.0.0.1"); err != nil {
		t.Fatalf("IP SAN: %v", err)
	}
	if got := time.Until(cert.NotAfter); got < 23*time.Hour || got > 25*time.Hour {
		t.Fatalf("validity %s, want about 24h", got)
	}
	if _, err := x509.ParsePKCS8PrivateKey(mustPEMBytes(t, keyPEM)); err != nil {
		t.Fatalf("key is not PKCS#8: %v", err)
	}
}

func TestIssueCapsValidityAtCAExpiry(t *testing.T) {
	t.Parallel()
	ca, err := pki.LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	certPEM, _, err := ca.IssueClient("controller", 2*pki.CAValidity)
	if err != nil {
		t.Fatal(err)
	}
	na, err := pki.NotAfter(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	if na.After(ca.NotAfter()) {
		t.Fatalf("certificate outlives its CA: %s > %s", na, ca.NotAfter())
	}
	if _, _, err := ca.IssueClient("controller", 0); err == nil {
		t.Fatal("zero validity accepted")
	}
	if _, _, err := ca.IssueServer("", nil, nil, time.Hour); err == nil {
		t.Fatal("empty common name accepted")
	}
}

func TestExpiresWithin(t *testing.T) {
	t.Parallel()
	ca, err := pki.LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	certPEM, _, err := ca.IssueClient("controller", 48*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tests := []struct {
		name string
		now  time.Time
		d    time.Duration
		want bool
	}{
		{"fresh", now, 24 * time.Hour, false},
		{"within window", now, 72 * time.Hour, true},
		{"already expired", now.Add(49 * time.Hour), 0, true},
	}
	for _, tc := range tests {
		got, err := pki.ExpiresWithin(certPEM, tc.now, tc.d)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s: ExpiresWithin = %v, want %v", tc.name, got, tc.want)
		}
	}
	if _, err := pki.ExpiresWithin([]byte("not pem"), now, 0); err == nil {
		t.Fatal("garbage accepted")
	}
}

// TestMutualTLS checks the certificates in the way the agent uses them: a
// server requiring client certificates from the CA, and a client checking
// that the server is the expected amphora.
func TestMutualTLS(t *testing.T) {
	t.Parallel()
	ca, err := pki.LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	otherCA, err := pki.LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srvCert, srvKey, err := ca.IssueServer(amphoraID, []net.IP{net.ParseIP("127.0.0.1")}, nil, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(srvCert, srvKey)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{pair},
		ClientCAs:    ca.Pool(),
		ClientAuth:   tls.RequireAndVerifyClientCert,
		MinVersion:   tls.VersionTLS12,
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)

	clientFrom := func(t *testing.T, issuer *pki.CA, serverName string) *http.Client {
		t.Helper()
		c, k, err := issuer.IssueClient("controller", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		kp, err := tls.X509KeyPair(c, k)
		if err != nil {
			t.Fatal(err)
		}
		return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
			Certificates: []tls.Certificate{kp}, RootCAs: ca.Pool(), ServerName: serverName, MinVersion: tls.VersionTLS12,
		}}}
	}
	get := func(c *http.Client) (string, error) {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		if err != nil {
			return "", err
		}
		resp, err := c.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}

	if body, err := get(clientFrom(t, ca, amphoraID)); err != nil || body != "controller" {
		t.Fatalf("good client: %q, %v", body, err)
	}
	if _, err := get(clientFrom(t, otherCA, amphoraID)); err == nil {
		t.Fatal("client certificate from another CA accepted")
	}
	var herr x509.HostnameError
	if _, err := get(clientFrom(t, ca, "another-amphora")); !errors.As(err, &herr) {
		t.Fatalf("want a hostname error for the wrong amphora id, got %v", err)
	}
}

func mustPEMBytes(t *testing.T, p []byte) []byte {
	t.Helper()
	b, _ := pem.Decode(p)
	if b == nil {
		t.Fatal("no PEM block")
	}
	return b.Bytes
}
