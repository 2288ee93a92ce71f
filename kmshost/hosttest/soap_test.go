package hosttest

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

// TestRefusePlain: a plain SOAP body after NTLM, on a listener that
// requires encryption, gets what Windows sends: 401, one WWW-Authenticate
// header offering Negotiate alone, Connection: close, and no body.
func TestRefusePlain(t *testing.T) {
	rec := httptest.NewRecorder()
	newNTLMServer("kmsaudit", "pw", DefaultNow).refusePlain(rec)
	if rec.Code != http.StatusUnauthorized || !slices.Equal(rec.Header().Values("WWW-Authenticate"), []string{"Negotiate"}) ||
		rec.Header().Get("Connection") != "close" || rec.Body.Len() != 0 {
		t.Errorf("%d %v %q", rec.Code, rec.Header(), rec.Body.String())
	}
}

// TestReadAddressing reads the request's Action and MessageID from its
// header only.
func TestReadAddressing(t *testing.T) {
	body := `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"><env:Header><a:Action mustUnderstand="true">` + actionReceive + `</a:Action><a:MessageID>uuid:1C6A3C3B-0000-4000-8000-000000000001</a:MessageID></env:Header><env:Body><a:MessageID>not this</a:MessageID></env:Body></env:Envelope>`
	if a := readAddressing([]byte(body)); a.Action != actionReceive || a.MessageID != "uuid:1C6A3C3B-0000-4000-8000-000000000001" {
		t.Errorf("%+v", a)
	}
	if a := readAddressing([]byte("not xml")); a != (addressing{}) {
		t.Errorf("%+v", a)
	}
}
