// Package errform checks that an error reads as the project's errors do,
// "what: why" on one line, for fuzz targets that feed parsers arbitrary
// input. It imports nothing of nsexec, so that any package's tests can use
// it (testutil itself imports packages that would make a cycle).
package errform

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Check reports how err's message breaks the form, or nil: one line of
// valid UTF-8 (an input echoed into it must be quoted), "what: why" with
// both parts non-empty, no surrounding space, no final punctuation, and no
// "nsexec: " prefix (main adds it once).
func Check(err error) error {
	msg := err.Error()
	what, why, ok := strings.Cut(msg, ": ")
	switch {
	case !utf8.ValidString(msg):
		return fmt.Errorf("error %q: not valid UTF-8", msg)
	case strings.ContainsAny(msg, "\n\r"):
		return fmt.Errorf("error %q: more than one line", msg)
	case !ok || strings.TrimSpace(what) == "" || strings.TrimSpace(why) == "":
		return fmt.Errorf("error %q: not of the form \"what: why\"", msg)
	case strings.TrimSpace(msg) != msg:
		return fmt.Errorf("error %q: space around it", msg)
	case strings.HasSuffix(msg, ".") || strings.HasSuffix(msg, ":"):
		return fmt.Errorf("error %q: ends with punctuation", msg)
	case strings.HasPrefix(msg, "nsexec: "):
		return fmt.Errorf("error %q: a library error with main's prefix", msg)
	}
	return nil
}
