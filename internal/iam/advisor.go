package iam

// Access Advisor: GenerateServiceLastAccessedDetails,
// GetServiceLastAccessedDetails and
// GetServiceLastAccessedDetailsWithEntities, as the IAM API reference and
// the IAM user guide ("Refine permissions in AWS using last accessed
// information", "View last accessed information for IAM") describe them.
//
// A report lists every service the entity's identity policies allow
// (advisor_allow.go), sorted by namespace, each with when it was last used
// by the entities the report covers (advisor_access.go):
//   - a user: the user, through its own and its groups' policies;
//   - a role: the role;
//   - a group: its members, through the group's policies;
//   - a managed policy: the roles and users it is attached to, and the
//     members of the groups it is attached to.
//
// rolecall cannot tell which policy a request was allowed by, so a group's
// or policy's report counts a member's use of any service the group or
// policy allows.
//
// Generating a report takes a snapshot: later use shows in a new report
// only, as in AWS ("you must generate a new report to view the updated
// data"). The job completes after the advisor delay (none by default: AWS
// completes in seconds, and a client that polls sees COMPLETED at once),
// reckoned from the injected clock, as SLR deletion tasks are: no timer, no
// goroutine.

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// Report granularities (the model's AccessAdvisorUsageGranularityType) and
// job statuses (jobStatusType).
const (
	GranularityService = "SERVICE_LEVEL"
	GranularityAction  = "ACTION_LEVEL"

	JobInProgress = "IN_PROGRESS"
	JobCompleted  = "COMPLETED"
)

// DefaultAdvisorJobRetention is how long a report stays retrievable by its
// JobId. AWS does not publish its figure; a day outlasts any script that
// polls a report, and keeps a long-running rolecall from accumulating them.
const DefaultAdvisorJobRetention = 24 * time.Hour

const (
	bucketAdvisorJobs     = "iam-advisor-jobs"      // "<account>/<job id>"
	bucketAdvisorJobIndex = "iam-advisor-job-index" // "<account>/<created, Unix ns, 20 digits>/<job id>", oldest first
)

// advisorState is Access Advisor's part of Service: report timing. Its zero
// value is ready: defaults apply until set.
// advisorTiming is how long a report job stays IN_PROGRESS and how long
// a report is kept (Config).
type advisorTiming struct {
	delay, retention time.Duration
}

// AdvisorJobStatus is the job part of both report answers. JobType is not
// part of GetServiceLastAccessedDetailsWithEntities's answer.
type AdvisorJobStatus struct {
	JobStatus         string
	JobType           string
	JobCreationDate   time.Time
	JobCompletionDate *time.Time // nil while IN_PROGRESS
}

// ServiceLastAccessedDetails is GetServiceLastAccessedDetails's answer
// (one page of it).
type ServiceLastAccessedDetails struct {
	AdvisorJobStatus
	ServicesLastAccessed []ServiceLastAccessed // empty while IN_PROGRESS
}

// ServiceLastAccessed is one allowed service in a report. A service nobody
// used has no LastAuthenticated, entity or Region, and
// TotalAuthenticatedEntities 0 (botocore's example answer).
type ServiceLastAccessed struct {
	ServiceName                string
	ServiceNamespace           string
	LastAuthenticated          *time.Time
	LastAuthenticatedEntity    string
	LastAuthenticatedRegion    string
	TotalAuthenticatedEntities int32
	// TrackedActionsLastAccessed lists, in an ACTION_LEVEL report of a
	// tracked service (TrackedService), each tracked action the policies
	// allow, with its last use if any; nil otherwise.
	TrackedActionsLastAccessed []TrackedActionLastAccessed
}

// TrackedActionLastAccessed is one tracked action: its name as the
// Service Authorization Reference spells it ("CreateRole"), and when, by
// whom and where it was last used.
type TrackedActionLastAccessed struct {
	ActionName         string
	LastAccessedEntity string
	LastAccessedTime   *time.Time
	LastAccessedRegion string
}

// EntityLastAccessedDetails is GetServiceLastAccessedDetailsWithEntities's
// answer (one page of it).
type EntityLastAccessedDetails struct {
	AdvisorJobStatus
	EntityDetailsList []EntityDetails // empty while IN_PROGRESS
}

// EntityDetails is one entity a report covers and when it last used the
// service asked about (nil: never).
type EntityDetails struct {
	EntityInfo        EntityInfo
	LastAuthenticated *time.Time
}

