package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/api/ecsapi"
	"github.com/rolecall/rolecall/internal/appautoscaling"
	aastypes "github.com/rolecall/rolecall/internal/appautoscaling/types"
	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/catalog"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/model"
	"github.com/rolecall/rolecall/internal/policy"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/protocol/jsonrpc"
	"github.com/rolecall/rolecall/internal/resolve"
	"github.com/rolecall/rolecall/internal/statefile"
	"github.com/rolecall/rolecall/internal/store"
)

// Importing a state file (docs/state-format.md) replays it through the
// IAM, ECS and Application Auto Scaling services, as calls of their API,
// so that every entity is checked as the API checks it (a policy IAM
// would refuse is refused with IAM's text; a service-linked role is made
// by CreateServiceLinkedRole and so keeps its protection), with the
// file's unique IDs and dates. The services write into one transaction of
// the store (txStore): the import commits whole, or a bad file changes
// nothing.

// ImportMode is what an import does with an account of the file that
// already has state.
type ImportMode int

const (
	// RefuseExisting fails the import (rolecall state import).
	RefuseExisting ImportMode = iota
	// SkipExisting leaves the account as it is and imports the others
	// (serve --init, so that a restart on the same data keeps it).
	SkipExisting
)

// ImportResult says which accounts an import wrote, and which it left
// because they had state (SkipExisting).
type ImportResult struct {
	Imported, Skipped []string
}

// ErrAccountHasState is what an import into an account that has state
// answers (wrapped) under RefuseExisting.
var ErrAccountHasState = errors.New("the account already has state")

