// Package fault is the project's error vocabulary: a code for each kind of
// failure and a message safe to show, shared by every room from the labs to
// the handlers, which map codes to HTTP statuses.
package fault

import (
	"errors"
	"fmt"
	"time"
)

// Code is one word of the project's error vocabulary. Every package returns
// errors whose code the HTTP layer maps to a status; anything without a code
// is an internal error, logged and never shown to clients.
type Code string

// The error codes, from the store up to the handlers.
const (
	EINVALID      Code = "invalid"            // the request is malformed or out of range
	ENOTFOUND     Code = "not_found"          // no such thing, or not the caller's
	ECONFLICT     Code = "conflict"           // the thing exists or is in the wrong state
	EUNAUTHORIZED Code = "unauthorized"       // the caller must log in
	EFORBIDDEN    Code = "forbidden"          // the caller may not do this
	ETOOLARGE     Code = "too_large"          // a body or message over its limit
	EFULL         Code = "full"               // the host has no room; try again later
	EUNAVAILABLE  Code = "unavailable"        // a dependency (engine, node, database) is down
	ERATELIMITED  Code = "rate_limited"       // too many attempts; try again later
	ENOTALLOWED   Code = "method_not_allowed" // the path exists, not with this method
	EINTERNAL     Code = "internal"           // a bug or an unexpected failure
)

// Error is an error with a code and a message safe to show to a user.
type Error struct {
	Code    Code
	Message string
	// RetryAfter, when set, tells the client when to try again (EFULL, ERATELIMITED).
	RetryAfter time.Duration
	// Err is the underlying cause, kept for logs; it is never shown to clients.
	Err error
}

// Error returns the message with the code, for logs.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with the given code and message that keeps err as
// its cause, for logs.
func Wrap(code Code, err error, message string) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

// ErrorCode returns the code of err, or EINTERNAL when err carries none.
// It returns the empty code for a nil error.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; errors without a code
// get a generic message so internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "Internal error."
}
