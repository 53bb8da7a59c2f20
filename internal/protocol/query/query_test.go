package query

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/model"
	"github.com/rolecall/rolecall/internal/protocol"
)

type tag struct{ Key, Value string }

type createRoleIn struct {
	Path, RoleName, AssumeRolePolicyDocument, Description, PermissionsBoundary string
	MaxSessionDuration                                                         *int32
	Tags                                                                       []tag
}

func iamCodec() *Codec {
	return &Codec{Model: model.MustLoad("iam"), URLEncoded: map[string]bool{"policyDocumentType": true}}
}

func form(kv ...string) protocol.Form {
	var f protocol.Form
	for i := 0; i+1 < len(kv); i += 2 {
		f = append(f, protocol.Param{Key: kv[i], Value: kv[i+1]})
	}
	return f
}

func TestDecodeCreateRole(t *testing.T) {
	c := iamCodec()
	f := form("Action", "CreateRole", "Version", "2010-05-08", "RoleName", "app", "Path", "/ecs/",
		"AssumeRolePolicyDocument", `{"Version":"2012-10-17"}`, "MaxSessionDuration", "7200",
		"Tags.member.1.Key", "team", "Tags.member.1.Value", "core", "Tags.member.2.Key", "env", "Tags.member.2.Value", "")
	op, aerr := c.Operation(f)
	if aerr != nil {
		t.Fatal(aerr)
	}
	var in createRoleIn
	if aerr := c.Decode(op, f, &in); aerr != nil {
		t.Fatal(aerr)
	}
	if in.RoleName != "app" || in.Path != "/ecs/" || in.MaxSessionDuration == nil || *in.MaxSessionDuration != 7200 {
		t.Errorf("decoded %+v", in)
	}
	if len(in.Tags) != 2 || in.Tags[0] != (tag{"team", "core"}) || in.Tags[1] != (tag{"env", ""}) {
		t.Errorf("tags %+v", in.Tags)
	}
}

