package iam

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/store"
)

// GetAccountAuthorizationDetails: every user, group, role and managed
// policy of the account with their policies and relationships, in one
// paged listing.

// UserDetail is a user with its inline policies, groups and attached
// policies.
type UserDetail struct {
	Path, UserName, UserId, Arn string
	CreateDate                  time.Time
	UserPolicyList              []PolicyDetail
	GroupList                   []string
	AttachedManagedPolicies     []AttachedPolicy
	PermissionsBoundary         *AttachedPermissionsBoundary
	Tags                        []Tag

	stamped // which version: see answercache.go
}

// GroupDetail is a group with its inline and attached policies.
type GroupDetail struct {
	Path, GroupName, GroupId, Arn string
	CreateDate                    time.Time
	GroupPolicyList               []PolicyDetail
	AttachedManagedPolicies       []AttachedPolicy

	stamped // which version: see answercache.go
}

// RoleDetail is a role with its trust policy, instance profiles (each with
// its roles), inline and attached policies.
type RoleDetail struct {
	Path, RoleName, RoleId, Arn string
	CreateDate                  time.Time
	AssumeRolePolicyDocument    string
	InstanceProfileList         []InstanceProfile
	RolePolicyList              []PolicyDetail
	AttachedManagedPolicies     []AttachedPolicy
	PermissionsBoundary         *AttachedPermissionsBoundary
	Tags                        []Tag
	RoleLastUsed                *RoleLastUsed

	stamped // which version: see answercache.go
}

// PolicyDetail is an inline policy with its document.
type PolicyDetail struct {
	PolicyName, PolicyDocument string
}

// ManagedPolicyDetail is a managed policy with every version's document.
// AWS leaves the description out (the AWS CLI's example answer, and
// exports of AWS managed policies, which all have one, show none).
type ManagedPolicyDetail struct {
	PolicyName, PolicyId, Arn, Path string
	DefaultVersionId                string
	AttachmentCount                 int32
	PermissionsBoundaryUsageCount   int32
	IsAttachable                    bool
	CreateDate, UpdateDate          time.Time
	PolicyVersionList               []PolicyVersion

	stamped // which version: see answercache.go
}

// AuthorizationDetails is one page of GetAccountAuthorizationDetails. Every
// list is present, empty when the filter or the page leaves nothing in it.
type AuthorizationDetails struct {
	UserDetailList  []UserDetail
	GroupDetailList []GroupDetail
	RoleDetailList  []RoleDetail
	Policies        []ManagedPolicyDetail
}

// The entity types of GetAccountAuthorizationDetails' Filter.
const (
	EntityUser               = "User"
	EntityGroup              = "Group"
	EntityRole               = "Role"
	EntityLocalManagedPolicy = "LocalManagedPolicy"
	EntityAWSManagedPolicy   = "AWSManagedPolicy"
)

// The listing is one sequence: users, groups, roles, then managed policies
// (the answer's member order), each by name. MaxItems counts entities of
// every kind together; a marker names the section and the key of the first
// entity of the next page, so that a page boundary survives entities added
// or deleted before it, as the other listings' markers do (paging.go).
const (
	detailsMarker   = 'd' // its own kind: no other listing's marker fits
	detailsSections = "ugrp"
)

// decodeDetailsMarker parses a GetAccountAuthorizationDetails marker into
// the section (an index into detailsSections) and the key it resumes at.
func decodeDetailsMarker(m string) (section int, key string, err error) {
	s, err := decodeMarker(m, detailsMarker)
	if err != nil || m == "" {
		return 0, "", err
	}
	if s == "" {
		return 0, "", errBadMarker
	}
	section = strings.IndexByte(detailsSections, s[0])
	if section < 0 {
		return 0, "", errBadMarker
	}
	return section, s[1:], nil
}

// detailsPage counts a page's entities across sections.
type detailsPage struct {
	limit, n int
	next     string // the next page's marker, once the page is full
}

// take reports whether one more entity fits the page; when it does not,
// the entity (key in section) is where the next page begins.
func (p *detailsPage) take(section byte, key string) bool {
	if p.n == p.limit {
		p.next = encodeMarker(detailsMarker, string(section)+key)
		return false
	}
	p.n++
	return true
}