// EntityInfo names a user or role; Type is "USER" or "ROLE".
type EntityInfo struct {
	Arn, Name, Type, Id, Path string
}

// advisorJob is a report as the store keeps it: the allowed services and
// the covered entities with their last-accessed records (those of allowed
// services only), from which both answers are computed.
type advisorJob struct {
	Id       string
	Type     string // granularity
	Arn      string
	Caller   string `json:",omitempty"`
	Created  time.Time
	Done     time.Time // when the job completes
	Services []jobService
	Entities []jobEntity `json:",omitempty"`
}

type jobService struct {
	Namespace string
	Actions   []string `json:",omitempty"` // allowed tracked actions, ACTION_LEVEL reports only
}

type jobEntity struct {
	EntityInfo
	Access accessRecords `json:",omitempty"`
}

// advisorTarget is the entity or policy a report is asked for.
type advisorTarget struct {
	arn, kind, account, path, name string
}

// parseAdvisorTarget reads GenerateServiceLastAccessedDetails's Arn: a
// user, group, role or managed policy. An entity of another account is not
// found in this one.
func parseAdvisorTarget(account, s string) (advisorTarget, error) {
	a, err := arn.Parse(s)
	if err != nil || a.Partition != "aws" || a.Service != "iam" || a.Region != "" {
		return advisorTarget{}, errAdvisorArn(s)
	}
	kind, rest, _ := strings.Cut(a.Resource, "/")
	switch kind {
	case "user", "group", "role", "policy":
	default:
		return advisorTarget{}, errAdvisorArn(s)
	}
	rest = "/" + rest
	i := strings.LastIndexByte(rest, '/')
	t := advisorTarget{arn: s, kind: kind, account: a.Account, path: rest[:i+1], name: rest[i+1:]}
	if t.name == "" {
		return advisorTarget{}, errAdvisorArn(s)
	}
	if a.Account != account && !(kind == "policy" && a.Account == "aws") {
		return advisorTarget{}, t.notFound()
	}
	return t, nil
}

func (t advisorTarget) notFound() error {
	switch t.kind {
	case "user":
		return errNoSuchUser(t.name)
	case "group":
		return errNoSuchGroup(t.name)
	case "role":
		return errNoSuchRole(t.name)
	}
	return errPolicyNotFound(t.arn)
}

// GenerateServiceLastAccessedDetails starts a report on the user, group,
// role or managed policy entityArn names and returns its JobId. granularity
// is GranularityService (also when empty) or GranularityAction. caller is
// the requesting principal's ARN: AWS hands the report to the same user,
// or the same role session, only (API reference).
func (s *Service) GenerateServiceLastAccessedDetails(ctx context.Context, account, caller, entityArn, granularity string) (string, error) {
	switch granularity {
	case "":
		granularity = GranularityService
	case GranularityService, GranularityAction:
	default:
		// As the query codec words it for IAM, which echoes no values.
		return "", awserr.ValidationError("1 validation error detected: Value at 'granularity' failed to satisfy constraint: Member must satisfy enum value set")
	}
	t, err := parseAdvisorTarget(account, entityArn)
	if err != nil {
		return "", err
	}
	delay, retention := s.advisor.delay, s.advisor.retention
	now := s.now()
	j := &advisorJob{Id: s.gen.UUID(), Type: granularity, Arn: entityArn, Caller: caller, Created: now, Done: now.Add(delay)}
	err = s.view(ctx, account, func(tx store.Tx) error {
		return buildJob(tx, account, t, j)
	})
	if err != nil {
		return "", err
	}
	err = s.update(ctx, account, func(tx store.Tx) error {
		if err := purgeJobs(tx, account, now.Add(-retention)); err != nil {
			return err
		}
		if err := putJSON(tx, bucketAdvisorJobs, account+"/"+j.Id, j); err != nil {
			return err
		}
		return tx.Put(bucketAdvisorJobIndex, jobIndexKey(account, j), nil)
	})
	if err != nil {
		return "", err
	}
	return j.Id, nil
}

func jobIndexKey(account string, j *advisorJob) string {
	return fmt.Sprintf("%s/%020d/%s", account, j.Created.UnixNano(), j.Id)
}

