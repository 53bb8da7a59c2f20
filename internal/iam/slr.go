package iam

// Service-linked roles: roles that belong to an AWS service. IAM creates
// them from rolecall's linked-service catalog (internal/catalog) with the
// service's path, trust policy and managed policy; only the service may
// change them (roleWritable); deleting one is an asynchronous task that asks
// the service whether any of its resources still use the role.
//
// AWS's behaviour here follows the IAM user guide ("Using service-linked
// roles"), the API reference of CreateServiceLinkedRole,
// DeleteServiceLinkedRole and GetServiceLinkedRoleDeletionStatus, and the
// responses recorded against AWS in ../shared/data (aws-recorded-slr.json).

import (
	"context"
	"encoding/json"
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/catalog"
	"github.com/rolecall/rolecall/internal/store"
)

// Usage is one Region's resources of a linked service that still use its
// service-linked role (the model's RoleUsageType).
type Usage struct {
	Region    string
	Resources []string // resource ARNs
}

// RoleUsage is what a linked service implements so that IAM can delete its
// service-linked role as AWS does: when a deletion task runs, IAM asks the
// service which of its resources, in which Regions, still use the role
// (roleArn, in account). A non-empty answer fails the task with that list;
// an empty one lets the deletion proceed. IAM never imports the service.
type RoleUsage interface {
	RoleUsage(ctx context.Context, account, roleArn string) ([]Usage, error)
}

// RoleUsageFunc adapts a function to RoleUsage.
type RoleUsageFunc func(ctx context.Context, account, roleArn string) ([]Usage, error)

func (f RoleUsageFunc) RoleUsage(ctx context.Context, account, roleArn string) ([]Usage, error) {
	return f(ctx, account, roleArn)
}

// Deletion task statuses (the model's DeletionTaskStatusType).
const (
	DeletionNotStarted = "NOT_STARTED"
	DeletionInProgress = "IN_PROGRESS"
	DeletionSucceeded  = "SUCCEEDED"
	DeletionFailed     = "FAILED"
)

// DeletionStatus is GetServiceLinkedRoleDeletionStatus's answer. Reason is
// nil unless the task failed.
type DeletionStatus struct {
	Status string
	Reason *DeletionFailure
}

// DeletionFailure says why a deletion task failed (the model's
// DeletionTaskFailureReasonType).
type DeletionFailure struct {
	Reason        string
	RoleUsageList []Usage
}

// Deletion timing. A task waits half its delay NOT_STARTED, runs the other
// half IN_PROGRESS, then completes; AWS takes a few seconds, rolecall keeps
// it short so that scripts polling the status finish quickly. A completed
// task's record is kept for the retention, then answers NoSuchEntity as AWS
// does for purged tasks (gruntwork-io/cloud-nuke #1143).
const (
	DefaultDeletionDelay     = time.Second
	DefaultDeletionRetention = 15 * time.Minute
)

const bucketDeletionTasks = "iam-slr-deletion-tasks" // "<account>/<task id>"

// deletionTask is a DeleteServiceLinkedRole task as the store keeps it.
// Status is empty while the task is pending: its NOT_STARTED/IN_PROGRESS
// status follows from Submitted and the delay, so no timer has to run.
type deletionTask struct {
	Id, RoleName, Principal string
	Submitted               time.Time
	Status                  string    `json:",omitempty"` // SUCCEEDED or FAILED once completed
	Completed               time.Time `json:",omitzero"`
	Reason                  string    `json:",omitempty"`
	Usage                   []Usage   `json:",omitempty"`
}

// slrState is the service-linked role machinery's part of Service: the
// linked services' usage checkers and the deletion clock.
type slrState struct {
	mu        sync.RWMutex
	usage     map[string]RoleUsage // by service principal
	delay     time.Duration        // fixed by Config
	retention time.Duration

	// settling is held while due tasks are completed; TryLock keeps a usage
	// checker that calls back into IAM from settling again.
	settling sync.Mutex

	// When the earliest pending task falls due or the earliest completed
	// one expires (Unix ns, 0 for none). known is false until a scan has
	// run since start (a store reopened with tasks in it); arrived collects
	// tasks submitted while a scan runs, which the scan may not have seen.
	nmu     sync.Mutex
	next    int64
	known   bool
	arrived int64
	// quiet is what next and known say, set with them under nmu, read
	// with no lock: 0 while not known, else a call before it (Unix ns)
	// has nothing to settle; noneDue with no task at all, when a call
	// need not even read the clock. Every IAM call asks (issue 18), and a
	// lock every request takes is memory every core writes to.
	quiet atomic.Int64
}

