package protocol

import (
	"reflect"
	"sync"
	"testing"

	"github.com/rolecall/rolecall/internal/model"
)

// AssignString fills every field Assign does, as Assign does.
func TestAssignStringAsAssign(t *testing.T) {
	type named string
	type in struct {
		S   string
		N   named
		P   *string
		PN  *named
		Any any
		B   []byte
	}
	var got, want in
	gv, wv := reflect.ValueOf(&got).Elem(), reflect.ValueOf(&want).Elem()
	for i := range gv.NumField() {
		AssignString(gv.Field(i), "app")
		Assign(wv.Field(i), reflect.ValueOf("app"))
	}
	AssignString(reflect.Value{}, "nowhere")
	if !reflect.DeepEqual(got, want) || got.S != "app" || *got.PN != "app" || got.Any != "app" {
		t.Errorf("AssignString filled %+v; Assign %+v", got, want)
	}
}

// TestMembersAsField: Members, worked out once per shape and type, finds
// every member in the field Field finds by name on every call (a JSON
// model's lower camel case name too, and a field of an embedded struct),
// in the model's order, for every structure of the models, while other
// goroutines ask for the same plans (the cache is copied on write).
func TestMembersAsField(t *testing.T) {
	type embedded struct{ Arn, RoleId string }
	type withEmbedded struct {
		embedded
		RoleName, Path, ClusterName, Status string
		Tags                                []struct{ Key, Value string }
	}
	types := []reflect.Type{nil, reflect.TypeFor[withEmbedded](), reflect.TypeFor[struct{ RoleName, Description string }]()}
	for _, name := range []string{"iam", "sts", "ecs"} {
		m := model.MustLoad(name)
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				for _, sh := range m.Shapes {
					if sh.Type == "structure" {
						for _, typ := range types {
							Members(sh, typ)
						}
					}
				}
			})
		}
		for _, sh := range m.Shapes {
			if sh.Type != "structure" {
				continue
			}
			for _, typ := range types {
				got := Members(sh, typ)
				if len(got) != len(sh.MemberOrder) {
					t.Fatalf("%s %s in %v: %d members, want %d", name, sh.Name, typ, len(got), len(sh.MemberOrder))
				}
				var v reflect.Value // one value: the same field is at the same address
				if typ != nil {
					v = reflect.New(typ).Elem()
				}
				for i, mem := range got {
					want := reflect.Value{}
					if typ != nil {
						want = Field(v, sh.MemberOrder[i])
					}
					var found reflect.Value
					if mem.Index != nil {
						found = v.FieldByIndex(mem.Index)
					}
					if mem.Name != sh.MemberOrder[i] || mem.Ref != sh.Members[mem.Name] || mem.Required != sh.IsRequired(mem.Name) ||
						found.IsValid() != want.IsValid() || found.IsValid() && found.UnsafeAddr() != want.UnsafeAddr() {
						t.Errorf("%s %s in %v: member %d is %+v, Field finds %v", name, sh.Name, typ, i, mem, want)
					}
				}
			}
		}
		wg.Wait()
	}
	if got := Members(model.MustLoad("iam").Shapes["GetRoleRequest"], reflect.TypeFor[withEmbedded]()); got[0].Index == nil {
		t.Errorf("GetRoleRequest's RoleName not found: %+v", got)
	}
}
