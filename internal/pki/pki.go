// Package pki is lbaasd's small certificate authority: it creates (once) and
// loads an ECDSA P-256 CA from a directory and issues the server certificates
// of amphora agents and the client certificates of controllers, so that the
// controller and the agents authenticate each other with mutual TLS.
package pki

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // subject key IDs (RFC 5280 §4.2.1.2 method 1), not a security use.
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// File names inside the CA directory.
const (
	CertFile = "ca.pem"
	KeyFile  = "ca-key.pem"
)

// CAValidity is the lifetime of a newly created CA.
const CAValidity = 10 * 365 * 24 * time.Hour

// clockSkew is how far in the past issued certificates start to be valid, so
// that a peer whose clock lags a little still accepts them.
const clockSkew = 5 * time.Minute

// CA is a loaded certificate authority. It is safe for concurrent use.
type CA struct {
	cert    *x509.Certificate
	certPEM []byte
	key     *ecdsa.PrivateKey
}

// LoadOrCreateCA loads the CA stored in dir (ca.pem and ca-key.pem) or, when
// neither file exists, creates a new ECDSA P-256 CA there. The key file is
// written with mode 0600, and a key file readable by group or others is
// refused. Creation is exclusive: concurrent callers on the same directory
// end up with the same CA.
func LoadOrCreateCA(dir string) (*CA, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("pki: creating %s: %w", dir, err)
	}
	certPath := filepath.Join(dir, CertFile)
	keyPath := filepath.Join(dir, KeyFile)
	_, kerr := os.Stat(keyPath)
	_, cerr := os.Stat(certPath)
	switch {
	case kerr == nil && cerr == nil:
		return loadCA(certPath, keyPath)
	case errors.Is(kerr, fs.ErrNotExist) && errors.Is(cerr, fs.ErrNotExist):
		return createCA(dir, certPath, keyPath)
	case kerr != nil && !errors.Is(kerr, fs.ErrNotExist):
		return nil, fmt.Errorf("pki: %w", kerr)
	case cerr != nil && !errors.Is(cerr, fs.ErrNotExist):
		return nil, fmt.Errorf("pki: %w", cerr)
	default:
		// One file without the other: another process may be creating the
		// CA right now; give it a moment, then load or give up.
		return waitAndLoad(certPath, keyPath)
	}
}