// noneDue is slrState.quiet when no task is pending or kept.
const noneDue = math.MaxInt64

// setQuiet sets quiet from next and known; nmu is held.
func (st *slrState) setQuiet() {
	switch {
	case !st.known:
		st.quiet.Store(0)
	case st.next == 0:
		st.quiet.Store(noneDue)
	default:
		st.quiet.Store(st.next)
	}
}

func minDue(a, b int64) int64 {
	if a == 0 || (b != 0 && b < a) {
		return b
	}
	return a
}

// RegisterLinkedService sets the usage checker IAM asks when it deletes the
// service-linked role of principal. Register at wiring time, before serving.
func (s *Service) RegisterLinkedService(principal string, u RoleUsage) {
	s.slr.mu.Lock()
	defer s.slr.mu.Unlock()
	if s.slr.usage == nil {
		s.slr.usage = map[string]RoleUsage{}
	}
	s.slr.usage[principal] = u
}

func (s *Service) usageChecker(principal string) RoleUsage {
	s.slr.mu.RLock()
	defer s.slr.mu.RUnlock()
	return s.slr.usage[principal]
}

// isServiceLinked says whether a role is service-linked. Only
// CreateServiceLinkedRole can give a role a path under /aws-service-role/
// (CreateRole refuses it), so the path is the mark.
func isServiceLinked(r *roleRecord) bool { return strings.HasPrefix(r.Path, serviceRolePathPrefix) }

// linkedPrincipal is the service principal of a service-linked role, from
// its path /aws-service-role/<principal>/.
func linkedPrincipal(r *roleRecord) string {
	return strings.TrimSuffix(strings.TrimPrefix(r.Path, serviceRolePathPrefix), "/")
}

// linkedTrustPolicy is the trust policy AWS gives a service-linked role
// (aws-recorded-slr.json, for every service recorded; aws-facts.md gives
// this key order).
func linkedTrustPolicy(principal string) string {
	p, _ := json.Marshal(principal)
	return `{"Version":"2012-10-17","Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":` + string(p) + `}}]}`
}

// CreateServiceLinkedRoleInput is CreateServiceLinkedRole's request.
type CreateServiceLinkedRoleInput struct {
	AWSServiceName, Description, CustomSuffix string
}

// CreateServiceLinkedRole creates the role an AWS service links to: path
// /aws-service-role/<principal>/, the service's trust policy, its managed
// policy attached, MaxSessionDuration 3600. The answer shows the
// Description only when one is given and no Tags. Service-linked roles count
// toward the role quota but may be created past it.
func (s *Service) CreateServiceLinkedRole(ctx context.Context, account string, in CreateServiceLinkedRoleInput) (*Role, error) {
	ls, ok := catalog.LinkedServiceFor(in.AWSServiceName)
	if !ok {
		return nil, errUnknownLinkedService(in.AWSServiceName)
	}
	if in.CustomSuffix != "" && !ls.CustomSuffix {
		return nil, errCustomSuffixNotAllowed(ls.Principal)
	}
	return s.createLinkedRole(ctx, account, ls, ls.RoleNameWithSuffix(in.CustomSuffix), in.Description)
}

func (s *Service) createLinkedRole(ctx context.Context, account string, ls *catalog.LinkedService, name, description string) (*Role, error) {
	if err := checkName("roleName", name, maxRoleName); err != nil {
		return nil, err
	}
	if err := checkDescription("description", description); err != nil {
		return nil, err
	}
	r := &roleRecord{
		Path: ls.Path(), RoleName: name, RoleId: s.gen.ID("AROA"), CreateDate: s.now(),
		AssumeRolePolicyDocument: linkedTrustPolicy(ls.Principal),
		Description:              description,
		MaxSessionDuration:       DefaultMaxSessionDuration,
	}
	err := s.update(ctx, account, func(tx store.Tx) error {
		rec := *r // fn may run again: start from the same record each time
		return insertLinkedRole(tx, account, &rec, ls.Policies)
	})
	if err != nil {
		return nil, err
	}
	out := r.role(nil, account, viewCreate)
	out.Description = r.Description
	msd := r.MaxSessionDuration
	out.MaxSessionDuration = &msd
	return out, nil
}

