package instances

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/store"
)

// InstanceLimit is how many instances may run in an account and Region:
// EC2's old default On-Demand limit, which keeps one account's requests
// from opening ports without end (each instance has its own metadata
// service).
const InstanceLimit = 20

// RunInput is what a RunInstances names, as far as rolecall keeps it.
type RunInput struct {
	// InstanceProfile is the instance profile's name or ARN
	// (IamInstanceProfile.Name or .Arn); "" launches without one, as EC2
	// allows.
	InstanceProfile string
	// ImageId is the AMI ("" for one of rolecall's, the same for the
	// whole reservation); InstanceType "" is DefaultInstanceType.
	ImageId, InstanceType string
	// Tags are the instances' tags (TagSpecifications of resource type
	// instance).
	Tags map[string]string
	// MinCount and MaxCount are how many instances to launch: as many as
	// MaxCount while the account's instance limit allows, at least
	// MinCount.
	MinCount, MaxCount int
	// MetadataPorts are the loopback ports their metadata services listen
	// on, one for each instance launched (internal/imds opens MaxCount).
	MetadataPorts []int
	// DryRun decides everything and launches nothing: DryRunOperation.
	DryRun bool
	// ClientToken makes the launch idempotent: a launch repeated with the
	// token of an earlier one in the account and Region answers that
	// one's reservation and launches nothing (the SDKs fill it and keep
	// it across their retries; "Ensure idempotency in Amazon EC2 API
	// requests", https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-idempotency.html).
	ClientToken string
}

// Reservation is one launch: its instances.
type Reservation struct {
	ReservationId, OwnerId string
	Instances              []Instance
}

// Run launches instances in the Call's account and Region, as RunInstances
// does: an instance profile, when named, must exist in the caller's
// account and hold a role, and the caller must be allowed to pass the role
// to ec2.amazonaws.com for each instance (iam:PassRole, "Grant permissions
// to attach an IAM role to an instance",
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/permission-to-pass-iam-roles.html).
// Deciding ec2:RunInstances itself is the caller's (internal/api/ec2api,
// internal/imds). Nothing is kept unless every instance may be launched.
func (s *Service) Run(ctx context.Context, c Call, in RunInput) (*Reservation, error) {
	return s.run(ctx, c, in, nil)
}

// managed is a launch a service makes on the account's behalf: it decided
// its permissions (iam:PassRole included) with the role it acts with
// (launchedBy, a session of it), and operates the instance.
type managed struct{ operator, launchedBy string }

