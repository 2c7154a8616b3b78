package errform

import (
	"errors"
	"testing"
)

func TestCheck(t *testing.T) {
	for msg, good := range map[string]bool{
		`--publish "x": no container port`: true,
		`"64q": want a size such as 64m`:   true,
		"no colon":                         false,
		": no what":                        false,
		"no why: ":                         false,
		"two\nlines: here":                 false,
		"ends: with a dot.":                false,
		"nsexec: run: failed":              false,
		" space: around":                   false,
		"bad: \xff":                        false,
	} {
		if err := Check(errors.New(msg)); (err == nil) != good {
			t.Errorf("Check(%q) = %v, want good=%v", msg, err, good)
		}
	}
}
