package security

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"

	mobyseccomp "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"nsexec/internal/plan"
	"nsexec/internal/spec"
)

// The words --seccomp takes besides a file name.
const (
	SeccompDefault    = spec.SeccompDefault
	SeccompUnconfined = spec.SeccompUnconfined
)

// Filter is a compiled seccomp filter, ready for seccomp(2). The spec
// defines it, as it carries it to the init (plan.Confinement).
type Filter = plan.Filter

// seccomp return values (linux/seccomp.h).
const (
	retKillThread  = 0x00000000
	retKillProcess = 0x80000000
	retTrap        = 0x00030000
	retErrno       = 0x00050000
	retTrace       = 0x7ff00000
	retLog         = 0x7ffc0000
	retAllow       = 0x7fff0000

	errnoEPERM  = 1
	errnoENOSYS = 38
)

// LoadProfile reads the profile --seccomp names: "default" is Docker's
// default profile; anything else is a file in Docker's JSON format or the
// OCI runtime-spec's. Docker's conditional rules are resolved for this
// host and for bounding, the capabilities CMD may hold.
func LoadProfile(which string, bounding Caps) (*specs.LinuxSeccomp, error) {
	if which == SeccompDefault {
		p, err := mobyseccomp.GetDefaultProfile(boundingSpec(bounding))
		if err != nil {
			return nil, fmt.Errorf("seccomp default profile: %w", err)
		}
		return p, nil
	}
	body, err := os.ReadFile(which)
	if err != nil {
		return nil, fmt.Errorf("seccomp profile: %w", err)
	}
	return parseProfile(which, body, bounding)
}

// boundingSpec is what Docker's conditional rules look at: the bounding set.
func boundingSpec(bounding Caps) *specs.Spec {
	return &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: bounding.Names()}}}
}

// parseProfile reads body, the content of the profile file which.
func parseProfile(which string, body []byte, bounding Caps) (*specs.LinuxSeccomp, error) {
	// Syntax first, for an error that says where.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("seccomp profile %s: not a JSON profile: %s", which, jsonError(body, err))
	}
	if _, ok := raw["defaultAction"]; !ok {
		return nil, fmt.Errorf("seccomp profile %s: no defaultAction: want a Docker or OCI seccomp profile", which)
	}
	p, err := mobyseccomp.LoadProfile(string(body), boundingSpec(bounding))
	if err != nil {
		return nil, fmt.Errorf("seccomp profile %s: %w", which, err)
	}
	if p == nil {
		return nil, fmt.Errorf("seccomp profile %s: empty profile", which)
	}
	return p, nil
}

// jsonError says where the JSON went wrong: line and column.
func jsonError(body []byte, err error) string {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return err.Error()
	}
	line, col := 1, 1
	for _, c := range body[:min(max(int(se.Offset)-1, 0), len(body))] { // Offset is just past the bad byte
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}

// rule is one syscall rule of a profile, resolved: a return value and the
// conditions (ANDed) under which it applies.
type rule struct {
	ret   uint32
	conds []specs.LinuxSeccompArg
}

