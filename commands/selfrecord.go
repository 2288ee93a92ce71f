package commands

import (
	"context"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/kmsaddr"
	"github.com/kmsctl/kmsctl/license"
	"github.com/kmsctl/kmsctl/probe"
	"github.com/kmsctl/kmsctl/selfcount"
)

// recordContacts adds the requests ato and renew sent that a host counted
// (every attempt the host answered with a count, refusals below the
// threshold included) to the record of hosts kmsctl asked (selfcount),
// keyed as status keys its probes: the address as dialled, lower case,
// and the product's family. Without it a CMID that a rearm replaced
// would look like another client to status for 30 days. A failure to
// record is a warning: the contact itself stands.
func (e *Env) recordContacts(c *cli.Context, outcomes []license.Outcome) {
	var asked []selfcount.Asked
	for _, o := range outcomes {
		for _, a := range o.Attempts {
			if a.Count == nil || a.CMID.IsZero() {
				continue // no reply with a count: nothing the host counted
			}
			host := a.Host
			if addr, err := kmsaddr.Parse(a.Host); err == nil {
				host = addr
			}
			asked = append(asked, selfcount.Asked{Host: strings.ToLower(host),
				Family: selfcount.Family(o.Product.ApplicationID), CMID: a.CMID, At: a.At})
		}
	}
	if len(asked) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Context), selfcount.LockWait)
	defer cancel()
	dir, err := e.stateDir(c)
	if err == nil {
		_, err = selfcount.Record(ctx, dir, clock.Or(e.Clock).Now(), asked)
	}
	if err != nil {
		e.Streams(c).Warning("kmsctl's own clients may be undercounted by status: " + err.Error())
	}
}

// recordSelf adds the requests of this run that reached a host to the
// record of hosts kmsctl asked (selfcount), with their address as dialled,
// and sets each answered group's
// Self to how many of kmsctl's CMIDs the host counts for its family. On
// error each answered group keeps Self 1: the probe itself.
//
// The record is written even when the probes used up the run's deadline
// (a stalled host does): the hosts counted the requests all the same. It
// gets selfcount.LockWait of its own for the lock.
func (e *Env) recordSelf(ctx context.Context, c *cli.Context, cmid guid.GUID, hosts []probe.Host) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), selfcount.LockWait)
	defer cancel()
	now := clock.Or(e.Clock).Now()
	dir, err := e.stateDir(c)
	if err != nil {
		return err
	}
	counts, err := selfcount.Record(ctx, dir, now, selfcount.FromHosts(hosts, cmid, now))
	selfcount.Apply(hosts, counts)
	return err
}

// selfCMIDs are kmsctl's own client machine IDs: the stored identity's
// CMID and the one it replaced, and every CMID the record of the hosts
// kmsctl asked holds (selfcount: one-off --cmid runs too), which a host
// keeps counting for 30 days. None when kmsctl has no identity yet.
func selfCMIDs(env *Env, c *cli.Context) ([]guid.GUID, error) {
	id, err := env.peekIdentity(c)
	if err != nil {
		return nil, err
	}
	var out []guid.GUID
	if id != nil {
		out = append(out, id.CMID, id.PreviousCMID)
	}
	dir, err := env.stateDir(c)
	if err != nil {
		return nil, err
	}
	asked, err := selfcount.List(dir)
	if err != nil {
		return nil, err
	}
	for _, a := range asked {
		if !slices.Contains(out, a.CMID) {
			out = append(out, a.CMID)
		}
	}
	return out, nil
}