// insertLinkedRole stores a new service-linked role with its policies. The
// name must be free regardless of case (AWS words the clash its own way);
// the role counts toward the quota without being held to it.
func insertLinkedRole(tx store.Tx, account string, r *roleRecord, policies []string) error {
	if _, ok := tx.Get(bucketRoles, entityKey(account, r.RoleName)); ok {
		return errServiceRoleNameTaken(r.RoleName)
	}
	if err := countEntity(tx, account, bucketRoles, 1); err != nil {
		return err
	}
	if err := putID(tx, r.RoleId, account, kindRole, r.RoleName); err != nil {
		return err
	}
	p := rolePrincipal(account, r)
	for _, arn := range policies {
		pa, ok, err := parsePolicyARN(arn)
		if err != nil {
			return err
		}
		if err := attachPolicy(tx, account, p, pa, ok); err != nil {
			return err
		}
	}
	return saveRole(tx, account, r)
}

// EnsureServiceLinkedRole is how a linked service (ECS creating a cluster or
// a service) makes sure its role exists: it returns the role, creating it
// with the description the service writes if there is none; created says
// which. A role of another kind holding the name is an error, as it is for
// CreateServiceLinkedRole.
//
// caller is the principal (ARN) whose request made the service act. It must
// be allowed iam:CreateServiceLinkedRole on
// arn:aws:iam::*:role/aws-service-role/<principal>/<role name>* with
// iam:AWSServiceName = principal for the role to be created (the service
// then goes on without it, as ECS's CreateCluster does). IAM does not
// check it: the wiring asks the authorizer first (internal/server,
// ecsRoles.EnsureServiceLinkedRole), as the service would.
func (s *Service) EnsureServiceLinkedRole(ctx context.Context, account, caller, principal string) (role *Role, created bool, err error) {
	ls, ok := catalog.LinkedServiceFor(principal)
	if !ok {
		return nil, false, errUnknownLinkedService(principal)
	}
	for attempt := 0; ; attempt++ {
		r, err := s.GetRole(ctx, account, ls.RoleName)
		if err == nil {
			if r.Path != ls.Path() {
				return nil, false, errServiceRoleNameTaken(ls.RoleName)
			}
			return r, false, nil
		}
		if !isNoSuchEntity(err) {
			return nil, false, err
		}
		if _, err := s.createLinkedRole(ctx, account, ls, ls.RoleName, ls.Description); err != nil {
			if isNameTaken(err) && attempt == 0 {
				continue // created meanwhile by a concurrent call: return that one
			}
			return nil, false, err
		}
		r, err = s.GetRole(ctx, account, ls.RoleName)
		return r, err == nil, err
	}
}

// DeleteServiceLinkedRoleByService deletes the service-linked role of
// principal at once, for services that delete their own role when their
// last resource that needs it goes (catalog.Service, e.g. ECS Managed
// Instances). deleted is false when the account has no such role.
func (s *Service) DeleteServiceLinkedRoleByService(ctx context.Context, account, principal string) (deleted bool, err error) {
	ls, ok := catalog.LinkedServiceFor(principal)
	if !ok {
		return false, errUnknownLinkedService(principal)
	}
	err = s.update(ctx, account, func(tx store.Tx) error {
		deleted = false
		r, err := loadRole(tx, account, ls.RoleName)
		if isNoSuchEntity(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if r.Path != ls.Path() {
			return nil // an ordinary role of that name is not the service's to delete
		}
		deleted = true
		return removeLinkedRole(tx, account, r)
	})
	return deleted, err
}

// removeLinkedRole deletes a service-linked role with its attachments, as
// a completed deletion task does.
func removeLinkedRole(tx store.Tx, account string, r *roleRecord) error {
	for _, a := range r.Attached {
		if err := tx.Delete(bucketAttachments, attachmentKey(account, a.Arn, kindRole, r.RoleName)); err != nil {
			return err
		}
	}
	r.Attached, r.Inline = nil, nil
	return deleteRole(tx, account, r)
}

// DeleteServiceLinkedRole submits a service-linked role for deletion and
// returns the task's id, task/aws-service-role/<principal>/<name>/<uuid>.
// While an earlier task for the role has not completed, its id is returned
// again (API reference). The task completes after the deletion delay.
func (s *Service) DeleteServiceLinkedRole(ctx context.Context, account, roleName string) (string, error) {
	if err := checkName("roleName", roleName, maxRoleName); err != nil {
		return "", err
	}
	now := s.clock.Now()
	uuid := s.gen.UUID()
	var id string
	err := s.update(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		if !isServiceLinked(r) {
			return errNotServiceLinked(r.RoleName)
		}
		var pending string
		err = scanTasks(tx, account, func(t *deletionTask) {
			if t.Status == "" && strings.EqualFold(t.RoleName, r.RoleName) {
				pending = t.Id
			}
		})
		if err != nil {
			return err
		}
		if pending != "" {
			id = pending
			return nil
		}
		p := linkedPrincipal(r)
		t := &deletionTask{
			Id:       "task/aws-service-role/" + p + "/" + r.RoleName + "/" + uuid,
			RoleName: r.RoleName, Principal: p, Submitted: now,
		}
		id = t.Id
		return putJSON(tx, bucketDeletionTasks, account+"/"+t.Id, t)
	})
	if err != nil {
		return "", err
	}
	delay := s.slr.delay
	s.expectAt(now.Add(delay))
	return id, nil
}

