package query

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/model"
	"github.com/rolecall/rolecall/internal/protocol"
)

var timeType = reflect.TypeFor[time.Time]()

var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// WriteResponse renders out (a pointer to the output struct, or nil) as the
// operation's XML response:
//
//	<OpResponse xmlns="..."><OpResult>...</OpResult><ResponseMetadata><RequestId>..</RequestId></ResponseMetadata></OpResponse>
func (c *Codec) WriteResponse(w http.ResponseWriter, op *model.Operation, out any, requestID string) {
	b := bufs.Get().(*bytes.Buffer)
	defer func() { b.Reset(); bufs.Put(b) }()
	e := c.envelope(op)
	b.WriteString(e.head)
	if e.result {
		c.WriteMembers(b, op.OutputShape, out, 2)
	}
	b.WriteString(e.mid)
	b.WriteString(requestID)
	b.WriteString(e.tail)
	WriteXML(w, http.StatusOK, requestID, b.Bytes())
}

// envelope is the text of an operation's response around its result's
// members and its request ID, made once per operation: an answer is then
// five writes rather than thirteen.
type envelope struct {
	head, mid, tail string
	result          bool // the members are written between head and mid
}

// envelope is op's envelope. The envelopes of all the model's operations
// are made at the first answer.
func (c *Codec) envelope(op *model.Operation) *envelope {
	c.envelopesOnce.Do(func() {
		c.envelopes = make(map[*model.Operation]*envelope, len(c.Model.Operations))
		for _, op := range c.Model.Operations {
			c.envelopes[op] = newEnvelope(op, c.Model.Metadata.XMLNamespace)
		}
	})
	if e, ok := c.envelopes[op]; ok {
		return e
	}
	return newEnvelope(op, c.Model.Metadata.XMLNamespace) // an operation of another model (tests)
}

func newEnvelope(op *model.Operation, ns string) *envelope {
	e := &envelope{head: `<?xml version="1.0" encoding="UTF-8"?>` + "\n<" + op.Name + `Response xmlns="` + ns + "\">\n"}
	if op.Output != nil && op.Output.ResultWrapper != "" {
		e.result = true
		e.head += "  <" + op.Output.ResultWrapper + ">\n"
		e.mid = "  </" + op.Output.ResultWrapper + ">\n"
	}
	e.mid += "  <ResponseMetadata>\n    <RequestId>"
	e.tail = "</RequestId>\n  </ResponseMetadata>\n</" + op.Name + "Response>\n"
	return e
}

// WriteMembers writes out's members (out is a pointer to a struct whose
// fields are shape sh's members, or nil) as XML elements indented depth
// levels, named and nested as the model says: the query protocol's
// result, and the EC2 protocol's response, whose envelope differs.
func (c *Codec) WriteMembers(b *bytes.Buffer, sh *model.Shape, out any, depth int) {
	if out == nil {
		return
	}
	v := reflect.ValueOf(out)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct {
		c.members(b, sh, v, depth)
	}
}

// WriteError renders err as the query protocol's ErrorResponse.
func (c *Codec) WriteError(w http.ResponseWriter, err *awserr.Error, requestID string) {
	WriteError(w, c.Model.Metadata.XMLNamespace, err, requestID)
}

// WriteError renders err as a query-protocol ErrorResponse in namespace ns;
// the server uses it for failures before a service is known.
func WriteError(w http.ResponseWriter, ns string, err *awserr.Error, requestID string) {
	b := bufs.Get().(*bytes.Buffer)
	defer func() { b.Reset(); bufs.Put(b) }()
	typ := "Sender"
	if !err.Sender {
		typ = "Receiver"
	}
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	if ns != "" {
		b.WriteString(`<ErrorResponse xmlns="` + ns + `">` + "\n")
	} else {
		b.WriteString("<ErrorResponse>\n")
	}
	b.WriteString("  <Error>\n    <Type>" + typ + "</Type>\n    <Code>")
	xml.EscapeText(b, []byte(err.Code))
	b.WriteString("</Code>\n")
	// An error without a text has no Message element: IAM's ReportNotPresent
	// (botocore shows "Unknown" for it, prowler-cloud/prowler #272).
	if err.Message != "" {
		b.WriteString("    <Message>")
		xml.EscapeText(b, []byte(err.Message))
		b.WriteString("</Message>\n")
	}
	b.WriteString("  </Error>\n  <RequestId>" + requestID + "</RequestId>\n</ErrorResponse>\n")
	WriteXML(w, err.Status, requestID, b.Bytes())
}

// WriteXML writes an XML answer with its status and request ID.
func WriteXML(w http.ResponseWriter, status int, requestID string, body []byte) {
	// The keys in canonical form, set directly, and the values in one slice
	// (each capped, so that an Add elsewhere copies): Header.Set would
	// canonicalize and allocate each on every answer.
	v := []string{"text/xml", requestID, ""}
	h := w.Header()
	h["Content-Type"] = v[0:1:1]
	h["X-Amzn-Requestid"] = v[1:2:2]
	// net/http holds an answer under netHTTPBuffered until the handler
	// returns, then says its Content-Length itself, with no entry in the
	// header map to make, copy and sort (issue 18). A larger one says it
	// here, lest net/http send it in chunks.
	if len(body) >= netHTTPBuffered {
		v[2] = strconv.Itoa(len(body))
		h["Content-Length"] = v[2:3:3]
	}
	w.WriteHeader(status)
	w.Write(body)
}

// netHTTPBuffered is the size below which net/http's server buffers what a
// handler writes (its bufferBeforeChunkingSize, 2 KiB), and so knows an
// answer's length before sending it. Were it smaller in some release, an
// answer between the two would go in chunks: valid HTTP/1.1, and what
// TestContentLengthOnTheWire would catch.
const netHTTPBuffered = 2048

