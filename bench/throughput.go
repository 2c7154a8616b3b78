package main

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"
)

// Throughput (issue 11): how many runs per second a tool completes, one
// after another, and with 4 runs at a time (as a CI job or a build system
// starting sandboxes would).

// rates is one command's throughput, in runs per second.
type rates struct {
	command
	seq, par float64
	failed   string
}

const parallel = 4

func init() {
	addCase(Case{
		Name:       "throughput-npu",
		Ours:       []string{"nsexec", "-npu", "h", "true"},
		Throughput: 100,
		Peers: map[string][]string{
			"unshare": {"unshare", "-npu", "--fork", "--mount-proc", "true"},
			"bwrap": {"bwrap", "--unshare-net", "--unshare-pid", "--unshare-uts", "--hostname", "h",
				"--dev-bind", "/", "/", "--proc", "/proc", "true"},
		},
	})
}

// measureThroughput times n runs of each command in a row, then n runs
// over 4 workers; a failed run fails the command's line.
func measureThroughput(ctx context.Context, cmds []command, n int, devnull *os.File) []rates {
	out := make([]rates, len(cmds))
	for i, c := range cmds {
		out[i].command = c
		if err := out[i].check(devnull); err != nil {
			out[i].failed = err.Error()
			continue
		}
		seq, err := runsPerSecond(ctx, &out[i].command, n, 1, devnull)
		if err == nil {
			out[i].seq, err = seq, nil
			out[i].par, err = runsPerSecond(ctx, &out[i].command, n, parallel, devnull)
		}
		if err != nil {
			out[i].failed = err.Error()
		}
	}
	return out
}

// runsPerSecond runs c n times over workers and returns the rate.
func runsPerSecond(ctx context.Context, c *command, n, workers int, devnull *os.File) (float64, error) {
	jobs := make(chan struct{}, n)
	for range n {
		jobs <- struct{}{}
	}
	close(jobs)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				if ctx.Err() != nil {
					return
				}
				if err := c.cmd(devnull).Run(); err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("a run failed: %w", err)
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return 0, first
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
