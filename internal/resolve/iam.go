package resolve

import (
	"context"
	"strings"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
)

// IAM resolves IAM entities. IAM's AccessDenied messages name an existing
// entity by kind and name ("iam:GetRole on resource: role NAME",
// aws/aws-cdk #27067; "group NAME", "instance profile NAME", "user NAME")
// and a managed policy by ARN ("policy arn:aws:iam::aws:policy/NAME").
type IAM struct {
	Svc   *iam.Service
	Cache *Cache
}

// entity is what a target needs of a stored IAM entity. Its ARN and the
// name AWS's AccessDenied gives it are made when it is read, not on every
// request that names it.
type entity struct {
	exists       bool
	arn, display string // from the stored name and path
	tags         map[string]string
	boundary     string
}

// Role is the role account calls name.
func (r IAM) Role(ctx context.Context, account, name string) (authz.Target, error) {
	return r.named(ctx, account, "role", name)
}

// User is the user account calls name.
func (r IAM) User(ctx context.Context, account, name string) (authz.Target, error) {
	return r.named(ctx, account, "user", name)
}

// Group is the group account calls name.
func (r IAM) Group(ctx context.Context, account, name string) (authz.Target, error) {
	return r.named(ctx, account, "group", name)
}

// InstanceProfile is the instance profile account calls name.
func (r IAM) InstanceProfile(ctx context.Context, account, name string) (authz.Target, error) {
	return r.named(ctx, account, "instance-profile", name)
}

// ServerCertificate is the server certificate account calls name, named
// by its ARN (unverified: no public record shows how IAM's AccessDenied
// names one).
func (r IAM) ServerCertificate(ctx context.Context, account, name string) (authz.Target, error) {
	t, err := r.named(ctx, account, "server-certificate", name)
	t.Display = ""
	return t, err
}

// label is how AWS's AccessDenied names an entity of kind, before its name.
func label(kind string) string {
	switch kind {
	case "instance-profile":
		return "instance profile "
	case "server-certificate":
		return ""
	}
	return kind + " "
}

// named resolves an entity named in account: its ARN from the stored name
// and path; one that does not exist is authorized on the name as given,
// at the root path.
func (r IAM) named(ctx context.Context, account, kind, name string) (authz.Target, error) {
	e, err := r.entity(ctx, account, kind, name)
	if err != nil {
		return authz.Target{}, err
	}
	if !e.exists {
		return authz.Target{ARN: arn.IAM(account, kind, "/", name), Display: label(kind) + name, Type: kind}, nil
	}
	t := authz.Target{ARN: e.arn, Display: e.display, Type: kind, Tags: e.tags}
	if e.boundary != "" {
		// A map of its own: whoever is given t may add keys to it.
		t.Keys.Set("iam:PermissionsBoundary", e.boundary)
	}
	return t, nil
}

// New is an entity a create call makes: the ARN it will have, path
// included ("iam:CreateRole on resource: arn:aws:iam::ACCOUNT:role/NAME";
// AWS's DAX guide shows ".../role/service-role/roleName").
func New(account, kind, path, name string) authz.Target {
	if path == "" {
		path = "/"
	}
	a := arn.IAM(account, kind, path, name)
	return authz.Target{ARN: a, Type: kind}
}

// NewPolicy is a managed policy CreatePolicy makes: named by its name in
// AWS's message ("iam:CreatePolicy on resource: policy NAME", public
// reports 2023-2025).
func NewPolicy(account, path, name string) authz.Target {
	t := New(account, "policy", path, name)
	t.Display = "policy " + name
	return t
}

// Policy is the managed policy policyArn names: the account's own, or an
// AWS managed policy, which every account may read.
func (r IAM) Policy(ctx context.Context, account, policyArn string) (authz.Target, error) {
	t := authz.Target{ARN: policyArn, Display: "policy " + policyArn, Type: "policy"}
	return r.storedTags(t, account, true, func() ([]iam.Tag, error) {
		p, err := r.Svc.GetPolicy(ctx, account, policyArn)
		if err != nil {
			return nil, err
		}
		return p.Tags, nil
	})
}

// storedTags is t, a resource a call names by ARN, with the tags load
// reads of it when it is account's (or AWS's, when awsToo) and exists;
// another account's resource is that account's.
func (r IAM) storedTags(t authz.Target, account string, awsToo bool, load func() ([]iam.Tag, error)) (authz.Target, error) {
	a, err := arn.Parse(t.ARN)
	if err != nil {
		return t, nil // the operation answers its own validation error
	}
	if a.Account != account && !(awsToo && a.Account == "aws") {
		t.Account = a.Account
		return t, nil
	}
	tags, err := get(r.Cache, t.Type+"\x00"+account+"\x00"+t.ARN, func() ([]iam.Tag, error) {
		tags, err := load()
		if awserr.IsClient(err) {
			return nil, nil
		}
		return tags, err
	})
	t.Tags = tagMap(tags)
	return t, err
}

// RoleARN is the role an ARN names, in whichever account the ARN says: a
// role handed to a service (iam:PassRole). A role of another account is
// that account's: no policy of the caller's account can pass it.
func (r IAM) RoleARN(ctx context.Context, callerAccount, roleArn string) (authz.Target, error) {
	t := authz.Target{ARN: roleArn, Type: "role"}
	role, account, err := r.roleByARN(ctx, roleArn)
	if err != nil {
		return t, err
	}
	if account != callerAccount {
		t.Account = account
	}
	if role != nil {
		t.ARN, t.Tags = role.Arn, tagMap(role.Tags)
		if b := role.PermissionsBoundary; b != nil {
			t.Keys.Set("iam:PermissionsBoundary", b.PermissionsBoundaryArn)
		}
	}
	return t, nil
}

