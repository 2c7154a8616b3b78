package procfs

import "strings"

// ParseEnviron splits /proc/PID/environ into variables, dropping what is not
// NAME=value.
func ParseEnviron(data []byte) []string {
	var env []string
	for _, kv := range strings.Split(string(data), "\x00") {
		if i := strings.IndexByte(kv, '='); i > 0 {
			env = append(env, kv)
		}
	}
	return env
}
