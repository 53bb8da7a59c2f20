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
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"

	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/principal"
)

// Call is what the server knows about the request an operation runs for.
type Call struct {
	Account   string // 12-digit account the request acts in: the principal's
	Region    string // the Region the service answers in (IAM: us-east-1)
	RequestID string
	// Principal is the authenticated caller (root, user or role session).
	// The server always sets it; tests that build a Call by hand may leave
	// it nil, which reads as the account's root user.
	Principal *principal.Principal
}

// PrincipalARN is the caller's ARN; "" when Principal is nil.
func (c *Call) PrincipalARN() string {
	if c.Principal == nil {
		return ""
	}
	return c.Principal.ARN
}

// Caller is the calling principal, the account's root when none is set.
func (c *Call) Caller() *principal.Principal {
	if c.Principal != nil {
		return c.Principal
	}
	return principal.RootUser(c.Account)
}

// Resolver declares what an operation acts on: the resources its input
// names, resolved to what is stored (internal/resolve), and the request's
// condition keys. It answers only rolecall's own failures: a resource that
// does not exist is authorized on the ARN AWS would form, and the
// operation then answers as AWS does.
type Resolver[In any] func(ctx context.Context, c *Call, in *In) (authz.Access, error)

// Authorization is how an operation is authorized.
type Authorization uint8

const (
	// Resolved: the server asks the authorizer, on what the operation's
	// Resolver declares (none: "*"), before the operation runs.
	Resolved Authorization = iota
	// NotRequired: AWS requires no permission for the operation.
	NotRequired
	// InOperation: the operation asks the authorizer itself, once it has
	// found what it acts on (sts:AssumeRole: the role's trust policy).
	InOperation
)

// Operation is one bound AWS operation.
type Operation struct {
	Name   string
	input  reflect.Type // struct type the codec fills
	output reflect.Type // struct type the handler answers
	handle func(ctx context.Context, c *Call, in any) (any, error)
	access func(ctx context.Context, c *Call, in any) (authz.Access, error) // nil: "*"
	also   []also                                                           // further actions the caller needs
	auth   Authorization
	why    string // NotRequired, InOperation: AWS's reason
	// unsigned: AWS serves the operation without a signature (Unsigned).
	unsigned bool
	// service and action ("iam:GetRole"), set by NewService: the action
	// is spelled once, not on every request.
	service, action string
	known           lookedUp // action's reference entry
	// newCall makes a Call and an input struct in one allocation (NewCall).
	newCall func() (*Call, any)
}

// InputType and OutputType are the operation's Go structs, which tests
// check against the service model.
func (o *Operation) InputType() reflect.Type  { return o.input }
func (o *Operation) OutputType() reflect.Type { return o.output }

// NewInput returns a pointer to a fresh input struct for the codec to fill.
func (o *Operation) NewInput() any { return reflect.New(o.input).Interface() }

// NewCall returns a fresh Call, for the server to fill, and a fresh input
// struct, as NewInput does: one allocation for what every request needs
// both of (issue 18: each allocation a request makes is work for the
// garbage collector, in memory no other request has warmed).
func (o *Operation) NewCall() (*Call, any) { return o.newCall() }

// Invoke runs the operation on a decoded input (a pointer from NewInput). The
// result is a pointer to the output struct, or nil for operations without
// output members.
func (o *Operation) Invoke(ctx context.Context, c *Call, in any) (any, error) {
	return o.handle(ctx, c, in)
}

// Authorization says how the operation is authorized; Declared reports
// whether it declares its resources.
func (o *Operation) Authorization() Authorization { return o.auth }
func (o *Operation) Declared() bool               { return o.access != nil }

// Access is what the operation acts on for input in (a pointer from
// NewInput): "*" when it declares nothing.
func (o *Operation) Access(ctx context.Context, c *Call, in any) (authz.Access, error) {
	if o.access == nil {
		return authz.Acting(authz.Any()), nil
	}
	return o.access(ctx, c, in)
}

// also is a further action an operation needs, on what access declares.
type also struct {
	action string
	known  *lookedUp
	access func(ctx context.Context, c *Call, in any) (authz.Access, error)
}

// Authorize asks d whether c's principal may run the operation of service
// on in: the operation's declared Access, evaluated by the one authorizer,
// then each further action it needs (Also). Operations that need no
// permission, or that ask the authorizer themselves, pass.
func (o *Operation) Authorize(ctx context.Context, d authz.Decider, service string, c *Call, in any) error {
	if o.auth != Resolved {
		return nil
	}
	acc, err := o.Access(ctx, c, in)
	if err != nil {
		return err
	}
	r := authz.Request{Principal: c.Caller(), Action: o.action, Region: c.Region, Access: acc}
	if service == o.service {
		r.Known = o.known.of(o.action)
	} else {
		r.Action = service + ":" + o.Name
	}
	if err := decide(ctx, d, &r); err != nil {
		return err
	}
	for i := range o.also {
		a := &o.also[i]
		acc, err := a.access(ctx, c, in)
		if errors.Is(err, ErrNotNeeded) {
			continue
		}
		if err != nil {
			return err
		}
		r := authz.Request{Principal: c.Caller(), Action: a.action, Known: a.known.of(a.action), Region: c.Region, Access: acc}
		if err := decide(ctx, d, &r); err != nil {
			return err
		}
	}
	return nil
}

