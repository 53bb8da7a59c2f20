package iam

import (
	"context"
	"strings"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/store"
)

func rootArn(account string) string { return "arn:aws:iam::" + account + ":root" }

// Caller is who a request comes from, as far as IAM's caller-relative
// operations care (GetUser, access keys without a UserName).
type Caller struct {
	Root     bool   // the account's root user (also: unauthenticated, until auth lands)
	UserName string // set for an IAM user
}

// CallerOf reads a principal ARN: empty or root is the root user, a user
// ARN is that user, anything else (an assumed-role session) is neither.
func CallerOf(principalArn string) Caller {
	if principalArn == "" {
		return Caller{Root: true}
	}
	a, err := arn.Parse(principalArn)
	if err != nil || a.Service != "iam" {
		return Caller{}
	}
	if a.Resource == "root" {
		return Caller{Root: true}
	}
	if rest, ok := strings.CutPrefix(a.Resource, "user/"); ok {
		return Caller{UserName: rest[strings.LastIndexByte(rest, '/')+1:]}
	}
	return Caller{}
}

// CallerUserName resolves the UserName of a caller-relative operation: the
// given name, else the calling user's. Root and role sessions must name a
// user (AWS's text, recorded for a role session).
func CallerUserName(principalArn, userName string) (string, error) {
	if userName != "" {
		return userName, nil
	}
	if c := CallerOf(principalArn); c.UserName != "" {
		return c.UserName, nil
	}
	return "", errUserNameRequired
}

// RootUser is what GetUser answers the root user without a UserName: the
// account id as UserId, the root ARN, and no name or path.
func (s *Service) RootUser(ctx context.Context, account string) (*User, error) {
	out := &User{UserId: account, Arn: rootArn(account), CreateDate: s.now()}
	err := s.view(ctx, account, func(tx store.Tx) error {
		var a accountRecord
		ok, err := getJSON(tx, bucketAccounts, account, &a)
		if ok {
			out.CreateDate = a.CreateDate
		}
		return err
	})
	return out, err
}

// GetAccountSummary reports the account's IAM usage and quotas.
func (s *Service) GetAccountSummary(ctx context.Context, account string) (map[string]int32, error) {
	m := map[string]int32{
		"AccessKeysPerUserQuota":            QuotaAccessKeysPerUser,
		"AccountAccessKeysPresent":          0,
		"AccountMFAEnabled":                 0,
		"AccountPasswordPresent":            0,
		"AccountSigningCertificatesPresent": 0,
		"AssumeRolePolicySizeQuota":         QuotaTrustPolicySize,
		"AttachedPoliciesPerGroupQuota":     QuotaPoliciesPerEntity,
		"AttachedPoliciesPerRoleQuota":      QuotaPoliciesPerEntity,
		"AttachedPoliciesPerUserQuota":      QuotaPoliciesPerEntity,
		"GlobalEndpointTokenVersion":        1,
		"GroupPolicySizeQuota":              QuotaGroupInlineSize,
		"GroupsPerUserQuota":                QuotaGroupsPerUser,
		"GroupsQuota":                       QuotaGroupsPerAccount,
		"InstanceProfilesQuota":             QuotaInstanceProfilesPerAccount,
		"MFADevices":                        0,
		"MFADevicesInUse":                   0,
		"PoliciesQuota":                     QuotaPoliciesPerAccount,
		"PolicySizeQuota":                   QuotaManagedPolicySize,
		"PolicyVersionsInUseQuota":          QuotaPolicyVersionsInUse,
		"Providers":                         0,
		"RolePolicySizeQuota":               QuotaRoleInlineSize,
		"RolesQuota":                        QuotaRolesPerAccount,
		"ServerCertificates":                0,
		"ServerCertificatesQuota":           QuotaServerCertificates,
		"SigningCertificatesPerUserQuota":   QuotaSigningCertificatesPerUser,
		"UserPolicySizeQuota":               QuotaUserInlineSize,
		"UsersQuota":                        QuotaUsersPerAccount,
		"VersionsPerPolicyQuota":            QuotaVersionsPerPolicy,
	}
	err := s.view(ctx, account, func(tx store.Tx) error {
		prefix := account + "/"
		var a accountRecord
		if _, err := getJSON(tx, bucketAccounts, account, &a); err != nil {
			return err
		}
		for name, bucket := range map[string]string{
			"Users": bucketUsers, "Groups": bucketGroups, "Roles": bucketRoles,
			"InstanceProfiles": bucketInstanceProfiles, "Policies": bucketPolicies, "ServerCertificates": bucketServerCerts,
		} {
			m[name] = int32(a.Counts[bucket])
		}
		// Providers counts SAML and OpenID Connect providers alike: AWS's
		// answer grew by 2 after one of each was created (LocalStack's
		// test_get_account_summary_with_resources, recorded against AWS
		// 2026-02).
		m["Providers"] = int32(a.Counts[bucketSAMLProviders] + a.Counts[bucketOIDCProviders])
		// PolicyVersionsInUse: the versions of the account's customer
		// managed policies.
		versions := 0
		var derr error
		err := tx.Scan(bucketPolicies, prefix, "", func(_ string, v []byte) bool {
			var r policyRecord
			if derr = unmarshal(v, &r); derr != nil {
				return false
			}
			versions += len(r.Versions)
			return true
		})
		if err == nil {
			err = derr
		}
		m["PolicyVersionsInUse"] = int32(versions)
		if err != nil {
			return err
		}
		m["MFADevices"], m["MFADevicesInUse"], err = mfaDeviceCounts(tx, account)
		if err == nil {
			m["GlobalEndpointTokenVersion"], err = globalEndpointTokenVersion(tx, account)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}
