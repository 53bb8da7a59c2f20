package iam

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/policy"
	"github.com/rolecall/rolecall/internal/store"
)

// A trust policy binds the users and roles it names to their unique IDs,
// as IAM does: "If your Principal element in a role trust policy contains
// an ARN that points to a specific IAM role, then that ARN transforms to
// the role's unique principal ID when you save the policy. This helps
// mitigate the risk of someone escalating their privileges by removing
// and recreating the role. ... if you delete the role, then you break the
// relationship. The policy no longer applies, even if you recreate the
// role because the new role has a new principal ID that does not match
// the ID stored in the trust policy. When this happens, the principal ID
// appears in resource-based policies because AWS can no longer map it back
// to a valid ARN." (IAM User Guide, "AWS JSON policy elements: Principal",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
//
// rolecall keeps the document as written and, beside it, which unique ID
// each user or role principal named when it was saved. The authorizer
// evaluates the document with the IDs in place (RoleTrust); GetRole and
// ListRoles show each ID as the ARN of the entity that has it, or as the
// ID once there is none.

// trustBinding ties an "AWS" principal of a trust policy, as written (an
// ARN, or a unique ID), to the unique ID it named when the policy was
// saved.
type trustBinding struct {
	Value, ID string
}

// bucketIDs indexes users and roles by unique ID: ID -> idRecord.
const bucketIDs = "iam-unique-ids"

type idRecord struct {
	Account, Kind, Name string // kind: kindUser or kindRole
}

func putID(tx store.Tx, id, account, kind, name string) error {
	return putJSON(tx, bucketIDs, id, &idRecord{Account: account, Kind: kind, Name: name})
}

func deleteID(tx store.Tx, id string) error { return tx.Delete(bucketIDs, id) }

// bindTrust checks the "AWS" principals of a trust policy and binds each
// user and role to its unique ID; its "Federated" provider ARNs are
// checked by checkFederated. A user or role ARN must name one that
// exists, in any account (`Invalid principal in policy:
// "AWS":"arn:aws:iam::ACCOUNT:role/NAME"`, aws-facts.md); a unique ID is
// kept as written (IAM accepts them: a policy saved with the IDs of
// deleted principals can be saved again).
func bindTrust(tx store.Tx, d *policy.Document) ([]trustBinding, error) {
	if d == nil {
		return nil, nil
	}
	var out []trustBinding
	for _, v := range d.AWSPrincipals() {
		if policy.IsUniqueID(v) {
			out = append(out, trustBinding{Value: v, ID: v})
			continue
		}
		kind, account, path, name, ok := userOrRole(v)
		if !ok {
			continue // an account, a root, a session: nothing to bind
		}
		id, err := idAt(tx, kind, account, path, name)
		if err != nil {
			return nil, err
		}
		if id == "" {
			return nil, policy.InvalidPrincipal(policy.InvalidPrincipalAWS, v)
		}
		out = append(out, trustBinding{Value: v, ID: id})
	}
	return out, nil
}

// checkFederated checks the "Federated" principals that are IAM identity
// provider ARNs: each must name a SAML or OpenID Connect provider that
// exists, in the account its ARN names, as a user or role ARN must. A
// provider is not bound to an ID: deleted, its ARN stays in the trust
// policies that name it (which then let no one in, STS finding no
// provider), and a provider created again under it is trusted again.
// Domain names (accounts.google.com, cognito-identity.amazonaws.com) name
// no IAM entity and pass.
func checkFederated(tx store.Tx, d *policy.Document) error {
	for _, v := range d.FederatedPrincipals() {
		a, err := arn.Parse(v)
		if err != nil || a.Service != "iam" {
			continue
		}
		var exists bool
		switch kind, _, _ := strings.Cut(a.Resource, "/"); kind {
		case "oidc-provider":
			key, ok, err := oidcProviderKey(a.Account, v)
			if err != nil {
				return err
			}
			_, exists = tx.Get(bucketOIDCProviders, key)
			exists = exists && ok
		case "saml-provider":
			p, err := loadSAMLProvider(tx, a.Account, v)
			if err != nil && awserr.Code(err) != "NoSuchEntity" {
				return err
			}
			exists = p != nil
		default:
			continue
		}
		if !exists {
			return policy.InvalidPrincipal(policy.InvalidPrincipalFederated, v)
		}
	}
	return nil
}

// userOrRole reads a user or role ARN.
func userOrRole(v string) (kind, account, path, name string, ok bool) {
	a, err := arn.Parse(v)
	if err != nil || a.Service != "iam" {
		return "", "", "", "", false
	}
	kind, rest, _ := strings.Cut(a.Resource, "/")
	if kind != kindRole && kind != kindUser || rest == "" {
		return "", "", "", "", false
	}
	i := strings.LastIndexByte(rest, '/') // -1 for an entity at "/"
	return kind, a.Account, "/" + rest[:i+1], rest[i+1:], true
}

