package iam

import (
	"context"
	"strings"

	"github.com/rolecall/rolecall/internal/store"
)

func loadProfile(tx store.Tx, account, name string) (*instanceProfileRecord, error) {
	var p instanceProfileRecord
	ok, err := getJSON(tx, bucketInstanceProfiles, entityKey(account, name), &p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoSuchInstanceProfile(name)
	}
	return &p, nil
}

func saveProfile(tx store.Tx, account string, p *instanceProfileRecord) error {
	return putJSON(tx, bucketInstanceProfiles, entityKey(account, p.InstanceProfileName), p)
}

// profile renders an instance profile with its roles as they are now.
// GetInstanceProfile shows Tags always (an empty list when there are none);
// the listings leave them out (recorded).
func (p *instanceProfileRecord) profile(tx store.Tx, account string, withTags bool) (*InstanceProfile, error) {
	out := &InstanceProfile{
		Path: p.Path, InstanceProfileName: p.InstanceProfileName, InstanceProfileId: p.InstanceProfileId,
		Arn:        iamArn(account, "instance-profile", p.Path, p.InstanceProfileName),
		CreateDate: p.CreateDate,
		Roles:      make([]Role, 0, len(p.Roles)),
	}
	for _, name := range p.Roles {
		r, err := loadRole(tx, account, name)
		if err != nil {
			return nil, err
		}
		out.Roles = append(out.Roles, *r.role(tx, account, viewInProfile))
	}
	if withTags {
		out.Tags = append([]Tag{}, p.Tags...)
	}
	return out, nil
}

// CreateInstanceProfile creates an empty instance profile.
func (s *Service) CreateInstanceProfile(ctx context.Context, account, name, path string, tags []Tag) (*InstanceProfile, error) {
	if err := checkName("instanceProfileName", name, maxProfileName); err != nil {
		return nil, err
	}
	path, err := cleanPath("path", path)
	if err != nil {
		return nil, err
	}
	if err := profileTags.check(tags); err != nil {
		return nil, err
	}
	p := &instanceProfileRecord{Path: path, InstanceProfileName: name, InstanceProfileId: s.gen.ID("AIPA"), CreateDate: s.now(), Tags: tags}
	err = s.update(ctx, account, func(tx store.Tx) error {
		key := entityKey(account, name)
		if _, ok := tx.Get(bucketInstanceProfiles, key); ok {
			return errInstanceProfileExists(name)
		}
		if err := countNew(tx, account, bucketInstanceProfiles, "InstanceProfilesPerAccount", QuotaInstanceProfilesPerAccount); err != nil {
			return err
		}
		return putJSON(tx, bucketInstanceProfiles, key, p)
	})
	if err != nil {
		return nil, err
	}
	out := &InstanceProfile{
		Path: p.Path, InstanceProfileName: p.InstanceProfileName, InstanceProfileId: p.InstanceProfileId,
		Arn: iamArn(account, "instance-profile", p.Path, p.InstanceProfileName), CreateDate: p.CreateDate,
		Roles: []Role{},
	}
	if len(tags) > 0 {
		out.Tags = append([]Tag(nil), tags...)
	}
	return out, nil
}

// GetInstanceProfile returns an instance profile with its role and tags.
func (s *Service) GetInstanceProfile(ctx context.Context, account, name string) (*InstanceProfile, error) {
	var out *InstanceProfile
	err := s.view(ctx, account, func(tx store.Tx) error {
		p, err := loadProfile(tx, account, name)
		if err != nil {
			return err
		}
		out, err = p.profile(tx, account, true)
		return err
	})
	return out, err
}

// ListInstanceProfiles lists the account's instance profiles by name, those
// under pathPrefix only if it is given.
func (s *Service) ListInstanceProfiles(ctx context.Context, account, pathPrefix string, pg Page) ([]InstanceProfile, string, error) {
	var out []InstanceProfile
	var next string
	g := s.generation() // before the transaction: see answerCache
	err := s.view(ctx, account, func(tx store.Tx) error {
		var err error
		out, next, err = scanPage(tx, bucketInstanceProfiles, account+"/", pg, func(k string, v []byte) (InstanceProfile, bool, error) {
			ip, err := cachedAnswer(&s.instanceProfiles, k, 0, v, g, func() (InstanceProfile, bool, error) {
				var p instanceProfileRecord
				if err := unmarshal(v, &p); err != nil {
					return InstanceProfile{}, false, err
				}
				ip, err := p.profile(tx, account, false)
				if err != nil {
					return InstanceProfile{}, false, err
				}
				return *ip, len(p.Roles) > 0, nil // its roles are their own records
			})
			if err != nil || !strings.HasPrefix(ip.Path, pathPrefix) {
				return InstanceProfile{}, false, err
			}
			return ip, true, nil
		})
		return err
	})
	return out, next, err
}

