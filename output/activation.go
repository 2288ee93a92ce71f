package output

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/identity"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/license"
)

// ActivationJSON is the document of `kmsctl ato --json` and
// `kmsctl renew --json`.
type ActivationJSON struct {
	Command   string            `json:"command"`   // "ato" or "renew"
	Action    string            `json:"action"`    // activate, renew, retry or wait
	Contacted bool              `json:"contacted"` // a host was asked
	Result    *string           `json:"result"`    // HRESULT of the last host asked ("0x00000000": activated), null when none
	Attempts  []license.Attempt `json:"attempts"`  // every host asked, as in the journal
	Error     *ErrorInfo        `json:"error"`     // why it did not activate, or null
	License   LicenseJSON       `json:"license"`   // the license afterwards, as dli --json
	outcome   license.Outcome
	several   bool // one of several products: its error block names it
}

// ActivationReport writes what ato or renew did, product by product: for
// people, each product's result as soon as its contact ends (a blank line
// between products), so that a second product's contact never hides the
// first one's result; as JSON, one document once every product is done
// (ActivationJSON, or SeveralJSON of them for several products).
type ActivationReport struct {
	s     *Streams
	cmd   string
	v     View
	total int
	docs  []ActivationJSON
	err   error // the first write error
}

// Activations starts the report of ato or renew (cmd) over the given
// number of products.
func (s *Streams) Activations(cmd string, products int, v View) *ActivationReport {
	return &ActivationReport{s: s, cmd: cmd, v: v, total: products}
}

// Add reports one product's Outcome: written now for people, kept for
// JSON. A write error is kept for Close.
func (r *ActivationReport) Add(o license.Outcome) {
	if err := r.add(o); r.err == nil {
		r.err = err
	}
}

func (r *ActivationReport) add(o license.Outcome) error {
	var id *identity.Identity
	if !o.Identity.CMID.IsZero() {
		id = &o.Identity
	}
	d := r.s.activationDoc(r.cmd, o, id)
	d.several = r.total > 1
	r.docs = append(r.docs, d)
	if r.v == ViewJSON {
		return nil
	}
	if err := r.s.Show(d, r.v); err != nil {
		return err
	}
	if len(r.docs) < r.total {
		fmt.Fprintln(r.s.Out)
	}
	return nil
}

// Close writes the JSON document of the products added (for people
// there is nothing left to write) and returns the first write error; it
// makes no exit status: failure.Activations does.
func (r *ActivationReport) Close() error {
	if r.err != nil || r.v != ViewJSON || len(r.docs) == 0 {
		return r.err
	}
	if r.total == 1 {
		return r.s.Show(r.docs[0], r.v)
	}
	return r.s.Show(SeveralJSON[ActivationJSON]{Products: r.docs}, r.v)
}

func (d ActivationJSON) layout(s *Streams, _ View) error {
	o := d.outcome
	s.activationText(d.Command, o, d.License.in, d.several)
	// What verification noticed but did not reject, as status shows it.
	for _, a := range o.Attempts {
		for _, w := range a.Warnings {
			s.Warning(a.Host + ": " + w)
		}
	}
	return nil
}

// activationDoc is the document of one product's ato or renew.
func (s *Streams) activationDoc(cmd string, o license.Outcome, id *identity.Identity) ActivationJSON {
	in := LicenseInfo{State: o.State, View: o.View, Identity: id, Now: o.At}
	doc := ActivationJSON{Command: cmd, Action: o.Action.String(), Contacted: len(o.Attempts) > 0,
		Attempts: append([]license.Attempt{}, o.Attempts...), License: NewLicenseJSON(in), outcome: o}
	if a := o.Last(); a != nil {
		doc.Result = licPtr(a.Result.String())
	}
	doc.Error = s.describeOrNil(o.Err)
	return doc
}