// decide asks d about r. The authorizer is called as itself, not through
// the interface, which would take r to the heap on every request (issue
// 18); a stand-in gets a copy.
func decide(ctx context.Context, d authz.Decider, r *authz.Request) error {
	if a, ok := d.(*authz.Authorizer); ok {
		_, err := a.Decide(ctx, r)
		return err
	}
	cp := *r
	_, err := d.Decide(ctx, &cp)
	return err
}

// lookedUp is an operation's action's entry in the Service Authorization
// Reference, looked up at its first request: its requests need no lookup.
type lookedUp struct {
	p atomic.Pointer[authz.KnownAction]
}

func (l *lookedUp) of(action string) *authz.KnownAction {
	k := l.p.Load()
	if k == nil {
		k = authz.LookUp(action)
		l.p.Store(k)
	}
	return k
}

// ErrNotNeeded, answered by an Also resolver, says that this request does
// not need the further action (RunInstances needs ec2:CreateTags only
// when it tags what it creates).
var ErrNotNeeded = errors.New("api: the further action is not needed")

// Also declares a further action op needs on what acts declares
// (AddRoleToInstanceProfile needs iam:PassRole on the role); its In must
// be op's.
func Also[In any](op *Operation, action string, acts Resolver[In]) *Operation {
	op.also = append(op.also, also{action: action, known: new(lookedUp), access: func(ctx context.Context, c *Call, in any) (authz.Access, error) {
		i, ok := in.(*In)
		if !ok {
			return authz.Access{}, fmt.Errorf("api: %s resolves a %T, not a %T", op.Name, new(In), in)
		}
		return acts(ctx, c, i)
	}})
	return op
}

// NotRequired marks an operation AWS lets every authenticated caller make;
// why cites AWS.
func (o *Operation) NotRequired(why string) *Operation {
	o.auth, o.why = NotRequired, why
	return o
}

// InOperation marks an operation that asks the authorizer itself; why
// says what it decides there.
func (o *Operation) InOperation(why string) *Operation {
	o.auth, o.why = InOperation, why
	return o
}

// Unsigned marks an operation AWS serves without a signature, whose
// request carries its own proof of who asks (AssumeRoleWithWebIdentity's
// token: "Calling AssumeRoleWithWebIdentity does not require the use of
// AWS security credentials", STS API reference). The server runs it for
// an unsigned request, with no principal; the operation authorizes
// itself (InOperation).
func (o *Operation) Unsigned() *Operation {
	o.unsigned = true
	return o
}

// IsUnsigned reports whether AWS serves the operation unsigned.
func (o *Operation) IsUnsigned() bool { return o.unsigned }

// Op binds fn as the operation name, acting on what acts declares (nil:
// "*", for actions that have no resource). Out may be struct{} for
// operations that return no members.
func Op[In, Out any](name string, fn func(ctx context.Context, c *Call, in *In) (*Out, error), acts Resolver[In]) *Operation {
	o := &Operation{
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
		newCall: func() (*Call, any) {
			both := new(struct {
				call Call
				in   In
			})
			return &both.call, &both.in
		},
	}
	if acts != nil {
		o.access = func(ctx context.Context, c *Call, in any) (authz.Access, error) {
			i, ok := in.(*In)
			if !ok {
				return authz.Access{}, fmt.Errorf("api: %s resolves a %T, not a %T", name, new(In), in)
			}
			return acts(ctx, c, i)
		}
	}
	return o
}

// Service is a bound AWS service: the operations rolecall implements. An
// operation in the model but not here answers as not implemented.
type Service struct {
	Name string // the model's service name: "iam", "sts", "ecs", "application-autoscaling"
	// Region, when set, is the Region every call is made in, whatever the
	// client signed for: IAM is global, answered from us-east-1.
	Region string
	// ValidationCode is the code of the service's answer to a request that
	// breaks the model's constraints (JSON protocols): "" is
	// ValidationException, as Application Auto Scaling answers; ECS
	// answers InvalidParameterException.
	ValidationCode string
	// Denied, when set, words the authorizer's AccessDenied for the
	// service's own operations as the service answers it: EC2's is
	// UnauthorizedOperation (awserr.UnauthorizedOperation).
	Denied func(error) error
	Ops    map[string]*Operation
}

// NewService builds a Service from its operations.
func NewService(name string, ops ...*Operation) *Service {
	s := &Service{Name: name, Ops: make(map[string]*Operation, len(ops))}
	for _, op := range ops {
		s.Ops[op.Name] = op
		op.service, op.action = name, name+":"+op.Name
	}
	return s
}
