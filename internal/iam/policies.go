package iam

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/catalog/managed"
	"github.com/rolecall/rolecall/internal/store"
)

// Managed policies: customer managed policies live in the account's store;
// AWS managed policies come from the embedded catalog and exist in every
// account, which keeps only who uses them (the attachments index).

// CreatePolicyInput is CreatePolicy's request.
type CreatePolicyInput struct {
	PolicyName, Path, PolicyDocument, Description string
	Tags                                          []Tag
}

// ListPoliciesInput filters ListPolicies. Scope is "All" (or empty), "AWS"
// or "Local". PolicyUsageFilter ("PermissionsPolicy" or
// "PermissionsBoundary") chooses which use counts as attached when
// OnlyAttached is set.
type ListPoliciesInput struct {
	Scope             string
	OnlyAttached      bool
	PathPrefix        string
	PolicyUsageFilter string
}

// ListEntitiesInput filters ListEntitiesForPolicy. EntityFilter is "User",
// "Role", "Group" (or empty for all; "LocalManagedPolicy" and
// "AWSManagedPolicy" match no entity).
type ListEntitiesInput struct {
	EntityFilter      string
	PathPrefix        string
	PolicyUsageFilter string
}

// policyKey lower-cases the name: policy names, like role and user names,
// are unique regardless of case (CreatePolicy API reference, PolicyName).
func policyKey(account, name string) string { return account + "/" + strings.ToLower(name) }

// usage is how many entities use a policy in one account.
type usage struct{ attached, boundary int }

func policyUsage(tx store.Tx, account, arn string) (usage, error) {
	var u usage
	err := tx.Scan(bucketAttachments, attachmentPrefix(account, arn), "", func(k string, _ []byte) bool {
		u.add(k)
		return true
	})
	return u, err
}

func (u *usage) add(key string) {
	if strings.Contains(key, "\x00~boundary-") {
		u.boundary++
	} else {
		u.attached++
	}
}

// accountUsage counts every policy's use in the account at once.
func accountUsage(tx store.Tx, account string) (map[string]usage, error) {
	out := map[string]usage{}
	prefix := account + "/"
	err := tx.Scan(bucketAttachments, prefix, "", func(k string, _ []byte) bool {
		rest := k[len(prefix):]
		i := strings.IndexByte(rest, 0)
		if i < 0 {
			return true
		}
		u := out[rest[:i]]
		u.add(k)
		out[rest[:i]] = u
		return true
	})
	return out, err
}

// loadPolicy reads a customer managed policy by parsed ARN; found is false
// for an AWS managed policy or another account's.
func loadPolicy(tx store.Tx, account string, pa policyARN) (*policyRecord, bool, error) {
	if pa.awsManaged || pa.account != account {
		return nil, false, nil
	}
	var r policyRecord
	ok, err := getJSON(tx, bucketPolicies, policyKey(account, pa.name), &r)
	if !ok || err != nil || r.Path != pa.path || r.PolicyName != pa.name {
		return nil, false, err
	}
	return &r, true, nil
}

func policyExists(tx store.Tx, account string, pa policyARN) (bool, error) {
	if pa.awsManaged {
		_, ok := lookupManaged(pa.arn)
		return ok, nil
	}
	_, ok, err := loadPolicy(tx, account, pa)
	return ok, err
}

// Views of a policy: CreatePolicy leaves out Description and shows Tags
// only when given; GetPolicy shows Description and Tags (an empty list when
// there are none); ListPolicies shows neither (all recorded).
type policyView int

const (
	policyGet policyView = iota
	policyCreate
	policyList
)

func (r *policyRecord) arn(account string) string {
	return iamArn(account, "policy", r.Path, r.PolicyName)
}

func (r *policyRecord) view(account string, u usage, v policyView) *Policy {
	p := &Policy{
		PolicyName:                    r.PolicyName,
		PolicyId:                      r.PolicyId,
		Arn:                           r.arn(account),
		Path:                          r.Path,
		DefaultVersionId:              r.DefaultVersionId,
		AttachmentCount:               int32(u.attached),
		PermissionsBoundaryUsageCount: int32(u.boundary),
		IsAttachable:                  true,
		CreateDate:                    r.CreateDate,
		UpdateDate:                    r.updateDate(),
	}
	switch v {
	case policyGet:
		p.Description = r.Description
		p.Tags = append([]Tag{}, r.Tags...)
	case policyCreate:
		if len(r.Tags) > 0 {
			p.Tags = append([]Tag(nil), r.Tags...)
		}
	}
	return p
}