func TestDecodeValidation(t *testing.T) {
	long := strings.Repeat("a", 65)
	cases := []struct {
		name  string
		quote bool
		form  protocol.Form
		want  string
	}{
		{"missing required", false, form("Action", "GetRole"),
			"1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null"},
		{"too long, IAM does not echo", false, form("Action", "GetRole", "RoleName", long),
			"1 validation error detected: Value at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"too long, echoed", true, form("Action", "GetRole", "RoleName", long),
			"1 validation error detected: Value '" + long + "' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"pattern", true, form("Action", "GetRole", "RoleName", "/service-role/x"),
			`1 validation error detected: Value '/service-role/x' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"range", false, form("Action", "CreateRole", "RoleName", "r", "AssumeRolePolicyDocument", "{}", "MaxSessionDuration", "60"),
			"1 validation error detected: Value at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600"},
		{"enum", false, form("Action", "ListPolicies", "Scope", "Mine"),
			"1 validation error detected: Value at 'scope' failed to satisfy constraint: Member must satisfy enum value set"},
		{"enum echoed lists the set", true, form("Action", "ListPolicies", "Scope", "Mine"),
			"1 validation error detected: Value 'Mine' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]"},
		{"nested list member", false, form("Action", "TagRole", "RoleName", "r", "Tags.member.1.Key", strings.Repeat("k", 129), "Tags.member.1.Value", "v"),
			"1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"},
		// A list of strings is reported at the list with all of the member
		// shape's constraints (recorded for UntagRole), once however many
		// elements break them.
		{"list element", false, form("Action", "UntagRole", "RoleName", "r", "TagKeys.member.1", "ok", "TagKeys.member.2", "bad!key", "TagKeys.member.3", ""),
			"1 validation error detected: " + tagKeysViolation},
		{"list element echoed", true, form("Action", "UntagRole", "RoleName", "r", "TagKeys.member.1", "ok", "TagKeys.member.2", "bad!key"),
			"1 validation error detected: Value '[ok, bad!key]' at " + strings.TrimPrefix(tagKeysViolation, "Value at ")},
		{"list too long and an element", false, untagForm(51, "bad!key"),
			"2 validation errors detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50; " + tagKeysViolation},
		{"enum list element echoed", true, form("Action", "GetAccountAuthorizationDetails", "Filter.member.1", "Role", "Filter.member.2", "Robot"),
			"1 validation error detected: Value '[Role, Robot]' at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy], Member must not be null]"},
		// IAM's own text for a PathPrefix outside its pattern, alone even
		// beside other violations (aws/aws-cli #5860).
		{"path prefix", false, form("Action", "ListPolicies", "PathPrefix", "/foo"), pathPrefixInvalid},
		{"path prefix of roles", false, form("Action", "ListRoles", "PathPrefix", "foo", "MaxItems", "0"), pathPrefixInvalid},
		{"path prefix over 512", false, form("Action", "ListRoles", "PathPrefix", "/"+strings.Repeat("a", 511)+"/"),
			"1 validation error detected: Value at 'pathPrefix' failed to satisfy constraint: Member must have length less than or equal to 512"},
		{"path prefix over 512 outside the pattern", false, form("Action", "ListPolicies", "PathPrefix", "/"+strings.Repeat("a", 512)), pathPrefixInvalid},
		{"two errors", false, form("Action", "CreateRole"),
			"2 validation errors detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null; Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := iamCodec()
			c.OwnPatterns = map[string]string{"PathPrefix": pathPrefixInvalid}
			c.QuoteValues = tc.quote
			op, aerr := c.Operation(tc.form)
			if aerr != nil {
				t.Fatal(aerr)
			}
			var in createRoleIn
			aerr = c.Decode(op, tc.form, &in)
			if aerr == nil || aerr.Code != "ValidationError" || aerr.Status != 400 || aerr.Message != tc.want {
				t.Fatalf("got %v\nwant ValidationError: %s", aerr, tc.want)
			}
		})
	}
}

const (
	tagKeysViolation = `Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, ` +
		`Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+, Member must not be null]`
	pathPrefixInvalid = "The specified value for pathPrefix is invalid. It must begin with the / character and contain only alphanumeric characters and/or / characters."
)

// untagForm is UntagRole with n keys, the last of them last.
func untagForm(n int, last string) protocol.Form {
	f := form("Action", "UntagRole", "RoleName", "r")
	for i := 1; i < n; i++ {
		f = append(f, form("TagKeys.member."+strconv.Itoa(i), "k"+strconv.Itoa(i))...)
	}
	f = append(f, form("TagKeys.member."+strconv.Itoa(n), last)...)
	return f
}

func TestDecodeGoodListAndPathPrefix(t *testing.T) {
	c := iamCodec()
	c.OwnPatterns = map[string]string{"PathPrefix": pathPrefixInvalid}
	for _, f := range []protocol.Form{
		form("Action", "UntagRole", "RoleName", "r", "TagKeys.member.1", "team", "TagKeys.member.2", "é:/=+-@ x"),
		form("Action", "ListRoles", "PathPrefix", "/my"),
		form("Action", "ListPolicies", "PathPrefix", "/a/b/"),
	} {
		op, aerr := c.Operation(f)
		if aerr != nil {
			t.Fatal(aerr)
		}
		var in struct {
			RoleName, PathPrefix string
			TagKeys              []string
		}
		if aerr := c.Decode(op, f, &in); aerr != nil {
			t.Errorf("%v: %v", f, aerr)
		}
		if f.Get("Action") == "UntagRole" && (len(in.TagKeys) != 2 || in.TagKeys[1] != "é:/=+-@ x") {
			t.Errorf("tag keys %q", in.TagKeys)
		}
	}
}

func TestTagListLength(t *testing.T) {
	c := iamCodec()
	f := form("Action", "TagRole", "RoleName", "r")
	for i := 1; i <= 51; i++ {
		n := string(rune('a'+i%26)) + strings.Repeat("x", i)
		f = append(f, form("Tags.member."+strconv.Itoa(i)+".Key", n, "Tags.member."+strconv.Itoa(i)+".Value", "v")...)
	}
	op, _ := c.Operation(f)
	var in createRoleIn
	aerr := c.Decode(op, f, &in)
	want := "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"
	if aerr == nil || aerr.Message != want {
		t.Fatalf("got %v, want %s", aerr, want)
	}
}

func TestOperationErrors(t *testing.T) {
	c := iamCodec()
	if _, e := c.Operation(form()); e == nil || e.Code != "MissingAction" {
		t.Errorf("no action: %v", e)
	}
	_, e := c.Operation(form("Action", "MakeCoffee"))
	if e == nil || e.Code != "InvalidAction" || e.Message != "Could not find operation MakeCoffee for version 2010-05-08" || e.Status != 400 {
		t.Errorf("unknown action: %v", e)
	}
}

func TestMalformedInteger(t *testing.T) {
	c := iamCodec()
	f := form("Action", "CreateRole", "RoleName", "r", "AssumeRolePolicyDocument", "{}", "MaxSessionDuration", "lots")
	op, _ := c.Operation(f)
	var in createRoleIn
	e := c.Decode(op, f, &in)
	if e == nil || e.Code != "MalformedInput" || e.Status != 400 {
		t.Fatalf("got %v", e)
	}
}

type role struct {
	Path, RoleName, RoleId, Arn string
	CreateDate                  time.Time
	AssumeRolePolicyDocument    string
	Description                 string
	MaxSessionDuration          int32
	Tags                        []tag
	RoleLastUsed                *struct{ Region string }
}

func TestWriteResponse(t *testing.T) {
	c := iamCodec()
	op := c.Model.Operations["GetRole"]
	out := &struct{ Role *role }{&role{
		Path: "/", RoleName: "app", RoleId: "AROAEXAMPLE", Arn: "arn:aws:iam::000000000000:role/app",
		CreateDate: time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC), AssumeRolePolicyDocument: `{"a": "b c*"}`,
		MaxSessionDuration: 3600, RoleLastUsed: &struct{ Region string }{},
	}}
	w := httptest.NewRecorder()
	c.WriteResponse(w, op, out, "req-1")
	body := w.Body.String()
	for _, want := range []string{
		`<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">`,
		"<GetRoleResult>", "<RoleName>app</RoleName>", "<CreateDate>2026-01-02T03:04:05Z</CreateDate>",
		"<AssumeRolePolicyDocument>%7B%22a%22%3A%20%22b%20c%2A%22%7D</AssumeRolePolicyDocument>",
		"<MaxSessionDuration>3600</MaxSessionDuration>", "<RoleLastUsed>\n", "<RequestId>req-1</RequestId>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("response lacks %q:\n%s", want, body)
		}
	}
	for _, absent := range []string{"<Description>", "<Tags"} {
		if strings.Contains(body, absent) {
			t.Errorf("response has absent member %q:\n%s", absent, body)
		}
	}
	if w.Code != 200 || w.Header().Get("Content-Type") != "text/xml" {
		t.Errorf("status %d, content type %q", w.Code, w.Header().Get("Content-Type"))
	}
}

