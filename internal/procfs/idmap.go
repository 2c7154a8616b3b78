package procfs

import (
	"fmt"
	"strconv"
	"strings"
)

// MapID translates id, as the reader of /proc/PID/uid_map (or gid_map) sees
// it, into the ID the target's user namespace knows it by. Each line of the
// map is "inside outside count", outside being the reader's view.
func MapID(id uint32, idMap []byte) (uint32, error) {
	for _, line := range strings.Split(string(idMap), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		in, err1 := strconv.ParseUint(f[0], 10, 32)
		out, err2 := strconv.ParseUint(f[1], 10, 32)
		n, err3 := strconv.ParseUint(f[2], 10, 32)
		if err1 != nil || err2 != nil || err3 != nil {
			return 0, fmt.Errorf("parse id map line %q", line)
		}
		if uint64(id) >= out && uint64(id)-out < n {
			return uint32(in + uint64(id) - out), nil
		}
	}
	return 0, fmt.Errorf("id %d: not mapped in the user namespace", id)
}
