package instances

import (
	"context"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/store"
)

// What EC2 tells an instance about its role, in its instance metadata
// (iam/info and iam/security-credentials/ROLE): a Code, "Success" or why
// there are no credentials. The IAM User Guide names them ("Troubleshoot
// IAM and Amazon EC2", "What do the errors from the info document in the
// IAM subtree mean?",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_iam-ec2.html).
const (
	CodeSuccess = "Success"
	// CodeProfileNotFound: the instance profile was deleted (or deleted
	// and created again: another unique ID).
	CodeProfileNotFound = "InstanceProfileNotFound"
	// CodeAssumeRoleUnauthorized: the role's trust policy does not let
	// ec2.amazonaws.com assume it.
	CodeAssumeRoleUnauthorized = "AssumeRoleUnauthorizedAccess"
)

// msgNoRole: "The iam/info document indicates a Success but indicates
// "Message":"Instance Profile does not contain a role..."" (IAM User
// Guide, above): the role was removed from the profile.
const msgNoRole = "Instance Profile does not contain a role..."

// RoleCredentials is what the instance's metadata says of its role.
type RoleCredentials struct {
	// Code is CodeSuccess or why there are no credentials; Message says
	// more when it is not (or when the profile holds no role).
	Code, Message string
	LastUpdated   time.Time
	// The instance profile, as the instance was launched with it.
	InstanceProfileArn, InstanceProfileId string
	// RoleName is the role of the profile now, "" when it has none or the
	// profile is gone: no security-credentials/ROLE is served then.
	RoleName string
	// RoleArn is that role's ARN.
	RoleArn string
	// The role session's credentials, when Code is CodeSuccess.
	AccessKeyId, SecretAccessKey, Token string
	Expiration                          time.Time
}

// RoleCredentials answers what a running instance's metadata says of its
// role: the credentials of a session of its instance profile's current
// role, assumed by ec2.amazonaws.com through the role's trust policy with
// the instance ID as the session name, renewed within CredentialsRefresh
// of their expiry. A renewal that fails leaves the old credentials served
// while they last (EC2 tells the instance to "wait until the next
// automatically scheduled refresh"). rolecall reads the profile at each
// request: a role added, removed or replaced shows at once, where EC2
// takes until its next refresh. An instance that is not running is
// InvalidInstanceID.NotFound.
func (s *Service) RoleCredentials(ctx context.Context, account, id string) (*RoleCredentials, error) {
	r, err := s.load(ctx, account, id)
	if err != nil {
		return nil, err
	}
	if r.State != StateRunning {
		return nil, errNotFound(id)
	}
	now := s.clock.Now()
	out := &RoleCredentials{InstanceProfileArn: r.InstanceProfileArn, InstanceProfileId: r.InstanceProfileId, LastUpdated: now.UTC().Truncate(time.Second)}
	p, err := s.roles.InstanceProfile(ctx, account, r.InstanceProfileArn)
	if err != nil {
		return nil, err
	}
	switch {
	case p == nil || p.ID != r.InstanceProfileId:
		// rolecall's wording: the IAM User Guide gives the code only.
		out.Code = CodeProfileNotFound
		out.Message = "Instance Profile " + r.InstanceProfileArn + " (" + r.InstanceProfileId + ") does not exist: it was deleted. Attach a valid instance profile to the instance."
		return out, nil
	case p.RoleArn == "":
		out.Code, out.Message = CodeSuccess, msgNoRole
		return out, nil
	}
	out.RoleName, out.RoleArn = p.RoleName, p.RoleArn
	// The session is of the profile's role as it is now: not of another
	// role, nor of a role of that name deleted since (its sessions are
	// dead).
	sess := r.Session
	if sess != nil && (r.RoleArn != p.RoleArn || sess.Principal.RoleID != p.RoleID) {
		sess = nil
	}
	if sess == nil || !now.Before(sess.Expiration.Add(-CredentialsRefresh)) {
		fresh, err := s.roles.AssumeRole(ctx, account, r.Region, p.RoleArn, r.InstanceId)
		switch {
		case err == nil:
			if sess, err = s.renew(account, id, p.RoleArn, r.Session, fresh); err != nil {
				return nil, err
			}
		case !awserr.IsClient(err):
			return nil, err
		case sess == nil || !now.Before(sess.Expiration):
			// "EC2 cannot assume the role NAME.  Please see documentation
			// at http://docs.amazonwebservices.com/IAM/latest/UserGuide/RolesTroubleshooting.html."
			// (OctopusDeploy docs, 2018; public notes, 2020); the newer
			// link as aws-sdk-go-v2 users quote it (2025).
			out.Code = CodeAssumeRoleUnauthorized
			out.Message = "EC2 cannot assume the role " + p.RoleName + ".  Please see documentation at https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_iam-ec2.html#troubleshoot_iam-ec2_errors-info-doc."
			return out, nil
		}
	}
	out.Code = CodeSuccess
	out.LastUpdated = sess.IssuedAt.UTC()
	out.AccessKeyId, out.SecretAccessKey, out.Token, out.Expiration = sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken, sess.Expiration.UTC()
	return out, nil
}

// renew stores fresh as the instance's session of roleArn unless another
// request renewed it first (the stored session is no longer old), and
// returns the session now stored. An instance terminated meanwhile keeps
// none.
func (s *Service) renew(account, id, roleArn string, old, fresh *principal.Session) (*principal.Session, error) {
	out := fresh
	err := s.st.Update(func(tx store.Tx) error {
		out = fresh
		r, err := get(tx, account, id)
		if err != nil {
			return err
		}
		if r == nil || r.State != StateRunning {
			return errNotFound(id)
		}
		if r.RoleArn == roleArn && r.Session != nil && (old == nil || r.Session.AccessKeyID != old.AccessKeyID) {
			out = r.Session
			return nil
		}
		r.RoleArn, r.Session, r.LastUpdated = roleArn, fresh, fresh.IssuedAt
		return put(tx, r)
	})
	return out, err
}
