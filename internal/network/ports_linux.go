package network

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"nsexec/internal/spec"
)

// reservePort binds the host port of p for as long as the run publishes it,
// the way a proxy would hold it: binding is the check that nothing else
// uses the port, and holding it keeps other programs and other runs off it.
// The socket never sees a packet: the DNAT rules divert them first. A TCP
// port is also listened on, so that programs setting SO_REUSEADDR (which
// lets them share a bound but idle port) still cannot take it.
func reservePort(p spec.PortMap) (*os.File, error) {
	typ := unix.SOCK_STREAM
	if p.Proto == "udp" {
		typ = unix.SOCK_DGRAM
	}
	fd, err := unix.Socket(unix.AF_INET, typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("--publish %s: socket: %w", p, err)
	}
	sa := &unix.SockaddrInet4{Port: int(p.HostPort)}
	if p.HostIP.IsValid() {
		sa.Addr = p.HostIP.As4()
	}
	if typ == unix.SOCK_STREAM {
		// A connection of an earlier server in TIME_WAIT is no reason to fail.
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
	}
	err = unix.Bind(fd, sa)
	if err == nil && typ == unix.SOCK_STREAM {
		err = unix.Listen(fd, 1)
	}
	if err != nil {
		unix.Close(fd)
		if errors.Is(err, unix.EADDRINUSE) {
			return nil, fmt.Errorf("--publish %s: host port %d/%s is already in use; choose another", p, p.HostPort, p.Proto)
		}
		return nil, fmt.Errorf("--publish %s: bind host port: %w", p, err)
	}
	return os.NewFile(uintptr(fd), "publish "+p.String()), nil
}
