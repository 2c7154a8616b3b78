package initproc

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// The protocol between nsexec and its init, on the SOCK_SEQPACKET sync
// socket. nsexec sends messages; each is a header, then its body in chunks
// of at most ChunkSize bytes (frame.go):
//
//	header  "NSX", protoVersion, then type and body length: uint32 LE each
//	body    records: key uint16 LE, value length uint32 LE, value; kEnd last
//
// A key has one kind of value, declared in keys below, which the init checks:
// a flag (no value), a string (its bytes and a NUL), one uint64 or a list of
// them (LE), or raw bytes. keys is the one table of both sides: TestProtocolHeader
// writes it into zprotocol.h for the C decoder (proto.c), with the tables
// the init shares with Go (namespace kinds, capability names).
//
// Messages, in order:
//
//	msgEarly   optional: what the init does before anything else (join cgroups,
//	           setns, unshare); with kEarlyAck it replies "J" once done
//	msgConfig  the setup inside, applied step by step (init.c)
//
// The init replies "T" with a terminal (SCM_RIGHTS), "J" after an early
// message that asked for it, and "E<code>:<message>" when it fails.
const protoVersion = 2

type msgType uint32

const (
	msgEarly  msgType = 1
	msgConfig msgType = 2
)

type valueKind uint8

const (
	kindFlag  valueKind = iota // no value
	kindStr                    // a string, NUL-terminated on the wire
	kindU64                    // one uint64
	kindU64s                   // a list of uint64 (possibly empty)
	kindBytes                  // raw bytes
)

type key uint16

// The keys, grouped by the part of the init that reads them.
const (
	kEnd key = iota + 1

	// msgEarly: join.c and init.c, before the config.
	kEarlyCgroup  // u64s: descriptors of cgroup files to write the init into ("0")
	kEarlyGroups  // u64s: supplementary groups (host IDs), set before joining
	kEarlyProc    // u64: descriptor of nsexec's own procfs
	kEarlyNS      // u64s: CLONE_NEW* flag, descriptor: join that namespace
	kEarlyRoot    // u64: descriptor: the target's root, entered after joining
	kEarlyCwd     // u64: descriptor: the target's working directory
	kEarlyUnshare // u64: CLONE_NEW* flags to create after joining
	kEarlyTimens  // u64s: monotonic, boottime offsets (int64): a time ns after joining
	kEarlyAck     // flag: reply "J" once all that is done

	// msgConfig: init.c.
	kT0       // u64: the parent's start, CLOCK_MONOTONIC ns, for the trace
	kVerbose  // flag
	kProp     // str: propagation of / (private, slave, shared)
	kHost     // str: hostname
	kLo       // flag: bring lo up
	kCgroupNS // flag: create the cgroup namespace
	kTimeNS   // u64s: monotonic, boottime offsets (int64): create a time namespace
	kProc     // flag: mount a fresh /proc
	kFork     // flag: stay as PID 1 and fork CMD

	// join.c: what CMD of --join TARGET takes over.
	kJoinIdent // flag: the target's environment replaces the init's
	kJoinEnv   // str, repeated: one variable
	kJoinUID   // u64
	kJoinGID   // u64
	kJoinCaps  // u64s: inheritable, permitted, effective
	kJoinBnd   // u64: bounding set
	kJoinNNP   // flag

	// mounts.c: each operation starts with kMnt, its fields follow.
	kMnt         // str: the operation's kind
	kMntSrc      // str
	kMntDst      // str
	kMntFS       // str
	kMntOpt      // str, repeated
	kMntAttr     // u64: MOUNT_ATTR_*
	kMntIfExists // flag
	kMntFallback // str
	kMntBase     // flag
	kMntIn       // str

	// network.c
	kNetHosts  // str: a hosts file to bind on /etc/hosts
	kNetResolv // str: a resolv.conf to bind on /etc/resolv.conf

	// process.c
	kCwd      // str
	kClearEnv // flag
	kEnv      // str, repeated
	kUID      // u64
	kGID      // u64
	kGroups   // u64s

	// security.c
	kCaps           // u64s: bounding, ambient, required
	kNNP            // flag
	kSeccompFlags   // u64: seccomp(2) flags
	kSeccomp        // bytes: the BPF program, struct sock_filter records
	kSeccompBuiltin // u64: instead, the init's precompiled filter N (from 1)

	// tty.c
	kSetsid // flag: leave the caller's session
	kTty    // u64s: rows, cols, xpixel, ypixel of a new terminal

	numKeys
)