// TestWriteMapInKeyOrder: a map's entries are written in key order, the
// same on every answer (Go's map order is not).
func TestWriteMapInKeyOrder(t *testing.T) {
	c := iamCodec()
	op := c.Model.Operations["GetAccountSummary"]
	out := &struct{ SummaryMap map[string]int32 }{map[string]int32{"Users": 3, "Roles": 2, "AccountMFAEnabled": 0, "Policies": 7, "Groups": 1}}
	want := "    <SummaryMap>\n" +
		entry("AccountMFAEnabled", "0") + entry("Groups", "1") + entry("Policies", "7") + entry("Roles", "2") + entry("Users", "3") +
		"    </SummaryMap>\n"
	for range 20 {
		w := httptest.NewRecorder()
		c.WriteResponse(w, op, out, "r")
		if body := w.Body.String(); !strings.Contains(body, want) {
			t.Fatalf("body:\n%s\nwant it to hold:\n%s", body, want)
		}
	}
}

func entry(k, v string) string {
	return "      <entry>\n        <key>" + k + "</key>\n        <value>" + v + "</value>\n      </entry>\n"
}

func TestWriteEmptyList(t *testing.T) {
	c := iamCodec()
	op := c.Model.Operations["ListRoles"]
	w := httptest.NewRecorder()
	c.WriteResponse(w, op, &struct {
		Roles       []role
		IsTruncated bool
	}{Roles: []role{}}, "r")
	if body := w.Body.String(); !strings.Contains(body, "<Roles/>") || !strings.Contains(body, "<IsTruncated>false</IsTruncated>") {
		t.Errorf("body:\n%s", body)
	}
}

