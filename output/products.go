package output

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kmsctl/kmsctl/catalogue"
)

// ProductJSON is one catalogue entry in `kmsctl products --json`.
type ProductJSON struct {
	Name          string   `json:"name"`
	Family        string   `json:"family"`
	Release       string   `json:"release"`
	KMSGroup      string   `json:"kms_group"`
	ApplicationID string   `json:"application_id"`
	SKUID         string   `json:"sku_id"`
	KMSID         string   `json:"kms_id"`
	Threshold     int      `json:"threshold"`
	Protocol      int      `json:"protocol"`
	PartialKey    string   `json:"partial_product_key"` // last five characters of the GVLK, "" when none
	Aliases       []string `json:"aliases"`
}

// PartialKey is how a product key is ever shown: its last five characters.
func PartialKey(key string) string {
	if len(key) < 5 {
		return ""
	}
	return key[len(key)-5:]
}

// Products lists catalogue entries.
func (s *Streams) Products(ps []catalogue.Product, asJSON bool) error {
	if asJSON {
		out := make([]ProductJSON, 0, len(ps))
		for _, p := range ps {
			out = append(out, ProductJSON{Name: p.Name, Family: string(p.Family), Release: p.Release, KMSGroup: p.Group,
				ApplicationID: p.ApplicationID.String(), SKUID: p.SKUID.String(), KMSID: p.KMSID.String(),
				Threshold: p.Threshold, Protocol: p.Protocol, PartialKey: PartialKey(p.GVLK), Aliases: append([]string{}, p.Aliases...)})
		}
		return writeJSON(s.Out, struct {
			Products []ProductJSON `json:"products"`
		}{out})
	}
	if !s.TTY {
		for _, p := range ps {
			fmt.Fprintln(s.Out, strings.Join([]string{p.Name, string(p.Family), p.Group, strconv.Itoa(p.Threshold),
				strconv.Itoa(p.Protocol), p.SKUID.String(), PartialKey(p.GVLK)}, "\t"))
		}
		return nil
	}
	// On a terminal the table fits 80 columns: long product and group
	// names are cut with "…" (the piped lines and JSON keep them whole).
	header := []string{"Product", "KMS group", "Threshold", "Protocol", "Key"}
	rows := make([][]string, 0, len(ps))
	for _, p := range ps {
		key := "-"
		if k := PartialKey(p.GVLK); k != "" {
			key = "…" + k
		}
		rows = append(rows, []string{p.Name, p.Group, strconv.Itoa(p.Threshold), "V" + strconv.Itoa(p.Protocol), key})
	}
	fitColumns(header, rows, 0, 1)
	t := s.newTable()
	t.Header(header)
	for _, r := range rows {
		t.Append(r)
	}
	return t.Render()
}
