package container

// Error is a failed run with the exit status that reports it: 125 for
// nsexec's own failures, 126 when CMD is not executable, 127 when it is not
// found.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }
