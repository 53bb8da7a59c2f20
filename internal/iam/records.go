package iam

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rolecall/rolecall/internal/store"
)

// The exported types are what IAM returns. Field names are the AWS model's
// member names. Presence follows AWS, per operation: a nil pointer or nil
// slice is a member AWS leaves out of that answer, an empty non-nil slice is
// an empty list AWS sends.

// Tag is a key/value pair on a role, user, policy or instance profile.
type Tag struct {
	Key, Value string
}

// Role is an IAM role.
type Role struct {
	Path, RoleName, RoleId, Arn string
	CreateDate                  time.Time
	AssumeRolePolicyDocument    string // as the caller wrote it
	Description                 string
	MaxSessionDuration          *int32
	PermissionsBoundary         *AttachedPermissionsBoundary
	Tags                        []Tag
	RoleLastUsed                *RoleLastUsed

	stamped // which version: see answercache.go
}

// AttachedPermissionsBoundary names the policy that bounds a role or user.
// AWS answers PermissionsBoundaryType "Policy" (not the model's enum value).
type AttachedPermissionsBoundary struct {
	PermissionsBoundaryType, PermissionsBoundaryArn string
}

// RoleLastUsed is when and where a role was last assumed. GetRole returns
// it empty, not absent, for a role never used.
type RoleLastUsed struct {
	LastUsedDate *time.Time
	Region       string
}

// User is an IAM user, or the account's root user (see GetUser).
type User struct {
	Path, UserName, UserId, Arn string
	CreateDate                  time.Time
	PasswordLastUsed            *time.Time
	PermissionsBoundary         *AttachedPermissionsBoundary
	Tags                        []Tag

	stamped // which version: see answercache.go
}

// Group is an IAM group.
type Group struct {
	Path, GroupName, GroupId, Arn string
	CreateDate                    time.Time
}

// Policy is a managed policy: customer managed (in the account) or AWS
// managed (arn:aws:iam::aws:policy/...).
type Policy struct {
	PolicyName, PolicyId, Arn, Path string
	DefaultVersionId                string
	AttachmentCount                 int32
	PermissionsBoundaryUsageCount   int32
	IsAttachable                    bool
	Description                     string
	CreateDate, UpdateDate          time.Time
	Tags                            []Tag
}

// PolicyVersion is one version of a managed policy. Document is empty where
// AWS leaves it out (CreatePolicyVersion, ListPolicyVersions).
type PolicyVersion struct {
	Document         string
	VersionId        string
	IsDefaultVersion bool
	CreateDate       time.Time
}

// AttachedPolicy is a managed policy attached to a role, user or group.
type AttachedPolicy struct {
	PolicyName, PolicyArn string
}

// PolicyEntities are the entities a managed policy is attached to (or
// bounds), as ListEntitiesForPolicy returns them.
type PolicyEntities struct {
	PolicyGroups []PolicyGroup
	PolicyUsers  []PolicyUser
	PolicyRoles  []PolicyRole
}

// PolicyGroup, PolicyUser and PolicyRole name an entity that uses a policy.
type PolicyGroup struct{ GroupName, GroupId string }
type PolicyUser struct{ UserName, UserId string }
type PolicyRole struct{ RoleName, RoleId string }

// AccessKey is a new access key with its secret: only CreateAccessKey
// returns the secret.
type AccessKey struct {
	UserName, AccessKeyId, Status, SecretAccessKey string
	CreateDate                                     time.Time
}

// AccessKeyMetadata is an access key without its secret.
type AccessKeyMetadata struct {
	UserName, AccessKeyId, Status string
	CreateDate                    time.Time
}

// AccessKeyLastUsed is when, where and for which service a key was last
// used; AWS answers "N/A" for the service and region of an unused key.
type AccessKeyLastUsed struct {
	LastUsedDate        *time.Time
	ServiceName, Region string
}

// InstanceProfile is an EC2 instance profile and the role (at most one) in it.
type InstanceProfile struct {
	Path, InstanceProfileName, InstanceProfileId, Arn string
	CreateDate                                        time.Time
	Roles                                             []Role
	Tags                                              []Tag

	stamped // which version: see answercache.go
}

