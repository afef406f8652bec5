package apiserver

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
)

// apiError is an answer with an Octavia fault body.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

// clientError returns an error answered with the given status and
// faultstring.
func clientError(status int, msg string) error { return &apiError{status: status, msg: msg} }

// fault is the body of every error answer ([WS] wsme/api.py:format_exception).
type fault struct {
	FaultCode   string  `json:"faultcode"`
	FaultString string  `json:"faultstring"`
	DebugInfo   *string `json:"debuginfo"`
}

// writeFault writes an Octavia fault: faultcode "Client" for 4xx, "Server"
// otherwise.
func writeFault(w http.ResponseWriter, status int, msg string) {
	code := "Server"
	if status >= 400 && status < 500 {
		code = "Client"
	}
	writeJSON(w, status, fault{FaultCode: code, FaultString: msg})
}

// writeJSON writes v as the JSON body of an answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"faultcode": "Server", "faultstring": "Internal Server Error", "debuginfo": null}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError answers err: an apiError or an lb validation error with its own
// status and message, anything else with a logged 500.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	var le *lb.Error
	switch {
	case errors.As(err, &ae):
		writeFault(w, ae.status, ae.msg)
	case errors.As(err, &le):
		status := le.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		writeFault(w, status, le.Message)
	default:
		s.log.ErrorContext(r.Context(), "request failed", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Any("err", err))
		writeFault(w, http.StatusInternalServerError, "Internal Server Error")
	}
}

// Octavia's answers shared by every collection.
func notFound(resource, id string) error {
	return clientError(http.StatusNotFound, resource+" "+id+" not found.")
}

func immutable(resource, id string) error {
	return clientError(http.StatusConflict, resource+" "+id+" is immutable and cannot be updated.")
}

func lbPendingState(state, id string) error {
	return clientError(http.StatusConflict, "Invalid state "+state+" of loadbalancer resource "+id)
}

func validationFailure(detail string) error {
	return clientError(http.StatusBadRequest, "Validation failure: "+detail)
}
