package output

import (
	"strconv"

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

// ProductsJSON is the document of `kmsctl products --json`.
type ProductsJSON struct {
	Products []ProductJSON `json:"products"`
	list     []catalogue.Product
}

// Products lists catalogue entries in v: on a terminal a table of at most
// 80 columns (long product and group names cut with "…"), piped one
// tab-separated line per product (name, family, KMS group, threshold,
// protocol, SKU ID, partial key), or JSON.
func (s *Streams) Products(ps []catalogue.Product, v View) error {
	d := ProductsJSON{Products: make([]ProductJSON, 0, len(ps)), list: ps}
	for _, p := range ps {
		d.Products = append(d.Products, ProductJSON{Name: p.Name, Family: string(p.Family), Release: p.Release, KMSGroup: p.Group,
			ApplicationID: p.ApplicationID.String(), SKUID: p.SKUID.String(), KMSID: p.KMSID.String(),
			Threshold: p.Threshold, Protocol: p.Protocol, PartialKey: PartialKey(p.GVLK), Aliases: append([]string{}, p.Aliases...)})
	}
	return s.Show(d, v)
}

func (d ProductsJSON) layout(s *Streams, v View) error {
	return productColumns.write(s, v, d.list)
}

// productColumns are products' table (names and groups cut to fit) and
// its TSV lines: name, family, KMS group, threshold, protocol, SKU ID,
// partial key.
var productColumns = table[catalogue.Product]{
	{head: "Product", in: people, fit: true, tsv: 1, text: text(func(p catalogue.Product) string { return p.Name })},
	{tsv: 2, text: text(func(p catalogue.Product) string { return string(p.Family) })},
	{head: "KMS group", in: people, fit: true, tsv: 3, text: text(func(p catalogue.Product) string { return p.Group })},
	{head: "Threshold", in: people, tsv: 4, text: text(func(p catalogue.Product) string { return strconv.Itoa(p.Threshold) })},
	{head: "Protocol", in: people, tsv: 5, text: text(func(p catalogue.Product) string { return "V" + strconv.Itoa(p.Protocol) }),
		field: func(p catalogue.Product) string { return strconv.Itoa(p.Protocol) }},
	{tsv: 6, text: text(func(p catalogue.Product) string { return p.SKUID.String() })},
	{head: "Key", in: people, tsv: 7, text: text(func(p catalogue.Product) string {
		if k := PartialKey(p.GVLK); k != "" {
			return "…" + k
		}
		return "-"
	}), field: func(p catalogue.Product) string { return PartialKey(p.GVLK) }},
}
