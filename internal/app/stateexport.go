package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/appautoscaling"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/protocol/jsonrpc"
	"github.com/rolecall/rolecall/internal/statefile"
)

// Exporting reads the state through the services' own reads
// (GetAccountAuthorizationDetails and the like, ECS's and Application Auto
// Scaling's State), as the API shows it: a trust policy names the users
// and roles it binds by their ARN, or by unique ID once they are gone. STS sessions and every temporary
// credential (task and instance role credentials) are left out; what a
// role or key was last used for is too.

// ExportOptions choose what an export holds.
type ExportOptions struct {
	// Accounts to export; none: every account that has state.
	Accounts []string
	// Secrets includes the access keys with their secrets, the login
	// profiles' password keys, the virtual MFA devices' seeds, the SAML
	// providers' private keys and the delegation requests' exchange
	// tokens; without, those are left out (the devices with their seeds).
	Secrets bool
	// Version is the rolecall that writes the file.
	Version string
	Now     time.Time
}

// exportState reads the state of the accounts o names through the IAM,
// ECS and Application Auto Scaling services.
func exportState(ctx context.Context, iamSvc *iam.Service, ecsSvc *ecs.Service, aasSvc *appautoscaling.Service, o ExportOptions) (*statefile.File, error) {
	accounts := o.Accounts
	if len(accounts) == 0 {
		for _, list := range []func(context.Context) ([]string, error){iamSvc.Accounts, ecsSvc.Accounts, aasSvc.Accounts} {
			a, err := list(ctx)
			if err != nil {
				return nil, err
			}
			accounts = append(accounts, a...)
		}
		accounts = slices.Compact(slices.Sorted(slices.Values(accounts)))
	}
	now := o.Now.UTC().Truncate(time.Second)
	f := &statefile.File{Format: statefile.Format, Version: statefile.Version, Rolecall: o.Version, ExportedAt: &now, Accounts: map[string]*statefile.Account{}}
	codec, aas := ecsCodec(), aasCodec()
	for _, account := range accounts {
		x, err := exportIAM(ctx, iamSvc, account, o.Secrets)
		if err != nil {
			return nil, fmt.Errorf("account %s: %w", account, err)
		}
		regions, err := ecsSvc.State(ctx, account)
		if err != nil {
			return nil, fmt.Errorf("account %s: %w", account, err)
		}
		a := &statefile.Account{}
		if !emptyIAM(x) {
			a.IAM = x
		}
		for region, rs := range regions {
			r := &statefile.ECSRegion{}
			for _, c := range rs.Clusters {
				r.Clusters = append(r.Clusters, jsonrpc.Marshal(codec.Model.Shapes["Cluster"], c))
			}
			for _, p := range rs.CapacityProviders {
				r.CapacityProviders = append(r.CapacityProviders, jsonrpc.Marshal(codec.Model.Shapes["CapacityProvider"], p))
			}
			op, _ := codec.Operation("DescribeTaskDefinition")
			for _, td := range rs.TaskDefinitions {
				r.TaskDefinitions = append(r.TaskDefinitions, jsonrpc.Marshal(op.OutputShape, td))
			}
			for _, svc := range rs.Services {
				r.Services = append(r.Services, jsonrpc.Marshal(codec.Model.Shapes["Service"], svc))
			}
			exportECSMore(codec, rs, r)
			if a.ECS == nil {
				a.ECS = map[string]*statefile.ECSRegion{}
			}
			a.ECS[region] = r
		}
		scaling, err := aasSvc.State(ctx, account)
		if err != nil {
			return nil, fmt.Errorf("account %s: %w", account, err)
		}
		for region, rs := range scaling {
			if r := exportScaling(aas, rs, regions[region]); r != nil {
				if a.ApplicationAutoScaling == nil {
					a.ApplicationAutoScaling = map[string]*statefile.AASRegion{}
				}
				a.ApplicationAutoScaling[region] = r
			}
		}
		if a.IAM != nil || a.ECS != nil || a.ApplicationAutoScaling != nil || len(o.Accounts) > 0 {
			f.Accounts[account] = a
		}
	}
	return f, nil
}

