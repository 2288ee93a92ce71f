// Package config reads the configuration file of `kmsctl exporter`
// (--config FILE), in the style of blackbox_exporter's: YAML with named
// modules of probe settings, one chosen per scrape with &module=NAME, and
// the exporter-wide settings its command-line flags also set.
//
//	listen: 127.0.0.1:9688   # --listen
//	timeout: 10s             # --timeout: ceiling of one probe
//	concurrency: 64          # --concurrency
//	queue: 1024              # --queue
//	log_format: json         # --log-format: text or json
//	log_level: info          # --log-level: debug, info, warn or error
//	modules:
//	  default:               # used when a scrape names no module
//	    products: [Windows 10 Enterprise, Office LTSC Professional Plus 2021]
//	    protocol: 6          # 4, 5 or 6; default: each product's own
//	    timeout: 5s          # at most this per probe (and the ceiling above)
//	    port: 1688           # for targets written without a port
//
// Reading is strict: an unknown key, a value of the wrong type, a product
// kmsctl does not know or a setting out of range is an *Error naming the
// file, the line and the key. The file is decoded by go.yaml.in/yaml/v3
// (the YAML organisation's maintained line of gopkg.in/yaml.v3), whose
// KnownFields mode reports unknown keys with their line.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kmsctl/kmsctl/catalogue"
)

// MaxProducts bounds the products of one probe, from a module or a scrape's
// &product= parameters.
const MaxProducts = 16

// DefaultModule is the module a scrape without &module= uses, when the
// file defines it; without it such a scrape asks about the default products
// (catalogue.DefaultProbe) with each one's own protocol version.
const DefaultModule = "default"

// maxFileSize bounds how much of a configuration file is read.
const maxFileSize = 1 << 20

// maxModuleName bounds a module's name (it comes back in query strings).
const maxModuleName = 64

// File is a configuration file, read and checked. A setting the file
// leaves out is zero (nil for Concurrency and Queue, where 0 has a
// meaning of its own).
type File struct {
	Path        string
	Listen      string        // HOST:PORT to listen on
	Timeout     time.Duration // ceiling of one probe
	Concurrency *int          // probes at once, 1 or more
	Queue       *int          // scrapes that may wait for a probe, 0 or more
	LogFormat   string        // text or json
	LogLevel    string        // debug, info, warn or error
	Modules     map[string]Module
}

// Module is one named set of probe settings.
type Module struct {
	// Products are the product groups asked about, in the file's order;
	// empty: catalogue.DefaultProbe.
	Products []catalogue.Product
	// Protocol is the KMS protocol version (4, 5 or 6); 0: each product's.
	Protocol int
	// Timeout bounds one probe below the exporter's ceiling; 0: no bound
	// of the module's own.
	Timeout time.Duration
	// Port is dialled for targets written without one; "" for 1688.
	Port string
}

// Error is a configuration file that cannot be used: Line 0 with the
// system's error when it cannot be read, else the line (from 1) and what
// is wrong there, in one line.
type Error struct {
	Path string
	Line int
	Err  error
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.Path, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Load reads and checks the configuration file at path.
func Load(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, &Error{Path: path, Err: unwrapPath(err)}
	}
	defer fh.Close()
	if st, err := fh.Stat(); err == nil && st.IsDir() {
		return nil, &Error{Path: path, Err: errIsDir}
	}
	data, err := io.ReadAll(io.LimitReader(fh, maxFileSize+1))
	if err != nil {
		return nil, &Error{Path: path, Err: unwrapPath(err)}
	}
	return Parse(path, data)
}

// errIsDir is a path that names a directory; it is EISDIR, so callers
// describe it as the system would.
var errIsDir error = dirError{}

type dirError struct{}

func (dirError) Error() string        { return "is a directory, not a configuration file" }
func (dirError) Is(target error) bool { return target == syscall.EISDIR }

// unwrapPath drops the *fs.PathError around err: Error names the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// raw is the file as written; yaml tags are the keys.
type raw struct {
	Listen      string               `yaml:"listen"`
	Timeout     *time.Duration       `yaml:"timeout"`
	Concurrency *int                 `yaml:"concurrency"`
	Queue       *int                 `yaml:"queue"`
	LogFormat   string               `yaml:"log_format"`
	LogLevel    string               `yaml:"log_level"`
	Modules     map[string]rawModule `yaml:"modules"`
}

type rawModule struct {
	Products []string      `yaml:"products"`
	Protocol int           `yaml:"protocol"`
	Timeout  time.Duration `yaml:"timeout"`
	Port     int           `yaml:"port"`
}

// Keys lists the keys a file may have at the top and in a module, for
// messages and documentation.
var (
	topKeys    = []string{"listen", "timeout", "concurrency", "queue", "log_format", "log_level", "modules"}
	moduleKeys = []string{"products", "protocol", "timeout", "port"}
)