// updateDate is when the newest version was created (the creation date for
// a policy with one version).
func (r *policyRecord) updateDate() time.Time {
	d := r.CreateDate
	for _, v := range r.Versions {
		if v.CreateDate.After(d) {
			d = v.CreateDate
		}
	}
	return d
}

func managedView(mp *managed.Policy, u usage, v policyView) *Policy {
	p := &Policy{
		PolicyName:                    mp.Name,
		PolicyId:                      mp.PolicyId,
		Arn:                           mp.Arn,
		Path:                          mp.Path,
		DefaultVersionId:              mp.DefaultVersionId,
		AttachmentCount:               int32(u.attached),
		PermissionsBoundaryUsageCount: int32(u.boundary),
		IsAttachable:                  true,
		CreateDate:                    mp.CreateDate,
		UpdateDate:                    mp.UpdateDate,
	}
	if v == policyGet {
		p.Description = mp.Description
		p.Tags = []Tag{}
	}
	return p
}

// CreatePolicy creates a customer managed policy with version v1.
func (s *Service) CreatePolicy(ctx context.Context, account string, in CreatePolicyInput) (*Policy, error) {
	if err := checkName("policyName", in.PolicyName, maxPolicyName); err != nil {
		return nil, err
	}
	path, err := cleanPath("path", in.Path)
	if err != nil {
		return nil, err
	}
	if err := checkDescription("description", in.Description); err != nil {
		return nil, err
	}
	if err := policyTags.check(in.Tags); err != nil {
		return nil, err
	}
	if err := checkManagedDocument(in.PolicyDocument); err != nil {
		return nil, err
	}
	id, now := s.gen.ID("ANPA"), s.now()
	var out *Policy
	err = s.update(ctx, account, func(tx store.Tx) error {
		key := policyKey(account, in.PolicyName)
		if _, ok := tx.Get(bucketPolicies, key); ok {
			return errPolicyExists(in.PolicyName)
		}
		if err := countNew(tx, account, bucketPolicies, "PoliciesPerAccount", QuotaPoliciesPerAccount); err != nil {
			return err
		}
		r := &policyRecord{
			PolicyName: in.PolicyName, PolicyId: id, Path: path, Description: in.Description,
			CreateDate: now, DefaultVersionId: "v1",
			Versions:    []versionRecord{{VersionId: "v1", Document: in.PolicyDocument, CreateDate: now}},
			NextVersion: 2,
			Tags:        policyTags.order(in.Tags),
		}
		if err := putJSON(tx, bucketPolicies, key, r); err != nil {
			return err
		}
		out = r.view(account, usage{}, policyCreate)
		if len(in.Tags) > 0 {
			out.Tags = append([]Tag(nil), in.Tags...) // echoed in request order
		}
		return nil
	})
	return out, err
}

// checkManagedDocument validates a managed policy document and its size.
func checkManagedDocument(doc string) error {
	if _, err := parseIdentity(doc); err != nil {
		return err
	}
	if policySize(doc) > QuotaManagedPolicySize {
		return errManagedPolicySize
	}
	return nil
}

// GetPolicy returns a customer or AWS managed policy.
func (s *Service) GetPolicy(ctx context.Context, account, policyArn string) (*Policy, error) {
	pa, ok, err := parsePolicyARN(policyArn)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errPolicyNotFound(policyArn)
	}
	var out *Policy
	err = s.view(ctx, account, func(tx store.Tx) error {
		u, err := policyUsage(tx, account, policyArn)
		if err != nil {
			return err
		}
		if pa.awsManaged {
			mp, ok := lookupManaged(policyArn)
			if !ok {
				return errPolicyNotFound(policyArn)
			}
			out = managedView(mp, u, policyGet)
			return nil
		}
		r, ok, err := loadPolicy(tx, account, pa)
		if err != nil {
			return err
		}
		if !ok {
			return errPolicyNotFound(policyArn)
		}
		out = r.view(account, u, policyGet)
		return nil
	})
	return out, err
}