// run is Run, or, with m, a managed launch: no iam:PassRole decided here,
// and not held to the account's instance limit (the service launches what
// its tasks need).
func (s *Service) run(ctx context.Context, c Call, in RunInput, m *managed) (*Reservation, error) {
	if err := check(ctx, c); err != nil {
		return nil, err
	}
	if err := checkCounts(in.MinCount, in.MaxCount); err != nil {
		return nil, err
	}
	if in.ImageId != "" {
		if err := validImageID(in.ImageId); err != nil {
			return nil, err
		}
	}
	var p *Profile
	if in.InstanceProfile != "" {
		var err error
		if p, err = s.profileWithRole(ctx, c.Account, in.InstanceProfile); err != nil {
			return nil, err
		}
	}
	hex := s.hex()
	res := &Reservation{ReservationId: "r-" + hex[len(hex)-17:], OwnerId: c.Account}
	image := in.ImageId
	if image == "" {
		image = "ami-" + s.hex()[15:]
	}
	typ := in.InstanceType
	if typ == "" {
		typ = DefaultInstanceType
	}
	caller := principal.RootUser(c.Account).ARN
	if c.Principal != nil {
		caller = c.Principal.ARN
	}
	operator := ""
	if m != nil {
		caller, operator = m.launchedBy, m.operator
	}
	now := s.now()
	var recs []*record
	// No more than the limit can run: no more are prepared.
	for i := 0; i < min(in.MaxCount, InstanceLimit); i++ {
		id := s.instanceID()
		if p != nil && m == nil {
			if err := s.roles.PassRole(ctx, c, p.RoleArn, InstanceARN(c.Region, c.Account, id)); err != nil {
				return nil, asUnauthorized(err)
			}
		}
		h := s.hex()
		r := &record{Instance: Instance{
			InstanceId: id, Account: c.Account, Region: c.Region, AvailabilityZone: c.Region + "a",
			InstanceType: typ, ImageId: image, Architecture: DefaultArchitecture,
			PrivateIp: fmt.Sprintf("10.0.%d.%d", hexByte(h[:2]), 1+hexByte(h[2:4])%254),
			State:     StateRunning, LaunchTime: now, LaunchedBy: caller, ReservationId: res.ReservationId,
			Tags: maps.Clone(in.Tags), Operator: operator, ClientToken: in.ClientToken,
		}}
		if i < len(in.MetadataPorts) {
			r.MetadataPort = in.MetadataPorts[i]
		}
		if p != nil {
			r.InstanceProfileArn, r.InstanceProfileName, r.InstanceProfileId = p.Arn, p.Name, p.ID
			r.AssociationId, r.AssociatedAt = s.associationID(), &now
		}
		recs = append(recs, r)
	}
	if in.DryRun {
		return nil, ErrDryRun()
	}
	err := s.st.Update(func(tx store.Tx) error {
		if err := purgeTerminated(tx, c.Account, now.Add(-terminatedRetention)); err != nil {
			return err
		}
		running := 0
		if err := scanRecords(tx, c.Account, func(r *record) bool {
			if r.Region == c.Region && r.State == StateRunning {
				running++
			}
			return true
		}); err != nil {
			return err
		}
		if in.ClientToken != "" {
			var earlier []*record
			if err := scanRecords(tx, c.Account, func(r *record) bool {
				if r.Region == c.Region && r.ClientToken == in.ClientToken {
					earlier = append(earlier, r)
				}
				return true
			}); err != nil {
				return err
			}
			if len(earlier) > 0 {
				// In DescribeInstances' order within a reservation.
				slices.SortFunc(earlier, func(a, b *record) int { return strings.Compare(a.InstanceId, b.InstanceId) })
				recs = earlier
				res.ReservationId = earlier[0].ReservationId
				return nil
			}
		}
		if m != nil {
			running = 0
		}
		if running+in.MinCount > InstanceLimit {
			return errInstanceLimit(running + in.MinCount)
		}
		recs = recs[:min(len(recs), InstanceLimit-running)]
		for _, r := range recs {
			if err := put(tx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		res.Instances = append(res.Instances, r.Instance)
	}
	return res, nil
}

// profileWithRole is the instance profile ref names in account, which
// must exist and hold a role.
func (s *Service) profileWithRole(ctx context.Context, account, ref string) (*Profile, error) {
	p, err := s.roles.InstanceProfile(ctx, account, ref)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, errInvalidProfile(ref)
	}
	if p.RoleArn == "" {
		return nil, errEmptyProfile(p.Name)
	}
	return p, nil
}

// associationID is "iip-assoc-" and 17 hex digits, as EC2's are.
func (s *Service) associationID() string {
	h := s.hex()
	return "iip-assoc-" + h[len(h)-17:]
}

// scanRecords calls fn with each of account's instances until it answers
// false.
func scanRecords(tx store.Tx, account string, fn func(*record) bool) error {
	var bad error
	err := tx.Scan(bucket, account+"/", "", func(k string, b []byte) bool {
		r, err := decode(k, b)
		if err != nil {
			bad = err
			return false
		}
		return fn(r)
	})
	if bad != nil {
		return bad
	}
	return err
}

// validImageID checks an AMI ID's form: "ami-" and 8 or 17 lower-case hex
// digits (a 16-digit one is malformed too, boto/boto3 #1505). rolecall
// keeps no images: any AMI of that form launches.
func validImageID(id string) error {
	rest, ok := strings.CutPrefix(id, "ami-")
	if !ok || !isHex(rest) || len(rest) != 8 && len(rest) != 17 {
		return errImageMalformed(id)
	}
	return nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// ErrDryRun is EC2's answer to a DryRun request that would have
// succeeded: "DryRunOperation: Request would have succeeded, but DryRun
// flag is set." (EC2 API reference, "Error codes"), status 412.
func ErrDryRun() error {
	return awserr.New(http.StatusPreconditionFailed, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
}

// errImageMalformed: `InvalidAMIID.Malformed: Invalid id: "{var.ami_id}"
// (expecting "ami-...")` (hashicorp/terraform #22172), status 400.
func errImageMalformed(id string) error {
	return awserr.New(http.StatusBadRequest, "InvalidAMIID.Malformed", "Invalid id: %q (expecting \"ami-...\")", id)
}

// checkCounts: "InvalidParameterValue: Maximum instance count must be
// greater than zero" (jenkinsci/ec2-plugin #252), status 400; the same
// for the minimum, and a minimum above the maximum, by analogy
// (unverified).
func checkCounts(minCount, maxCount int) error {
	switch {
	case maxCount < 1:
		return awserr.New(http.StatusBadRequest, "InvalidParameterValue", "Maximum instance count must be greater than zero")
	case minCount < 1:
		return awserr.New(http.StatusBadRequest, "InvalidParameterValue", "Minimum instance count must be greater than zero")
	case minCount > maxCount:
		return awserr.New(http.StatusBadRequest, "InvalidParameterValue", "Minimum instance count must be less than or equal to maximum instance count")
	}
	return nil
}

// errInstanceLimit: "InstanceLimitExceeded: You have requested more
// instances (21) than your current instance limit of 20 allows for the
// specified instance type. Please visit
// http://aws.amazon.com/contact-us/ec2-request to request an adjustment to
// this limit." (saltstack/salt-ci-images #716), status 400. rolecall
// counts every running instance of the account in the Region.
func errInstanceLimit(n int) error {
	return awserr.New(http.StatusBadRequest, "InstanceLimitExceeded",
		"You have requested more instances (%d) than your current instance limit of %d allows for the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.", n, InstanceLimit)
}