func (c *Codec) members(b *bytes.Buffer, sh *model.Shape, v reflect.Value, depth int) {
	for _, m := range protocol.Members(sh, v.Type()) {
		if m.Index == nil {
			continue
		}
		f := v.FieldByIndex(m.Index)
		if !protocol.Present(f) {
			continue
		}
		tag := m.Ref.LocationName
		if tag == "" {
			tag = m.Name
		}
		c.value(b, m.Ref.Target, m.Ref, tag, f, depth)
	}
}

// openTag and closeTag write an element's tags without building a string.
func openTag(b *bytes.Buffer, tag string) {
	b.WriteByte('<')
	b.WriteString(tag)
	b.WriteByte('>')
}

func closeTag(b *bytes.Buffer, tag string) {
	b.WriteString("</")
	b.WriteString(tag)
	b.WriteString(">\n")
}

func indent(b *bytes.Buffer, depth int) {
	for i := 0; i < depth; i++ {
		b.WriteString("  ")
	}
}

func (c *Codec) value(b *bytes.Buffer, sh *model.Shape, ref *model.Ref, tag string, v reflect.Value, depth int) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch sh.Type {
	case "structure":
		st := protocol.StampOf(v)
		at := place{sh, tag, depth}
		if st != 0 {
			if f, ok := c.fragments.Get(st, at); ok {
				b.Write(f)
				return
			}
		}
		start := b.Len()
		indent(b, depth)
		openTag(b, tag)
		b.WriteByte('\n')
		c.members(b, sh, v, depth+1)
		indent(b, depth)
		closeTag(b, tag)
		if st != 0 {
			c.fragments.Put(st, at, bytes.Clone(b.Bytes()[start:]))
		}
	case "list":
		elemTag := "member"
		if sh.Member.LocationName != "" {
			elemTag = sh.Member.LocationName
		}
		if sh.Flattened || ref.Flattened {
			for i := 0; i < v.Len(); i++ {
				c.value(b, sh.Member.Target, sh.Member, tag, v.Index(i), depth)
			}
			return
		}
		indent(b, depth)
		if v.Len() == 0 {
			b.WriteString("<" + tag + "/>\n")
			return
		}
		openTag(b, tag)
		b.WriteByte('\n')
		for i := 0; i < v.Len(); i++ {
			c.value(b, sh.Member.Target, sh.Member, elemTag, v.Index(i), depth+1)
		}
		indent(b, depth)
		closeTag(b, tag)
	case "map":
		indent(b, depth)
		b.WriteString("<" + tag + ">\n")
		// In key order: Go's map order changes from call to call, and an
		// answer (GetAccountSummary's SummaryMap) should not.
		keys := v.MapKeys()
		slices.SortFunc(keys, func(x, y reflect.Value) int { return cmp.Compare(x.String(), y.String()) })
		for _, k := range keys {
			indent(b, depth+1)
			b.WriteString("<entry>\n")
			c.value(b, sh.Key.Target, sh.Key, "key", k, depth+2)
			c.value(b, sh.Value.Target, sh.Value, "value", v.MapIndex(k), depth+2)
			indent(b, depth+1)
			b.WriteString("</entry>\n")
		}
		indent(b, depth)
		b.WriteString("</" + tag + ">\n")
	default:
		indent(b, depth)
		openTag(b, tag)
		c.scalar(b, sh, v)
		closeTag(b, tag)
	}
}

func (c *Codec) scalar(b *bytes.Buffer, sh *model.Shape, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		switch {
		case c.URLEncoded[sh.Name]:
			// Percent-encoded text is unreserved characters and '%': nothing
			// in it needs XML escaping.
			appendRFC3986(b, s)
		case !needsEscape(s):
			b.WriteString(s)
		default:
			xml.EscapeText(b, []byte(s))
		}
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		b.WriteString(strconv.FormatFloat(v.Float(), 'f', -1, 64))
	case reflect.Struct:
		if v.Type() == timeType {
			var t time.Time
			if v.CanAddr() { // without boxing it: one allocation less per date
				t = *v.Addr().Interface().(*time.Time)
			} else {
				t = v.Interface().(time.Time)
			}
			b.Write(t.UTC().AppendFormat(b.AvailableBuffer(), "2006-01-02T15:04:05Z"))
		}
	case reflect.Slice: // blob: base64, as the query protocol sends them (GetCredentialReport's Content)
		b.WriteString(base64.StdEncoding.EncodeToString(v.Bytes()))
	}
}

// rfc3986 percent-encodes everything but RFC 3986's unreserved characters,
// as IAM does for the policy documents it returns (a space is %20, not +).
func rfc3986(s string) string {
	var b bytes.Buffer
	appendRFC3986(&b, s)
	return b.String()
}

// appendRFC3986 writes rfc3986(s) to b. It appends to b's spare capacity
// rather than writing byte by byte: policy documents are most of a
// ListRoles page (issue 18).
func appendRFC3986(b *bytes.Buffer, s string) {
	const hex = "0123456789ABCDEF"
	b.Grow(3 * len(s))
	out := b.AvailableBuffer()
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			out = append(out, c)
		} else {
			out = append(out, '%', hex[c>>4], hex[c&15])
		}
	}
	b.Write(out)
}

// needsEscape says whether xml.EscapeText would change s: a character XML
// escapes, or a byte outside ASCII (EscapeText also replaces invalid UTF-8).
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x80, c == '<', c == '>', c == '&', c == '\'', c == '"', c == '\r', c == '\n', c == '\t':
			return true
		}
	}
	return false
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}