// ListPolicies lists managed policies by name: AWS managed ones first where
// names tie.
func (s *Service) ListPolicies(ctx context.Context, account string, in ListPoliciesInput, pg Page) ([]Policy, string, error) {
	scope := in.Scope
	if scope == "" {
		scope = "All"
	}
	var out []Policy
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		use, err := accountUsage(tx, account)
		if err != nil {
			return err
		}
		keep := func(path, arn string) bool {
			if in.PathPrefix != "" && !strings.HasPrefix(path, in.PathPrefix) {
				return false
			}
			if in.OnlyAttached {
				u := use[arn]
				if in.PolicyUsageFilter == "PermissionsBoundary" {
					return u.boundary > 0
				}
				return u.attached > 0
			}
			return true
		}
		all, err := managedPolicies(tx, account, scope == "All" || scope == "AWS", scope == "All" || scope == "Local", keep)
		if err != nil {
			return err
		}
		from, err := decodeMarker(pg.Marker, 'p') // its own kind: no other listing's marker fits
		if err != nil {
			return err
		}
		i := sort.Search(len(all), func(i int) bool { return all[i].sortKey >= from })
		limit := pg.limit()
		out = make([]Policy, 0, min(limit, len(all)-i))
		for ; i < len(all) && len(out) < limit; i++ {
			out = append(out, *all[i].view(account, use, policyList))
		}
		if i < len(all) {
			next = encodeMarker('p', all[i].sortKey)
		}
		return nil
	})
	return out, next, err
}

// policyEntry is a managed policy in the order IAM lists them: by name, an
// AWS managed policy before a customer managed one of the same name.
type policyEntry struct {
	sortKey string
	local   *policyRecord   // a customer managed policy, or
	aws     *managed.Policy // an AWS managed one (its header: no versions)
}

func (e *policyEntry) arn(account string) string {
	if e.local != nil {
		return e.local.arn(account)
	}
	return e.aws.Arn
}

func (e *policyEntry) view(account string, use map[string]usage, v policyView) *Policy {
	if e.local != nil {
		return e.local.view(account, use[e.local.arn(account)], v)
	}
	return managedView(e.aws, use[e.aws.Arn], v)
}

// managedPolicies lists the AWS managed policies (aws) and the account's
// customer managed policies (local) that keep accepts, in IAM's order.
func managedPolicies(tx store.Tx, account string, aws, local bool, keep func(path, arn string) bool) ([]policyEntry, error) {
	var mine []policyEntry
	if local {
		var derr error
		err := tx.Scan(bucketPolicies, account+"/", "", func(_ string, v []byte) bool {
			r := new(policyRecord)
			if derr = unmarshal(v, r); derr != nil {
				return false
			}
			if keep(r.Path, r.arn(account)) {
				mine = append(mine, policyEntry{sortKey: r.PolicyName + "\x00l", local: r})
			}
			return true
		})
		if err == nil {
			err = derr
		}
		if err != nil {
			return nil, err
		}
		sortEntries(mine)
	}
	if !aws {
		return mine, nil
	}
	// Both lists are in order: merged, not sorted again.
	theirs := awsEntries()
	all := make([]policyEntry, 0, len(theirs)+len(mine))
	for _, e := range theirs {
		for len(mine) > 0 && mine[0].sortKey < e.sortKey {
			all, mine = append(all, mine[0]), mine[1:]
		}
		if keep(e.aws.Path, e.aws.Arn) {
			all = append(all, e)
		}
	}
	return append(all, mine...), nil
}

// awsEntries is every AWS managed policy as a listing entry, in IAM's
// order: embedded data that never changes, made once on the first listing
// rather than on every page of every listing.
var awsEntries = sync.OnceValue(func() []policyEntry {
	hs := managed.Headers()
	all := make([]policyEntry, len(hs))
	for i := range hs {
		all[i] = awsEntry(&hs[i])
	}
	sortEntries(all)
	return all
})

