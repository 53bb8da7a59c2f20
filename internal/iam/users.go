package iam

import (
	"context"
	"strings"

	"github.com/rolecall/rolecall/internal/store"
)

// CreateUserInput is CreateUser's request.
type CreateUserInput struct {
	Path, UserName, PermissionsBoundary string
	Tags                                []Tag
}

func loadUser(tx store.Tx, account, name string) (*userRecord, error) {
	var u userRecord
	ok, err := getJSON(tx, bucketUsers, entityKey(account, name), &u)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoSuchUser(name)
	}
	return &u, nil
}

func saveUser(tx store.Tx, account string, u *userRecord) error {
	return putJSON(tx, bucketUsers, entityKey(account, u.UserName), u)
}

// CreateUser creates an IAM user.
func (s *Service) CreateUser(ctx context.Context, account string, in CreateUserInput) (*User, error) {
	if err := checkName("userName", in.UserName, maxUserName); err != nil {
		return nil, err
	}
	path, err := cleanPath("path", in.Path)
	if err != nil {
		return nil, err
	}
	if err := userTags.check(in.Tags); err != nil {
		return nil, err
	}
	u := &userRecord{Path: path, UserName: in.UserName, UserId: s.gen.ID("AIDA"), CreateDate: s.now(), Tags: in.Tags}
	err = s.update(ctx, account, func(tx store.Tx) error {
		key := entityKey(account, in.UserName)
		if _, ok := tx.Get(bucketUsers, key); ok {
			return errUserExists(in.UserName)
		}
		if err := countNew(tx, account, bucketUsers, "UsersPerAccount", QuotaUsersPerAccount); err != nil {
			return err
		}
		if in.PermissionsBoundary != "" {
			if err := checkBoundary(tx, account, in.PermissionsBoundary); err != nil {
				return err
			}
		}
		rec := *u
		if err := setBoundary(tx, account, kindUserBoundary, rec.UserName, rec.UserId, rec.Path, &rec.PermissionsBoundary, in.PermissionsBoundary); err != nil {
			return err
		}
		if err := putID(tx, rec.UserId, account, kindUser, rec.UserName); err != nil {
			return err
		}
		return putJSON(tx, bucketUsers, key, &rec)
	})
	if err != nil {
		return nil, err
	}
	u.PermissionsBoundary = in.PermissionsBoundary
	return u.user(account, true), nil
}

// GetUser returns a user. For the account's root user, see RootUser.
func (s *Service) GetUser(ctx context.Context, account, userName string) (*User, error) {
	var out *User
	err := s.view(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		out = u.user(account, true)
		return nil
	})
	return out, err
}

// ListUsers lists the account's users by name, those under pathPrefix only
// if it is given.
func (s *Service) ListUsers(ctx context.Context, account, pathPrefix string, pg Page) ([]User, string, error) {
	var out []User
	var next string
	g := s.generation() // before the transaction: see answerCache
	err := s.view(ctx, account, func(tx store.Tx) error {
		var err error
		out, next, err = scanPage(tx, bucketUsers, account+"/", pg, func(k string, v []byte) (User, bool, error) {
			u, err := cachedAnswer(&s.users, k, 0, v, g, func() (User, bool, error) {
				var u userRecord
				if err := unmarshal(v, &u); err != nil {
					return User{}, false, err
				}
				return *u.user(account, false), false, nil
			})
			if err != nil || !strings.HasPrefix(u.Path, pathPrefix) {
				return User{}, false, err
			}
			return u, true, nil
		})
		return err
	})
	return out, next, err
}

// UpdateUser renames a user or moves it to another path; empty values leave
// the name or path as they are. Groups, access keys and policy attachments
// follow the user.
func (s *Service) UpdateUser(ctx context.Context, account, userName, newPath, newUserName string) error {
	if newUserName != "" {
		if err := checkName("newUserName", newUserName, maxUserName); err != nil {
			return err
		}
	}
	if newPath != "" {
		if _, err := cleanPath("newPath", newPath); err != nil {
			return err
		}
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		oldName := u.UserName
		if newUserName != "" && !strings.EqualFold(newUserName, oldName) {
			if _, taken := tx.Get(bucketUsers, entityKey(account, newUserName)); taken {
				return errUserExists(newUserName)
			}
		}
		if newUserName != "" {
			u.UserName = newUserName
		}
		if newPath != "" {
			u.Path = newPath
		}
		if err := reindex(tx, account, kindUser, oldName, u.UserName, u.UserId, u.Path, attachedArns(u.Attached)); err != nil {
			return err
		}
		if u.PermissionsBoundary != "" {
			if err := reindex(tx, account, kindUserBoundary, oldName, u.UserName, u.UserId, u.Path, []string{u.PermissionsBoundary}); err != nil {
				return err
			}
		}
		if !strings.EqualFold(oldName, u.UserName) {
			for _, gname := range u.Groups {
				g, err := loadGroup(tx, account, gname)
				if err != nil {
					return err
				}
				g.Users, _ = sortedRemove(g.Users, strings.ToLower(oldName))
				g.Users = sortedInsert(g.Users, strings.ToLower(u.UserName))
				if err := saveGroup(tx, account, g); err != nil {
					return err
				}
			}
			if err := tx.Delete(bucketUsers, entityKey(account, oldName)); err != nil {
				return err
			}
			if err := putID(tx, u.UserId, account, kindUser, u.UserName); err != nil {
				return err
			}
		}
		for _, id := range u.AccessKeys {
			var k accessKeyRecord
			ok, err := getJSON(tx, bucketAccessKeys, id, &k)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			k.UserName = u.UserName
			if err := putJSON(tx, bucketAccessKeys, id, &k); err != nil {
				return err
			}
		}
		return saveUser(tx, account, u)
	})
}