func TestWriteError(t *testing.T) {
	c := iamCodec()
	w := httptest.NewRecorder()
	c.WriteError(w, awserr.NoSuchEntity("The role with name <x> cannot be found."), "req-2")
	want := `<?xml version="1.0" encoding="UTF-8"?>
<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error>
    <Type>Sender</Type>
    <Code>NoSuchEntity</Code>
    <Message>The role with name &lt;x&gt; cannot be found.</Message>
  </Error>
  <RequestId>req-2</RequestId>
</ErrorResponse>
`
	if w.Code != 404 || w.Body.String() != want {
		t.Errorf("status %d body:\n%s", w.Code, w.Body.String())
	}
}

func TestRFC3986(t *testing.T) {
	if got := rfc3986(`{"Action":"sts:AssumeRole", "x":"a+b~c_d.e-f/é"}`); got != "%7B%22Action%22%3A%22sts%3AAssumeRole%22%2C%20%22x%22%3A%22a%2Bb~c_d.e-f%2F%C3%A9%22%7D" {
		t.Errorf("got %s", got)
	}
}

// TestNeedsEscape: the encoder writes a string as it is only where
// xml.EscapeText would not change it; any byte outside ASCII goes the
// careful way (EscapeText replaces invalid UTF-8).
func TestNeedsEscape(t *testing.T) {
	for _, s := range []string{"", "plain text/with:colons_and-dashes", "a<b", "a>b", "a&b", "it's", `"q"`, "a\rb", "a\nb", "a\tb", "\xff"} {
		var b bytes.Buffer
		xml.EscapeText(&b, []byte(s))
		if changed := b.String() != s; needsEscape(s) != changed {
			t.Errorf("needsEscape(%q) = %v, but EscapeText gives %q", s, !changed, b.String())
		}
	}
	if !needsEscape("é") {
		t.Error(`needsEscape("é") = false, want true`)
	}
}

// FuzzDecode feeds arbitrary form bodies to every IAM operation's decoder:
// it must never panic, and a failure must be an AWS error.
func FuzzDecode(f *testing.F) {
	f.Add("Action=CreateRole&RoleName=a&AssumeRolePolicyDocument=%7B%7D&Tags.member.1.Key=k&Tags.member.1.Value=v")
	f.Add("Action=GetAccountSummary")
	f.Add("Action=ListPolicies&Scope=Local&MaxItems=x&Marker=")
	f.Add("Action=TagRole&Tags.member.999999999999.Key=a&Tags.member.1=b")
	c := iamCodec()
	f.Fuzz(func(t *testing.T, body string) {
		form, err := protocol.ParseForm(nil, body)
		if err != nil {
			return
		}
		op, aerr := c.Operation(form)
		if aerr != nil {
			return
		}
		var in createRoleIn
		if aerr := c.Decode(op, form, &in); aerr != nil && (aerr.Code == "" || aerr.Status == 0) {
			t.Fatalf("error without code or status: %+v", aerr)
		}
	})
}

func BenchmarkDecodeCreateRole(b *testing.B) {
	c := iamCodec()
	f := form("Action", "CreateRole", "RoleName", "app", "AssumeRolePolicyDocument", `{"Version":"2012-10-17","Statement":[]}`,
		"Tags.member.1.Key", "team", "Tags.member.1.Value", "core")
	op, _ := c.Operation(f)
	for b.Loop() {
		var in createRoleIn
		if e := c.Decode(op, f, &in); e != nil {
			b.Fatal(e)
		}
	}
}

