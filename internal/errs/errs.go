// Package errs defines the small closed set of error kinds every module returns and the API
// maps to HTTP status codes in one place.
package errs

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error by what the caller can do about it.
type Kind int

// The error kinds. Internal is the zero value so that an unclassified error is never mistaken
// for the caller's fault.
const (
	Internal Kind = iota
	NotFound
	Invalid
	Conflict
	Stale
	Forbidden
	Unauthenticated
)

// String returns the kind's name for logs.
func (k Kind) String() string {
	switch k {
	case NotFound:
		return "not_found"
	case Invalid:
		return "invalid"
	case Conflict:
		return "conflict"
	case Stale:
		return "stale"
	case Forbidden:
		return "forbidden"
	case Unauthenticated:
		return "unauthenticated"
	default:
		return "internal"
	}
}

// FieldError names one input field and says, in words a user can act on, what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is an error with a kind, the operation that failed, a message safe to show to the user,
// and, for invalid input, one entry per offending field.
type Error struct {
	Kind    Kind
	Op      string
	Message string
	Fields  []FieldError
	Err     error
}

// Error returns the operation, the message and the wrapped error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// E returns a new error of the given kind with a user-facing message.
func E(kind Kind, op, message string) error {
	return &Error{Kind: kind, Op: op, Message: message}
}

// Wrap returns err as an error of the given kind. The message shown to users is the wrapped
// error's own message only for non-internal kinds.
func Wrap(kind Kind, op string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: kind, Op: op, Err: err}
}

// Fields returns an Invalid error listing the offending fields.
func Fields(op string, fields ...FieldError) error {
	return &Error{Kind: Invalid, Op: op, Message: "输入有误 (invalid input)", Fields: fields}
}

// KindOf returns the kind of the first *Error in err's chain, or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is of the given kind.
func Is(err error, kind Kind) bool {
	return err != nil && KindOf(err) == kind
}

// MessageOf returns the message to show a user for err: the first non-empty message in the
// chain, or an empty string for errors that carry none.
func MessageOf(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if e.Message != "" {
			return e.Message
		}
		err = e.Err
	}
	return ""
}

// FieldsOf returns the field errors of the first *Error in err's chain that has any.
func FieldsOf(err error) []FieldError {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return nil
		}
		if len(e.Fields) > 0 {
			return e.Fields
		}
		err = e.Err
	}
	return nil
}
