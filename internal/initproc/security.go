package initproc

import (
	"encoding/hex"
	"fmt"
	"strconv"

	"nsexec/internal/spec"
)

// The confinement the engine computed (spec.Security.Confinement) goes to
// security.c as:
//
//	caps=BOUNDING,AMBIENT,REQUIRED   capability sets, hex
//	nnp=1                            no_new_privs
//	seccomp=FLAGS,PROGRAM            seccomp(2) flags and the BPF program, hex,
//	                                 or @N: the init's precompiled filter N
func init() {
	addEncoder(func(s *spec.Spec, kv func(key, val string)) {
		c := s.Security.Confinement
		if c == nil {
			return
		}
		if c.SetCaps {
			kv("caps", fmt.Sprintf("%x,%x,%x", uint64(c.Bounding), uint64(c.Ambient), uint64(c.Required)))
		}
		if c.NoNewPrivs {
			kv("nnp", "1")
		}
		switch f := c.Filter; {
		case f == nil:
		case f.Builtin > 0:
			kv("seccomp", strconv.FormatUint(uint64(f.Flags), 16)+",@"+strconv.Itoa(f.Builtin))
		default:
			kv("seccomp", strconv.FormatUint(uint64(f.Flags), 16)+","+hex.EncodeToString(f.Program))
		}
	})
}
