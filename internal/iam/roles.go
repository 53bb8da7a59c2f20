package iam

import (
	"context"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/policy"
	"github.com/rolecall/rolecall/internal/store"
)

// CreateRoleInput is CreateRole's request. MaxSessionDuration 0 means the
// default, 3600 seconds.
type CreateRoleInput struct {
	Path, RoleName, AssumeRolePolicyDocument, Description, PermissionsBoundary string
	MaxSessionDuration                                                         int32
	Tags                                                                       []Tag
}

// serviceRolePathPrefix is reserved for service-linked roles.
const serviceRolePathPrefix = "/aws-service-role/"

func loadRole(tx store.Tx, account, name string) (*roleRecord, error) {
	var r roleRecord
	ok, err := getJSON(tx, bucketRoles, entityKey(account, name), &r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoSuchRole(name)
	}
	return &r, nil
}

func saveRole(tx store.Tx, account string, r *roleRecord) error {
	return putJSON(tx, bucketRoles, entityKey(account, r.RoleName), r)
}

// roleWritable is the one place that decides whether a role may be changed
// or deleted by the caller; action is the IAM operation ("DeleteRole",
// "PutRolePolicy", ...). Every role-changing operation asks it before
// changing anything. A service-linked role is modifiable only by its
// service: of IAM's operations only its description may change (IAM user
// guide, "Using service-linked roles"; the service itself goes through
// slr.go, not through here).
func roleWritable(r *roleRecord, action string) error {
	if isServiceLinked(r) && action != "UpdateRoleDescription" {
		return errProtectedRole(r.RoleName)
	}
	return nil
}

// checkTrustPolicy validates a role's trust policy (its size; that the
// users, roles and identity providers it names exist) and binds its user
// and role principals to their unique IDs (trust.go).
func checkTrustPolicy(tx store.Tx, doc string, parsed *policy.Document) ([]trustBinding, error) {
	bound, err := bindTrustPolicy(tx, doc, parsed)
	if err != nil {
		return nil, err
	}
	return bound, checkFederated(tx, parsed)
}

// bindTrustPolicy is checkTrustPolicy but for the identity providers, which
// a role's stored trust policy may name after their deletion.
func bindTrustPolicy(tx store.Tx, doc string, parsed *policy.Document) ([]trustBinding, error) {
	if policySize(doc) > QuotaTrustPolicySize {
		return nil, errTrustPolicySize
	}
	return bindTrust(tx, parsed)
}

// CreateRole creates a role. The path /aws-service-role/ is kept for
// service-linked roles.
func (s *Service) CreateRole(ctx context.Context, account string, in CreateRoleInput) (*Role, error) {
	if err := checkName("roleName", in.RoleName, maxRoleName); err != nil {
		return nil, err
	}
	path, err := cleanPath("path", in.Path)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(path, serviceRolePathPrefix) {
		return nil, errServiceRolePath
	}
	if err := checkDescription("description", in.Description); err != nil {
		return nil, err
	}
	msd := in.MaxSessionDuration
	if msd == 0 {
		msd = DefaultMaxSessionDuration
	}
	if err := checkMaxSessionDuration(msd); err != nil {
		return nil, err
	}
	if err := roleTags.check(in.Tags); err != nil {
		return nil, err
	}
	trust, err := policy.Parse(in.AssumeRolePolicyDocument, policy.Trust)
	if err != nil {
		return nil, err
	}
	r := &roleRecord{
		Path: path, RoleName: in.RoleName, RoleId: s.gen.ID("AROA"), CreateDate: s.now(),
		AssumeRolePolicyDocument: in.AssumeRolePolicyDocument,
		Description:              in.Description,
		MaxSessionDuration:       msd,
		Tags:                     in.Tags,
	}
	err = s.update(ctx, account, func(tx store.Tx) error {
		bound, err := checkTrustPolicy(tx, in.AssumeRolePolicyDocument, trust)
		if err != nil {
			return err
		}
		if in.PermissionsBoundary != "" {
			if err := checkBoundary(tx, account, in.PermissionsBoundary); err != nil {
				return err
			}
		}
		rec := *r // fn may run again: start from the same record each time
		rec.TrustIDs = bound
		return insertRole(tx, account, &rec, in.PermissionsBoundary)
	})
	if err != nil {
		return nil, err
	}
	r.PermissionsBoundary = in.PermissionsBoundary
	return r.role(nil, account, viewCreate), nil
}

