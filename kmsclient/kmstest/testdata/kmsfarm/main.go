// Command kmsfarm serves N test KMS hosts on loopback from one process, so
// that a fleet run of kmsctl can be measured on its own:
//
//	go run ./kmsclient/kmstest/testdata/kmsfarm -n 1000 -hosts /tmp/hosts.txt
//
// It lives under testdata so that go build ./... and go install never
// build it: kmsctl ships no KMS host.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
)

func main() {
	n := flag.Int("n", 1000, "number of hosts")
	out := flag.String("hosts", "hosts.txt", "write the hosts file here")
	stall := flag.Bool("stall", false, "accept connections and never answer (for load tests of timeouts)")
	flag.Parse()
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		lim.Cur = lim.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriter(f)
	for i := 0; i < *n; i++ {
		o := kmstest.Options{FixedCount: 50}
		if i%10 == 9 {
			o.FixedCount = 0 // counts its own clients: below threshold
		}
		if *stall {
			o.Misbehave = kmstest.Stall
		}
		h, err := kmstest.New(o)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer h.Close()
		fmt.Fprintln(w, h.Addr())
	}
	w.Flush()
	f.Close()
	fmt.Println("ready")
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	<-c
}
