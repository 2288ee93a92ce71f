package cmdline_test

import (
	"strings"
	"testing"

	"github.com/kmsctl/kmsctl/cmdline"
	"github.com/kmsctl/kmsctl/commands"
)

// TestNormalise is Table's table: the argv a user types, the argv
// urfave/cli sees, or the usage error (its first line) instead.
func TestNormalise(t *testing.T) {
	app := commands.NewApp(commands.SystemEnv())
	for _, tt := range []struct{ in, want, err string }{
		// help spellings
		{in: "kmsctl /?", want: "kmsctl --help"},
		{in: "kmsctl -? status", want: "kmsctl --help status"},
		{in: "kmsctl /HELP", want: "kmsctl --help"},
		{in: "kmsctl /h", want: "kmsctl --help"},
		{in: "kmsctl help status", want: "kmsctl status --help"},
		{in: "kmsctl help host dlv", want: "kmsctl host dlv --help"},
		{in: "kmsctl help -h", want: "kmsctl --help"},
		{in: "kmsctl host help dlv", want: "kmsctl host dlv --help"},
		{in: "kmsctl host help", want: "kmsctl host --help"},
		{in: "kmsctl status help", want: "kmsctl status help"},
		{in: "kmsctl help help", want: "kmsctl --help"},
		{in: "kmsctl help status --help", want: "kmsctl status --help"},
		{in: "kmsctl status /?", want: "kmsctl status --help"},
		// every command in slmgr's spelling, as the refusal's hint says
		{in: "kmsctl /version", want: "kmsctl version"},
		{in: "kmsctl /Products win", want: "kmsctl products win"},
		{in: "kmsctl -dns check corp.example.com", want: "kmsctl dns check corp.example.com"},
		// help after arguments: the command's help, the rest dropped
		{in: "kmsctl status 10.0.0.5:1688 --help", want: "kmsctl status --help"},
		{in: "kmsctl status kms1 -h", want: "kmsctl status --help"},
		{in: "kmsctl status --help kms1", want: "kmsctl status --help"},
		{in: "kmsctl status kms1 /?", want: "kmsctl status --help"},
		{in: "kmsctl --state-dir /x host dlv kms1 --user u --help", want: "kmsctl --state-dir /x host dlv --help"},
		{in: "kmsctl /ato --help", want: "kmsctl ato --help"},
		{in: "kmsctl status --user -h kms1", want: "kmsctl status --user -h kms1"},
		{in: "kmsctl status -- -h", want: "kmsctl status -- -h"},
		{in: "kmsctl explain -- /?", want: "kmsctl explain -- /?"},
		// slmgr's remote form
		{in: "kmsctl kms01 CORP\\u pw /dlv", want: "kmsctl host dlv --user CORP\\u --password pw kms01"},
		{in: "kmsctl kms01 u pw -DLI all --json", want: "kmsctl host dlv --user u --password pw --json kms01"},
		{in: "kmsctl --no-color kms01 u pw /dlv", want: "kmsctl --no-color host dlv --user u --password pw kms01"},
		{in: "kmsctl --state-dir /tmp/x kms01 u pw /dlv", want: "kmsctl --state-dir /tmp/x host dlv --user u --password pw kms01"},
		{in: "kmsctl kms01 /dlv", want: "kmsctl host dlv kms01"},
		{in: "kmsctl kms01 user /dlv", err: "Invalid combination of command parameters."},
		{in: "kmsctl kms01 u pw /ato", err: "slmgr's remote form MACHINE [USER PASSWORD] /VERB runs only /dlv and /dli in kmsctl, not /ato"},
		{in: "kmsctl kms01 /RENEW", err: "slmgr's remote form MACHINE [USER PASSWORD] /VERB runs only /dlv and /dli in kmsctl, not /RENEW"},
		{in: "kmsctl status a b /dlv", want: "kmsctl status a b /dlv"},         // a command, not a machine
		{in: "kmsctl host dlv kms01 /dlv", want: "kmsctl host dlv kms01 /dlv"}, // likewise
		{in: "kmsctl a b c d /dlv", want: "kmsctl a b c d /dlv"},               // four words: not the remote form
		// slmgr's verbs
		{in: "kmsctl /dlv", want: "kmsctl dlv"},
		{in: "kmsctl /dlv all", want: "kmsctl dlv all"},
		{in: "kmsctl /ATO", want: "kmsctl ato"},
		{in: "kmsctl -ato --json", want: "kmsctl ato --json"},
		{in: "kmsctl -skms-domain corp.example", want: "kmsctl skms-domain corp.example"},
		{in: "kmsctl --state-dir /tmp/x /ipk KEY", want: "kmsctl --state-dir /tmp/x ipk KEY"},
		{in: "kmsctl -no-color /ato", want: "kmsctl -no-color ato"},
		{in: "kmsctl /bogus", err: "Unrecognized option: /bogus"},
		{in: "kmsctl -bogus", err: "Unrecognized option: -bogus"},
		{in: "kmsctl --bogus status", want: "kmsctl --bogus status"}, // urfave/cli's own error
		// a command's flag before the command
		{in: "kmsctl -o json status kms01", err: "-o is a flag of kmsctl status: it goes after the command"},
		{in: "kmsctl --format=json status kms01", err: "--format is a flag of kmsctl status: it goes after the command"},
		{in: "kmsctl --no-color -p Office status kms01 -- x", err: "-p is a flag of kmsctl status: it goes after the command"},
		{in: "kmsctl --user u host dlv kms01", err: "--user is a flag of kmsctl host dlv: it goes after the command"},
		{in: "kmsctl -json /ato", err: "-json is a flag of kmsctl ato: it goes after the command"},
		{in: "kmsctl -o json bogus", err: "Unrecognized option: -o"},   // no command: slmgr's answer
		{in: "kmsctl -z status kms01", err: "Unrecognized option: -z"}, // not status's either
		{in: "kmsctl --bogus status", want: "kmsctl --bogus status"},   // urfave/cli's own error
		{in: "kmsctl -ato --json", want: "kmsctl ato --json"},          // slmgr's verb first
		{in: "kmsctl -v", want: "kmsctl -v"},
		// flags after arguments
		{in: "kmsctl status kms01 --json", want: "kmsctl status --json kms01"},
		{in: "kmsctl status kms01 -p Office --timeout 2s", want: "kmsctl status --product Office --timeout 2s kms01"},
		{in: "kmsctl status kms01 --no-color --state-dir /s", want: "kmsctl --no-color --state-dir /s status kms01"},
		{in: "kmsctl status -- --kms01 --json", want: "kmsctl status -- --kms01 --json"},
		{in: "kmsctl host dlv kms01 --json --port 5986", want: "kmsctl host dlv --json --port 5986 kms01"},
		{in: "kmsctl host log kms01 --since 24h --no-color --max=5", want: "kmsctl --no-color host log --since 24h --max=5 kms01"},
		{in: "kmsctl host dlv -- --kms01", want: "kmsctl host dlv -- --kms01"},
		{in: "kmsctl host", want: "kmsctl host"},
		{in: "kmsctl stauts kms01 --json", want: "kmsctl stauts kms01 --json"}, // not a command: urfave/cli says so
		{in: "kmsctl", want: "kmsctl"},
		// a one-letter value flag glued to its value
		{in: "kmsctl status kms01 -otsv", want: "kmsctl status --format tsv kms01"},
		{in: "kmsctl status -pOffice kms01", want: "kmsctl status --product Office kms01"},
		{in: "kmsctl status kms01 -- -otsv", want: "kmsctl status kms01 -- -otsv"},
		{in: "kmsctl status kms01 -xyz", want: "kmsctl status -xyz kms01"}, // not a flag: urfave/cli says so
		// a value flag without its value, single-valued flags given twice
		{in: "kmsctl --state-dir renew", err: `no command: --state-dir took "renew" as its value`},
		{in: "kmsctl --state-dir /tmp/x", err: "no command given"},
		{in: "kmsctl --no-color", err: "no command given"},
		{in: "kmsctl --state-dir", err: "--state-dir needs a value"},
		{in: "kmsctl --state-dir /tmp/x --help", want: "kmsctl --state-dir /tmp/x --help"},
		{in: "kmsctl renew --state-dir", err: "--state-dir needs a value"},
		{in: "kmsctl status kms01 --timeout", err: "--timeout needs a value"},
		{in: "kmsctl status kms01 -p", err: "-p needs a value"},
		{in: "kmsctl host dlv kms01 --port", err: "--port needs a value"},
		{in: "kmsctl status kms01 -o json --format tsv", err: "--format is given twice (-o, then --format)"},
		{in: "kmsctl status --timeout 1s kms01 --timeout=2s", err: "--timeout is given twice (--timeout, then --timeout)"},
		{in: "kmsctl status -p A kms01 --product B --json --json", want: "kmsctl status --product A --product B --json --json kms01"},
		// an empty value ('' stands for an empty word) is no value either
		{in: "kmsctl status --hosts-file=", err: "--hosts-file needs a value, and was given an empty one"},
		{in: "kmsctl status --hosts-file= 127.0.0.1:31688", err: "--hosts-file needs a value, and was given an empty one"},
		{in: "kmsctl status --hosts-file '' 127.0.0.1:31688", err: "--hosts-file needs a value, and was given an empty one"},
		{in: "kmsctl status --state-dir '' kms01", err: "--state-dir needs a value, and was given an empty one"},
		{in: "kmsctl --state-dir '' status kms01", err: "--state-dir needs a value, and was given an empty one"},
		{in: "kmsctl --state-dir= status kms01", err: "--state-dir needs a value, and was given an empty one"},
		{in: "kmsctl --state-dir ''", err: "--state-dir needs a value, and was given an empty one"},
		{in: "kmsctl log -o ''", err: "-o needs a value, and was given an empty one"},
		{in: "kmsctl status kms01 --format=", err: "--format needs a value, and was given an empty one"},
		{in: "kmsctl status kms01 -o=", err: "-o needs a value, and was given an empty one"},
		{in: "kmsctl status --domain '' ", err: "--domain needs a value, and was given an empty one"},
		{in: "kmsctl status kms01 --timeout=", err: "--timeout needs a value, and was given an empty one"},
		{in: "kmsctl status kms01 -p ''", err: "-p needs a value, and was given an empty one"},
		{in: "kmsctl host dlv kms01 --user '' --password-env PW", err: "--user needs a value, and was given an empty one"},
		{in: "kmsctl host audit --file ''", err: "--file needs a value, and was given an empty one"},
		{in: "kmsctl exporter --listen=", err: "--listen needs a value, and was given an empty one"},
		{in: "kmsctl dns check --dns-server '' corp.example", err: "--dns-server needs a value, and was given an empty one"},
		{in: "kmsctl kms01 u '' /dlv", err: "slmgr's remote form MACHINE USER PASSWORD /dlv: a word of it is empty"},
		{in: "kmsctl explain -- ''", want: "kmsctl explain -- "},                       // after --: an argument
		{in: "kmsctl status --json= kms01", want: "kmsctl status --json= kms01"},       // a boolean: urfave/cli's own error
		{in: "kmsctl status kms01 --cmid ''x", want: "kmsctl status --cmid ''x kms01"}, // '' stands alone only
	} {
		l, err := cmdline.Normalise(app, words(tt.in))
		switch {
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("%s: error %v, want %q", tt.in, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("%s: %v", tt.in, err)
		case tt.err == "" && strings.Join(l.Argv, " ") != tt.want:
			t.Errorf("%s\n got %s\nwant %s", tt.in, strings.Join(l.Argv, " "), tt.want)
		}
	}
}

// words splits a test's command line at spaces; ” stands for an empty
// word, as a shell passes an empty quoted variable.
func words(line string) []string {
	w := strings.Fields(line)
	for i := range w {
		if w[i] == "''" {
			w[i] = ""
		}
	}
	return w
}

// TestNormaliseFindings: what normalising tells the rest of the run.
func TestNormaliseFindings(t *testing.T) {
	app := commands.NewApp(commands.SystemEnv())
	for _, tt := range []struct {
		in          string
		json, check bool
		password    string
	}{
		{in: "kmsctl status kms01 --json", json: true},
		{in: "kmsctl status --format=json", json: true},
		{in: "kmsctl status kms01 -o json --bogus", json: true},
		{in: "kmsctl products --format json", json: true},
		{in: "kmsctl dli -ojson", json: true},
		{in: "kmsctl explain -- -o json"},
		{in: "kmsctl status -o tsv json"},
		{in: "kmsctl status --check", check: true},
		{in: "kmsctl explain -- --json --check"},
		{in: "kmsctl kms01 u pw /dlv", password: "/dlv"},
		{in: "kmsctl kms01 u pw /DLI", password: "/DLI"},
		{in: "kmsctl host dlv kms01 --user u --password pw"},
	} {
		l, _ := cmdline.Normalise(app, strings.Fields(tt.in))
		if l.JSON != tt.json || l.Check != tt.check || l.SlmgrPassword != tt.password {
			t.Errorf("%s: json %v check %v password %q", tt.in, l.JSON, l.Check, l.SlmgrPassword)
		}
	}
}

func TestLineCommand(t *testing.T) {
	app := commands.NewApp(commands.SystemEnv())
	for _, c := range []struct{ argv, want string }{
		{"kmsctl status kms1", "status"},
		{"kmsctl --state-dir /tmp/x status kms1", "status"},
		{"kmsctl --no-color host dlv kms1", "host"},
		{"kmsctl /ato", "ato"},
		{"kmsctl help status", "status"},
		{"kmsctl --help status", ""},
		{"kmsctl -h status", ""},
		{"kmsctl --version status", ""},
		{"kmsctl", ""},
		{"kmsctl bogus", "bogus"},
	} {
		l, err := cmdline.Normalise(app, strings.Fields(c.argv))
		if err != nil {
			t.Fatalf("%s: %v", c.argv, err)
		}
		if got := l.Command(); got != c.want {
			t.Errorf("%s: Command() = %q, want %q", c.argv, got, c.want)
		}
	}
}

// FuzzNormalise feeds arbitrary command lines (words split at NUL) to
// Normalise and Spellings: they never panic, and a line Normalise accepts
// keeps every word it was given (it reorders and respells, never drops).
func FuzzNormalise(f *testing.F) {
	app := commands.NewApp(commands.SystemEnv())
	for _, s := range []string{
		"status\x00kms01\x00--timeout", "--state-dir", "--state-dir\x00renew", "kms01\x00u\x00pw\x00/dlv",
		"status\x00-o\x00json\x00--format\x00tsv", "help\x00host\x00dlv", "/?", "host\x00dlv\x00--\x00--x",
		"--state-dir\x00/x\x00--help", "status\x00-p\x00a\x00--product=b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		argv := append([]string{"kmsctl"}, strings.Split(line, "\x00")...)
		cmdline.Spellings(app, argv)
		l, err := cmdline.Normalise(app, argv)
		if err != nil {
			return
		}
		l.Command()
		if len(l.Argv) < len(argv)-2 { // the remote form folds "USER PW /dlv" into flags, the help form drops "help"
			t.Fatalf("%q became %q", argv, l.Argv)
		}
	})
}