// GetAccountAuthorizationDetails returns one page of the account's users,
// groups, roles and managed policies, those of the filter's entity types
// only if it names any. Customer managed policies are listed whether used
// or not; AWS managed policies only when something in the account has them
// attached: "GetAccountAuthorizationDetails API returns only attached AWS
// Managed Policies and all Customer Managed Policies" (cloudquery/cloudquery
// #13322; the AWS CLI's example answer lists AWS managed policies only with
// an AttachmentCount). Unverified: whether a policy used only as a
// permissions boundary counts as attached; here it does not.
func (s *Service) GetAccountAuthorizationDetails(ctx context.Context, account string, filter []string, pg Page) (*AuthorizationDetails, string, error) {
	section, from, err := decodeDetailsMarker(pg.Marker)
	if err != nil {
		return nil, "", err
	}
	want := map[string]bool{}
	for _, f := range filter {
		want[f] = true
	}
	all := len(want) == 0
	out := &AuthorizationDetails{UserDetailList: []UserDetail{}, GroupDetailList: []GroupDetail{}, RoleDetailList: []RoleDetail{}, Policies: []ManagedPolicyDetail{}}
	page := &detailsPage{limit: pg.limit()}
	g := s.generation() // before the transaction: see answerCache
	err = s.view(ctx, account, func(tx store.Tx) error {
		for i := section; i < len(detailsSections) && page.next == ""; i++ {
			start := ""
			if i == section {
				start = from
			}
			var err error
			switch detailsSections[i] {
			case 'u':
				if all || want[EntityUser] {
					err = s.userDetails(tx, account, start, g, page, out)
				}
			case 'g':
				if all || want[EntityGroup] {
					err = s.groupDetails(tx, account, start, g, page, out)
				}
			case 'r':
				if all || want[EntityRole] {
					err = s.roleDetails(tx, account, start, g, page, out)
				}
			case 'p':
				if local, aws := all || want[EntityLocalManagedPolicy], all || want[EntityAWSManagedPolicy]; local || aws {
					err = s.policyDetails(tx, account, start, local, aws, g, page, out)
				}
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return out, page.next, nil
}

// scanDetails runs fn on each record of bucket in the account, in key
// order from the key start, while the page has room.
func scanDetails(tx store.Tx, bucket, account, start string, section byte, page *detailsPage, fn func(k string, v []byte) error) error {
	prefix := account + "/"
	if start != "" {
		start = prefix + start
	}
	var ferr error
	err := tx.Scan(bucket, prefix, start, func(k string, v []byte) bool {
		if !page.take(section, k[len(prefix):]) {
			return false
		}
		ferr = fn(k, v)
		return ferr == nil
	})
	if err == nil {
		err = ferr
	}
	return err
}

func (s *Service) userDetails(tx store.Tx, account, start string, g readGen, page *detailsPage, out *AuthorizationDetails) error {
	return scanDetails(tx, bucketUsers, account, start, 'u', page, func(k string, v []byte) error {
		d, err := cachedAnswer(&s.details.users, k, 0, v, g, func() (UserDetail, bool, error) {
			var r userRecord
			if err := unmarshal(v, &r); err != nil {
				return UserDetail{}, false, err
			}
			u := r.user(account, true)
			d := UserDetail{
				Path: u.Path, UserName: u.UserName, UserId: u.UserId, Arn: u.Arn, CreateDate: u.CreateDate,
				UserPolicyList:          inlineDetails(r.Inline),
				GroupList:               make([]string, 0, len(r.Groups)),
				AttachedManagedPolicies: attachedList(r.Attached),
				PermissionsBoundary:     u.PermissionsBoundary,
				Tags:                    nonNil(u.Tags),
			}
			for _, name := range r.Groups {
				g, err := loadGroup(tx, account, name)
				if err != nil {
					return UserDetail{}, false, err
				}
				d.GroupList = append(d.GroupList, g.GroupName)
			}
			return d, len(r.Groups) > 0, nil // the groups' names are in their records
		})
		if err != nil {
			return err
		}
		out.UserDetailList = append(out.UserDetailList, d)
		return nil
	})
}

func (s *Service) groupDetails(tx store.Tx, account, start string, g readGen, page *detailsPage, out *AuthorizationDetails) error {
	return scanDetails(tx, bucketGroups, account, start, 'g', page, func(k string, v []byte) error {
		d, err := cachedAnswer(&s.details.groups, k, 0, v, g, func() (GroupDetail, bool, error) {
			var r groupRecord
			if err := unmarshal(v, &r); err != nil {
				return GroupDetail{}, false, err
			}
			g := r.group(account)
			return GroupDetail{
				Path: g.Path, GroupName: g.GroupName, GroupId: g.GroupId, Arn: g.Arn, CreateDate: g.CreateDate,
				GroupPolicyList:         inlineDetails(r.Inline),
				AttachedManagedPolicies: attachedList(r.Attached),
			}, false, nil
		})
		if err != nil {
			return err
		}
		out.GroupDetailList = append(out.GroupDetailList, d)
		return nil
	})
}

// roleDetails: a role as GetRole shows it (its trust policy with the
// principals it binds, its boundary, tags and last use), with its instance
// profiles as ListInstanceProfiles shows them; service-linked roles are
// listed at their /aws-service-role/ path like any other.
func (s *Service) roleDetails(tx store.Tx, account, start string, g readGen, page *detailsPage, out *AuthorizationDetails) error {
	return scanDetails(tx, bucketRoles, account, start, 'r', page, func(k string, v []byte) error {
		d, err := cachedAnswer(&s.details.roles, k, 0, v, g, func() (RoleDetail, bool, error) {
			var r roleRecord
			if err := unmarshal(v, &r); err != nil {
				return RoleDetail{}, false, err
			}
			role := r.role(tx, account, viewGet)
			d := RoleDetail{
				Path: role.Path, RoleName: role.RoleName, RoleId: role.RoleId, Arn: role.Arn, CreateDate: role.CreateDate,
				AssumeRolePolicyDocument: role.AssumeRolePolicyDocument,
				RolePolicyList:           inlineDetails(r.Inline),
				AttachedManagedPolicies:  attachedList(r.Attached),
				PermissionsBoundary:      role.PermissionsBoundary,
				Tags:                     nonNil(role.Tags),
				RoleLastUsed:             role.RoleLastUsed,
			}
			var err error
			if d.InstanceProfileList, err = profilesNamed(tx, account, r.InstanceProfiles); err != nil {
				return RoleDetail{}, false, err
			}
			// The trust's principals and the instance profiles (with
			// their roles) are other records.
			return d, len(r.TrustIDs) > 0 || len(r.InstanceProfiles) > 0, nil
		})
		if err != nil {
			return err
		}
		out.RoleDetailList = append(out.RoleDetailList, d)
		return nil
	})
}

// policyDetails lists managed policies in ListPolicies' order, each with
// every version's document, newest first (as ListPolicyVersions), AWS
// managed policies' too: cloudsplaining's download strips them unless
// asked, "Note that this will dramatically increase the size of the
// downloaded file" (salesforce/cloudsplaining, command/download.py).
func (s *Service) policyDetails(tx store.Tx, account, start string, local, aws bool, g readGen, page *detailsPage, out *AuthorizationDetails) error {
	use, err := accountUsage(tx, account)
	if err != nil {
		return err
	}
	all, err := managedPolicies(tx, account, false, local, func(_, _ string) bool { return true })
	if err != nil {
		return err
	}
	if aws {
		// The attached ones, from the account's usage: not a pass over
		// every AWS managed policy for each page.
		for arn, u := range use {
			if mp, ok := lookupManaged(arn); ok && u.attached > 0 {
				all = append(all, awsEntry(mp))
			}
		}
		sortEntries(all)
	}
	for i := sort.Search(len(all), func(i int) bool { return all[i].sortKey >= start }); i < len(all); i++ {
		e := &all[i]
		if !page.take('p', e.sortKey) {
			return nil
		}
		arn := e.arn(account)
		// The counts are the account's usage, not the policy's record: an
		// answer holds only while nothing at all is written.
		d, err := cachedAnswer(&s.details.policies, account+"/"+arn, 0, nil, g, func() (ManagedPolicyDetail, bool, error) {
			p := e.view(account, use, policyList)
			d := ManagedPolicyDetail{
				PolicyName: p.PolicyName, PolicyId: p.PolicyId, Arn: p.Arn, Path: p.Path, DefaultVersionId: p.DefaultVersionId,
				AttachmentCount: p.AttachmentCount, PermissionsBoundaryUsageCount: p.PermissionsBoundaryUsageCount,
				IsAttachable: p.IsAttachable, CreateDate: p.CreateDate, UpdateDate: p.UpdateDate,
			}
			pa, ok, err := parsePolicyARN(arn)
			if err != nil {
				return ManagedPolicyDetail{}, false, err
			}
			versions, def, _, err := policyVersions(tx, account, pa, ok)
			if err != nil {
				return ManagedPolicyDetail{}, false, err
			}
			d.PolicyVersionList = make([]PolicyVersion, len(versions))
			for j, v := range versions {
				d.PolicyVersionList[j] = PolicyVersion{Document: v.Document, VersionId: v.VersionId, IsDefaultVersion: v.VersionId == def, CreateDate: v.CreateDate}
			}
			return d, true, nil
		})
		if err != nil {
			return err
		}
		out.Policies = append(out.Policies, d)
	}
	return nil
}

func inlineDetails(list []inlinePolicy) []PolicyDetail {
	out := make([]PolicyDetail, len(list))
	for i, p := range list {
		out[i] = PolicyDetail{PolicyName: p.Name, PolicyDocument: p.Document}
	}
	return out
}

func attachedList(list []attachedRef) []AttachedPolicy {
	out := make([]AttachedPolicy, len(list))
	for i, a := range list {
		out[i] = AttachedPolicy{PolicyName: a.Name, PolicyArn: a.Arn}
	}
	return out
}
