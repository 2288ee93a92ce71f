package kmsclient

import (
	"cmp"
	"errors"
	"fmt"
	"github.com/kmsctl/kmsctl/internal/textsafe"
	"github.com/kmsctl/kmsctl/kmsclient/internal/wire"
	"slices"
	"strconv"
	"strings"
	"time"
)

// decodeEPIDText turns the UTF-16LE ePID field (P bytes, NUL included)
// into a string. A missing terminator or a NUL before it is a malformed
// field and rejects the reply (docs/protocol.md §9.1 item 8). Characters no
// host sends (controls, anything outside printable ASCII) are accepted, as
// Windows stores whatever text the host sent, but shown as \uXXXX escapes,
// so that a host cannot write to the terminal, with a warning.
func decodeEPIDText(b []byte) (s, warning string, err error) {
	if len(b)%2 != 0 {
		return "", "", verifyErr(CheckEPID, "ePID field of %d bytes is not whole UTF-16 characters", len(b))
	}
	u := wire.UTF16Units(b)
	if len(u) == 0 || u[len(u)-1] != 0 {
		return "", "", verifyErr(CheckEPID, "ePID is not NUL-terminated")
	}
	u = u[:len(u)-1]
	var sb strings.Builder
	sb.Grow(len(u))
	odd, first := 0, ""
	for i, c := range u {
		switch {
		case c == 0:
			return "", "", verifyErr(CheckEPID, "ePID has a NUL at character %d of %d", i, len(u))
		case c < 0x20 || c > 0x7e:
			if odd == 0 {
				kind := "non-ASCII character"
				if textsafe.Control(rune(c)) {
					kind = "control character"
				}
				first = fmt.Sprintf("%s U+%04X at position %d", kind, c, i)
			}
			odd++
			fmt.Fprintf(&sb, "\\u%04x", c)
			continue
		}
		sb.WriteByte(byte(c))
	}
	if sb.Len() == 0 {
		return "", "", verifyErr(CheckEPID, "ePID is empty")
	}
	if odd > 0 {
		warning = fmt.Sprintf("ePID has %d character(s) no KMS host sends (the first: %s), shown as \\uXXXX: an emulator or a damaged host", odd, first)
	}
	return sb.String(), warning, nil
}

// EPIDInfo is what an ePID in Windows' format says about the KMS host
// (docs/protocol.md §7.1), e.g. 06401-00206-271-392041-03-1033-9200.0000-1652013.
type EPIDInfo struct {
	PlatformID     string    `json:"platform_id"` // derived from the host OS build
	GroupID        string    `json:"group_id"`    // host key (CSVLK) family
	HostKeyType    string    `json:"host_key_type,omitempty"`
	KeyID          int       `json:"key_id"`  // parts 3 and 4 together
	Channel        string    `json:"channel"` // 03 = volume
	LCID           int       `json:"lcid"`
	Language       string    `json:"language,omitempty"` // "en-US"
	LanguageName   string    `json:"language_name,omitempty"`
	Build          int       `json:"os_build"`
	OS             string    `json:"os,omitempty"` // "Windows Server 2019"
	ActivationDay  int       `json:"activation_day"`
	ActivationYear int       `json:"activation_year"`
	ActivationDate time.Time `json:"activation_date"`
}

// ErrEPIDFormat is wrapped by ParseEPID for text not in Windows' format.
var ErrEPIDFormat = errors.New("not a Windows ePID")

