package iamapi

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/protocol"
	"github.com/rolecall/rolecall/internal/resolve"
	"github.com/rolecall/rolecall/internal/store"
)

// botocore's IAM model, the one every SDK is generated from: bound names
// must be its operation and member names.
type modelShape struct {
	Type     string   `json:"type"`
	Required []string `json:"required"`
	Members  map[string]struct {
		Shape string `json:"shape"`
	} `json:"members"`
	Member *struct {
		Shape string `json:"shape"`
	} `json:"member"`
	Value *struct {
		Shape string `json:"shape"`
	} `json:"value"`
}

type iamModel struct {
	Operations map[string]struct {
		Input  *struct{ Shape string } `json:"input"`
		Output *struct{ Shape string } `json:"output"`
	} `json:"operations"`
	Shapes map[string]*modelShape `json:"shapes"`
}

func loadModel(t *testing.T) *iamModel {
	t.Helper()
	out, err := exec.Command("python3", "-c", "import botocore,os;print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		t.Skipf("botocore is not installed (python3 -c 'import botocore' failed: %v); cannot check bindings against the IAM model", err)
	}
	path := filepath.Join(strings.TrimSpace(string(out)), "data", "iam", "2010-05-08", "service-2.json.gz")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("botocore's IAM model is missing (%v)", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var m iamModel
	if err := json.NewDecoder(zr).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return &m
}

func TestBindingsMatchModel(t *testing.T) {
	m := loadModel(t)
	seen := map[string]bool{}
	for _, b := range (&handler{}).bindings() {
		name := b.Name
		t.Run(name, func(t *testing.T) {
			if seen[name] {
				t.Fatalf("bound twice")
			}
			seen[name] = true
			op, ok := m.Operations[name]
			if !ok {
				t.Fatalf("not an IAM operation")
			}
			in := reflect.TypeOf(b.NewInput()).Elem()
			if op.Input == nil {
				if in.NumField() != 0 {
					t.Errorf("input %s has fields but the operation takes none", in)
				}
			} else {
				checkShape(t, m, "input", in, op.Input.Shape)
				for _, req := range m.Shapes[op.Input.Shape].Required {
					if _, ok := protocol.Fields(in)[req]; !ok {
						t.Errorf("input %s lacks required member %s", in, req)
					}
				}
			}
			if op.Output == nil {
				if b.OutputType().NumField() != 0 {
					t.Errorf("output %s has fields but the operation answers none", b.OutputType())
				}
			} else {
				checkShape(t, m, "output", b.OutputType(), op.Output.Shape)
			}
		})
	}
	if len(seen) < 80 {
		t.Errorf("%d operations bound", len(seen))
	}
}

// checkShape asserts that every field of Go type typ (embedded structs
// flattened, as the codecs see them) is a member of the model shape, and
// follows nested structures and lists of structures.
func checkShape(t *testing.T, m *iamModel, where string, typ reflect.Type, shapeName string) {
	t.Helper()
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	sh := m.Shapes[shapeName]
	if sh == nil || sh.Type != "structure" {
		t.Errorf("%s: shape %s is not a structure", where, shapeName)
		return
	}
	for name, idx := range protocol.Fields(typ) {
		ref, ok := sh.Members[name]
		if !ok {
			// The codecs match a lower-case member to its upper-cased
			// field (protocol.Field): ListDelegationRequests' isTruncated.
			ref, ok = sh.Members[strings.ToLower(name[:1])+name[1:]]
		}
		if !ok {
			t.Errorf("%s: field %s.%s is not a member of %s", where, typ, name, shapeName)
			continue
		}
		ft := typ.FieldByIndex(idx).Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		target := m.Shapes[ref.Shape]
		switch {
		case target.Type == "structure" && ft.Kind() == reflect.Struct && ft != reflect.TypeFor[time.Time]():
			checkShape(t, m, where+"."+name, ft, ref.Shape)
		case target.Type == "list" && ft.Kind() == reflect.Slice:
			el := ft.Elem()
			if m.Shapes[target.Member.Shape].Type == "structure" {
				checkShape(t, m, where+"."+name, el, target.Member.Shape)
			}
		case target.Type == "blob" && ft == reflect.TypeFor[[]byte]():
		case target.Type == "list" || ft.Kind() == reflect.Slice:
			t.Errorf("%s: field %s is %s but member %s is a %s", where, name, ft, ref.Shape, target.Type)
		}
	}
}

// The codec fills input fields through embedded structs; they must be
// settable through reflection.
func TestEmbeddedFieldsSettable(t *testing.T) {
	in := reflect.New(reflect.TypeFor[listRolesInput]()).Elem()
	for _, name := range []string{"PathPrefix", "Marker", "MaxItems"} {
		f := protocol.Field(in, name)
		if !f.IsValid() || !f.CanSet() {
			t.Errorf("field %s: valid %v settable %v", name, f.IsValid(), f.CanSet())
		}
	}
}

func TestHandlersRoundTrip(t *testing.T) {
	st := store.NewMemory()
	defer st.Close()
	svc := New(resolve.IAM{Svc: iam.New(iam.Config{Store: st, Clock: &ids.FixedClock{T: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}, IDs: &ids.Sequence{}})})
	call := &api.Call{Account: "000000000000", Region: "us-east-1"}
	invoke := func(op string, fill func(in any)) (any, error) {
		t.Helper()
		o := svc.Ops[op]
		if o == nil {
			t.Fatalf("%s not bound", op)
		}
		in := o.NewInput()
		fill(in)
		return o.Invoke(context.Background(), call, in)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	out, err := invoke("CreateRole", func(in any) {
		in.(*createRoleInput).RoleName = "app"
		in.(*createRoleInput).AssumeRolePolicyDocument = trust
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := out.(*roleOutput).Role; r.RoleName != "app" || r.AssumeRolePolicyDocument != trust {
		t.Errorf("CreateRole = %+v", r)
	}
	out, err = invoke("ListRolePolicies", func(in any) { in.(*listRolePoliciesInput).RoleName = "app" })
	if err != nil {
		t.Fatal(err)
	}
	if names := out.(*policyNamesOutput).PolicyNames; names == nil || len(names) != 0 {
		t.Errorf("PolicyNames = %#v, want an empty list", names)
	}
	out, err = invoke("ListRoles", func(in any) { in.(*listRolesInput).MaxItems = 1 })
	if err != nil {
		t.Fatal(err)
	}
	if lr := out.(*listRolesOutput); len(lr.Roles) != 1 || lr.IsTruncated || lr.Marker != "" {
		t.Errorf("ListRoles = %+v", lr)
	}
	out, err = invoke("GetUser", func(any) {})
	if err != nil {
		t.Fatal(err)
	}
	if u := out.(*userOutput).User; u.Arn != "arn:aws:iam::000000000000:root" || u.UserId != "000000000000" {
		t.Errorf("GetUser as root = %+v", u)
	}
	_, err = invoke("CreateAccessKey", func(any) {})
	if err == nil || !strings.Contains(err.Error(), "Must specify userName") {
		t.Errorf("CreateAccessKey as root without a user: %v", err)
	}
	out, err = invoke("ListAccessKeys", func(any) {})
	if err != nil {
		t.Fatal(err)
	}
	if ks := out.(*listAccessKeysOutput).AccessKeyMetadata; ks == nil || len(ks) != 0 {
		t.Errorf("root's keys = %#v", ks)
	}
	out, err = invoke("GetAccountSummary", func(any) {})
	if err != nil {
		t.Fatal(err)
	}
	if m := out.(*accountSummaryOutput).SummaryMap; m["Roles"] != 1 {
		t.Errorf("SummaryMap Roles = %d", m["Roles"])
	}
}
