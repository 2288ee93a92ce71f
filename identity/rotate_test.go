package identity

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/internal/testdir"
)

func TestRotate_KeepsPreviousCMID(t *testing.T) {
	dir := testdir.Private(t)
	writeIdentity(t, dir, validFile)
	id, err := Rotate(context.Background(), dir, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	old := guid.MustParse(validCMID)
	if id.CMID == old || id.CMID.IsZero() {
		t.Fatalf("CMID %s not replaced", id.CMID)
	}
	if id.PreviousCMID != old {
		t.Fatalf("PreviousCMID = %s, want %s", id.PreviousCMID, old)
	}
	if id.Workstation != "WS01" {
		t.Fatalf("workstation %q, want the stored WS01", id.Workstation)
	}
	// Load and Peek see the rotated identity, previous CMID included.
	got, err := Load(context.Background(), dir, testOpts())
	if err != nil || got.CMID != id.CMID || got.PreviousCMID != old {
		t.Fatalf("Load after Rotate = %+v, %v", got, err)
	}
	// A second rotation forgets the first CMID.
	again, err := Rotate(context.Background(), dir, testOpts())
	if err != nil || again.PreviousCMID != id.CMID {
		t.Fatalf("second Rotate = %+v, %v; want previous %s", again, err, id.CMID)
	}
}

func TestRotate_CreatesWhenMissing(t *testing.T) {
	dir := testdir.Private(t)
	id, err := Rotate(context.Background(), dir, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if id.CMID.IsZero() || !id.PreviousCMID.IsZero() {
		t.Fatalf("Rotate on nothing = %+v", id)
	}
	if got, ok, err := Peek(dir); err != nil || !ok || got.CMID != id.CMID {
		t.Fatalf("Peek = %+v %v %v", got, ok, err)
	}
}

func TestRotate_CorruptUntouched(t *testing.T) {
	dir := testdir.Private(t)
	path := writeIdentity(t, dir, `{"version":1,"cmid":"3f2c`)
	before := snap(t, path)
	_, err := Rotate(context.Background(), dir, testOpts())
	var ce *CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("Rotate = %v, want *CorruptError", err)
	}
	before.check(t, path)
	if ce.Code() != hresult.InvalidData || ce.Path != path {
		t.Fatalf("CorruptError: %v %q", ce.Code(), ce.Path)
	}
}

func TestLoad_BadPreviousCMID(t *testing.T) {
	dir := testdir.Private(t)
	path := writeIdentity(t, dir, `{"version":1,"cmid":"`+validCMID+`","previous_cmid":"nope"}`)
	before := snap(t, path)
	_, err := Load(context.Background(), dir, testOpts())
	var ce *CorruptError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), `"previous_cmid"`) {
		t.Fatalf("Load = %v, want a CorruptError about previous_cmid", err)
	}
	before.check(t, path)
}

func TestEncode_OmitsZeroPreviousCMID(t *testing.T) {
	b, err := encode(Identity{CMID: guid.MustParse(validCMID), Workstation: "WS01"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "previous_cmid") {
		t.Fatalf("a never-rotated identity writes previous_cmid:\n%s", b)
	}
}