func waitAndLoad(certPath, keyPath string) (*CA, error) {
	deadline := time.Now().Add(2 * time.Second)
	for {
		_, kerr := os.Stat(keyPath)
		_, cerr := os.Stat(certPath)
		if kerr == nil && cerr == nil {
			return loadCA(certPath, keyPath)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("pki: incomplete CA: need both %s and %s", certPath, keyPath)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func createCA(dir, certPath, keyPath string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("pki: generating CA key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	skid, err := subjectKeyID(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "lbaasd CA", Organization: []string{"lbaasd"}},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              now.Add(CAValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
		SubjectKeyId:          skid,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("pki: creating CA certificate: %w", err)
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})

	// The key is committed first with an exclusive link: whoever links it
	// owns the CA; a loser loads the winner's files instead.
	tmpKey, err := writeTemp(dir, "ca-key-*.tmp", keyPEM, 0o600)
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmpKey)
	tmpCert, err := writeTemp(dir, "ca-*.tmp", certPEM, 0o644)
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmpCert)
	if err := os.Link(tmpKey, keyPath); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return waitAndLoad(certPath, keyPath)
		}
		return nil, fmt.Errorf("pki: storing CA key: %w", err)
	}
	if err := os.Link(tmpCert, certPath); err != nil {
		return nil, fmt.Errorf("pki: storing CA certificate: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	return &CA{cert: cert, certPEM: certPEM, key: key}, nil
}

func loadCA(certPath, keyPath string) (*CA, error) {
	st, err := os.Stat(keyPath)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("pki: %s has mode %04o; it must not be accessible by group or others (chmod 600)", keyPath, st.Mode().Perm())
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	cert, err := ParseCertificate(certPEM)
	if err != nil {
		return nil, fmt.Errorf("pki: %s: %w", certPath, err)
	}
	if !cert.IsCA {
		return nil, fmt.Errorf("pki: %s is not a CA certificate", certPath)
	}
	key, err := ParseECPrivateKey(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("pki: %s: %w", keyPath, err)
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || !pub.Equal(&key.PublicKey) {
		return nil, fmt.Errorf("pki: %s does not match the key in %s", certPath, keyPath)
	}
	return &CA{cert: cert, certPEM: certPEM, key: key}, nil
}

// Certificate returns the CA certificate.
func (ca *CA) Certificate() *x509.Certificate { return ca.cert }

// CertPEM returns the CA certificate in PEM form, as distributed to agents
// and controllers.
func (ca *CA) CertPEM() []byte { return bytes.Clone(ca.certPEM) }

// Pool returns a new certificate pool holding only this CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// NotAfter is the CA's own expiry.
func (ca *CA) NotAfter() time.Time { return ca.cert.NotAfter }

// IssueServer issues a TLS server certificate with a fresh P-256 key. The
// commonName is also added as a DNS subject alternative name (unless it is an
// IP address, then as an IP SAN), because TLS clients check SANs only: for an
// amphora agent commonName is the amphora ID, which the controller verifies as
// the server name. The validity is capped at the CA's own expiry.
func (ca *CA) IssueServer(commonName string, ips []net.IP, dnsNames []string, validity time.Duration) (certPEM, keyPEM []byte, err error) {
	if commonName == "" {
		return nil, nil, errors.New("pki: server certificate needs a common name")
	}
	dns := append([]string(nil), dnsNames...)
	ipSANs := append([]net.IP(nil), ips...)
	if ip := net.ParseIP(commonName); ip != nil {
		if !slices.ContainsFunc(ipSANs, ip.Equal) {
			ipSANs = append(ipSANs, ip)
		}
	} else if !slices.Contains(dns, commonName) {
		dns = append([]string{commonName}, dns...)
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: commonName, Organization: []string{"lbaasd"}},
		DNSNames:    dns,
		IPAddresses: ipSANs,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	return ca.issue(tmpl, validity)
}

// IssueClient issues a TLS client certificate (for a controller) with a
// fresh P-256 key and the given common name. The validity is capped at the
// CA's own expiry.
func (ca *CA) IssueClient(name string, validity time.Duration) (certPEM, keyPEM []byte, err error) {
	if name == "" {
		return nil, nil, errors.New("pki: client certificate needs a name")
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: name, Organization: []string{"lbaasd"}},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	return ca.issue(tmpl, validity)
}

func (ca *CA) issue(tmpl *x509.Certificate, validity time.Duration) (certPEM, keyPEM []byte, err error) {
	if validity <= 0 {
		return nil, nil, fmt.Errorf("pki: validity must be positive, got %s", validity)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("pki: generating key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl.SerialNumber = serial
	tmpl.NotBefore = now.Add(-clockSkew)
	tmpl.NotAfter = now.Add(validity)
	if tmpl.NotAfter.After(ca.cert.NotAfter) {
		tmpl.NotAfter = ca.cert.NotAfter
	}
	tmpl.BasicConstraintsValid = true
	tmpl.AuthorityKeyId = ca.cert.SubjectKeyId
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, nil, fmt.Errorf("pki: issuing certificate: %w", err)
	}
	keyPEM, err = encodeKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), keyPEM, nil
}

// ParseCertificate parses the first CERTIFICATE block of a PEM document.
func ParseCertificate(certPEM []byte) (*x509.Certificate, error) {
	rest := certPEM
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, errors.New("no CERTIFICATE PEM block")
		}
		if b.Type == "CERTIFICATE" {
			return x509.ParseCertificate(b.Bytes)
		}
	}
}

// ParseECPrivateKey parses an ECDSA private key from a PEM "PRIVATE KEY"
// (PKCS #8) or "EC PRIVATE KEY" (SEC 1) block.
func ParseECPrivateKey(keyPEM []byte) (*ecdsa.PrivateKey, error) {
	rest := keyPEM
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, errors.New("no private key PEM block")
		}
		switch b.Type {
		case "EC PRIVATE KEY":
			return x509.ParseECPrivateKey(b.Bytes)
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
			if err != nil {
				return nil, err
			}
			ek, ok := k.(*ecdsa.PrivateKey)
			if !ok {
				return nil, fmt.Errorf("private key is %T, want ECDSA", k)
			}
			return ek, nil
		}
	}
}

// NotAfter returns the expiry of the first certificate in certPEM.
func NotAfter(certPEM []byte) (time.Time, error) {
	c, err := ParseCertificate(certPEM)
	if err != nil {
		return time.Time{}, fmt.Errorf("pki: %w", err)
	}
	return c.NotAfter, nil
}

// ExpiresWithin reports whether the first certificate in certPEM is expired
// at now or will expire within d of now: the signal to issue a new one.
func ExpiresWithin(certPEM []byte, now time.Time, d time.Duration) (bool, error) {
	na, err := NotAfter(certPEM)
	if err != nil {
		return false, err
	}
	return !now.Add(d).Before(na), nil
}

func encodeKey(key *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("pki: encoding key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func randomSerial() (*big.Int, error) {
	s, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("pki: serial number: %w", err)
	}
	return s.Add(s, big.NewInt(1)), nil
}

func subjectKeyID(pub *ecdsa.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	sum := sha1.Sum(der) //nolint:gosec // RFC 5280 §4.2.1.2 method 1, not a security use.
	return sum[:], nil
}

func writeTemp(dir, pattern string, data []byte, perm os.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", fmt.Errorf("pki: %w", err)
	}
	name := f.Name()
	err = f.Chmod(perm)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("pki: writing %s: %w", name, err)
	}
	return name, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("pki: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("pki: syncing %s: %w", dir, err)
	}
	return nil
}