// exportECSMore adds a Region's task sets, daemon task definitions,
// daemons and account settings to r, in AWS's JSON.
func exportECSMore(codec *jsonrpc.Codec, rs *ecs.RegionState, r *statefile.ECSRegion) {
	shapes := codec.Model.Shapes
	for _, ts := range rs.TaskSets {
		r.TaskSets = append(r.TaskSets, jsonrpc.Marshal(shapes["TaskSet"], ts))
	}
	for _, d := range rs.DaemonTaskDefinitions {
		b, _ := json.Marshal(map[string]json.RawMessage{
			"daemonTaskDefinition": jsonrpc.Marshal(shapes["DaemonTaskDefinition"], d.Definition),
			"tags":                 jsonrpc.Marshal(shapes["Tags"], d.Tags)})
		r.DaemonTaskDefinitions = append(r.DaemonTaskDefinitions, b)
	}
	for _, d := range rs.Daemons {
		var m map[string]json.RawMessage
		json.Unmarshal(jsonrpc.Marshal(shapes["CreateDaemonRequest"], d.Request), &m)
		m["daemonArn"], _ = json.Marshal(d.DaemonArn)
		// Seconds since the epoch, as the ECS API answers times.
		m["createdAt"], _ = json.Marshal(float64(d.CreatedAt.UnixMilli()) / 1000)
		b, _ := json.Marshal(m)
		r.Daemons = append(r.Daemons, b)
	}
	for _, st := range rs.Settings {
		r.AccountSettings = append(r.AccountSettings, jsonrpc.Marshal(shapes["Setting"], st))
	}
}

// exportScaling is a Region's Application Auto Scaling in AWS's JSON,
// nil when it has none. A target of an ECS service that the Region's ECS
// part does not hold (the service was deleted, and Application Auto
// Scaling keeps its target) is left out with its policies and scheduled
// actions: RegisterScalableTarget would refuse it on import.
func exportScaling(codec *jsonrpc.Codec, rs *appautoscaling.RegionState, services *ecs.RegionState) *statefile.AASRegion {
	held := map[string]bool{} // the services' resource IDs, service/CLUSTER/NAME
	if services != nil {
		for _, svc := range services.Services {
			held["service/"+svc.ClusterArn[strings.LastIndexByte(svc.ClusterArn, '/')+1:]+"/"+svc.ServiceName] = true
		}
	}
	kept := func(namespace, dimension, resourceID string) bool {
		return namespace == appautoscaling.NamespaceECS && dimension == appautoscaling.DimensionECS && held[resourceID]
	}
	r := &statefile.AASRegion{}
	for _, t := range rs.ScalableTargets {
		if !kept(t.ServiceNamespace, t.ScalableDimension, t.ResourceId) {
			continue
		}
		b := jsonrpc.Marshal(codec.Model.Shapes["ScalableTarget"], t.ScalableTarget)
		if len(t.Tags) > 0 {
			// The target's tags, as RegisterScalableTarget takes them;
			// encoding/json writes a map's keys in order.
			tags, _ := json.Marshal(t.Tags)
			b = append(append(append(b[:len(b)-1:len(b)-1], `,"Tags":`...), tags...), '}')
		}
		r.ScalableTargets = append(r.ScalableTargets, b)
	}
	for _, p := range rs.ScalingPolicies {
		if kept(p.ServiceNamespace, p.ScalableDimension, p.ResourceId) {
			r.ScalingPolicies = append(r.ScalingPolicies, jsonrpc.Marshal(codec.Model.Shapes["ScalingPolicy"], p))
		}
	}
	for _, a := range rs.ScheduledActions {
		if kept(a.ServiceNamespace, a.ScalableDimension, a.ResourceId) {
			r.ScheduledActions = append(r.ScheduledActions, jsonrpc.Marshal(codec.Model.Shapes["ScheduledAction"], a))
		}
	}
	if len(r.ScalableTargets) == 0 {
		return nil
	}
	return r
}