// Access key statuses.
const (
	StatusActive   = "Active"
	StatusInactive = "Inactive"
)

// The records below are what the store keeps. Names keep the caller's
// case; keys use the lower-cased name because IAM names are unique
// regardless of case.

type inlinePolicy struct {
	Name, Document string
}

type attachedRef struct {
	Arn, Name string
}

type lastUsed struct {
	Date   time.Time
	Region string `json:",omitempty"`
}

type roleRecord struct {
	Path, RoleName, RoleId   string
	CreateDate               time.Time
	AssumeRolePolicyDocument string         // as written
	TrustIDs                 []trustBinding `json:",omitempty"` // its users and roles, by unique ID (trust.go)
	Description              string         `json:",omitempty"`
	MaxSessionDuration       int32          `json:",omitempty"`
	PermissionsBoundary      string         `json:",omitempty"` // policy ARN
	Tags                     []Tag          `json:",omitempty"`
	LastUsed                 *lastUsed      `json:",omitempty"`
	Inline                   []inlinePolicy `json:",omitempty"` // sorted by name
	Attached                 []attachedRef  `json:",omitempty"` // in attach order
	InstanceProfiles         []string       `json:",omitempty"` // lower-case names, sorted
}

type userRecord struct {
	Path, UserName, UserId string
	CreateDate             time.Time
	PermissionsBoundary    string         `json:",omitempty"`
	Tags                   []Tag          `json:",omitempty"`
	Inline                 []inlinePolicy `json:",omitempty"`
	Attached               []attachedRef  `json:",omitempty"`
	Groups                 []string       `json:",omitempty"` // lower-case group names, sorted
	AccessKeys             []string       `json:",omitempty"` // key ids, in creation order
	PasswordLastUsed       *time.Time     `json:",omitempty"` // its last console sign-in (signin.go)
}

type groupRecord struct {
	Path, GroupName, GroupId string
	CreateDate               time.Time
	Inline                   []inlinePolicy `json:",omitempty"`
	Attached                 []attachedRef  `json:",omitempty"`
	Users                    []string       `json:",omitempty"` // lower-case user names, sorted
}

type versionRecord struct {
	VersionId, Document string
	CreateDate          time.Time
}

type policyRecord struct {
	PolicyName, PolicyId, Path string
	Description                string `json:",omitempty"`
	CreateDate                 time.Time
	DefaultVersionId           string
	Versions                   []versionRecord // newest first
	NextVersion                int
	Tags                       []Tag `json:",omitempty"`
}

type instanceProfileRecord struct {
	Path, InstanceProfileName, InstanceProfileId string
	CreateDate                                   time.Time
	Tags                                         []Tag    `json:",omitempty"`
	Roles                                        []string `json:",omitempty"` // lower-case role names
}

type accessKeyRecord struct {
	Account, AccessKeyId, SecretAccessKey, Status string
	UserName                                      string // the owner's current name, as it is cased
	CreateDate                                    time.Time
	LastUsed                                      *keyLastUsed `json:",omitempty"`
}

type keyLastUsed struct {
	Date            time.Time
	Service, Region string
}

// attachment is an entry of the attachments index: a role, user or group
// that uses a managed policy, as a permissions policy or as its boundary.
type attachment struct {
	Name, Id, Path string
}

// Attachment kinds in index keys. Sorted so that a policy's groups come
// before its roles and users, as ListEntitiesForPolicy lists them.
const (
	kindGroup        = "group"
	kindRole         = "role"
	kindUser         = "user"
	kindRoleBoundary = "~boundary-role"
	kindUserBoundary = "~boundary-user"
)

func entityKey(account, name string) string { return account + "/" + strings.ToLower(name) }

// appendEntityKey appends entityKey(account, name) to b. It lets a lookup
// spell the key in a buffer on the stack rather than make a string for it
// on every request (a map indexed by string(b) makes none; issue 18).
func appendEntityKey(b []byte, account, name string) []byte {
	return AppendLowerName(append(append(b, account...), '/'), name)
}

