package statefile

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/internal/arn"
)

// MaxSize bounds a state file: far above the IAM quotas' worth of
// entities of a few accounts.
const MaxSize = 64 << 20

// Kind is what a file was read as.
type Kind int

const (
	KindState         Kind = iota // rolecall's format
	KindAuthorization             // aws iam get-account-authorization-details
)

func (k Kind) String() string {
	if k == KindAuthorization {
		return "an aws iam get-account-authorization-details export"
	}
	return "a rolecall state file"
}

// ErrUnknownVersion is what a file of a version this rolecall does not
// read answers (wrapped).
var ErrUnknownVersion = errors.New("unknown state file version")

// Parse reads a state file, or an `aws iam get-account-authorization-
// details` export (the account is the one its ARNs name), and checks what
// can be checked without state: the format and version, member names
// (rolecall's format is read strictly: a member it does not know is an
// error, not something dropped), that every ARN names the account the
// entity is filed under, and that no unique ID is given twice.
func Parse(b []byte) (*File, Kind, error) {
	if len(b) > MaxSize {
		return nil, 0, fmt.Errorf("the file is larger than %d bytes", MaxSize)
	}
	var head map[string]json.RawMessage
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, 0, fmt.Errorf("not JSON: %v", err)
	}
	if _, ok := head["format"]; ok {
		f, err := parseState(b, head)
		return f, KindState, err
	}
	for _, k := range []string{"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"} {
		if _, ok := head[k]; ok {
			f, err := parseAuthorization(b)
			return f, KindAuthorization, err
		}
	}
	return nil, 0, fmt.Errorf(`neither a rolecall state file ({"format": %q, "version": %d, ...}) nor an aws iam get-account-authorization-details export`, Format, Version)
}

func parseState(b []byte, head map[string]json.RawMessage) (*File, error) {
	var format string
	var version int
	if json.Unmarshal(head["format"], &format) != nil || format != Format {
		return nil, fmt.Errorf("not a rolecall state file: format is %s, not %q", head["format"], Format)
	}
	if err := json.Unmarshal(head["version"], &version); err != nil {
		return nil, fmt.Errorf("the state file has no version it can be read by: %s", orNone(head["version"]))
	}
	if version != Version {
		more := "upgrade rolecall to read it"
		if version < Version {
			more = "no rolecall wrote it"
		}
		return nil, fmt.Errorf("%w: the file is in version %d of the state format, and this rolecall reads version %d: %s", ErrUnknownVersion, version, Version, more)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("the state file cannot be read: %v", err)
	}
	if len(f.Accounts) == 0 {
		return nil, errors.New(`the state file holds no account ("accounts" is empty)`)
	}
	return &f, f.check()
}

func orNone(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "none"
	}
	return string(raw)
}

// parseAuthorization reads an aws iam get-account-authorization-details
// export into a File of the one account its ARNs name. Members AWS may add
// are ignored: the export is AWS's, not rolecall's.
func parseAuthorization(b []byte) (*File, error) {
	var x struct {
		AuthorizationDetails
		IsTruncated bool   `json:"IsTruncated"`
		NextToken   string `json:"NextToken"`
	}
	if err := json.Unmarshal(b, &x); err != nil {
		return nil, fmt.Errorf("the export cannot be read: %v", err)
	}
	if x.IsTruncated {
		return nil, errors.New("the export is one page of several (IsTruncated): export it whole with aws iam get-account-authorization-details")
	}
	if err := CheckCLIPiece(x.NextToken); err != nil {
		return nil, err
	}
	account, err := x.account()
	if err != nil {
		return nil, err
	}
	f := &File{Format: Format, Version: Version, Accounts: map[string]*Account{account: {IAM: &IAM{AuthorizationDetails: x.AuthorizationDetails}}}}
	return f, f.check()
}

// account is the one account the export's ARNs name.
func (x *AuthorizationDetails) account() (string, error) {
	var arns []string
	for _, u := range x.UserDetailList {
		arns = append(arns, u.Arn)
	}
	for _, g := range x.GroupDetailList {
		arns = append(arns, g.Arn)
	}
	for _, r := range x.RoleDetailList {
		arns = append(arns, r.Arn)
	}
	for _, p := range x.Policies {
		if !IsAWSManaged(p.Arn) {
			arns = append(arns, p.Arn)
		}
	}
	account := ""
	for _, s := range arns {
		a, err := arn.Parse(s)
		if err != nil || !arn.IsAccountID(a.Account) {
			return "", fmt.Errorf("the export names an entity by %q, which is no IAM ARN of an account", s)
		}
		if account != "" && a.Account != account {
			return "", fmt.Errorf("the export holds entities of two accounts, %s and %s: an export is of one account", account, a.Account)
		}
		account = a.Account
	}
	if account == "" {
		return "", errors.New("the export holds no user, group, role or customer managed policy: there is nothing to import")
	}
	return account, nil
}

