// Package kmsrequest builds the KMS activation request a client sends for
// a product: the product's IDs and threshold from catalogue, the client's
// identity, and the client's licence state. It sits beside kmsclient (the
// wire protocol, which knows no products) so that both probe and license
// build their requests here, and neither needs the other.
package kmsrequest

import (
	"time"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/kmsclient"
)

// Client is who a request claims to be: the client machine ID (CMID) and
// the workstation name a KMS host logs.
type Client struct {
	CMID        guid.GUID
	Workstation string
}

// New builds the activation request for p in KMS protocol version
// protocol (4, 5 or 6) from who, at clk's now: a client in its initial
// grace period with the whole of it left (kmsclient.InitialGrace), as a
// freshly installed machine would be. A client with a licence state (see
// license) then sets LicenseStatus, BindingExpiration and PreviousCMID.
func New(p catalogue.Product, protocol int, who Client, clk clock.Clock) *kmsclient.Request {
	return &kmsclient.Request{
		Version:           protocol,
		LicenseStatus:     kmsclient.StatusOOBGrace,
		BindingExpiration: uint32(kmsclient.InitialGrace / time.Minute),
		ApplicationID:     p.ApplicationID,
		ActivationID:      p.SKUID,
		KMSCountedID:      p.KMSID,
		CMID:              who.CMID,
		RequiredCount:     uint32(p.Threshold),
		Time:              kmsclient.Filetime(clock.Or(clk).Now()),
		Workstation:       who.Workstation,
	}
}