// insertRole stores a new role after the checks every role creation shares:
// a unique name (regardless of case) and the account's role quota.
func insertRole(tx store.Tx, account string, r *roleRecord, boundary string) error {
	key := entityKey(account, r.RoleName)
	if _, ok := tx.Get(bucketRoles, key); ok {
		return errRoleExists(r.RoleName)
	}
	if err := countNew(tx, account, bucketRoles, "RolesPerAccount", QuotaRolesPerAccount); err != nil {
		return err
	}
	if err := setBoundary(tx, account, kindRoleBoundary, r.RoleName, r.RoleId, r.Path, &r.PermissionsBoundary, boundary); err != nil {
		return err
	}
	if err := putID(tx, r.RoleId, account, kindRole, r.RoleName); err != nil {
		return err
	}
	return putJSON(tx, bucketRoles, key, r)
}

// GetRole returns a role with everything AWS shows about it.
func (s *Service) GetRole(ctx context.Context, account, roleName string) (*Role, error) {
	r, err := s.KeptRole(ctx, account, roleName)
	if err != nil {
		return nil, err
	}
	c := r.copy()
	return &c, nil
}

// KeptRole is GetRole's answer as IAM keeps it, shared by every caller
// until the role changes: no copy for a caller that only reads it (the
// GetRole operation encodes it). It must not be changed: that would
// change every later caller's answer.
func (s *Service) KeptRole(ctx context.Context, account, roleName string) (*Role, error) {
	g := s.generation() // before the transaction: see answerCache
	if err := s.ready(ctx, account); err != nil {
		return nil, err
	}
	if h, ok := s.st.(store.Holder); ok {
		// The kept answer, while the store holds the bytes it was made
		// from, with no transaction (issue 18); else as GetRole reads.
		var buf [96]byte // an account, "/" and IAM's longest role name, 64
		if r, ok := heldAnswer(&s.roles, h, bucketRoles, appendEntityKey(buf[:0], account, roleName), int(viewGet), g); ok {
			return r, nil
		}
	}
	key := entityKey(account, roleName)
	var out *Role
	err := s.st.View(func(tx store.Tx) error {
		raw, ok := tx.Get(bucketRoles, key)
		if !ok {
			return errNoSuchRole(roleName)
		}
		var err error
		out, err = s.cachedRole(tx, account, key, raw, viewGet, g)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RoleByARN returns the role an ARN names, in whichever account the ARN
// says (STS assumes roles across accounts). The ARN's path and name must
// be the role's, as created.
func (s *Service) RoleByARN(ctx context.Context, roleArn string) (*Role, error) {
	var out *Role
	err := s.roleByARN(ctx, roleArn, func(tx store.Tx, account string, r *roleRecord) {
		out = r.role(tx, account, viewGet)
	})
	return out, err
}

func (s *Service) roleByARN(ctx context.Context, roleArn string, fn func(tx store.Tx, account string, r *roleRecord)) error {
	a, err := arn.Parse(roleArn)
	if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") || a.Account == "" {
		return awserr.ValidationError("%s is invalid", roleArn)
	}
	rest := a.Resource[len("role"):]
	i := strings.LastIndexByte(rest, '/')
	path, name := rest[:i+1], rest[i+1:]
	return s.view(ctx, a.Account, func(tx store.Tx) error {
		r, err := loadRole(tx, a.Account, name)
		if err != nil {
			return err
		}
		if r.Path != path || r.RoleName != name {
			return errNoSuchRole(name)
		}
		fn(tx, a.Account, r)
		return nil
	})
}

// ListRoles lists the account's roles by name, those under pathPrefix only
// if it is given.
func (s *Service) ListRoles(ctx context.Context, account, pathPrefix string, pg Page) ([]Role, string, error) {
	var out []Role
	var next string
	g := s.generation() // before the transaction: see answerCache
	err := s.view(ctx, account, func(tx store.Tx) error {
		var err error
		out, next, err = scanPage(tx, bucketRoles, account+"/", pg, func(k string, v []byte) (Role, bool, error) {
			r, err := s.cachedRole(tx, account, k, v, viewList, g)
			if err != nil || !strings.HasPrefix(r.Path, pathPrefix) {
				return Role{}, false, err
			}
			return r.copy(), true, nil
		})
		return err
	})
	return out, next, err
}

// modifyRole loads a role, asks roleWritable, applies fn and saves.
func (s *Service) modifyRole(ctx context.Context, account, roleName, action string, fn func(tx store.Tx, r *roleRecord) error) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		if err := roleWritable(r, action); err != nil {
			return err
		}
		if err := fn(tx, r); err != nil {
			return err
		}
		return saveRole(tx, account, r)
	})
}

