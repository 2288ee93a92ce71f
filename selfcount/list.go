package selfcount

import "path/filepath"

// List returns the requests the record in dir holds (none when there is no
// record), for reports that must tell kmsctl's own CMIDs from other
// clients (host audit). It reads without the lock: the record is only
// ever replaced whole, by a rename.
func List(dir string) ([]Asked, error) {
	f, err := read(filepath.Join(dir, FileName))
	return f.Asked, err
}
