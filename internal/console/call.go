package console

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/principal"
)

// req is one console request of a signed-in principal.
type req struct {
	c *Console
	w http.ResponseWriter
	r *http.Request
	s *session
	p *principal.Principal
}

// failure is why an operation the console ran did not succeed: AWS's
// error, and, for a denial, what the authorizer recorded about it.
type failure struct {
	Err    *awserr.Error
	Denied *denial // nil unless the error is a denial
}

// Error is the message the console shows for a failure that is not a
// denial: the API's code and text.
func (f *failure) Error() string { return f.Err.Code + ": " + f.Err.Message }

// iam runs an IAM operation (global) for the signed-in principal.
func (q *req) iam(op string, params url.Values) (any, *failure) {
	return q.call("iam", "", op, params)
}

// ecs runs an ECS operation in region for the signed-in principal; params
// are the operation's JSON members.
func (q *req) ecs(region, op string, params map[string]any) (any, *failure) {
	return q.call("ecs", region, op, params)
}

func (q *req) call(service, region, op string, params any) (any, *failure) {
	out, requestID, err := q.c.cfg.API.Call(q.r, q.p, service, region, op, params)
	if err == nil {
		return out, nil
	}
	e := awserr.As(err)
	f := &failure{Err: e}
	if isDenial(e) {
		f.Denied = q.c.denial(requestID, e)
	}
	return nil, f
}

// listPageSize is how many items one IAM list call asks for: the most IAM
// gives (MaxItems 1000).
const listPageSize = "1000"

// iamList is every item of an IAM listing (the member list of op's
// output), page by page.
func iamList[T any](q *req, op, list string, in url.Values) ([]T, *failure) {
	var all []T
	f := q.iamPages(op, in, func(out any) { all = append(all, member[[]T](out, list)...) })
	return all, f
}

// iamPages calls an IAM list operation page by page (Marker, IsTruncated)
// and hands each page's output to each.
func (q *req) iamPages(op string, in url.Values, each func(out any)) *failure {
	marker := ""
	for {
		page := cloneValues(in)
		page.Set("MaxItems", listPageSize)
		if marker != "" {
			page.Set("Marker", marker)
		}
		out, f := q.iam(op, page)
		if f != nil {
			return f
		}
		each(out)
		if marker = member[string](out, "Marker"); !member[bool](out, "IsTruncated") || marker == "" {
			return nil
		}
	}
}

// ecsList is every ARN an ECS list operation answers (the member list of
// its output: ClusterArns, ServiceArns...), page by page (nextToken).
func (q *req) ecsList(region, op, list string, in map[string]any) ([]string, *failure) {
	var all []string
	for next := ""; ; {
		page := map[string]any{"maxResults": 100}
		for k, v := range in {
			page[k] = v
		}
		if next != "" {
			page["nextToken"] = next
		}
		out, f := q.ecs(region, op, page)
		if f != nil {
			return all, f
		}
		all = append(all, member[[]string](out, list)...)
		if next = member[string](out, "NextToken"); next == "" {
			return all, nil
		}
	}
}

// inBatches hands items to each n at a time: the most a Describe call
// takes (DescribeServices 10, DescribeTasks 100...).
func inBatches(items []string, n int, each func(batch []string) *failure) *failure {
	for len(items) > 0 {
		k := min(len(items), n)
		if f := each(items[:k]); f != nil {
			return f
		}
		items = items[k:]
	}
	return nil
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v)+2)
	for k, vs := range v {
		out[k] = vs
	}
	return out
}

// isDenial reports AWS's answer to an unauthorized request: IAM's and
// STS's AccessDenied, ECS's AccessDeniedException, EC2's
// UnauthorizedOperation.
func isDenial(e *awserr.Error) bool {
	return e.Code == "AccessDenied" || e.Code == "AccessDeniedException" || e.Code == "UnauthorizedOperation"
}

// params builds a query request's parameters from name, value pairs,
// leaving out empty values (a member the request does not set).
func params(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	return v
}

// errNoMember is a console bug: an output read by a member it lacks.
var errNoMember = errors.New("console: no such member")

// member reads the member at path of an operation's output: the output
// struct's fields named as AWS's members are (internal/api), through
// pointers and embedded structs, as the protocol codecs read them. A
// member that is absent (a nil pointer on the way) is T's zero value.
func member[T any](out any, path ...string) T {
	var zero T
	v, err := memberValue(reflect.ValueOf(out), path)
	if err != nil || !v.IsValid() {
		return zero
	}
	if v.CanInterface() {
		t, _ := v.Interface().(T)
		return t
	}
	// A member promoted from an unexported embedded struct (the paging
	// members) can be read but not handed out as an interface.
	var t T
	dst := reflect.ValueOf(&t).Elem()
	if v.Type().ConvertibleTo(dst.Type()) && (v.Kind() == reflect.String || v.Kind() == reflect.Bool) {
		switch v.Kind() {
		case reflect.String:
			dst.SetString(v.String())
		case reflect.Bool:
			dst.SetBool(v.Bool())
		}
	}
	return t
}

func memberValue(v reflect.Value, path []string) (reflect.Value, error) {
	for _, name := range path {
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				return reflect.Value{}, nil
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct || !isExported(name) {
			return reflect.Value{}, errNoMember
		}
		f := v.FieldByName(name)
		if !f.IsValid() {
			return reflect.Value{}, errNoMember
		}
		v = f
	}
	return v, nil
}

func isExported(name string) bool { return name != "" && strings.ToUpper(name[:1]) == name[:1] }