// GetServiceLinkedRoleDeletionStatus answers a deletion task's status, and
// why it failed. Unknown and expired tasks answer NoSuchEntity.
func (s *Service) GetServiceLinkedRoleDeletionStatus(ctx context.Context, account, taskId string) (*DeletionStatus, error) {
	var t deletionTask
	err := s.view(ctx, account, func(tx store.Tx) error {
		ok, err := getJSON(tx, bucketDeletionTasks, account+"/"+taskId, &t)
		if err != nil {
			return err
		}
		if !ok {
			return errNoSuchDeletionTask(taskId)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	delay, retention := s.slr.delay, s.slr.retention
	now := s.clock.Now()
	if t.Status != "" {
		if !now.Before(t.Completed.Add(retention)) {
			return nil, errNoSuchDeletionTask(taskId) // expired: the next sweep removes it
		}
		out := &DeletionStatus{Status: t.Status}
		if t.Status == DeletionFailed {
			out.Reason = &DeletionFailure{Reason: t.Reason, RoleUsageList: t.Usage}
		}
		return out, nil
	}
	if now.Before(t.Submitted.Add(delay / 2)) {
		return &DeletionStatus{Status: DeletionNotStarted}, nil
	}
	// Due but not completed yet: another call is completing it.
	return &DeletionStatus{Status: DeletionInProgress}, nil
}

func scanTasks(tx store.Tx, account string, fn func(t *deletionTask)) error {
	var bad error
	err := tx.Scan(bucketDeletionTasks, account+"/", "", func(_ string, v []byte) bool {
		var t deletionTask
		if bad = unmarshal(v, &t); bad != nil {
			return false
		}
		fn(&t)
		return true
	})
	if bad != nil {
		return bad
	}
	return err
}

// expectAt notes that a task falls due at t, so that the first call at or
// after t settles it.
func (s *Service) expectAt(t time.Time) {
	n := t.UnixNano()
	s.slr.nmu.Lock()
	defer s.slr.nmu.Unlock()
	s.slr.next = minDue(s.slr.next, n)
	s.slr.arrived = minDue(s.slr.arrived, n)
	s.slr.setQuiet()
}

// settleDeletions completes the deletion tasks that have fallen due and
// purges expired ones. Every IAM call runs it first (update and view), so
// a task completes in the background as far as any caller can see, driven
// by the injected clock alone: no timer, no goroutine, deterministic under
// a fixed clock. It must run outside any store transaction: it calls the
// linked services' usage checkers, which may read their own state or call
// back into IAM.
func (s *Service) settleDeletions(ctx context.Context) {
	q := s.slr.quiet.Load()
	if q == noneDue {
		return
	}
	now := s.clock.Now()
	if q != 0 && now.UnixNano() < q {
		return
	}
	if !s.slr.settling.TryLock() {
		return // being settled by another call, or by a checker calling back
	}
	defer s.slr.settling.Unlock()
	s.slr.nmu.Lock()
	s.slr.arrived = 0
	s.slr.nmu.Unlock()
	next, err := s.settleOnce(ctx, now)
	s.slr.nmu.Lock()
	defer s.slr.nmu.Unlock()
	// On an error stay unknown: the next call tries again.
	s.slr.known = err == nil
	s.slr.next = minDue(next, s.slr.arrived)
	s.slr.setQuiet()
}

type accountTask struct {
	account string
	task    deletionTask
}

// settleOnce completes due tasks and drops expired ones as of now, and
// returns when the next one falls due or expires (Unix ns, 0 for never).
func (s *Service) settleOnce(ctx context.Context, now time.Time) (int64, error) {
	delay, retention := s.slr.delay, s.slr.retention
	var due, expired []accountTask
	var next int64
	later := func(t time.Time) {
		if n := t.UnixNano(); next == 0 || n < next {
			next = n
		}
	}
	err := s.st.View(func(tx store.Tx) error {
		due, expired = nil, nil
		var bad error
		err := tx.Scan(bucketDeletionTasks, "", "", func(key string, v []byte) bool {
			var t deletionTask
			if bad = unmarshal(v, &t); bad != nil {
				return false
			}
			account, _, _ := strings.Cut(key, "/")
			switch {
			case t.Status == "" && !now.Before(t.Submitted.Add(delay)):
				due = append(due, accountTask{account, t})
				later(now.Add(retention))
			case t.Status == "":
				later(t.Submitted.Add(delay))
			case !now.Before(t.Completed.Add(retention)):
				expired = append(expired, accountTask{account, t})
			default:
				later(t.Completed.Add(retention))
			}
			return true
		})
		if bad != nil {
			return bad
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	for _, at := range due {
		if err := s.completeTask(ctx, at.account, &at.task, now); err != nil {
			return 0, err
		}
	}
	if len(expired) > 0 {
		err := s.st.Update(func(tx store.Tx) error {
			for _, at := range expired {
				if err := tx.Delete(bucketDeletionTasks, at.account+"/"+at.task.Id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return next, nil
}

// completeTask runs a due deletion task: it asks the linked service whether
// resources still use the role, then either deletes the role (SUCCEEDED) or
// keeps it and records why (FAILED), as the IAM user guide describes: clean
// up, then submit the deletion again.
func (s *Service) completeTask(ctx context.Context, account string, t *deletionTask, now time.Time) error {
	roleArn := iamArn(account, "role", serviceRolePathPrefix+t.Principal+"/", t.RoleName)
	var usage []Usage
	var checkErr error
	if u := s.usageChecker(t.Principal); u != nil {
		usage, checkErr = u.RoleUsage(ctx, account, roleArn)
	}
	usage = cleanUsage(usage)
	return s.st.Update(func(tx store.Tx) error {
		var cur deletionTask
		ok, err := getJSON(tx, bucketDeletionTasks, account+"/"+t.Id, &cur)
		if err != nil || !ok || cur.Status != "" {
			return err // completed meanwhile
		}
		cur.Completed = now
		switch {
		case checkErr != nil:
			// rolecall's own wording: a checker that cannot answer fails
			// the task rather than deleting a role that may be in use.
			cur.Status, cur.Reason = DeletionFailed, "Unable to determine whether the role is in use: "+checkErr.Error()
		case len(usage) > 0:
			cur.Status, cur.Reason, cur.Usage = DeletionFailed, deletionInUseReason(cur.RoleName), usage
		default:
			cur.Status = DeletionSucceeded
			r, err := loadRole(tx, account, cur.RoleName)
			switch {
			case isNoSuchEntity(err):
				// gone already (the service deleted it itself)
			case err != nil:
				return err
			case isServiceLinked(r):
				if err := removeLinkedRole(tx, account, r); err != nil {
					return err
				}
			}
		}
		return putJSON(tx, bucketDeletionTasks, account+"/"+cur.Id, &cur)
	})
}

// cleanUsage drops empty entries and sorts by Region, so that answers are
// stable whatever order a service reports in.
func cleanUsage(in []Usage) []Usage {
	var out []Usage
	for _, u := range in {
		if len(u.Resources) == 0 {
			continue
		}
		out = append(out, Usage{Region: u.Region, Resources: append([]string(nil), u.Resources...)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Region < out[j].Region })
	return out
}

// RecordLinkedRoleUsed notes that the service principal acted through its
// service-linked role in region now, for GetRole's RoleLastUsed; a service
// calls it when it uses its role (ECS launching into a cluster). No role,
// no record. Sessions of any role are recorded through RecordRoleUsed.
//
// For Access Advisor it also records the service's own namespace as used
// by the role (advisor_access.go); what a role's sessions do is recorded
// per request through RecordServiceAccess, not here or in RecordRoleUsed
// (assuming a role uses no service on the role's behalf).
func (s *Service) RecordLinkedRoleUsed(ctx context.Context, account, principal, region string) error {
	ls, ok := catalog.LinkedServiceFor(principal)
	if !ok {
		return errUnknownLinkedService(principal)
	}
	now := s.clock.Now()
	err := s.RecordRoleUsed(ctx, account, ls.RoleName, region, now)
	if isNoSuchEntity(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.recordLinkedServiceAccess(ctx, account, ls, region, now) // Access Advisor (advisor_access.go)
}

func isNoSuchEntity(err error) bool { return awserr.Code(err) == "NoSuchEntity" }

// isNameTaken: the only InvalidInput creating a linked role can meet once
// its input has been checked.
func isNameTaken(err error) bool { return awserr.Code(err) == "InvalidInput" }