// Compile compiles p into a filter for the architectures a process of
// goarch can use and p lists (the native one always). Semantics, as runc
// with libseccomp gives them:
//   - a rule's conditions are ANDed; when two of them test the same
//     argument the rule becomes one rule per condition (ORed), as runc does;
//   - a rule with no conditions wins over conditional rules of the same
//     syscall; of conditional rules, the first that matches wins;
//   - rules with the default action are dropped, as runc drops them;
//   - a name no architecture knows is an error; a name the architecture
//     lacks is skipped;
//   - numbers above the highest syscall the profile names return ENOSYS
//     (unless the default allows), so that a libc falls back from syscalls
//     newer than the profile (e.g. clone3 -> clone) instead of failing;
//   - a call from an architecture not in the filter kills the process.
func Compile(p *specs.LinuxSeccomp, goarch string) (*Filter, error) {
	native := nativeArches(goarch)
	if native == nil {
		return nil, fmt.Errorf("seccomp: architecture %s not supported by nsexec's filter compiler", goarch)
	}
	if p.ListenerPath != "" || p.ListenerMetadata != "" {
		return nil, errors.New("seccomp: listenerPath (SCMP_ACT_NOTIFY) is not supported")
	}
	defRet, err := actionRet(p.DefaultAction, p.DefaultErrnoRet)
	if err != nil {
		return nil, fmt.Errorf("seccomp: defaultAction: %w", err)
	}
	flags, err := filterFlags(p.Flags)
	if err != nil {
		return nil, err
	}
	arches := []*arch{native[0]}
	for _, name := range p.Architectures {
		if a := archByName(native, string(name)); a != nil && a != native[0] {
			arches = append(arches, a)
		}
	}

	rules, names, err := resolveRules(p, defRet)
	if err != nil {
		return nil, err
	}
	stub := defRet != retAllow && defRet != retLog

	prog := program{insns: make([]insn, 0, 2048)}
	prog.load(4) // seccomp_data.arch
	sections := map[uint32]label{}
	var order []uint32
	for _, a := range arches {
		if _, ok := sections[a.audit]; !ok {
			sections[a.audit] = prog.newLabel()
			order = append(order, a.audit)
		}
	}
	for _, audit := range order {
		prog.jmp(bpfJEQ, audit, sections[audit], 0)
	}
	prog.ret(retKillProcess)
	for _, audit := range order {
		prog.mark(sections[audit])
		prog.load(0) // seccomp_data.nr
		var same []*arch
		for _, a := range arches {
			if a.audit == audit {
				same = append(same, a)
			}
		}
		if err := compileSection(&prog, same, rules, names, defRet, stub); err != nil {
			return nil, err
		}
	}
	code, n, err := prog.assemble()
	if err != nil {
		return nil, fmt.Errorf("seccomp: %w", err)
	}
	return &Filter{Program: code, Len: n, Flags: flags}, nil
}

// compileSection writes the search over syscall numbers for the ABIs of
// one audit architecture (x86_64 and x32 share one: x32 numbers have bit
// 30 set). A is the syscall number.
func compileSection(prog *program, same []*arch, rules [][]rule, names [][]int32, defRet uint32, stub bool) error {
	if same[0].nrMask == 0 && same[0].audit == archX86_64.audit {
		// x86_64 without x32 in the filter: x32 calls are a foreign ABI.
		hasX32 := len(same) > 1
		lo := prog.newLabel()
		prog.jmp(bpfJGE, x32Bit, 0, lo)
		if hasX32 {
			if err := compileABI(prog, same[1], x32Bit, 0xffffffff, rules, names, defRet, stub); err != nil {
				return err
			}
		} else {
			prog.ret(retKillProcess)
		}
		prog.mark(lo)
		return compileABI(prog, same[0], 0, x32Bit-1, rules, names, defRet, stub)
	}
	return compileABI(prog, same[0], 0, 0xffffffff, rules, names, defRet, stub)
}

// segment is a range of syscall numbers with one outcome.
type segment struct {
	start, end uint32
	ret        uint32
	cond       []rule // conditional rules, for a one-number segment
}

// hit is a syscall number a rule names.
type hit struct {
	nr   uint32
	rule int32
}

func compileABI(prog *program, a *arch, lo, hi uint32, rules [][]rule, names [][]int32, defRet uint32, stub bool) error {
	hits := sortedHits(a, lo, hi, names)
	segs := make([]segment, 0, 256)
	add := func(s segment) {
		if n := len(segs); n > 0 && s.cond == nil && segs[n-1].cond == nil && segs[n-1].ret == s.ret && segs[n-1].end+1 == s.start {
			segs[n-1].end = s.end
			return
		}
		segs = append(segs, s)
	}
	cur := lo
	for i := 0; i < len(hits); {
		nr := hits[i].nr
		if nr > cur {
			add(segment{start: cur, end: nr - 1, ret: defRet})
		}
		// The rules of nr: one without conditions wins; else the
		// conditional ones in order.
		ret, uncond := defRet, false
		var cond []rule
		for ; i < len(hits) && hits[i].nr == nr; i++ {
			for _, r := range rules[hits[i].rule] {
				switch {
				case len(r.conds) > 0:
					cond = append(cond, r)
				case uncond && ret != r.ret:
					name := knownSyscalls[names[hits[i].rule][0]]
					return fmt.Errorf("seccomp: syscall %s (number %d): two rules without conditions and with different actions", name, nr)
				default:
					ret, uncond = r.ret, true
				}
			}
		}
		if uncond {
			cond = nil
		}
		add(segment{start: nr, end: nr, ret: ret, cond: cond})
		cur = nr + 1
	}
	if len(hits) == 0 || hits[len(hits)-1].nr < hi {
		tail := defRet
		if stub && len(hits) > 0 {
			tail = retErrno | errnoENOSYS
		}
		add(segment{start: cur, end: hi, ret: tail})
	}
	emitTree(prog, a, segs)
	return nil
}

