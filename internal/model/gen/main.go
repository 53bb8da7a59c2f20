// Command gen trims the AWS service models that botocore ships to the parts
// rolecall's codecs use and writes them to internal/model/data.
//
//	go run ./internal/model/gen [-botocore DIR] [-out DIR]
//
// Without -botocore it asks the installed python3 where botocore lives.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// services maps rolecall's model name to botocore's directory and version,
// and, for a service whose model is far larger than what rolecall serves,
// the operations kept: only they and the shapes they reach are written.
// EC2's model has over 700 operations and 4,000 shapes; rolecall serves a
// handful, about instances and their instance profiles.
var services = []struct {
	name, dir, version string
	ops                []string // nil: every operation
}{
	{"iam", "iam", "2010-05-08", nil},
	{"sts", "sts", "2011-06-15", nil},
	{"ecs", "ecs", "2014-11-13", nil},
	{"application-autoscaling", "application-autoscaling", "2016-02-06", nil},
	{"ec2", "ec2", "2016-11-15", []string{
		"RunInstances", "DescribeInstances", "TerminateInstances",
		"AssociateIamInstanceProfile", "DescribeIamInstanceProfileAssociations",
		"ReplaceIamInstanceProfileAssociation", "DisassociateIamInstanceProfile",
	}},
}

// accepted are enum values a service takes that its published model does
// not list: kept out, the codecs would refuse what AWS accepts. ECS's
// SettingName lacks dualStackIPv6, which the ECS developer guide has set
// with put-account-setting-default
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-account-settings.html#dual-stack-setting).
// Its TaskDefinitionPlacementConstraintType lacks distinctInstance, which
// ECS refuses itself with a ClientException rather than as an enum
// violation (internal/ecs errDistinctInTaskDefinition).
var accepted = map[string]map[string][]string{
	"ecs": {"SettingName": {"dualStackIPv6"}, "TaskDefinitionPlacementConstraintType": {"distinctInstance"}},
}

// Keys kept from each level of the model; everything else (documentation,
// examples, endpoint rules) is dropped.
var (
	metaKeys  = []string{"apiVersion", "protocol", "targetPrefix", "jsonVersion", "xmlNamespace", "signingName", "endpointPrefix", "serviceId"}
	opKeys    = []string{"input", "output", "errors"}
	shapeKeys = []string{"type", "required", "members", "member", "key", "value", "flattened", "min", "max", "pattern", "enum", "timestampFormat", "sensitive", "exception", "error", "document"}
	refKeys   = []string{"shape", "locationName", "queryName", "resultWrapper", "flattened", "xmlNamespace", "timestampFormat"}
)

func main() {
	botocore := flag.String("botocore", "", "botocore data directory (default: ask python3)")
	out := flag.String("out", "internal/model/data", "output directory")
	flag.Parse()
	if *botocore == "" {
		b, err := exec.Command("python3", "-c", "import botocore,os;print(os.path.dirname(botocore.__file__))").Output()
		if err != nil {
			fail("botocore not found: install it (pip install botocore) or pass -botocore: %v", err)
		}
		*botocore = filepath.Join(strings.TrimSpace(string(b)), "data")
	}
	for _, s := range services {
		raw, err := readModel(filepath.Join(*botocore, s.dir, s.version, "service-2.json"))
		if err != nil {
			fail("%s: %v", s.name, err)
		}
		trimmed, err := trim(raw, s.ops, accepted[s.name])
		if err != nil {
			fail("%s: %v", s.name, err)
		}
		if err := os.WriteFile(filepath.Join(*out, s.name+".json"), trimmed, 0o644); err != nil {
			fail("%v", err)
		}
		fmt.Printf("%s: %d bytes\n", s.name, len(trimmed))
	}
}

func readModel(path string) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil {
		return b, nil
	}
	f, err := os.Open(path + ".gz")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(z)
}

