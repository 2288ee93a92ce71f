//go:build !unix

package testport

import "net"

// Refusing gives a port on 127.0.0.1 that nothing listens on: one that
// was ours a moment ago. (On Unix it stays held; see refuse_unix.go.)
func Refusing() (addr string, close func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr = ln.Addr().String()
	ln.Close()
	return addr, func() {}, nil
}