// all reads every page of a listing.
func all[T any](list func(iam.Page) ([]T, string, error)) ([]T, error) {
	var out []T
	marker := ""
	for {
		page, next, err := list(iam.Page{Marker: marker, MaxItems: 1000})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if next == "" {
			return out, nil
		}
		marker = next
	}
}

func emptyIAM(x *statefile.IAM) bool {
	return len(x.UserDetailList)+len(x.GroupDetailList)+len(x.RoleDetailList)+len(x.Policies)+len(x.InstanceProfiles)+len(x.AccountAliases)+
		len(x.OpenIDConnectProviders)+len(x.SAMLProviders)+len(x.ServerCertificates)+len(x.VirtualMFADevices)+len(x.DelegationRequests) == 0 && x.PasswordPolicy == nil
}

func fileTags(in []iam.Tag) []statefile.Tag {
	if len(in) == 0 {
		return nil
	}
	out := make([]statefile.Tag, len(in))
	for i, t := range in {
		out[i] = statefile.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

func fileInline(in []iam.PolicyDetail) []statefile.InlinePolicy {
	var out []statefile.InlinePolicy
	for _, p := range in {
		out = append(out, statefile.InlinePolicy{PolicyName: p.PolicyName, PolicyDocument: statefile.DocumentOf(p.PolicyDocument)})
	}
	return out
}

func fileAttached(in []iam.AttachedPolicy) []statefile.AttachedPolicy {
	var out []statefile.AttachedPolicy
	for _, p := range in {
		out = append(out, statefile.AttachedPolicy{PolicyName: p.PolicyName, PolicyArn: p.PolicyArn})
	}
	return out
}

func fileBoundary(b *iam.AttachedPermissionsBoundary) *statefile.Boundary {
	if b == nil {
		return nil
	}
	return &statefile.Boundary{PermissionsBoundaryType: b.PermissionsBoundaryType, PermissionsBoundaryArn: b.PermissionsBoundaryArn}
}

func fileProfile(p iam.InstanceProfile, tags []iam.Tag) statefile.InstanceProfile {
	return statefile.InstanceProfile{Path: p.Path, InstanceProfileName: p.InstanceProfileName, InstanceProfileId: p.InstanceProfileId,
		Arn: p.Arn, CreateDate: p.CreateDate, Tags: fileTags(tags)}
}

// exportIAM is an account's IAM entities: GetAccountAuthorizationDetails
// (its customer managed policies; AWS managed ones are rolecall's own),
// with what it leaves out read beside it.
func exportIAM(ctx context.Context, svc *iam.Service, account string, secrets bool) (*statefile.IAM, error) {
	x := &statefile.IAM{}
	var details []*iam.AuthorizationDetails
	marker := ""
	for {
		d, next, err := svc.GetAccountAuthorizationDetails(ctx, account, nil, iam.Page{Marker: marker, MaxItems: 1000})
		if err != nil {
			return nil, err
		}
		details = append(details, d)
		if next == "" {
			break
		}
		marker = next
	}
	for _, d := range details {
		for _, u := range d.UserDetailList {
			x.UserDetailList = append(x.UserDetailList, statefile.UserDetail{
				Path: u.Path, UserName: u.UserName, UserId: u.UserId, Arn: u.Arn, CreateDate: u.CreateDate,
				UserPolicyList: fileInline(u.UserPolicyList), GroupList: u.GroupList, AttachedManagedPolicies: fileAttached(u.AttachedManagedPolicies),
				PermissionsBoundary: fileBoundary(u.PermissionsBoundary), Tags: fileTags(u.Tags)})
			if err := exportUserCredentials(ctx, svc, account, u.UserName, x); err != nil {
				return nil, err
			}
			if !secrets {
				continue
			}
			lp, err := svc.LoginProfileStateOf(ctx, account, u.UserName)
			if err != nil {
				return nil, err
			}
			if lp != nil {
				x.LoginProfiles = append(x.LoginProfiles, statefile.LoginProfile{UserName: lp.UserName, CreateDate: lp.CreateDate,
					PasswordResetRequired: lp.PasswordResetRequired, PasswordLastChanged: lp.PasswordLastChanged,
					Password: lp.Password, PasswordHistory: lp.PasswordHistory})
			}
			keys, err := all(func(pg iam.Page) ([]iam.AccessKeyMetadata, string, error) {
				return svc.ListAccessKeys(ctx, account, u.UserName, pg)
			})
			if err != nil {
				return nil, err
			}
			for _, k := range keys {
				id, err := svc.LookupAccessKey(ctx, k.AccessKeyId)
				if err != nil {
					return nil, err
				}
				x.AccessKeys = append(x.AccessKeys, statefile.AccessKey{UserName: u.UserName, AccessKeyId: k.AccessKeyId, Status: k.Status,
					SecretAccessKey: id.SecretAccessKey, CreateDate: k.CreateDate})
			}
		}
		for _, g := range d.GroupDetailList {
			x.GroupDetailList = append(x.GroupDetailList, statefile.GroupDetail{
				Path: g.Path, GroupName: g.GroupName, GroupId: g.GroupId, Arn: g.Arn, CreateDate: g.CreateDate,
				GroupPolicyList: fileInline(g.GroupPolicyList), AttachedManagedPolicies: fileAttached(g.AttachedManagedPolicies)})
		}
		for _, r := range d.RoleDetailList {
			role, err := svc.GetRole(ctx, account, r.RoleName)
			if err != nil {
				return nil, err
			}
			fr := statefile.RoleDetail{
				Path: r.Path, RoleName: r.RoleName, RoleId: r.RoleId, Arn: r.Arn, CreateDate: r.CreateDate,
				AssumeRolePolicyDocument: statefile.DocumentOf(r.AssumeRolePolicyDocument), Description: role.Description,
				RolePolicyList: fileInline(r.RolePolicyList), AttachedManagedPolicies: fileAttached(r.AttachedManagedPolicies),
				PermissionsBoundary: fileBoundary(r.PermissionsBoundary), Tags: fileTags(r.Tags)}
			if m := role.MaxSessionDuration; m != nil && *m != iam.DefaultMaxSessionDuration {
				fr.MaxSessionDuration = *m
			}
			for _, p := range r.InstanceProfileList {
				fr.InstanceProfileList = append(fr.InstanceProfileList, fileProfile(p, nil))
			}
			x.RoleDetailList = append(x.RoleDetailList, fr)
		}
		for _, p := range d.Policies {
			if statefile.IsAWSManaged(p.Arn) {
				continue
			}
			pol, err := svc.GetPolicy(ctx, account, p.Arn)
			if err != nil {
				return nil, err
			}
			fp := statefile.ManagedPolicyDetail{PolicyName: p.PolicyName, PolicyId: p.PolicyId, Arn: p.Arn, Path: p.Path,
				DefaultVersionId: p.DefaultVersionId, AttachmentCount: p.AttachmentCount, PermissionsBoundaryUsageCount: p.PermissionsBoundaryUsageCount,
				IsAttachable: p.IsAttachable, Description: pol.Description, CreateDate: p.CreateDate, UpdateDate: p.UpdateDate, Tags: fileTags(pol.Tags)}
			for _, v := range p.PolicyVersionList {
				fp.PolicyVersionList = append(fp.PolicyVersionList, statefile.PolicyVersion{Document: statefile.DocumentOf(v.Document),
					VersionId: v.VersionId, IsDefaultVersion: v.IsDefaultVersion, CreateDate: v.CreateDate})
			}
			x.Policies = append(x.Policies, fp)
		}
	}
	profiles, err := all(func(pg iam.Page) ([]iam.InstanceProfile, string, error) {
		return svc.ListInstanceProfiles(ctx, account, "", pg)
	})
	if err != nil {
		return nil, err
	}
	for _, p := range profiles {
		tags, err := all(func(pg iam.Page) ([]iam.Tag, string, error) {
			return svc.ListInstanceProfileTags(ctx, account, p.InstanceProfileName, pg)
		})
		if err != nil {
			return nil, err
		}
		x.InstanceProfiles = append(x.InstanceProfiles, fileProfile(p, tags))
	}
	if err := exportProviders(ctx, svc, account, secrets, x); err != nil {
		return nil, err
	}
	reqs, err := svc.DelegationRequestStates(ctx, account)
	if err != nil {
		return nil, err
	}
	exportDelegations(reqs, secrets, x)
	if x.AccountAliases, _, err = svc.ListAccountAliases(ctx, account, iam.Page{MaxItems: 1000}); err != nil {
		return nil, err
	}
	pp, err := svc.GetAccountPasswordPolicy(ctx, account)
	switch {
	case awserr.Code(err) == "NoSuchEntity":
	case err != nil:
		return nil, err
	default:
		x.PasswordPolicy = &statefile.PasswordPolicy{MinimumPasswordLength: &pp.MinimumPasswordLength, RequireSymbols: pp.RequireSymbols,
			RequireNumbers: pp.RequireNumbers, RequireUppercaseCharacters: pp.RequireUppercaseCharacters, RequireLowercaseCharacters: pp.RequireLowercaseCharacters,
			AllowUsersToChangePassword: pp.AllowUsersToChangePassword, ExpirePasswords: pp.ExpirePasswords, MaxPasswordAge: pp.MaxPasswordAge,
			PasswordReusePrevention: pp.PasswordReusePrevention, HardExpiry: pp.HardExpiry}
	}
	return x, nil
}

// exportUserCredentials adds a user's SSH public keys, signing
// certificates and service-specific credentials (which hold no secret:
// IAM keeps none of a credential's password) to x.
func exportUserCredentials(ctx context.Context, svc *iam.Service, account, userName string, x *statefile.IAM) error {
	ssh, err := all(func(pg iam.Page) ([]iam.SSHPublicKeyMetadata, string, error) {
		return svc.ListSSHPublicKeys(ctx, account, userName, pg)
	})
	if err != nil {
		return err
	}
	for _, k := range ssh {
		got, err := svc.GetSSHPublicKey(ctx, account, userName, k.SSHPublicKeyId, iam.EncodingSSH)
		if err != nil {
			return err
		}
		body, err := svc.SSHPublicKeyAsUploaded(ctx, account, userName, k.SSHPublicKeyId)
		if err != nil {
			return err
		}
		x.SSHPublicKeys = append(x.SSHPublicKeys, statefile.SSHPublicKey{UserName: userName, SSHPublicKeyId: k.SSHPublicKeyId,
			Fingerprint: got.Fingerprint, SSHPublicKeyBody: body, Status: k.Status, UploadDate: k.UploadDate})
	}
	certs, err := all(func(pg iam.Page) ([]iam.SigningCertificate, string, error) {
		return svc.ListSigningCertificates(ctx, account, userName, pg)
	})
	if err != nil {
		return err
	}
	for _, c := range certs {
		x.SigningCertificates = append(x.SigningCertificates, statefile.SigningCertificate{UserName: userName, CertificateId: c.CertificateId,
			CertificateBody: c.CertificateBody, Status: c.Status, UploadDate: c.UploadDate})
	}
	creds, err := all(func(pg iam.Page) ([]iam.ServiceSpecificCredentialMetadata, string, error) {
		return svc.ListServiceSpecificCredentials(ctx, account, userName, "", false, pg)
	})
	if err != nil {
		return err
	}
	for _, c := range creds {
		x.ServiceSpecificCredentials = append(x.ServiceSpecificCredentials, statefile.ServiceSpecificCredential{UserName: userName,
			ServiceName: c.ServiceName, ServiceSpecificCredentialId: c.ServiceSpecificCredentialId, ServiceUserName: c.ServiceUserName,
			ServiceCredentialAlias: c.ServiceCredentialAlias, Status: c.Status, CreateDate: c.CreateDate, ExpirationDate: c.ExpirationDate})
	}
	return nil
}

// exportProviders adds the account's identity providers, server
// certificates and, with secrets, its virtual MFA devices (with their
// seeds) and its SAML providers' private keys to x.
func exportProviders(ctx context.Context, svc *iam.Service, account string, secrets bool, x *statefile.IAM) error {
	oidcArns, err := svc.ListOpenIDConnectProviders(ctx, account)
	if err != nil {
		return err
	}
	for _, a := range oidcArns {
		p, err := svc.GetOpenIDConnectProvider(ctx, account, a)
		if err != nil {
			return err
		}
		x.OpenIDConnectProviders = append(x.OpenIDConnectProviders, statefile.OpenIDConnectProvider{Arn: a, Url: p.Url,
			ClientIDList: p.ClientIDList, ThumbprintList: p.ThumbprintList, CreateDate: p.CreateDate, Tags: fileTags(p.Tags)})
	}
	saml, err := svc.ListSAMLProviders(ctx, account)
	if err != nil {
		return err
	}
	for _, e := range saml {
		p, err := svc.GetSAMLProvider(ctx, account, e.Arn)
		if err != nil {
			return err
		}
		validUntil := p.ValidUntil
		fp := statefile.SAMLProvider{Arn: e.Arn, SAMLProviderUUID: p.SAMLProviderUUID, SAMLMetadataDocument: p.SAMLMetadataDocument,
			CreateDate: p.CreateDate, ValidUntil: &validUntil, AssertionEncryptionMode: p.AssertionEncryptionMode, Tags: fileTags(p.Tags)}
		if secrets {
			keys, err := svc.SAMLPrivateKeys(ctx, account, e.Arn)
			if err != nil {
				return err
			}
			for _, k := range keys {
				fp.PrivateKeyList = append(fp.PrivateKeyList, statefile.SAMLPrivateKey{KeyId: k.KeyId, Timestamp: k.Timestamp, PrivateKey: k.PEM})
			}
		}
		x.SAMLProviders = append(x.SAMLProviders, fp)
	}
	certs, err := all(func(pg iam.Page) ([]iam.ServerCertificateMetadata, string, error) {
		return svc.ListServerCertificates(ctx, account, "", pg)
	})
	if err != nil {
		return err
	}
	for _, m := range certs {
		c, err := svc.GetServerCertificate(ctx, account, m.ServerCertificateName)
		if err != nil {
			return err
		}
		md := c.ServerCertificateMetadata
		expiration := md.Expiration
		x.ServerCertificates = append(x.ServerCertificates, statefile.ServerCertificate{
			ServerCertificateMetadata: statefile.ServerCertificateMetadata{Path: md.Path, ServerCertificateName: md.ServerCertificateName,
				ServerCertificateId: md.ServerCertificateId, Arn: md.Arn, UploadDate: md.UploadDate, Expiration: &expiration},
			CertificateBody: c.CertificateBody, CertificateChain: c.CertificateChain, Tags: fileTags(c.Tags)})
	}
	if !secrets {
		return nil
	}
	devices, err := svc.MFADeviceStates(ctx, account)
	if err != nil {
		return err
	}
	for _, d := range devices {
		x.VirtualMFADevices = append(x.VirtualMFADevices, statefile.VirtualMFADevice{SerialNumber: d.SerialNumber, Base32StringSeed: d.Seed,
			UserName: d.UserName, EnableDate: d.EnableDate, Tags: fileTags(d.Tags)})
	}
	return nil
}
