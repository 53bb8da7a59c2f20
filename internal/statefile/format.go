// Package statefile is rolecall's state file format: a documented,
// versioned JSON document of the IAM entities, ECS resources and
// Application Auto Scaling resources of one or more accounts, which
// `rolecall state export` writes and `rolecall state import` and
// `rolecall serve --init` read (docs/state-format.md). It also
// reads what `aws iam get-account-authorization-details` prints, against
// AWS or rolecall alike, which is the IAM part of the format.
//
// The package is the format alone: parsing, the checks that need no
// state, and nothing of the store or the services (internal/app replays a
// file through the services, so that each entity is checked as the API
// checks it).
package statefile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Format and Version name the format in every file.
const (
	Format  = "rolecall-state"
	Version = 1
)

// File is a state file.
type File struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	// Rolecall is the version of rolecall that wrote the file, and
	// ExportedAt when; neither is read back.
	Rolecall   string     `json:"rolecall,omitempty"`
	ExportedAt *time.Time `json:"exportedAt,omitempty"`
	// Accounts are keyed by the 12-digit account ID.
	Accounts map[string]*Account `json:"accounts"`
}

// Account is what the file holds of one account.
type Account struct {
	IAM *IAM `json:"iam,omitempty"`
	// ECS is keyed by Region: ECS is regional, IAM is global.
	ECS map[string]*ECSRegion `json:"ecs,omitempty"`
	// ApplicationAutoScaling is keyed by Region, as ECS.
	ApplicationAutoScaling map[string]*AASRegion `json:"applicationAutoScaling,omitempty"`
}

// IAM is an account's IAM entities: what GetAccountAuthorizationDetails
// answers, in its member names, and what it leaves out (every instance
// profile, a role's description and maximum session duration, a managed
// policy's description and tags, access keys, login profiles, the
// account's password policy and alias, identity providers, server
// certificates, MFA devices and the users' other credentials).
type IAM struct {
	AuthorizationDetails
	// InstanceProfiles lists every instance profile, those without a role
	// too; which role each holds is in the roles' InstanceProfileList.
	InstanceProfiles []InstanceProfile `json:"InstanceProfiles,omitempty"`
	// AccessKeys are the users' access keys, with their secrets.
	AccessKeys []AccessKey `json:"AccessKeys,omitempty"`
	// LoginProfiles are the users' console passwords, as the keys IAM
	// derived from them.
	LoginProfiles []LoginProfile `json:"LoginProfiles,omitempty"`
	// PasswordPolicy is the account's password policy, as `aws iam
	// get-account-password-policy` prints it; none when absent.
	PasswordPolicy *PasswordPolicy `json:"PasswordPolicy,omitempty"`
	// AccountAliases is what `aws iam list-account-aliases` prints: at
	// most one alias.
	AccountAliases []string `json:"AccountAliases,omitempty"`
	// OpenIDConnectProviders and SAMLProviders are the account's identity
	// providers, each as its Get call shows it, named by its ARN.
	OpenIDConnectProviders []OpenIDConnectProvider `json:"OpenIDConnectProviders,omitempty"`
	SAMLProviders          []SAMLProvider          `json:"SAMLProviders,omitempty"`
	// ServerCertificates are as GetServerCertificate shows them, without
	// a private key: IAM keeps none.
	ServerCertificates []ServerCertificate `json:"ServerCertificates,omitempty"`
	// VirtualMFADevices are the account's virtual MFA devices, with their
	// seeds.
	VirtualMFADevices []VirtualMFADevice `json:"VirtualMFADevices,omitempty"`
	// SSHPublicKeys, SigningCertificates and ServiceSpecificCredentials
	// are the users' other credentials.
	SSHPublicKeys              []SSHPublicKey              `json:"SSHPublicKeys,omitempty"`
	SigningCertificates        []SigningCertificate        `json:"SigningCertificates,omitempty"`
	ServiceSpecificCredentials []ServiceSpecificCredential `json:"ServiceSpecificCredentials,omitempty"`
	// DelegationRequests (added to version 1 later) are the delegation
	// requests the account owns, and those it made that no one owns yet.
	DelegationRequests []DelegationRequest `json:"DelegationRequests,omitempty"`
}

