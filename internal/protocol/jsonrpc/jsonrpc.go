// Package jsonrpc is the AWS JSON 1.1 protocol (ECS, Application Auto
// Scaling): POST with X-Amz-Target "<prefix>.<Operation>" and a JSON body;
// JSON responses; errors as {"__type": code, "message": text}. The service
// model drives decoding, constraint checks and encoding, as in the query
// codec.
package jsonrpc

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/model"
	"github.com/rolecall/rolecall/internal/protocol"
)

// Codec is the JSON 1.1 protocol for one service model.
type Codec struct {
	Model *model.Service
	// ValidationCode is the error code for constraint violations; services
	// differ ("ValidationException" by default).
	ValidationCode string
}

// Operation resolves an X-Amz-Target operation name against the model.
func (c *Codec) Operation(name string) (*model.Operation, *awserr.Error) {
	op, ok := c.Model.Operations[name]
	if !ok {
		return nil, awserr.New(http.StatusBadRequest, "UnknownOperationException", "")
	}
	return op, nil
}

// Decode fills dst from a JSON request body, checking the model's
// constraints. An empty body is an empty object.
func (c *Codec) Decode(op *model.Operation, body []byte, dst any) *awserr.Error {
	if op.InputShape == nil {
		return nil
	}
	var raw any = map[string]any{}
	if len(bytes.Trim(body, jsonSpace)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		err := dec.Decode(&raw)
		// A second document or garbage after the first is not JSON either.
		if err != nil || len(bytes.TrimLeft(body[dec.InputOffset():], jsonSpace)) > 0 {
			return awserr.New(http.StatusBadRequest, "SerializationException", "Start of structure or map found where not expected: the request body is not valid JSON")
		}
	}
	d := decoder{v: protocol.Violations{QuoteValues: true}}
	d.value(op.InputShape, protocol.NewPath(), raw, reflect.ValueOf(dst).Elem())
	if d.bad != nil {
		return d.bad
	}
	if e := d.v.Err(); e != nil {
		code := c.ValidationCode
		if code == "" {
			code = "ValidationException"
		}
		e.Code = code
		return e
	}
	return nil
}

// jsonSpace is the whitespace JSON allows around a document (RFC 8259).
const jsonSpace = " \t\r\n"

type decoder struct {
	v   protocol.Violations
	bad *awserr.Error
}

func (d *decoder) mismatch(path protocol.Path, want string) {
	if d.bad == nil {
		d.bad = awserr.New(http.StatusBadRequest, "SerializationException", "Expected %s for '%s'", want, path.String())
	}
}

