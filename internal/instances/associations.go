package instances

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// An instance's instance profile can be attached, replaced and detached
// while it runs ("Attach an IAM role to an instance", "Replace an IAM
// role", "Detach an IAM role",
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/attach-iam-role.html).
// EC2 answers associating (or disassociating) and gets there in a while;
// rolecall is there at once, and its metadata service gives the new
// role's credentials from the next request on.

// Association states (EC2 API reference, IamInstanceProfileAssociation).
const (
	AssociationAssociating    = "associating"
	AssociationAssociated     = "associated"
	AssociationDisassociating = "disassociating"
)

// Association is an instance's instance profile association.
type Association struct {
	AssociationId, InstanceId             string
	InstanceProfileArn, InstanceProfileId string
	State                                 string
	Timestamp                             time.Time
}

func associationOf(i *Instance, state string) *Association {
	a := &Association{AssociationId: i.AssociationId, InstanceId: i.InstanceId, InstanceProfileArn: i.InstanceProfileArn,
		InstanceProfileId: i.InstanceProfileId, State: state}
	if i.AssociatedAt != nil {
		a.Timestamp = *i.AssociatedAt
	}
	return a
}

// Associate gives a running instance of the Call's account and Region an
// instance profile, which must exist and hold a role the caller may pass
// to ec2.amazonaws.com (iam:PassRole); an instance that has one already
// is IncorrectState. Deciding ec2:AssociateIamInstanceProfile is the
// caller's.
func (s *Service) Associate(ctx context.Context, c Call, instanceID, profile string) (*Association, error) {
	if err := ValidID(instanceID); err != nil {
		return nil, err
	}
	if err := check(ctx, c); err != nil {
		return nil, err
	}
	r, err := s.loadIn(ctx, c, instanceID)
	if err != nil {
		return nil, err
	}
	if r.AssociationId != "" {
		return nil, errExistingAssociation(instanceID)
	}
	return s.associate(ctx, c, r, profile, "")
}

// Replace replaces the instance profile of an association of the Call's
// account and Region, as Associate gives one; the association gets a new
// ID.
func (s *Service) Replace(ctx context.Context, c Call, associationID, profile string) (*Association, error) {
	r, err := s.association(ctx, c, associationID)
	if err != nil {
		return nil, err
	}
	return s.associate(ctx, c, r, profile, associationID)
}

// associate gives r the instance profile, as long as its association is
// still current ("" none).
func (s *Service) associate(ctx context.Context, c Call, r *record, ref, current string) (*Association, error) {
	p, err := s.profileWithRole(ctx, c.Account, ref)
	if err != nil {
		return nil, err
	}
	if err := s.roles.PassRole(ctx, c, p.RoleArn, r.ARN()); err != nil {
		return nil, asUnauthorized(err)
	}
	now := s.now()
	var out *Association
	err = s.st.Update(func(tx store.Tx) error {
		cur, err := get(tx, c.Account, r.InstanceId)
		if err != nil {
			return err
		}
		if !visible(cur, c.Region, now) || cur.State != StateRunning {
			return errNotFound(r.InstanceId)
		}
		if cur.AssociationId != current {
			// Changed meanwhile.
			if current == "" {
				return errExistingAssociation(r.InstanceId)
			}
			return errAssociationNotFound(current)
		}
		cur.InstanceProfileArn, cur.InstanceProfileName, cur.InstanceProfileId = p.Arn, p.Name, p.ID
		cur.AssociationId, cur.AssociatedAt, cur.Session = s.associationID(), &now, nil
		if err := put(tx, cur); err != nil {
			return err
		}
		out = associationOf(&cur.Instance, AssociationAssociating)
		return nil
	})
	return out, err
}

// Disassociate takes an instance's instance profile away: its metadata
// service gives no role's credentials any more.
func (s *Service) Disassociate(ctx context.Context, c Call, associationID string) (*Association, error) {
	r, err := s.association(ctx, c, associationID)
	if err != nil {
		return nil, err
	}
	var out *Association
	err = s.st.Update(func(tx store.Tx) error {
		cur, err := get(tx, c.Account, r.InstanceId)
		if err != nil {
			return err
		}
		if cur == nil || cur.AssociationId != associationID {
			return errAssociationNotFound(associationID)
		}
		out = associationOf(&cur.Instance, AssociationDisassociating)
		cur.InstanceProfileArn, cur.InstanceProfileName, cur.InstanceProfileId = "", "", ""
		cur.AssociationId, cur.AssociatedAt, cur.Session = "", nil, nil
		return put(tx, cur)
	})
	return out, err
}

