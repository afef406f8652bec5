package agent

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxReplyBytes bounds what the client reads from the agent.
const maxReplyBytes = 64 << 20

// Client talks to one amphora agent over mutual TLS. It verifies the agent's
// certificate against the CA in its TLS configuration and that the
// certificate names the amphora ID (the TLS server name), as Octavia's
// controller does. Calls are bounded by their context; retries are the
// caller's business. Errors from the agent are *APIError.
type Client struct {
	base      *url.URL
	amphoraID string
	hc        *http.Client
}

// ClientTLSConfig builds the controller side of the mutual TLS: its client
// certificate and key, and the CA pool that verifies agents.
func ClientTLSConfig(certPEM, keyPEM []byte, roots *x509.CertPool) (*tls.Config, error) {
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("agent client certificate: %w", err)
	}
	if roots == nil {
		return nil, errors.New("agent client: a CA pool is required")
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, RootCAs: roots, MinVersion: tls.VersionTLS12}, nil
}

// NewClient returns a client of the agent at baseURL (https://host:port)
// that must present a certificate for amphoraID signed by a CA in
// tlsCfg.RootCAs; tlsCfg is cloned and its ServerName replaced by amphoraID.
func NewClient(baseURL, amphoraID string, tlsCfg *tls.Config) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("agent client: %w", err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("agent client: base URL %q must be https://host:port", baseURL)
	}
	if amphoraID == "" {
		return nil, errors.New("agent client: amphora id is required")
	}
	if tlsCfg == nil || tlsCfg.RootCAs == nil {
		return nil, errors.New("agent client: a TLS configuration with RootCAs is required")
	}
	tc := tlsCfg.Clone()
	tc.ServerName = amphoraID
	if tc.MinVersion < tls.VersionTLS12 {
		tc.MinVersion = tls.VersionTLS12
	}
	tr := &http.Transport{
		TLSClientConfig:     tc,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return &Client{base: u, amphoraID: amphoraID, hc: &http.Client{Transport: tr}}, nil
}

// AmphoraID is the amphora this client verifies.
func (c *Client) AmphoraID() string { return c.amphoraID }

// Close releases idle connections.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

// Version calls GET / and returns the API version.
func (c *Client) Version(ctx context.Context) (string, error) {
	var v VersionInfo
	if err := c.doJSON(ctx, http.MethodGet, "/", nil, "", &v, http.StatusOK); err != nil {
		return "", err
	}
	return v.APIVersion, nil
}

// Info calls GET /1.0/info.
func (c *Client) Info(ctx context.Context) (Info, error) {
	var v Info
	err := c.doJSON(ctx, http.MethodGet, "/1.0/info", nil, "", &v, http.StatusOK)
	return v, err
}

// PutConfig uploads an HAProxy configuration as revision rev. The agent
// validates it with `haproxy -c` and stores it; HAProxy loads it on the next
// start or reload.
func (c *Client) PutConfig(ctx context.Context, lbID string, rev int64, cfg []byte) (PutConfigResult, error) {
	var v PutConfigResult
	p := c.lbPath(lbID, "haproxy") + "?revision=" + strconv.FormatInt(rev, 10)
	err := c.doJSON(ctx, http.MethodPut, p, cfg, "text/plain", &v, http.StatusAccepted)
	return v, err
}

// Config returns the stored configuration of a load balancer and its
// revision.
func (c *Client) Config(ctx context.Context, lbID string) ([]byte, int64, error) {
	resp, err := c.do(ctx, http.MethodGet, c.lbPath(lbID, "haproxy"), nil, "")
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, readAPIError(resp)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes))
	if err != nil {
		return nil, 0, fmt.Errorf("agent: reading configuration: %w", err)
	}
	rev, err := strconv.ParseInt(resp.Header.Get("X-Revision"), 10, 64)
	if err != nil {
		return nil, 0, fmt.Errorf("agent: bad X-Revision %q", resp.Header.Get("X-Revision"))
	}
	return body, rev, nil
}

// Action runs start, stop or reload on a load balancer's HAProxy.
func (c *Client) Action(ctx context.Context, lbID, action string) error {
	var v ActionResult
	return c.doJSON(ctx, http.MethodPut, c.lbPath(lbID, action), nil, "", &v, http.StatusAccepted)
}

// Delete stops a load balancer's HAProxy and removes its files; deleting an
// unknown load balancer succeeds.
func (c *Client) Delete(ctx context.Context, lbID string) error {
	var v ActionResult
	return c.doJSON(ctx, http.MethodDelete, c.lbPath(lbID, ""), nil, "", &v, http.StatusOK)
}

// Stats returns HAProxy's `show stat` rows for a load balancer.
func (c *Client) Stats(ctx context.Context, lbID string) ([]StatRow, error) {
	var v StatsResult
	err := c.doJSON(ctx, http.MethodGet, c.lbPath(lbID, "stats"), nil, "", &v, http.StatusOK)
	return v.Stats, err
}

// Status returns whether a load balancer's HAProxy runs, and its revisions.
func (c *Client) Status(ctx context.Context, lbID string) (Status, error) {
	var v Status
	err := c.doJSON(ctx, http.MethodGet, c.lbPath(lbID, "status"), nil, "", &v, http.StatusOK)
	return v, err
}

func (c *Client) lbPath(lbID, tail string) string {
	p := "/1.0/loadbalancer/" + url.PathEscape(lbID)
	if tail != "" {
		p += "/" + url.PathEscape(tail)
	}
	return p
}

func (c *Client) do(ctx context.Context, method, pathQuery string, body []byte, contentType string) (*http.Response, error) {
	path, query, _ := strings.Cut(pathQuery, "?")
	u := *c.base
	u.Path = c.base.Path + path
	u.RawPath = ""
	u.RawQuery = query
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("agent %s: %w", c.amphoraID, err)
	}
	return resp, nil
}

func (c *Client) doJSON(ctx context.Context, method, path string, body []byte, contentType string, out any, want int) error {
	resp, err := c.do(ctx, method, path, body, contentType)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		return readAPIError(resp)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxReplyBytes)).Decode(out); err != nil {
		return fmt.Errorf("agent %s: decoding %s %s: %w", c.amphoraID, method, path, err)
	}
	return nil
}

func readAPIError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	e := &APIError{StatusCode: resp.StatusCode}
	var raw struct {
		Message string          `json:"message"`
		Details json.RawMessage `json:"details"`
	}
	if json.Unmarshal(b, &raw) == nil && raw.Message != "" {
		e.Message = raw.Message
		var s string
		if json.Unmarshal(raw.Details, &s) == nil {
			e.Details = s
		} else if len(raw.Details) > 0 && string(raw.Details) != "null" {
			e.Details = string(raw.Details)
		}
		return e
	}
	e.Message = http.StatusText(resp.StatusCode)
	e.Details = truncate(string(b), 500)
	return e
}
