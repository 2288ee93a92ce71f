package output

import (
	"fmt"
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
}

// Activation reports what ato or renew did: the result on stdout, the
// error (if any) on stderr, or the JSON document. It returns only its
// write error; failure.Activation makes the exit status.
func (s *Streams) Activation(cmd string, o license.Outcome, id *identity.Identity, v View) error {
	return s.Show(s.activationDoc(cmd, o, id), v)
}

func (d ActivationJSON) layout(s *Streams, _ View) error {
	o := d.outcome
	s.activationText(d.Command, o, d.License.in)
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

func (s *Streams) activationText(cmd string, o license.Outcome, in LicenseInfo) {
	w, v, now := s.Out, o.View, o.At
	if o.Action == license.Wait {
		s.textLine(w, "", "", licenseSummary(v, now))
		s.textLine(w, "", "Next contact: ", nextContact(v, now)+"; nothing to do now.")
		return
	}
	verb := "Activating"
	if cmd == "renew" {
		verb = map[license.Action]string{license.Renew: "Renewing", license.Retry: "Retrying activation of"}[o.Action]
	}
	with := ""
	if a := o.Last(); a != nil && a.Host != "" {
		with = " with KMS host " + a.HostLabel()
	}
	// On a terminal the progress line on stderr (ContactProgress) has
	// already said it, before the host was asked: once is enough. Piped
	// or redirected, the result keeps it.
	// (A contact Ctrl-C cut short left no attempt, but was said too.)
	if !(s.TTY && s.ErrTTY && (len(o.Attempts) > 0 || failure.IsInterrupted(o.Err))) {
		s.textLine(w, "", "", fmt.Sprintf("%s %s (%s)%s ...", verb, o.Product.Name, o.Product.SKUID, with))
	}
	if o.Err == nil {
		fmt.Fprintln(w, s.good("Product activated successfully."))
	} else {
		s.WriteError(o.Err)
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

// ContactProgress writes one step of an ato or renew on stderr: the host
// about to be asked, or a host that failed and the one tried next.
func (s *Streams) ContactProgress(cmd string, p license.Progress) {
	if p.Err == nil {
		verb := "Activating"
		if cmd == "renew" {
			verb = "Renewing"
		}
		s.textLine(s.Err, "", "", fmt.Sprintf("%s %s with KMS host %s ...", verb, p.Product.Name, p.Host))
		return
	}
	s.textLine(s.Err, "", "", fmt.Sprintf("%s: %v (%s); trying %s ...", p.Host, p.Err, s.describe(p.Err).Code, p.Next))
}