// DelegationRequest is a delegation request as GetDelegationRequest
// answers it (State as IAM keeps it: EXPIRED follows from
// ExpirationTime), with rolecall's additions: the RequestorWorkflowId and
// NotificationChannel it was created with, the identity that accepted it
// as rolecall keeps it (Approver: the session the delegated credentials
// act as, with its tags and policies), and, exported by the root only,
// the exchange token released for it (ExchangeToken).
type DelegationRequest struct {
	DelegationRequestId           string                `json:"DelegationRequestId"`
	OwnerAccountId                string                `json:"OwnerAccountId,omitempty"`
	Description                   string                `json:"Description,omitempty"`
	RequestMessage                string                `json:"RequestMessage,omitempty"`
	Permissions                   *DelegationPermission `json:"Permissions,omitempty"`
	PermissionPolicy              string                `json:"PermissionPolicy,omitempty"`
	RolePermissionRestrictionArns []string              `json:"RolePermissionRestrictionArns,omitempty"`
	OwnerId                       string                `json:"OwnerId,omitempty"`
	ApproverId                    string                `json:"ApproverId,omitempty"`
	State                         string                `json:"State"`
	ExpirationTime                *time.Time            `json:"ExpirationTime,omitempty"`
	RequestorId                   string                `json:"RequestorId"`
	RequestorName                 string                `json:"RequestorName,omitempty"`
	CreateDate                    time.Time             `json:"CreateDate,omitzero"`
	SessionDuration               int32                 `json:"SessionDuration,omitempty"`
	RedirectUrl                   string                `json:"RedirectUrl,omitempty"`
	Notes                         string                `json:"Notes,omitempty"`
	RejectionReason               string                `json:"RejectionReason,omitempty"`
	OnlySendByOwner               bool                  `json:"OnlySendByOwner,omitempty"`
	UpdatedTime                   *time.Time            `json:"UpdatedTime,omitempty"`
	RequestorWorkflowId           string                `json:"RequestorWorkflowId,omitempty"`
	NotificationChannel           string                `json:"NotificationChannel,omitempty"`
	Approver                      json.RawMessage       `json:"Approver,omitempty"`
	ExchangeToken                 string                `json:"ExchangeToken,omitempty"`
}

// DelegationPermission is a delegation request's policy template and its
// parameters.
type DelegationPermission struct {
	PolicyTemplateArn string            `json:"PolicyTemplateArn"`
	Parameters        []PolicyParameter `json:"Parameters,omitempty"`
}

// PolicyParameter is a policy template's parameter.
type PolicyParameter struct {
	Name   string   `json:"Name"`
	Values []string `json:"Values,omitempty"`
	Type   string   `json:"Type,omitempty"`
}

// OpenIDConnectProvider is GetOpenIDConnectProvider's answer (Url without
// "https://", as it shows it) with the provider's Arn.
type OpenIDConnectProvider struct {
	Arn            string    `json:"Arn"`
	Url            string    `json:"Url"`
	ClientIDList   []string  `json:"ClientIDList,omitempty"`
	ThumbprintList []string  `json:"ThumbprintList,omitempty"`
	CreateDate     time.Time `json:"CreateDate,omitzero"`
	Tags           []Tag     `json:"Tags,omitempty"`
}

// SAMLProvider is GetSAMLProvider's answer with the provider's Arn, and
// its private keys themselves (PrivateKey, PEM). ValidUntil is read and
// ignored: the metadata and CreateDate say it.
type SAMLProvider struct {
	Arn                     string           `json:"Arn"`
	SAMLProviderUUID        string           `json:"SAMLProviderUUID,omitempty"`
	SAMLMetadataDocument    string           `json:"SAMLMetadataDocument"`
	CreateDate              time.Time        `json:"CreateDate,omitzero"`
	ValidUntil              *time.Time       `json:"ValidUntil,omitempty"`
	AssertionEncryptionMode string           `json:"AssertionEncryptionMode,omitempty"`
	PrivateKeyList          []SAMLPrivateKey `json:"PrivateKeyList,omitempty"`
	Tags                    []Tag            `json:"Tags,omitempty"`
}

