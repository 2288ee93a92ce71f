//go:build !urfave_cli_no_docs

package commands

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/output"
	"github.com/kmsctl/kmsctl/refdoc"
)

//go:generate go run ../internal/docgen

// Docs renders the reference documents from the one command tree with
// refdoc: the man page and the Markdown reference, flags as help renders
// them (helpFlagList: cli.FlagStringer and flaghelp.go's one rule for
// defaults). (The completion scripts need no generating: they ask kmsctl
// __complete, which walks the same tree.) The build tag is urfave/cli's:
// release builds leave its generator out (.goreleaser.yaml); go generate
// and the tests are all that need this.
func Docs() (man, markdown string, err error) {
	env := SystemEnv()
	env.NewStreams = func(bool) *output.Streams { return &output.Streams{} }
	app := NewApp(env)
	return refdoc.Man(app, docFlagList, manSections), refdoc.Markdown(app, docFlagList), nil
}

// docFlagList is helpFlagList with environment variables written as the
// documents' readers write them, $VAR, wherever the documents are
// generated: urfave/cli writes %VAR% on Windows, and the committed files
// must not depend on the machine (TestDocsUpToDate runs under Wine too).
func docFlagList(flags []cli.Flag) []output.HelpFlag {
	hs := helpFlagList(flags)
	for i, f := range flags {
		if e, ok := f.(interface{ GetEnvVars() []string }); ok {
			for _, v := range e.GetEnvVars() {
				hs[i].Usage = strings.ReplaceAll(hs[i].Usage, "%"+v+"%", "$"+v)
			}
		}
	}
	return hs
}

// manSections are the man page's sections that the command tree does not
// hold, in roff, after the commands.
const manSections = `.SH EXIT STATUS
.TP
.B 0
success: every host answered at or above its threshold, the command did what it was asked
.TP
.B 1
a KMS host answered but said no (a count below the threshold, an activation refused)
.TP
.B 2
a failure (no host answered, a reply failed verification, a damaged state file) or bad usage
.TP
.B 130
interrupted by Ctrl\-C (SIGINT) after writing what the run had (\fBstatus\fP, \fBato\fP, \fBrenew\fP)
.PP
With \fB\-\-check\fP, Nagios' codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN
(an interrupted check is UNKNOWN).
The worst host decides the status of a run over several hosts.
.SH ENVIRONMENT
.TP
.B KMSCTL_STATE_DIR
the state directory, as \fB\-\-state\-dir\fP (set but empty: as if unset; an empty \fB\-\-state\-dir\fP is refused)
.TP
.B KMSCTL_DNS_SERVER
the DNS server discovery asks, as \fB\-\-dns\-server\fP
.TP
.B KMSCTL_WINRM_USER
the WinRM account, as \fB\-\-user\fP
.TP
.B NO_COLOR
set and not empty: no colour (as \fB\-\-no\-color\fP); colour is only ever used on a terminal
.TP
.B XDG_STATE_HOME, HOME, LOCALAPPDATA
where the default state directory is (see FILES)
.SH FILES
.TP
.I $XDG_STATE_HOME/kmsctl/ \fRor\fP ~/.local/state/kmsctl/ \fR(Windows: %LOCALAPPDATA%\ekmsctl\e)
the state directory: private to the user (created 0700; an existing one that others may read is refused, never changed)
.TP
.I identity.json
the client identity: CMID, previous CMID, workstation name
.TP
.I license.json
the license store: products, keys (a key is never printed whole), KMS settings, activation state
.TP
.I journal.jsonl
the activation journal, one line per contact with a KMS host (kmsctl log)
.TP
.I selfcount.json
the KMS hosts kmsctl asked, per product family and CMID, so that its own clients are told apart in counts
.SH EXAMPLES
.nf
kmsctl status kms.corp.example.com
kmsctl status \-\-domain corp.example.com \-\-json
kmsctl status \-\-hosts\-file /etc/kmsctl/hosts \-\-check \-\-max\-latency 2s
kmsctl ipk \-\-product "Windows 10 Enterprise"
kmsctl skms kms.corp.example.com && kmsctl ato
kmsctl dli
kmsctl explain 0xC004F074
kmsctl help status
.fi
.SH SEE ALSO
slmgr.vbs on Windows; README.md and docs/cli.md in kmsctl's source
`
