// Package shapegen turns a service model's shapes into Go structs: the
// wire shapes of the operations rolecall serves (internal/ecs/types,
// internal/appautoscaling/types) and, once per state format, the frozen
// record shapes a domain stores (internal/ecs/records,
// internal/appautoscaling/records).
//
// Go names: a shape keeps its name, a member is its name with the first
// letter upper-cased (the codecs match them that way, internal/protocol).
// Types follow internal/api's conventions:
//   - strings and enums: string (empty is absent);
//   - Integer, Long, Double, Boolean: values, always present, as AWS
//     answers them (an ECS container's "cpu": 0);
//   - Boxed* and constrained number shapes, and the members of optional:
//     pointers (nil is absent);
//   - Timestamp: *time.Time; structures: *T; lists: []T; maps:
//     map[string]string; documents: json.RawMessage, the JSON as it came.
package shapegen

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/model"
)

// Generate returns the source of a Go file, package pkg, opening with
// header, with a struct for every shape the operations ops of m read or
// answer.
func Generate(m *model.Service, ops []string, pkg, header string) ([]byte, error) {
	var roots []*model.Shape
	for _, name := range ops {
		op, ok := m.Operations[name]
		if !ok {
			return nil, fmt.Errorf("the %s model has no operation %s", m.Metadata.ServiceID, name)
		}
		roots = append(roots, op.InputShape, op.OutputShape)
	}
	return generate(m, roots, "package "+pkg, header)
}

// GenerateRecords returns the source of frozen record shapes: the shapes
// named and all they reach, in package pkg, with header as the file's
// opening comment.
func GenerateRecords(m *model.Service, shapes []string, pkg, header string) ([]byte, error) {
	var roots []*model.Shape
	for _, name := range shapes {
		sh, ok := m.Shapes[name]
		if !ok {
			return nil, fmt.Errorf("the %s model has no shape %s", m.Metadata.ServiceID, name)
		}
		roots = append(roots, sh)
	}
	return generate(m, roots, "package "+pkg, header)
}

func generate(m *model.Service, roots []*model.Shape, pkg, header string) ([]byte, error) {
	seen := map[string]bool{}
	var walk func(sh *model.Shape)
	walk = func(sh *model.Shape) {
		if sh == nil || seen[sh.Name] || sh.Exception {
			return
		}
		seen[sh.Name] = true
		for _, name := range sh.MemberOrder {
			walk(sh.Members[name].Target)
		}
		for _, r := range []*model.Ref{sh.Member, sh.Key, sh.Value} {
			if r != nil {
				walk(r.Target)
			}
		}
	}
	for _, r := range roots {
		walk(r)
	}
	var names []string
	documents := false
	for n := range seen {
		switch sh := m.Shapes[n]; {
		case sh.Type == "structure" && sh.Document:
			documents = true
		case sh.Type == "structure":
			names = append(names, n)
		}
	}
	sort.Strings(names)

	var b bytes.Buffer
	b.WriteString(header + "\n\n")
	b.WriteString(pkg + "\n\n")
	if documents {
		b.WriteString("import (\n\"encoding/json\"\n\"time\"\n)\n\n")
	} else {
		b.WriteString("import \"time\"\n\n")
	}
	b.WriteString("var _ time.Time\n\n")
	for _, n := range names {
		sh := m.Shapes[n]
		fmt.Fprintf(&b, "type %s struct {\n", n)
		for _, mn := range sh.MemberOrder {
			t, err := goType(sh.Members[mn].Target, false)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", n, mn, err)
			}
			if optional[n+"."+mn] && !strings.HasPrefix(t, "*") {
				t = "*" + t
			}
			fmt.Fprintf(&b, "\t%s %s\n", fieldName(mn), t)
		}
		b.WriteString("}\n\n")
	}
	return format.Source(b.Bytes())
}

func fieldName(member string) string {
	return strings.ToUpper(member[:1]) + member[1:]
}

// plain are the number and boolean shapes AWS always answers: values.
var plain = map[string]bool{"Integer": true, "Long": true, "Double": true, "Boolean": true}

// optional are members of plain shapes that AWS documents a default for
// when they are left out: pointers, so that the domain tells absent from
// zero (the ECS LinearConfiguration and CanaryConfiguration references:
// "The default value is 6").
var optional = map[string]bool{
	"LinearConfiguration.stepPercent": true, "LinearConfiguration.stepBakeTimeInMinutes": true,
	"CanaryConfiguration.canaryPercent": true, "CanaryConfiguration.canaryBakeTimeInMinutes": true,
}

// goType is the Go type of a member (or, inList, a list element) of shape sh.
func goType(sh *model.Shape, inList bool) (string, error) {
	switch sh.Type {
	case "structure":
		if sh.Document {
			return "json.RawMessage", nil
		}
		if inList {
			return sh.Name, nil
		}
		return "*" + sh.Name, nil
	case "list":
		el, err := goType(sh.Member.Target, true)
		return "[]" + el, err
	case "map":
		if sh.Key.Target.Type != "string" || sh.Value.Target.Type != "string" {
			return "", fmt.Errorf("map %s is not string to string", sh.Name)
		}
		return "map[string]string", nil
	case "string":
		return "string", nil
	case "timestamp":
		return "*time.Time", nil
	case "blob":
		return "[]byte", nil
	}
	var base string
	switch sh.Type {
	case "integer":
		base = "int32"
	case "long":
		base = "int64"
	case "double", "float":
		base = "float64"
	case "boolean":
		base = "bool"
	default:
		return "", fmt.Errorf("shape %s has type %s", sh.Name, sh.Type)
	}
	if plain[sh.Name] || inList {
		return base, nil
	}
	return "*" + base, nil
}

// UpToDate fails t unless file holds what Generate makes of the embedded
// model modelName for ops (in package types, opening with header): a
// model update or a new operation needs `go generate` in the file's
// package, which pkg names.
func UpToDate(t testing.TB, modelName string, ops []string, header, file, pkg string) {
	t.Helper()
	want, err := Generate(model.MustLoad(modelName), ops, "types", header)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: run go generate %s", file, pkg)
	}
}

// Command is what a service's generator command (internal/ecs/types/gen,
// internal/appautoscaling/types/gen) writes.
type Command struct {
	Model string // the model's name (internal/model)
	// Ops are the operations served; Out (default for -out) gets their
	// shapes, in package types, opening with Header.
	Ops         []string
	Out, Header string
	// Roots are the shapes the domain stores; with -records, RecordsOut
	// gets them and all they reach, in package records, opening with
	// RecordsHeader.
	Roots                     []string
	RecordsOut, RecordsHeader string
}

// Main runs c as a command: flags -out FILE and -records.
func (c Command) Main() {
	out := flag.String("out", c.Out, "output file")
	writeRecords := flag.Bool("records", false, "write the frozen record shapes ("+c.RecordsOut+") instead: only with a new state format")
	flag.Parse()
	m := model.MustLoad(c.Model)
	src, err := Generate(m, c.Ops, "types", c.Header)
	if *writeRecords {
		*out = c.RecordsOut
		src, err = GenerateRecords(m, c.Roots, "records", c.RecordsHeader)
	}
	if err == nil {
		err = os.WriteFile(*out, src, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