// SAMLPrivateKey is a SAML provider's private key: GetSAMLProvider's
// KeyId and Timestamp, and the key.
type SAMLPrivateKey struct {
	KeyId      string    `json:"KeyId,omitempty"`
	Timestamp  time.Time `json:"Timestamp,omitzero"`
	PrivateKey string    `json:"PrivateKey"`
}

// ServerCertificate is GetServerCertificate's ServerCertificate.
// Expiration is read and ignored: the body says it.
type ServerCertificate struct {
	ServerCertificateMetadata ServerCertificateMetadata `json:"ServerCertificateMetadata"`
	CertificateBody           string                    `json:"CertificateBody"`
	CertificateChain          string                    `json:"CertificateChain,omitempty"`
	Tags                      []Tag                     `json:"Tags,omitempty"`
}

// ServerCertificateMetadata is a server certificate's metadata.
type ServerCertificateMetadata struct {
	Path                  string     `json:"Path"`
	ServerCertificateName string     `json:"ServerCertificateName"`
	ServerCertificateId   string     `json:"ServerCertificateId,omitempty"`
	Arn                   string     `json:"Arn,omitempty"`
	UploadDate            time.Time  `json:"UploadDate,omitzero"`
	Expiration            *time.Time `json:"Expiration,omitempty"`
}

// VirtualMFADevice is a virtual MFA device: its serial, its seed
// (Base32StringSeed, as CreateVirtualMFADevice answers it), the user it is
// enabled for and since when (as ListMFADevices shows them), its tags.
type VirtualMFADevice struct {
	SerialNumber     string     `json:"SerialNumber"`
	Base32StringSeed string     `json:"Base32StringSeed"`
	UserName         string     `json:"UserName,omitempty"`
	EnableDate       *time.Time `json:"EnableDate,omitempty"`
	Tags             []Tag      `json:"Tags,omitempty"`
}

// SSHPublicKey is a user's SSH public key as GetSSHPublicKey shows it,
// its body as it was uploaded. Fingerprint is read and ignored: the body
// says it.
type SSHPublicKey struct {
	UserName         string    `json:"UserName"`
	SSHPublicKeyId   string    `json:"SSHPublicKeyId,omitempty"`
	Fingerprint      string    `json:"Fingerprint,omitempty"`
	SSHPublicKeyBody string    `json:"SSHPublicKeyBody"`
	Status           string    `json:"Status,omitempty"`
	UploadDate       time.Time `json:"UploadDate,omitzero"`
}

// SigningCertificate is a user's signing certificate as
// ListSigningCertificates shows it.
type SigningCertificate struct {
	UserName        string    `json:"UserName"`
	CertificateId   string    `json:"CertificateId,omitempty"`
	CertificateBody string    `json:"CertificateBody"`
	Status          string    `json:"Status,omitempty"`
	UploadDate      time.Time `json:"UploadDate,omitzero"`
}

// ServiceSpecificCredential is a user's service-specific credential as
// ListServiceSpecificCredentials shows it: no password or secret, which
// IAM shows once and keeps not. ServiceUserName and
// ServiceCredentialAlias are read and ignored: IAM makes them from the
// user's name.
type ServiceSpecificCredential struct {
	UserName                    string     `json:"UserName"`
	ServiceName                 string     `json:"ServiceName"`
	ServiceSpecificCredentialId string     `json:"ServiceSpecificCredentialId,omitempty"`
	ServiceUserName             string     `json:"ServiceUserName,omitempty"`
	ServiceCredentialAlias      string     `json:"ServiceCredentialAlias,omitempty"`
	Status                      string     `json:"Status,omitempty"`
	CreateDate                  time.Time  `json:"CreateDate,omitzero"`
	ExpirationDate              *time.Time `json:"ExpirationDate,omitempty"`
}

