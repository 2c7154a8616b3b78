package security

import "testing"

func BenchmarkCompileDefault(b *testing.B) {
	p, _ := LoadProfile(SeccompDefault, DockerDefaultCaps)
	for i := 0; i < b.N; i++ {
		Compile(p, "amd64")
	}
}
