// Command loadgen drives `kmsctl exporter` over real HTTP and reports
// probes per second and latency percentiles:
//
//	go run ./exporter/testdata/loadgen -url http://127.0.0.1:9688 -hosts hosts.txt -c 50 -d 10s
//
// Each of -c workers scrapes /probe?target=HOST (hosts taken in turn from
// the file, one per line) back to back for -d, as Prometheus would with a
// scrape timeout of -scrape-timeout. It lives under testdata so that it is
// never built or installed; scripts/bench-exporter runs it.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:9688", "the exporter")
	hostsFile := flag.String("hosts", "hosts.txt", "KMS hosts, one per line")
	workers := flag.Int("c", 50, "concurrent scrapes")
	dur := flag.Duration("d", 10*time.Second, "how long to run")
	product := flag.String("product", "Windows Server 2019 Standard", "product to ask about")
	scrapeTimeout := flag.String("scrape-timeout", "10", "X-Prometheus-Scrape-Timeout-Seconds")
	flag.Parse()

	f, err := os.Open(*hostsFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var hosts []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if h := strings.TrimSpace(sc.Text()); h != "" {
			hosts = append(hosts, h)
		}
	}
	f.Close()
	if len(hosts) == 0 {
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
	stop := time.Now().Add(*dur)
	start := time.Now()
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(stop) {
				h := hosts[int(next.Add(1)-1)%len(hosts)]
				u := *base + "/probe?" + url.Values{"target": {h}, "product": {*product}}.Encode()
				req, _ := http.NewRequest("GET", u, nil)
				req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", *scrapeTimeout)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				mine = append(mine, time.Since(t0))
				if resp.StatusCode == 200 && hostUp.Match(body) {
					ok.Add(1)
				} else {
					failed.Add(1)
				}
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
	fmt.Printf("scrapes: %d in %.1f s with %d workers: %.0f/s; answered up: %d, other: %d\n",
		n, took.Seconds(), *workers, float64(n)/took.Seconds(), ok.Load(), failed.Load())
	fmt.Printf("latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		ms(pct(0.50)), ms(pct(0.90)), ms(pct(0.99)), ms(pct(1)))
}

// hostUp is the sample of a host that answered.
var hostUp = regexp.MustCompile(`(?m)^kmsctl_host_up\{[^}]*\} 1$`)

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