// purgeJobs drops the account's reports created at or before cutoff (expired:
// loadJob answers them NoSuchEntity from then on).
func purgeJobs(tx store.Tx, account string, cutoff time.Time) error {
	prefix := account + "/"
	var old []string
	err := tx.Scan(bucketAdvisorJobIndex, prefix, "", func(k string, _ []byte) bool {
		ts, _, _ := strings.Cut(k[len(prefix):], "/")
		n, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || n > cutoff.UnixNano() {
			return false
		}
		old = append(old, k)
		return true
	})
	if err != nil {
		return err
	}
	for _, k := range old {
		id := k[strings.LastIndexByte(k, '/')+1:]
		if err := tx.Delete(bucketAdvisorJobs, prefix+id); err != nil {
			return err
		}
		if err := tx.Delete(bucketAdvisorJobIndex, k); err != nil {
			return err
		}
	}
	return nil
}

// buildJob fills j with what the target's policies allow and the entities
// the report covers.
func buildJob(tx store.Tx, account string, t advisorTarget, j *advisorJob) error {
	pp := &PrincipalPolicies{}
	var subjects []EntityInfo
	switch t.kind {
	case "role":
		r, err := loadRole(tx, account, t.name)
		if isNoSuchEntity(err) || (err == nil && (r.Path != t.path || r.RoleName != t.name)) {
			return t.notFound()
		}
		if err != nil {
			return err
		}
		owner := iamArn(account, "role", r.Path, r.RoleName)
		if err := collect(tx, account, owner, rolePrincipal(account, r), pp); err != nil {
			return err
		}
		subjects = append(subjects, roleEntity(account, r.RoleName, r.RoleId, r.Path))
	case "user":
		u, err := loadUser(tx, account, t.name)
		if isNoSuchEntity(err) || (err == nil && (u.Path != t.path || u.UserName != t.name)) {
			return t.notFound()
		}
		if err != nil {
			return err
		}
		owner := iamArn(account, "user", u.Path, u.UserName)
		if err := collect(tx, account, owner, userPrincipal(account, u), pp); err != nil {
			return err
		}
		for _, name := range u.Groups {
			g, err := loadGroup(tx, account, name)
			if err != nil {
				return err
			}
			if err := collect(tx, account, iamArn(account, "group", g.Path, g.GroupName), groupPrincipal(account, g), pp); err != nil {
				return err
			}
		}
		subjects = append(subjects, userEntity(account, u))
	case "group":
		g, err := loadGroup(tx, account, t.name)
		if isNoSuchEntity(err) || (err == nil && (g.Path != t.path || g.GroupName != t.name)) {
			return t.notFound()
		}
		if err != nil {
			return err
		}
		if err := collect(tx, account, iamArn(account, "group", g.Path, g.GroupName), groupPrincipal(account, g), pp); err != nil {
			return err
		}
		if subjects, err = groupMembers(tx, account, g, subjects); err != nil {
			return err
		}
	case "policy":
		pa, ok, err := parsePolicyARN(t.arn)
		if err != nil {
			return errAdvisorArn(t.arn)
		}
		versions, def, found, err := policyVersions(tx, account, pa, ok)
		if err != nil {
			return err
		}
		if !found {
			return t.notFound()
		}
		for _, v := range versions {
			if v.VersionId == def {
				pp.Identity = append(pp.Identity, PolicyDocument{PolicyArn: t.arn, VersionId: def, Document: v.Document})
			}
		}
		if subjects, err = policyEntities(tx, account, t.arn); err != nil {
			return err
		}
	}
	docs := make([]string, len(pp.Identity))
	for i, d := range pp.Identity {
		docs[i] = d.Document
	}
	namespaces, allowed := allowedServices(docs)
	keep := make(map[string]bool, len(namespaces))
	j.Services = make([]jobService, len(namespaces))
	for i, ns := range namespaces {
		keep[ns] = true
		j.Services[i] = jobService{Namespace: ns}
		if j.Type == GranularityAction && TrackedService(ns) {
			j.Services[i].Actions = allowed[ns].names(ns)
		}
	}
	for _, e := range subjects {
		kind := accessUser
		if e.Type == "ROLE" {
			kind = accessRole
		}
		recs, err := loadAccess(tx, account, kind, e.Name)
		if err != nil {
			return err
		}
		for k := range recs {
			ns, _, _ := strings.Cut(k, "\x00")
			if !keep[ns] {
				delete(recs, k)
			}
		}
		if len(recs) == 0 {
			recs = nil
		}
		j.Entities = append(j.Entities, jobEntity{EntityInfo: e, Access: recs})
	}
	return nil
}

