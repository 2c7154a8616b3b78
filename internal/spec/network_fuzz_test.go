package spec

import (
	"testing"

	"nsexec/internal/testutil/errform"
)

func FuzzParsePublish(f *testing.F) {
	for _, s := range []string{
		"8080:80", "8080:80/udp", "127.0.0.1:8080:80/tcp", "0.0.0.0:1:65535", "80", "8080:80/sctp",
		"0:80", "8080:70000", "x:80", "localhost:8080:80", "::1:8080:80", "[::1]:80:80",
		"1.2.3.4:5:6:7", "8080:80/", "/tcp", ":", "8080:+80", "8080:080", "1.2.3.4%eth0:80:80",
		"8080:80/tcp/udp", "\n:80", "080:80",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePublish(s)
		if err != nil {
			if e := errform.Check(err); e != nil {
				t.Fatalf("ParsePublish(%q): %v", s, e)
			}
			return
		}
		if p.HostPort == 0 || p.ContainerPort == 0 || (p.Proto != "tcp" && p.Proto != "udp") ||
			(p.HostIP.IsValid() && !p.HostIP.Is4()) {
			t.Fatalf("ParsePublish(%q) = %+v: a zero port, an unknown protocol or a non-IPv4 address", s, p)
		}
		again := p.String()
		if q, err := ParsePublish(again); err != nil || q != p {
			t.Fatalf("ParsePublish(%q) = %+v, formatted %q, which parses to %+v, %v", s, p, again, q, err)
		}
	})
}
