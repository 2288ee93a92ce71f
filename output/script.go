package output

import "fmt"

// HostScript prints the PowerShell kmsctl would run (--show-script): the
// script, then the command line that carries it.
func (s *Streams) HostScript(script, commandLine string) error {
	fmt.Fprint(s.Out, script)
	fmt.Fprintf(s.Out, "\n# sent as:\n# %s\n", commandLine)
	return nil
}
