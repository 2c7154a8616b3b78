package spec

// Confinement is what the engine computed from Security for the init to
// apply in CMD's process (internal/security.Plan fills it; see there for
// what each set is). It is no input: it sits in the spec only until the
// init's encoders take a plan of their own (issue 10), and it is defined
// here, in plain values, so that the spec depends on no package of the
// engine (internal/security names these types as aliases).
type Confinement struct {
	SetCaps    bool   // false: CMD keeps the capabilities nsexec gives today
	Bounding   uint64 // capability sets, bit N for capability N
	Ambient    uint64
	Required   uint64 // named one by one: an error if the init does not hold one
	NoNewPrivs bool
	Filter     *Filter // nil: no seccomp
}

// Filter is a compiled seccomp filter, ready for seccomp(2).
type Filter struct {
	Program []byte // struct sock_filter records, native byte order
	Builtin int    // instead of Program: the init's precompiled filter number Builtin (from 1)
	Len     int    // instructions
	Flags   uint32 // SECCOMP_FILTER_FLAG_*
}
