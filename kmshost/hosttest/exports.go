package hosttest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// The files an admin can export on a host, written from the same events
// the test server serves, so that the audit of a file and the audit over
// WinRM can be compared. The shapes follow Microsoft's event schema
// (wevtutil /f:xml) and the properties of an EventLogRecord as
// ConvertTo-Json writes them; they were not taken from a genuine host.

// Shape is how an export writes a 12290's insertion strings: scripts
// written against real hosts see them as one joined string, as the layout's
// fields, or as those with one more string first.
type Shape int

// The three shapes kmsctl accepts.
const (
	Joined   Shape = iota // one comma-separated string, as the message template shows it
	Separate              // the layout's fields, one string each
	Leading               // one more string first ([0] the whole), then the fields
)

func (s Shape) strings(fields []string) []string {
	switch s {
	case Joined:
		return []string{strings.Join(fields, ",")}
	case Leading:
		return append([]string{strings.Join(fields, ",")}, fields...)
	}
	return fields
}

// logName is the log an event is in, its channel.
func channel(e Event) string { return e.Log() }

// WriteXML writes events as `wevtutil qe "Key Management Service" /f:xml`
// does: one <Event> element after another with no root element, or inside
// <Events> when root is set (wevtutil's /e:Events).
func WriteXML(w io.Writer, events []Event, shape Shape, root bool) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if root {
		bw.WriteString("<Events>")
	}
	for i, e := range events {
		fmt.Fprintf(bw, "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-SPP' EventSourceName='Software Protection Platform Service'/>"+
			"<EventID Qualifiers='16384'>%d</EventID><Version>0</Version><Level>4</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x80000000000000</Keywords>"+
			"<TimeCreated SystemTime='%s'/><EventRecordID>%d</EventRecordID><Correlation/><Execution ProcessID='0' ThreadID='0'/>"+
			"<Channel>%s</Channel><Computer>kms01.corp.example.com</Computer><Security/></System><EventData>",
			e.ID, e.Time.UTC().Format("2006-01-02T15:04:05.0000000Z"), len(events)-i, channel(e))
		for _, f := range shape.strings(e.Fields) {
			bw.WriteString("<Data>")
			xmlEscape(bw, f)
			bw.WriteString("</Data>")
		}
		bw.WriteString("</EventData></Event>")
		if !root {
			bw.WriteString("\r\n")
		}
	}
	if root {
		bw.WriteString("</Events>")
	}
	return bw.Flush()
}

func xmlEscape(w *bufio.Writer, s string) {
	for _, r := range s {
		switch r {
		case '<':
			w.WriteString("&lt;")
		case '>':
			w.WriteString("&gt;")
		case '&':
			w.WriteString("&amp;")
		case '\'':
			w.WriteString("&apos;")
		case '"':
			w.WriteString("&quot;")
		default:
			w.WriteRune(r)
		}
	}
}

// WriteJSON writes events as `Get-WinEvent -LogName 'Key Management
// Service' | ConvertTo-Json` does: an array of EventLogRecord objects with
// their twenty-odd properties, indented. Windows PowerShell 5.1 writes
// TimeCreated as "\/Date(milliseconds)\/", PowerShell 7 (ps7) as an ISO
// 8601 string with the host's offset. One event is written as an object,
// not an array, as ConvertTo-Json does.
func WriteJSON(w io.Writer, events []Event, shape Shape, ps7 bool) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if len(events) != 1 {
		bw.WriteString("[\r\n")
	}
	for i, e := range events {
		props := make([]map[string]string, 0, 10)
		fields := shape.strings(e.Fields)
		for _, f := range fields {
			props = append(props, map[string]string{"Value": f})
		}
		p, _ := json.Marshal(props)
		msg, _ := json.Marshal("An activation request has been processed.\r\nInfo:\r\n" + strings.Join(e.Fields, ","))
		created := `"\/Date(` + fmt.Sprint(e.Time.UnixMilli()) + `)\/"`
		if ps7 {
			created = `"` + e.Time.In(time.FixedZone("", 3600)).Format("2006-01-02T15:04:05.0000000-07:00") + `"`
		}
		fmt.Fprintf(bw, `    {
        "Message":  %s,
        "Id":  %d,
        "Version":  0,
        "Qualifiers":  16384,
        "Level":  4,
        "Task":  0,
        "Opcode":  0,
        "Keywords":  36028797018963968,
        "RecordId":  %d,
        "ProviderName":  "Microsoft-Windows-Security-SPP",
        "ProviderId":  null,
        "LogName":  "%s",
        "ProcessId":  null,
        "ThreadId":  null,
        "MachineName":  "kms01.corp.example.com",
        "UserId":  null,
        "TimeCreated":  %s,
        "ActivityId":  null,
        "RelatedActivityId":  null,
        "ContainerLog":  "%s",
        "MatchedQueryIds":  [],
        "Bookmark":  {},
        "LevelDisplayName":  "Information",
        "OpcodeDisplayName":  "Info",
        "TaskDisplayName":  null,
        "KeywordsDisplayNames":  ["Classic"],
        "Properties":  %s
    }`, msg, e.ID, len(events)-i, channel(e), created, channel(e), p)
		if i < len(events)-1 {
			bw.WriteString(",")
		}
		bw.WriteString("\r\n")
	}
	if len(events) != 1 {
		bw.WriteString("]\r\n")
	}
	return bw.Flush()
}