func (d *decoder) value(sh *model.Shape, path protocol.Path, raw any, field reflect.Value) {
	if raw == nil {
		return // JSON null is an absent member
	}
	switch sh.Type {
	case "structure":
		if sh.Document {
			// Any JSON value, kept as JSON (json.Number keeps numbers
			// as they were written).
			b, err := json.Marshal(raw)
			if err != nil {
				d.mismatch(path, "a document")
				return
			}
			if field.IsValid() {
				field.Set(reflect.ValueOf(b).Convert(field.Type()))
			}
			return
		}
		obj, ok := raw.(map[string]any)
		if !ok {
			d.mismatch(path, "an object")
			return
		}
		var target reflect.Value
		if field.IsValid() {
			target = field
			if field.Kind() == reflect.Pointer {
				field.Set(reflect.New(field.Type().Elem()))
				target = field.Elem()
			}
		}
		for _, name := range sh.MemberOrder {
			ref := sh.Members[name]
			mpath := path.Member(name)
			v, present := obj[name]
			if !present || v == nil {
				if sh.IsRequired(name) {
					d.v.Null(mpath)
				}
				continue
			}
			var f reflect.Value
			if target.IsValid() {
				f = protocol.Field(target, name)
			}
			d.value(ref.Target, mpath, v, f)
		}
	case "list":
		arr, ok := raw.([]any)
		if !ok {
			d.mismatch(path, "an array")
			return
		}
		d.v.Length(path, len(arr), sh)
		var out reflect.Value
		if field.IsValid() {
			out = reflect.MakeSlice(field.Type(), len(arr), len(arr))
		}
		// Elements that are scalars are checked apart: AWS reports their
		// violations once, at the list (see protocol.Violations.Elements).
		scalars := isScalar(sh.Member.Target)
		outer := d.v
		if scalars {
			d.v = protocol.Violations{QuoteValues: outer.QuoteValues}
		}
		null := false // a null element breaks "Member must not be null"
		for i, el := range arr {
			var f reflect.Value
			if out.IsValid() {
				f = out.Index(i)
			}
			null = null || el == nil
			epath := path.Element(i + 1)
			d.value(sh.Member.Target, epath, el, f)
		}
		if scalars {
			bad := null || d.v.Len() > 0
			d.v = outer
			if bad {
				d.v.Elements(path, elementStrings(arr), sh.Member.Target)
			}
		}
		if out.IsValid() {
			field.Set(out)
		}
	case "map":
		obj, ok := raw.(map[string]any)
		if !ok {
			d.mismatch(path, "an object")
			return
		}
		d.v.Length(path, len(obj), sh)
		var out reflect.Value
		if field.IsValid() {
			out = reflect.MakeMapWithSize(field.Type(), len(obj))
		}
		for k, el := range obj {
			d.v.String(path, k, sh.Key.Target)
			if out.IsValid() {
				ev := reflect.New(field.Type().Elem()).Elem()
				d.value(sh.Value.Target, path, el, ev)
				out.SetMapIndex(reflect.ValueOf(k), ev)
			} else {
				d.value(sh.Value.Target, path, el, reflect.Value{})
			}
		}
		if out.IsValid() {
			field.Set(out)
		}
	case "string":
		s, ok := raw.(string)
		if !ok {
			d.mismatch(path, "a string")
			return
		}
		d.v.String(path, s, sh)
		protocol.AssignString(field, s)
	case "integer", "long":
		// Out of range is refused, never truncated into the field (4294967424
		// is not 128); so are fractions and exponents (1.5, 1e3). The range
		// wording is rolecall's; unverified against AWS.
		n, ok := raw.(json.Number)
		bits := width(sh, field)
		i, err := strconv.ParseInt(n.String(), 10, bits)
		if ok && errors.Is(err, strconv.ErrRange) {
			hi := int64(math.MaxInt64 >> (64 - bits))
			d.mismatch(path, fmt.Sprintf("an integer between %d and %d", -hi-1, hi))
			return
		}
		if !ok || err != nil {
			d.mismatch(path, "an integer")
			return
		}
		d.v.Number(path, i, sh)
		protocol.Assign(field, reflect.ValueOf(i))
	case "double", "float":
		n, ok := raw.(json.Number)
		bits := width(sh, field)
		f, err := strconv.ParseFloat(n.String(), bits)
		if ok && errors.Is(err, strconv.ErrRange) { // would be ±Inf; wording unverified
			hi := strconv.FormatFloat(math.MaxFloat64, 'g', -1, 64)
			if bits == 32 {
				hi = strconv.FormatFloat(math.MaxFloat32, 'g', -1, 32)
			}
			d.mismatch(path, fmt.Sprintf("a number between -%s and %s", hi, hi))
			return
		}
		if !ok || err != nil {
			d.mismatch(path, "a number")
			return
		}
		protocol.Assign(field, reflect.ValueOf(f))
	case "boolean":
		b, ok := raw.(bool)
		if !ok {
			d.mismatch(path, "a boolean")
			return
		}
		protocol.Assign(field, reflect.ValueOf(b))
	case "timestamp":
		var t time.Time
		switch v := raw.(type) {
		case json.Number:
			f, err := v.Float64()
			if err != nil || f < math.MinInt64 || f >= math.MaxInt64 { // int64(sec) would wrap
				d.mismatch(path, "a timestamp")
				return
			}
			// A float64 of today's epoch seconds is exact to about 0.2µs:
			// rounded to the microsecond, 1700000000.18 is .180, not the
			// .179999 that truncation gives (SDKs send milliseconds).
			sec, frac := math.Modf(f)
			t = time.Unix(int64(sec), int64(math.Round(frac*1e6))*1e3).UTC()
		case string:
			var err error
			if t, err = time.Parse(time.RFC3339Nano, v); err != nil {
				d.mismatch(path, "a timestamp")
				return
			}
		default:
			d.mismatch(path, "a timestamp")
			return
		}
		protocol.Assign(field, reflect.ValueOf(t))
	case "blob":
		s, ok := raw.(string)
		b, err := base64.StdEncoding.DecodeString(s)
		if !ok || err != nil {
			d.mismatch(path, "a base64 string")
			return
		}
		protocol.Assign(field, reflect.ValueOf(b))
	}
}