func roleEntity(account, name, id, path string) EntityInfo {
	return EntityInfo{Arn: iamArn(account, "role", path, name), Name: name, Type: "ROLE", Id: id, Path: path}
}

func userEntity(account string, u *userRecord) EntityInfo {
	return EntityInfo{Arn: iamArn(account, "user", u.Path, u.UserName), Name: u.UserName, Type: "USER", Id: u.UserId, Path: u.Path}
}

// groupMembers appends a group's users to out.
func groupMembers(tx store.Tx, account string, g *groupRecord, out []EntityInfo) ([]EntityInfo, error) {
	for _, name := range g.Users {
		u, err := loadUser(tx, account, name)
		if err != nil {
			return nil, err
		}
		out = append(out, userEntity(account, u))
	}
	return out, nil
}

// policyEntities are the roles and users a managed policy is attached to,
// and the members of the groups it is attached to, once each. Boundaries
// do not count: a boundary allows nothing.
func policyEntities(tx store.Tx, account, policyArn string) ([]EntityInfo, error) {
	prefix := attachmentPrefix(account, policyArn)
	var out []EntityInfo
	var groups []string
	var bad error
	err := tx.Scan(bucketAttachments, prefix, "", func(k string, v []byte) bool {
		kind, _, _ := strings.Cut(k[len(prefix):], "\x00")
		var a attachment
		if bad = unmarshal(v, &a); bad != nil {
			return false
		}
		switch kind {
		case kindRole:
			out = append(out, roleEntity(account, a.Name, a.Id, a.Path))
		case kindUser:
			out = append(out, EntityInfo{Arn: iamArn(account, "user", a.Path, a.Name), Name: a.Name, Type: "USER", Id: a.Id, Path: a.Path})
		case kindGroup:
			groups = append(groups, a.Name)
		}
		return true
	})
	if err == nil {
		err = bad
	}
	if err != nil {
		return nil, err
	}
	for _, name := range groups {
		g, err := loadGroup(tx, account, name)
		if err != nil {
			return nil, err
		}
		if out, err = groupMembers(tx, account, g, out); err != nil {
			return nil, err
		}
	}
	seen := map[string]bool{}
	uniq := out[:0]
	for _, e := range out {
		if !seen[e.Arn] {
			seen[e.Arn] = true
			uniq = append(uniq, e)
		}
	}
	return uniq, nil
}

// loadJob reads a report for its caller. Unknown, expired and other
// callers' jobs are not found.
func (s *Service) loadJob(ctx context.Context, account, caller, jobId string) (*advisorJob, AdvisorJobStatus, error) {
	var j advisorJob
	err := s.view(ctx, account, func(tx store.Tx) error {
		ok, err := getJSON(tx, bucketAdvisorJobs, account+"/"+jobId, &j)
		if err == nil && !ok {
			err = errNoSuchJob(jobId)
		}
		return err
	})
	if err != nil {
		return nil, AdvisorJobStatus{}, err
	}
	retention := s.advisor.retention
	now := s.clock.Now()
	if (j.Caller != "" && caller != "" && j.Caller != caller) || !now.Before(j.Created.Add(retention)) {
		return nil, AdvisorJobStatus{}, errNoSuchJob(jobId)
	}
	st := AdvisorJobStatus{JobStatus: JobInProgress, JobType: j.Type, JobCreationDate: j.Created}
	if !now.Before(j.Done) {
		done := j.Done
		st.JobStatus, st.JobCompletionDate = JobCompleted, &done
	}
	return &j, st, nil
}

// GetServiceLastAccessedDetails answers one page of a report: the allowed
// services sorted by namespace (API reference: "By default, the list is
// sorted by service namespace"), each with its last use.
func (s *Service) GetServiceLastAccessedDetails(ctx context.Context, account, caller, jobId string, pg Page) (*ServiceLastAccessedDetails, string, error) {
	j, st, err := s.loadJob(ctx, account, caller, jobId)
	if err != nil {
		return nil, "", err
	}
	out := &ServiceLastAccessedDetails{AdvisorJobStatus: st, ServicesLastAccessed: []ServiceLastAccessed{}}
	if st.JobStatus != JobCompleted {
		return out, "", nil
	}
	page, next, err := pageSlice(j.Services, pg)
	if err != nil {
		return nil, "", err
	}
	for _, sv := range page {
		out.ServicesLastAccessed = append(out.ServicesLastAccessed, j.service(sv))
	}
	return out, next, nil
}

