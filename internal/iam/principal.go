package iam

import (
	"sort"
	"strings"

	"github.com/rolecall/rolecall/internal/store"
)

// principal is a role, user or group loaded in a transaction, seen through
// what the three share: inline policies and attached managed policies. The
// inline and attached policy operations are written once against it.
type principal struct {
	kind      string // kindRole, kindUser, kindGroup (attachment index)
	noun      string // "role", "user", "group" (error texts)
	quota     string // "PoliciesPerRole", ...
	inlineMax int
	bucket    string
	key       string
	name, id  string
	path      string
	inline    *[]inlinePolicy
	attached  *[]attachedRef
	rec       any // the record, saved as a whole
}

func (p *principal) save(tx store.Tx) error { return putJSON(tx, p.bucket, p.key, p.rec) }

func rolePrincipal(account string, r *roleRecord) *principal {
	return &principal{
		kind: kindRole, noun: "role", quota: "PoliciesPerRole", inlineMax: QuotaRoleInlineSize,
		bucket: bucketRoles, key: entityKey(account, r.RoleName),
		name: r.RoleName, id: r.RoleId, path: r.Path,
		inline: &r.Inline, attached: &r.Attached, rec: r,
	}
}

func userPrincipal(account string, u *userRecord) *principal {
	return &principal{
		kind: kindUser, noun: "user", quota: "PoliciesPerUser", inlineMax: QuotaUserInlineSize,
		bucket: bucketUsers, key: entityKey(account, u.UserName),
		name: u.UserName, id: u.UserId, path: u.Path,
		inline: &u.Inline, attached: &u.Attached, rec: u,
	}
}

func groupPrincipal(account string, g *groupRecord) *principal {
	return &principal{
		kind: kindGroup, noun: "group", quota: "PoliciesPerGroup", inlineMax: QuotaGroupInlineSize,
		bucket: bucketGroups, key: entityKey(account, g.GroupName),
		name: g.GroupName, id: g.GroupId, path: g.Path,
		inline: &g.Inline, attached: &g.Attached, rec: g,
	}
}

// Inline policies.

// putInline adds or replaces an inline policy. doc has been parsed already;
// here the aggregate size of the principal's inline policies is checked.
func putInline(tx store.Tx, p *principal, name, doc string) error {
	total := policySize(doc)
	for _, ip := range *p.inline {
		if ip.Name != name {
			total += policySize(ip.Document)
		}
	}
	if total > p.inlineMax {
		return errInlineSize(p.inlineMax, p.noun, p.name)
	}
	list := *p.inline
	i := sort.Search(len(list), func(i int) bool { return list[i].Name >= name })
	if i < len(list) && list[i].Name == name {
		list[i].Document = doc
	} else {
		list = append(list, inlinePolicy{})
		copy(list[i+1:], list[i:])
		list[i] = inlinePolicy{Name: name, Document: doc}
	}
	*p.inline = list
	return p.save(tx)
}

func getInline(p *principal, name string) (string, error) {
	for _, ip := range *p.inline {
		if ip.Name == name {
			return ip.Document, nil
		}
	}
	return "", errNoSuchInline(p.noun, name)
}

func deleteInline(tx store.Tx, p *principal, name string) error {
	list := *p.inline
	for i, ip := range list {
		if ip.Name == name {
			*p.inline = append(list[:i:i], list[i+1:]...)
			return p.save(tx)
		}
	}
	return errNoSuchInline(p.noun, name)
}

func inlineNames(p *principal) []string {
	out := make([]string, len(*p.inline))
	for i, ip := range *p.inline {
		out[i] = ip.Name
	}
	return out
}

// Attached managed policies.

// attachPolicy attaches the policy pa (already parsed from the request) to
// p. Attaching a policy that is already attached succeeds and changes
// nothing, as in AWS.
func attachPolicy(tx store.Tx, account string, p *principal, pa policyARN, ok bool) error {
	if !ok {
		return errPolicyNotAttachable(pa.arn)
	}
	exists, err := policyExists(tx, account, pa)
	if err != nil {
		return err
	}
	if !exists {
		return errPolicyNotAttachable(pa.arn)
	}
	if err := mayAttach(p, pa); err != nil {
		return err
	}
	for _, a := range *p.attached {
		if a.Arn == pa.arn {
			return nil
		}
	}
	if len(*p.attached) >= QuotaPoliciesPerEntity {
		return errQuota(p.quota, QuotaPoliciesPerEntity)
	}
	*p.attached = append(*p.attached, attachedRef{Arn: pa.arn, Name: pa.name})
	if err := putJSON(tx, bucketAttachments, attachmentKey(account, pa.arn, p.kind, p.name), &attachment{Name: p.name, Id: p.id, Path: p.path}); err != nil {
		return err
	}
	return p.save(tx)
}

