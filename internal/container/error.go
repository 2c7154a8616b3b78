package container

import (
	"errors"
	"fmt"
	"strings"

	"nsexec/internal/spec"
)

// Error is a failed run with the exit status that reports it: 125 for
// nsexec's own failures, 126 when CMD is not executable, 127 when it is not
// found. Field, when set, is the spec field the failure is about
// ("process.cwd"), which each front end names its own way (--chdir); the
// message then follows the field's name ("/x: no such file").
type Error struct {
	Code  int
	Field string
	Err   error
}

func (e *Error) Error() string { return e.Field + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Worded is the error's message with its field named by name.
func (e *Error) Worded(name func(field string) string) string {
	if e.Field == "" {
		return e.Err.Error()
	}
	return name(e.Field) + e.Err.Error()
}

// initFailure reads what the init reported: "@FIELD rest" names the spec
// field the failure is about, up to the first space or colon.
func initFailure(code int, msg string) *Error {
	if field, ok := strings.CutPrefix(msg, "@"); ok {
		if i := strings.IndexAny(field, " :"); i > 0 {
			return &Error{Code: code, Field: field[:i], Err: errors.New(field[i:])}
		}
	}
	return &Error{Code: code, Err: errors.New(msg)}
}

// fieldError is a failure about a field of the spec: the message follows
// the field's name ("join.target web: no running instance"), which each
// front end words its own way (--join). It keeps the exit status of an
// *Error it wraps.
func fieldError(field spec.Field, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	code := 125
	var inner *Error
	if errors.As(err, &inner) {
		code = inner.Code
	}
	sep := " " // "join.target web: ...", "process.tty: ..."
	if strings.HasPrefix(err.Error(), ":") {
		sep = ""
	}
	return &Error{Code: code, Field: string(field), Err: fmt.Errorf("%s%w", sep, err)}
}
