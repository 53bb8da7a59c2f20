package iam

import (
	"context"
	"strings"

	"github.com/rolecall/rolecall/internal/store"
)

func loadGroup(tx store.Tx, account, name string) (*groupRecord, error) {
	var g groupRecord
	ok, err := getJSON(tx, bucketGroups, entityKey(account, name), &g)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoSuchGroup(name)
	}
	return &g, nil
}

func saveGroup(tx store.Tx, account string, g *groupRecord) error {
	return putJSON(tx, bucketGroups, entityKey(account, g.GroupName), g)
}

// CreateGroup creates an IAM group.
func (s *Service) CreateGroup(ctx context.Context, account, path, groupName string) (*Group, error) {
	if err := checkName("groupName", groupName, maxGroupName); err != nil {
		return nil, err
	}
	path, err := cleanPath("path", path)
	if err != nil {
		return nil, err
	}
	g := &groupRecord{Path: path, GroupName: groupName, GroupId: s.gen.ID("AGPA"), CreateDate: s.now()}
	err = s.update(ctx, account, func(tx store.Tx) error {
		key := entityKey(account, groupName)
		if _, ok := tx.Get(bucketGroups, key); ok {
			return errGroupExists(groupName)
		}
		if err := countNew(tx, account, bucketGroups, "GroupsPerAccount", QuotaGroupsPerAccount); err != nil {
			return err
		}
		return putJSON(tx, bucketGroups, key, g)
	})
	if err != nil {
		return nil, err
	}
	return g.group(account), nil
}

// GetGroup returns a group and one page of its users, by name.
func (s *Service) GetGroup(ctx context.Context, account, groupName string, pg Page) (*Group, []User, string, error) {
	var out *Group
	var users []User
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		g, err := loadGroup(tx, account, groupName)
		if err != nil {
			return err
		}
		out = g.group(account)
		names, n, err := pageSlice(g.Users, pg)
		if err != nil {
			return err
		}
		next = n
		users = make([]User, 0, len(names))
		for _, name := range names {
			u, err := loadUser(tx, account, name)
			if err != nil {
				return err
			}
			users = append(users, *u.user(account, false))
		}
		return nil
	})
	return out, users, next, err
}

// ListGroups lists the account's groups by name, those under pathPrefix
// only if it is given.
func (s *Service) ListGroups(ctx context.Context, account, pathPrefix string, pg Page) ([]Group, string, error) {
	var out []Group
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		var err error
		out, next, err = scanPage(tx, bucketGroups, account+"/", pg, func(_ string, v []byte) (Group, bool, error) {
			var g groupRecord
			if err := unmarshal(v, &g); err != nil {
				return Group{}, false, err
			}
			if !strings.HasPrefix(g.Path, pathPrefix) {
				return Group{}, false, nil
			}
			return *g.group(account), true, nil
		})
		return err
	})
	return out, next, err
}

// UpdateGroup renames a group or moves it to another path; empty values
// leave the name or path as they are.
func (s *Service) UpdateGroup(ctx context.Context, account, groupName, newPath, newGroupName string) error {
	if newGroupName != "" {
		if err := checkName("newGroupName", newGroupName, maxGroupName); err != nil {
			return err
		}
	}
	if newPath != "" {
		if _, err := cleanPath("newPath", newPath); err != nil {
			return err
		}
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		g, err := loadGroup(tx, account, groupName)
		if err != nil {
			return err
		}
		oldName := g.GroupName
		renamed := newGroupName != "" && !strings.EqualFold(newGroupName, oldName)
		if renamed {
			if _, taken := tx.Get(bucketGroups, entityKey(account, newGroupName)); taken {
				return errGroupExists(newGroupName)
			}
		}
		if newGroupName != "" {
			g.GroupName = newGroupName
		}
		if newPath != "" {
			g.Path = newPath
		}
		if err := reindex(tx, account, kindGroup, oldName, g.GroupName, g.GroupId, g.Path, attachedArns(g.Attached)); err != nil {
			return err
		}
		if renamed {
			for _, uname := range g.Users {
				u, err := loadUser(tx, account, uname)
				if err != nil {
					return err
				}
				u.Groups, _ = sortedRemove(u.Groups, strings.ToLower(oldName))
				u.Groups = sortedInsert(u.Groups, strings.ToLower(g.GroupName))
				if err := saveUser(tx, account, u); err != nil {
					return err
				}
			}
			if err := tx.Delete(bucketGroups, entityKey(account, oldName)); err != nil {
				return err
			}
		}
		return saveGroup(tx, account, g)
	})
}

// DeleteGroup deletes a group that has no users and no policies.
func (s *Service) DeleteGroup(ctx context.Context, account, groupName string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		g, err := loadGroup(tx, account, groupName)
		if err != nil {
			return err
		}
		switch {
		case len(g.Users) > 0:
			return errDeleteConflictGroups
		case len(g.Attached) > 0:
			return errDeleteConflictAttached
		case len(g.Inline) > 0:
			return errDeleteConflictInline
		}
		if err := countEntity(tx, account, bucketGroups, -1); err != nil {
			return err
		}
		return tx.Delete(bucketGroups, entityKey(account, g.GroupName))
	})
}

