package octavia

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
)

// APIError is an answer of the API outside the expected codes. FaultString
// is Octavia's faultstring (or the start of the body when there is none).
// A 404 satisfies errors.Is(err, ErrNotFound).
type APIError struct {
	StatusCode  int
	FaultString string
	Method, URL string
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.FaultString != "" {
		msg += ": " + e.FaultString
	}
	return msg
}

// Is makes a 404 match ErrNotFound.
func (e *APIError) Is(target error) bool {
	return target == ErrNotFound && e.StatusCode == http.StatusNotFound
}

// Unwrap lets errors.Is(err, context.DeadlineExceeded) hold for a wait that
// ran out of time.
func (e *TimeoutError) Unwrap() error { return context.DeadlineExceeded }

// AmbiguousCreateError is a create whose outcome stayed unknown: every
// attempt failed in a way that does not tell whether the object was made
// (connection lost, 5xx), and the lookups afterwards found nothing
// certain. Candidates lists the IDs that matched when more than one did.
type AmbiguousCreateError struct {
	Kind       string
	Attempts   int
	Candidates []string
	Err        error // the last failure
}

func (e *AmbiguousCreateError) Error() string {
	if len(e.Candidates) > 1 {
		return fmt.Sprintf("creating %s: the outcome of a create was lost (%v) and %d existing objects match it (%s): import the right one",
			e.Kind, e.Err, len(e.Candidates), strings.Join(e.Candidates, ", "))
	}
	return fmt.Sprintf("creating %s: gave up after %d attempts whose outcome is unknown: %v", e.Kind, e.Attempts, e.Err)
}

func (e *AmbiguousCreateError) Unwrap() error { return e.Err }

// asAPIError turns gophercloud's response-code errors into *APIError and
// leaves the rest alone.
func asAPIError(err error) error {
	if err == nil {
		return nil
	}
	var rc gophercloud.ErrUnexpectedResponseCode
	if !errors.As(err, &rc) {
		var prc *gophercloud.ErrUnexpectedResponseCode
		if !errors.As(err, &prc) {
			return err
		}
		rc = *prc
	}
	return &APIError{
		StatusCode:  rc.Actual,
		FaultString: faultString(rc.Body),
		Method:      rc.Method,
		URL:         rc.URL,
	}
}

// faultString extracts Octavia's faultstring ({"faultstring": …}, or a
// Keystone-style {"error": {"message": …}}) from an error body.
func faultString(body []byte) string {
	var f struct {
		FaultString string `json:"faultstring"`
		Description string `json:"description"`
		Message     string `json:"message"`
		Error       struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &f) == nil {
		for _, s := range []string{f.FaultString, f.Error.Message, f.Description, f.Message} {
			if s != "" {
				return s
			}
		}
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 512 {
		s = s[:512] + "…"
	}
	return s
}

// statusOf returns the HTTP status of an API error, or 0.
func statusOf(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.StatusCode
	}
	return 0
}

// immutableRE matches Octavia's ImmutableObject and LBPendingStateError
// faultstrings.
var (
	immutableRE = regexp.MustCompile(`^(.+?) (\S+) is immutable and cannot be updated`)
	pendingRE   = regexp.MustCompile(`^Invalid state (\S+) of loadbalancer resource (\S+)`)
)

// blocker is what a 409 says is busy: the load balancer, or a pool, a
// listener or an L7 policy that must be ACTIVE first.
type blocker struct {
	resource string // normalized: "loadbalancer", "pool", "listener", "l7policy", …
	id       string
}

// busyConflict tells a 409 that only says "not now" (an object is in a
// PENDING_* state, or in ERROR) from the 409s that will not change by
// waiting (duplicates, objects in use).
func busyConflict(err error) (blocker, bool) {
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusConflict {
		return blocker{}, false
	}
	if m := pendingRE.FindStringSubmatch(ae.FaultString); m != nil {
		return blocker{resource: "loadbalancer", id: m[2]}, true
	}
	if m := immutableRE.FindStringSubmatch(ae.FaultString); m != nil {
		r := strings.ToLower(strings.ReplaceAll(m[1], " ", ""))
		return blocker{resource: r, id: m[2]}, true
	}
	return blocker{}, false
}

// isConflict tells any 409.
func isConflict(err error) bool { return statusOf(err) == http.StatusConflict }

// ambiguous tells a failed POST whose outcome is unknown: no answer
// (connection lost after the request may have been sent, a body that could
// not be read) or a 5xx other than 501. A 4xx, a 501 and a failure before
// anything was sent are certain.
func ambiguous(err error) bool {
	if err == nil {
		return false
	}
	if s := statusOf(err); s != 0 {
		return s >= 500 && s != http.StatusNotImplemented
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	return !neverSent(err)
}