// idAt is the unique ID of the user or role at path/name in account; ""
// when there is none.
func idAt(tx store.Tx, kind, account, path, name string) (string, error) {
	if kind == kindRole {
		var r roleRecord
		ok, err := getJSON(tx, bucketRoles, entityKey(account, name), &r)
		if !ok || err != nil || r.Path != path {
			return "", err
		}
		return r.RoleId, nil
	}
	var u userRecord
	ok, err := getJSON(tx, bucketUsers, entityKey(account, name), &u)
	if !ok || err != nil || u.Path != path {
		return "", err
	}
	return u.UserId, nil
}

// evalTrust is the trust policy as the authorizer evaluates it: each bound
// principal replaced by its unique ID.
func (r *roleRecord) evalTrust() string {
	if len(r.TrustIDs) == 0 {
		return r.AssumeRolePolicyDocument
	}
	return policy.RewriteAWSPrincipals(r.AssumeRolePolicyDocument, func(v string) string {
		for _, b := range r.TrustIDs {
			if b.Value == v {
				return b.ID
			}
		}
		return v
	})
}

// displayTrust is the trust policy as IAM shows it: each bound principal
// as the ARN of the user or role that has its ID now, or as the ID when
// none has.
func (r *roleRecord) displayTrust(tx store.Tx) string {
	if len(r.TrustIDs) == 0 || tx == nil {
		return r.AssumeRolePolicyDocument
	}
	return policy.RewriteAWSPrincipals(r.AssumeRolePolicyDocument, func(v string) string {
		for _, b := range r.TrustIDs {
			if b.Value == v {
				return arnOfID(tx, b)
			}
		}
		return v
	})
}

// arnOfID is the ARN of the user or role with b's ID, or the ID.
func arnOfID(tx store.Tx, b trustBinding) string {
	var ix idRecord
	if ok, err := getJSON(tx, bucketIDs, b.ID, &ix); err == nil && ok {
		if kind, account, path, name, ok := currentName(tx, ix, b.ID); ok {
			return iamArn(account, kind, path, name)
		}
		return b.ID
	}
	// Entities from before the index: the ARN as written, if what it
	// names still has the ID.
	if kind, account, path, name, ok := userOrRole(b.Value); ok {
		if id, err := idAt(tx, kind, account, path, name); err == nil && id == b.ID {
			return b.Value
		}
	}
	return b.ID
}

// currentName reads an indexed entity's current name and path, if it
// still has the ID.
func currentName(tx store.Tx, ix idRecord, id string) (kind, account, path, name string, ok bool) {
	if ix.Kind == kindRole {
		var r roleRecord
		if found, err := getJSON(tx, bucketRoles, entityKey(ix.Account, ix.Name), &r); err == nil && found && r.RoleId == id {
			return kindRole, ix.Account, r.Path, r.RoleName, true
		}
		return "", "", "", "", false
	}
	var u userRecord
	if found, err := getJSON(tx, bucketUsers, entityKey(ix.Account, ix.Name), &u); err == nil && found && u.UserId == id {
		return kindUser, ix.Account, u.Path, u.UserName, true
	}
	return "", "", "", "", false
}

// RoleTrust returns the role an ARN names (in whichever account the ARN
// says, as RoleByARN) and its trust policy as the authorizer evaluates it:
// users and roles by their unique IDs.
func (s *Service) RoleTrust(ctx context.Context, roleArn string) (*Role, string, error) {
	var out *Role
	var trust string
	err := s.roleByARN(ctx, roleArn, func(tx store.Tx, account string, r *roleRecord) {
		out, trust = r.role(tx, account, viewGet), r.evalTrust()
	})
	return out, trust, err
}

// IndexUniqueIDs indexes every user and role by its unique ID, as IAM
// does when it creates them: state written before the index existed
// (format 0) gets it so that trust policies show renamed users by their
// ARN.
func IndexUniqueIDs(st store.Store) error {
	return st.Update(func(tx store.Tx) error {
		var ids []idRecord
		var keys []string
		for _, b := range []string{bucketRoles, bucketUsers} {
			err := tx.Scan(b, "", "", func(k string, v []byte) bool {
				var rec struct{ RoleName, RoleId, UserName, UserId string }
				if json.Unmarshal(v, &rec) != nil {
					return true
				}
				account, _, _ := strings.Cut(k, "/")
				if rec.RoleId != "" {
					ids, keys = append(ids, idRecord{Account: account, Kind: kindRole, Name: rec.RoleName}), append(keys, rec.RoleId)
				} else if rec.UserId != "" {
					ids, keys = append(ids, idRecord{Account: account, Kind: kindUser, Name: rec.UserName}), append(keys, rec.UserId)
				}
				return true
			})
			if err != nil {
				return err
			}
		}
		for i, id := range ids {
			if err := putID(tx, keys[i], id.Account, id.Kind, id.Name); err != nil {
				return err
			}
		}
		return nil
	})
}