// LoginProfile is a user's console password: GetLoginProfile's members,
// and the password as IAM keeps it, in the PHC string format
// ($pbkdf2-sha256$i=ITERATIONS$SALT$KEY).
type LoginProfile struct {
	UserName              string    `json:"UserName"`
	CreateDate            time.Time `json:"CreateDate,omitzero"`
	PasswordResetRequired bool      `json:"PasswordResetRequired,omitempty"`
	PasswordLastChanged   time.Time `json:"PasswordLastChanged,omitzero"`
	Password              string    `json:"Password"`
	PasswordHistory       []string  `json:"PasswordHistory,omitempty"`
}

// PasswordPolicy is GetAccountPasswordPolicy's PasswordPolicy.
// ExpirePasswords is read and ignored: MaxPasswordAge says it.
type PasswordPolicy struct {
	MinimumPasswordLength      *int32 `json:"MinimumPasswordLength,omitempty"`
	RequireSymbols             bool   `json:"RequireSymbols"`
	RequireNumbers             bool   `json:"RequireNumbers"`
	RequireUppercaseCharacters bool   `json:"RequireUppercaseCharacters"`
	RequireLowercaseCharacters bool   `json:"RequireLowercaseCharacters"`
	AllowUsersToChangePassword bool   `json:"AllowUsersToChangePassword"`
	ExpirePasswords            bool   `json:"ExpirePasswords"`
	MaxPasswordAge             *int32 `json:"MaxPasswordAge,omitempty"`
	PasswordReusePrevention    *int32 `json:"PasswordReusePrevention,omitempty"`
	HardExpiry                 *bool  `json:"HardExpiry,omitempty"`
}

// AuthorizationDetails is `aws iam get-account-authorization-details`
// output: every user, group, role and managed policy of an account with
// its documents.
type AuthorizationDetails struct {
	UserDetailList  []UserDetail          `json:"UserDetailList"`
	GroupDetailList []GroupDetail         `json:"GroupDetailList"`
	RoleDetailList  []RoleDetail          `json:"RoleDetailList"`
	Policies        []ManagedPolicyDetail `json:"Policies"`
}

// Tag is a key and value on a user, role, policy or instance profile.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// InlinePolicy is an inline policy of a user, group or role.
type InlinePolicy struct {
	PolicyName     string   `json:"PolicyName"`
	PolicyDocument Document `json:"PolicyDocument"`
}

// AttachedPolicy is a managed policy attached to a user, group or role.
type AttachedPolicy struct {
	PolicyName string `json:"PolicyName"`
	PolicyArn  string `json:"PolicyArn"`
}

// Boundary is a user's or role's permissions boundary.
type Boundary struct {
	PermissionsBoundaryType string `json:"PermissionsBoundaryType,omitempty"`
	PermissionsBoundaryArn  string `json:"PermissionsBoundaryArn"`
}

// UserDetail is a user with its policies and groups.
type UserDetail struct {
	Path                    string           `json:"Path"`
	UserName                string           `json:"UserName"`
	UserId                  string           `json:"UserId,omitempty"`
	Arn                     string           `json:"Arn,omitempty"`
	CreateDate              time.Time        `json:"CreateDate,omitzero"`
	UserPolicyList          []InlinePolicy   `json:"UserPolicyList,omitempty"`
	GroupList               []string         `json:"GroupList,omitempty"`
	AttachedManagedPolicies []AttachedPolicy `json:"AttachedManagedPolicies,omitempty"`
	PermissionsBoundary     *Boundary        `json:"PermissionsBoundary,omitempty"`
	Tags                    []Tag            `json:"Tags,omitempty"`
}

// GroupDetail is a group with its policies.
type GroupDetail struct {
	Path                    string           `json:"Path"`
	GroupName               string           `json:"GroupName"`
	GroupId                 string           `json:"GroupId,omitempty"`
	Arn                     string           `json:"Arn,omitempty"`
	CreateDate              time.Time        `json:"CreateDate,omitzero"`
	GroupPolicyList         []InlinePolicy   `json:"GroupPolicyList,omitempty"`
	AttachedManagedPolicies []AttachedPolicy `json:"AttachedManagedPolicies,omitempty"`
}

