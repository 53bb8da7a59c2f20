// Package ec2query is the AWS EC2 protocol: the query protocol's
// form-encoded requests (Action, Version) with EC2's own parameter names
// and lists, and XML responses without a result wrapper. The service model
// drives both directions, as for the query protocol (internal/protocol/query),
// whose element encoding it shares.
//
// What differs from the query protocol ("EC2 query API requests",
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html;
// the rules botocore's and aws-sdk-go-v2's ec2query serializers follow):
//   - a member's parameter is its queryName, else its locationName with
//     the first letter upper-cased, else its name (InstanceIds is
//     InstanceId, DryRun is DryRun from dryRun);
//   - every list is flat: Filter.1.Name, Filter.1.Value.1;
//   - a required member that is missing is MissingParameter
//     (awserr.MissingParameter), and a parameter the operation
//     does not have is UnknownParameter ("The parameter Item is not
//     recognized"); EC2 checks values in the service, with its own texts,
//     not with the model's constraint messages;
//   - the answer is <OpResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
//     with <requestId> first and the output's members beside it, lists as
//     <item> elements; an error is
//     <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>.
package ec2query

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/model"
	"github.com/rolecall/rolecall/internal/protocol"
	"github.com/rolecall/rolecall/internal/protocol/query"
)

// Codec is the EC2 protocol for one service model.
type Codec struct {
	Model *model.Service
}

// Operation resolves the form's Action against the model: MissingAction,
// or InvalidAction for an action the model does not have.
func (c *Codec) Operation(form protocol.Form) (*model.Operation, *awserr.Error) {
	return query.Action(c.Model, form)
}

// unknownParameter: "UnknownParameter: The parameter Item is not
// recognized" (aws/aws-sdk-js #54), status 400.
func unknownParameter(name string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "UnknownParameter", "The parameter %s is not recognized", name)
}

// invalidValue: a value that does not parse as its type. EC2's code;
// the text is rolecall's (the SDKs never send such a value).
func invalidValue(name, raw, want string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "InvalidParameterValue", "Value (%s) for parameter %s is invalid. Expecting %s.", raw, name, want)
}

// ParamName is the request parameter of member name of a structure, as
// EC2 names it: its queryName, else its locationName with the first
// letter upper-cased, else the member's name.
func ParamName(name string, ref *model.Ref) string {
	switch {
	case ref.QueryName != "":
		return ref.QueryName
	case ref.LocationName != "":
		return strings.ToUpper(ref.LocationName[:1]) + ref.LocationName[1:]
	}
	return name
}

