package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	aastypes "github.com/rolecall/rolecall/internal/appautoscaling/types"
	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/doctor"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/ecsroles"
	"github.com/rolecall/rolecall/internal/iam"
)

// Role check: `rolecall doctor` on a cluster or one of its services. The
// console reads the setup with the read calls the doctor makes against an
// account (internal/doctor/source's Live: ecs Describe*/List*, iam
// Get*/List*, ec2 DescribeInstances, application-autoscaling
// DescribeScalableTargets), here run as the signed-in principal through
// the API like every page's calls, and hands it to the doctor's pure
// evaluation (doctor.Diagnose, doctor.Indirect). What the principal may not
// read is the page's denial, as the CLI's exit 2 is.

type roleCheckView struct {
	Cluster string
	Service string // "" for the cluster's check
	Report  *doctor.Report
	// Needed are the roles the setup needs, with what failed; NotNeeded
	// the others, with why not.
	Needed    []roleCase
	NotNeeded []notNeeded
	// Graph is doctor indirect's paths drawn; GraphFailed why not (the
	// principal may not list the account's users and roles).
	Graph       *graph
	GraphNotes  []string
	GraphFailed *failure
}

// clusterRoleCheck checks the roles of a cluster: its services, the tasks
// it runs or ran lately, its container instances and capacity providers.
func (c *Console) clusterRoleCheck(q *req) {
	name := q.r.PathValue("cluster")
	v := q.regionalView("Role check: " + name)
	cl, ok := q.clusterOrNotFound(v, "rolecheck", name)
	if !ok {
		return
	}
	q.roleCheck(v, cl, nil)
}

// serviceRoleCheck checks the roles of one service of a cluster.
func (c *Console) serviceRoleCheck(q *req) {
	cluster, name := q.r.PathValue("cluster"), q.r.PathValue("service")
	v := q.regionalView("Role check: " + name)
	cl, ok := q.clusterOrNotFound(v, "rolecheck", cluster)
	if !ok {
		return
	}
	svc, ok := q.serviceOrNotFound(v, "rolecheck", cl.ClusterName, name)
	if !ok {
		return
	}
	q.roleCheck(v, cl, svc)
}

func (q *req) roleCheck(v *view, cl *types.Cluster, svc *types.Service) {
	rv := &roleCheckView{Cluster: cl.ClusterName}
	if svc != nil {
		rv.Service = svc.ServiceName
	}
	s, notes, f := q.roleCheckSetup(v.Region, cl, svc)
	if f != nil {
		q.page("rolecheck", v, f)
		return
	}
	ctx := q.r.Context()
	rep, err := doctor.Diagnose(ctx, s)
	if err != nil {
		q.page("rolecheck", v, asFailure(err))
		return
	}
	rep.Notes = append(rep.Notes, notes...)
	rv.Report = rep
	for _, rc := range rep.Roles {
		if rc.Status == doctor.NotNeeded {
			// As the doctor's table lists them: the title, and why not.
			rv.NotNeeded = append(rv.NotNeeded, notNeeded{rc.Title, strings.TrimPrefix(strings.Join(rc.Why, "; "), "not needed: ")})
		} else {
			rv.Needed = append(rv.Needed, q.roleCase(rc))
		}
	}
	// What each principal reaches through roles it does not hold is the
	// account's, evaluated on this setup's clusters and task definitions.
	if ind, err := doctor.Indirect(ctx, s); err != nil {
		rv.GraphFailed = asFailure(err)
	} else {
		rv.Graph, rv.GraphNotes = layoutIndirect(ind), ind.Notes
	}
	v.Page = rv
	q.page("rolecheck", v, nil)
}

// notNeeded is a role the setup does not need, and why not.
type notNeeded struct{ Title, Why string }

// roleCase is a needed role as the Role check shows it: the doctor's
// table row (its cells in the doctor's words), then the checks that did
// not pass and the fixes.
type roleCase struct {
	*doctor.RoleCase
	Role    roleLink
	Cells   []cell
	Failing []doctor.Check
	Passing int
}

type cell struct {
	Status doctor.Status
	Text   string
}

func (q *req) roleCase(rc *doctor.RoleCase) roleCase {
	out := roleCase{RoleCase: rc}
	if rc.AreaStatus(doctor.AreaExists) == doctor.OK {
		out.Role = q.roleLink(rc.ARN) // a role that exists has a page
	}
	for _, a := range doctor.TableAreas {
		st, text := rc.Cell(a)
		out.Cells = append(out.Cells, cell{st, text})
	}
	for _, c := range rc.Checks {
		if c.Status == doctor.OK {
			out.Passing++
		} else {
			out.Failing = append(out.Failing, c)
		}
	}
	return out
}