// DeleteUser deletes a user that has no login profile, MFA device, access
// keys, group memberships, policies or other credentials (usercreds.go).
func (s *Service) DeleteUser(ctx context.Context, account, userName string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		mfa, err := hasMFADevice(tx, account, u)
		if err != nil {
			return err
		}
		switch {
		case hasLoginProfile(tx, account, u):
			return errDeleteConflictLoginProfile
		case mfa:
			return errDeleteConflictMFA
		case len(u.AccessKeys) > 0:
			return errDeleteConflictKeys
		case len(u.Groups) > 0:
			return errDeleteConflictGroups
		case len(u.Attached) > 0:
			return errDeleteConflictAttached
		case len(u.Inline) > 0:
			return errDeleteConflictInline
		}
		if err := credentialsConflict(tx, account, u); err != nil {
			return err
		}
		if err := setBoundary(tx, account, kindUserBoundary, u.UserName, u.UserId, u.Path, &u.PermissionsBoundary, ""); err != nil {
			return err
		}
		if err := countEntity(tx, account, bucketUsers, -1); err != nil {
			return err
		}
		if err := deleteID(tx, u.UserId); err != nil {
			return err
		}
		return tx.Delete(bucketUsers, entityKey(account, u.UserName))
	})
}

func (s *Service) modifyUser(ctx context.Context, account, userName string, fn func(tx store.Tx, u *userRecord) error) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		if err := fn(tx, u); err != nil {
			return err
		}
		return saveUser(tx, account, u)
	})
}

// TagUser adds or replaces tags on a user.
func (s *Service) TagUser(ctx context.Context, account, userName string, tags []Tag) error {
	if err := userTags.check(tags); err != nil {
		return err
	}
	return s.modifyUser(ctx, account, userName, func(_ store.Tx, u *userRecord) (err error) {
		u.Tags, err = userTags.merge(u.Tags, tags)
		return err
	})
}

// UntagUser removes tags from a user.
func (s *Service) UntagUser(ctx context.Context, account, userName string, keys []string) error {
	return s.modifyUser(ctx, account, userName, func(_ store.Tx, u *userRecord) error {
		u.Tags = userTags.remove(u.Tags, keys)
		return nil
	})
}

// ListUserTags lists a user's tags.
func (s *Service) ListUserTags(ctx context.Context, account, userName string, pg Page) ([]Tag, string, error) {
	var out []Tag
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		out, next, err = pageSlice(u.Tags, pg)
		return err
	})
	return out, next, err
}

// PutUserPermissionsBoundary sets the managed policy that bounds a user.
func (s *Service) PutUserPermissionsBoundary(ctx context.Context, account, userName, policyArn string) error {
	return s.modifyUser(ctx, account, userName, func(tx store.Tx, u *userRecord) error {
		if err := checkBoundary(tx, account, policyArn); err != nil {
			return err
		}
		return setBoundary(tx, account, kindUserBoundary, u.UserName, u.UserId, u.Path, &u.PermissionsBoundary, policyArn)
	})
}

// DeleteUserPermissionsBoundary removes a user's permissions boundary.
func (s *Service) DeleteUserPermissionsBoundary(ctx context.Context, account, userName string) error {
	return s.modifyUser(ctx, account, userName, func(tx store.Tx, u *userRecord) error {
		return setBoundary(tx, account, kindUserBoundary, u.UserName, u.UserId, u.Path, &u.PermissionsBoundary, "")
	})
}

// PutUserPolicy adds or replaces an inline policy of a user.
func (s *Service) PutUserPolicy(ctx context.Context, account, userName, policyName, document string) error {
	if err := checkName("policyName", policyName, maxPolicyName); err != nil {
		return err
	}
	if _, err := parseIdentity(document); err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		return putInline(tx, userPrincipal(account, u), policyName, document)
	})
}

// GetUserPolicy returns an inline policy's document.
func (s *Service) GetUserPolicy(ctx context.Context, account, userName, policyName string) (string, error) {
	var doc string
	err := s.view(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		doc, err = getInline(userPrincipal(account, u), policyName)
		return err
	})
	return doc, err
}

// ListUserPolicies lists the names of a user's inline policies.
func (s *Service) ListUserPolicies(ctx context.Context, account, userName string, pg Page) ([]string, string, error) {
	var out []string
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		out, next, err = pageSlice(inlineNames(userPrincipal(account, u)), pg)
		return err
	})
	return out, next, err
}

// DeleteUserPolicy deletes an inline policy of a user.
func (s *Service) DeleteUserPolicy(ctx context.Context, account, userName, policyName string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		return deleteInline(tx, userPrincipal(account, u), policyName)
	})
}

// AttachUserPolicy attaches a managed policy to a user.
func (s *Service) AttachUserPolicy(ctx context.Context, account, userName, policyArn string) error {
	pa, ok, err := parsePolicyARN(policyArn)
	if err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		return attachPolicy(tx, account, userPrincipal(account, u), pa, ok)
	})
}

// DetachUserPolicy detaches a managed policy from a user.
func (s *Service) DetachUserPolicy(ctx context.Context, account, userName, policyArn string) error {
	if _, _, err := parsePolicyARN(policyArn); err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		return detachPolicy(tx, account, userPrincipal(account, u), policyArn)
	})
}

// ListAttachedUserPolicies lists the managed policies attached to a user.
func (s *Service) ListAttachedUserPolicies(ctx context.Context, account, userName, pathPrefix string, pg Page) ([]AttachedPolicy, string, error) {
	var out []AttachedPolicy
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		out, next, err = listAttached(userPrincipal(account, u), pathPrefix, pg)
		return err
	})
	return out, next, err
}
