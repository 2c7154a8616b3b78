package initproc

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// SendConfig frames any size on a real SOCK_SEQPACKET pair: a header with
// the length, then chunks that add up to exactly the config.
func TestSendConfigFrames(t *testing.T) {
	for _, size := range []int{0, 1, ChunkSize, ChunkSize + 1, 5*ChunkSize + 7, 1 << 20} {
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		w, r := os.NewFile(uintptr(fds[0]), "w"), fds[1]
		cfg := bytes.Repeat([]byte("k=v\x00"), size/4+1)[:size]
		errc := make(chan error, 1)
		go func() { errc <- SendConfig(w, cfg); w.Close() }()
		buf := make([]byte, 2*ChunkSize)
		n, _, _ := unix.Recvfrom(r, buf, 0)
		if n != frameHeader || string(buf[:3]) != "NSX" || buf[3] != protoVersion || binary.LittleEndian.Uint32(buf[4:8]) != uint32(msgConfig) {
			t.Fatalf("size %d: header %q", size, buf[:n])
		}
		total := int(binary.LittleEndian.Uint32(buf[8:12]))
		var got []byte
		for len(got) < total {
			n, _, err := unix.Recvfrom(r, buf, 0)
			if err != nil || n == 0 || n > ChunkSize {
				t.Fatalf("size %d: chunk of %d bytes, %v", size, n, err)
			}
			got = append(got, buf[:n]...)
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		unix.Close(r)
		if total != size || !bytes.Equal(got, cfg) {
			t.Fatalf("size %d: got %d bytes, announced %d", size, len(got), total)
		}
	}
	if err := SendConfig(nil, make([]byte, MaxMessage+1)); err == nil {
		t.Fatal("a config above MaxMessage was sent")
	}
}