// Parse checks a configuration file's contents; path names it in errors.
// An empty file (or one holding only comments) sets nothing.
func Parse(path string, data []byte) (*File, error) {
	if len(data) > maxFileSize {
		return nil, &Error{Path: path, Err: fmt.Errorf("larger than %d bytes: not a kmsctl exporter configuration", maxFileSize)}
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return &File{Path: path}, nil
		}
		return nil, yamlError(path, err, nil)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil {
			return nil, yamlError(path, err, nil)
		}
		return nil, &Error{Path: path, Line: line, Err: errors.New("a second YAML document: the file holds one")}
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind == yaml.ScalarNode && doc.Tag == "!!null" {
		return &File{Path: path}, nil
	}
	if doc.Kind != yaml.MappingNode {
		return nil, &Error{Path: path, Line: doc.Line, Err: errors.New("the file is not a mapping of settings (listen:, modules:, …)")}
	}
	var r raw
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	if err := strict.Decode(&r); err != nil {
		return nil, yamlError(path, err, doc)
	}
	return check(path, &r, doc)
}

// check turns what was decoded into a File, refusing values out of range.
func check(path string, r *raw, doc *yaml.Node) (*File, error) {
	bad := func(msg string, keys ...string) error {
		return &Error{Path: path, Line: lineOf(doc, keys...), Err: errors.New(msg)}
	}
	f := &File{Path: path, Listen: r.Listen, Concurrency: r.Concurrency, Queue: r.Queue,
		LogFormat: r.LogFormat, LogLevel: r.LogLevel}
	if r.Listen == "" && has(doc, "listen") {
		return nil, bad("listen: give HOST:PORT, e.g. 127.0.0.1:9688", "listen")
	}
	if r.Listen != "" {
		// What net.Listen would refuse at start, refused when the file is
		// read, so that --check-config finds it.
		_, port, err := net.SplitHostPort(r.Listen)
		if err == nil {
			_, err = net.LookupPort("tcp", port)
		}
		if err != nil {
			return nil, bad("listen "+strconv.Quote(r.Listen)+": "+err.Error()+"; give HOST:PORT, e.g. 127.0.0.1:9688", "listen")
		}
	}
	if r.Timeout != nil {
		if *r.Timeout <= 0 {
			return nil, bad("timeout must be positive, e.g. 10s", "timeout")
		}
		f.Timeout = *r.Timeout
	}
	if r.Concurrency != nil && *r.Concurrency < 1 {
		return nil, bad("concurrency must be 1 or more", "concurrency")
	}
	if r.Queue != nil && *r.Queue < 0 {
		return nil, bad("queue must be 0 or more (0: no scrape waits)", "queue")
	}
	switch r.LogFormat {
	case "", "text", "json":
	default:
		return nil, bad("log_format "+strconv.Quote(r.LogFormat)+" is not known: use text or json", "log_format")
	}
	switch r.LogLevel {
	case "", "debug", "info", "warn", "error":
	default:
		return nil, bad("log_level "+strconv.Quote(r.LogLevel)+" is not known: use debug, info, warn or error", "log_level")
	}
	if r.Modules == nil && has(doc, "modules") {
		return nil, bad("modules is empty: name at least one, or leave the key out", "modules")
	}
	f.Modules = make(map[string]Module, len(r.Modules))
	for name, rm := range r.Modules {
		if !ValidModuleName(name) {
			line := lineOf(doc, "modules")
			if k, _ := value(doc, "modules", name); k != nil {
				line = k.Line
			}
			return nil, &Error{Path: path, Line: line, Err: fmt.Errorf("module name %q: use at most %d letters, digits, '_', '-' or '.'", name, maxModuleName)}
		}
		m := Module{Protocol: rm.Protocol, Timeout: rm.Timeout}
		if len(rm.Products) > MaxProducts {
			return nil, bad(fmt.Sprintf("module %s: more than %d products", name, MaxProducts), "modules", name, "products")
		}
		for i, n := range rm.Products {
			p, err := catalogue.Lookup(n)
			if err != nil {
				return nil, &Error{Path: path, Line: lineOfItem(doc, i, "modules", name, "products"),
					Err: fmt.Errorf("module %s: product: %s", name, oneLine(err.Error()))}
			}
			if slices.ContainsFunc(m.Products, func(q catalogue.Product) bool { return q.SKUID == p.SKUID }) {
				return nil, &Error{Path: path, Line: lineOfItem(doc, i, "modules", name, "products"),
					Err: fmt.Errorf("module %s: product %q is listed twice", name, p.Name)}
			}
			m.Products = append(m.Products, p)
		}
		if has(doc, "modules", name, "protocol") && (rm.Protocol < 4 || rm.Protocol > 6) {
			return nil, bad(fmt.Sprintf("module %s: protocol %d does not exist: use 4, 5 or 6", name, rm.Protocol), "modules", name, "protocol")
		}
		if has(doc, "modules", name, "timeout") && rm.Timeout <= 0 {
			return nil, bad(fmt.Sprintf("module %s: timeout must be positive, e.g. 5s", name), "modules", name, "timeout")
		}
		if has(doc, "modules", name, "port") {
			if rm.Port < 1 || rm.Port > 65535 {
				return nil, bad(fmt.Sprintf("module %s: port %d is not from 1 to 65535", name, rm.Port), "modules", name, "port")
			}
			m.Port = strconv.Itoa(rm.Port)
		}
		f.Modules[name] = m
	}
	return f, nil
}