// trim keeps the machine-readable parts of a model; with ops, only those
// operations and the shapes they reach. Enums gain the values extra names.
func trim(raw []byte, only []string, extra map[string][]string) ([]byte, error) {
	var m struct {
		Metadata   map[string]json.RawMessage            `json:"metadata"`
		Operations map[string]map[string]json.RawMessage `json:"operations"`
		Shapes     map[string]json.RawMessage            `json:"shapes"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	out := map[string]any{
		"metadata": pick(m.Metadata, metaKeys),
	}
	if only != nil {
		if err := keepOnly(&m.Operations, &m.Shapes, only); err != nil {
			return nil, err
		}
	}
	ops := map[string]any{}
	for name, op := range m.Operations {
		o := map[string]any{}
		for _, k := range opKeys {
			v, ok := op[k]
			if !ok {
				continue
			}
			if k == "errors" {
				var refs []map[string]json.RawMessage
				if err := json.Unmarshal(v, &refs); err != nil {
					return nil, err
				}
				var kept []any
				for _, r := range refs {
					kept = append(kept, pick(r, refKeys))
				}
				o[k] = kept
				continue
			}
			var r map[string]json.RawMessage
			if err := json.Unmarshal(v, &r); err != nil {
				return nil, err
			}
			o[k] = pick(r, refKeys)
		}
		ops[name] = o
	}
	out["operations"] = ops
	shapes := map[string]any{}
	for name, rawShape := range m.Shapes {
		var sh map[string]json.RawMessage
		if err := json.Unmarshal(rawShape, &sh); err != nil {
			return nil, err
		}
		s := pick(sh, shapeKeys)
		if vals, ok := extra[name]; ok {
			var enum []string
			if err := json.Unmarshal(sh["enum"], &enum); err != nil {
				return nil, fmt.Errorf("%s: %v", name, err)
			}
			s["enum"] = append(enum, vals...)
		}
		for _, k := range []string{"member", "key", "value"} {
			if v, ok := sh[k]; ok {
				var r map[string]json.RawMessage
				if err := json.Unmarshal(v, &r); err != nil {
					return nil, err
				}
				s[k] = pick(r, refKeys)
			}
		}
		if v, ok := sh["members"]; ok {
			order, err := keyOrder(v)
			if err != nil {
				return nil, err
			}
			var members map[string]map[string]json.RawMessage
			if err := json.Unmarshal(v, &members); err != nil {
				return nil, err
			}
			kept := map[string]any{}
			for mn, r := range members {
				kept[mn] = pick(r, refKeys)
			}
			s["members"] = kept
			s["memberOrder"] = order
		}
		shapes[name] = s
	}
	out["shapes"] = shapes
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// One shape or operation per line keeps diffs of a model update readable.
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return lineBreaks(buf.Bytes()), nil
}

// keepOnly drops every operation but those named, and every shape they do
// not reach through their input, output and errors.
func keepOnly(ops *map[string]map[string]json.RawMessage, shapes *map[string]json.RawMessage, only []string) error {
	type ref struct {
		Shape string `json:"shape"`
	}
	keep := map[string]bool{}
	var walk func(name string) error
	walk = func(name string) error {
		if keep[name] {
			return nil
		}
		raw, ok := (*shapes)[name]
		if !ok {
			return fmt.Errorf("no shape %s", name)
		}
		keep[name] = true
		var sh struct {
			Members            map[string]ref
			Member, Key, Value *ref
		}
		if err := json.Unmarshal(raw, &sh); err != nil {
			return err
		}
		for _, r := range []*ref{sh.Member, sh.Key, sh.Value} {
			if r != nil {
				if err := walk(r.Shape); err != nil {
					return err
				}
			}
		}
		for _, r := range sh.Members {
			if err := walk(r.Shape); err != nil {
				return err
			}
		}
		return nil
	}
	kept := map[string]map[string]json.RawMessage{}
	for _, name := range only {
		op, ok := (*ops)[name]
		if !ok {
			return fmt.Errorf("no operation %s", name)
		}
		kept[name] = op
		var refs []ref
		for _, k := range []string{"input", "output"} {
			if v, ok := op[k]; ok {
				var r ref
				if err := json.Unmarshal(v, &r); err != nil {
					return err
				}
				refs = append(refs, r)
			}
		}
		if v, ok := op["errors"]; ok {
			var errs []ref
			if err := json.Unmarshal(v, &errs); err != nil {
				return err
			}
			refs = append(refs, errs...)
		}
		for _, r := range refs {
			if err := walk(r.Shape); err != nil {
				return err
			}
		}
	}
	*ops = kept
	for name := range *shapes {
		if !keep[name] {
			delete(*shapes, name)
		}
	}
	return nil
}

func pick(m map[string]json.RawMessage, keys []string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}

// keyOrder returns the keys of a JSON object in document order.
func keyOrder(obj json.RawMessage) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// lineBreaks puts each top-level entry of "operations" and "shapes" on its own
// line; json.Encoder already sorts map keys, so output is deterministic.
func lineBreaks(b []byte) []byte {
	var m map[string]map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return b
	}
	var buf bytes.Buffer
	buf.WriteString("{\n")
	sections := []string{"metadata", "operations", "shapes"}
	for i, sec := range sections {
		fmt.Fprintf(&buf, "%q: {\n", sec)
		keys := make([]string, 0, len(m[sec]))
		for k := range m[sec] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for j, k := range keys {
			sep := ","
			if j == len(keys)-1 {
				sep = ""
			}
			fmt.Fprintf(&buf, "%q: %s%s\n", k, m[sec][k], sep)
		}
		if i < len(sections)-1 {
			buf.WriteString("},\n")
		} else {
			buf.WriteString("}\n")
		}
	}
	buf.WriteString("}\n")
	return buf.Bytes()
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gen: "+format+"\n", args...)
	os.Exit(1)
}