// AddUserToGroup makes a user a member of a group; adding a member again
// changes nothing.
func (s *Service) AddUserToGroup(ctx context.Context, account, groupName, userName string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		g, err := loadGroup(tx, account, groupName)
		if err != nil {
			return err
		}
		gk, uk := strings.ToLower(g.GroupName), strings.ToLower(u.UserName)
		if _, member := sortedRemove(u.Groups, gk); member {
			return nil
		}
		if len(u.Groups) >= QuotaGroupsPerUser {
			return errQuota("GroupsPerUser", QuotaGroupsPerUser)
		}
		u.Groups = sortedInsert(u.Groups, gk)
		g.Users = sortedInsert(g.Users, uk)
		if err := saveUser(tx, account, u); err != nil {
			return err
		}
		return saveGroup(tx, account, g)
	})
}

// RemoveUserFromGroup ends a membership. Removing a user that is not a
// member succeeds (recorded).
func (s *Service) RemoveUserFromGroup(ctx context.Context, account, groupName, userName string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		g, err := loadGroup(tx, account, groupName)
		if err != nil {
			return err
		}
		var member bool
		if u.Groups, member = sortedRemove(u.Groups, strings.ToLower(g.GroupName)); !member {
			return nil
		}
		g.Users, _ = sortedRemove(g.Users, strings.ToLower(u.UserName))
		if err := saveUser(tx, account, u); err != nil {
			return err
		}
		return saveGroup(tx, account, g)
	})
}

// ListGroupsForUser lists the groups a user is in, by name.
func (s *Service) ListGroupsForUser(ctx context.Context, account, userName string, pg Page) ([]Group, string, error) {
	var out []Group
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		names, n, err := pageSlice(u.Groups, pg)
		if err != nil {
			return err
		}
		next = n
		out = make([]Group, 0, len(names))
		for _, name := range names {
			g, err := loadGroup(tx, account, name)
			if err != nil {
				return err
			}
			out = append(out, *g.group(account))
		}
		return nil
	})
	return out, next, err
}

// PutGroupPolicy adds or replaces an inline policy of a group.
func (s *Service) PutGroupPolicy(ctx context.Context, account, groupName, policyName, document string) error {
	if err := checkName("policyName", policyName, maxPolicyName); err != nil {
		return err
	}
	if _, err := parseIdentity(document); err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		g, err := loadGroup(tx, account, groupName)
		if err != nil {
			return err
		}
		return putInline(tx, groupPrincipal(account, g), policyName, document)
	})
}

// GetGroupPolicy returns an inline policy's document.
func (s *Service) GetGroupPolicy(ctx context.Context, account, groupName, policyName string) (string, error) {
	var doc string
	err := s.view(ctx, account, func(tx store.Tx) error {
		g, err := loadGroup(tx, account, groupName)
		if err != nil {
			return err
		}
		doc, err = getInline(groupPrincipal(account, g), policyName)
		return err
	})
	return doc, err
}

// ListGroupPolicies lists the names of a group's inline policies.
func (s *Service) ListGroupPolicies(ctx context.Context, account, groupName string, pg Page) ([]string, string, error) {
	var out []string
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		g, err := loadGroup(tx, account, groupName)
		if err != nil {
			return err
		}
		out, next, err = pageSlice(inlineNames(groupPrincipal(account, g)), pg)
		return err
	})
	return out, next, err
}

// DeleteGroupPolicy deletes an inline policy of a group.
func (s *Service) DeleteGroupPolicy(ctx context.Context, account, groupName, policyName string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		g, err := loadGroup(tx, account, groupName)
		if err != nil {
			return err
		}
		return deleteInline(tx, groupPrincipal(account, g), policyName)
	})
}

// AttachGroupPolicy attaches a managed policy to a group.
func (s *Service) AttachGroupPolicy(ctx context.Context, account, groupName, policyArn string) error {
	pa, ok, err := parsePolicyARN(policyArn)
	if err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		g, err := loadGroup(tx, account, groupName)
		if err != nil {
			return err
		}
		return attachPolicy(tx, account, groupPrincipal(account, g), pa, ok)
	})
}

// DetachGroupPolicy detaches a managed policy from a group.
func (s *Service) DetachGroupPolicy(ctx context.Context, account, groupName, policyArn string) error {
	if _, _, err := parsePolicyARN(policyArn); err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		g, err := loadGroup(tx, account, groupName)
		if err != nil {
			return err
		}
		return detachPolicy(tx, account, groupPrincipal(account, g), policyArn)
	})
}

// ListAttachedGroupPolicies lists the managed policies attached to a group.
func (s *Service) ListAttachedGroupPolicies(ctx context.Context, account, groupName, pathPrefix string, pg Page) ([]AttachedPolicy, string, error) {
	var out []AttachedPolicy
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		g, err := loadGroup(tx, account, groupName)
		if err != nil {
			return err
		}
		out, next, err = listAttached(groupPrincipal(account, g), pathPrefix, pg)
		return err
	})
	return out, next, err
}