func awsEntry(mp *managed.Policy) policyEntry {
	return policyEntry{sortKey: mp.Name + "\x00a", aws: mp}
}

func sortEntries(all []policyEntry) {
	sort.Slice(all, func(i, j int) bool { return all[i].sortKey < all[j].sortKey })
}

// DeletePolicy deletes a customer managed policy that nothing uses and that
// has only its default version left.
func (s *Service) DeletePolicy(ctx context.Context, account, policyArn string) error {
	if _, _, err := parsePolicyARN(policyArn); err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := writablePolicy(tx, account, "DeletePolicy", policyArn, func() error { return errPolicyNotFound(policyArn) })
		if err != nil {
			return err
		}
		u, err := policyUsage(tx, account, policyArn)
		if err != nil {
			return err
		}
		if u.attached > 0 || u.boundary > 0 {
			return errDeleteConflictPolicy
		}
		if len(r.Versions) > 1 {
			return errDeleteConflictVersions
		}
		if err := countEntity(tx, account, bucketPolicies, -1); err != nil {
			return err
		}
		return tx.Delete(bucketPolicies, policyKey(account, r.PolicyName))
	})
}

// writablePolicy loads a customer managed policy for a change; AWS managed
// policies cannot be changed.
func writablePolicy(tx store.Tx, account, action, policyArn string, notFound func() error) (*policyRecord, error) {
	pa, ok, err := parsePolicyARN(policyArn)
	if err != nil {
		return nil, err
	}
	if pa.awsManaged && ok {
		if _, exists := lookupManaged(policyArn); exists {
			return nil, errAWSManagedReadOnly(account, action, policyArn)
		}
	}
	r, found, err := loadPolicy(tx, account, pa)
	if err != nil {
		return nil, err
	}
	if !ok || !found {
		return nil, notFound()
	}
	return r, nil
}

// CreatePolicyVersion adds a version, making it the default if asked. A
// policy keeps at most five versions.
func (s *Service) CreatePolicyVersion(ctx context.Context, account, policyArn, document string, setAsDefault bool) (*PolicyVersion, error) {
	if _, _, err := parsePolicyARN(policyArn); err != nil {
		return nil, err
	}
	if err := checkManagedDocument(document); err != nil {
		return nil, err
	}
	now := s.now()
	var out *PolicyVersion
	err := s.update(ctx, account, func(tx store.Tx) error {
		r, err := writablePolicy(tx, account, "CreatePolicyVersion", policyArn, func() error { return errPolicyNotFound(policyArn) })
		if err != nil {
			return err
		}
		if len(r.Versions) >= QuotaVersionsPerPolicy {
			return errVersionLimit
		}
		v := versionRecord{VersionId: "v" + strconv.Itoa(r.NextVersion), Document: document, CreateDate: now}
		r.NextVersion++
		r.Versions = append([]versionRecord{v}, r.Versions...)
		if setAsDefault {
			r.DefaultVersionId = v.VersionId
		}
		out = &PolicyVersion{VersionId: v.VersionId, IsDefaultVersion: setAsDefault, CreateDate: now}
		return putJSON(tx, bucketPolicies, policyKey(account, r.PolicyName), r)
	})
	return out, err
}

// GetPolicyVersion returns one version with its document.
func (s *Service) GetPolicyVersion(ctx context.Context, account, policyArn, versionId string) (*PolicyVersion, error) {
	pa, ok, err := parsePolicyARN(policyArn)
	if err != nil {
		return nil, err
	}
	var out *PolicyVersion
	err = s.view(ctx, account, func(tx store.Tx) error {
		versions, def, found, err := policyVersions(tx, account, pa, ok)
		if err != nil {
			return err
		}
		for _, v := range versions {
			if found && v.VersionId == versionId {
				out = &PolicyVersion{Document: v.Document, VersionId: v.VersionId, IsDefaultVersion: v.VersionId == def, CreateDate: v.CreateDate}
				return nil
			}
		}
		return errPolicyVersionNotFound(policyArn, versionId)
	})
	return out, err
}