// UpdateRole changes a role's description and maximum session duration;
// empty and zero leave them as they are.
func (s *Service) UpdateRole(ctx context.Context, account, roleName, description string, maxSessionDuration int32) error {
	if err := checkDescription("description", description); err != nil {
		return err
	}
	if maxSessionDuration != 0 {
		if err := checkMaxSessionDuration(maxSessionDuration); err != nil {
			return err
		}
	}
	action := "UpdateRole"
	if maxSessionDuration == 0 {
		action = "UpdateRoleDescription" // the description alone: allowed where UpdateRoleDescription is
	}
	return s.modifyRole(ctx, account, roleName, action, func(_ store.Tx, r *roleRecord) error {
		if description != "" {
			r.Description = description
		}
		if maxSessionDuration != 0 {
			r.MaxSessionDuration = maxSessionDuration
		}
		return nil
	})
}

// UpdateRoleDescription sets a role's description and returns the role.
func (s *Service) UpdateRoleDescription(ctx context.Context, account, roleName, description string) (*Role, error) {
	if err := checkDescription("description", description); err != nil {
		return nil, err
	}
	var out *Role
	err := s.modifyRole(ctx, account, roleName, "UpdateRoleDescription", func(tx store.Tx, r *roleRecord) error {
		r.Description = description
		out = r.role(tx, account, viewDescribed)
		return nil
	})
	return out, err
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, account, roleName, document string) error {
	return s.updateAssumeRolePolicy(ctx, account, roleName, document, checkTrustPolicy)
}

// ImportAssumeRolePolicy gives a role the trust policy of a state file. It
// is UpdateAssumeRolePolicy but that the identity providers named need not
// exist: a role keeps trusting a provider's ARN after the provider is
// deleted, and a file records the role as it is.
func (s *Service) ImportAssumeRolePolicy(ctx context.Context, account, roleName, document string) error {
	return s.updateAssumeRolePolicy(ctx, account, roleName, document, bindTrustPolicy)
}

func (s *Service) updateAssumeRolePolicy(ctx context.Context, account, roleName, document string, check func(store.Tx, string, *policy.Document) ([]trustBinding, error)) error {
	trust, err := policy.Parse(document, policy.Trust)
	if err != nil {
		return err
	}
	return s.modifyRole(ctx, account, roleName, "UpdateAssumeRolePolicy", func(tx store.Tx, r *roleRecord) error {
		bound, err := check(tx, document, trust)
		if err != nil {
			return err
		}
		r.AssumeRolePolicyDocument, r.TrustIDs = document, bound
		return nil
	})
}

// DeleteRole deletes a role that has no inline or attached policies and is
// in no instance profile.
func (s *Service) DeleteRole(ctx context.Context, account, roleName string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		if err := roleWritable(r, "DeleteRole"); err != nil {
			return err
		}
		return deleteRole(tx, account, r)
	})
}

// deleteRole removes a role that may be deleted: the DeleteConflict rules
// and the bookkeeping every role deletion shares.
func deleteRole(tx store.Tx, account string, r *roleRecord) error {
	switch {
	case len(r.Inline) > 0:
		return errDeleteConflictInline
	case len(r.Attached) > 0:
		return errDeleteConflictAttached
	case len(r.InstanceProfiles) > 0:
		return errDeleteConflictProfile
	}
	if err := setBoundary(tx, account, kindRoleBoundary, r.RoleName, r.RoleId, r.Path, &r.PermissionsBoundary, ""); err != nil {
		return err
	}
	if err := countEntity(tx, account, bucketRoles, -1); err != nil {
		return err
	}
	if err := deleteID(tx, r.RoleId); err != nil {
		return err
	}
	return tx.Delete(bucketRoles, entityKey(account, r.RoleName))
}

// TagRole adds or replaces tags on a role.
func (s *Service) TagRole(ctx context.Context, account, roleName string, tags []Tag) error {
	if err := roleTags.check(tags); err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		if r.Tags, err = roleTags.merge(r.Tags, tags); err != nil {
			return err
		}
		return saveRole(tx, account, r)
	})
}

// UntagRole removes tags from a role; keys it does not have are ignored.
func (s *Service) UntagRole(ctx context.Context, account, roleName string, keys []string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		r.Tags = roleTags.remove(r.Tags, keys)
		return saveRole(tx, account, r)
	})
}