// importState imports f into st in one transaction.
func importState(ctx context.Context, st store.Store, f *statefile.File, mode ImportMode, clock ids.Clock, gen ids.Generator) (*ImportResult, error) {
	var res *ImportResult
	err := st.Update(func(tx store.Tx) error {
		// fn may run more than once: everything starts afresh here.
		im := newImporter(ctx, tx, clock, gen)
		res = &ImportResult{}
		for _, account := range slices.Sorted(maps.Keys(f.Accounts)) {
			has, err := im.hasState(account)
			if err != nil {
				return err
			}
			switch {
			case !has:
				res.Imported = append(res.Imported, account)
			case mode == SkipExisting:
				res.Skipped = append(res.Skipped, account)
			default:
				return fmt.Errorf("account %s: %w: an import adds accounts, it does not merge into one (import into an empty --data-dir, or serve --ephemeral --init FILE)", account, ErrAccountHasState)
			}
		}
		if err := im.run(f, res.Imported); err != nil {
			return err
		}
		return im.st.err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// txStore is a store.Store whose transactions are all tx.
type txStore struct {
	tx store.Tx
	// err is the first Update that failed: the import fails with it even
	// if the service that ran it carried on.
	err error
}

func (s *txStore) View(fn func(store.Tx) error) error { return fn(s.tx) }

func (s *txStore) Update(fn func(store.Tx) error) error {
	err := fn(s.tx)
	if err != nil && s.err == nil {
		s.err = err
	}
	return err
}

func (s *txStore) Close() error { return nil }

// script is the clock and ID generator the services are replayed with:
// each call is given the date and the ID the file says, else the real
// clock's and a new one.
type script struct {
	now        time.Time
	id, secret string
	// uuids are the UUIDs of the next entity made, in the order it draws
	// them; "" draws a new one.
	uuids []string
	clock ids.Clock
	gen   ids.Generator
}

func (s *script) Now() time.Time {
	if !s.now.IsZero() {
		return s.now
	}
	return s.clock.Now()
}

func (s *script) ID(prefix string) string {
	id := s.id
	s.id = ""
	switch {
	case id == "":
		return s.gen.ID(prefix)
	case prefix == "AKIA", prefix == "APKA":
		// IAM makes an access key's or SSH public key's ID from a
		// 17-character ID by dropping the first character after the
		// prefix (iam.Service.accessKeyID, sshPublicKeyID); the importer
		// checks the ID it gets.
		return prefix + "A" + id[4:]
	}
	return id
}

func (s *script) UUID() string {
	if len(s.uuids) > 0 {
		u := s.uuids[0]
		s.uuids = s.uuids[1:]
		if u != "" {
			return u
		}
	}
	return s.gen.UUID()
}

func (s *script) Secret(n int) string {
	v := s.secret
	s.secret = ""
	if v == "" {
		return s.gen.Secret(n)
	}
	return v
}

// at sets the ID and date of the next entity made (and no UUIDs).
func (s *script) at(id string, t time.Time) { s.id, s.now, s.uuids = id, t, nil }

type importer struct {
	ctx  context.Context
	st   *txStore
	sc   *script
	iam  *iam.Service
	ecs  *ecs.Service
	aas  *appautoscaling.Service
	used map[string]bool // unique IDs that exist or trust policies name
}

func newImporter(ctx context.Context, tx store.Tx, clock ids.Clock, gen ids.Generator) *importer {
	st := &txStore{tx: tx}
	sc := &script{clock: clock, gen: gen}
	im := &importer{ctx: ctx, st: st, sc: sc}
	im.iam = iam.New(iam.Config{Store: st, Clock: sc, IDs: sc})
	im.ecs = ecs.New(ecs.Config{Store: st, Clock: sc, IDs: sc, Roles: importRoles{im.iam}, Paused: true})
	im.aas = appautoscaling.New(appautoscaling.Config{Store: st, Clock: sc, IDs: sc, Roles: importScalingRoles{im.iam}, Services: importServices{im.ecs}, Paused: true})
	return im
}

// hasState says whether an account has IAM entities, ECS resources or
// Application Auto Scaling targets.
func (im *importer) hasState(account string) (bool, error) {
	sum, err := im.iam.GetAccountSummary(im.ctx, account)
	if err != nil {
		return false, err
	}
	// Providers counts SAML and OpenID Connect providers alike.
	for _, k := range []string{"Users", "Groups", "Roles", "InstanceProfiles", "Policies", "Providers", "ServerCertificates", "MFADevices"} {
		if sum[k] > 0 {
			return true, nil
		}
	}
	regions, err := im.ecs.State(im.ctx, account)
	if err != nil || len(regions) > 0 {
		return len(regions) > 0, err
	}
	scaling, err := im.aas.State(im.ctx, account)
	return len(scaling) > 0, err
}

// run replays the accounts of f, in an order in which each entity finds
// what it names: policies, users, groups, roles (with a placeholder trust
// policy), then every trust policy (a role may trust a role made after
// it, in any account of the file), instance profiles, access keys, ECS,
// Application Auto Scaling (whose targets are ECS services).
func (im *importer) run(f *statefile.File, accounts []string) error {
	var err error
	if im.used, err = im.iam.UniqueIDsInUse(im.ctx); err != nil {
		return err
	}
	phases := []func(account string, a *statefile.Account) error{
		im.account, im.providers, im.policies, im.users, im.groups, im.roles, im.trusts, im.profiles, im.accessKeys, im.loginProfiles,
		im.userCredentials, im.delegations, im.ecsState, im.aasState,
	}
	for _, phase := range phases {
		for _, account := range accounts {
			if err := phase(account, f.Accounts[account]); err != nil {
				return fmt.Errorf("account %s: %w", account, err)
			}
		}
	}
	return nil
}

func iamOf(a *statefile.Account) *statefile.IAM {
	if a == nil || a.IAM == nil {
		return &statefile.IAM{}
	}
	return a.IAM
}

// failed names the entity an error is about.
func failed(kind, name string, err error) error { return fmt.Errorf("%s %q: %w", kind, name, err) }

func tags(in []statefile.Tag) []iam.Tag {
	if in == nil {
		return nil
	}
	out := make([]iam.Tag, len(in))
	for i, t := range in {
		out[i] = iam.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

func boundaryArn(b *statefile.Boundary) string {
	if b == nil {
		return ""
	}
	return b.PermissionsBoundaryArn
}

// idPattern is the form of the unique IDs IAM gives: a four-letter prefix
// naming the kind, then upper-case letters and digits.
var idPattern = regexp.MustCompile(`^A[A-Z]{3}[A-Z0-9]{16,124}$`)

// uniqueID checks a user's or role's ID (prefix AIDA or AROA) from the
// file: of its kind's form, and never given before.
func (im *importer) uniqueID(id, prefix string) error {
	if id == "" {
		return nil
	}
	if err := otherID(id, prefix); err != nil {
		return err
	}
	if !policy.IsUniqueID(id) {
		return fmt.Errorf("the ID %s is not of the form IAM gives", id)
	}
	if im.used[id] {
		return fmt.Errorf("the unique ID %s is taken: another user or role has it, or a trust policy still names it, and IAM never gives an ID twice", id)
	}
	im.used[id] = true
	return nil
}

// otherID checks the form of an ID of a group, policy or instance profile.
func otherID(id, prefix string) error {
	if id != "" && (!strings.HasPrefix(id, prefix) || !idPattern.MatchString(id)) {
		return fmt.Errorf("the ID %s is not of the form IAM gives (%s followed by upper-case letters and digits)", id, prefix)
	}
	return nil
}

// sameID checks that a service gave the ID the file asked for.
func sameID(want, got string) error {
	if want != "" && want != got {
		return fmt.Errorf("rolecall made it with the ID %s, not %s", got, want)
	}
	return nil
}

// permissions gives a user, group or role its inline policies (put) and
// attached managed policies (attach).
func (im *importer) permissions(account, kind, name string, inline []statefile.InlinePolicy, attached []statefile.AttachedPolicy,
	put func(ctx context.Context, account, entity, policyName, doc string) error,
	attach func(ctx context.Context, account, entity, policyArn string) error) error {
	for _, p := range inline {
		doc, err := p.PolicyDocument.Text()
		if err == nil {
			err = put(im.ctx, account, name, p.PolicyName, doc)
		}
		if err != nil {
			return failed(kind, name, fmt.Errorf("inline policy %q: %w", p.PolicyName, err))
		}
	}
	for _, p := range attached {
		if err := attach(im.ctx, account, name, p.PolicyArn); err != nil {
			return failed(kind, name, err)
		}
	}
	return nil
}

// maxVersion bounds the version numbers an import makes: each version
// the file lacks below its highest is made and deleted again.
const maxVersion = 10000

// versionNumber reads a policy version ID, "v" and a number from 1 to
// maxVersion.
func versionNumber(id string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "v"))
	return n, err == nil && n > 0 && n <= maxVersion && strings.HasPrefix(id, "v") && strconv.Itoa(n) == id[1:]
}

// policies makes the account's customer managed policies with their
// versions, as numbered in the file: CreatePolicy makes v1, and a version
// the file lacks (deleted before the export) is made and deleted again,
// so that the next one gets its number, as it did.
func (im *importer) policies(account string, a *statefile.Account) error {
	for _, p := range iamOf(a).Policies {
		if statefile.IsAWSManaged(p.Arn) {
			continue // rolecall's own copy of it is used
		}
		if err := im.policy(account, p); err != nil {
			return failed("policy", p.PolicyName, err)
		}
	}
	return nil
}

type fileVersion struct {
	n    int
	doc  string
	date time.Time
}

func (im *importer) policy(account string, p statefile.ManagedPolicyDetail) error {
	if p.Arn == "" {
		return errors.New("no Arn: a managed policy is named by its ARN")
	}
	if err := otherID(p.PolicyId, "ANPA"); err != nil {
		return err
	}
	var versions []fileVersion
	def := p.DefaultVersionId
	for _, v := range p.PolicyVersionList {
		n, ok := versionNumber(v.VersionId)
		if !ok {
			return fmt.Errorf("version %q is not a policy version ID (v1, v2, ... v%d)", v.VersionId, maxVersion)
		}
		doc, err := v.Document.Text()
		if err != nil {
			return fmt.Errorf("version %s: %w", v.VersionId, err)
		}
		if v.IsDefaultVersion && def == "" {
			def = v.VersionId
		}
		versions = append(versions, fileVersion{n, doc, v.CreateDate})
	}
	sort.Slice(versions, func(i, j int) bool { return versions[i].n < versions[j].n })
	for i := 1; i < len(versions); i++ {
		if versions[i].n == versions[i-1].n {
			return fmt.Errorf("version v%d is given twice", versions[i].n)
		}
	}
	if len(versions) == 0 {
		return errors.New("no versions: a managed policy has its default version at least")
	}
	if _, ok := versionNumber(def); !ok || !slices.ContainsFunc(versions, func(v fileVersion) bool { return "v"+strconv.Itoa(v.n) == def }) {
		return fmt.Errorf("the default version %q is not among its versions", def)
	}
	created := p.CreateDate
	if created.IsZero() {
		created = versions[0].date
	}
	im.sc.at(p.PolicyId, created)
	out, err := im.iam.CreatePolicy(im.ctx, account, iam.CreatePolicyInput{
		PolicyName: p.PolicyName, Path: p.Path, PolicyDocument: versions[0].doc, Description: p.Description, Tags: tags(p.Tags)})
	if err != nil {
		return err
	}
	if err := sameID(p.PolicyId, out.PolicyId); err != nil {
		return err
	}
	if out.Arn != p.Arn {
		return fmt.Errorf("its ARN is %s, not %s: a policy's ARN is its account, path and name", out.Arn, p.Arn)
	}
	cur := 1
	for _, v := range versions {
		for cur < v.n {
			cur++
			im.sc.at("", v.date)
			if _, err := im.iam.CreatePolicyVersion(im.ctx, account, out.Arn, v.doc, cur == v.n); err != nil {
				return fmt.Errorf("version v%d: %w", cur, err)
			}
			if cur < v.n {
				if err := im.iam.DeletePolicyVersion(im.ctx, account, out.Arn, "v"+strconv.Itoa(cur)); err != nil {
					return err
				}
			}
		}
	}
	if versions[0].n > 1 {
		// v1 held the first document until the first version of the file
		// was made (and made the default).
		if err := im.iam.DeletePolicyVersion(im.ctx, account, out.Arn, "v1"); err != nil {
			return err
		}
	}
	return im.iam.SetDefaultPolicyVersion(im.ctx, account, out.Arn, def)
}

func (im *importer) users(account string, a *statefile.Account) error {
	for _, u := range iamOf(a).UserDetailList {
		if err := im.uniqueID(u.UserId, "AIDA"); err != nil {
			return failed("user", u.UserName, err)
		}
		im.sc.at(u.UserId, u.CreateDate)
		out, err := im.iam.CreateUser(im.ctx, account, iam.CreateUserInput{Path: u.Path, UserName: u.UserName, PermissionsBoundary: boundaryArn(u.PermissionsBoundary), Tags: tags(u.Tags)})
		if err == nil {
			err = sameID(u.UserId, out.UserId)
		}
		if err != nil {
			return failed("user", u.UserName, err)
		}
		if err := im.permissions(account, "user", u.UserName, u.UserPolicyList, u.AttachedManagedPolicies, im.iam.PutUserPolicy, im.iam.AttachUserPolicy); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) groups(account string, a *statefile.Account) error {
	x := iamOf(a)
	for _, g := range x.GroupDetailList {
		if err := otherID(g.GroupId, "AGPA"); err != nil {
			return failed("group", g.GroupName, err)
		}
		im.sc.at(g.GroupId, g.CreateDate)
		out, err := im.iam.CreateGroup(im.ctx, account, g.Path, g.GroupName)
		if err == nil {
			err = sameID(g.GroupId, out.GroupId)
		}
		if err != nil {
			return failed("group", g.GroupName, err)
		}
		if err := im.permissions(account, "group", g.GroupName, g.GroupPolicyList, g.AttachedManagedPolicies, im.iam.PutGroupPolicy, im.iam.AttachGroupPolicy); err != nil {
			return err
		}
	}
	for _, u := range x.UserDetailList {
		for _, g := range u.GroupList {
			if err := im.iam.AddUserToGroup(im.ctx, account, g, u.UserName); err != nil {
				return failed("user", u.UserName, fmt.Errorf("group %q: %w", g, err))
			}
		}
	}
	return nil
}

// placeholderTrust is a role's trust policy until every role and user of
// the file exists and its own can be bound (trusts): it trusts no one.
const placeholderTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// serviceRolePath is the path of service-linked roles:
// /aws-service-role/SERVICE-PRINCIPAL/.
const serviceRolePath = "/aws-service-role/"

func (im *importer) roles(account string, a *statefile.Account) error {
	for _, r := range iamOf(a).RoleDetailList {
		if err := im.uniqueID(r.RoleId, "AROA"); err != nil {
			return failed("role", r.RoleName, err)
		}
		im.sc.at(r.RoleId, r.CreateDate)
		var out *iam.Role
		var err error
		if strings.HasPrefix(r.Path, serviceRolePath) {
			out, err = im.linkedRole(account, r)
			if err == nil {
				err = sameID(r.RoleId, out.RoleId)
			}
			if err != nil {
				return failed("role", r.RoleName, err)
			}
			continue // its policies are its service's, as it made them
		}
		out, err = im.iam.CreateRole(im.ctx, account, iam.CreateRoleInput{
			Path: r.Path, RoleName: r.RoleName, AssumeRolePolicyDocument: placeholderTrust, Description: r.Description,
			PermissionsBoundary: boundaryArn(r.PermissionsBoundary), MaxSessionDuration: r.MaxSessionDuration, Tags: tags(r.Tags)})
		if err == nil {
			err = sameID(r.RoleId, out.RoleId)
		}
		if err != nil {
			return failed("role", r.RoleName, err)
		}
		if err := im.permissions(account, "role", r.RoleName, r.RolePolicyList, r.AttachedManagedPolicies, im.iam.PutRolePolicy, im.iam.AttachRolePolicy); err != nil {
			return err
		}
	}
	return nil
}

// linkedRole makes a service-linked role as its service does
// (CreateServiceLinkedRole): its trust policy and permissions are the
// service's, whatever the file says, and IAM protects it.
func (im *importer) linkedRole(account string, r statefile.RoleDetail) (*iam.Role, error) {
	service := strings.TrimSuffix(strings.TrimPrefix(r.Path, serviceRolePath), "/")
	suffix := ""
	if ls, ok := catalog.LinkedServiceFor(service); ok {
		base := ls.RoleNameWithSuffix("")
		switch {
		case r.RoleName == base:
		case strings.HasPrefix(r.RoleName, base+"_"):
			suffix = strings.TrimPrefix(r.RoleName, base+"_")
		default:
			return nil, fmt.Errorf("the service-linked role of %s is %s (or %s_SUFFIX), and CreateServiceLinkedRole makes no other", service, base, base)
		}
	}
	out, err := im.iam.CreateServiceLinkedRole(im.ctx, account, iam.CreateServiceLinkedRoleInput{AWSServiceName: service, Description: r.Description, CustomSuffix: suffix})
	if err != nil {
		return nil, err
	}
	if out.Path != r.Path || out.RoleName != r.RoleName {
		return nil, fmt.Errorf("CreateServiceLinkedRole makes %s%s for %s, not %s%s", out.Path, out.RoleName, service, r.Path, r.RoleName)
	}
	return out, nil
}

func (im *importer) trusts(account string, a *statefile.Account) error {
	for _, r := range iamOf(a).RoleDetailList {
		if strings.HasPrefix(r.Path, serviceRolePath) {
			continue
		}
		doc, err := r.AssumeRolePolicyDocument.Text()
		if err == nil {
			err = im.iam.ImportAssumeRolePolicy(im.ctx, account, r.RoleName, doc)
		}
		if err != nil {
			return failed("role", r.RoleName, fmt.Errorf("trust policy: %w", err))
		}
	}
	return nil
}

// profiles makes the instance profiles: those InstanceProfiles lists (an
// export of rolecall's) and those the roles list (AWS's export, which
// shows a profile only under its role), and puts each role in its own.
func (im *importer) profiles(account string, a *statefile.Account) error {
	x := iamOf(a)
	all := map[string]statefile.InstanceProfile{}
	var order []string
	add := func(p statefile.InstanceProfile) error {
		k := strings.ToLower(p.InstanceProfileName)
		if prev, ok := all[k]; ok {
			if p.InstanceProfileId != "" && prev.InstanceProfileId != "" && p.InstanceProfileId != prev.InstanceProfileId {
				return failed("instance profile", p.InstanceProfileName, fmt.Errorf("listed with two IDs, %s and %s", prev.InstanceProfileId, p.InstanceProfileId))
			}
			return nil
		}
		all[k] = p
		order = append(order, k)
		return nil
	}
	for _, p := range x.InstanceProfiles {
		if err := add(p); err != nil {
			return err
		}
	}
	for _, r := range x.RoleDetailList {
		for _, p := range r.InstanceProfileList {
			if err := add(p); err != nil {
				return err
			}
		}
	}
	for _, k := range order {
		p := all[k]
		if err := otherID(p.InstanceProfileId, "AIPA"); err != nil {
			return failed("instance profile", p.InstanceProfileName, err)
		}
		im.sc.at(p.InstanceProfileId, p.CreateDate)
		out, err := im.iam.CreateInstanceProfile(im.ctx, account, p.InstanceProfileName, p.Path, tags(p.Tags))
		if err == nil {
			err = sameID(p.InstanceProfileId, out.InstanceProfileId)
		}
		if err == nil && p.Arn != "" && p.Arn != out.Arn {
			err = fmt.Errorf("its ARN is %s, not %s", out.Arn, p.Arn)
		}
		if err != nil {
			return failed("instance profile", p.InstanceProfileName, err)
		}
	}
	for _, r := range x.RoleDetailList {
		for _, p := range r.InstanceProfileList {
			if err := im.iam.AddRoleToInstanceProfile(im.ctx, account, p.InstanceProfileName, r.RoleName); err != nil {
				return failed("instance profile", p.InstanceProfileName, err)
			}
		}
	}
	return nil
}

var (
	keyIDPattern  = regexp.MustCompile(`^AKIA[A-Z0-9]{16}$`)
	secretPattern = regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`)
)

func (im *importer) accessKeys(account string, a *statefile.Account) error {
	for _, k := range iamOf(a).AccessKeys {
		if err := im.accessKey(account, k); err != nil {
			return failed("access key", k.AccessKeyId, err)
		}
	}
	return nil
}

func (im *importer) accessKey(account string, k statefile.AccessKey) error {
	if !keyIDPattern.MatchString(k.AccessKeyId) {
		return errors.New("not an access key ID of an IAM user (AKIA and 16 upper-case letters and digits)")
	}
	if !secretPattern.MatchString(k.SecretAccessKey) {
		return errors.New("its SecretAccessKey is not a secret access key (40 letters, digits, + and /)")
	}
	if k.Status != "" && k.Status != iam.StatusActive && k.Status != iam.StatusInactive {
		return fmt.Errorf("status %q is neither Active nor Inactive", k.Status)
	}
	if _, err := im.iam.LookupAccessKey(im.ctx, k.AccessKeyId); err == nil {
		return errors.New("the access key ID is taken: IAM never gives one twice")
	}
	im.sc.at(k.AccessKeyId, k.CreateDate)
	im.sc.secret = k.SecretAccessKey
	out, err := im.iam.CreateAccessKey(im.ctx, account, k.UserName)
	if err != nil {
		return err
	}
	if out.AccessKeyId != k.AccessKeyId || out.SecretAccessKey != k.SecretAccessKey {
		return fmt.Errorf("rolecall made it as %s", out.AccessKeyId)
	}
	if k.Status == iam.StatusInactive {
		return im.iam.UpdateAccessKey(im.ctx, account, k.UserName, k.AccessKeyId, iam.StatusInactive)
	}
	return nil
}

// account imports the account's alias and password policy.
func (im *importer) account(account string, a *statefile.Account) error {
	x := iamOf(a)
	if len(x.AccountAliases) > 1 {
		return fmt.Errorf("AccountAliases: %d aliases, and an account has one at most", len(x.AccountAliases))
	}
	for _, alias := range x.AccountAliases {
		if err := im.iam.CreateAccountAlias(im.ctx, account, alias); err != nil {
			return failed("account alias", alias, err)
		}
	}
	if p := x.PasswordPolicy; p != nil {
		err := im.iam.UpdateAccountPasswordPolicy(im.ctx, account, iam.UpdatePasswordPolicyInput{MinimumPasswordLength: p.MinimumPasswordLength,
			RequireSymbols: p.RequireSymbols, RequireNumbers: p.RequireNumbers, RequireUppercaseCharacters: p.RequireUppercaseCharacters,
			RequireLowercaseCharacters: p.RequireLowercaseCharacters, AllowUsersToChangePassword: p.AllowUsersToChangePassword,
			MaxPasswordAge: p.MaxPasswordAge, PasswordReusePrevention: p.PasswordReusePrevention, HardExpiry: p.HardExpiry})
		if err != nil {
			return fmt.Errorf("PasswordPolicy: %w", err)
		}
	}
	return nil
}

func (im *importer) loginProfiles(account string, a *statefile.Account) error {
	for _, p := range iamOf(a).LoginProfiles {
		err := im.iam.ImportLoginProfile(im.ctx, account, iam.LoginProfileState{UserName: p.UserName, CreateDate: p.CreateDate,
			PasswordResetRequired: p.PasswordResetRequired, PasswordLastChanged: p.PasswordLastChanged, Password: p.Password, PasswordHistory: p.PasswordHistory})
		if err != nil {
			return failed("login profile", p.UserName, err)
		}
	}
	return nil
}

// providers makes the account's OpenID Connect and SAML providers and its
// server certificates.
func (im *importer) providers(account string, a *statefile.Account) error {
	x := iamOf(a)
	for _, p := range x.OpenIDConnectProviders {
		if err := im.oidcProvider(account, p); err != nil {
			return failed("OpenID Connect provider", p.Url, err)
		}
	}
	for _, p := range x.SAMLProviders {
		if err := im.samlProvider(account, p); err != nil {
			return failed("SAML provider", p.Arn, err)
		}
	}
	for _, c := range x.ServerCertificates {
		m := c.ServerCertificateMetadata
		if err := otherID(m.ServerCertificateId, "ASCA"); err != nil {
			return failed("server certificate", m.ServerCertificateName, err)
		}
		im.sc.at(m.ServerCertificateId, m.UploadDate)
		out, err := im.iam.ImportServerCertificate(im.ctx, account, iam.UploadServerCertificateInput{Path: m.Path, ServerCertificateName: m.ServerCertificateName,
			CertificateBody: c.CertificateBody, CertificateChain: c.CertificateChain, Tags: tags(c.Tags)})
		if err == nil {
			err = sameID(m.ServerCertificateId, out.ServerCertificateId)
		}
		if err != nil {
			return failed("server certificate", m.ServerCertificateName, err)
		}
	}
	return nil
}

func (im *importer) oidcProvider(account string, p statefile.OpenIDConnectProvider) error {
	im.sc.at("", p.CreateDate)
	got, err := im.iam.CreateOpenIDConnectProvider(im.ctx, account, iam.CreateOpenIDConnectProviderInput{Url: "https://" + p.Url,
		ClientIDList: p.ClientIDList, ThumbprintList: p.ThumbprintList, Tags: tags(p.Tags)})
	if err == nil && p.Arn != "" && got != p.Arn {
		err = fmt.Errorf("its ARN is %s, not %s: a provider's ARN is its account and URL", got, p.Arn)
	}
	return err
}

// samlProvider makes a SAML provider as CreateSAMLProvider made it, then
// adds its private keys (UpdateSAMLProvider, each at its Timestamp), then
// requires encrypted assertions if it does: IAM requires a key for that.
func (im *importer) samlProvider(account string, p statefile.SAMLProvider) error {
	a, err := arn.Parse(p.Arn)
	name, ok := strings.CutPrefix(a.Resource, "saml-provider/")
	if err != nil || !ok || a.Account != account {
		return fmt.Errorf("not the ARN of a SAML provider of account %s (arn:aws:iam::%s:saml-provider/NAME)", account, account)
	}
	mode := p.AssertionEncryptionMode
	if mode == iam.EncryptionRequired {
		mode = ""
	}
	im.sc.at("", p.CreateDate)
	im.sc.uuids = []string{p.SAMLProviderUUID}
	got, _, err := im.iam.CreateSAMLProvider(im.ctx, account, iam.SAMLProviderInput{Name: name, SAMLMetadataDocument: p.SAMLMetadataDocument,
		Tags: tags(p.Tags), AssertionEncryptionMode: mode})
	if err != nil {
		return err
	}
	if got != p.Arn {
		return fmt.Errorf("its ARN is %s, not %s", got, p.Arn)
	}
	for _, k := range p.PrivateKeyList {
		im.sc.at("", k.Timestamp)
		im.sc.uuids = []string{k.KeyId}
		if _, err := im.iam.UpdateSAMLProvider(im.ctx, account, iam.SAMLProviderInput{Arn: p.Arn, AddPrivateKey: k.PrivateKey}); err != nil {
			return fmt.Errorf("private key %s: %w", k.KeyId, err)
		}
	}
	if mode != p.AssertionEncryptionMode {
		if _, err := im.iam.UpdateSAMLProvider(im.ctx, account, iam.SAMLProviderInput{Arn: p.Arn, AssertionEncryptionMode: p.AssertionEncryptionMode}); err != nil {
			return err
		}
	}
	made, err := im.iam.GetSAMLProvider(im.ctx, account, p.Arn)
	if err == nil && p.SAMLProviderUUID != "" {
		err = sameID(p.SAMLProviderUUID, made.SAMLProviderUUID)
	}
	return err
}

// signingCertID is the form of a signing certificate's ID (the model's
// certificateIdType: 24 to 128 of \w).
var signingCertID = regexp.MustCompile(`^[A-Za-z0-9_]{24,128}$`)

// userCredentials gives the users their SSH public keys, signing
// certificates, service-specific credentials and MFA devices.
func (im *importer) userCredentials(account string, a *statefile.Account) error {
	x := iamOf(a)
	for _, k := range x.SSHPublicKeys {
		if err := im.sshKey(account, k); err != nil {
			return failed("SSH public key", k.SSHPublicKeyId, err)
		}
	}
	for _, c := range x.SigningCertificates {
		if err := im.signingCert(account, c); err != nil {
			return failed("signing certificate", c.CertificateId, err)
		}
	}
	for _, c := range x.ServiceSpecificCredentials {
		if err := im.serviceCred(account, c); err != nil {
			return failed("service-specific credential", c.ServiceSpecificCredentialId, err)
		}
	}
	for _, d := range x.VirtualMFADevices {
		im.sc.at("", time.Time{}) // made now: IAM shows no device's creation date
		err := im.iam.ImportMFADevice(im.ctx, account, iam.MFADeviceState{SerialNumber: d.SerialNumber, Seed: d.Base32StringSeed,
			UserName: d.UserName, EnableDate: d.EnableDate, Tags: tags(d.Tags)})
		if err != nil {
			return failed("virtual MFA device", d.SerialNumber, err)
		}
	}
	return nil
}

// userCredential makes one of a user's credentials with the file's ID
// (none: a new one) and date (create answers the ID it got), then makes it
// Inactive when the file says so (Active is what each is made).
func (im *importer) userCredential(id string, date time.Time, status string, create func() (string, error), deactivate func(id string) error) error {
	im.sc.at(id, date)
	got, err := create()
	if err != nil {
		return err
	}
	if err := sameID(id, got); err != nil {
		return err
	}
	switch status {
	case "", iam.StatusActive:
		return nil
	case iam.StatusInactive:
		return deactivate(got)
	}
	return fmt.Errorf("status %q is neither Active nor Inactive", status)
}

func (im *importer) sshKey(account string, k statefile.SSHPublicKey) error {
	if err := otherID(k.SSHPublicKeyId, "APKA"); err != nil {
		return err
	}
	if k.SSHPublicKeyId != "" && len(k.SSHPublicKeyId) != 20 {
		return fmt.Errorf("the ID %s is not of the form IAM gives (APKA and 16 upper-case letters and digits)", k.SSHPublicKeyId)
	}
	return im.userCredential(k.SSHPublicKeyId, k.UploadDate, k.Status, func() (string, error) {
		out, err := im.iam.UploadSSHPublicKey(im.ctx, account, k.UserName, k.SSHPublicKeyBody)
		if err != nil {
			return "", err
		}
		return out.SSHPublicKeyId, nil
	}, func(id string) error {
		return im.iam.UpdateSSHPublicKey(im.ctx, account, k.UserName, id, iam.StatusInactive)
	})
}

func (im *importer) signingCert(account string, c statefile.SigningCertificate) error {
	if c.CertificateId != "" && !signingCertID.MatchString(c.CertificateId) {
		return fmt.Errorf("the ID %s is not of the form IAM gives (24 to 128 letters, digits and _)", c.CertificateId)
	}
	return im.userCredential(c.CertificateId, c.UploadDate, c.Status, func() (string, error) {
		out, err := im.iam.UploadSigningCertificate(im.ctx, account, c.UserName, c.CertificateBody)
		if err != nil {
			return "", err
		}
		return out.CertificateId, nil
	}, func(id string) error {
		return im.iam.UpdateSigningCertificate(im.ctx, account, c.UserName, id, iam.StatusInactive)
	})
}

// serviceCred makes a service-specific credential with a new password or
// secret, which the file does not hold (IAM keeps none). Its expiration
// is CreateServiceSpecificCredential's CredentialAgeDays after its
// creation; an Expired one was Active or Inactive, which its expiration
// hides: it is made Active.
func (im *importer) serviceCred(account string, c statefile.ServiceSpecificCredential) error {
	if err := otherID(c.ServiceSpecificCredentialId, "ACCA"); err != nil {
		return err
	}
	var days int32
	if e := c.ExpirationDate; e != nil {
		d := e.Sub(c.CreateDate)
		if c.CreateDate.IsZero() || d <= 0 || d%(24*time.Hour) != 0 || d/(24*time.Hour) > math.MaxInt32 {
			return errors.New("its ExpirationDate is not a whole number of days after its CreateDate, as CredentialAgeDays makes it")
		}
		days = int32(d / (24 * time.Hour))
	}
	status := c.Status
	if status == iam.StatusExpired {
		status = iam.StatusActive
	}
	return im.userCredential(c.ServiceSpecificCredentialId, c.CreateDate, status, func() (string, error) {
		out, err := im.iam.CreateServiceSpecificCredential(im.ctx, account, c.UserName, c.ServiceName, days)
		if err != nil {
			return "", err
		}
		return out.ServiceSpecificCredentialId, nil
	}, func(id string) error {
		return im.iam.UpdateServiceSpecificCredential(im.ctx, account, c.UserName, id, iam.StatusInactive)
	})
}

// importRoles is what ECS asks of IAM while a file is imported: the roles
// a resource names must exist in the account (ECS's "Role is not valid"
// otherwise), and so must AWSServiceRoleForECS for a service; nothing is
// created, assumed or used. The importer acts for the account's root, who
// may pass any role of it. What ECS does with a role (a service's tasks
// assuming theirs, a provider launching instances) is decided when the
// live server does it, with the roles as they are then.
type importRoles struct{ iam *iam.Service }

var errNotDuringImport = errors.New("not done during an import")

func (r importRoles) EnsureServiceLinkedRole(context.Context, ecs.Call, string) (bool, error) {
	return false, nil // the file says which roles exist
}

func (r importRoles) ServiceLinkedRoleExists(ctx context.Context, account, servicePrincipal string) (bool, error) {
	return roleBroker{iam: r.iam}.linkedRoleExists(ctx, account, servicePrincipal)
}

func (r importRoles) DeleteServiceLinkedRole(context.Context, string, string) (bool, error) {
	return false, errNotDuringImport
}

func (r importRoles) LinkedRoleUsed(context.Context, ecs.Call, string, ...ecs.RoleAction) error {
	return nil // a service's load balancers: validated when it launches
}

func (r importRoles) PassRole(ctx context.Context, c ecs.Call, roleArn, _, _ string) error {
	return roleInAccount(ctx, r.iam, c.Account, roleArn)
}

// roleInAccount: a role passed during an import must be one of the
// account's; the importer acts for its root, who may pass any of them.
func roleInAccount(ctx context.Context, svc *iam.Service, account, roleArn string) error {
	a, err := arn.Parse(roleArn)
	if err != nil || a.Account != account {
		return awserr.New(404, "NoSuchEntity", "The role with name %s cannot be found.", roleArn)
	}
	_, err = svc.RoleByARN(ctx, roleArn)
	return err
}

// AssumeAsService answers no session: ECS checks at creation that it can
// assume a service's or a provider's role and drops the session, and the
// import checks only that the role exists (PassRole).
func (r importRoles) AssumeAsService(context.Context, ecs.Call, string, string, string, string) (*principal.Session, error) {
	return nil, nil
}

func (r importRoles) RoleAllows(context.Context, ecs.Call, string, string, ...ecs.RoleAction) error {
	return nil
}

func (r importRoles) InstanceProfileRole(ctx context.Context, c ecs.Call, profileArn string) (string, error) {
	return instanceProfileRole(ctx, resolve.IAM{Svc: r.iam}, c.Account, profileArn)
}

// ecsCodec reads ECS resources in AWS's JSON, with the checks ECS's API
// makes of a request.
func ecsCodec() *jsonrpc.Codec {
	return &jsonrpc.Codec{Model: model.MustLoad("ecs"), ValidationCode: ecsapi.ValidationCode}
}

// request turns a resource as ECS describes it (obj, of shape out) into
// the request of op that makes it: the members op takes, read as op's
// request is read. A member the resource cannot have (nor extra names) is
// refused.
func request(c *jsonrpc.Codec, obj map[string]json.RawMessage, out, op string, dst any, extra ...string) error {
	sh := c.Model.Shapes[out]
	o, aerr := c.Operation(op)
	if aerr != nil {
		return aerr
	}
	in := map[string]json.RawMessage{}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if _, ok := sh.Members[k]; !ok && !slices.Contains(extra, k) {
			return fmt.Errorf("%s has no member %q", out, k)
		}
		if _, ok := o.InputShape.Members[k]; ok {
			in[k] = obj[k]
		}
	}
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	if aerr := c.Decode(o, body, dst); aerr != nil {
		return aerr
	}
	return nil
}

func str(raw json.RawMessage) string {
	var s string
	json.Unmarshal(raw, &s)
	return s
}

// jsonTime reads a timestamp of AWS's JSON protocol (ECS, Application Auto
// Scaling): seconds since the epoch (the API's) or RFC 3339 (the AWS
// CLI's); zero for none.
func jsonTime(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err == nil {
		if math.IsNaN(f) || math.Abs(f) > 1e12 {
			return time.Time{}, fmt.Errorf("%s is no time", raw)
		}
		return time.UnixMilli(int64(math.Round(f * 1000))).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, str(raw))
	if err != nil {
		return time.Time{}, fmt.Errorf("%s is no time (seconds since 1970, or RFC 3339)", raw)
	}
	return t.UTC(), nil
}

// regional imports the part of a file of a regional service, Region by
// Region, in order.
func regional[R any](service string, regions map[string]*R, fn func(region string, r *R) error) error {
	for _, region := range slices.Sorted(maps.Keys(regions)) {
		if !auth.ValidRegion(region) {
			return fmt.Errorf("%s: %q is not a Region", service, region)
		}
		if r := regions[region]; r != nil {
			if err := fn(region, r); err != nil {
				return fmt.Errorf("%s %s: %w", service, region, err)
			}
		}
	}
	return nil
}

func (im *importer) ecsState(account string, a *statefile.Account) error {
	if a == nil || len(a.ECS) == 0 {
		return nil
	}
	codec := ecsCodec()
	return regional("ECS", a.ECS, func(region string, r *statefile.ECSRegion) error {
		return im.ecsRegion(codec, ecs.Call{Account: account, Region: region}, r)
	})
}

// ecsRegion imports a Region's resources in an order in which each finds
// what it names: clusters (without capacity providers), capacity
// providers (a Managed Instances one is made in its cluster), the
// clusters' providers and default strategies, task definitions, services,
// their task sets, daemon task definitions, daemons, account settings.
func (im *importer) ecsRegion(codec *jsonrpc.Codec, c ecs.Call, r *statefile.ECSRegion) error {
	var withProviders []*types.PutClusterCapacityProvidersRequest
	for _, raw := range r.Clusters {
		put, err := im.cluster(codec, c, raw)
		if err != nil {
			return err
		}
		if put != nil {
			withProviders = append(withProviders, put)
		}
	}
	for _, raw := range r.CapacityProviders {
		if err := im.capacityProvider(codec, c, raw); err != nil {
			return err
		}
	}
	for _, put := range withProviders {
		if _, err := im.ecs.PutClusterCapacityProviders(im.ctx, c, put); err != nil {
			return failed("cluster", put.Cluster, err)
		}
	}
	if err := im.taskDefinitions(codec, c, r.TaskDefinitions); err != nil {
		return err
	}
	primaries := primaryTaskSets(r.TaskSets)
	for _, raw := range r.Services {
		if err := im.service(codec, c, raw, primaries); err != nil {
			return err
		}
	}
	for _, raw := range r.TaskSets {
		if err := im.taskSet(codec, c, raw); err != nil {
			return err
		}
	}
	deleting, err := im.daemonTaskDefinitions(codec, c, r.DaemonTaskDefinitions)
	if err != nil {
		return err
	}
	for _, raw := range r.Daemons {
		if err := im.daemon(codec, c, raw); err != nil {
			return err
		}
	}
	if err := im.deleteDaemonTaskDefinitions(c, deleting); err != nil {
		return err
	}
	for _, raw := range r.AccountSettings {
		if err := im.accountSetting(codec, c, raw); err != nil {
			return err
		}
	}
	return nil
}

// object reads a resource of a file as a JSON object, with the member
// that names it.
func object(kind, nameKey string, raw json.RawMessage) (map[string]json.RawMessage, string, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, "", fmt.Errorf("a %s is not a JSON object", kind)
	}
	name := str(obj[nameKey])
	if name == "" {
		return nil, "", fmt.Errorf("a %s without a %s", kind, nameKey)
	}
	return obj, name, nil
}

// sameARN checks that a resource's ARN, when the file gives one, is the
// ARN it has in the account and Region it is filed under.
func sameARN(kind, name string, got, want string) error {
	if got != "" && got != want {
		return failed(kind, name, fmt.Errorf("its ARN is %s, and in this account and Region it is %s", got, want))
	}
	return nil
}

// active refuses a resource whose status is not ACTIVE: only those are
// exported, and ECS makes nothing in another status.
func active(kind, name string, obj map[string]json.RawMessage) error {
	if s := str(obj["status"]); s != "" && s != "ACTIVE" {
		return failed(kind, name, fmt.Errorf("status %s: only ACTIVE %ss are imported", s, kind))
	}
	return nil
}

func (im *importer) capacityProvider(codec *jsonrpc.Codec, c ecs.Call, raw json.RawMessage) error {
	obj, name, err := object("capacity provider", "name", raw)
	if err != nil {
		return err
	}
	if err := sameARN("capacity provider", name, str(obj["capacityProviderArn"]), resolve.ARN(c, "capacity-provider/"+name)); err != nil {
		return err
	}
	if err := active("capacity provider", name, obj); err != nil {
		return err
	}
	var req types.CreateCapacityProviderRequest
	if err := request(codec, obj, "CapacityProvider", "CreateCapacityProvider", &req); err != nil {
		return failed("capacity provider", name, err)
	}
	im.sc.at("", time.Time{})
	if _, err := im.ecs.CreateCapacityProvider(im.ctx, c, &req); err != nil {
		return failed("capacity provider", name, err)
	}
	return nil
}

func (im *importer) service(codec *jsonrpc.Codec, c ecs.Call, raw json.RawMessage, primaries map[string]string) error {
	obj, name, err := object("service", "serviceName", raw)
	if err != nil {
		return err
	}
	cluster, err := clusterOf(c, "service", name, obj)
	if err != nil {
		return err
	}
	if err := sameARN("service", name, str(obj["serviceArn"]), resolve.ARN(c, "service/"+cluster+"/"+name)); err != nil {
		return err
	}
	if err := active("service", name, obj); err != nil {
		return err
	}
	var req types.CreateServiceRequest
	if err := request(codec, obj, "Service", "CreateService", &req); err != nil {
		return failed("service", name, err)
	}
	// The service shows where it is and the role it was given (clusterArn,
	// roleArn); CreateService takes them as cluster and role.
	req.Cluster, req.Role = cluster, str(obj["roleArn"])
	if req.SchedulingStrategy == "DAEMON" {
		req.DesiredCount = nil // a daemon's count is its instances'
	}
	created, err := jsonTime(obj["createdAt"])
	if err != nil {
		return failed("service", name, fmt.Errorf("createdAt: %w", err))
	}
	c.Principal = registeredBy(c.Account, str(obj["createdBy"]))
	im.sc.at("", created)
	if dc := req.DeploymentController; dc != nil && dc.Type == "CODE_DEPLOY" {
		// CreateService makes its first task set (after the service's
		// deployment ID): the file's PRIMARY, with its ID.
		if u, ok := taskSetUUID(primaries[str(obj["serviceArn"])]); ok {
			im.sc.uuids = []string{"", u}
		}
	}
	if _, err := im.ecs.CreateService(im.ctx, c, &req); err != nil {
		return failed("service", name, err)
	}
	return nil
}

// cluster makes a cluster without its capacity providers, which are made
// after it (a Managed Instances provider is made in its cluster); the
// request that gives them back is returned when it has any.
func (im *importer) cluster(codec *jsonrpc.Codec, c ecs.Call, raw json.RawMessage) (*types.PutClusterCapacityProvidersRequest, error) {
	obj, name, err := object("cluster", "clusterName", raw)
	if err != nil {
		return nil, err
	}
	if err := sameARN("cluster", name, str(obj["clusterArn"]), resolve.ARN(c, "cluster/"+name)); err != nil {
		return nil, err
	}
	if err := active("cluster", name, obj); err != nil {
		return nil, err
	}
	var req types.CreateClusterRequest
	if err := request(codec, obj, "Cluster", "CreateCluster", &req); err != nil {
		return nil, failed("cluster", name, err)
	}
	var put *types.PutClusterCapacityProvidersRequest
	if len(req.CapacityProviders) > 0 || len(req.DefaultCapacityProviderStrategy) > 0 {
		put = &types.PutClusterCapacityProvidersRequest{Cluster: name, CapacityProviders: req.CapacityProviders, DefaultCapacityProviderStrategy: req.DefaultCapacityProviderStrategy}
		req.CapacityProviders, req.DefaultCapacityProviderStrategy = nil, nil
	}
	im.sc.at("", time.Time{})
	if _, err := im.ecs.CreateCluster(im.ctx, c, &req); err != nil {
		return nil, failed("cluster", name, err)
	}
	return put, nil
}

// revisionKind is a kind of definition ECS numbers in revisions of a
// family: task definitions and daemon task definitions, each as its
// Describe call answers it ({WRAPPER: ..., "tags": [...]}).
type revisionKind struct {
	kind, wrapper, arnKey, resource string
	// shape is the definition's shape, op the operation that registers
	// one; statuses those a revision may have; times the members of its
	// dates: registered, deregistered, deletion requested ("" for none).
	shape, op string
	statuses  []string
	times     [3]string
}

var (
	taskDefKind = revisionKind{kind: "task definition", wrapper: "taskDefinition", arnKey: "taskDefinitionArn", resource: "task-definition",
		shape: "TaskDefinition", op: "RegisterTaskDefinition", statuses: []string{"ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS"},
		times: [3]string{"registeredAt", "deregisteredAt", "deleteRequestedAt"}}
	// A daemon task definition is deleted at once (DeleteDaemonTaskDefinition):
	// DELETE_IN_PROGRESS while a daemon runs it, DELETED after.
	daemonTaskDefKind = revisionKind{kind: "daemon task definition", wrapper: "daemonTaskDefinition", arnKey: "daemonTaskDefinitionArn", resource: "daemon-task-definition",
		shape: "DaemonTaskDefinition", op: "RegisterDaemonTaskDefinition", statuses: []string{"ACTIVE", "DELETE_IN_PROGRESS", "DELETED"},
		times: [3]string{"registeredAt", "", "deleteRequestedAt"}}
)

// revision is a revision of a file, read as k's op takes it (req).
type revision struct {
	family                             string
	revision                           int32
	arn, status, registeredBy          string
	registered, deregistered, deleting time.Time
	req                                any
}

// readRevisions reads a family's revisions of kind k, each into the
// request newReq makes, in order, and checks they are numbered as ECS
// numbers them.
func readRevisions(codec *jsonrpc.Codec, c ecs.Call, k revisionKind, list []json.RawMessage, newReq func() any) ([]*revision, error) {
	var defs []*revision
	for _, raw := range list {
		d, err := readRevision(codec, c, k, raw, newReq())
		if err != nil {
			return nil, err
		}
		defs = append(defs, d)
	}
	sort.SliceStable(defs, func(i, j int) bool {
		if defs[i].family != defs[j].family {
			return defs[i].family < defs[j].family
		}
		return defs[i].revision < defs[j].revision
	})
	for i, d := range defs {
		// ECS numbers a family's revisions from 1 and never removes one
		// rolecall keeps (DELETE_IN_PROGRESS stays listed).
		prev := int32(0)
		if i > 0 && defs[i-1].family == d.family {
			prev = defs[i-1].revision
		}
		if d.revision != prev+1 {
			return nil, failed(k.kind, d.arn, fmt.Errorf("revision %d follows revision %d of %s: ECS numbers a family's revisions 1, 2, 3, ...", d.revision, prev, d.family))
		}
	}
	return defs, nil
}

func (im *importer) taskDefinitions(codec *jsonrpc.Codec, c ecs.Call, list []json.RawMessage) error {
	defs, err := readRevisions(codec, c, taskDefKind, list, func() any { return &types.RegisterTaskDefinitionRequest{} })
	if err != nil {
		return err
	}
	for _, d := range defs {
		if err := im.taskDef(c, d); err != nil {
			return failed("task definition", d.arn, err)
		}
	}
	return nil
}

// readRevision reads a revision of kind k into dst, the request of k's op.
func readRevision(codec *jsonrpc.Codec, c ecs.Call, k revisionKind, raw json.RawMessage, dst any) (*revision, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, fmt.Errorf(`a %s is not a JSON object {%q: ..., "tags": [...]}: %v`, k.kind, k.wrapper, err)
	}
	for key := range top {
		if key != k.wrapper && key != "tags" {
			return nil, fmt.Errorf(`a %s has the member %q: it is {%q: ..., "tags": [...]}, as Describe%s answers`, k.kind, key, k.wrapper, k.shape)
		}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(top[k.wrapper], &obj); err != nil || obj == nil {
		return nil, fmt.Errorf(`a %s without its %q object`, k.kind, k.wrapper)
	}
	d := &revision{family: str(obj["family"]), arn: str(obj[k.arnKey]), status: str(obj["status"]), registeredBy: str(obj["registeredBy"]), req: dst}
	if err := json.Unmarshal(obj["revision"], &d.revision); err != nil {
		return nil, fmt.Errorf("%s %s of family %q: no revision", k.kind, d.arn, d.family)
	}
	want := resolve.ARN(c, fmt.Sprintf("%s/%s:%d", k.resource, d.family, d.revision))
	if d.arn != want {
		return nil, failed(k.kind, d.arn, fmt.Errorf("in account %s and %s, revision %d of %s is %s", c.Account, c.Region, d.revision, d.family, want))
	}
	if !slices.Contains(k.statuses, d.status) {
		return nil, failed(k.kind, d.arn, fmt.Errorf("status %q is not %s", d.status, orList(k.statuses)))
	}
	var err error
	for i, to := range []*time.Time{&d.registered, &d.deregistered, &d.deleting} {
		if key := k.times[i]; key != "" {
			if *to, err = jsonTime(obj[key]); err != nil {
				return nil, failed(k.kind, d.arn, fmt.Errorf("%s: %w", key, err))
			}
		}
	}
	if tags, ok := top["tags"]; ok {
		obj["tags"] = tags // the register operation takes them; the definition does not have them
	}
	if err := request(codec, obj, k.shape, k.op, dst, "tags"); err != nil {
		return nil, failed(k.kind, d.arn, err)
	}
	return d, nil
}

// orList is "A, B or C".
func orList(s []string) string {
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

func (im *importer) taskDef(c ecs.Call, d *revision) error {
	c.Principal = registeredBy(c.Account, d.registeredBy)
	im.sc.at("", d.registered)
	out, err := im.ecs.RegisterTaskDefinition(im.ctx, c, d.req.(*types.RegisterTaskDefinitionRequest))
	if err != nil {
		return err
	}
	if got := out.TaskDefinition.TaskDefinitionArn; got != d.arn {
		return fmt.Errorf("ECS registered it as %s", got)
	}
	if d.status == "ACTIVE" {
		return nil
	}
	im.sc.at("", d.deregistered)
	if _, err := im.ecs.DeregisterTaskDefinition(im.ctx, c, &types.DeregisterTaskDefinitionRequest{TaskDefinition: d.arn}); err != nil {
		return err
	}
	if d.status == "INACTIVE" {
		return nil
	}
	im.sc.at("", d.deleting)
	res, err := im.ecs.DeleteTaskDefinitions(im.ctx, c, &types.DeleteTaskDefinitionsRequest{TaskDefinitions: []string{d.arn}})
	if err == nil && len(res.Failures) > 0 {
		err = fmt.Errorf("ECS could not delete it: %s", res.Failures[0].Reason)
	}
	return err
}

// registeredBy is the principal a revision says registered it, when it is
// one of the account's; else the account's root.
func registeredBy(account, who string) *principal.Principal {
	a, err := arn.Parse(who)
	if err != nil || a.Account != account {
		return principal.RootUser(account)
	}
	return &principal.Principal{Kind: principal.User, Account: account, ARN: who}
}

// importScalingRoles is what Application Auto Scaling asks of IAM while a
// file is imported: its service-linked role must be in the file (it is
// not created: the file says which roles exist), and a role a target
// names must be one of the account's. Nothing is assumed.
type importScalingRoles struct{ iam *iam.Service }

// EnsureServiceLinkedRole answers Application Auto Scaling's own refusal
// of a role it cannot assume when the role is not there.
func (r importScalingRoles) EnsureServiceLinkedRole(ctx context.Context, c appautoscaling.Call, servicePrincipal string) (string, error) {
	ls, ok := catalog.LinkedServiceFor(servicePrincipal)
	if !ok {
		return "", fmt.Errorf("app: %s has no service-linked role", servicePrincipal)
	}
	roleArn := arn.IAM(c.Account, "role", ls.Path(), ls.RoleName)
	exists, err := roleBroker{iam: r.iam}.linkedRoleExists(ctx, c.Account, servicePrincipal)
	if err == nil && !exists {
		err = appautoscaling.UnableToAssumeRole(roleArn)
	}
	if err != nil {
		return "", err
	}
	return roleArn, nil
}

func (r importScalingRoles) PassRole(ctx context.Context, c appautoscaling.Call, roleArn string) error {
	return roleInAccount(ctx, r.iam, c.Account, roleArn)
}

// importServices is ECS as Application Auto Scaling meets it during an
// import: the services the file made so far. Nothing scales (the import's
// Application Auto Scaling is paused).
type importServices struct{ ecs *ecs.Service }

func (s importServices) ServiceExists(ctx context.Context, c appautoscaling.Call, cluster, service string) (bool, error) {
	return serviceExists(ctx, s.ecs, ecs.Call{Account: c.Account, Region: c.Region}, cluster, service)
}

func (s importServices) DesiredCount(context.Context, appautoscaling.Call, string, string) (int32, bool, error) {
	return 0, false, errNotDuringImport
}

func (s importServices) SetDesiredCount(context.Context, appautoscaling.Call, string, string, int32) error {
	return errNotDuringImport
}

// aasCodec reads Application Auto Scaling resources in AWS's JSON, with
// the checks its API makes of a request.
func aasCodec() *jsonrpc.Codec {
	return &jsonrpc.Codec{Model: model.MustLoad("application-autoscaling")}
}

func (im *importer) aasState(account string, a *statefile.Account) error {
	if a == nil || len(a.ApplicationAutoScaling) == 0 {
		return nil
	}
	codec := aasCodec()
	return regional("Application Auto Scaling", a.ApplicationAutoScaling, func(region string, r *statefile.AASRegion) error {
		return im.aasRegion(codec, appautoscaling.Call{Account: account, Region: region}, r)
	})
}

// aasRegion imports a Region's scalable targets, then their scaling
// policies and scheduled actions. Each Put creates or updates: a resource
// given twice is refused rather than made once from the second.
func (im *importer) aasRegion(codec *jsonrpc.Codec, c appautoscaling.Call, r *statefile.AASRegion) error {
	seen := map[string]bool{} // ARNs made
	made := func(kind, name, arn string) error {
		if seen[arn] {
			return failed(kind, name, fmt.Errorf("%s is given twice", arn))
		}
		seen[arn] = true
		return nil
	}
	for _, raw := range r.ScalableTargets {
		if err := im.scalableTarget(codec, c, raw, made); err != nil {
			return err
		}
	}
	for _, raw := range r.ScalingPolicies {
		if err := im.scalingPolicy(codec, c, raw, made); err != nil {
			return err
		}
	}
	for _, raw := range r.ScheduledActions {
		if err := im.scheduledAction(codec, c, raw, made); err != nil {
			return err
		}
	}
	return nil
}

// aasResource reads a resource of a file, a kind named by its member
// nameKey, of the model's shape, as the request of op that makes it
// (dst), with its CreationTime.
func aasResource(codec *jsonrpc.Codec, raw json.RawMessage, kind, nameKey, shape, op string, dst any, extra ...string) (map[string]json.RawMessage, string, time.Time, error) {
	obj, name, err := object(kind, nameKey, raw)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	if err := request(codec, obj, shape, op, dst, extra...); err != nil {
		return nil, "", time.Time{}, failed(kind, name, err)
	}
	created, err := jsonTime(obj["CreationTime"])
	if err != nil {
		return nil, "", time.Time{}, failed(kind, name, fmt.Errorf("CreationTime: %w", err))
	}
	return obj, name, created, nil
}

// scalableTarget registers a target with its capacities, suspended state
// and tags (RegisterScalableTarget), its ARN and creation time kept: the
// ECS service and the service-linked role must be in the file.
func (im *importer) scalableTarget(codec *jsonrpc.Codec, c appautoscaling.Call, raw json.RawMessage, made func(kind, name, arn string) error) error {
	const kind = "scalable target"
	var req aastypes.RegisterScalableTargetRequest
	obj, id, created, err := aasResource(codec, raw, kind, "ResourceId", "ScalableTarget", "RegisterScalableTarget", &req, "Tags")
	if err != nil {
		return err
	}
	im.sc.at("", created)
	out, err := im.aas.RegisterScalableTarget(im.ctx, c, &req)
	if err != nil {
		return failed(kind, id, err)
	}
	if err := sameARN(kind, id, str(obj["ScalableTargetARN"]), out.ScalableTargetARN); err != nil {
		return err
	}
	return made(kind, id, out.ScalableTargetARN)
}

// scalingPolicy puts a policy of a target (PutScalingPolicy), with the
// UUID of its ARN, the UUIDs of the alarms Application Auto Scaling made
// for it (target tracking) and its creation time kept.
func (im *importer) scalingPolicy(codec *jsonrpc.Codec, c appautoscaling.Call, raw json.RawMessage, made func(kind, name, arn string) error) error {
	const kind = "scaling policy"
	var req aastypes.PutScalingPolicyRequest
	obj, name, created, err := aasResource(codec, raw, kind, "PolicyName", "ScalingPolicy", "PutScalingPolicy", &req)
	if err != nil {
		return err
	}
	var alarms []aastypes.Alarm
	if a, ok := obj["Alarms"]; ok {
		if err := json.Unmarshal(a, &alarms); err != nil {
			return failed(kind, name, fmt.Errorf("Alarms: %v", err))
		}
	}
	fileARN := str(obj["PolicyARN"])
	im.sc.at("", created)
	// PutScalingPolicy draws the policy's UUID, then its alarms'.
	im.sc.uuids = []string{arnUUID(fileARN, ":scalingPolicy:"), alarmUUID(alarms, "AlarmHigh"), alarmUUID(alarms, "AlarmLow")}
	out, err := im.aas.PutScalingPolicy(im.ctx, c, &req)
	if err != nil {
		return failed(kind, name, err)
	}
	if err := sameARN(kind, name, fileARN, out.PolicyARN); err != nil {
		return err
	}
	// A step scaling policy's alarms are CloudWatch's, which invoke it:
	// not carried. A target tracking policy's are the ones made for it.
	if len(out.Alarms) > 0 && len(alarms) > 0 && !slices.Equal(out.Alarms, alarms) {
		return failed(kind, name, fmt.Errorf("Application Auto Scaling made its alarms %v, not %v", out.Alarms, alarms))
	}
	return made(kind, name, out.PolicyARN)
}

// scheduledAction puts a scheduled action of a target
// (PutScheduledAction), with the UUID of its ARN and its creation time
// kept, then puts it again as of the import: the file does not say which
// of its times ran, so it runs at its times after the import, as an
// action put then would.
func (im *importer) scheduledAction(codec *jsonrpc.Codec, c appautoscaling.Call, raw json.RawMessage, made func(kind, name, arn string) error) error {
	const kind = "scheduled action"
	var req aastypes.PutScheduledActionRequest
	obj, name, created, err := aasResource(codec, raw, kind, "ScheduledActionName", "ScheduledAction", "PutScheduledAction", &req)
	if err != nil {
		return err
	}
	fileARN := str(obj["ScheduledActionARN"])
	im.sc.at("", created)
	im.sc.uuids = []string{arnUUID(fileARN, ":scheduledAction:")}
	if _, err := im.aas.PutScheduledAction(im.ctx, c, &req); err != nil {
		return failed(kind, name, err)
	}
	im.sc.at("", time.Time{})
	if _, err := im.aas.PutScheduledAction(im.ctx, c, &req); err != nil {
		return failed(kind, name, err)
	}
	out, err := im.aas.DescribeScheduledActions(im.ctx, c, &aastypes.DescribeScheduledActionsRequest{ServiceNamespace: req.ServiceNamespace,
		ResourceId: req.ResourceId, ScalableDimension: req.ScalableDimension, ScheduledActionNames: []string{name}})
	if err != nil {
		return failed(kind, name, err)
	}
	if len(out.ScheduledActions) != 1 {
		return failed(kind, name, errors.New("Application Auto Scaling does not describe it once put"))
	}
	got := out.ScheduledActions[0].ScheduledActionARN
	if err := sameARN(kind, name, fileARN, got); err != nil {
		return err
	}
	return made(kind, name, got)
}

// arnUUID is the UUID an Application Auto Scaling ARN holds after kind
// (":scalingPolicy:UUID:resource/..."); "" when it has none.
func arnUUID(arn, kind string) string {
	_, rest, ok := strings.Cut(arn, kind)
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, ":")
	return id
}

// alarmUUID is the UUID that ends the name of a target tracking policy's
// alarm of a kind (TargetTracking-RESOURCE-AlarmHigh-UUID); "" when none
// has it.
func alarmUUID(alarms []aastypes.Alarm, kind string) string {
	for _, a := range alarms {
		if i := strings.LastIndex(a.AlarmName, "-"+kind+"-"); i >= 0 {
			return a.AlarmName[i+len(kind)+2:]
		}
	}
	return ""
}
