// Command loadgen drives `kmsctl exporter` over real HTTP and reports
// probes per second and latency percentiles:
//
//	go run ./exporter/testdata/loadgen -url http://127.0.0.1:9688 -hosts hosts.txt -c 50 -d 10s
//	go run ./exporter/testdata/loadgen -url http://127.0.0.1:9688 -hosts hosts.txt -c 50 -rate 2000 -d 10s
//
// Closed loop (the default): each of -c workers scrapes /probe?target=HOST
// (hosts taken in turn from the file, one per line) back to back for -d,
// as Prometheus would with a scrape timeout of -scrape-timeout. On a
// saturated machine its latency is -c divided by the throughput (Little's
// law): it measures how fast the machine as a whole turns scrapes round.
//
// Open loop (-rate N): scrapes are due at N per second, evenly spaced, as
// many Prometheus targets scraped on their intervals are; at most -c run
// at once and the rest wait. A scrape's latency counts from when it was
// due, so waiting behind slow ones is counted, not hidden (no
// coordinated omission).
//
// It lives under testdata so that it is never built or installed;
// scripts/bench-exporter runs it.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// scrape is one probe URL and the line its answer has when the host is up.
type scrape struct {
	url string
	up  []byte
}

func main() {
	base := flag.String("url", "http://127.0.0.1:9688", "the exporter")
	hostsFile := flag.String("hosts", "hosts.txt", "KMS hosts, one per line")
	workers := flag.Int("c", 50, "concurrent scrapes (at most, with -rate)")
	dur := flag.Duration("d", 10*time.Second, "how long to run")
	rate := flag.Float64("rate", 0, "open loop: scrapes due per second (0: closed loop, back to back)")
	product := flag.String("product", "Windows Server 2019 Standard", "product to ask about")
	scrapeTimeout := flag.String("scrape-timeout", "10", "X-Prometheus-Scrape-Timeout-Seconds")
	flag.Parse()

	f, err := os.Open(*hostsFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var scrapes []scrape
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if h := strings.TrimSpace(sc.Text()); h != "" {
			scrapes = append(scrapes, scrape{
				url: *base + "/probe?" + url.Values{"target": {h}, "product": {*product}}.Encode(),
				up:  fmt.Appendf(nil, "kmsctl_host_up{host=%q} 1\n", h),
			})
		}
	}
	f.Close()
	if len(scrapes) == 0 {
		fmt.Fprintln(os.Stderr, "no hosts")
		os.Exit(2)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *workers, MaxConnsPerHost: *workers}}
	var (
		next       atomic.Int64
		ok, failed atomic.Int64
		mu         sync.Mutex
		lat        []time.Duration
		wg         sync.WaitGroup
	)
	// one scrapes s and returns when it was answered.
	one := func(s scrape) {
		req, _ := http.NewRequest("GET", s.url, nil)
		req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", *scrapeTimeout)
		resp, err := client.Do(req)
		if err != nil {
			failed.Add(1)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 && bytes.Contains(body, s.up) {
			ok.Add(1)
		} else {
			failed.Add(1)
		}
	}
	start := time.Now()
	stop := start.Add(*dur)
	// due hands out open-loop arrivals: the time each scrape is due.
	due := make(chan time.Time, *workers)
	if *rate > 0 {
		go func() {
			defer close(due)
			every := time.Duration(float64(time.Second) / *rate)
			for t := start; t.Before(stop); t = t.Add(every) {
				if d := time.Until(t); d > 0 {
					time.Sleep(d)
				}
				due <- t
			}
		}()
	}
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for {
				var t0 time.Time
				if *rate > 0 {
					t, more := <-due
					if !more {
						break
					}
					t0 = t
				} else {
					if !time.Now().Before(stop) {
						break
					}
					t0 = time.Now()
				}
				one(scrapes[int(next.Add(1)-1)%len(scrapes)])
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	took := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	n := ok.Load() + failed.Load()
	mode := fmt.Sprintf("%d workers back to back", *workers)
	if *rate > 0 {
		mode = fmt.Sprintf("%.0f/s due, at most %d at once", *rate, *workers)
	}
	fmt.Printf("scrapes: %d in %.1f s (%s): %.0f/s; answered up: %d, other: %d\n",
		n, took.Seconds(), mode, float64(n)/took.Seconds(), ok.Load(), failed.Load())
	fmt.Printf("latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		ms(pct(0.50)), ms(pct(0.90)), ms(pct(0.99)), ms(pct(1)))
	// Its own CPU, so the script can say what the load generator took
	// from the machine the exporter runs on.
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil && n > 0 {
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		fmt.Printf("loadgen CPU: %.0f us per scrape\n", float64(cpu.Microseconds())/float64(n))
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
