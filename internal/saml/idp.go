package saml

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/store"
)

// EntityID is rolecall's identity provider's entity ID: the Issuer of
// the responses it signs, and the entityID of its metadata.
const EntityID = "urn:rolecall:saml:idp"

// DefaultValidity is how long a response of rolecall's identity provider
// may be presented: AWS takes a response only within five minutes of its
// issue ("Token must be redeemed within 5 minutes of issuance", STS's
// ExpiredTokenException, as Nike-Inc/gimme-aws-creds #251 relays it).
const DefaultValidity = 5 * time.Minute

// The identity provider's key is state: one per rolecall, kept in the
// store so that a provider registered with its metadata keeps working
// across restarts.
const (
	bucketIdP = "saml-idp"
	keyIdP    = "signing-key"
)

// idpRecord is the identity provider's signing key (PKCS #8 DER) and its
// self-signed certificate (DER).
type idpRecord struct {
	Key, Cert []byte
	Created   time.Time
}

// IdP is rolecall's own SAML identity provider, for local tests of SAML
// federation: it asserts whatever it is asked to, signed with its key,
// whose certificate its metadata names. A SAML provider created with that
// metadata trusts it.
type IdP struct {
	st    store.Store
	clock ids.Clock

	mu     sync.Mutex
	raw    []byte // the record signer was read from
	signer Signer
}

// NewIdP is the identity provider whose key st keeps; the key is made the
// first time it is needed.
func NewIdP(st store.Store, clock ids.Clock) *IdP { return &IdP{st: st, clock: clock} }

// Signer is the identity provider's key and certificate, made and kept
// if the state has none.
func (p *IdP) Signer(ctx context.Context) (Signer, error) {
	if err := ctx.Err(); err != nil {
		return Signer{}, err
	}
	raw, err := p.stored()
	if err != nil {
		return Signer{}, err
	}
	if raw == nil {
		rec, err := newIdPRecord(p.clock.Now())
		if err != nil {
			return Signer{}, err
		}
		// Another request may have made one meanwhile: the first kept wins.
		err = p.st.Update(func(tx store.Tx) error {
			if b, ok := tx.Get(bucketIdP, keyIdP); ok {
				raw = bytes.Clone(b) // b is the store's only while tx lasts
				return nil
			}
			raw = nil
			return store.PutJSON(tx, bucketIdP, keyIdP, rec)
		})
		if err != nil {
			return Signer{}, err
		}
		if raw == nil {
			if raw, err = p.stored(); err != nil {
				return Signer{}, err
			}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if bytes.Equal(raw, p.raw) {
		return p.signer, nil
	}
	s, err := parseIdPRecord(raw)
	if err != nil {
		return Signer{}, err
	}
	p.raw, p.signer = raw, s
	return s, nil
}

// stored is the key's record as the state has it; nil when it has none.
func (p *IdP) stored() ([]byte, error) {
	var raw []byte
	err := p.st.View(func(tx store.Tx) error {
		if b, ok := tx.Get(bucketIdP, keyIdP); ok {
			raw = bytes.Clone(b)
		}
		return nil
	})
	return raw, err
}

func newIdPRecord(now time.Time) (*idpRecord, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	now = now.UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "rolecall SAML identity provider", Organization: []string{"rolecall"}},
		// An hour back, so that a clock a little behind still finds it
		// valid; twenty years on, so that it outlives any test set-up.
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(20, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &idpRecord{Key: der, Cert: cert, Created: now}, nil
}

func parseIdPRecord(raw []byte) (Signer, error) {
	var rec idpRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return Signer{}, fmt.Errorf("saml: corrupt identity provider key: %w", err)
	}
	k, err := x509.ParsePKCS8PrivateKey(rec.Key)
	if err != nil {
		return Signer{}, fmt.Errorf("saml: corrupt identity provider key: %w", err)
	}
	key, ok := k.(*rsa.PrivateKey)
	if !ok {
		return Signer{}, errors.New("saml: the identity provider's key is not an RSA key")
	}
	return Signer{Key: key, Cert: rec.Cert}, nil
}

// Metadata is the identity provider's metadata document, which
// CreateSAMLProvider takes; ssoURL is where it says it takes
// authentication requests (rolecall takes none: it asserts on request).
func (p *IdP) Metadata(ctx context.Context, ssoURL string) (string, error) {
	s, err := p.Signer(ctx)
	if err != nil {
		return "", err
	}
	return idpMetadata(EntityID, s.Cert, ssoURL), nil
}

// Request is what rolecall's identity provider is asked to assert.
type Request struct {
	// Provider and Role are the ARNs of the SAML provider and the role
	// the user may assume: the Role attribute's pair.
	Provider, Role string
	// Subject is the NameID; SubjectFormat its Format (default
	// NameIDPersistent).
	Subject, SubjectFormat string
	// SessionName is the RoleSessionName attribute (default Subject),
	// unless Attributes name one.
	SessionName string
	// Attributes are further attributes; a name may be short
	// (AttributeName). Values of one name add up.
	Attributes []Attribute
	// Recipient and Audience default to AWS's sign-in endpoint.
	Recipient, Audience string
	// ValidFor is how long the response may be presented (default
	// DefaultValidity); negative makes one already expired.
	ValidFor time.Duration
	// EncryptTo, when set, is the service provider's certificate the
	// assertion is encrypted to (the public half of a private key the
	// SAML provider holds).
	EncryptTo *x509.Certificate
}

// Assert answers the base64 SAML response r asks for, signed.
func (p *IdP) Assert(ctx context.Context, r Request) (string, error) {
	spec, err := r.Spec(p.clock.Now())
	if err != nil {
		return "", err
	}
	s, err := p.Signer(ctx)
	if err != nil {
		return "", err
	}
	return s.Response(spec)
}

// ErrRequest is a Request the identity provider cannot assert; the error
// wrapping it says why.
var ErrRequest = errors.New("saml: bad assertion request")

// Spec is the response r asks for, issued at now.
func (r Request) Spec(now time.Time) (Spec, error) {
	if r.Subject == "" {
		return Spec{}, fmt.Errorf("%w: no subject", ErrRequest)
	}
	if r.Role == "" || r.Provider == "" {
		return Spec{}, fmt.Errorf("%w: a role and a SAML provider are needed for the Role attribute", ErrRequest)
	}
	valid := r.ValidFor
	if valid == 0 {
		valid = DefaultValidity
	}
	spec := Spec{Issuer: EntityID, NameID: r.Subject, NameIDFormat: r.SubjectFormat,
		Recipient: or(r.Recipient, SignInURL), Audiences: []string{or(r.Audience, SignInURL)},
		IssueInstant: now, NotBefore: now, NotOnOrAfter: now.Add(valid)}
	if r.EncryptTo != nil {
		spec.Encrypt = &Encryption{To: r.EncryptTo}
	}
	add := func(name string, values ...string) {
		for i := range spec.Attributes {
			if spec.Attributes[i].Name == name {
				spec.Attributes[i].Values = append(spec.Attributes[i].Values, values...)
				return
			}
		}
		spec.Attributes = append(spec.Attributes, Attribute{Name: name, Values: values})
	}
	add(AttributeRole, r.Role+","+r.Provider)
	named := false
	for _, a := range r.Attributes {
		name, err := AttributeName(a.Name)
		if err != nil {
			return Spec{}, fmt.Errorf("%w: %v", ErrRequest, err)
		}
		named = named || name == AttributeRoleSessionName
		add(name, a.Values...)
	}
	if !named {
		add(AttributeRoleSessionName, or(r.SessionName, r.Subject))
	}
	return spec, nil
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}