// sortedHits lists the numbers in [lo, hi] that the rules name on a, by
// number, and for one number in the order of the rules. Syscall numbers
// are small: a counting sort does it in two passes.
func sortedHits(a *arch, lo, hi uint32, names [][]int32) []hit {
	var hits []hit
	maxNr := lo
	for i, ns := range names {
		for _, x := range ns {
			if nr := a.nrs[x]; nr >= 0 && uint32(nr) >= lo && uint32(nr) <= hi {
				hits = append(hits, hit{uint32(nr), int32(i)})
				maxNr = max(maxNr, uint32(nr))
			}
		}
	}
	if maxNr-lo >= 1<<14 { // ARM's private syscalls, at 0xf0000
		slices.SortStableFunc(hits, func(x, y hit) int { return cmp.Compare(x.nr, y.nr) })
		return hits
	}
	count := make([]int32, maxNr-lo+2)
	for _, h := range hits {
		count[h.nr-lo+1]++
	}
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1]
	}
	out := make([]hit, len(hits))
	for _, h := range hits {
		out[count[h.nr-lo]] = h
		count[h.nr-lo]++
	}
	return out
}

// emitTree writes a binary search over segs; each leaf returns.
func emitTree(prog *program, a *arch, segs []segment) {
	if len(segs) == 1 {
		s := segs[0]
		if s.cond == nil {
			prog.ret(s.ret)
		} else {
			emitRules(prog, a, s.cond, s.ret)
		}
		return
	}
	mid := len(segs) / 2
	right := prog.newLabel()
	prog.jmp(bpfJGE, segs[mid].start, right, 0)
	emitTree(prog, a, segs[:mid])
	prog.mark(right)
	emitTree(prog, a, segs[mid:])
}

// emitRules tries each conditional rule in order, then returns fallback.
func emitRules(prog *program, a *arch, rules []rule, fallback uint32) {
	for _, r := range rules {
		next := prog.newLabel()
		for _, c := range r.conds {
			emitCond(prog, a, c, next)
		}
		prog.ret(r.ret)
		prog.mark(next)
	}
	prog.ret(fallback)
}

// emitCond falls through when c holds and jumps to fail otherwise. 64-bit
// arguments are compared as two 32-bit words, high word first; a 32-bit
// ABI compares the low word only, as libseccomp does.
func emitCond(prog *program, a *arch, c specs.LinuxSeccompArg, fail label) {
	loOff, hiOff := uint32(16+8*c.Index), uint32(20+8*c.Index)
	if a.bigEnd {
		loOff, hiOff = hiOff, loOff
	}
	v, v2 := c.Value, c.ValueTwo
	vlo, vhi := uint32(v), uint32(v>>32)
	pass := prog.newLabel()
	if c.Op == specs.OpMaskedEqual {
		if a.is64 {
			prog.load(hiOff)
			prog.and(vhi)
			prog.jmp(bpfJEQ, uint32(v2>>32), 0, fail)
		}
		prog.load(loOff)
		prog.and(vlo)
		prog.jmp(bpfJEQ, uint32(v2), 0, fail)
		return
	}
	if a.is64 {
		prog.load(hiOff)
		switch c.Op {
		case specs.OpEqualTo:
			prog.jmp(bpfJEQ, vhi, 0, fail)
		case specs.OpNotEqual:
			prog.jmp(bpfJEQ, vhi, 0, pass)
		case specs.OpGreaterThan, specs.OpGreaterEqual:
			prog.jmp(bpfJGT, vhi, pass, 0)
			prog.jmp(bpfJEQ, vhi, 0, fail)
		case specs.OpLessThan, specs.OpLessEqual:
			prog.jmp(bpfJGT, vhi, fail, 0)
			prog.jmp(bpfJEQ, vhi, 0, pass)
		}
	}
	prog.load(loOff)
	switch c.Op {
	case specs.OpEqualTo:
		prog.jmp(bpfJEQ, vlo, 0, fail)
	case specs.OpNotEqual:
		prog.jmp(bpfJEQ, vlo, fail, 0)
	case specs.OpGreaterThan:
		prog.jmp(bpfJGT, vlo, 0, fail)
	case specs.OpGreaterEqual:
		prog.jmp(bpfJGE, vlo, 0, fail)
	case specs.OpLessThan:
		prog.jmp(bpfJGE, vlo, fail, 0)
	case specs.OpLessEqual:
		prog.jmp(bpfJGT, vlo, fail, 0)
	}
	prog.mark(pass)
}

