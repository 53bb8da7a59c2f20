// Package instances is rolecall's simulated EC2 instances, as far as
// roles go: an instance is launched with an instance profile (what EC2's
// RunInstances does with IamInstanceProfile), and EC2 then delivers the
// credentials of the profile's role to it, renewed before they expire,
// through its instance metadata service (internal/imds serves them). No
// machine runs.
//
// It knows no wire format and no IAM or STS internals: what it needs of
// them (the instance profile, the caller's iam:PassRole, ec2.amazonaws.com
// assuming the role) goes through Roles, which internal/app wires to IAM,
// STS and the one authorizer.
//
// "IAM roles for Amazon EC2":
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html
package instances

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/store"
)

// PrincipalEC2 is the service principal that assumes an instance's role.
const PrincipalEC2 = "ec2.amazonaws.com"

// States of an instance (EC2's InstanceState names). rolecall's instances
// run as soon as they are launched and are terminated at once.
const (
	StateRunning    = "running"
	StateTerminated = "terminated"
)

// What an instance is, as far as the instance identity document goes:
// "Instance identity documents",
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-identity-documents.html.
const (
	DefaultInstanceType = "t3.medium"
	DefaultArchitecture = "x86_64"
)

// terminatedRetention is how long a terminated instance stays listed: EC2
// keeps it visible "for a short while (up to an hour)"
// (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/terminating-instances.html).
const terminatedRetention = time.Hour

// CredentialsRefresh is how long before they expire an instance's role
// credentials are renewed: EC2 makes new credentials available "at least
// five minutes before the expiration of the old credentials"
// (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html,
// iam/security-credentials/role-name). rolecall renews 15 minutes before,
// so that SDKs that refresh 10 minutes ahead (botocore) always get new ones.
const CredentialsRefresh = 15 * time.Minute

// bucket holds the instances: "<account>/<instance id>" -> record.
const bucket = "ec2-instances"

// Roles is what EC2 needs of IAM, STS and the authorizer.
type Roles interface {
	// InstanceProfile is the instance profile account names by name or
	// ARN, as IAM keeps it; nil when there is none (or the ARN is another
	// account's: EC2 launches with the caller's own profiles only).
	InstanceProfile(ctx context.Context, account, ref string) (*Profile, error)
	// PassRole decides the caller's iam:PassRole of roleArn to
	// ec2.amazonaws.com for the instance instanceArn.
	PassRole(ctx context.Context, c Call, roleArn, instanceArn string) error
	// AssumeRole has ec2.amazonaws.com assume roleArn for the instance
	// (session = the instance ID), through STS and its trust policy.
	AssumeRole(ctx context.Context, account, region, roleArn, session string) (*principal.Session, error)
}

// Profile is an instance profile as IAM keeps it now.
type Profile struct {
	Arn, Name, ID string
	// RoleArn, RoleName and RoleID are the role in it; "" when it has
	// none. A role deleted and created again under its name has another
	// RoleID.
	RoleArn, RoleName, RoleID string
}

// Call is who acts, in which account and Region.
type Call struct {
	Account, Region string
	Principal       *principal.Principal
}

// Config is what the service is built from.
type Config struct {
	Store store.Store
	Clock ids.Clock
	IDs   ids.Generator
	Roles Roles
}

// Service is the simulated EC2 instances.
type Service struct {
	st    store.Store
	clock ids.Clock
	gen   ids.Generator
	roles Roles
}

// New returns the service.
func New(c Config) *Service {
	return &Service{st: c.Store, clock: c.Clock, gen: c.IDs, roles: c.Roles}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Second) }