var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// WriteResponse renders out (a pointer to the output struct, or nil) as the
// operation's JSON response.
func (c *Codec) WriteResponse(w http.ResponseWriter, op *model.Operation, out any, requestID string) {
	b := bufs.Get().(*bytes.Buffer)
	defer func() { b.Reset(); bufs.Put(b) }()
	v := reflect.ValueOf(out)
	if op.OutputShape == nil || !v.IsValid() || (v.Kind() == reflect.Pointer && v.IsNil()) {
		b.WriteString("{}")
	} else {
		encode(b, op.OutputShape, v)
	}
	write(w, http.StatusOK, requestID, b.Bytes())
}

// WriteError renders err as {"__type": code, "message": text}.
func WriteError(w http.ResponseWriter, err *awserr.Error, requestID string) {
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message,omitempty"`
	}{err.Code, err.Message})
	w.Header().Set("x-amzn-ErrorType", err.Code)
	write(w, err.Status, requestID, body)
}

func write(w http.ResponseWriter, status int, requestID string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("x-amzn-RequestId", requestID)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

func encode(b *bytes.Buffer, sh *model.Shape, v reflect.Value) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			b.WriteString("null")
			return
		}
		v = v.Elem()
	}
	switch sh.Type {
	case "structure":
		if sh.Document {
			b.Write(v.Bytes())
			return
		}
		b.WriteByte('{')
		first := true
		for _, name := range sh.MemberOrder {
			f := protocol.Field(v, name)
			if !protocol.Present(f) {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			writeString(b, name)
			b.WriteByte(':')
			encode(b, sh.Members[name].Target, f)
		}
		b.WriteByte('}')
	case "list":
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			encode(b, sh.Member.Target, v.Index(i))
		}
		b.WriteByte(']')
	case "map":
		b.WriteByte('{')
		iter := v.MapRange()
		first := true
		for iter.Next() {
			if !first {
				b.WriteByte(',')
			}
			first = false
			writeString(b, iter.Key().String())
			b.WriteByte(':')
			encode(b, sh.Value.Target, iter.Value())
		}
		b.WriteByte('}')
	case "timestamp":
		t := v.Interface().(time.Time)
		b.WriteString(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64))
	default:
		switch v.Kind() {
		case reflect.String:
			writeString(b, v.String())
		case reflect.Bool:
			b.WriteString(strconv.FormatBool(v.Bool()))
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			b.WriteString(strconv.FormatInt(v.Int(), 10))
		case reflect.Float32, reflect.Float64:
			writeFloat(b, v.Float())
		case reflect.Slice:
			writeString(b, base64.StdEncoding.EncodeToString(v.Bytes()))
		default:
			b.WriteString("null")
		}
	}
}

// writeFloat writes a double as AWS's JSON services do, a whole number
// with its ".0" (the aws CLI prints "MetricIntervalLowerBound": 0.0 from
// DescribeScalingPolicies' answer in its examples, where a JSON 0 would
// print 0), so that clients that keep JSON's integers apart (the aws CLI,
// boto3) read a float.
func writeFloat(b *bytes.Buffer, f float64) {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	b.WriteString(s)
	if !strings.ContainsAny(s, ".eIN") {
		b.WriteString(".0")
	}
}

func writeString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s)
	b.Write(enc)
}

// width is the bits a number member must fit: 32 for the model's integer and
// float, 64 for long and double, or the Go field's if that is narrower.
func width(sh *model.Shape, field reflect.Value) int {
	bits := 64
	if sh.Type == "integer" || sh.Type == "float" {
		bits = 32
	}
	if !field.IsValid() {
		return bits
	}
	t := field.Type()
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Float32, reflect.Float64:
		bits = min(bits, t.Bits())
	}
	return bits
}

func isScalar(sh *model.Shape) bool {
	switch sh.Type {
	case "structure", "list", "map":
		return false
	}
	return true
}

// elementStrings renders a JSON array's scalar elements as AWS echoes them
// inside "Value '[a, b]'": unquoted, null as null.
func elementStrings(arr []any) []string {
	out := make([]string, len(arr))
	for i, el := range arr {
		if el == nil {
			out[i] = "null"
		} else {
			out[i] = fmt.Sprint(el)
		}
	}
	return out
}

// Marshal renders v, a value of shape sh's Go type, as AWS's JSON for sh:
// what the API answers for it (a state file keeps ECS resources so).
func Marshal(sh *model.Shape, v any) []byte {
	var b bytes.Buffer
	encode(&b, sh, reflect.ValueOf(v))
	return b.Bytes()
}
