package commands

import (
	"context"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/kmsaddr"
	"github.com/kmsctl/kmsctl/license"
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