// Instance is an instance as rolecall answers it.
type Instance struct {
	InstanceId, Account, Region, AvailabilityZone  string
	InstanceType, ImageId, PrivateIp, Architecture string
	// The instance profile it was launched with, as it was then: EC2 keeps
	// the profile's unique ID, so that a profile deleted and created
	// again with the same name is not the instance's.
	InstanceProfileArn, InstanceProfileName, InstanceProfileId string
	State                                                      string
	LaunchTime                                                 time.Time
	TerminatedAt                                               *time.Time `json:",omitempty"`
	// LaunchedBy is the ARN of the principal that launched it.
	LaunchedBy string
	// MetadataPort is the loopback port its instance metadata service
	// listens on (internal/imds).
	MetadataPort int
	// RoleArn is the role whose credentials it was last given; "" before
	// the first delivery.
	RoleArn string `json:",omitempty"`
	// ReservationId is the launch it was one of (r-...).
	ReservationId string `json:",omitempty"`
	// AssociationId is its instance profile association (iip-assoc-...),
	// made at launch or by AssociateIamInstanceProfile, at AssociatedAt;
	// "" when it has no instance profile.
	AssociationId string     `json:",omitempty"`
	AssociatedAt  *time.Time `json:",omitempty"`
	// Tags are its tags: those it is launched with (by the account, or
	// by a service launching it), and the system tags EC2 adds.
	Tags map[string]string `json:",omitempty"`
	// Operator is the service principal that manages it, "" for an
	// instance of the account's own: an EC2 managed instance
	// (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/amazon-ec2-managed-instances.html),
	// such as ECS Managed Instances launches.
	Operator string `json:",omitempty"`
	// ClientToken is the token of the RunInstances that launched it.
	ClientToken string `json:",omitempty"`
}

// fill gives an instance kept by a rolecall from before reservations and
// associations the IDs it lacks, derived from its own so that they do
// not change from one answer to the next.
func (i *Instance) fill() {
	hex := strings.TrimPrefix(i.InstanceId, "i-")
	if i.ReservationId == "" {
		i.ReservationId = "r-" + hex
	}
	if i.AssociationId == "" && i.InstanceProfileArn != "" {
		i.AssociationId, i.AssociatedAt = "iip-assoc-"+hex, &i.LaunchTime
	}
}

// ARN is the instance's ARN.
func (i *Instance) ARN() string { return InstanceARN(i.Region, i.Account, i.InstanceId) }

// Hostname is the instance's private DNS name: ip-10-0-1-2.ec2.internal
// in us-east-1, ip-10-0-1-2.REGION.compute.internal elsewhere (EC2 User
// Guide, "Amazon EC2 instance hostname types").
func (i *Instance) Hostname() string {
	h := "ip-" + strings.ReplaceAll(i.PrivateIp, ".", "-")
	if i.Region == "us-east-1" {
		return h + ".ec2.internal"
	}
	return h + "." + i.Region + ".compute.internal"
}

// InstanceARN is arn:aws:ec2:REGION:ACCOUNT:instance/ID.
func InstanceARN(region, account, id string) string {
	return "arn:aws:ec2:" + region + ":" + account + ":instance/" + id
}

// record is what the store keeps: rolecall's own shape (internal/app,
// state.go), the instance and the role session EC2 delivers to it.
type record struct {
	Instance
	// Session is the role session the instance is given, of RoleArn;
	// LastUpdated is when it was issued.
	Session     *principal.Session `json:",omitempty"`
	LastUpdated time.Time          `json:",omitempty"`
}

func key(account, id string) string { return account + "/" + id }

func get(tx store.Tx, account, id string) (*record, error) {
	b, ok := tx.Get(bucket, key(account, id))
	if !ok {
		return nil, nil
	}
	return decode(key(account, id), b)
}

// decode reads the record kept at k.
func decode(k string, b []byte) (*record, error) {
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("instances: corrupt record %s: %w", k, err)
	}
	r.fill()
	return &r, nil
}

func put(tx store.Tx, r *record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Put(bucket, key(r.Account, r.InstanceId), b)
}

// LaunchInput is what a launch names.
type LaunchInput struct {
	// InstanceProfile is the instance profile's name or ARN
	// (IamInstanceProfile.Name or .Arn).
	InstanceProfile string
	// MetadataPort is the loopback port its metadata service listens on.
	MetadataPort int
}

// Launch launches one instance with an instance profile (Run).
func (s *Service) Launch(ctx context.Context, c Call, in LaunchInput) (*Instance, error) {
	if in.InstanceProfile == "" {
		return nil, errInvalidProfile(in.InstanceProfile)
	}
	res, err := s.Run(ctx, c, RunInput{InstanceProfile: in.InstanceProfile, MinCount: 1, MaxCount: 1, MetadataPorts: []int{in.MetadataPort}})
	if err != nil {
		return nil, err
	}
	return &res.Instances[0], nil
}

