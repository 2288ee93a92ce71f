// Package nagios holds the monitoring-plugin states (Nagios, Icinga,
// Naemon, and every tool that runs their plugins): what `status --check`
// and `host audit --check` grade to and exit with. Source: the Monitoring
// Plugins Development Guidelines, "Plugin Return Codes".
package nagios

// State is a plugin's state, numbered as its exit status.
type State int

// The states, in order of gravity but for Unknown (the check itself could
// not be made).
const (
	OK       State = 0
	Warning  State = 1
	Critical State = 2
	Unknown  State = 3
)

// String is the state as a plugin's status line writes it: "OK",
// "WARNING", "CRITICAL" or "UNKNOWN".
func (s State) String() string {
	switch s {
	case OK:
		return "OK"
	case Warning:
		return "WARNING"
	case Critical:
		return "CRITICAL"
	}
	return "UNKNOWN"
}
