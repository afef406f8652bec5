package haproxy

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// haproxyBinary returns the real HAProxy binary. A missing binary fails the
// test: the renderer's output is only trusted once HAProxy accepted it.
func haproxyBinary(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("haproxy"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/haproxy"); err == nil {
		return "/usr/sbin/haproxy"
	}
	t.Fatalf("haproxy not found on PATH nor at /usr/sbin/haproxy: install haproxy: apt-get install haproxy")
	return ""
}

// haproxyCheck runs "haproxy -c -f <path>" and returns its combined output
// and whether HAProxy accepted the file.
func haproxyCheck(t testing.TB, path string) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, haproxyBinary(t), "-c", "-f", path)
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running haproxy -c: %v", err)
	}
	return out.String(), err == nil
}

// assertHAProxyAccepts writes cfg to dir/name, runs haproxy -c on it and
// fails on a refusal or on any warning.
func assertHAProxyAccepts(t testing.TB, dir, name, cfg string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	out, ok := haproxyCheck(t, path)
	if !ok {
		t.Fatalf("haproxy -c refused %s:\n%s\n--- config ---\n%s", name, out, numbered(cfg))
	}
	if strings.Contains(out, "[WARNING]") || strings.Contains(out, "[ALERT]") {
		t.Fatalf("haproxy -c warned on %s:\n%s\n--- config ---\n%s", name, out, numbered(cfg))
	}
}

func numbered(cfg string) string {
	var b strings.Builder
	for i, l := range strings.Split(cfg, "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, l)
	}
	return b.String()
}

// testPKI is a CA with a server certificate and an empty CRL, all PEM.
type testPKI struct {
	caPEM      []byte
	certKeyPEM []byte // server certificate, then the CA, then the key
	crlPEM     []byte
}

func newTestPKI(t testing.TB) *testPKI {
	t.Helper()
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "lbaas test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "www.example.com"},
		DNSNames:     []string{"www.example.com", "example.com"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	crlDER, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:     big.NewInt(1),
		ThisUpdate: now.Add(-time.Hour),
		NextUpdate: now.Add(24 * time.Hour),
	}, ca, caKey)
	if err != nil {
		t.Fatal(err)
	}
	enc := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }
	return &testPKI{
		caPEM:      enc("CERTIFICATE", caDER),
		certKeyPEM: bytes.Join([][]byte{enc("CERTIFICATE", leafDER), enc("CERTIFICATE", caDER), enc("EC PRIVATE KEY", keyDER)}, nil),
		crlPEM:     enc("X509 CRL", crlDER),
	}
}

// writeTLSFiles writes every file TLSFiles lists for the graph: crt-lists
// with their content, CA and CRL references with the CA and CRL, every other
// reference with the server certificate and key.
func writeTLSFiles(t testing.TB, l *lb.LoadBalancer, opts Options, pki *testPKI) {
	t.Helper()
	files, err := TLSFiles(l, opts)
	if err != nil {
		t.Fatalf("TLSFiles: %v", err)
	}
	kinds := map[string]string{}
	for _, li := range l.Listeners {
		kinds[li.ClientCATLSContainerRef] = "ca"
		kinds[li.ClientCRLContainerRef] = "crl"
	}
	for _, p := range l.Pools {
		kinds[p.CATLSContainerRef] = "ca"
		kinds[p.CRLContainerRef] = "crl"
	}
	for _, f := range files {
		var data []byte
		switch {
		case f.Ref == "":
			data = []byte(f.Content)
		case kinds[f.Ref] == "ca":
			data = pki.caPEM
		case kinds[f.Ref] == "crl":
			data = pki.crlPEM
		default:
			data = pki.certKeyPEM
		}
		if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f.Path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// writeStateFile writes an empty server state file (version line only):
// HAProxy warns when load-server-state-from-file finds no file, which on an
// amphora only happens before the first reload.
func writeStateFile(t testing.TB, opts Options, lbID string) {
	t.Helper()
	path := ServerStatePath(opts, lbID)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// shortTempDir is a temporary directory with a short path: HAProxy refuses
// stats socket paths longer than 97 bytes, and t.TempDir's names grow with
// the test's name.
func shortTempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "hx")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Error(err)
		}
	})
	return dir
}
