package lb

import (
	"fmt"
	"net/http"
	"strings"
)

// Error is a rule violation. Status is the HTTP status Octavia answers it
// with, Field the Octavia JSON name (dotted for nested fields, e.g.
// "session_persistence.cookie_name") of the offending field, and Message
// Octavia's own faultstring for it.
type Error struct {
	Status  int
	Field   string
	Message string
}

func (e *Error) Error() string { return e.Message }

// invalidInput is wsme's type, enum, range and pattern failure:
// "Invalid input for field/attribute <field>. Value: '<value>'. <reason>".
func invalidInput(field string, value any, reason string) *Error {
	name := field
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		name = field[i+1:]
	}
	return &Error{
		Status:  http.StatusBadRequest,
		Field:   field,
		Message: fmt.Sprintf("Invalid input for field/attribute %s. Value: '%v'. %s", name, value, reason),
	}
}

// validationFailure is Octavia's ValidationException.
func validationFailure(field, detail string) *Error {
	return &Error{Status: http.StatusBadRequest, Field: field, Message: "Validation failure: " + detail}
}

// invalidOption is Octavia's InvalidOption: "<value> is not a valid option for <option>".
func invalidOption(field string, value any, option string) *Error {
	return &Error{Status: http.StatusBadRequest, Field: field, Message: fmt.Sprintf("%v is not a valid option for %s", value, option)}
}

// conflict is one of Octavia's 409 answers (duplicates, one-per-parent rules).
func conflict(field, message string) *Error {
	return &Error{Status: http.StatusConflict, Field: field, Message: message}
}

// notFound is Octavia's NotFound or InvalidSubresource for a referenced object.
func notFound(field, resource, id string) *Error {
	return &Error{Status: http.StatusNotFound, Field: field, Message: fmt.Sprintf("%s %s not found.", resource, id)}
}

// notImplemented is the amphora provider's UnsupportedOptionError.
func notImplemented(field, message string) *Error {
	return &Error{
		Status:  http.StatusNotImplemented,
		Field:   field,
		Message: "Provider 'amphora' does not support a requested option: " + message,
	}
}