// ManagedLaunchInput is what a service launching an instance on the
// account's behalf names.
type ManagedLaunchInput struct {
	LaunchInput
	// Operator is the service principal that manages the instance
	// (ecs.amazonaws.com); LaunchedBy the ARN of the principal it launches
	// it as (the role session of ECS's infrastructure role).
	Operator, LaunchedBy string
	// Tags are the instance's tags.
	Tags map[string]string
}

// LaunchManaged launches an EC2 managed instance in the Call's account and
// Region with an instance profile, as a service does on the account's
// behalf (ECS Managed Instances with a capacity provider's infrastructure
// role). The service decides its own permissions first, iam:PassRole of
// the profile's role to ec2.amazonaws.com included, with the role it acts
// with: none is decided here. The profile must exist and hold a role, as
// for Launch; EC2 adds its system tag aws:ec2:managed-launch
// ("Tags for Amazon ECS Managed Instances",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/instance-details-tags-managed-instances.html).
func (s *Service) LaunchManaged(ctx context.Context, c Call, in ManagedLaunchInput) (*Instance, error) {
	if in.Operator == "" || in.LaunchedBy == "" {
		return nil, errors.New("instances: a managed launch names its operator and who launches it")
	}
	if in.InstanceProfile == "" {
		return nil, errInvalidProfile(in.InstanceProfile)
	}
	tags := map[string]string{}
	for k, v := range in.Tags {
		tags[k] = v
	}
	tags["aws:ec2:managed-launch"] = managedLaunchTag(in.Operator)
	res, err := s.run(ctx, c, RunInput{InstanceProfile: in.InstanceProfile, MinCount: 1, MaxCount: 1, MetadataPorts: []int{in.MetadataPort}, Tags: tags},
		&managed{operator: in.Operator, launchedBy: in.LaunchedBy})
	if err != nil {
		return nil, err
	}
	return &res.Instances[0], nil
}

// managedLaunchTag is the value of EC2's aws:ec2:managed-launch tag for an
// operator: "ecs-managed-instances" for ECS (the page above); another
// operator's is unverified.
func managedLaunchTag(operator string) string {
	if operator == "ecs.amazonaws.com" {
		return "ecs-managed-instances"
	}
	return strings.TrimSuffix(operator, ".amazonaws.com") + "-managed-instances"
}

// instanceID is "i-" and 17 lower-case hex digits, as EC2's are.
func (s *Service) instanceID() string {
	h := s.hex()
	return "i-" + h[len(h)-17:]
}

// hex is 32 hex digits from the ID generator (its last ones vary the
// most).
func (s *Service) hex() string { return strings.ReplaceAll(s.gen.UUID(), "-", "") }

func hexByte(h string) int {
	var v int
	fmt.Sscanf(h, "%02x", &v)
	return v
}

// purgeTerminated deletes the account's instances terminated before cut.
func purgeTerminated(tx store.Tx, account string, cut time.Time) error {
	var old []string
	err := tx.Scan(bucket, account+"/", "", func(k string, b []byte) bool {
		var r record
		if json.Unmarshal(b, &r) == nil && r.TerminatedAt != nil && r.TerminatedAt.Before(cut) {
			old = append(old, k)
		}
		return true
	})
	if err != nil {
		return err
	}
	for _, k := range old {
		if err := tx.Delete(bucket, k); err != nil {
			return err
		}
	}
	return nil
}

// Get is an instance of account, running or terminated a short while ago;
// EC2's InvalidInstanceID.NotFound when there is none (another account's
// instances included).
func (s *Service) Get(ctx context.Context, account, id string) (*Instance, error) {
	if err := ValidID(id); err != nil {
		return nil, err
	}
	r, err := s.load(ctx, account, id)
	if err != nil {
		return nil, err
	}
	out := r.Instance
	return &out, nil
}

