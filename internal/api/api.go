// Package api is the seam between the wire and the domain. A service binding
// (iamapi, stsapi, ecsapi) is a table of operations; each operation names its
// input and output as plain Go structs whose field names are the AWS model's
// member names. Protocol codecs fill the input and render the output by
// walking the service model, so bindings know no XML or JSON, and domain
// packages know no HTTP.
//
// Field conventions the codecs rely on (see internal/protocol):
//   - a field is matched to the model member of the same name; fields with no
//     member are ignored, members with no field are absent;
//   - string: empty means absent; *T: nil means absent; bool and numbers are
//     always present unless they are pointers;
//   - []T: nil means absent, empty non-nil is an empty list;
//   - struct: always present; *struct: nil means absent;
//   - time.Time is rendered in the model's timestamp format;
//   - map[string]string for model maps.
package api

import (
	"context"
	"reflect"

	"github.com/rolecall/rolecall/internal/auth"
)

// Call is what the server knows about the request an operation runs for.
type Call struct {
	Account   string // 12-digit account the request acts in: the principal's
	Region    string // signing region
	RequestID string
	// Principal is the authenticated caller (root, user or role session).
	// The server always sets it; tests that build a Call by hand may leave
	// it nil, which reads as the account's root user.
	Principal *auth.Principal
}

// PrincipalARN is the caller's ARN; "" when Principal is nil.
func (c *Call) PrincipalARN() string {
	if c.Principal == nil {
		return ""
	}
	return c.Principal.ARN
}

// Operation is one bound AWS operation.
type Operation struct {
	Name   string
	input  reflect.Type // struct type the codec fills
	output reflect.Type // struct type the handler answers
	handle func(ctx context.Context, c *Call, in any) (any, error)
}

// InputType and OutputType are the operation's Go structs, which tests
// check against the service model.
func (o *Operation) InputType() reflect.Type  { return o.input }
func (o *Operation) OutputType() reflect.Type { return o.output }

// NewInput returns a pointer to a fresh input struct for the codec to fill.
func (o *Operation) NewInput() any { return reflect.New(o.input).Interface() }

// Invoke runs the operation on a decoded input (a pointer from NewInput). The
// result is a pointer to the output struct, or nil for operations without
// output members.
func (o *Operation) Invoke(ctx context.Context, c *Call, in any) (any, error) {
	return o.handle(ctx, c, in)
}

// Op binds fn as the operation name. Out may be struct{} for operations that
// return no members.
func Op[In, Out any](name string, fn func(ctx context.Context, c *Call, in *In) (*Out, error)) *Operation {
	return &Operation{
		Name:   name,
		input:  reflect.TypeFor[In](),
		output: reflect.TypeFor[Out](),
		handle: func(ctx context.Context, c *Call, in any) (any, error) {
			out, err := fn(ctx, c, in.(*In))
			if err != nil {
				return nil, err
			}
			return out, nil
		},
	}
}

// Service is a bound AWS service: the operations rolecall implements. An
// operation in the model but not here answers as not implemented.
type Service struct {
	Name string // the model's service name: "iam", "sts", "ecs"
	Ops  map[string]*Operation
}

// NewService builds a Service from its operations.
func NewService(name string, ops ...*Operation) *Service {
	s := &Service{Name: name, Ops: make(map[string]*Operation, len(ops))}
	for _, op := range ops {
		s.Ops[op.Name] = op
	}
	return s
}
