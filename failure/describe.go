package failure

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/kmsctl/kmsctl/audit"
	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/exporter/config"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/identity"
	"github.com/kmsctl/kmsctl/kmsaddr"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/license"
	"github.com/kmsctl/kmsctl/limit"
	"github.com/kmsctl/kmsctl/probe"
	"github.com/kmsctl/kmsctl/selfcount"
	"github.com/kmsctl/kmsctl/statedir"
)

// words decides the code, message and fix of err for the command c. The
// cases go from the outermost kinds to the innermost (a discovery error
// may wrap the KMS exchanges it tried), and every kind kmsctl's packages
// return has one.
func words(err error, c Context) said {
	var (
		usage    *UsageError
		write    *WriteError
		idBad    *identity.CorruptError
		licBad   *license.CorruptError
		key      *license.KeyError
		domain   *license.DomainError
		count    *license.CountError
		noHost   *license.NoHostError
		noProd   *license.NoProductError
		rearm    *license.RearmError
		addr     *kmsaddr.Error
		hostsF   *probe.HostsFileError
		expCfg   *config.Error
		auditF   *audit.OpenError
		dnsErr   *discovery.Error
		winrm    *kmshost.Error
		kms      *kmsclient.Error
		runOut   *probe.LimitError
		state    *statedir.Error
		export   *audit.FileError
		selfBad  *selfcount.CorruptError
		ambig    *license.AmbiguousError
		unknownP *license.UnknownProductError
		path     *fs.PathError
		notFound = errors.Is(err, catalogue.ErrNotFound) || errors.Is(err, catalogue.ErrAmbiguous)
	)
	switch {
	case IsInterrupted(err):
		return interruptedWords(c)
	case errors.As(err, &usage):
		return said{code: hresult.InvalidArg, fix: usage.Hint}
	case errors.As(err, &write):
		return local(writeWords(write, c))
	case errors.As(err, &idBad):
		return identityWords(idBad)
	case errors.As(err, &licBad):
		return licenseFileWords(licBad)
	case errors.As(err, &key):
		return keyWords(key, c)
	case errors.As(err, &domain):
		return said{code: hresult.InvalidArg, fix: "give the domain that holds the _vlmcs._tcp SRV records, e.g. kmsctl skms-domain corp.example.com"}
	case errors.As(err, &count):
		return said{code: hresult.NotEnoughCount, fix: fmt.Sprintf("the host activates clients once it has seen %d distinct machines (CMIDs) in %d days; kmsctl renew retries every activation interval until then; cloned machines share a CMID until rearmed (kmsctl rearm)", count.Threshold, kmsclient.CountWindowDays)}
	case errors.As(err, &noHost):
		return said{code: hresult.NoKMSHost, message: "No KMS host is configured, so no host was contacted.", fix: "kmsctl skms kms.example.com:1688"}
	case errors.As(err, &noProd):
		return said{code: hresult.KeyNotInstalled, fix: "install a key first: kmsctl ipk --product " + Quote("Windows 10 Enterprise") + " (a product's published GVLK), or kmsctl ipk KEY"}
	case errors.As(err, &rearm):
		return said{code: hresult.MaxRearmReached, fix: "Windows needs a reinstall here; for kmsctl, a new state directory (--state-dir) starts over, and this machine then counts as a new client on KMS hosts"}
	case errors.As(err, &selfBad):
		return said{code: hresult.InvalidData, message: "kmsctl's record of the KMS hosts it asked is damaged; it was left as it is.",
			fix: "move " + selfBad.Path + " aside and run again: kmsctl starts a new record, and until the hosts' " + strconv.Itoa(kmsclient.CountWindowDays) + "-day window has passed its own earlier CMIDs may be missing from the counts"}
	case errors.As(err, &ambig):
		return said{code: hresult.InvalidArg, fix: "name the product by its Activation ID: kmsctl " + ambig.Op + " ACTIVATION-ID (kmsctl dlv all shows each product's)"}
	case errors.As(err, &unknownP):
		return said{code: hresult.KeyNotInstalled, fix: "kmsctl dlv all shows the Activation IDs of the installed products"}
	case errors.As(err, &auditF):
		return local(auditFileWords(auditF, c))
	case errors.As(err, &export):
		return said{code: hresult.InvalidData, message: "The file is not an exported Key Management Service event log kmsctl can read.",
			fix: `export the log on the host with: wevtutil qe "Key Management Service" /f:xml > kms.xml, or: Get-WinEvent -LogName 'Key Management Service' | ConvertTo-Json > kms.json`}
	case errors.As(err, &state):
		return local(stateDirWords(state, c))
	case errors.As(err, &hostsF):
		return local(hostsFileWords(hostsF, c))
	case errors.As(err, &expCfg):
		return local(exporterConfigWords(expCfg, c))
	case errors.As(err, &addr):
		return said{code: hresult.InvalidArg, fix: fmt.Sprintf("write the host as NAME, NAME:PORT, IPv4:PORT or [IPv6]:PORT (the port defaults to %d)", kmsclient.DefaultPort)}
	case notFound:
		return said{code: hresult.InvalidArg, fix: "name a product exactly (case does not matter), or by its SKU ID or GVLK"}
	case errors.As(err, &runOut):
		return runOutWords(runOut, c)
	case errors.As(err, &dnsErr):
		return discoveryWords(dnsErr, c)
	case errors.As(err, &winrm):
		return winrmWords(winrm, c)
	case errors.As(err, &kms):
		return kmsWords(kms, c)
	}
	if errors.As(err, &path) {
		return local(pathWords(path, c))
	}
	if code, ok := codeOf(err); ok {
		return said{code: code, tableFix: true}
	}
	return said{code: hresult.Unclassified,
		message: "kmsctl failed in a way it has no Windows error code for.",
		fix:     "the cause above is all kmsctl knows; if it does not explain the problem, please report it with the command line you ran"}
}