// AppendLowerName appends name lower-cased as IAM keys names
// (strings.ToLower, so that the Kelvin sign is a k): an ASCII name byte by
// byte, with no string made of it.
func AppendLowerName(b []byte, name string) []byte {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return append(b, strings.ToLower(name)...)
		}
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

func attachmentPrefix(account, policyArn string) string { return account + "/" + policyArn + "\x00" }

func attachmentKey(account, policyArn, kind, name string) string {
	return attachmentPrefix(account, policyArn) + kind + "\x00" + strings.ToLower(name)
}

func iamArn(account, kind, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + account + ":" + kind + path + name
}

func boundaryOf(arn string) *AttachedPermissionsBoundary {
	if arn == "" {
		return nil
	}
	return &AttachedPermissionsBoundary{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: arn}
}

// Views of a role: AWS shows different members in different answers (see
// the recorded responses): CreateRole and UpdateRoleDescription leave out
// MaxSessionDuration and RoleLastUsed, CreateRole also the Description;
// ListRoles leaves out Tags, PermissionsBoundary and RoleLastUsed; roles
// inside an instance profile show only the core members.
type roleView int

const (
	viewGet roleView = iota
	viewCreate
	viewDescribed // UpdateRoleDescription
	viewList
	viewInProfile
)

// role is the role as IAM shows it; tx reads the principals of its trust
// policy (nil shows the policy as written, as CreateRole does).
func (r *roleRecord) role(tx store.Tx, account string, v roleView) *Role {
	out := &Role{
		Path:                     r.Path,
		RoleName:                 r.RoleName,
		RoleId:                   r.RoleId,
		Arn:                      iamArn(account, "role", r.Path, r.RoleName),
		CreateDate:               r.CreateDate,
		AssumeRolePolicyDocument: r.displayTrust(tx),
	}
	if v == viewInProfile {
		return out
	}
	if v != viewCreate {
		out.Description = r.Description
	}
	if v == viewGet || v == viewList {
		msd := r.MaxSessionDuration
		if msd == 0 {
			msd = DefaultMaxSessionDuration
		}
		out.MaxSessionDuration = &msd
	}
	if v != viewList {
		out.PermissionsBoundary = boundaryOf(r.PermissionsBoundary)
		if len(r.Tags) > 0 {
			out.Tags = append([]Tag(nil), r.Tags...)
		}
	}
	if v == viewGet {
		out.RoleLastUsed = &RoleLastUsed{}
		if r.LastUsed != nil {
			d := r.LastUsed.Date
			out.RoleLastUsed = &RoleLastUsed{LastUsedDate: &d, Region: r.LastUsed.Region}
		}
	}
	return out
}

// Views of a user: ListUsers and GetGroup leave out Tags and the boundary.
func (u *userRecord) user(account string, full bool) *User {
	out := &User{
		Path:       u.Path,
		UserName:   u.UserName,
		UserId:     u.UserId,
		Arn:        iamArn(account, "user", u.Path, u.UserName),
		CreateDate: u.CreateDate,
	}
	if t := u.PasswordLastUsed; t != nil {
		d := *t
		out.PasswordLastUsed = &d
	}
	if full {
		out.PermissionsBoundary = boundaryOf(u.PermissionsBoundary)
		if len(u.Tags) > 0 {
			out.Tags = append([]Tag(nil), u.Tags...)
		}
	}
	return out
}

func (g *groupRecord) group(account string) *Group {
	return &Group{
		Path:       g.Path,
		GroupName:  g.GroupName,
		GroupId:    g.GroupId,
		Arn:        iamArn(account, "group", g.Path, g.GroupName),
		CreateDate: g.CreateDate,
	}
}

func (k *accessKeyRecord) metadata() AccessKeyMetadata {
	return AccessKeyMetadata{UserName: k.UserName, AccessKeyId: k.AccessKeyId, Status: k.Status, CreateDate: k.CreateDate}
}