// RoleDetail is a role with its trust policy, instance profiles and
// policies. Description and MaxSessionDuration are rolecall's additions
// (GetRole's members); an export from AWS has neither, and the role gets
// no description and the default of 3600 seconds.
type RoleDetail struct {
	Path                     string            `json:"Path"`
	RoleName                 string            `json:"RoleName"`
	RoleId                   string            `json:"RoleId,omitempty"`
	Arn                      string            `json:"Arn,omitempty"`
	CreateDate               time.Time         `json:"CreateDate,omitzero"`
	AssumeRolePolicyDocument Document          `json:"AssumeRolePolicyDocument"`
	Description              string            `json:"Description,omitempty"`
	MaxSessionDuration       int32             `json:"MaxSessionDuration,omitempty"`
	InstanceProfileList      []InstanceProfile `json:"InstanceProfileList,omitempty"`
	RolePolicyList           []InlinePolicy    `json:"RolePolicyList,omitempty"`
	AttachedManagedPolicies  []AttachedPolicy  `json:"AttachedManagedPolicies,omitempty"`
	PermissionsBoundary      *Boundary         `json:"PermissionsBoundary,omitempty"`
	Tags                     []Tag             `json:"Tags,omitempty"`
	// RoleLastUsed is read and ignored: a role imported has not been used.
	RoleLastUsed json.RawMessage `json:"RoleLastUsed,omitempty"`
}

// InstanceProfile is an instance profile. Roles, as AWS lists them inside
// a role's InstanceProfileList, is read for the role names only.
type InstanceProfile struct {
	Path                string       `json:"Path"`
	InstanceProfileName string       `json:"InstanceProfileName"`
	InstanceProfileId   string       `json:"InstanceProfileId,omitempty"`
	Arn                 string       `json:"Arn,omitempty"`
	CreateDate          time.Time    `json:"CreateDate,omitzero"`
	Tags                []Tag        `json:"Tags,omitempty"`
	Roles               []RoleInList `json:"Roles,omitempty"`
}

// RoleInList is a role as an instance profile lists it; only its name
// is read.
type RoleInList struct {
	RoleName string `json:"RoleName"`
}

// ManagedPolicyDetail is a managed policy with every version. An AWS
// managed policy (arn:aws:iam::aws:policy/...) is rolecall's own copy
// whatever the file says; only customer managed ones are imported.
// Description and Tags are rolecall's additions.
type ManagedPolicyDetail struct {
	PolicyName                    string          `json:"PolicyName"`
	PolicyId                      string          `json:"PolicyId,omitempty"`
	Arn                           string          `json:"Arn"`
	Path                          string          `json:"Path"`
	DefaultVersionId              string          `json:"DefaultVersionId"`
	AttachmentCount               int32           `json:"AttachmentCount,omitempty"`
	PermissionsBoundaryUsageCount int32           `json:"PermissionsBoundaryUsageCount,omitempty"`
	IsAttachable                  bool            `json:"IsAttachable,omitempty"`
	Description                   string          `json:"Description,omitempty"`
	CreateDate                    time.Time       `json:"CreateDate,omitzero"`
	UpdateDate                    time.Time       `json:"UpdateDate,omitzero"`
	PolicyVersionList             []PolicyVersion `json:"PolicyVersionList"`
	Tags                          []Tag           `json:"Tags,omitempty"`
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	Document         Document  `json:"Document"`
	VersionId        string    `json:"VersionId"`
	IsDefaultVersion bool      `json:"IsDefaultVersion"`
	CreateDate       time.Time `json:"CreateDate,omitzero"`
}

// AccessKey is a user's access key with its secret.
type AccessKey struct {
	UserName        string    `json:"UserName"`
	AccessKeyId     string    `json:"AccessKeyId"`
	Status          string    `json:"Status"`
	SecretAccessKey string    `json:"SecretAccessKey"`
	CreateDate      time.Time `json:"CreateDate,omitzero"`
}