// AssociationInstance is the running instance of the Call's account and
// Region whose instance profile association is associationID:
// InvalidParameterValue for an ID that is not one,
// InvalidAssociationID.NotFound when there is none.
func (s *Service) AssociationInstance(ctx context.Context, c Call, associationID string) (*Instance, error) {
	r, err := s.association(ctx, c, associationID)
	if err != nil {
		return nil, err
	}
	out := r.Instance
	return &out, nil
}

func (s *Service) association(ctx context.Context, c Call, id string) (*record, error) {
	if err := validAssociationID(id); err != nil {
		return nil, err
	}
	if err := check(ctx, c); err != nil {
		return nil, err
	}
	now := s.now()
	var found *record
	err := s.st.View(func(tx store.Tx) error {
		return scanRecords(tx, c.Account, func(r *record) bool {
			if r.AssociationId == id && r.State == StateRunning && visible(r, c.Region, now) {
				found = r
			}
			return found == nil
		})
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, errAssociationNotFound(id)
	}
	return found, nil
}

// Associations is the instance profile associations of account's running
// instances in region: those named by ids (each must exist), or all; then
// those that match every filter (instance-id, state).
func (s *Service) Associations(ctx context.Context, account, region string, ids []string, filters []Filter) ([]Association, error) {
	for _, id := range ids {
		if err := validAssociationID(id); err != nil {
			return nil, err
		}
	}
	if err := CheckFilters(filters, associationFilters); err != nil {
		return nil, err
	}
	list, err := s.Describe(ctx, account, region, nil, []Filter{{Name: "instance-state-name", Values: []string{StateRunning}}})
	if err != nil {
		return nil, err
	}
	byID := map[string]*Instance{}
	for i := range list {
		if list[i].AssociationId != "" {
			byID[list[i].AssociationId] = &list[i]
		}
	}
	var picked []*Instance
	if len(ids) > 0 {
		for _, id := range ids {
			if byID[id] == nil {
				return nil, errAssociationNotFound(id)
			}
			picked = append(picked, byID[id])
		}
	} else {
		for i := range list {
			if list[i].AssociationId != "" {
				picked = append(picked, &list[i])
			}
		}
	}
	var out []Association
	for _, i := range picked {
		if matches(i, filters, associationFilters) {
			out = append(out, *associationOf(i, AssociationAssociated))
		}
	}
	return out, nil
}

// associationFilters are DescribeIamInstanceProfileAssociations' filters
// (EC2 API reference): instance-id, and state, which for rolecall's
// associations is always associated.
var associationFilters = map[string]func(*Instance) []string{
	"instance-id": func(i *Instance) []string { return []string{i.InstanceId} },
	"state":       func(*Instance) []string { return []string{AssociationAssociated} },
}

// loadIn is a running instance of the Call's account and Region.
func (s *Service) loadIn(ctx context.Context, c Call, id string) (*record, error) {
	r, err := s.load(ctx, c.Account, id)
	if err != nil {
		return nil, err
	}
	if r.Region != c.Region {
		return nil, errNotFound(id)
	}
	if r.State != StateRunning {
		return nil, ErrIncorrectState(id)
	}
	return r, nil
}

// validAssociationID checks an association ID's form: iip-assoc- and hex
// digits. Another is "InvalidParameterValue: Invalid value for
// associationId." (aws/aws-cli #2570: an instance ID given), status 400.
func validAssociationID(id string) error {
	rest, ok := strings.CutPrefix(id, "iip-assoc-")
	if !ok || rest == "" || len(rest) > 17 || !isHex(rest) {
		return awserr.New(http.StatusBadRequest, "InvalidParameterValue", "Invalid value for associationId.")
	}
	return nil
}

// errExistingAssociation: "IncorrectState: There is an existing
// association for instance i-00fd9028cfc49c644"
// (aws-samples/one-observability-demo #201), status 400.
func errExistingAssociation(id string) error {
	return awserr.New(http.StatusBadRequest, "IncorrectState", "There is an existing association for instance %s", id)
}

// errAssociationNotFound: EC2's code for an association it does not have;
// the text follows EC2's for other associations ("The association ID
// 'eipassoc-...' does not exist"), unverified for instance profile
// associations. Status 400.
func errAssociationNotFound(id string) error {
	return awserr.New(http.StatusBadRequest, "InvalidAssociationID.NotFound", "The association ID '%s' does not exist", id)
}

// ErrIncorrectState: an instance that is not running: EC2's code and
// first sentence ("IncorrectInstanceState: The instance 'i-...' is not in
// a valid state for this operation."), status 400.
func ErrIncorrectState(id string) error {
	return awserr.New(http.StatusBadRequest, "IncorrectInstanceState", "The instance '%s' is not in a valid state for this operation.", id)
}