// roleCheckPath is the Role check of a cluster, or of one of its services.
func roleCheckPath(cluster, service, region string) string {
	p := Prefix + "ecs/clusters/" + url.PathEscape(cluster)
	if service != "" {
		p += "/services/" + url.PathEscape(service)
	}
	return p + "/rolecheck?region=" + url.QueryEscape(region)
}

// asFailure is an error of the doctor's as the console shows it: the API's
// answer to a read, which the reader returned as it was, or the doctor's
// own.
func asFailure(err error) *failure {
	var f *failure
	if errors.As(err, &f) {
		return f
	}
	return &failure{Err: awserr.New(http.StatusInternalServerError, "InternalFailure", "%v", err)}
}

// roleCheckSetup reads what the doctor examines for a cluster, or one of
// its services (svc), as `rolecall doctor --cluster C [--service S]` reads
// it: the cluster and its registered container instances, its services
// (or svc), its tasks (the cluster's check), the task definitions and
// capacity providers those use, the instances' instance profiles (EC2) and
// the services' scalable targets. The deployer is the signed-in principal,
// as the CLI's is the caller.
func (q *req) roleCheckSetup(region string, cl *types.Cluster, svc *types.Service) (s *doctor.Setup, notes []string, f *failure) {
	s = &doctor.Setup{Account: q.p.Account, Region: region, Deployer: q.p.ARN, IAM: &consoleIAM{q: q, policies: map[string]doctor.PolicyDoc{}}}
	s.Clusters = []*doctor.Cluster{{Cluster: *cl, Source: liveSource}}
	providers := map[string]bool{}
	for _, p := range cl.CapacityProviders {
		providers[p] = true
	}
	var taskDefs []string
	svcs := []types.Service{}
	if svc != nil {
		svcs = append(svcs, *svc)
	} else {
		var rows []serviceRow
		if rows, f = q.services(region, cl.ClusterArn); f != nil {
			return nil, nil, f
		}
		for _, r := range rows {
			svcs = append(svcs, r.Service)
		}
		var tasks []taskRow
		if tasks, f = q.clusterTasks(region, cl.ClusterArn, nil); f != nil {
			return nil, nil, f
		}
		for _, t := range tasks {
			s.Tasks = append(s.Tasks, &doctor.Task{Task: t.Task, Source: liveSource})
			if t.CapacityProviderName != "" {
				providers[t.CapacityProviderName] = true
			}
			taskDefs = append(taskDefs, t.TaskDefinitionArn)
		}
	}
	for _, sv := range svcs {
		d, err := doctor.ServiceOf(sv, liveSource)
		if err != nil {
			return nil, nil, asFailure(err)
		}
		s.Services = append(s.Services, d)
		for _, it := range sv.CapacityProviderStrategy {
			providers[it.CapacityProvider] = true
		}
		taskDefs = append(taskDefs, sv.TaskDefinition)
	}
	seen := map[string]bool{}
	for _, td := range taskDefs {
		if td == "" || seen[td] {
			continue
		}
		seen[td] = true
		out, f := q.ecs(region, "DescribeTaskDefinition", map[string]any{"taskDefinition": td})
		if f != nil {
			return nil, nil, f
		}
		s.TaskDefinitions = append(s.TaskDefinitions, &doctor.TaskDefinition{TaskDefinition: *out.(*types.DescribeTaskDefinitionResponse).TaskDefinition, Source: liveSource})
	}
	var names []string
	for p := range providers {
		if p != "FARGATE" && p != "FARGATE_SPOT" {
			names = append(names, p)
		}
	}
	if len(names) > 0 {
		out, f := q.ecs(region, "DescribeCapacityProviders", map[string]any{"capacityProviders": names})
		if f != nil {
			return nil, nil, f
		}
		for _, p := range out.(*types.DescribeCapacityProvidersResponse).CapacityProviders {
			s.CapacityProviders = append(s.CapacityProviders, &doctor.CapacityProvider{CapacityProvider: p, Source: liveSource})
		}
	}
	for _, read := range []func(*doctor.Setup, string, *types.Cluster) (string, *failure){q.readContainerInstances, q.readScalableTargets} {
		note, f := read(s, region, cl)
		if f != nil {
			return nil, nil, f
		}
		if note != "" {
			notes = append(notes, note)
		}
	}
	return s, notes, nil
}

// liveSource is where the console's setups are read from, as the doctor
// names the live API's.
const liveSource = "ecs"

