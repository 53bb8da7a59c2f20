package stsapi

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/model"
)

// TestBindingsMatchModel: every bound operation is in STS's model, and
// every field of its input and output (nested ones too) names a member of
// the model's shape, so that the codec fills and renders them all.
func TestBindingsMatchModel(t *testing.T) {
	m := model.MustLoad("sts")
	seen := map[string]bool{}
	for _, b := range (&handler{}).bindings() {
		name := b.Name
		t.Run(name, func(t *testing.T) {
			if seen[name] {
				t.Fatal("bound twice")
			}
			seen[name] = true
			op, ok := m.Operations[name]
			if !ok {
				t.Fatalf("no operation %s in the STS model", name)
			}
			checkFields(t, name+" input", b.InputType(), op.InputShape)
			checkFields(t, name+" output", b.OutputType(), op.OutputShape)
		})
	}
	for _, want := range []string{"GetCallerIdentity", "GetSessionToken", "AssumeRole"} {
		if !seen[want] {
			t.Errorf("%s is not bound", want)
		}
	}
}

func checkFields(t *testing.T, where string, typ reflect.Type, sh *model.Shape) {
	t.Helper()
	for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
		typ = typ.Elem()
	}
	if typ.Kind() != reflect.Struct || typ == reflect.TypeFor[time.Time]() {
		return
	}
	for sh != nil && sh.Type == "list" {
		sh = sh.Member.Target
	}
	if sh == nil {
		if typ.NumField() > 0 {
			t.Errorf("%s: fields %v but the model has no members", where, typ)
		}
		return
	}
	for i := range typ.NumField() {
		f := typ.Field(i)
		ref, ok := sh.Members[f.Name]
		if !ok {
			ref, ok = sh.Members[strings.ToLower(f.Name[:1])+f.Name[1:]]
		}
		if !ok {
			t.Errorf("%s: field %s is not a member of %s", where, f.Name, sh.Name)
			continue
		}
		checkFields(t, where+"."+f.Name, f.Type, ref.Target)
	}
}