// DeleteInstanceProfile deletes an instance profile that holds no role.
func (s *Service) DeleteInstanceProfile(ctx context.Context, account, name string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		p, err := loadProfile(tx, account, name)
		if err != nil {
			return err
		}
		if len(p.Roles) > 0 {
			return errDeleteConflictProfile
		}
		if err := countEntity(tx, account, bucketInstanceProfiles, -1); err != nil {
			return err
		}
		return tx.Delete(bucketInstanceProfiles, entityKey(account, p.InstanceProfileName))
	})
}

// AddRoleToInstanceProfile puts a role in an instance profile, which holds
// at most one.
func (s *Service) AddRoleToInstanceProfile(ctx context.Context, account, profileName, roleName string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		p, err := loadProfile(tx, account, profileName)
		if err != nil {
			return err
		}
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		if err := roleWritable(r, "AddRoleToInstanceProfile"); err != nil {
			return err
		}
		if len(p.Roles) >= QuotaRolesPerInstanceProfile {
			return errProfileRoleQuota
		}
		p.Roles = append(p.Roles, strings.ToLower(r.RoleName))
		r.InstanceProfiles = sortedInsert(r.InstanceProfiles, strings.ToLower(p.InstanceProfileName))
		if err := saveRole(tx, account, r); err != nil {
			return err
		}
		return saveProfile(tx, account, p)
	})
}

// RemoveRoleFromInstanceProfile takes a role out of an instance profile.
func (s *Service) RemoveRoleFromInstanceProfile(ctx context.Context, account, profileName, roleName string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		p, err := loadProfile(tx, account, profileName)
		if err != nil {
			return err
		}
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		if err := roleWritable(r, "RemoveRoleFromInstanceProfile"); err != nil {
			return err
		}
		rk := strings.ToLower(r.RoleName)
		i := -1
		for j, name := range p.Roles {
			if name == rk {
				i = j
			}
		}
		if i < 0 {
			return errRoleNotInProfile(roleName, profileName)
		}
		p.Roles = append(p.Roles[:i:i], p.Roles[i+1:]...)
		r.InstanceProfiles, _ = sortedRemove(r.InstanceProfiles, strings.ToLower(p.InstanceProfileName))
		if err := saveRole(tx, account, r); err != nil {
			return err
		}
		return saveProfile(tx, account, p)
	})
}

// ListInstanceProfilesForRole lists the instance profiles a role is in.
func (s *Service) ListInstanceProfilesForRole(ctx context.Context, account, roleName string, pg Page) ([]InstanceProfile, string, error) {
	var out []InstanceProfile
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		names, n, err := pageSlice(r.InstanceProfiles, pg)
		if err != nil {
			return err
		}
		next = n
		out, err = profilesNamed(tx, account, names)
		return err
	})
	return out, next, err
}

// profilesNamed renders the instance profiles of a role (lower-case names),
// as the listings show them.
func profilesNamed(tx store.Tx, account string, names []string) ([]InstanceProfile, error) {
	out := make([]InstanceProfile, 0, len(names))
	for _, name := range names {
		p, err := loadProfile(tx, account, name)
		if err != nil {
			return nil, err
		}
		ip, err := p.profile(tx, account, false)
		if err != nil {
			return nil, err
		}
		out = append(out, *ip)
	}
	return out, nil
}

// TagInstanceProfile adds or replaces tags on an instance profile.
func (s *Service) TagInstanceProfile(ctx context.Context, account, name string, tags []Tag) error {
	if err := profileTags.check(tags); err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		p, err := loadProfile(tx, account, name)
		if err != nil {
			return err
		}
		if p.Tags, err = profileTags.merge(p.Tags, tags); err != nil {
			return err
		}
		return saveProfile(tx, account, p)
	})
}

// UntagInstanceProfile removes tags from an instance profile.
func (s *Service) UntagInstanceProfile(ctx context.Context, account, name string, keys []string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		p, err := loadProfile(tx, account, name)
		if err != nil {
			return err
		}
		p.Tags = profileTags.remove(p.Tags, keys)
		return saveProfile(tx, account, p)
	})
}

// ListInstanceProfileTags lists an instance profile's tags.
func (s *Service) ListInstanceProfileTags(ctx context.Context, account, name string, pg Page) ([]Tag, string, error) {
	var out []Tag
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		p, err := loadProfile(tx, account, name)
		if err != nil {
			return err
		}
		out, next, err = pageSlice(p.Tags, pg)
		return err
	})
	return out, next, err
}