// readContainerInstances adds the cluster's container instances with the
// instance profile EC2 gives each (the role in it is the container
// instance role). When EC2 may not be read, the doctor goes on without the
// profiles, looking for the role by its conventional name, and the note
// says so.
func (q *req) readContainerInstances(s *doctor.Setup, region string, cl *types.Cluster) (note string, f *failure) {
	cis, f := q.containerInstances(region, cl.ClusterArn)
	if f != nil {
		return "", f
	}
	s.Registrations = append(s.Registrations, cl.ClusterName)
	var ids []string
	for _, ci := range cis {
		if ci.Ec2InstanceId != "" {
			ids = append(ids, ci.Ec2InstanceId)
		}
	}
	found, f := q.ec2Instances(region, ids)
	denied := ""
	if f != nil {
		if f.Denied == nil {
			return "", f
		}
		denied = f.Denied.Action + " is denied to you"
		note = "the container instances' instance profiles are not read from EC2: " + denied +
			"; the container instance role is looked for by its conventional name"
	}
	for _, ci := range cis {
		d := &doctor.ContainerInstance{Cluster: cl.ClusterName, ContainerInstanceArn: ci.ContainerInstanceArn, Ec2InstanceId: ci.Ec2InstanceId,
			TrunkFailed: ci.Status == ecsroles.StatusRegistrationFailed, Source: liveSource}
		for _, a := range ci.Attributes {
			if a.Name == ecsroles.TrunkAttribute {
				d.Trunk = a.Value
			}
		}
		inst, ok := found[ci.Ec2InstanceId]
		switch {
		case ci.Ec2InstanceId == "":
			d.Unknown = "ECS names no EC2 instance"
		case denied != "":
			d.Unknown = denied
		case !ok:
			d.Unknown = ec2Unknown
		default:
			if inst.IamInstanceProfile != nil {
				d.InstanceProfileArn = inst.IamInstanceProfile.Arn
			}
			if inst.Operator != nil && inst.Operator.Managed {
				d.Operator = inst.Operator.Principal
			}
		}
		s.ContainerInstances = append(s.ContainerInstances, d)
	}
	return note, nil
}

// scalingBatch is how many resources one DescribeScalableTargets asks
// for: as many as one page holds (MaxResults 1-50).
const scalingBatch = 50

// readScalableTargets adds the services' scalable targets (service auto
// scaling lives in Application Auto Scaling, not in ECS). When the
// principal may not read them, the doctor goes on without, and the note
// says so rather than let "not needed" pass for "not looked at".
func (q *req) readScalableTargets(s *doctor.Setup, region string, _ *types.Cluster) (note string, f *failure) {
	var ids []string
	for _, sv := range s.Services {
		ids = append(ids, "service/"+sv.ClusterName()+"/"+sv.ServiceName)
	}
	f = inBatches(ids, scalingBatch, func(batch []string) *failure {
		for next := ""; ; {
			in := map[string]any{"ServiceNamespace": "ecs", "ResourceIds": batch}
			if next != "" {
				in["NextToken"] = next
			}
			out, f := q.call("application-autoscaling", region, "DescribeScalableTargets", in)
			if f != nil {
				return f
			}
			page := out.(*aastypes.DescribeScalableTargetsResponse)
			for _, t := range page.ScalableTargets {
				s.ScalableTargets = append(s.ScalableTargets, &doctor.ScalableTarget{ServiceNamespace: t.ServiceNamespace, ResourceId: t.ResourceId,
					ScalableDimension: t.ScalableDimension, RoleARN: t.RoleARN, Source: "application-autoscaling"})
			}
			if next = page.NextToken; next == "" {
				return nil
			}
		}
	})
	if f != nil && f.Denied != nil {
		return "service auto scaling is not read: " + f.Denied.Action + " is denied to you", nil
	}
	return "", f
}

// consoleIAM is the doctor's doctor.RoleReader over the console's IAM
// calls: the Get and List calls the doctor reads an account with
// (source.LiveIAM's), made as the signed-in principal. A refusal is the
// read's error, the *failure the page shows.
type consoleIAM struct {
	q *req
	// policies are the managed policies read, each once.
	policies map[string]doctor.PolicyDoc
}

// readErr is a read's failure as the doctor takes it: IAM's NoSuchEntity
// is doctor.ErrNotFound; nil is nil (not a nil *failure in an error).
func readErr(f *failure) error {
	switch {
	case f == nil:
		return nil
	case f.Err.Code == "NoSuchEntity":
		return doctor.ErrNotFound
	}
	return f
}

// Role implements doctor.RoleReader.
func (r *consoleIAM) Role(_ context.Context, name string) (*doctor.Principal, error) {
	out, f := r.q.iam("GetRole", params("RoleName", name))
	if f != nil {
		return nil, readErr(f)
	}
	role := member[*iam.Role](out, "Role")
	p := &doctor.Principal{Kind: doctor.KindRole, Name: role.RoleName, ARN: role.Arn, Path: role.Path, Trust: role.AssumeRolePolicyDocument}
	return p, r.policiesOf(p, roleHolder, role.RoleName, role.PermissionsBoundary)
}

