package iam

import (
	"cmp"
	"context"
	"encoding/base64"
	"slices"
	"time"

	"github.com/rolecall/rolecall/internal/store"
)

// Service-specific credentials: a user name and password for one service
// (CodeCommit's Git credentials, Amazon Keyspaces), or a long-term API key
// for one ("API keys for AWS services", IAM User Guide;
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceSpecificCredential.html).
// IAM shows a password or key once, when it makes it, and keeps neither.

// QuotaServiceCredentialsPerService: "a maximum of two sets of
// service-specific credentials for each supported service per user" (API
// reference).
const QuotaServiceCredentialsPerService = 2

// credentialService is how a service's credentials look: a generated user
// name and password, or an API key (alias and secret).
type credentialService struct {
	apiKey    bool
	keyPrefix string // before the encoded key, as the service reads it
}

// credentialServices are the services IAM makes credentials for: "Amazon
// Bedrock, Amazon CloudWatch Logs, CodeCommit and Amazon Keyspaces (for
// Apache Cassandra)" (API reference); CloudWatch's metrics API keys
// (cloudwatch.amazonaws.com) in the IAM User Guide's "API keys for AWS
// services". Any other is refused as AWS refuses lambda.amazonaws.com
// (recorded).
var credentialServices = map[string]credentialService{
	"codecommit.amazonaws.com": {},
	"cassandra.amazonaws.com":  {},
	// A Bedrock API key is "ABSK" and the base64 of ALIAS:SECRET (public
	// code that reads them, e.g. "Format: BedrockAPIKey-<id>-at-<account>:
	// <secret>" after the prefix). CloudWatch's keys' form is unverified:
	// the same without a prefix.
	"bedrock.amazonaws.com":    {apiKey: true, keyPrefix: "ABSK"},
	"logs.amazonaws.com":       {apiKey: true},
	"cloudwatch.amazonaws.com": {apiKey: true},
}

// ServiceSpecificCredential is a credential as it is made or reset: with
// its password (or API key secret), which IAM shows only then.
type ServiceSpecificCredential struct {
	CreateDate                                      time.Time
	ExpirationDate                                  *time.Time
	ServiceName, ServiceUserName, ServicePassword   string
	ServiceCredentialAlias, ServiceCredentialSecret string
	ServiceSpecificCredentialId, UserName, Status   string
}

// ServiceSpecificCredentialMetadata is a credential as
// ListServiceSpecificCredentials shows it.
type ServiceSpecificCredentialMetadata struct {
	UserName, Status, ServiceUserName, ServiceCredentialAlias string
	CreateDate                                                time.Time
	ExpirationDate                                            *time.Time
	ServiceSpecificCredentialId, ServiceName                  string
}

type serviceCredRecord struct {
	UserId, ServiceSpecificCredentialId, ServiceName, Status string
	CreateDate                                               time.Time
	ExpirationDate                                           *time.Time `json:",omitempty"`
	// ServiceUserName or ServiceCredentialAlias: USER-at-ACCOUNT, the
	// user's name when the credential was made.
	ServiceUserName        string `json:",omitempty"`
	ServiceCredentialAlias string `json:",omitempty"`
}

func serviceCredCreated(c *serviceCredRecord) (time.Time, string) {
	return c.CreateDate, c.ServiceSpecificCredentialId
}

// status is the credential's status at now: Expired past its expiration.
func (c *serviceCredRecord) status(now time.Time) string {
	if c.ExpirationDate != nil && !now.Before(*c.ExpirationDate) {
		return StatusExpired
	}
	return c.Status
}

func (c *serviceCredRecord) metadata(u *userRecord, now time.Time) ServiceSpecificCredentialMetadata {
	return ServiceSpecificCredentialMetadata{UserName: u.UserName, Status: c.status(now), ServiceUserName: c.ServiceUserName,
		ServiceCredentialAlias: c.ServiceCredentialAlias, CreateDate: c.CreateDate, ExpirationDate: c.ExpirationDate,
		ServiceSpecificCredentialId: c.ServiceSpecificCredentialId, ServiceName: c.ServiceName}
}

// newSecret is a new password for a service that has them, or an API
// key's secret: made before a transaction, which may run more than once.
func (s *Service) newSecret(serviceName string) string {
	if credentialServices[serviceName].apiKey {
		return s.gen.Secret(59) + "="
	}
	// 44 characters of base64, as AWS's are ("+oaFsNk7tLco+C/obP9Ghhc
	// OzGcKOayTmE1LvYBOBWs=", API reference example).
	return s.gen.Secret(43) + "="
}

// withSecret is the credential with secret, its new password or API key
// secret (newSecret).
func (c *serviceCredRecord) withSecret(u *userRecord, now time.Time, secret string) *ServiceSpecificCredential {
	out := &ServiceSpecificCredential{CreateDate: c.CreateDate, ExpirationDate: c.ExpirationDate, ServiceName: c.ServiceName,
		ServiceUserName: c.ServiceUserName, ServiceCredentialAlias: c.ServiceCredentialAlias,
		ServiceSpecificCredentialId: c.ServiceSpecificCredentialId, UserName: u.UserName, Status: c.status(now)}
	svc := credentialServices[c.ServiceName]
	if !svc.apiKey {
		out.ServicePassword = secret
		return out
	}
	out.ServiceCredentialSecret = svc.keyPrefix + base64.StdEncoding.EncodeToString([]byte(c.ServiceCredentialAlias+":"+secret))
	return out
}

