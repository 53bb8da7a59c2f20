package doctor

import (
	"context"
	"errors"
	"strings"
)

// ErrNotFound is what a RoleReader answers for a role, instance profile or
// principal that does not exist (IAM's NoSuchEntity).
var ErrNotFound = errors.New("doctor: not found")

// RoleReader reads the IAM side of a setup. Implementations read an
// account through IAM's Get and List calls (source.Live) or an exported
// `aws iam get-account-authorization-details` (source.Files); every policy
// document they return is resolved, AWS managed ones included.
type RoleReader interface {
	// Role returns the role with this name, or ErrNotFound.
	Role(ctx context.Context, name string) (*Principal, error)
	// InstanceProfile returns the instance profile with this name, or
	// ErrNotFound.
	InstanceProfile(ctx context.Context, name string) (*InstanceProfile, error)
	// Principal returns the user or role with this ARN (an IAM user or
	// role ARN; role session and root ARNs are resolved by the caller),
	// or ErrNotFound.
	Principal(ctx context.Context, arn string) (*Principal, error)
	// Principals lists every user and role of the account.
	Principals(ctx context.Context) ([]*Principal, error)
}

// PrincipalKind is an IAM identity's kind.
type PrincipalKind string

// The kinds of principals.
const (
	KindUser PrincipalKind = "user"
	KindRole PrincipalKind = "role"
	KindRoot PrincipalKind = "root"
)

// Principal is an IAM user or role with every policy that applies to it.
type Principal struct {
	Kind PrincipalKind
	Name string
	ARN  string
	Path string
	// Policies are the identity-based policies: inline and attached, and
	// for a user those of its groups.
	Policies []PolicyDoc
	// Boundary is the permissions boundary, nil for none.
	Boundary *PolicyDoc
	// Trust is a role's trust policy (JSON).
	Trust string
}

// PolicyDoc is one policy with its document.
type PolicyDoc struct {
	// ID is a managed policy's ARN, or "ROLE/NAME" style for inline ones
	// (what decisions name).
	ID string
	// Name is the policy's name.
	Name string
	// Inline is true for inline policies.
	Inline bool
	// Document is the JSON text.
	Document string
}

// InstanceProfile is an EC2 instance profile and its role.
type InstanceProfile struct {
	Name  string
	ARN   string
	Roles []string // role names (IAM allows one)
}

// roleRef is a role named by a setup: by ARN or by name.
type roleRef struct {
	arn     string
	name    string
	path    string
	account string
}

// parseRoleRef reads "arn:aws:iam::123456789012:role/path/name", or a name
// ("name" or "path/name") as a service's legacy role parameter allows.
func parseRoleRef(s, partition, account string) roleRef {
	if strings.HasPrefix(s, "arn:") {
		parts := strings.SplitN(s, ":", 6)
		if len(parts) == 6 && strings.HasPrefix(parts[5], "role/") {
			res := parts[5][len("role/"):]
			r := roleRef{arn: s, account: parts[4], name: lastSegment(res), path: "/"}
			if i := strings.LastIndexByte(res, '/'); i >= 0 {
				r.path = "/" + res[:i+1]
			}
			return r
		}
		return roleRef{arn: s, name: lastSegment(s), path: "/", account: account}
	}
	r := roleRef{name: lastSegment(s), path: "/", account: account}
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		r.path = "/" + strings.Trim(s[:i], "/") + "/"
	}
	r.arn = roleARN(partition, account, r.path, r.name)
	return r
}

func roleARN(partition, account, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:" + partition + ":iam::" + account + ":role" + path + name
}

// principalARNParts classifies an ARN a deployer may be given as: an IAM
// user or role ARN, a role session (assumed-role) ARN, or the root.
func principalARNParts(arn string) (kind PrincipalKind, account, name, session string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "", "", "", "", false
	}
	account, res := parts[4], parts[5]
	switch {
	case parts[2] == "iam" && res == "root":
		return KindRoot, account, "", "", true
	case parts[2] == "iam" && strings.HasPrefix(res, "user/"):
		return KindUser, account, lastSegment(res), "", true
	case parts[2] == "iam" && strings.HasPrefix(res, "role/"):
		return KindRole, account, lastSegment(res), "", true
	case parts[2] == "sts" && strings.HasPrefix(res, "assumed-role/"):
		rs := strings.SplitN(res[len("assumed-role/"):], "/", 2)
		if len(rs) != 2 {
			return "", "", "", "", false
		}
		return KindRole, account, rs[0], rs[1], true
	}
	return "", "", "", "", false
}