// ValidModuleName reports whether name can name a module: 1 to 64 letters,
// digits, '_', '-' or '.'.
func ValidModuleName(name string) bool {
	if name == "" || len(name) > maxModuleName {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// Names lists the modules' names, sorted.
func (f *File) Names() []string {
	names := make([]string, 0, len(f.Modules))
	for n := range f.Modules {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// value is the node of keys (a path of mapping keys) under doc, or nil;
// key is the key's own node.
func value(doc *yaml.Node, keys ...string) (key, val *yaml.Node) {
	n := doc
	for _, k := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil, nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				key, next = n.Content[i], n.Content[i+1]
			}
		}
		n = next
	}
	return key, n
}

func has(doc *yaml.Node, keys ...string) bool {
	_, v := value(doc, keys...)
	return v != nil
}

// lineOf is the line of the value at keys, else of its key, else 0.
func lineOf(doc *yaml.Node, keys ...string) int {
	k, v := value(doc, keys...)
	switch {
	case v != nil && v.Line > 0:
		return v.Line
	case k != nil:
		return k.Line
	}
	return 0
}

// lineOfItem is the line of item i of the sequence at keys.
func lineOfItem(doc *yaml.Node, i int, keys ...string) int {
	if _, v := value(doc, keys...); v != nil && v.Kind == yaml.SequenceNode && i < len(v.Content) {
		return v.Content[i].Line
	}
	return lineOf(doc, keys...)
}

// keyAt is the path of the key whose value starts at line (e.g.
// "modules.office.protocol"), or "".
func keyAt(n *yaml.Node, line int, path string) string {
	if n == nil || n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := k.Value
		if path != "" {
			p = path + "." + k.Value
		}
		if v.Kind == yaml.MappingNode {
			if s := keyAt(v, line, p); s != "" {
				return s
			}
		}
		if v.Line == line || k.Line == line {
			return p
		}
	}
	return ""
}

// yamlError turns a yaml.v3 error into an *Error with its line, in words
// that name the key rather than Go's types.
func yamlError(path string, err error, doc *yaml.Node) error {
	msg := err.Error()
	var te *yaml.TypeError
	more := 0
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg, more = te.Errors[0], len(te.Errors)-1
	}
	// yaml.v3's messages, as of v3.0.x: "yaml: line N: …", "line N:
	// field K not found in type config.T", "line N: cannot unmarshal !!T
	// `V` into GOTYPE".
	e := &Error{Path: path}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, text, ok := strings.Cut(rest, ": "); ok {
			if line, err := strconv.Atoi(n); err == nil {
				e.Line, msg = line, text
			}
		}
	}
	if rest, ok := strings.CutPrefix(msg, "field "); ok {
		if k, typ, ok := strings.Cut(rest, " not found in type "); ok {
			if typ == "config.rawModule" {
				msg = fmt.Sprintf("unknown key %q in a module: a module takes %s", k, strings.Join(moduleKeys, ", "))
			} else {
				msg = fmt.Sprintf("unknown key %q: the file takes %s", k, strings.Join(topKeys, ", "))
			}
		}
	}
	if rest, ok := strings.CutPrefix(msg, "cannot unmarshal !!"); ok {
		// "TAG `VALUE` into TYPE" for a scalar, "TAG into TYPE" else.
		tag, rest, _ := strings.Cut(rest, " ")
		shown := map[string]string{"seq": "a list", "map": "a mapping"}[tag]
		if v, ok := strings.CutPrefix(rest, "`"); ok {
			if i := strings.LastIndex(v, "` into "); i >= 0 {
				shown, rest = strconv.Quote(v[:i]), v[i+len("` "):]
			}
		}
		if typ, ok := strings.CutPrefix(rest, "into "); ok && shown != "" {
			key := keyAt(doc, e.Line, "")
			if key == "" {
				key = "a value"
			}
			want := map[string]string{
				"int": "a whole number", "*int": "a whole number", "string": "a string",
				"time.Duration": "a duration such as 10s or 1m30s", "*time.Duration": "a duration such as 10s or 1m30s",
				"[]string": "a list of product names", "map[string]config.rawModule": "a mapping of module names to settings",
				"config.rawModule": "a mapping of settings (products, protocol, timeout, port)",
				"config.raw":       "a mapping of settings",
			}[typ]
			if want == "" {
				want = typ
			}
			msg = fmt.Sprintf("%s: %s is not %s", key, shown, want)
		}
	}
	if more > 0 {
		msg += fmt.Sprintf(" (and %d more)", more)
	}
	e.Err = errors.New(oneLine(msg))
	return e
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
