package iam

import (
	"context"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/store"
)

// Server certificates: TLS certificates IAM keeps for ELB and CloudFront
// ("Managing server certificates in IAM",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_server-certs.html).
// The private key is checked against the certificate and not kept: no
// IAM operation returns it, and rolecall terminates no TLS with it.

const (
	bucketServerCerts = "iam-server-certificates"
	maxServerCertName = 128
)

// ServerCertificateMetadata is a server certificate without its body.
type ServerCertificateMetadata struct {
	Path, ServerCertificateName, ServerCertificateId, Arn string
	UploadDate, Expiration                                time.Time
}

// ServerCertificate is a server certificate with its body and chain.
type ServerCertificate struct {
	ServerCertificateMetadata         ServerCertificateMetadata
	CertificateBody, CertificateChain string
	Tags                              []Tag
}

// UploadServerCertificateInput is UploadServerCertificate's request.
type UploadServerCertificateInput struct {
	Path, ServerCertificateName, CertificateBody, PrivateKey, CertificateChain string
	Tags                                                                       []Tag
}

type serverCertRecord struct {
	Path, ServerCertificateName, ServerCertificateId string
	UploadDate, Expiration                           time.Time
	CertificateBody                                  string
	CertificateChain                                 string `json:",omitempty"`
	Tags                                             []Tag  `json:",omitempty"`
}

var serverCertTags = tagRules{caseFold: true, duplicateErr: errDuplicateTagKeys}

func (c *serverCertRecord) metadata(account string) ServerCertificateMetadata {
	return ServerCertificateMetadata{Path: c.Path, ServerCertificateName: c.ServerCertificateName, ServerCertificateId: c.ServerCertificateId,
		Arn: iamArn(account, "server-certificate", c.Path, c.ServerCertificateName), UploadDate: c.UploadDate, Expiration: c.Expiration}
}

func loadServerCert(tx store.Tx, account, name string) (*serverCertRecord, error) {
	var c serverCertRecord
	ok, err := getJSON(tx, bucketServerCerts, entityKey(account, name), &c)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoSuchServerCertificate(name)
	}
	return &c, nil
}

func saveServerCert(tx store.Tx, account string, c *serverCertRecord) error {
	return putJSON(tx, bucketServerCerts, entityKey(account, c.ServerCertificateName), c)
}

// checkServerCertificate validates an upload's PEM: the body, the private
// key that must be its key (unless keyless: ImportServerCertificate), and
// the chain that must have signed it.
func checkServerCertificate(in UploadServerCertificateInput, keyless bool) (expiration time.Time, err error) {
	cert, err := parseCertificatePEM(in.CertificateBody)
	if err != nil {
		return time.Time{}, err
	}
	if !keyless {
		key, err := parsePrivateKeyPEM(in.PrivateKey)
		if err != nil {
			return time.Time{}, err
		}
		if !keyMatches(cert, key) {
			return time.Time{}, errKeyPairMismatch
		}
	}
	if in.CertificateChain != "" {
		if _, err := parseChainPEM(in.CertificateChain, cert); err != nil {
			return time.Time{}, err
		}
	}
	return cert.NotAfter.UTC(), nil
}

// UploadServerCertificate stores a server certificate; the account has at
// most 20. The answer has the request's tags, when it has any.
func (s *Service) UploadServerCertificate(ctx context.Context, account string, in UploadServerCertificateInput) (*ServerCertificateMetadata, []Tag, error) {
	return s.uploadServerCertificate(ctx, account, in, false)
}

func (s *Service) uploadServerCertificate(ctx context.Context, account string, in UploadServerCertificateInput, keyless bool) (*ServerCertificateMetadata, []Tag, error) {
	if err := checkName("serverCertificateName", in.ServerCertificateName, maxServerCertName); err != nil {
		return nil, nil, err
	}
	path, err := cleanPath("path", in.Path)
	if err != nil {
		return nil, nil, err
	}
	if err := serverCertTags.check(in.Tags); err != nil {
		return nil, nil, err
	}
	expiration, err := checkServerCertificate(in, keyless)
	if err != nil {
		return nil, nil, err
	}
	c := &serverCertRecord{Path: path, ServerCertificateName: in.ServerCertificateName, ServerCertificateId: s.gen.ID("ASCA"),
		UploadDate: s.now(), Expiration: expiration, CertificateBody: in.CertificateBody, CertificateChain: in.CertificateChain, Tags: in.Tags}
	err = s.update(ctx, account, func(tx store.Tx) error {
		if _, ok := tx.Get(bucketServerCerts, entityKey(account, c.ServerCertificateName)); ok {
			return errServerCertificateExists(c.ServerCertificateName)
		}
		// "LimitExceeded: Cannot exceed quota for
		// ServerCertificatesPerAccount: 20" (AWS's answer as Mesosphere's
		// DC/OS 2.1 AWS installer documentation quotes it).
		if err := countNew(tx, account, bucketServerCerts, "ServerCertificatesPerAccount", QuotaServerCertificates); err != nil {
			return err
		}
		return saveServerCert(tx, account, c)
	})
	if err != nil {
		return nil, nil, err
	}
	md := c.metadata(account)
	var tags []Tag
	if len(in.Tags) > 0 {
		tags = append(tags, in.Tags...)
	}
	return &md, tags, nil
}