func BenchmarkWriteGetRole(b *testing.B) {
	c := iamCodec()
	op := c.Model.Operations["GetRole"]
	out := &struct{ Role *role }{&role{Path: "/", RoleName: "app", RoleId: "AROAEXAMPLE", Arn: "arn:aws:iam::000000000000:role/app",
		AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
		MaxSessionDuration:       3600}}
	w := httptest.NewRecorder()
	for b.Loop() {
		w.Body.Reset()
		c.WriteResponse(w, op, out, "r")
	}
}

// stampedRole is a role that says which version it is (package stamp).
type stampedRole struct {
	RoleName string
	stamp    uint64
}

func (r *stampedRole) Stamp() uint64 { return r.stamp }

// TestWriteStamped: a stamped structure is encoded once per stamp and place,
// and its bytes written again for every value with that stamp (the stamp's
// promise: same stamp, same value), in a list as in a single member; a new
// stamp is encoded afresh, and so is a stamp in another place.
func TestWriteStamped(t *testing.T) {
	c := iamCodec()
	list := func(roles ...stampedRole) string {
		w := httptest.NewRecorder()
		c.WriteResponse(w, c.Model.Operations["ListRoles"], &struct{ Roles []stampedRole }{roles}, "r")
		return w.Body.String()
	}
	get := func(r stampedRole) string {
		w := httptest.NewRecorder()
		c.WriteResponse(w, c.Model.Operations["GetRole"], &struct{ Role *stampedRole }{&r}, "r")
		return w.Body.String()
	}
	has := func(body string, want ...string) {
		t.Helper()
		for _, s := range want {
			if !strings.Contains(body, s) {
				t.Errorf("response lacks %q:\n%s", s, body)
			}
		}
	}
	has(list(stampedRole{"a", 1}, stampedRole{"b", 2}, stampedRole{"unstamped", 0}), "<RoleName>a</RoleName>", "<RoleName>b</RoleName>")
	// What the stamps promise does not hold here, which shows the kept bytes.
	has(list(stampedRole{"changed", 1}, stampedRole{"b", 3}, stampedRole{"unstamped2", 0}),
		"<member>\n        <RoleName>a</RoleName>\n      </member>", "<RoleName>b</RoleName>", "<RoleName>unstamped2</RoleName>")
	// Another place (GetRole's Role, not a list member): its own bytes.
	has(get(stampedRole{"single", 1}), "<Role>\n      <RoleName>single</RoleName>\n    </Role>")
	has(get(stampedRole{"changed", 1}), "<RoleName>single</RoleName>")
	if n := c.fragments.Len(); n != 4 {
		t.Errorf("the codec keeps %d forms, want 4 (stamps 1, 2, 3 as members, 1 as GetRole's)", n)
	}
}

// stampedDescribed is a role with a description, stamped.
type stampedDescribed struct {
	RoleName, Description string
	stamp                 uint64
}

func (r *stampedDescribed) Stamp() uint64 { return r.stamp }

// TestWriteStampedBoundedInBytes: a large answer stamped anew for every
// read (as a value that shows other records is after each write: an AWS
// managed policy's versions in GetAccountAuthorizationDetails run to
// megabytes) does not pile up in the kept forms: what a caller who
// alternates writes and reads makes the codec keep stays within its byte
// bound.
func TestWriteStampedBoundedInBytes(t *testing.T) {
	c := iamCodec()
	big := strings.Repeat("x", 2<<20)
	for i := range 40 {
		w := httptest.NewRecorder()
		c.WriteResponse(w, c.Model.Operations["GetRole"], &struct{ Role *stampedDescribed }{&stampedDescribed{"r", big, uint64(1000 + i)}}, "r")
		if w.Body.Len() < len(big) {
			t.Fatalf("answer %d: %d bytes", i, w.Body.Len())
		}
	}
	if n := c.fragments.Bytes(); n > 64<<20 {
		t.Errorf("the codec keeps %d MiB of forms after 80 MiB of answers, bound 64", n>>20)
	}
}