// CreateServiceSpecificCredential makes a credential for a user and a
// service, Active; an API key expires after ageDays days when ageDays is
// not zero.
func (s *Service) CreateServiceSpecificCredential(ctx context.Context, account, userName, serviceName string, ageDays int32) (*ServiceSpecificCredential, error) {
	now := s.now()
	c := &serviceCredRecord{ServiceSpecificCredentialId: s.gen.ID("ACCA"), ServiceName: serviceName, Status: StatusActive, CreateDate: now}
	secret := s.newSecret(serviceName)
	var out *ServiceSpecificCredential
	err := s.update(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		svc, ok := credentialServices[serviceName]
		if !ok {
			return errServiceNotSupported(serviceName)
		}
		if ageDays != 0 && !svc.apiKey {
			return errCredentialAgeNotAPIKey
		}
		creds, err := userCreds(tx, bucketServiceCreds, account, u.UserId, serviceCredCreated)
		if err != nil {
			return err
		}
		n := 0
		for _, o := range creds {
			if o.ServiceName == serviceName {
				n++
			}
		}
		if n >= QuotaServiceCredentialsPerService {
			return errServiceCredentialQuota
		}
		rec := *c
		rec.UserId = u.UserId
		// "generated by combining the IAM user's name combined with the
		// ID number of the AWS account, as in jane-at-123456789012" (API
		// reference; recorded).
		name := u.UserName + "-at-" + account
		if svc.apiKey {
			rec.ServiceCredentialAlias = name
			if ageDays > 0 {
				exp := now.Add(time.Duration(ageDays) * 24 * time.Hour)
				rec.ExpirationDate = &exp
			}
		} else {
			rec.ServiceUserName = name
		}
		out = rec.withSecret(u, now, secret)
		return putJSON(tx, bucketServiceCreds, userCredKey(account, u.UserId, rec.ServiceSpecificCredentialId), &rec)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListServiceSpecificCredentials lists a user's credentials (every user's
// when userName is empty and allUsers is set), those for serviceName only
// if it is given.
func (s *Service) ListServiceSpecificCredentials(ctx context.Context, account, userName, serviceName string, allUsers bool, pg Page) ([]ServiceSpecificCredentialMetadata, string, error) {
	if allUsers && userName != "" {
		return nil, "", errAllUsersWithUserName
	}
	now := s.now()
	var out []ServiceSpecificCredentialMetadata
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		users := map[string]*userRecord{}
		if allUsers {
			if err := store.ScanJSON(tx, bucketUsers, account+"/", func(_ string, u *userRecord) bool {
				users[u.UserId] = u
				return true
			}); err != nil {
				return err
			}
		} else {
			u, err := loadUser(tx, account, userName)
			if err != nil {
				return err
			}
			users[u.UserId] = u
		}
		if _, ok := credentialServices[serviceName]; serviceName != "" && !ok {
			return errServiceNotSupported(serviceName)
		}
		var all []ServiceSpecificCredentialMetadata
		for id, u := range users {
			creds, err := userCreds(tx, bucketServiceCreds, account, id, serviceCredCreated)
			if err != nil {
				return err
			}
			for _, c := range creds {
				if serviceName == "" || c.ServiceName == serviceName {
					all = append(all, c.metadata(u, now))
				}
			}
		}
		// By user, then oldest first.
		slices.SortStableFunc(all, func(a, b ServiceSpecificCredentialMetadata) int {
			return cmp.Or(cmp.Compare(a.UserName, b.UserName), a.CreateDate.Compare(b.CreateDate),
				cmp.Compare(a.ServiceSpecificCredentialId, b.ServiceSpecificCredentialId))
		})
		var err error
		out, next, err = pageSlice(all, pg)
		return err
	})
	return out, next, err
}

// ResetServiceSpecificCredential gives a credential a new password (or
// API key secret).
func (s *Service) ResetServiceSpecificCredential(ctx context.Context, account, userName, id string) (*ServiceSpecificCredential, error) {
	now := s.now()
	var out *ServiceSpecificCredential
	err := s.view(ctx, account, func(tx store.Tx) error {
		u, _, c, err := userCred[serviceCredRecord](tx, bucketServiceCreds, account, userName, id, errNoSuchServiceCredential)
		if err != nil {
			return err
		}
		out = c.withSecret(u, now, s.newSecret(c.ServiceName))
		return nil
	})
	return out, err
}

// UpdateServiceSpecificCredential makes a credential Active or Inactive.
func (s *Service) UpdateServiceSpecificCredential(ctx context.Context, account, userName, id, status string) error {
	if err := checkStatus(status); err != nil {
		return err
	}
	return changeUserCred(s, ctx, bucketServiceCreds, account, userName, id, errNoSuchServiceCredential, func(_ *userRecord, c *serviceCredRecord) {
		c.Status = status
	})
}

// DeleteServiceSpecificCredential deletes a credential.
func (s *Service) DeleteServiceSpecificCredential(ctx context.Context, account, userName, id string) error {
	return s.deleteUserCred(ctx, bucketServiceCreds, account, userName, id, errNoSuchServiceCredential)
}

// ServiceSpecificCredentialService is the service a user's credential is
// for ("" when the user has no such credential): the
// iam:ServiceSpecificCredentialServiceName of a request that names it.
func (s *Service) ServiceSpecificCredentialService(ctx context.Context, account, userName, id string) (string, error) {
	var out string
	err := s.view(ctx, account, func(tx store.Tx) error {
		_, _, c, err := userCred[serviceCredRecord](tx, bucketServiceCreds, account, userName, id, errNoSuchServiceCredential)
		if err == nil {
			out = c.ServiceName
		}
		return err
	})
	return out, err
}