// IsInterrupted reports whether err is the user's Ctrl-C (SIGINT) rather
// than anything a host, the network or this machine did: a run
// interrupted (limit.ErrInterrupted; Interrupted, CheckInterrupted), a
// host of it not probed (probe.ErrNotProbed) or cut short
// (probe.ErrCutShort).
func IsInterrupted(err error) bool {
	var rep *Reported
	if errors.As(err, &rep) {
		return rep.interrupted
	}
	return errors.Is(err, limit.ErrInterrupted) // probe.ErrNotProbed and ErrCutShort match it too
}

// interruptedWords: the user stopped the run. Windows' code for an
// operation the user cancelled, ERROR_CANCELLED, never kmsctl's "please
// report it": nothing went wrong, and nothing is known about the host.
func interruptedWords(c Context) said {
	fix := "run the command again and let it finish; nothing can be concluded about a host from an interrupted run"
	if f := c.flagList("timeout", "deadline"); f != "" {
		fix += "; to bound how long a run takes, use " + f + " instead of Ctrl-C"
	}
	return said{code: hresult.Cancelled, fix: fix}
}

// writeWords: standard output could not be written.
func writeWords(e *WriteError, c Context) said {
	var coded interface{ Code() hresult.Code } // statedir.Error: a directory in the way
	code, ok := hresult.FromOSError(e.Err)
	switch {
	case errors.As(e.Err, &coded):
		code = coded.Code()
	case !ok:
		code = hresult.Unclassified
	case e.File != "" && code == hresult.FileNotFound:
		// The report file itself is created: what is missing is its
		// directory, ERROR_PATH_NOT_FOUND.
		code = hresult.PathNotFound
	}
	fix := "check where standard output goes"
	dir := filepath.Dir(e.File)
	switch {
	case e.File != "" && code == hresult.DiskFull:
		fix = "free space on the device that holds " + e.File + "; the file was left as it was"
	case e.File != "" && code == hresult.PathNotFound:
		fix = "create the directory " + dir + " first (kmsctl does not), or give " + outputFlag(c) + " a file in a directory that exists"
	case e.File != "" && code == hresult.AccessDenied:
		fix = "give " + outputFlag(c) + " a file in a directory you may write, or run as a user who may write " + dir + "; the file was left as it was"
	case e.File != "":
		fix = "check that " + e.File + " is a regular file (or does not exist yet) in a directory you may write; the file was left as it was"
	case code == hresult.DiskFull:
		fix = "free space on the device standard output is written to, or send it elsewhere"
	}
	return said{code: code, fix: fix}
}

// outputFlag names the flag a report file came from.
func outputFlag(c Context) string {
	if f := c.Flag("output"); f != "" {
		return f
	}
	return "the command"
}

func identityWords(e *identity.CorruptError) said {
	return said{code: hresult.InvalidData,
		message: "kmsctl's client identity file is damaged or from a newer kmsctl; it was left exactly as it is.",
		fix:     fmt.Sprintf("move %s aside and run again to create a new identity (this machine will then count as a new client on KMS hosts)", e.Path)}
}

func licenseFileWords(e *license.CorruptError) said {
	s := said{code: hresult.InvalidData, message: "A kmsctl state file is damaged or from a newer kmsctl; it was left exactly as it is."}
	switch {
	case e.Newer():
		s.fix = "use a newer kmsctl, or move " + e.Path + " aside to start over"
	case e.Line > 0:
		s.fix = "move " + e.Path + " aside (" + moveAside(e.Path) + "); kmsctl then starts a new journal and the license is not affected"
	default:
		s.fix = "move " + e.Path + " aside (" + moveAside(e.Path) + ") and run again: the product key, KMS host settings and activation state are then forgotten (install the key again with kmsctl ipk); the journal and the client identity are kept"
	}
	return s
}