// IsAWSManaged says whether a policy ARN is an AWS managed policy's.
func IsAWSManaged(policyArn string) bool {
	a, err := arn.Parse(policyArn)
	return err == nil && a.Service == "iam" && a.Account == "aws"
}

// CheckCLIPiece refuses a piece of an export that the AWS CLI's paging has
// left incomplete. With --max-items the CLI counts users only (the first of
// the operation's four result lists) and ends a piece either inside a page
// (its NextToken says how much of the page it gave: boto_truncate_amount)
// or at a page's end. On --starting-token, botocore's paginator empties the
// other three lists of the first page it reads ("We also need to truncate
// any secondary result keys", botocore paginate.py, _handle_first_request):
// after a piece that ended at a page's end, the groups, roles and policies
// of the next page are in no piece, whether AWS or rolecall answered.
func CheckCLIPiece(token string) error {
	if token == "" {
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(token)
	var t map[string]any
	if err != nil || json.Unmarshal(raw, &t) != nil {
		return nil // not the AWS CLI's token: nothing to say of it
	}
	if _, within := t["boto_truncate_amount"]; within {
		return nil
	}
	return errors.New("an IAM export made with --max-items and --starting-token may lack groups, roles and policies: " +
		"the AWS CLI drops those of the first page each --starting-token resumes at; " +
		"export it whole (aws iam get-account-authorization-details > iam.json, --page-size to make smaller requests)")
}

// check is what can be checked of a file without state: account IDs,
// that each entity's ARN is of the account it is filed under (so a file
// cannot say one account and write into another), that names are given,
// and that no unique ID or access key appears twice.
func (f *File) check() error {
	ids := map[string]string{}
	unique := func(id, what string) error {
		if id == "" {
			return nil
		}
		if prev, ok := ids[id]; ok {
			return fmt.Errorf("%s and %s have the same ID %s: IDs are unique", prev, what, id)
		}
		ids[id] = what
		return nil
	}
	for _, account := range slices.Sorted(maps.Keys(f.Accounts)) {
		a := f.Accounts[account]
		if !arn.IsAccountID(account) {
			return fmt.Errorf("%q is no account ID (12 digits)", account)
		}
		if a == nil || a.IAM == nil {
			continue
		}
		x := a.IAM
		for _, e := range x.entities(account) {
			if e.name == "" {
				return fmt.Errorf("account %s: a %s without a name", account, e.kind)
			}
			what := fmt.Sprintf("%s %q of account %s", e.kind, e.name, account)
			if e.arn != "" && e.arn != e.want {
				return fmt.Errorf("%s has the ARN %s; in account %s at path %s it is %s: the file cannot name one account and write into another", what, e.arn, account, orSlash(e.path), e.want)
			}
			if err := unique(e.id, what); err != nil {
				return err
			}
		}
	}
	return nil
}

func orSlash(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// entity is a named IAM entity of a file, for the checks.
type entity struct {
	kind, name, path, id, arn, want string
}

func iamARN(account, kind, path, name string) string {
	return "arn:aws:iam::" + account + ":" + kind + orSlash(path) + name
}

func (x *IAM) entities(account string) []entity {
	var out []entity
	add := func(kind, name, path, id, arn string) {
		out = append(out, entity{kind, name, path, id, arn, iamARN(account, kind, path, name)})
	}
	for _, u := range x.UserDetailList {
		add("user", u.UserName, u.Path, u.UserId, u.Arn)
	}
	for _, g := range x.GroupDetailList {
		add("group", g.GroupName, g.Path, g.GroupId, g.Arn)
	}
	profiles := map[string]bool{}
	for _, r := range x.RoleDetailList {
		add("role", r.RoleName, r.Path, r.RoleId, r.Arn)
		for _, p := range r.InstanceProfileList {
			// A profile is listed under each role that holds it (one at
			// most), and in InstanceProfiles: its ID counts once.
			k := strings.ToLower(p.InstanceProfileName)
			if !profiles[k] {
				profiles[k] = true
				add("instance-profile", p.InstanceProfileName, p.Path, p.InstanceProfileId, p.Arn)
			}
		}
	}
	for _, p := range x.InstanceProfiles {
		if k := strings.ToLower(p.InstanceProfileName); !profiles[k] {
			profiles[k] = true
			add("instance-profile", p.InstanceProfileName, p.Path, p.InstanceProfileId, p.Arn)
		}
	}
	for _, p := range x.Policies {
		if IsAWSManaged(p.Arn) {
			continue
		}
		add("policy", p.PolicyName, p.Path, p.PolicyId, p.Arn)
		if p.Arn == "" {
			out[len(out)-1].arn = "" // a customer managed policy is named by its ARN; none is refused at import
		}
	}
	for _, c := range x.ServerCertificates {
		m := c.ServerCertificateMetadata
		add("server-certificate", m.ServerCertificateName, m.Path, m.ServerCertificateId, m.Arn)
	}
	for _, k := range x.AccessKeys {
		out = append(out, entity{kind: "access key", name: k.AccessKeyId, id: k.AccessKeyId})
	}
	return out
}