// policyVersions returns a policy's versions (newest first) and its default
// version, for customer and AWS managed policies alike.
func policyVersions(tx store.Tx, account string, pa policyARN, ok bool) ([]versionRecord, string, bool, error) {
	if !ok {
		return nil, "", false, nil
	}
	if pa.awsManaged {
		mp, found := lookupManaged(pa.arn)
		if !found {
			return nil, "", false, nil
		}
		out := make([]versionRecord, len(mp.Versions))
		for i, v := range mp.Versions {
			out[i] = versionRecord{VersionId: v.VersionId, Document: v.Document, CreateDate: v.CreateDate}
		}
		return out, mp.DefaultVersionId, true, nil
	}
	r, found, err := loadPolicy(tx, account, pa)
	if err != nil || !found {
		return nil, "", false, err
	}
	return r.Versions, r.DefaultVersionId, true, nil
}

// ListPolicyVersions lists a policy's versions, newest first, without their
// documents.
func (s *Service) ListPolicyVersions(ctx context.Context, account, policyArn string, pg Page) ([]PolicyVersion, string, error) {
	pa, ok, err := parsePolicyARN(policyArn)
	if err != nil {
		return nil, "", err
	}
	var out []PolicyVersion
	var next string
	err = s.view(ctx, account, func(tx store.Tx) error {
		versions, def, found, err := policyVersions(tx, account, pa, ok)
		if err != nil {
			return err
		}
		if !found {
			return errPolicyNotFound(policyArn)
		}
		all := make([]PolicyVersion, len(versions))
		for i, v := range versions {
			all[i] = PolicyVersion{VersionId: v.VersionId, IsDefaultVersion: v.VersionId == def, CreateDate: v.CreateDate}
		}
		out, next, err = pageSlice(all, pg)
		return err
	})
	return out, next, err
}

// DeletePolicyVersion deletes a version that is not the default.
func (s *Service) DeletePolicyVersion(ctx context.Context, account, policyArn, versionId string) error {
	if _, _, err := parsePolicyARN(policyArn); err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		notFound := func() error { return errPolicyVersionNotFound(policyArn, versionId) }
		r, err := writablePolicy(tx, account, "DeletePolicyVersion", policyArn, notFound)
		if err != nil {
			return err
		}
		for i, v := range r.Versions {
			if v.VersionId != versionId {
				continue
			}
			if v.VersionId == r.DefaultVersionId {
				return errDeleteDefaultVersion
			}
			r.Versions = append(r.Versions[:i:i], r.Versions[i+1:]...)
			return putJSON(tx, bucketPolicies, policyKey(account, r.PolicyName), r)
		}
		return notFound()
	})
}

// SetDefaultPolicyVersion makes an existing version the default.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, account, policyArn, versionId string) error {
	if _, _, err := parsePolicyARN(policyArn); err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		notFound := func() error { return errPolicyVersionNotFound(policyArn, versionId) }
		r, err := writablePolicy(tx, account, "SetDefaultPolicyVersion", policyArn, notFound)
		if err != nil {
			return err
		}
		for _, v := range r.Versions {
			if v.VersionId == versionId {
				r.DefaultVersionId = versionId
				return putJSON(tx, bucketPolicies, policyKey(account, r.PolicyName), r)
			}
		}
		return notFound()
	})
}