func keyWords(e *license.KeyError, c Context) said {
	s := said{code: hresult.ProductKeyInvalid}
	switch e.Case {
	case license.KeyAsProduct:
		s.fix = "give the key as the argument and name its product: kmsctl ipk KEY --product NAME (kmsctl products lists them)"
	case license.KeyMissing:
		s.fix = "kmsctl ipk KEY, or kmsctl ipk --product NAME to install a product's published GVLK"
	case license.KeyNotPublished:
		s.fix = "install the key you have for it: kmsctl ipk KEY --product " + Quote(e.Product)
	case license.KeyUnknown:
		s.fix = "say which product it is for: kmsctl ipk KEY --product NAME (kmsctl products lists them)"
	case license.KeyOtherProduct:
		s.fix = "give the key of " + e.Product
		if f := c.Flag("product"); f != "" {
			s.fix = "leave out " + f + ", or give the key of " + e.Product
		}
	default:
		s.fix = "a product key is five groups of five letters and digits separated by dashes (XXXXX-XXXXX-XXXXX-XXXXX-XXXXX); to install a product's published GVLK by name: kmsctl ipk --product NAME"
	}
	return s
}

// kmsWords: a KMS exchange failed.
func kmsWords(e *kmsclient.Error, c Context) said {
	s := said{code: e.Code}
	switch e.Kind {
	case kmsclient.KindVerify:
		s.fix = "the reply failed the " + e.Check + " check, so it was not trusted: it was damaged on the way, or the host is not a faithful KMS implementation; try again, then compare with another host"
		if f := c.Flag("protocol"); f != "" {
			s.fix += " or another protocol version (" + f + ")"
		}
	case kmsclient.KindTimeout:
		where := "the host's TCP port"
		if e.Addr != "" {
			where = e.Addr
		}
		raise := ""
		if r := c.raiseLimit(e, limit.Timeout); r != "" {
			raise = r + ", or "
		}
		s.fix = "the host did not answer in time; " + raise + "check that " + where + " is reachable from here and the host is not overloaded"
		s.fixAll = "the hosts did not answer in time; " + raise + "check that these hosts are reachable from here and not overloaded"
	case kmsclient.KindNetwork:
		var dnsErr *net.DNSError
		switch {
		case errors.As(e.Err, &dnsErr) && dnsErr.IsNotFound:
			s.fix = "the host name does not resolve; check its spelling and your DNS"
			s.fixAll = "the host names do not resolve; check their spelling and your DNS"
		case errors.Is(e.Err, syscall.ECONNREFUSED) || errors.Is(e.Err, syscall.Errno(10061)) || strings.Contains(e.Error(), "refused"):
			s.fix = "nothing listens on " + portOf(e.Addr, "that port") + "; check the port and that the Software Protection service runs on the host"
			s.fixAll = "nothing listens on these hosts' TCP ports; check each port and that the Software Protection service runs on each host"
		default:
			s.fix = "check that " + portOf(e.Addr, "the host's port") + " is reachable from here (routing, firewalls)"
			s.fixAll = "check that these hosts' TCP ports are reachable from here (routing, firewalls)"
		}
	case kmsclient.KindBind:
		s.fix = "the machine speaks DCE/RPC but not the KMS interface: it is probably not a KMS host"
	case kmsclient.KindProtocol:
		s.fix = "the host's answer is not valid DCE/RPC; it may not be a KMS host, or something on the path alters TCP traffic"
	case kmsclient.KindHost, kmsclient.KindFault:
		s.tableFix = true
	case kmsclient.KindRequest:
		s.code = hresult.InvalidArg
	}
	return s
}

// runOutWords: the run's own time limit (status --deadline, or the bound
// made from --timeout without it) ran out before a host's turn, or while
// it was being asked. ERROR_TIMEOUT, kmsctl's limit, never 0xC004F074:
// nothing says the host is unreachable, it was not given its time.
func runOutWords(e *probe.LimitError, c Context) said {
	more := "set " + c.Flag("deadline")
	if e.Limit.Kind == limit.Deadline {
		more = "raise " + c.Flag("deadline")
	}
	if c.Flag("deadline") == "" {
		more = "give the run more time"
	}
	if f := c.Flag("concurrency"); f != "" {
		more += " or " + f + " (more hosts asked at once)"
	}
	if !e.Started {
		return said{code: hresult.Timeout, fix: "nothing is known about a host that was never asked; " + more + " so that every host gets its turn"}
	}
	fix := "the host had not answered when the whole run's time ran out, before its own limit did"
	if f := c.Flag("timeout"); f != "" {
		fix += " (" + f + ")"
	}
	return said{code: hresult.Timeout, fix: fix + "; " + more + ", and if it still does not answer, check that it is reachable from here"}
}

// portOf names the TCP port of addr ("TCP port 1689 on 10.0.0.5"), or
// other when addr is not host:port.
func portOf(addr, other string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return other
	}
	return "TCP port " + port + " on " + host
}
