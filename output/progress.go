package output

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Progress draws "probed N/M hosts" on stderr while a long run goes on. It
// draws only on a terminal, only once the run has lasted showAfter, and
// never when the caller is writing JSON or monitoring output (pass show
// false). The returned update is safe for concurrent use; stop clears the
// line and must be called.
func (s *Streams) Progress(show bool) (update func(done, total int), stop func()) {
	if !show || !s.ErrTTY {
		return nil, func() {}
	}
	const showAfter, every = 500 * time.Millisecond, 100 * time.Millisecond
	var done, total atomic.Int64
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		delay := time.NewTimer(showAfter)
		defer delay.Stop()
		select {
		case <-quit:
			return
		case <-delay.C:
		}
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			d, t := done.Load(), total.Load()
			bar := progressBar(int(d), int(t), 30)
			fmt.Fprintf(s.Err, "\r%s probed %d/%d hosts", bar, d, t)
			select {
			case <-quit:
				fmt.Fprint(s.Err, "\r\033[K")
				return
			case <-tick.C:
			}
		}
	}()
	return func(d, t int) {
			done.Store(int64(d))
			total.Store(int64(t))
		}, func() {
			close(quit)
			wg.Wait()
		}
}

func progressBar(done, total, width int) string {
	if total <= 0 {
		return ""
	}
	n := done * width / total
	b := make([]byte, 0, width+2)
	b = append(b, '[')
	for i := 0; i < width; i++ {
		if i < n {
			b = append(b, '#')
		} else {
			b = append(b, '.')
		}
	}
	return string(append(b, ']'))
}
