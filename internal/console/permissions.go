package console

import "github.com/rolecall/rolecall/internal/iam"

// The Permissions tab of a role, a user or a user group: the managed
// policies attached to it and its inline policies, each read with the
// entity's own List operations.

// holder names the operations that read an entity's policies.
type holder struct{ param, listAttached, listInline, getInline string }

var (
	roleHolder  = holder{"RoleName", "ListAttachedRolePolicies", "ListRolePolicies", "GetRolePolicy"}
	userHolder  = holder{"UserName", "ListAttachedUserPolicies", "ListUserPolicies", "GetUserPolicy"}
	groupHolder = holder{"GroupName", "ListAttachedGroupPolicies", "ListGroupPolicies", "GetGroupPolicy"}
)

// attachedPolicies is every managed policy attached to the entity.
func (q *req) attachedPolicies(h holder, name string) ([]iam.AttachedPolicy, *failure) {
	return iamList[iam.AttachedPolicy](q, h.listAttached, "AttachedPolicies", params(h.param, name))
}

// inlinePolicies is the name of every inline policy of the entity.
func (q *req) inlinePolicies(h holder, name string) ([]string, *failure) {
	return iamList[string](q, h.listInline, "PolicyNames", params(h.param, name))
}

// permissionsView is the Permissions tab's content.
type permissionsView struct {
	Attached []policyRow
	Inline   []string
}

// policyRow is a managed policy attached to the entity.
type policyRow struct{ Name, Arn, Type string }

func (q *req) permissions(h holder, name string) (permissionsView, *failure) {
	var pv permissionsView
	attached, f := q.attachedPolicies(h, name)
	if f != nil {
		return pv, f
	}
	for _, p := range attached {
		pv.Attached = append(pv.Attached, policyRow{Name: p.PolicyName, Arn: p.PolicyArn, Type: policyType(p.PolicyArn)})
	}
	pv.Inline, f = q.inlinePolicies(h, name)
	return pv, f
}
