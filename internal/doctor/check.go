package doctor

import (
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/internal/ecsroles"
	"github.com/rolecall/rolecall/internal/policy"
)

// createdBy says who creates a service-linked role when it is missing: the
// service, for a caller allowed iam:CreateServiceLinkedRole (ECS API
// reference, CreateCluster; Application Auto Scaling's RegisterScalableTarget
// documentation).
var createdBy = map[RoleKind]string{
	KindECSLinked:         "ECS creates it on CreateCluster",
	KindComputeLinked:     "ECS creates it on CreateCapacityProvider",
	KindAutoScalingLinked: "Application Auto Scaling creates it on RegisterScalableTarget",
}

// check reads the role and evaluates everything the setup asks of it.
func (a *analysis) check(cb *caseBuilder) (*RoleCase, error) {
	k := kinds[cb.kind]
	rc := &RoleCase{Kind: cb.kind, Title: k.Title, Name: cb.ref.name, ARN: cb.ref.arn, InstanceProfile: cb.profile,
		Needed: cb.needed, Why: cb.why, Principal: k.Principal, ManagedPolicy: k.ManagedARN(a.partition), Notes: cb.notes}
	if k.Linked {
		rc.ManagedPolicy = strings.Join(k.LinkedRole().Policies, ", ")
	}
	seen := map[string]bool{}
	for _, c := range cb.config {
		if !seen[c.What+c.Detail] {
			seen[c.What+c.Detail] = true
			rc.Checks = append(rc.Checks, c)
		}
	}
	needs := dedupeNeeds(cb.needs)
	defer func() { rc.Status = caseStatus(rc) }()

	if cb.missingFor != "" {
		fixes, err := a.fixMissing(cb, needs)
		if err != nil {
			return nil, err
		}
		rc.Fixes = fixes
		return rc, nil
	}
	if a.iam == nil {
		rc.Checks = append(rc.Checks, Check{Area: AreaExists, Status: Skipped, What: "exists", Detail: "IAM is not read (no account, no --iam file)"})
		return rc, nil
	}
	if cb.ref.account != "" && cb.ref.account != a.account {
		rc.Checks = append(rc.Checks, Check{Area: AreaExists, Status: Fail, What: "is in account " + a.account,
			Detail: "the role is in account " + cb.ref.account + ": iam:PassRole passes only roles of the caller's own account, so ECS cannot use it"})
		return rc, nil
	}

	// The instance profile, for instance roles.
	var profileFixes []Fix
	if cb.profile != "" {
		ip, err := a.getProfile(cb.profile)
		if err != nil {
			return nil, err
		}
		switch {
		case ip == nil:
			rc.Checks = append(rc.Checks, Check{Area: AreaExists, Status: Fail, What: "instance profile " + cb.profile + " exists", Detail: "Instance Profile " + cb.profile + " cannot be found."})
			profileFixes = append(profileFixes, Fix{Summary: "create the instance profile and put the role in it", Commands: []string{
				"aws iam create-instance-profile --instance-profile-name " + cb.profile,
				"aws iam add-role-to-instance-profile --instance-profile-name " + cb.profile + " --role-name " + cb.ref.name,
			}})
		case len(ip.Roles) == 0:
			rc.Checks = append(rc.Checks, Check{Area: AreaExists, Status: Fail, What: "instance profile " + cb.profile + " holds a role", Detail: "it holds none: instances launched with it get no credentials"})
			profileFixes = append(profileFixes, Fix{Summary: "put the role in the instance profile", Commands: []string{
				"aws iam add-role-to-instance-profile --instance-profile-name " + cb.profile + " --role-name " + cb.ref.name,
			}})
		default:
			rc.Checks = append(rc.Checks, Check{Area: AreaExists, Status: OK, What: "instance profile " + cb.profile + " exists", Detail: "it holds role " + ip.Roles[0]})
		}
	}

	role, err := a.getRole(cb.ref.name)
	if err != nil {
		return nil, err
	}
	if role == nil {
		c := Check{Area: AreaExists, Status: Fail, What: "role " + cb.ref.name + " exists", Detail: "The role with name " + cb.ref.name + " cannot be found."}
		if k.Linked {
			c.What = "service-linked role " + cb.ref.name + " exists"
			if d, ok := a.deployerMayCreateSLR(k); ok && d.allowed {
				c.Status = Warn
				c.Detail += " " + createdBy[cb.kind] + " for a caller allowed iam:CreateServiceLinkedRole, as the deployer is (" + d.detail() + "); until then the calls that need it fail"
			} else if ok {
				c.Detail += " The deployer may not create it: " + d.detail()
				rc.Fixes = append(rc.Fixes, a.fixPass(d, "let the deployer create the service-linked role"))
			}
		}
		if cb.guessed {
			c.Status = worse(c.Status, Warn)
		}
		rc.Checks = append(rc.Checks, c)
		rc.Fixes = append(a.fixCreate(cb, needs, ""), rc.Fixes...)
		rc.Fixes = append(rc.Fixes, profileFixes...)
		return rc, nil
	}
	rc.Name, rc.ARN = role.Name, role.ARN
	exists := Check{Area: AreaExists, Status: OK, What: "role " + role.Name + " exists", Detail: role.ARN}
	if cb.guessed {
		exists.Detail += " (the conventional name; not confirmed to be the instances' role)"
	}
	if k.Linked {
		exists.What = "service-linked role " + role.Name + " exists"
		ls := k.LinkedRole()
		if role.Path != ls.Path() {
			exists.Status = Fail
			exists.Detail = fmt.Sprintf("a role named %s exists with path %s, but the service-linked role's path is %s: it is an ordinary role, and %s cannot use it", role.Name, role.Path, ls.Path(), k.Principal)
		}
	}
	rc.Checks = append(rc.Checks, exists)
	rc.Fixes = append(rc.Fixes, profileFixes...)
	if cb.nameOnly && cb.ref.path == "/" && role.Path != "/" {
		rc.Checks = append(rc.Checks, Check{Area: AreaConfig, Status: Fail, What: "the service names the role so that ECS finds it",
			Detail: "the role's path is " + role.Path + ": \"If your specified role has a path other than /, then you must either specify the full role ARN (this is recommended) or prefix the role name with the path.\" (CreateService)"})
		rc.Fixes = append(rc.Fixes, Fix{Summary: "name the role by its ARN in the service definition: \"role\": \"" + role.ARN + "\""})
	}

	// Trust.
	td := a.ev.evalTrust(role, k.Principal, cb.trustKeys)
	tc := Check{Area: AreaTrust, What: k.Principal + " may assume it (sts:AssumeRole)", Detail: td.detail()}
	if td.allowed {
		tc.Status = OK
	} else {
		tc.Status = Fail
		if td.err == nil {
			tc.Detail = "the trust policy does not allow " + k.Principal + " to assume the role" + trustReason(td)
		}
		rc.Fixes = append(rc.Fixes, a.fixTrust(role, k, td))
	}
	rc.Checks = append(rc.Checks, tc)

	// Permissions.
	var failed []decision
	for _, n := range needs {
		d := a.ev.evalIdentity(role, k.Session, n)
		c := Check{Area: AreaPermissions, What: n.Action + " on " + n.Resource, Detail: d.detail(), Why: n.Why}
		if d.allowed {
			c.Status = OK
		} else {
			c.Status = Fail
			failed = append(failed, d)
		}
		rc.Checks = append(rc.Checks, c)
	}
	if len(failed) > 0 {
		rc.Fixes = append(rc.Fixes, a.fixPermissions(cb, role, failed)...)
	}

	// The deployer passing it.
	if cb.passed && k.PassedTo != "" {
		rc.Checks = append(rc.Checks, a.checkPass(rc, role, k)...)
	}
	return rc, nil
}

