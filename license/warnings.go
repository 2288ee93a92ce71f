package license

// Warnings are slmgr's warnings about the KMS settings in force, in
// slmgr's words: a host set with skms overrides the skms-domain lookup
// domain. Empty, not nil, when there is nothing to say.
func (h HostConfig) Warnings() []string {
	w := []string{}
	if h.Host != "" && h.LookupDomain != "" {
		w = append(w, "/skms setting overrides the /skms-domain setting. "+h.Address()+" will be used for activation.")
	}
	return w
}
