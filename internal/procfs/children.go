package procfs

import (
	"strconv"
	"strings"
)

// FirstChild reads /proc/PID/task/PID/children: the oldest child comes
// first (the kernel appends forks and reparented orphans to the list).
func FirstChild(children []byte) (int, bool) {
	f := strings.Fields(string(children))
	if len(f) == 0 {
		return 0, false
	}
	pid, err := strconv.Atoi(f[0])
	return pid, err == nil
}