func trustReason(d decision) string {
	if d.d.Result == policy.ExplicitDeny && d.d.Statement != nil {
		return ": " + statementName(d.d.Statement) + " denies it"
	}
	return ""
}

// checkPass evaluates iam:PassRole for the deployer.
func (a *analysis) checkPass(rc *RoleCase, role *Principal, k ecsroles.Info) []Check {
	what := "the deployer may pass it (iam:PassRole, iam:PassedToService " + k.PassedTo + ")"
	if a.deployer == nil {
		detail := "no deployer given (--deployer ARN, or the caller's identity when reading a live account)"
		if a.deployerNote != "" {
			detail = a.deployerNote
		}
		return []Check{{Area: AreaPassRole, Status: Skipped, What: what, Detail: detail}}
	}
	n := need{Action: "iam:PassRole", Resource: role.ARN, Context: map[string][]string{"iam:PassedToService": {k.PassedTo}}}
	d := a.ev.evalIdentity(a.deployer, a.deployerSession, n)
	c := Check{Area: AreaPassRole, What: what, Detail: d.detail()}
	if k.PassedTo == "ec2.amazonaws.com" {
		c.Why = "whoever launches the instances with this instance profile passes the role"
	}
	if d.allowed {
		c.Status = OK
	} else {
		c.Status = Fail
		rc.Fixes = append(rc.Fixes, a.fixPass(d, "let the deployer pass the role to "+k.PassedTo))
	}
	return []Check{c}
}

// deployerMayCreateSLR evaluates iam:CreateServiceLinkedRole for the
// deployer; ok is false when no deployer is known.
func (a *analysis) deployerMayCreateSLR(k ecsroles.Info) (decision, bool) {
	if a.deployer == nil {
		return decision{}, false
	}
	ls := k.LinkedRole()
	n := need{Action: "iam:CreateServiceLinkedRole", Resource: roleARN(a.partition, a.account, ls.Path(), ls.RoleName),
		Context: map[string][]string{"iam:AWSServiceName": {k.Principal}}}
	return a.ev.evalIdentity(a.deployer, a.deployerSession, n), true
}

// caseStatus is the role's status: the worst check; not-needed when the
// setup does not need it and nothing was checked against it.
func caseStatus(rc *RoleCase) Status {
	s := OK
	if len(rc.Checks) == 0 && !rc.Needed {
		return NotNeeded
	}
	for _, c := range rc.Checks {
		s = worse(s, c.Status)
	}
	return s
}