// keys names every key (as in zprotocol.h, prefixed NSX_), its kind, and
// for a list of numbers that has a fixed length, that length (0: any).
var keys = [numKeys]struct {
	name  string
	kind  valueKind
	count int
}{
	kEnd:            {"END", kindFlag, 0},
	kEarlyCgroup:    {"EARLY_CGROUP", kindU64s, 0},
	kEarlyGroups:    {"EARLY_GROUPS", kindU64s, 0},
	kEarlyProc:      {"EARLY_PROC", kindU64, 0},
	kEarlyNS:        {"EARLY_NS", kindU64s, 2},
	kEarlyRoot:      {"EARLY_ROOT", kindU64, 0},
	kEarlyCwd:       {"EARLY_CWD", kindU64, 0},
	kEarlyUnshare:   {"EARLY_UNSHARE", kindU64, 0},
	kEarlyTimens:    {"EARLY_TIMENS", kindU64s, 2},
	kEarlyAck:       {"EARLY_ACK", kindFlag, 0},
	kT0:             {"T0", kindU64, 0},
	kVerbose:        {"VERBOSE", kindFlag, 0},
	kProp:           {"PROP", kindStr, 0},
	kHost:           {"HOST", kindStr, 0},
	kLo:             {"LO", kindFlag, 0},
	kCgroupNS:       {"CGROUPNS", kindFlag, 0},
	kTimeNS:         {"TIMENS", kindU64s, 2},
	kProc:           {"PROC", kindFlag, 0},
	kFork:           {"FORK", kindFlag, 0},
	kJoinIdent:      {"JOIN_IDENT", kindFlag, 0},
	kJoinEnv:        {"JOIN_ENV", kindStr, 0},
	kJoinUID:        {"JOIN_UID", kindU64, 0},
	kJoinGID:        {"JOIN_GID", kindU64, 0},
	kJoinCaps:       {"JOIN_CAPS", kindU64s, 3},
	kJoinBnd:        {"JOIN_BND", kindU64, 0},
	kJoinNNP:        {"JOIN_NNP", kindFlag, 0},
	kMnt:            {"MNT", kindStr, 0},
	kMntSrc:         {"MNT_SRC", kindStr, 0},
	kMntDst:         {"MNT_DST", kindStr, 0},
	kMntFS:          {"MNT_FS", kindStr, 0},
	kMntOpt:         {"MNT_OPT", kindStr, 0},
	kMntAttr:        {"MNT_ATTR", kindU64, 0},
	kMntIfExists:    {"MNT_IFEXISTS", kindFlag, 0},
	kMntFallback:    {"MNT_FALLBACK", kindStr, 0},
	kMntBase:        {"MNT_BASE", kindFlag, 0},
	kMntIn:          {"MNT_IN", kindStr, 0},
	kNetHosts:       {"NET_HOSTS", kindStr, 0},
	kNetResolv:      {"NET_RESOLV", kindStr, 0},
	kCwd:            {"CWD", kindStr, 0},
	kClearEnv:       {"CLEARENV", kindFlag, 0},
	kEnv:            {"ENV", kindStr, 0},
	kUID:            {"UID", kindU64, 0},
	kGID:            {"GID", kindU64, 0},
	kGroups:         {"GROUPS", kindU64s, 0},
	kCaps:           {"CAPS", kindU64s, 3},
	kNNP:            {"NNP", kindFlag, 0},
	kSeccompFlags:   {"SECCOMP_FLAGS", kindU64, 0},
	kSeccomp:        {"SECCOMP", kindBytes, 0},
	kSeccompBuiltin: {"SECCOMP_BUILTIN", kindU64, 0},
	kSetsid:         {"SETSID", kindFlag, 0},
	kTty:            {"TTY", kindU64s, 4},
}

// Encoder writes the records of one message body.
type Encoder struct{ b []byte }

func (e *Encoder) record(k key, kind valueKind, n int) {
	if keys[k].kind != kind {
		panic(fmt.Sprintf("initproc: key %s is not of kind %d", keys[k].name, kind))
	}
	e.b = binary.LittleEndian.AppendUint16(e.b, uint16(k))
	e.b = binary.LittleEndian.AppendUint32(e.b, uint32(n))
}

// Flag writes a record with no value.
func (e *Encoder) Flag(k key) { e.record(k, kindFlag, 0) }

// Str writes a string record.
func (e *Encoder) Str(k key, s string) {
	e.record(k, kindStr, len(s)+1)
	e.b = append(append(e.b, s...), 0)
}

