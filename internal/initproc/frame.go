package initproc

import (
	"encoding/binary"
	"fmt"
	"io"
)

// A message travels on the SOCK_SEQPACKET sync socket as frames, so that
// no size cuts it (a message is bounded by the socket buffer):
//
//	header   "NSX" protoVersion, the message's type and its body's length:
//	         uint32 little-endian each
//	chunks   the body, in messages of at most ChunkSize bytes
//
// The init reads exactly the announced length, refuses a chunk that runs
// past it, and decodes the body only whole: a body whose last record is not
// kEnd never runs (proto.c).
const (
	frameMagic  = "NSX"
	frameHeader = 12
	// ChunkSize stays well below the smallest socket buffer (net.core.wmem_default).
	ChunkSize = 32 << 10
	// MaxMessage is what the init accepts: far above any real run (2,000
	// binds and a 1 MiB environment take about 1.2 MiB).
	MaxMessage = 64 << 20
)

// SendConfig writes the config (Config's output) to the sync socket.
func SendConfig(w io.Writer, body []byte) error { return sendMessage(w, msgConfig, body) }

// SendEarly writes the early message (Early.Body's output).
func SendEarly(w io.Writer, body []byte) error { return sendMessage(w, msgEarly, body) }

func sendMessage(w io.Writer, typ msgType, body []byte) error {
	if len(body) > MaxMessage {
		return fmt.Errorf("message of %d bytes: more than the init accepts (%d)", len(body), MaxMessage)
	}
	hdr := make([]byte, frameHeader)
	copy(hdr, frameMagic)
	hdr[3] = protoVersion
	binary.LittleEndian.PutUint32(hdr[4:], uint32(typ))
	binary.LittleEndian.PutUint32(hdr[8:], uint32(len(body)))
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	for len(body) > 0 {
		n := min(len(body), ChunkSize)
		if _, err := w.Write(body[:n]); err != nil {
			return err
		}
		body = body[n:]
	}
	return nil
}