// ParseEPID decodes an ePID in Windows' format. Hosts that send something
// else (go-kms sends a GUID) still answer correctly; callers keep the text
// and show the error as a warning.
func ParseEPID(s string) (EPIDInfo, error) {
	var e EPIDInfo
	f := strings.Split(s, "-")
	if len(f) != 8 {
		return EPIDInfo{}, fmt.Errorf("%d fields, want 8: %w", len(f), ErrEPIDFormat)
	}
	digits := func(i int, min, max int) (int, error) {
		v := f[i]
		if len(v) < min || len(v) > max {
			return 0, fmt.Errorf("field %d %q: want %d-%d digits: %w", i+1, v, min, max, ErrEPIDFormat)
		}
		for _, c := range v {
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("field %d %q: not a number: %w", i+1, v, ErrEPIDFormat)
			}
		}
		n, _ := strconv.Atoi(v)
		return n, nil
	}
	if _, err := digits(0, 5, 5); err != nil {
		return EPIDInfo{}, err
	}
	if _, err := digits(1, 5, 5); err != nil {
		return EPIDInfo{}, err
	}
	hi, err := digits(2, 3, 3)
	if err != nil {
		return EPIDInfo{}, err
	}
	lo, err := digits(3, 6, 6)
	if err != nil {
		return EPIDInfo{}, err
	}
	if _, err := digits(4, 2, 2); err != nil {
		return EPIDInfo{}, err
	}
	if e.LCID, err = digits(5, 4, 5); err != nil {
		return EPIDInfo{}, err
	}
	build, ok := strings.CutSuffix(f[6], ".0000")
	if !ok {
		return EPIDInfo{}, fmt.Errorf("field 7 %q: want BUILD.0000: %w", f[6], ErrEPIDFormat)
	}
	f[6] = build
	if e.Build, err = digits(6, 4, 5); err != nil {
		return EPIDInfo{}, err
	}
	if _, err := digits(7, 7, 7); err != nil {
		return EPIDInfo{}, err
	}
	e.ActivationDay, _ = strconv.Atoi(f[7][:3])
	e.ActivationYear, _ = strconv.Atoi(f[7][3:])
	e.PlatformID, e.GroupID, e.Channel = f[0], f[1], f[4]
	e.KeyID = hi*1_000_000 + lo
	// py-kms numbers days from 0; accept it rather than call the host fake.
	daysInYear := 365
	if y := e.ActivationYear; y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		daysInYear = 366
	}
	if e.ActivationDay > daysInYear || e.ActivationYear < 2000 {
		return EPIDInfo{}, fmt.Errorf("activation date %s: day %d of %d: %w", f[7], e.ActivationDay, e.ActivationYear, ErrEPIDFormat)
	}
	e.ActivationDate = time.Date(e.ActivationYear, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, max(e.ActivationDay-1, 0))
	e.Language, e.LanguageName = LanguageOf(e.LCID)
	e.OS = osOfBuild(e.Build)
	e.HostKeyType = hostKeyGroups[e.GroupID]
	return e, nil
}

// hostKeyGroups names the CSVLK group IDs seen in ePIDs.
var hostKeyGroups = map[string]string{
	"00206": "Windows Server 2012 R2 or later / Windows 10 (KMS host key)",
	"00168": "Windows Server 2008 R2 (KMS host key)",
	"00152": "Windows Server 2008 (KMS host key)",
	"00096": "Office 2010 (KMS host key)",
	"03858": "Windows 10 China Government (KMS host key)",
	"04573": "Windows Server 2022 (KMS host key)",
	"04918": "Windows Server 2025 (KMS host key)",
}

// osOfBuild names the Windows release of a host OS build.
func osOfBuild(b int) string {
	switch b {
	case 6000:
		return "Windows Vista / Server 2008 RTM"
	case 6001, 6002, 6003:
		return "Windows Server 2008"
	case 7600, 7601:
		return "Windows Server 2008 R2 / Windows 7"
	case 9200:
		return "Windows Server 2012 / Windows 8"
	case 9600:
		return "Windows Server 2012 R2 / Windows 8.1"
	case 10240:
		return "Windows 10 1507"
	case 14393:
		return "Windows Server 2016 / Windows 10 1607"
	case 17763:
		return "Windows Server 2019 / Windows 10 1809"
	case 19041, 19042, 19043, 19044, 19045:
		return "Windows 10 (20H1 or later)"
	case 20348:
		return "Windows Server 2022"
	case 22000, 22621, 22631:
		return "Windows 11"
	case 26100:
		return "Windows Server 2025 / Windows 11 24H2"
	}
	return ""
}

// LanguageOf names a Windows LCID: its tag and English name.
func LanguageOf(lcid int) (tag, name string) {
	i, ok := slices.BinarySearchFunc(lcids[:], lcid, func(l lcidName, id int) int { return cmp.Compare(l.id, id) })
	if ok {
		return lcids[i].tag, lcids[i].name
	}
	return "", ""
}