// Trust is the role an ARN names as the target of sts:AssumeRole: its
// trust policy, as IAM keeps it (principals by unique ID), is the
// resource policy. A role that does not exist has none, and nothing may
// assume it; AWS names the ARN as given either way (uswitch/kiam #33).
func (r IAM) Trust(ctx context.Context, callerAccount, roleArn string) (authz.Target, *iam.Role, error) {
	a, err := arn.Parse(roleArn)
	if err != nil {
		return authz.Trust(roleArn, "", "", nil), nil, nil
	}
	account := a.Account
	if account == callerAccount {
		account = ""
	}
	type trusted struct {
		role  *iam.Role
		trust string
	}
	got, err := get(r.Cache, "trust\x00"+roleArn, func() (trusted, error) {
		role, trust, err := r.Svc.RoleTrust(ctx, roleArn)
		if awserr.IsClient(err) {
			return trusted{}, nil
		}
		return trusted{role, trust}, err
	})
	if err != nil || got.role == nil {
		return authz.Trust(roleArn, account, "", nil), nil, err
	}
	t := authz.Trust(got.role.Arn, account, got.trust, tagMap(got.role.Tags))
	return t, got.role, nil
}

func (r IAM) roleByARN(ctx context.Context, roleArn string) (*iam.Role, string, error) {
	a, err := arn.Parse(roleArn)
	if err != nil {
		return nil, "", nil
	}
	role, err := get(r.Cache, "rolearn\x00"+roleArn, func() (*iam.Role, error) {
		role, err := r.Svc.RoleByARN(ctx, roleArn)
		if awserr.IsClient(err) {
			return nil, nil
		}
		return role, err
	})
	return role, a.Account, err
}

// EntityARN is a user, role, group or managed policy an operation names by
// ARN (SimulatePrincipalPolicy, GenerateServiceLastAccessedDetails,
// GetContextKeysForPrincipalPolicy): the stored entity when it is the
// caller's account's, the ARN's account's otherwise.
func (r IAM) EntityARN(ctx context.Context, account, s string) (authz.Target, error) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "iam" {
		// Not an IAM ARN: the operation answers its own validation error.
		return authz.Target{ARN: s}, nil
	}
	kind, rest, _ := strings.Cut(a.Resource, "/")
	if kind == "policy" {
		return r.Policy(ctx, account, s)
	}
	if a.Account != account {
		return authz.Target{ARN: s, Account: a.Account, Type: kind}, nil
	}
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	switch kind {
	case "user", "role", "group":
		t, err := r.named(ctx, account, kind, name)
		t.Display = ""
		if t.ARN != s {
			// The ARN's path is not the entity's: no such entity.
			t = authz.Target{ARN: s, Type: kind}
		}
		return t, err
	}
	return authz.Target{ARN: s, Type: kind}, nil
}

// entity reads what a target needs of an IAM entity; exists is false when
// there is none.
func (r IAM) entity(ctx context.Context, account, kind, name string) (entity, error) {
	// The key is built on the stack: a warm request allocates nothing.
	var buf [128]byte
	key := append(buf[:0], kind...)
	key = append(key, 0)
	key = append(key, account...)
	key = append(key, 0)
	key = iam.AppendLowerName(key, name)
	return get(r.Cache, key, func() (entity, error) {
		var (
			e            entity
			err          error
			path, stored string
		)
		switch kind {
		case "role":
			var ro *iam.Role
			if ro, err = r.Svc.GetRole(ctx, account, name); err == nil {
				stored, path = ro.RoleName, ro.Path
				e = entity{tags: tagMap(ro.Tags), boundary: boundaryARN(ro.PermissionsBoundary)}
			}
		case "user":
			var u *iam.User
			if u, err = r.Svc.GetUser(ctx, account, name); err == nil {
				stored, path = u.UserName, u.Path
				e = entity{tags: tagMap(u.Tags), boundary: boundaryARN(u.PermissionsBoundary)}
			}
		case "group":
			var g *iam.Group
			if g, _, _, err = r.Svc.GetGroup(ctx, account, name, iam.Page{MaxItems: 1}); err == nil {
				stored, path = g.GroupName, g.Path
			}
		case "server-certificate":
			var c *iam.ServerCertificate
			if c, err = r.Svc.GetServerCertificate(ctx, account, name); err == nil {
				m := c.ServerCertificateMetadata
				stored, path = m.ServerCertificateName, m.Path
				e = entity{tags: tagMap(c.Tags)}
			}
		case "instance-profile":
			var ip *iam.InstanceProfile
			if ip, err = r.Svc.GetInstanceProfile(ctx, account, name); err == nil {
				stored, path = ip.InstanceProfileName, ip.Path
				e = entity{tags: tagMap(ip.Tags)}
			}
		default:
			return entity{}, nil
		}
		if awserr.IsClient(err) {
			return entity{}, nil // no such entity: authorized on its name
		}
		if err != nil {
			return entity{}, err
		}
		e.exists, e.arn, e.display = true, arn.IAM(account, kind, path, stored), label(kind)+stored
		return e, nil
	})
}

func tagMap(ts []iam.Tag) map[string]string {
	if len(ts) == 0 {
		return nil
	}
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[t.Key] = t.Value
	}
	return m
}

func boundaryARN(b *iam.AttachedPermissionsBoundary) string {
	if b == nil {
		return ""
	}
	return b.PermissionsBoundaryArn
}