// ECSRegion is an account's ECS resources in one Region, each in AWS's
// JSON as the ECS API answers it: a cluster as DescribeClusters lists it
// (with SETTINGS, CONFIGURATIONS and TAGS), a capacity provider as
// DescribeCapacityProviders lists it (with TAGS), a task definition
// revision as DescribeTaskDefinition answers it with TAGS
// ({"taskDefinition": ..., "tags": [...]}), a service as DescribeServices
// lists it (with TAGS), a task set as DescribeTaskSets lists it (with
// TAGS), a daemon task definition revision as DescribeDaemonTaskDefinition
// answers it, with its tags ({"daemonTaskDefinition": ..., "tags":
// [...]}), a daemon as CreateDaemon takes it with its daemonArn and
// createdAt, an account setting as ListAccountSettings lists it (a
// principal's, or the account's default: the root's). internal/app reads
// them with ECS's service model.
type ECSRegion struct {
	Clusters          []json.RawMessage `json:"clusters,omitempty"`
	CapacityProviders []json.RawMessage `json:"capacityProviders,omitempty"`
	TaskDefinitions   []json.RawMessage `json:"taskDefinitions,omitempty"`
	Services          []json.RawMessage `json:"services,omitempty"`
	// The members below came after the format's first release: a file
	// without them is read as one whose Region has none.
	TaskSets              []json.RawMessage `json:"taskSets,omitempty"`
	DaemonTaskDefinitions []json.RawMessage `json:"daemonTaskDefinitions,omitempty"`
	Daemons               []json.RawMessage `json:"daemons,omitempty"`
	AccountSettings       []json.RawMessage `json:"accountSettings,omitempty"`
}

// AASRegion is an account's Application Auto Scaling resources in one
// Region, each in AWS's JSON as the Application Auto Scaling API answers
// it, under the member names of its answers: a scalable target as
// DescribeScalableTargets lists it, with its tags as ListTagsForResource
// answers them ("Tags", as RegisterScalableTarget takes them), a scaling
// policy as DescribeScalingPolicies lists it, a scheduled action as
// DescribeScheduledActions lists it. internal/app reads them with the
// service's model.
type AASRegion struct {
	ScalableTargets  []json.RawMessage `json:"ScalableTargets,omitempty"`
	ScalingPolicies  []json.RawMessage `json:"ScalingPolicies,omitempty"`
	ScheduledActions []json.RawMessage `json:"ScheduledActions,omitempty"`
}

// Document is a policy document as a file holds it: a JSON string of the
// document's text (as rolecall writes it, keeping the text as written), a
// JSON object (as the AWS CLI prints documents), or a string of IAM's
// URL-encoding of the text (as the API sends it).
type Document json.RawMessage

// DocumentOf is the Document holding text, as rolecall writes it.
func DocumentOf(text string) Document {
	b, _ := json.Marshal(text)
	return b
}

func (d Document) MarshalJSON() ([]byte, error) {
	if len(d) == 0 {
		return []byte("null"), nil
	}
	return json.RawMessage(d).MarshalJSON()
}

func (d *Document) UnmarshalJSON(b []byte) error {
	*d = append((*d)[:0], b...)
	return nil
}

// Text is the document's JSON text; "" for none. A document given as a
// JSON object has lost its text (the AWS CLI decodes documents and prints
// them indented): it is compacted, as policies are mostly written.
func (d Document) Text() (string, error) {
	raw := bytes.TrimSpace(d)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] != '"' {
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return "", err
		}
		return b.String(), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", err
	}
	if strings.HasPrefix(strings.TrimSpace(s), "{") {
		return s, nil
	}
	// RFC 3986: '+' is itself, not a space (as botocore decodes, with
	// urllib's unquote); a document written with leading white space
	// begins "%0A" or "%20", not "%7B".
	t, err := url.PathUnescape(s)
	if err != nil {
		return "", fmt.Errorf("policy document is neither JSON nor URL-encoded JSON: %v", err)
	}
	return t, nil
}