// service computes one service's entry: the most recent use by any covered
// entity, and how many of them used it.
func (j *advisorJob) service(sv jobService) ServiceLastAccessed {
	out := ServiceLastAccessed{ServiceName: AdvisorServiceName(sv.Namespace), ServiceNamespace: sv.Namespace}
	for _, e := range j.Entities {
		m, ok := e.Access[sv.Namespace]
		if !ok {
			continue
		}
		out.TotalAuthenticatedEntities++
		if out.LastAuthenticated == nil || m.Date.After(*out.LastAuthenticated) {
			d := m.Date
			out.LastAuthenticated, out.LastAuthenticatedEntity, out.LastAuthenticatedRegion = &d, e.Arn, m.Region
		}
	}
	if len(sv.Actions) == 0 {
		return out
	}
	out.TrackedActionsLastAccessed = make([]TrackedActionLastAccessed, len(sv.Actions))
	for i, name := range sv.Actions {
		ta := TrackedActionLastAccessed{ActionName: name}
		for _, e := range j.Entities {
			m, ok := e.Access[sv.Namespace+"\x00"+name]
			if ok && (ta.LastAccessedTime == nil || m.Date.After(*ta.LastAccessedTime)) {
				d := m.Date
				ta.LastAccessedTime, ta.LastAccessedEntity, ta.LastAccessedRegion = &d, e.Arn, m.Region
			}
		}
		out.TrackedActionsLastAccessed[i] = ta
	}
	return out
}

// GetServiceLastAccessedDetailsWithEntities answers, for one service of a
// report, the entities the report covers and when each last used it, most
// recent first (API reference), then those that never did, by type and
// name. For a user or role report that is the entity itself. A service the
// report does not list has no entities.
func (s *Service) GetServiceLastAccessedDetailsWithEntities(ctx context.Context, account, caller, jobId, namespace string, pg Page) (*EntityLastAccessedDetails, string, error) {
	j, st, err := s.loadJob(ctx, account, caller, jobId)
	if err != nil {
		return nil, "", err
	}
	st.JobType = ""
	out := &EntityLastAccessedDetails{AdvisorJobStatus: st, EntityDetailsList: []EntityDetails{}}
	if st.JobStatus != JobCompleted {
		return out, "", nil
	}
	ns := strings.ToLower(namespace)
	listed := false
	for _, sv := range j.Services {
		listed = listed || sv.Namespace == ns
	}
	var all []EntityDetails
	if listed {
		for _, e := range j.Entities {
			d := EntityDetails{EntityInfo: e.EntityInfo}
			if m, ok := e.Access[ns]; ok {
				t := m.Date
				d.LastAuthenticated = &t
			}
			all = append(all, d)
		}
	}
	sort.SliceStable(all, func(a, b int) bool {
		x, y := all[a], all[b]
		switch {
		case x.LastAuthenticated != nil && y.LastAuthenticated != nil:
			return x.LastAuthenticated.After(*y.LastAuthenticated)
		case x.LastAuthenticated != nil || y.LastAuthenticated != nil:
			return x.LastAuthenticated != nil
		case x.EntityInfo.Type != y.EntityInfo.Type:
			return x.EntityInfo.Type > y.EntityInfo.Type // USER before ROLE, as AWS's example lists them
		}
		return strings.ToLower(x.EntityInfo.Name) < strings.ToLower(y.EntityInfo.Name)
	})
	page, next, err := pageSlice(all, pg)
	if err != nil {
		return nil, "", err
	}
	out.EntityDetailsList = page
	return out, next, nil
}

// errAdvisorArn answers an Arn that names no user, group, role or managed
// policy. Unverified: no public record shows AWS's text for this
// operation; it is IAM's wording for an ARN it cannot use (recorded for
// PutRolePermissionsBoundary, errBoundaryArnNotValid), with the code the
// API reference lists for an invalid input (InvalidInput).
func errAdvisorArn(s string) error {
	return awserr.InvalidInput("ARN %s is not valid.", s)
}

// errNoSuchJob answers an unknown or expired JobId, and another caller's.
// Unverified: the API reference lists NoSuchEntity for these operations;
// no public record shows the text, worded here as IAM's other NoSuchEntity
// answers.
func errNoSuchJob(id string) error {
	return awserr.NoSuchEntity("The job with ID %s cannot be found.", id)
}