// ListEntitiesForPolicy lists the groups, users and roles a policy is
// attached to or bounds, each by name.
func (s *Service) ListEntitiesForPolicy(ctx context.Context, account, policyArn string, in ListEntitiesInput, pg Page) (*PolicyEntities, string, error) {
	pa, ok, err := parsePolicyARN(policyArn)
	if err != nil {
		return nil, "", err
	}
	out := &PolicyEntities{PolicyGroups: []PolicyGroup{}, PolicyUsers: []PolicyUser{}, PolicyRoles: []PolicyRole{}}
	var next string
	err = s.view(ctx, account, func(tx store.Tx) error {
		exists := false
		if ok {
			var err error
			if exists, err = policyExists(tx, account, pa); err != nil {
				return err
			}
		}
		if !exists {
			return errPolicyNotAttachable(policyArn)
		}
		type ref struct {
			kind string // kindGroup, kindUser, kindRole
			a    attachment
		}
		seen := map[string]bool{}
		var refs []ref
		prefix := attachmentPrefix(account, policyArn)
		var derr error
		err := tx.Scan(bucketAttachments, prefix, "", func(k string, v []byte) bool {
			kind, _, _ := strings.Cut(k[len(prefix):], "\x00")
			boundary := strings.HasPrefix(kind, "~boundary-")
			switch {
			case boundary && in.PolicyUsageFilter == "PermissionsPolicy",
				!boundary && in.PolicyUsageFilter == "PermissionsBoundary":
				return true
			}
			kind = strings.TrimPrefix(kind, "~boundary-")
			switch in.EntityFilter {
			case "", "User", "Role", "Group":
				if in.EntityFilter != "" && strings.ToLower(in.EntityFilter) != kind {
					return true
				}
			default: // LocalManagedPolicy, AWSManagedPolicy: no entity is a policy
				return true
			}
			var a attachment
			if derr = unmarshal(v, &a); derr != nil {
				return false
			}
			if in.PathPrefix != "" && !strings.HasPrefix(a.Path, in.PathPrefix) {
				return true
			}
			if id := kind + "\x00" + strings.ToLower(a.Name); !seen[id] {
				seen[id] = true
				refs = append(refs, ref{kind, a})
			}
			return true
		})
		if err == nil {
			err = derr
		}
		if err != nil {
			return err
		}
		order := map[string]int{kindGroup: 0, kindUser: 1, kindRole: 2}
		sort.SliceStable(refs, func(i, j int) bool {
			if refs[i].kind != refs[j].kind {
				return order[refs[i].kind] < order[refs[j].kind]
			}
			return strings.ToLower(refs[i].a.Name) < strings.ToLower(refs[j].a.Name)
		})
		page, n, err := pageSlice(refs, pg)
		if err != nil {
			return err
		}
		next = n
		for _, r := range page {
			switch r.kind {
			case kindGroup:
				out.PolicyGroups = append(out.PolicyGroups, PolicyGroup{GroupName: r.a.Name, GroupId: r.a.Id})
			case kindUser:
				out.PolicyUsers = append(out.PolicyUsers, PolicyUser{UserName: r.a.Name, UserId: r.a.Id})
			case kindRole:
				out.PolicyRoles = append(out.PolicyRoles, PolicyRole{RoleName: r.a.Name, RoleId: r.a.Id})
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// TagPolicy adds or replaces tags on a customer managed policy.
func (s *Service) TagPolicy(ctx context.Context, account, policyArn string, tags []Tag) error {
	if err := policyTags.check(tags); err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := writablePolicy(tx, account, "TagPolicy", policyArn, func() error { return errPolicyNotFound(policyArn) })
		if err != nil {
			return err
		}
		if r.Tags, err = policyTags.merge(r.Tags, tags); err != nil {
			return err
		}
		return putJSON(tx, bucketPolicies, policyKey(account, r.PolicyName), r)
	})
}

// UntagPolicy removes tags from a customer managed policy.
func (s *Service) UntagPolicy(ctx context.Context, account, policyArn string, keys []string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := writablePolicy(tx, account, "UntagPolicy", policyArn, func() error { return errPolicyNotFound(policyArn) })
		if err != nil {
			return err
		}
		r.Tags = policyTags.remove(r.Tags, keys)
		return putJSON(tx, bucketPolicies, policyKey(account, r.PolicyName), r)
	})
}

// ListPolicyTags lists a managed policy's tags (AWS managed policies have
// none).
func (s *Service) ListPolicyTags(ctx context.Context, account, policyArn string, pg Page) ([]Tag, string, error) {
	pa, ok, err := parsePolicyARN(policyArn)
	if err != nil {
		return nil, "", err
	}
	var out []Tag
	var next string
	err = s.view(ctx, account, func(tx store.Tx) error {
		if ok && pa.awsManaged {
			if _, found := lookupManaged(policyArn); found {
				out = []Tag{}
				return nil
			}
		}
		r, found, err := loadPolicy(tx, account, pa)
		if err != nil {
			return err
		}
		if !ok || !found {
			return errPolicyNotFound(policyArn)
		}
		out, next, err = pageSlice(r.Tags, pg)
		return err
	})
	return out, next, err
}