func (s *Service) load(ctx context.Context, account, id string) (*record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var r *record
	err := s.st.View(func(tx store.Tx) error {
		var err error
		r, err = get(tx, account, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !visible(r, "", s.now()) {
		return nil, errNotFound(id)
	}
	return r, nil
}

// List is account's instances, in ID order.
func (s *Service) List(ctx context.Context, account string) ([]Instance, error) {
	return s.scan(ctx, account+"/", true)
}

// Running is every account's running instances: their metadata services
// listen while rolecall runs.
func (s *Service) Running(ctx context.Context) ([]Instance, error) {
	return s.scan(ctx, "", false)
}

func (s *Service) scan(ctx context.Context, prefix string, terminated bool) ([]Instance, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cut := s.now().Add(-terminatedRetention)
	var out []Instance
	err := s.st.View(func(tx store.Tx) error {
		out = nil
		var bad error
		err := tx.Scan(bucket, prefix, "", func(k string, b []byte) bool {
			r, err := decode(k, b)
			if err != nil {
				bad = err
				return false
			}
			switch {
			case r.State == StateRunning:
			case !terminated, r.TerminatedAt == nil || !r.TerminatedAt.After(cut):
				return true
			}
			out = append(out, r.Instance)
			return true
		})
		if bad != nil {
			return bad
		}
		return err
	})
	return out, err
}

// SetMetadataPort records the port an instance's metadata service now
// listens on (another, when its own was taken at start-up).
func (s *Service) SetMetadataPort(ctx context.Context, account, id string, port int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.st.Update(func(tx store.Tx) error {
		r, err := get(tx, account, id)
		if err != nil || r == nil {
			return err
		}
		r.MetadataPort = port
		return put(tx, r)
	})
}

// Terminate terminates an instance of the Call's account, in the
// instance's Region (the Call's is not looked at); Terminate.
func (s *Service) Terminate(ctx context.Context, c Call, id string) (inst *Instance, previous string, err error) {
	i, err := s.Get(ctx, c.Account, id)
	if err != nil {
		return nil, "", err
	}
	c.Region = i.Region
	changes, err := s.TerminateInstances(ctx, c, []string{id}, false)
	if err != nil {
		return nil, "", err
	}
	return &changes[0].Instance, changes[0].Previous, nil
}

// StateChange is an instance terminated, and the state it was in.
type StateChange struct {
	Instance
	Previous string
}

// TerminateInstances terminates instances of the Call's account and
// Region (deciding ec2:TerminateInstances is the caller's); terminating a
// terminated one answers it again, as EC2 does. Every ID must be well
// formed and name an instance there, or none is terminated. dryRun checks
// and terminates nothing: DryRunOperation.
func (s *Service) TerminateInstances(ctx context.Context, c Call, ids []string, dryRun bool) ([]StateChange, error) {
	for _, id := range ids {
		if err := ValidID(id); err != nil {
			return nil, err
		}
	}
	if err := check(ctx, c); err != nil {
		return nil, err
	}
	now := s.now()
	var out []StateChange
	err := s.st.Update(func(tx store.Tx) error {
		out = nil
		var recs []*record
		var missing []string
		for _, id := range ids {
			r, err := get(tx, c.Account, id)
			if err != nil {
				return err
			}
			if !visible(r, c.Region, now) {
				missing = append(missing, id)
				continue
			}
			recs = append(recs, r)
		}
		if len(missing) > 0 {
			return errNotFound(missing...)
		}
		if dryRun {
			return ErrDryRun()
		}
		for _, r := range recs {
			previous := r.State
			if r.State != StateTerminated {
				r.State, r.TerminatedAt, r.Session = StateTerminated, &now, nil
				if err := put(tx, r); err != nil {
					return err
				}
			}
			out = append(out, StateChange{Instance: r.Instance, Previous: previous})
		}
		return nil
	})
	return out, err
}

// visible: r is an instance of region ("" any) EC2 still answers for at
// now, running or terminated a short while ago.
func visible(r *record, region string, now time.Time) bool {
	return r != nil && (region == "" || r.Region == region) &&
		(r.TerminatedAt == nil || now.Before(r.TerminatedAt.Add(terminatedRetention)))
}

// InstanceRole is the role of the sessions EC2 delivered to a running
// instance of account (RoleArn), "" when the instance is not running or
// has been given none.
func (s *Service) InstanceRole(ctx context.Context, account, id string) (string, error) {
	if ValidID(id) != nil {
		return "", nil
	}
	r, err := s.load(ctx, account, id)
	if awserr.IsClient(err) {
		return "", nil
	}
	if err != nil || r.State != StateRunning {
		return "", err
	}
	return r.RoleArn, nil
}

// Agent is what an instance's ECS agent has to act with: whether the
// instance runs, and the role of the credentials its metadata service
// gives now, the profile's current role (ARN and unique ID), "" when the
// profile holds none or is gone.
type Agent struct {
	Running         bool
	RoleArn, RoleID string
}

// AgentRole is Agent for instance id of account; a wrong or unknown ID is
// an instance that does not run.
func (s *Service) AgentRole(ctx context.Context, account, id string) (Agent, error) {
	if ValidID(id) != nil {
		return Agent{}, nil
	}
	r, err := s.load(ctx, account, id)
	if awserr.IsClient(err) {
		return Agent{}, nil
	}
	if err != nil || r.State != StateRunning {
		return Agent{}, err
	}
	if r.InstanceProfileArn == "" {
		return Agent{Running: true}, nil
	}
	p, err := s.roles.InstanceProfile(ctx, account, r.InstanceProfileArn)
	if err != nil {
		return Agent{}, err
	}
	a := Agent{Running: true}
	if p != nil && p.ID == r.InstanceProfileId {
		a.RoleArn, a.RoleID = p.RoleArn, p.RoleID
	}
	return a, nil
}

func check(ctx context.Context, c Call) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.Account == "" || c.Region == "" {
		return errors.New("instances: account and region required")
	}
	return nil
}

// ValidID checks an instance ID's form: "i-" and 8 or 17 lower-case hex
// digits. Another is EC2's InvalidInstanceID.Malformed.
func ValidID(id string) error {
	rest, ok := strings.CutPrefix(id, "i-")
	if !ok || (len(rest) != 8 && len(rest) != 17) || !isHex(rest) {
		return errMalformed(id)
	}
	return nil
}

// EC2's answers. EC2 answers over its own query protocol; rolecall's
// endpoint carries the same codes and texts.

// errInvalidProfile: RunInstances with an instance profile that does not
// exist: "InvalidParameterValue: Value (NAME) for parameter
// iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name",
// status 400 (hashicorp/terraform-provider-aws #27516, CiscoDevNet/cloud-cml
// #4, nextflow-io/nextflow #617); for an ARN, "Value (arn:...) for
// parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance
// Profile ARN" (AssociateIamInstanceProfile, lacework/go-sdk #1045).
func errInvalidProfile(ref string) error {
	if strings.HasPrefix(ref, "arn:") {
		return awserr.New(http.StatusBadRequest, "InvalidParameterValue",
			"Value (%s) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN", ref)
	}
	return awserr.New(http.StatusBadRequest, "InvalidParameterValue",
		"Value (%s) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name", ref)
}

// errEmptyProfile: "Empty instance profiles will fail with an AccessDenied
// error" (IAM User Guide, "Troubleshoot IAM and Amazon EC2",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_iam-ec2.html);
// EC2's AccessDenied is UnauthorizedOperation, 403. The text after EC2's
// first sentence is rolecall's wording.
func errEmptyProfile(name string) error {
	return awserr.New(http.StatusForbidden, "UnauthorizedOperation",
		"You are not authorized to perform this operation. The instance profile %s contains no role: add one (aws iam add-role-to-instance-profile) before launching with it.", name)
}

// asUnauthorized is an AccessDenied of the authorizer (iam:PassRole, which
// IAM words) as EC2 answers it: UnauthorizedOperation, the same text.
func asUnauthorized(err error) error { return awserr.UnauthorizedOperationFor(err) }

// AsUnauthorized is asUnauthorized for the endpoint's own decisions
// (ec2:RunInstances, ec2:TerminateInstances).
func AsUnauthorized(err error) error { return asUnauthorized(err) }

// errNotFound: "InvalidInstanceID.NotFound: The instance ID
// 'i-1234567890abcdef0' does not exist" (EC2 API reference, "Error
// codes"); for several, "The instance IDs 'i-0f5d8ccc56c69fae4,
// i-0eecca434287a1a33' do not exist" (getmoto/moto #4903, from AWS);
// status 400.
func errNotFound(ids ...string) error {
	if len(ids) > 1 {
		return awserr.New(http.StatusBadRequest, "InvalidInstanceID.NotFound", "The instance IDs '%s' do not exist", strings.Join(ids, ", "))
	}
	return awserr.New(http.StatusBadRequest, "InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", ids[0])
}

// errMalformed: "InvalidInstanceID.Malformed: Invalid id: \"i-foo\"
// (expecting \"i-...\")" (EC2 API reference, "Error codes"; the text as
// the CLI prints it), status 400.
func errMalformed(id string) error {
	return awserr.New(http.StatusBadRequest, "InvalidInstanceID.Malformed", "Invalid id: %q (expecting \"i-...\")", id)
}