// mayAttach is the one place that decides whether a policy may be attached
// to a principal. Policies under /aws-service-role/ belong to
// service-linked roles only (which only IAM itself attaches policies to:
// roleWritable refuses AttachRolePolicy on them).
func mayAttach(p *principal, pa policyARN) error {
	if isServiceRolePolicy(pa) && !(p.kind == kindRole && strings.HasPrefix(p.path, serviceRolePathPrefix)) {
		return errServiceRolePolicy
	}
	return nil
}

func detachPolicy(tx store.Tx, account string, p *principal, policyArn string) error {
	list := *p.attached
	for i, a := range list {
		if a.Arn == policyArn {
			*p.attached = append(list[:i:i], list[i+1:]...)
			if err := tx.Delete(bucketAttachments, attachmentKey(account, policyArn, p.kind, p.name)); err != nil {
				return err
			}
			return p.save(tx)
		}
	}
	return errPolicyNotFound(policyArn)
}

func listAttached(p *principal, pathPrefix string, pg Page) ([]AttachedPolicy, string, error) {
	var out []AttachedPolicy
	for _, a := range *p.attached {
		if pathPrefix != "" {
			pa, _, _ := parsePolicyARN(a.Arn)
			if !strings.HasPrefix(pa.path, pathPrefix) {
				continue
			}
		}
		out = append(out, AttachedPolicy{PolicyName: a.Name, PolicyArn: a.Arn})
	}
	return pageSlice(out, pg)
}

// Permissions boundaries.

// setBoundary points the principal's boundary at policyArn (empty removes
// it) and keeps the attachments index in step. kind is kindRoleBoundary or
// kindUserBoundary.
func setBoundary(tx store.Tx, account, kind, name, id, path string, current *string, policyArn string) error {
	if *current != "" {
		if err := tx.Delete(bucketAttachments, attachmentKey(account, *current, kind, name)); err != nil {
			return err
		}
	}
	*current = policyArn
	if policyArn == "" {
		return nil
	}
	return putJSON(tx, bucketAttachments, attachmentKey(account, policyArn, kind, name), &attachment{Name: name, Id: id, Path: path})
}

// checkBoundary validates a permissions boundary ARN: an ARN of an existing
// managed policy.
func checkBoundary(tx store.Tx, account, policyArn string) error {
	pa, ok, err := parsePolicyARN(policyArn)
	if err != nil || !ok {
		return errBoundaryArnNotValid(policyArn)
	}
	exists, err := policyExists(tx, account, pa)
	if err != nil {
		return err
	}
	if !exists {
		return errBoundaryNotFound(policyArn)
	}
	return nil
}

// reindex moves a principal's entries in the attachments index when its
// name or path changes (UpdateUser, UpdateGroup).
func reindex(tx store.Tx, account, kind, oldName, newName, id, path string, arns []string) error {
	for _, a := range arns {
		if err := tx.Delete(bucketAttachments, attachmentKey(account, a, kind, oldName)); err != nil {
			return err
		}
		if err := putJSON(tx, bucketAttachments, attachmentKey(account, a, kind, newName), &attachment{Name: newName, Id: id, Path: path}); err != nil {
			return err
		}
	}
	return nil
}

func attachedArns(list []attachedRef) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.Arn
	}
	return out
}

// sortedInsert adds s to a sorted list if it is not there.
func sortedInsert(list []string, s string) []string {
	i := sort.SearchStrings(list, s)
	if i < len(list) && list[i] == s {
		return list
	}
	list = append(list, "")
	copy(list[i+1:], list[i:])
	list[i] = s
	return list
}

// sortedRemove drops s from a sorted list; ok says whether it was there.
func sortedRemove(list []string, s string) ([]string, bool) {
	i := sort.SearchStrings(list, s)
	if i < len(list) && list[i] == s {
		return append(list[:i:i], list[i+1:]...), true
	}
	return list, false
}