// ListRoleTags lists a role's tags.
func (s *Service) ListRoleTags(ctx context.Context, account, roleName string, pg Page) ([]Tag, string, error) {
	var out []Tag
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		out, next, err = pageSlice(r.Tags, pg)
		return err
	})
	return out, next, err
}

// PutRolePermissionsBoundary sets the managed policy that bounds a role.
func (s *Service) PutRolePermissionsBoundary(ctx context.Context, account, roleName, policyArn string) error {
	return s.modifyRole(ctx, account, roleName, "PutRolePermissionsBoundary", func(tx store.Tx, r *roleRecord) error {
		if err := checkBoundary(tx, account, policyArn); err != nil {
			return err
		}
		return setBoundary(tx, account, kindRoleBoundary, r.RoleName, r.RoleId, r.Path, &r.PermissionsBoundary, policyArn)
	})
}

// DeleteRolePermissionsBoundary removes a role's permissions boundary.
func (s *Service) DeleteRolePermissionsBoundary(ctx context.Context, account, roleName string) error {
	return s.modifyRole(ctx, account, roleName, "DeleteRolePermissionsBoundary", func(tx store.Tx, r *roleRecord) error {
		return setBoundary(tx, account, kindRoleBoundary, r.RoleName, r.RoleId, r.Path, &r.PermissionsBoundary, "")
	})
}

// PutRolePolicy adds or replaces an inline policy of a role.
func (s *Service) PutRolePolicy(ctx context.Context, account, roleName, policyName, document string) error {
	if err := checkName("policyName", policyName, maxPolicyName); err != nil {
		return err
	}
	if _, err := parseIdentity(document); err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		if err := roleWritable(r, "PutRolePolicy"); err != nil {
			return err
		}
		return putInline(tx, rolePrincipal(account, r), policyName, document)
	})
}

// GetRolePolicy returns an inline policy's document.
func (s *Service) GetRolePolicy(ctx context.Context, account, roleName, policyName string) (string, error) {
	var doc string
	err := s.view(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		doc, err = getInline(rolePrincipal(account, r), policyName)
		return err
	})
	return doc, err
}

// ListRolePolicies lists the names of a role's inline policies.
func (s *Service) ListRolePolicies(ctx context.Context, account, roleName string, pg Page) ([]string, string, error) {
	var out []string
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		out, next, err = pageSlice(inlineNames(rolePrincipal(account, r)), pg)
		return err
	})
	return out, next, err
}

// DeleteRolePolicy deletes an inline policy of a role.
func (s *Service) DeleteRolePolicy(ctx context.Context, account, roleName, policyName string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		if err := roleWritable(r, "DeleteRolePolicy"); err != nil {
			return err
		}
		return deleteInline(tx, rolePrincipal(account, r), policyName)
	})
}

// AttachRolePolicy attaches a managed policy to a role.
func (s *Service) AttachRolePolicy(ctx context.Context, account, roleName, policyArn string) error {
	pa, ok, err := parsePolicyARN(policyArn)
	if err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		if err := roleWritable(r, "AttachRolePolicy"); err != nil {
			return err
		}
		return attachPolicy(tx, account, rolePrincipal(account, r), pa, ok)
	})
}

// DetachRolePolicy detaches a managed policy from a role.
func (s *Service) DetachRolePolicy(ctx context.Context, account, roleName, policyArn string) error {
	if _, _, err := parsePolicyARN(policyArn); err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		if err := roleWritable(r, "DetachRolePolicy"); err != nil {
			return err
		}
		return detachPolicy(tx, account, rolePrincipal(account, r), policyArn)
	})
}

// ListAttachedRolePolicies lists the managed policies attached to a role.
func (s *Service) ListAttachedRolePolicies(ctx context.Context, account, roleName, pathPrefix string, pg Page) ([]AttachedPolicy, string, error) {
	var out []AttachedPolicy
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		out, next, err = listAttached(rolePrincipal(account, r), pathPrefix, pg)
		return err
	})
	return out, next, err
}

// RecordRoleUsed notes that a role was assumed at a time in a region, for
// GetRole's RoleLastUsed.
func (s *Service) RecordRoleUsed(ctx context.Context, account, roleName, region string, at time.Time) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		r.LastUsed = &lastUsed{Date: at.UTC().Truncate(time.Second), Region: region}
		return saveRole(tx, account, r)
	})
}