// GetServerCertificate returns a server certificate with its body, chain
// and tags.
func (s *Service) GetServerCertificate(ctx context.Context, account, name string) (*ServerCertificate, error) {
	var out *ServerCertificate
	err := s.view(ctx, account, func(tx store.Tx) error {
		c, err := loadServerCert(tx, account, name)
		if err != nil {
			return err
		}
		out = &ServerCertificate{ServerCertificateMetadata: c.metadata(account), CertificateBody: c.CertificateBody,
			CertificateChain: c.CertificateChain, Tags: append([]Tag{}, c.Tags...)}
		return nil
	})
	return out, err
}

// ListServerCertificates lists the account's server certificates by name,
// those under pathPrefix only if it is given.
func (s *Service) ListServerCertificates(ctx context.Context, account, pathPrefix string, pg Page) ([]ServerCertificateMetadata, string, error) {
	var out []ServerCertificateMetadata
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		var err error
		out, next, err = scanPage(tx, bucketServerCerts, account+"/", pg, func(_ string, v []byte) (ServerCertificateMetadata, bool, error) {
			var c serverCertRecord
			if err := unmarshal(v, &c); err != nil {
				return ServerCertificateMetadata{}, false, err
			}
			return c.metadata(account), strings.HasPrefix(c.Path, pathPrefix), nil
		})
		return err
	})
	return out, next, err
}

// UpdateServerCertificate renames a server certificate or moves it to
// another path; empty values leave the name or path as they are.
func (s *Service) UpdateServerCertificate(ctx context.Context, account, name, newPath, newName string) error {
	if newName != "" {
		if err := checkName("newServerCertificateName", newName, maxServerCertName); err != nil {
			return err
		}
	}
	if newPath != "" {
		if _, err := cleanPath("newPath", newPath); err != nil {
			return err
		}
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		c, err := loadServerCert(tx, account, name)
		if err != nil {
			return err
		}
		if newName != "" && !strings.EqualFold(newName, c.ServerCertificateName) {
			if _, taken := tx.Get(bucketServerCerts, entityKey(account, newName)); taken {
				return errServerCertificateExists(newName)
			}
		}
		if err := tx.Delete(bucketServerCerts, entityKey(account, c.ServerCertificateName)); err != nil {
			return err
		}
		if newName != "" {
			c.ServerCertificateName = newName
		}
		if newPath != "" {
			c.Path = newPath
		}
		return saveServerCert(tx, account, c)
	})
}

// DeleteServerCertificate deletes a server certificate.
func (s *Service) DeleteServerCertificate(ctx context.Context, account, name string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		c, err := loadServerCert(tx, account, name)
		if err != nil {
			return err
		}
		if err := countEntity(tx, account, bucketServerCerts, -1); err != nil {
			return err
		}
		return tx.Delete(bucketServerCerts, entityKey(account, c.ServerCertificateName))
	})
}

func (s *Service) modifyServerCert(ctx context.Context, account, name string, fn func(c *serverCertRecord) error) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		c, err := loadServerCert(tx, account, name)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
		return saveServerCert(tx, account, c)
	})
}

// TagServerCertificate adds or replaces tags on a server certificate.
func (s *Service) TagServerCertificate(ctx context.Context, account, name string, tags []Tag) error {
	if err := serverCertTags.check(tags); err != nil {
		return err
	}
	return s.modifyServerCert(ctx, account, name, func(c *serverCertRecord) (err error) {
		c.Tags, err = serverCertTags.merge(c.Tags, tags)
		return err
	})
}

// UntagServerCertificate removes tags from a server certificate.
func (s *Service) UntagServerCertificate(ctx context.Context, account, name string, keys []string) error {
	return s.modifyServerCert(ctx, account, name, func(c *serverCertRecord) error {
		c.Tags = serverCertTags.remove(c.Tags, keys)
		return nil
	})
}

// ListServerCertificateTags lists a server certificate's tags.
func (s *Service) ListServerCertificateTags(ctx context.Context, account, name string, pg Page) ([]Tag, string, error) {
	var out []Tag
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		c, err := loadServerCert(tx, account, name)
		if err != nil {
			return err
		}
		out, next, err = pageSlice(c.Tags, pg)
		return err
	})
	return out, next, err
}
