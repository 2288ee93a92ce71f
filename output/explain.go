package output

import (
	"fmt"
	"strconv"

	"github.com/kmsctl/kmsctl/hresult"
)

// CodeJSON is one error code as `kmsctl explain --json` shows it.
type CodeJSON struct {
	Code    string  `json:"code"`    // 0xC004F038
	Decimal int32   `json:"decimal"` // -1073418184, as Windows event logs and scripts print it
	Name    *string `json:"name"`    // SL_E_VL_NOT_ENOUGH_COUNT; null when no symbolic name is published
	Meaning string  `json:"meaning"`
	Causes  string  `json:"causes"`
	Fix     string  `json:"fix"`
	info    hresult.Info
}

func newCodeJSON(i hresult.Info) CodeJSON {
	j := CodeJSON{Code: i.Code.String(), Decimal: int32(uint32(i.Code)), Meaning: i.Meaning, Causes: i.Causes, Fix: i.Fix, info: i}
	if i.Name != "" {
		j.Name = &i.Name
	}
	return j
}

// noName is what explain says of a code without a published symbolic name.
const noName = "no symbolic name is published"

// nameOf is the code's symbolic name, or noName.
func nameOf(i hresult.Info) string {
	if i.Name == "" {
		return noName
	}
	return i.Name
}

// Explain renders what the table says about one code, or its JSON.
func (s *Streams) Explain(i hresult.Info, v View) error {
	return s.Show(newCodeJSON(i), v)
}

func (d CodeJSON) layout(s *Streams, v View) error {
	if v == ViewTSV {
		return codeColumns.write(s, v, []CodeJSON{d}) // as one line of the list
	}
	i := d.info
	// Wrapped between words at the terminal's width, as error blocks are
	// (a long name makes the first line longer than 80 columns too).
	s.textLine(s.Out, "", "", fmt.Sprintf("%s (%d) %s", s.bad(i.Code.String()), int32(uint32(i.Code)), nameOf(i)))
	s.textLine(s.Out, "", "", i.Meaning)
	if i.Causes != "" {
		s.textLine(s.Out, "  ", "causes: ", i.Causes)
	}
	if i.Fix != "" {
		s.textLine(s.Out, "  ", "try:    ", i.Fix)
	}
	return nil
}

// CodesJSON is the document of `kmsctl explain --json` without a code.
type CodesJSON struct {
	Codes []CodeJSON `json:"codes"`
}

// Codes lists every code kmsctl can explain: code, decimal and name per
// line (tab-separated when piped), or JSON.
func (s *Streams) Codes(all []hresult.Info, v View) error {
	d := CodesJSON{Codes: make([]CodeJSON, 0, len(all))}
	for _, i := range all {
		d.Codes = append(d.Codes, newCodeJSON(i))
	}
	return s.Show(d, v)
}

func (d CodesJSON) layout(s *Streams, v View) error {
	return codeColumns.write(s, v, d.Codes)
}

// codeColumns are explain's list of codes: code, decimal (as event logs
// print it) and symbolic name; in TSV lines the name is empty when none
// is published.
var codeColumns = table[CodeJSON]{
	{head: "Code", in: people, tsv: 1, text: text(func(c CodeJSON) string { return c.Code })},
	{head: "Decimal", in: people, tsv: 2, text: text(func(c CodeJSON) string { return strconv.Itoa(int(c.Decimal)) })},
	{head: "Name", in: people, fit: true, tsv: 3, text: text(func(c CodeJSON) string { return nameOf(c.info) }),
		field: func(c CodeJSON) string { return c.info.Name }},
}
