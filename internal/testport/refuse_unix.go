//go:build unix

package testport

import (
	"fmt"
	"syscall"
)

// Refusing holds a TCP port on 127.0.0.1 that refuses connections: a
// socket bound to it that never listens. Unlike a listener closed at once,
// it keeps the port, so no server started later by the same test can take
// it and answer in place of the refusal. close releases it.
func Refusing() (addr string, close func(), err error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		return "", nil, fmt.Errorf("testport: socket: %w", err)
	}
	syscall.CloseOnExec(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		return "", nil, fmt.Errorf("testport: bind: %w", err)
	}
	sa, err := syscall.Getsockname(fd)
	in4, ok := sa.(*syscall.SockaddrInet4)
	if err != nil || !ok {
		syscall.Close(fd)
		return "", nil, fmt.Errorf("testport: getsockname: %v", err)
	}
	return fmt.Sprintf("127.0.0.1:%d", in4.Port), func() { syscall.Close(fd) }, nil
}
