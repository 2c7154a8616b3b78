package nsenter

import (
	"reflect"
	"testing"
)

func TestWithoutOwn(t *testing.T) {
	got := withoutOwn([]string{"PATH=/bin", "_NSEXEC_INIT=3", "A=_NSEXEC_", "_NSEXEC_JOIN=x y"})
	if want := []string{"PATH=/bin", "A=_NSEXEC_"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := withoutOwn(nil); got != nil {
		t.Errorf("withoutOwn(nil) = %q", got)
	}
}