// U64 writes a record of one number, or, for a list key, of several.
func (e *Encoder) U64(k key, v ...uint64) {
	kind := kindU64s
	if keys[k].kind == kindU64 && len(v) == 1 {
		kind = kindU64
	}
	if c := keys[k].count; c > 0 && len(v) != c {
		panic(fmt.Sprintf("initproc: key %s takes %d numbers", keys[k].name, c))
	}
	e.record(k, kind, 8*len(v))
	for _, x := range v {
		e.b = binary.LittleEndian.AppendUint64(e.b, x)
	}
}

// Bytes writes a record of raw bytes.
func (e *Encoder) Bytes(k key, b []byte) {
	e.record(k, kindBytes, len(b))
	e.b = append(e.b, b...)
}

// Body ends the message and returns it.
func (e *Encoder) Body() []byte {
	e.Flag(kEnd)
	return e.b
}

// Records decodes a body with the init's rules (proto.c): every key known,
// every value of its key's kind, the end record last and only there. It
// gives a line per record: "name" for a flag, else "name=value" (strings as
// they are, numbers in signed decimal separated by spaces, bytes in hex).
// For tests, the C decoder's among them, and for reading a config by eye.
func Records(body []byte) ([]string, error) {
	var out []string
	ended := false
	for len(body) > 0 {
		if ended {
			return nil, errors.New("records after the end")
		}
		if len(body) < 6 {
			return nil, errors.New("a record is cut")
		}
		k := key(binary.LittleEndian.Uint16(body))
		n := binary.LittleEndian.Uint32(body[2:])
		if uint64(n) > uint64(len(body)-6) {
			return nil, errors.New("a record's value is cut")
		}
		if k == 0 || k >= numKeys {
			return nil, fmt.Errorf("unknown record key %d", k)
		}
		v := body[6 : 6+n]
		body = body[6+n:]
		name := strings.ToLower(keys[k].name)
		bad := fmt.Errorf("record %s: a value of %d bytes is not of its kind", name, n)
		switch keys[k].kind {
		case kindFlag:
			if n != 0 {
				return nil, bad
			}
			out = append(out, name)
		case kindStr:
			if n == 0 || v[n-1] != 0 || bytes.IndexByte(v[:n-1], 0) >= 0 {
				return nil, bad
			}
			out = append(out, name+"="+string(v[:n-1]))
		case kindU64, kindU64s:
			if n%8 != 0 || (keys[k].kind == kindU64 && n != 8) || (keys[k].count > 0 && int(n) != 8*keys[k].count) {
				return nil, bad
			}
			w := make([]string, 0, n/8)
			for i := 0; i < len(v); i += 8 {
				w = append(w, fmt.Sprint(int64(binary.LittleEndian.Uint64(v[i:]))))
			}
			out = append(out, name+"="+strings.Join(w, " "))
		case kindBytes:
			out = append(out, name+"="+hex.EncodeToString(v))
		}
		ended = k == kEnd
	}
	if !ended {
		return nil, errors.New("the body has no end record")
	}
	return out, nil
}

// Reencode is Records reversed: the body that decodes to lines (for the
// fuzz tests that check that a body is read one way only). Lines it cannot
// encode give nil.
func Reencode(lines []string) []byte {
	var e Encoder
	for _, l := range lines {
		name, val, hasVal := strings.Cut(l, "=")
		k := keyNamed(name)
		if k == 0 {
			return nil
		}
		e.b = binary.LittleEndian.AppendUint16(e.b, uint16(k))
		switch keys[k].kind {
		case kindFlag:
			e.b = binary.LittleEndian.AppendUint32(e.b, 0)
		case kindStr:
			e.b = binary.LittleEndian.AppendUint32(e.b, uint32(len(val)+1))
			e.b = append(append(e.b, val...), 0)
		case kindU64, kindU64s:
			f := strings.Fields(val)
			e.b = binary.LittleEndian.AppendUint32(e.b, uint32(8*len(f)))
			for _, w := range f {
				var v int64
				if _, err := fmt.Sscan(w, &v); err != nil {
					return nil
				}
				e.b = binary.LittleEndian.AppendUint64(e.b, uint64(v))
			}
		case kindBytes:
			b, err := hex.DecodeString(val)
			if err != nil {
				return nil
			}
			e.b = binary.LittleEndian.AppendUint32(e.b, uint32(len(b)))
			e.b = append(e.b, b...)
		}
		if keys[k].kind != kindFlag && !hasVal {
			return nil
		}
	}
	return e.b
}

func keyNamed(name string) key {
	for k := kEnd; k < numKeys; k++ {
		if strings.ToLower(keys[k].name) == name {
			return k
		}
	}
	return 0
}