// resolveRules turns the profile's rules into return values and checks
// them; rules[i] applies to the syscalls names[i] (indexes in
// knownSyscalls).
func resolveRules(p *specs.LinuxSeccomp, defRet uint32) ([][]rule, [][]int32, error) {
	var rules [][]rule
	var names [][]int32
	for _, sc := range p.Syscalls {
		if len(sc.Names) == 0 {
			return nil, nil, errors.New("seccomp: a rule with no syscall names")
		}
		idx := make([]int32, len(sc.Names))
		for i, n := range sc.Names {
			x, ok := syscallIndex(n)
			if !ok {
				return nil, nil, fmt.Errorf("seccomp: unknown syscall %q", n)
			}
			idx[i] = int32(x)
		}
		ret, err := actionRet(sc.Action, sc.ErrnoRet)
		if err != nil {
			return nil, nil, fmt.Errorf("seccomp: syscall %s: %w", sc.Names[0], err)
		}
		for _, a := range sc.Args {
			if a.Index > 5 {
				return nil, nil, fmt.Errorf("seccomp: syscall %s: argument index %d: syscalls have 6 arguments (0-5)", sc.Names[0], a.Index)
			}
			switch a.Op {
			case specs.OpNotEqual, specs.OpLessThan, specs.OpLessEqual, specs.OpEqualTo,
				specs.OpGreaterEqual, specs.OpGreaterThan, specs.OpMaskedEqual:
			default:
				return nil, nil, fmt.Errorf("seccomp: syscall %s: unknown operator %q", sc.Names[0], a.Op)
			}
		}
		// A rule with the default action changes nothing, but its names
		// still count for the highest syscall the profile knows.
		var rs []rule
		switch {
		case ret == defRet:
		case sameArgTwice(sc.Args):
			for _, a := range sc.Args {
				rs = append(rs, rule{ret: ret, conds: []specs.LinuxSeccompArg{a}})
			}
		default:
			rs = []rule{{ret: ret, conds: sc.Args}}
		}
		rules = append(rules, rs)
		names = append(names, idx)
	}
	return rules, names, nil
}

func sameArgTwice(args []specs.LinuxSeccompArg) bool {
	seen := map[uint]bool{}
	for _, a := range args {
		if seen[a.Index] {
			return true
		}
		seen[a.Index] = true
	}
	return false
}

// actionRet is the seccomp return value of an action.
func actionRet(a specs.LinuxSeccompAction, errnoRet *uint) (uint32, error) {
	if a == "" {
		return 0, errors.New("no action")
	}
	data := uint32(errnoEPERM)
	if errnoRet != nil {
		if *errnoRet > 0xffff {
			return 0, fmt.Errorf("errnoRet %d: too large", *errnoRet)
		}
		data = uint32(*errnoRet)
	}
	switch a {
	case specs.ActErrno:
		return retErrno | data, nil
	case specs.ActTrace:
		return retTrace | data, nil
	}
	if errnoRet != nil {
		return 0, fmt.Errorf("errnoRet is only for SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not %q", a)
	}
	switch a {
	case specs.ActKill, specs.ActKillThread:
		return retKillThread, nil
	case specs.ActKillProcess:
		return retKillProcess, nil
	case specs.ActTrap:
		return retTrap, nil
	case specs.ActAllow:
		return retAllow, nil
	case specs.ActLog:
		return retLog, nil
	case specs.ActNotify:
		return 0, errors.New("SCMP_ACT_NOTIFY is not supported")
	}
	return 0, fmt.Errorf("unknown action %q", a)
}

// filterFlags turns the profile's flags into seccomp(2) flags. TSYNC is
// moot: the init is single-threaded.
func filterFlags(flags []specs.LinuxSeccompFlag) (uint32, error) {
	var out uint32
	for _, f := range flags {
		switch f {
		case specs.LinuxSeccompFlagLog:
			out |= 1 << 1
		case specs.LinuxSeccompFlagSpecAllow:
			out |= 1 << 2
		case "SECCOMP_FILTER_FLAG_TSYNC":
		default:
			return 0, fmt.Errorf("seccomp: flag %q not supported", f)
		}
	}
	return out, nil
}
