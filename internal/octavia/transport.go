package octavia

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// requestInfo travels in a request's context so that CheckRetry, which sees
// no request when the connection failed, knows the method.
type requestInfo struct {
	method, url string
}

type requestInfoKey struct{}

// requestTimeout bounds a request whose context has no deadline of its own
// (gophercloud's endpoint discovery runs with context.TODO).
const requestTimeout = 2 * time.Minute

// markRequest puts the method and URL of each request into its context
// before the retrying transport sees it, and bounds requests that carry no
// deadline.
type markRequest struct{ next http.RoundTripper }

func (m markRequest) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx := context.WithValue(r.Context(), requestInfoKey{}, requestInfo{method: r.Method, url: r.URL.Redacted()})
	if _, ok := ctx.Deadline(); ok {
		return m.next.RoundTrip(r.WithContext(ctx))
	}
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	resp, err := m.next.RoundTrip(r.WithContext(ctx))
	if err != nil || resp == nil || resp.Body == nil {
		cancel()
		return resp, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose ends a request's context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// idempotent tells the methods the transport may repeat.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// httpClient returns gophercloud's HTTP client: go-retryablehttp over a
// transport with the TLS settings, retrying connection errors, 429 and 5xx
// (but 501) of GET, HEAD, PUT and DELETE only. A POST is never repeated by
// the transport; creates decide themselves (see create).
func (c *Client) httpClient(tlsCfg *tls.Config) *http.Client {
	base, ok := http.DefaultTransport.(*http.Transport)
	var tr *http.Transport
	if ok {
		tr = base.Clone()
	} else {
		tr = &http.Transport{Proxy: http.ProxyFromEnvironment}
	}
	tr.TLSClientConfig = tlsCfg
	rc := &retryablehttp.Client{
		HTTPClient:   &http.Client{Transport: tr},
		Logger:       nil, // never to stderr: retries go to Logf
		RetryWaitMin: c.poll.Initial,
		RetryWaitMax: c.poll.Max,
		RetryMax:     c.maxRetries,
		CheckRetry:   c.checkRetry,
		Backoff:      c.retryBackoff,
		ErrorHandler: lastAnswer,
	}
	return &http.Client{Transport: markRequest{next: rc.StandardClient().Transport}}
}

// lastAnswer hands the last answer (a 5xx with its faultstring) to
// gophercloud rather than a "giving up" error; with an error, any answer is
// dropped (a RoundTripper returns one or the other).
func lastAnswer(resp *http.Response, err error, _ int) (*http.Response, error) {
	if err != nil {
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		return nil, err
	}
	return resp, nil
}

// checkRetry is the transport's retry policy.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	info, _ := ctx.Value(requestInfoKey{}).(requestInfo)
	if !idempotent(info.method) {
		return false, nil
	}
	retry, _ := retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	if retry {
		kv := []any{"method", info.method, "url", info.url}
		if err != nil {
			kv = append(kv, "error", err.Error())
		} else {
			kv = append(kv, "status", resp.StatusCode)
		}
		c.logf(ctx, "octavia: retrying request", kv...)
	}
	return retry, nil
}

// retryBackoff is the transport's wait before retry attempt+1: doubling
// from PollConfig.Initial up to PollConfig.Max, with jitter, or the
// Retry-After of a 429 or 503 up to the same cap.
func (c *Client) retryBackoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			return min(time.Duration(s)*time.Second, hi)
		}
	}
	d := lo
	for range attempt {
		if d *= 2; d >= hi {
			d = hi
			break
		}
	}
	return jitter(d, c.poll.Jitter, hi)
}

// jitter moves d by up to ±frac of itself, never above hi.
func jitter(d time.Duration, frac float64, hi time.Duration) time.Duration {
	if frac > 0 {
		d = time.Duration(float64(d) * (1 + frac*(2*rand.Float64()-1))) // #nosec G404 -- jitter, not a secret
	}
	return min(d, hi)
}

// neverSent tells a failure that happened before the request could reach
// the server: dialing, name resolution, TLS verification.
func neverSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify)
}