// Decode fills dst (a pointer to a struct whose field names are the input
// shape's member names) from form. dst must be discarded after an error.
func (c *Codec) Decode(op *model.Operation, form protocol.Form, dst any) *awserr.Error {
	d := decoder{form: protocol.IndexForm(form), used: make(map[string]bool, len(form))}
	if op.InputShape != nil {
		d.structure(op.InputShape, "", reflect.ValueOf(dst).Elem())
	}
	if d.err != nil {
		return d.err
	}
	var unknown []string
	for _, p := range form {
		if !d.used[p.Key] && !envelope(p.Key) {
			unknown = append(unknown, p.Key)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return unknownParameter(unknown[0])
	}
	return nil
}

// envelope: the parameters every request carries beside the operation's
// own (Action, Version, and a presigned URL's X-Amz-*).
func envelope(k string) bool {
	return k == "Action" || k == "Version" || strings.HasPrefix(k, "X-Amz-")
}

type decoder struct {
	form protocol.FormIndex
	used map[string]bool
	err  *awserr.Error // the first failure
}

func (d *decoder) has(key string) bool {
	return d.form.Has(key)
}

func (d *decoder) fail(e *awserr.Error) {
	if d.err == nil {
		d.err = e
	}
}

func (d *decoder) structure(sh *model.Shape, prefix string, dst reflect.Value) {
	for _, name := range sh.MemberOrder {
		ref := sh.Members[name]
		key := ParamName(name, ref)
		if prefix != "" {
			key = prefix + "." + key
		}
		if !d.has(key) {
			if sh.IsRequired(name) {
				d.fail(awserr.MissingParameter(key))
			}
			continue
		}
		field := reflect.Value{}
		if dst.IsValid() {
			field = protocol.Field(dst, name)
		}
		d.value(ref.Target, key, field)
	}
}

// value decodes the parameter(s) at key into field; an invalid field (a
// member the binding does not use) is decoded and dropped, so that its
// parameters count as known.
func (d *decoder) value(sh *model.Shape, key string, field reflect.Value) {
	switch sh.Type {
	case "structure":
		var target reflect.Value
		if field.IsValid() {
			if field.Kind() == reflect.Pointer {
				if field.IsNil() {
					field.Set(reflect.New(field.Type().Elem()))
				}
				field = field.Elem()
			}
			target = field
		}
		d.structure(sh, key, target)
	case "list":
		d.list(sh, key, field)
	case "map":
		// EC2's models have no maps.
		d.fail(unknownParameter(key))
	default:
		d.scalar(sh, key, field)
	}
}

// list decodes key.1, key.2, ... up to the first index missing; "key="
// alone is an empty list.
func (d *decoder) list(sh *model.Shape, key string, field reflect.Value) {
	if v, ok := d.form.Lookup(key); ok && v == "" {
		d.used[key] = true
	}
	n := 0
	for d.has(key + "." + strconv.Itoa(n+1)) {
		n++
	}
	var out reflect.Value
	if field.IsValid() {
		out = reflect.MakeSlice(field.Type(), n, n)
	}
	for i := 0; i < n; i++ {
		var elem reflect.Value
		if out.IsValid() {
			elem = out.Index(i)
		}
		d.value(sh.Member.Target, key+"."+strconv.Itoa(i+1), elem)
	}
	if field.IsValid() {
		field.Set(out)
	}
}

func (d *decoder) scalar(sh *model.Shape, key string, field reflect.Value) {
	raw, ok := d.form.Lookup(key)
	if !ok {
		return // only nested keys: reported as unknown
	}
	d.used[key] = true
	if sh.Type == "string" {
		protocol.AssignString(field, raw)
		return
	}
	val, err := protocol.ParseScalar(sh, raw)
	if err == nil && sh.Type == "integer" && int64(int32(val.Int())) != val.Int() {
		err = strconv.ErrRange
	}
	if err != nil {
		d.fail(invalidValue(key, raw, expecting[sh.Type]))
		return
	}
	if val.IsValid() && field.IsValid() {
		protocol.Assign(field, val)
	}
}

// expecting is what invalidValue says a parameter of a type must be.
var expecting = map[string]string{
	"integer": "an integer", "long": "an integer", "boolean": "true or false",
	"double": "a number", "float": "a number", "timestamp": "a date and time in ISO 8601 format",
}

var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// xmlns is the namespace EC2's answers carry: the model's, with the
// trailing slash EC2 writes.
func (c *Codec) xmlns() string {
	ns := c.Model.Metadata.XMLNamespace
	if !strings.HasSuffix(ns, "/") {
		ns += "/"
	}
	return ns
}

// WriteResponse renders out (a pointer to the output struct, or nil) as
// the operation's answer:
//
//	<OpResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>..</requestId>...members...</OpResponse>
func (c *Codec) WriteResponse(w http.ResponseWriter, op *model.Operation, out any, requestID string) {
	b := bufs.Get().(*bytes.Buffer)
	defer func() { b.Reset(); bufs.Put(b) }()
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString("<" + op.Name + `Response xmlns="` + c.xmlns() + `">` + "\n")
	b.WriteString("  <requestId>")
	xml.EscapeText(b, []byte(requestID))
	b.WriteString("</requestId>\n")
	if op.OutputShape != nil {
		// The query protocol's elements: names, lists, timestamps.
		(&query.Codec{Model: c.Model}).WriteMembers(b, op.OutputShape, out, 1)
	}
	b.WriteString("</" + op.Name + "Response>\n")
	query.WriteXML(w, http.StatusOK, requestID, b.Bytes())
}

// WriteError renders err as EC2's error answer.
func (c *Codec) WriteError(w http.ResponseWriter, err *awserr.Error, requestID string) {
	WriteError(w, err, requestID)
}

// WriteError renders err as EC2's error answer:
//
//	<Response><Errors><Error><Code>..</Code><Message>..</Message></Error></Errors><RequestID>..</RequestID></Response>
func WriteError(w http.ResponseWriter, err *awserr.Error, requestID string) {
	b := bufs.Get().(*bytes.Buffer)
	defer func() { b.Reset(); bufs.Put(b) }()
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<Response><Errors><Error><Code>")
	xml.EscapeText(b, []byte(err.Code))
	b.WriteString("</Code><Message>")
	xml.EscapeText(b, []byte(err.Message))
	b.WriteString("</Message></Error></Errors><RequestID>")
	xml.EscapeText(b, []byte(requestID))
	b.WriteString("</RequestID></Response>\n")
	query.WriteXML(w, err.Status, requestID, b.Bytes())
}