// BenchmarkDecodeGetRole is the decoding a GetRole request costs the
// server: the operation's lookup and its one member.
func BenchmarkDecodeGetRole(b *testing.B) {
	c := iamCodec()
	c.OwnPatterns = map[string]string{"Path": "p", "PathPrefix": "pp"} // as the server's
	f := form("Action", "GetRole", "Version", "2010-05-08", "RoleName", "bench-0")
	for b.Loop() {
		op, aerr := c.Operation(f)
		if aerr != nil {
			b.Fatal(aerr)
		}
		var in struct{ RoleName string }
		if aerr := c.Decode(op, f, &in); aerr != nil || in.RoleName != "bench-0" {
			b.Fatal(aerr, in)
		}
	}
}

// BenchmarkWriteGetRoleStamped is GetRole's answer as the server writes
// it: the role is stamped, so its bytes are kept, and what is left is the
// envelope, the result's members and the headers.
func BenchmarkWriteGetRoleStamped(b *testing.B) {
	benchWrite(b, "GetRole", &struct{ Role *stampedDescribed }{&stampedDescribed{"app", "a role", 7}})
}

// benchWrite writes operation op's answer out, as the server does for
// each request: into a fresh (here: cleared) header and body.
func benchWrite(b *testing.B, op string, out any) {
	c := iamCodec()
	w := httptest.NewRecorder()
	for b.Loop() {
		w.Body.Reset()
		clear(w.Header())
		c.WriteResponse(w, c.Model.Operations[op], out, "c3e6a2b4-5d1f-4e8a-9b7c-0d2e4f6a8b1c")
	}
}

// BenchmarkWriteListRolesStamped is a page of 100 roles that have not
// changed: 100 kept forms looked up and copied.
func BenchmarkWriteListRolesStamped(b *testing.B) {
	roles := make([]stampedDescribed, 100)
	for i := range roles {
		roles[i] = stampedDescribed{"role-" + strconv.Itoa(i), "a role", uint64(i + 1)}
	}
	benchWrite(b, "ListRoles", &struct{ Roles []stampedDescribed }{roles})
}

// TestEnvelopes: the envelope made once per operation is, for every
// operation of IAM and STS, the text written piece by piece around a
// result's members.
func TestEnvelopes(t *testing.T) {
	for _, name := range []string{"iam", "sts"} {
		c := &Codec{Model: model.MustLoad(name)}
		for _, op := range c.Model.Operations {
			var want strings.Builder
			want.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<" + op.Name + `Response xmlns="` + c.Model.Metadata.XMLNamespace + "\">\n")
			if op.Output != nil && op.Output.ResultWrapper != "" {
				want.WriteString("  <" + op.Output.ResultWrapper + ">\n  </" + op.Output.ResultWrapper + ">\n")
			}
			want.WriteString("  <ResponseMetadata>\n    <RequestId>req-1</RequestId>\n  </ResponseMetadata>\n</" + op.Name + "Response>\n")
			w := httptest.NewRecorder()
			c.WriteResponse(w, op, nil, "req-1")
			if w.Body.String() != want.String() {
				t.Errorf("%s %s:\n%s\nwant\n%s", name, op.Name, w.Body.String(), want.String())
			}
		}
	}
}

// TestContentLengthOnTheWire: through net/http's server, every answer says
// its length and none goes in chunks, below, at and above the size under
// which net/http counts it itself (netHTTPBuffered).
func TestContentLengthOnTheWire(t *testing.T) {
	for _, n := range []int{0, 100, netHTTPBuffered - 1, netHTTPBuffered, netHTTPBuffered + 1, 5 * netHTTPBuffered} {
		body := bytes.Repeat([]byte("x"), n)
		for _, status := range []int{http.StatusOK, http.StatusNotFound} {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				WriteXML(w, status, "req-1", body)
			}))
			resp, err := http.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			srv.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != status || resp.ContentLength != int64(n) || len(got) != n || len(resp.TransferEncoding) != 0 ||
				resp.Header.Get("Content-Type") != "text/xml" || resp.Header.Get("X-Amzn-Requestid") != "req-1" {
				t.Errorf("%d bytes, status %d: status %d, Content-Length %d, %d bytes read, Transfer-Encoding %v, headers %v",
					n, status, resp.StatusCode, resp.ContentLength, len(got), resp.TransferEncoding, resp.Header)
			}
		}
	}
}