// InstanceProfile implements doctor.RoleReader.
func (r *consoleIAM) InstanceProfile(_ context.Context, name string) (*doctor.InstanceProfile, error) {
	out, f := r.q.iam("GetInstanceProfile", params("InstanceProfileName", name))
	if f != nil {
		return nil, readErr(f)
	}
	ip := member[*iam.InstanceProfile](out, "InstanceProfile")
	d := &doctor.InstanceProfile{Name: ip.InstanceProfileName, ARN: ip.Arn}
	for _, role := range ip.Roles {
		d.Roles = append(d.Roles, role.RoleName)
	}
	return d, nil
}

// Principal implements doctor.RoleReader: a user or role by ARN.
func (r *consoleIAM) Principal(ctx context.Context, principalArn string) (*doctor.Principal, error) {
	a, err := arn.Parse(principalArn)
	if err != nil || a.Service != "iam" {
		return nil, doctor.ErrNotFound
	}
	name := lastSegment(a.Resource)
	switch {
	case strings.HasPrefix(a.Resource, "role/"):
		return r.Role(ctx, name)
	case strings.HasPrefix(a.Resource, "user/"):
		return r.user(name)
	}
	return nil, doctor.ErrNotFound
}

// Principals implements doctor.RoleReader: every user and role.
func (r *consoleIAM) Principals(ctx context.Context) ([]*doctor.Principal, error) {
	users, f := iamList[iam.User](r.q, "ListUsers", "Users", nil)
	if f != nil {
		return nil, f
	}
	roles, f := r.q.listRoles()
	if f != nil {
		return nil, f
	}
	var all []*doctor.Principal
	for _, u := range users {
		p, err := r.user(u.UserName)
		if err != nil {
			return nil, err
		}
		all = append(all, p)
	}
	for _, role := range roles {
		p, err := r.Role(ctx, role.RoleName)
		if err != nil {
			return nil, err
		}
		all = append(all, p)
	}
	return all, nil
}

func (r *consoleIAM) user(name string) (*doctor.Principal, error) {
	out, f := r.q.iam("GetUser", params("UserName", name))
	if f != nil {
		return nil, readErr(f)
	}
	u := member[*iam.User](out, "User")
	p := &doctor.Principal{Kind: doctor.KindUser, Name: u.UserName, ARN: u.Arn, Path: u.Path}
	if err := r.policiesOf(p, userHolder, u.UserName, u.PermissionsBoundary); err != nil {
		return nil, err
	}
	groups, f := iamList[iam.Group](r.q, "ListGroupsForUser", "Groups", params("UserName", u.UserName))
	if f != nil {
		return nil, f
	}
	for _, g := range groups {
		gp := &doctor.Principal{Name: g.GroupName}
		if err := r.policiesOf(gp, groupHolder, g.GroupName, nil); err != nil {
			return nil, err
		}
		p.Policies = append(p.Policies, gp.Policies...)
	}
	return p, nil
}

// policiesOf reads the inline and attached policies of the role, user or
// group name into p, and its boundary.
func (r *consoleIAM) policiesOf(p *doctor.Principal, h holder, name string, boundary *iam.AttachedPermissionsBoundary) error {
	inline, f := r.q.inlinePolicies(h, name)
	if f != nil {
		return f
	}
	for _, pn := range inline {
		out, f := r.q.iam(h.getInline, params(h.param, name, "PolicyName", pn))
		if f != nil {
			return f
		}
		p.Policies = append(p.Policies, doctor.PolicyDoc{ID: name + "/" + pn, Name: pn, Inline: true, Document: member[string](out, "PolicyDocument")})
	}
	attached, f := r.q.attachedPolicies(h, name)
	if f != nil {
		return f
	}
	for _, a := range attached {
		d, f := r.managed(a.PolicyArn)
		if f != nil {
			return f
		}
		p.Policies = append(p.Policies, d)
	}
	if boundary != nil && boundary.PermissionsBoundaryArn != "" {
		d, f := r.managed(boundary.PermissionsBoundaryArn)
		if f != nil {
			return f
		}
		p.Boundary = &d
	}
	return nil
}

// managed reads a managed policy's default version, once.
func (r *consoleIAM) managed(policyArn string) (doctor.PolicyDoc, *failure) {
	if d, ok := r.policies[policyArn]; ok {
		return d, nil
	}
	out, f := r.q.iam("GetPolicy", params("PolicyArn", policyArn))
	if f != nil {
		return doctor.PolicyDoc{}, f
	}
	pol := member[*iam.Policy](out, "Policy")
	out, f = r.q.iam("GetPolicyVersion", params("PolicyArn", policyArn, "VersionId", pol.DefaultVersionId))
	if f != nil {
		return doctor.PolicyDoc{}, f
	}
	d := doctor.PolicyDoc{ID: policyArn, Name: pol.PolicyName, Document: member[*iam.PolicyVersion](out, "PolicyVersion").Document}
	r.policies[policyArn] = d
	return d, nil
}