func (s *Streams) activationText(cmd string, o license.Outcome, in LicenseInfo, several bool) {
	w, v, now := s.Out, o.View, o.At
	if o.Action == license.Wait {
		if several { // the lines of two products may be alike: name it
			s.textLine(w, "", "", fmt.Sprintf("%s (%s):", o.Product.Name, o.Product.SKUID))
		}
		s.textLine(w, "", "", licenseSummary(v, now))
		s.textLine(w, "", "Next contact: ", nextContact(v, now)+"; nothing to do now.")
		return
	}
	verb := "Activating"
	if cmd == "renew" {
		verb = map[license.Action]string{license.Renew: "Renewing", license.Retry: "Retrying activation of"}[o.Action]
	}
	var nc *license.NotContactedError
	if errors.As(o.Err, &nc) {
		// Ctrl-C before its turn: no progress line said anything of it.
		s.textLine(w, "", "", fmt.Sprintf("%s %s (%s): not attempted, Ctrl-C stopped %s before its turn; no KMS host was contacted for it.",
			verb, o.Product.Name, o.Product.SKUID, cmd))
		s.textLine(w, "", "", licenseSummary(v, now))
		return
	}
	with := ""
	a := o.Last()
	if a == nil {
		a = o.Cut // the host Ctrl-C interrupted
	}
	if a != nil && a.Host != "" {
		with = " with KMS host " + a.ContactLabel()
	}
	// On a terminal the progress line on stderr (ContactProgress) has
	// already said it, before the host was asked: once is enough. Piped
	// or redirected, the result keeps it; so does a contact that found no
	// host to ask (discovery failed: no progress line said anything).
	if !(s.TTY && s.ErrTTY && a != nil && a.Host != "") {
		s.textLine(w, "", "", fmt.Sprintf("%s %s (%s)%s ...", verb, o.Product.Name, o.Product.SKUID, with))
	}
	if o.Err == nil {
		fmt.Fprintln(w, s.good("Product activated successfully."))
	} else {
		info := s.describe(o.Err)
		if several { // the blocks of two products may be alike: name it
			info.Message = o.Product.Name + ": " + info.Message
		}
		s.writeErrorInfo(s.Err, info, "")
	}
	s.textLine(w, "", "", licenseSummary(v, now))
	s.textLine(w, "", "Next contact: ", nextContactEvery(v, now))
}

// licenseSummary is the license status and when it ends, in one line.
func licenseSummary(v license.View, now time.Time) string {
	line := "License Status: " + v.Status.String()
	switch {
	case v.Status == kmsclient.StatusNotification:
		line += fmt.Sprintf(" (%s)", v.Reason)
	case !v.Ends.IsZero():
		line += " until " + When(v.Ends, now)
	}
	if v.RenewalFailing {
		line += " (renewal failed)"
	}
	return line
}

// nextContactEvery is nextContact with the interval that repeats it.
func nextContactEvery(v license.View, now time.Time) string {
	every := v.RenewalInterval
	if v.NextAction == license.Retry {
		every = v.ActivationInterval
	}
	return fmt.Sprintf("%s, every %d minutes", nextContact(v, now), every/time.Minute)
}

// ContactProgress returns what writes the steps of ato's or renew's
// (cmd) contacts on stderr as they happen: the DNS lookup of KMS hosts,
// "Activating PRODUCT with KMS host NAME (ADDRESS) ..." before the first
// host is asked, and a host that failed with the one tried next. A host set with skms by name has
// no address before the dial resolves it: its line waits, unfinished, and
// ends with the address once connected (or without it, if the connection
// fails). Lines wrap at the terminal's width (lineText, greedy: the part
// written first is the start of the whole line).
func (s *Streams) ContactProgress(cmd string) func(license.Progress) {
	verb := "Activating"
	if cmd == "renew" {
		verb = "Renewing"
	}
	var open string        // the line written so far without its end
	var next license.Found // the host a failover line has announced
	end := func(tail string) {
		part, whole := s.lineText(s.Err, "", "", open), s.lineText(s.Err, "", "", open+tail)
		if rest, ok := strings.CutPrefix(whole, part); ok {
			fmt.Fprintln(s.Err, rest)
		} else {
			fmt.Fprintln(s.Err, tail)
		}
		open = ""
	}
	return func(p license.Progress) {
		switch p.Step {
		case license.Discovering:
			where := "_vlmcs._tcp." + p.Domain
			if p.Domain == "" {
				where = "_vlmcs._tcp in the machine's DNS domains"
			}
			s.textLine(s.Err, "", "", "Looking up KMS hosts in DNS ("+where+") ...")
		case license.Asking:
			announced := next.Addr != "" && p.Host == next
			next = license.Found{}
			if announced {
				return // the failover line said it
			}
			head := fmt.Sprintf("%s %s with KMS host %s", verb, p.Product.Name, p.Host.Label())
			if !p.Host.Resolved() {
				open = head
				fmt.Fprint(s.Err, s.lineText(s.Err, "", "", head))
				return
			}
			s.textLine(s.Err, "", "", head+" ...")
		case license.Connected:
			if open != "" {
				end(" (" + p.Address + ") ...")
			}
		case license.Done:
			if failure.IsInterrupted(p.Err) {
				// The terminal echoed ^C where the cursor was: end the
				// line after it, or write the next line over it.
				if open != "" {
					fmt.Fprintln(s.Err)
					open = ""
				} else {
					fmt.Fprint(s.Err, "\r")
				}
				return
			}
			if open != "" {
				end(" ...")
			}
			if p.Err != nil && p.Next.Addr != "" {
				next = p.Next
				s.textLine(s.Err, "", "", fmt.Sprintf("%s: %v (%s); trying %s ...", p.Host.Label(), p.Err, s.describe(p.Err).Code, p.Next.Label()))
			}
		}
	}
}
