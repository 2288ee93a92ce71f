package kmsclient

import "strconv"

// LicenseStatus is a Windows license status: the number a KMS request
// carries for the client's own status (docs/protocol.md §4.1), that
// SoftwareLicensingProduct.LicenseStatus reports over WMI and that a KMS
// host's event log records. It is the one definition kmsctl has of the
// statuses and of the three ways it names them (docs/slmgr.md §1): String
// (slmgr's words), Name (WMI's identifier, used in JSON) and Short (a few
// words for narrow tables).
type LicenseStatus uint32

// License statuses, numbered as Windows numbers them. kmsctl's own
// lifecycle reaches Unlicensed, Licensed, OOBGrace, OOTGrace and
// Notification; the other two are named so that every value slmgr shows
// has its words.
const (
	StatusUnlicensed      LicenseStatus = 0
	StatusLicensed        LicenseStatus = 1
	StatusOOBGrace        LicenseStatus = 2 // initial grace period
	StatusOOTGrace        LicenseStatus = 3 // KMS license expired or hardware out of tolerance
	StatusNonGenuineGrace LicenseStatus = 4
	StatusNotification    LicenseStatus = 5
	StatusExtendedGrace   LicenseStatus = 6
)

// licenseStatuses names each status: WMI's identifier, slmgr's words after
// "License Status: ", kmsctl's short form (docs/slmgr.md §1).
var licenseStatuses = [...]struct{ name, slmgr, short string }{
	StatusUnlicensed:      {"Unlicensed", "Unlicensed", "unlicensed"},
	StatusLicensed:        {"Licensed", "Licensed", "licensed"},
	StatusOOBGrace:        {"OOBGrace", "Initial grace period", "initial grace"},
	StatusOOTGrace:        {"OOTGrace", "Additional grace period (KMS license expired or hardware out of tolerance)", "expired/OOT"},
	StatusNonGenuineGrace: {"NonGenuineGrace", "Non-genuine grace period.", "non-genuine"},
	StatusNotification:    {"Notification", "Notification", "notification"},
	StatusExtendedGrace:   {"ExtendedGrace", "Extended grace period", "extended grace"},
}

func (s LicenseStatus) known() bool { return uint64(s) < uint64(len(licenseStatuses)) }

// String is the status as slmgr /dli words it after "License Status: ";
// "Unknown" past the known ones, as slmgr prints.
func (s LicenseStatus) String() string {
	if s.known() {
		return licenseStatuses[s].slmgr
	}
	return "Unknown"
}

// Name is the status's WMI identifier (Licensed, OOBGrace, …), the value of
// JSON's license_state; Unknown(N) past the known ones.
func (s LicenseStatus) Name() string {
	if s.known() {
		return licenseStatuses[s].name
	}
	return "Unknown(" + strconv.FormatUint(uint64(s), 10) + ")"
}

// Short is the status in a few words for narrow tables (initial grace,
// expired/OOT, …); the number past the known ones.
func (s LicenseStatus) Short() string {
	if s.known() {
		return licenseStatuses[s].short
	}
	return strconv.FormatUint(uint64(s), 10)
}
