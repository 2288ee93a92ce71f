package commands

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/kmshost"
)

func hostLogCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "log",
		Usage:     "audit the host's Key Management Service event log: every client request",
		ArgsUsage: "HOST[:PORT]",
		Description: `Lists the events 12290 (a request processed: client name, CMID, product,
license state, VM, result code, minimum count) of the host's "Key Management
Service" log, and the host's own client events 12288/12289 from its
Application log if any, newest first, then a summary: distinct
CMIDs, failures by code with what each means, and CMIDs that several
machines share (cloned without sysprep /generalize). Times are the host's.
On a terminal the table fits 80 columns (when, client, product, state,
result, minimum count; long names cut with "…"); -o wide adds the event ID,
CMID and VM.

Examples:
   kmsctl host log kms01.corp.example.com --user 'CORP\kmsaudit' --https --since 24h
   kmsctl host log kms01.corp.example.com --user 'CORP\kmsaudit' --https --max 10000 --json`,
		Flags: append(hostReadFlags(),
			&cli.StringFlag{Name: "since", Category: "Events", Usage: "only events of the last `SPAN` (e.g. 90m, 24h, 7d)"},
			&cli.IntFlag{Name: "max", Category: "Events", Value: kmshost.DefaultMaxEvents, Usage: fmt.Sprintf("read at most `N` events, the newest (1 to %d)", kmshost.MaxEvents)},
			formatFlag("Output"),
		),
		Action: func(c *cli.Context) error {
			format, err := tableFormat(env, c)
			if err != nil {
				return err
			}
			if err := wantArgs(c, "host log", 1, 1, "HOST --user USER"); err != nil {
				return err
			}
			q, err := parseLogQuery(c)
			if err != nil {
				return err
			}
			out := env.Streams(c)
			if c.Bool("show-script") {
				script, _ := kmshost.LogScript(q)
				return out.HostScript(script, kmshost.CommandLine(script))
			}
			cl, l, err := hostEvents(env, c, q)
			if err != nil {
				return err
			}
			return out.HostLog(c.Args().First(), cl.Addr(), l, q, format)
		},
	}
}

// hostEvents reads the log of the host named by c's argument.
func hostEvents(env *Env, c *cli.Context, q kmshost.LogQuery) (*kmshost.Client, *kmshost.EventLog, error) {
	cl, err := hostClient(env, c)
	if err != nil {
		return nil, nil, err
	}
	l, err := cl.Events(c.Context, q)
	return cl, l, err
}

// parseLogQuery reads --since and --max as numbers: they are the only
// values that reach the host's PowerShell, and only as integers.
func parseLogQuery(c *cli.Context) (kmshost.LogQuery, error) {
	q := kmshost.LogQuery{Max: c.Int("max")}
	if s := c.String("since"); s != "" {
		d, err := kmshost.ParseSpan(s)
		if err != nil {
			return q, &failure.UsageError{Msg: "--since " + strconv.Quote(s) + ": " + err.Error(), Hint: "give a span such as 90m, 24h or 7d"}
		}
		q.Since = d
	}
	if err := q.Validate(); err != nil {
		flag := "--max"
		if !strings.Contains(err.Error(), "number of events") {
			flag = "--since"
		}
		return q, &failure.UsageError{Msg: flag + ": " + err.Error(), Hint: "kmsctl host log HOST --since 24h --max 1000"}
	}
	return q, nil
}

// span is the value of a flag that takes what --since takes: a Go
// duration or whole days (kmshost.ParseSpan).
type span struct{ d time.Duration }

func (s *span) Set(v string) error {
	d, err := kmshost.ParseSpan(v)
	if err != nil {
		return err
	}
	s.d = d
	return nil
}

// String is the span as it would be written: whole days as 2d.
func (s *span) String() string {
	if s == nil {
		return ""
	}
	if s.d > 0 && s.d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(s.d/(24*time.Hour)), 10) + "d"
	}
	return strings.TrimSuffix(strings.TrimSuffix(s.d.String(), "0s"), "0m")
}
