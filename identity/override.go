package identity

import (
	"errors"
	"os"

	"github.com/kmsctl/kmsctl/guid"
)

// WithCMID is the identity of one run that names its own CMID (status
// --cmid): the stored identity's workstation name, or the host name
// (opts.Hostname) when none is stored, with cmid in place of the stored
// CMID. It creates, reads beyond Peek and changes nothing, so a one-off
// CMID never becomes this machine's. Errors are Peek's, a missing state
// directory excepted.
func WithCMID(dir string, cmid guid.GUID, opts Options) (Identity, error) {
	id, ok, err := Peek(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Identity{}, err
	}
	if !ok {
		id = Identity{Workstation: defaultWorkstation(opts.Hostname)}
	}
	id.CMID = cmid
	return id, nil
}
