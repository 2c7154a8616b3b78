package initproc

import (
	"encoding/binary"
	"fmt"
	"io"
)

// The config travels on the SOCK_SEQPACKET sync socket as frames, so that
// no size cuts it (a message is bounded by the socket buffer):
//
//	header   "NSX" VERSION, then the config's length: uint32, little-endian
//	chunks   the config, in messages of at most ChunkSize bytes
//
// The init reads exactly the announced length, refuses a chunk that runs
// past it, and refuses a config whose last record is not "end=": a config
// that is not whole never runs (init.c, read_config).
const (
	frameMagic   = "NSX"
	frameVersion = 1
	// ChunkSize stays well below the smallest socket buffer (net.core.wmem_default).
	ChunkSize = 32 << 10
	// MaxConfig is what the init accepts: far above any real run (2,000 binds
	// and a 1 MiB environment take about 1.2 MiB).
	MaxConfig = 64 << 20
)

// endRecord closes every config: the init checks it arrived.
const endRecord = "end=\x00"

// SendConfig writes cfg (Config's output) to the sync socket as frames.
func SendConfig(w io.Writer, cfg []byte) error {
	if len(cfg) > MaxConfig {
		return fmt.Errorf("config of %d bytes: more than the init accepts (%d)", len(cfg), MaxConfig)
	}
	hdr := make([]byte, 8)
	copy(hdr, frameMagic)
	hdr[3] = frameVersion
	binary.LittleEndian.PutUint32(hdr[4:], uint32(len(cfg)))
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	for len(cfg) > 0 {
		n := min(len(cfg), ChunkSize)
		if _, err := w.Write(cfg[:n]); err != nil {
			return err
		}
		cfg = cfg[n:]
	}
	return nil
}
