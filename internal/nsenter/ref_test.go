package nsenter

import (
	"strings"
	"testing"
)

func TestParseRef(t *testing.T) {
	tests := []struct {
		in      string
		want    Ref
		wantErr string
	}{
		{"1234", Ref{PID: 1234}, ""},
		{"/run/netns/blue", Ref{Path: "/run/netns/blue"}, ""},
		{"./12", Ref{Path: "./12"}, ""},
		{"blue", Ref{Path: "blue"}, ""},
		{"12a", Ref{Path: "12a"}, ""},
		{"0", Ref{}, "out of range"},
		{"99999999999999999999", Ref{}, "out of range"},
		{"", Ref{}, "empty"},
	}
	for _, tt := range tests {
		got, err := ParseRef(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseRef(%q) = %v, %v; want error %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseRef(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	if p := (Ref{PID: 7}).NSPath("net"); p != "/proc/7/ns/net" {
		t.Errorf("NSPath = %s", p)
	}
}
