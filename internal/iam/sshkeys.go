package iam

import (
	"context"
	"crypto/md5"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/store"
)

// SSH public keys: the keys an IAM user authenticates to CodeCommit with
// ("Set up SSH connections to CodeCommit",
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadSSHPublicKey.html).
// "The public key must be encoded in ssh-rsa format or PEM format. The
// minimum bit-length of the public key is 2048 bits."

// QuotaSSHPublicKeysPerUser: "SSH public keys per IAM user: 5" (IAM and
// AWS STS quotas).
const QuotaSSHPublicKeysPerUser = 5

// The encodings GetSSHPublicKey answers in.
const (
	EncodingSSH = "SSH"
	EncodingPEM = "PEM"
)

// SSHPublicKey is an SSH public key with its body, in the encoding asked
// for.
type SSHPublicKey struct {
	UserName, SSHPublicKeyId, Fingerprint, SSHPublicKeyBody, Status string
	UploadDate                                                      time.Time
}

// SSHPublicKeyMetadata is an SSH public key as ListSSHPublicKeys shows it.
type SSHPublicKeyMetadata struct {
	UserName, SSHPublicKeyId, Status string
	UploadDate                       time.Time
}

type sshKeyRecord struct {
	UserId, SSHPublicKeyId, Status string
	Body                           string // as uploaded
	Encoding                       string // the body's: EncodingSSH or EncodingPEM
	Fingerprint                    string
	UploadDate                     time.Time
}

func sshKeyCreated(k *sshKeyRecord) (time.Time, string) { return k.UploadDate, k.SSHPublicKeyId }

// body is the key in encoding: as uploaded when that is the encoding it
// came in, converted otherwise.
func (k *sshKeyRecord) body(encoding string) (string, error) {
	if encoding == k.Encoding {
		return k.Body, nil
	}
	pub, _, err := parseSSHPublicKey(k.Body)
	if err != nil {
		return "", err
	}
	if encoding == EncodingPEM {
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			return "", err
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
	}
	return "ssh-rsa " + base64.StdEncoding.EncodeToString(sshRSAWire(pub)), nil
}

// key is the key as the user's, with its body as given.
func (k *sshKeyRecord) key(u *userRecord, body string) *SSHPublicKey {
	return &SSHPublicKey{UserName: u.UserName, SSHPublicKeyId: k.SSHPublicKeyId, Fingerprint: k.Fingerprint,
		SSHPublicKeyBody: body, Status: k.Status, UploadDate: k.UploadDate}
}

func (k *sshKeyRecord) metadata(u *userRecord) SSHPublicKeyMetadata {
	return SSHPublicKeyMetadata{UserName: u.UserName, SSHPublicKeyId: k.SSHPublicKeyId, Status: k.Status, UploadDate: k.UploadDate}
}

// parseSSHPublicKey reads an RSA public key written in OpenSSH's one-line
// form ("ssh-rsa AAAA... comment") or in PEM (PKIX "PUBLIC KEY" or PKCS
// #1 "RSA PUBLIC KEY"), and says which of the two it was. Other key types
// and encodings are UnrecognizedPublicKeyEncoding; a key of one of these
// forms that does not decode, or is shorter than 2048 bits, is
// InvalidPublicKey.
func parseSSHPublicKey(body string) (*rsa.PublicKey, string, error) {
	s := strings.TrimSpace(body)
	if strings.HasPrefix(s, "-----BEGIN ") {
		pub, err := parsePEMPublicKey(s)
		if err != nil {
			return nil, "", err
		}
		return pub, EncodingPEM, nil
	}
	fields := strings.Fields(s)
	if len(fields) == 0 || fields[0] != "ssh-rsa" {
		return nil, "", errUnrecognizedKeyEncoding
	}
	if len(fields) < 2 {
		return nil, "", errInvalidPublicKey
	}
	blob, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil {
		return nil, "", errInvalidPublicKey
	}
	pub, err := parseSSHRSAWire(blob)
	if err != nil {
		return nil, "", err
	}
	return pub, EncodingSSH, nil
}

func parsePEMPublicKey(s string) (*rsa.PublicKey, error) {
	block, rest := pem.Decode([]byte(s))
	if block == nil || strings.TrimSpace(string(rest)) != "" {
		return nil, errInvalidPublicKey
	}
	var pub *rsa.PublicKey
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, errInvalidPublicKey
		}
		var ok bool
		if pub, ok = k.(*rsa.PublicKey); !ok {
			return nil, errUnrecognizedKeyEncoding
		}
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, errInvalidPublicKey
		}
		pub = k
	default:
		return nil, errUnrecognizedKeyEncoding
	}
	return pub, checkRSAPublicKey(pub)
}

// parseSSHRSAWire reads the SSH wire form of an RSA key (RFC 4253 section
// 6.6): string "ssh-rsa", mpint e, mpint n, and nothing after.
func parseSSHRSAWire(b []byte) (*rsa.PublicKey, error) {
	name, b, ok := sshString(b)
	if !ok || string(name) != "ssh-rsa" {
		return nil, errInvalidPublicKey
	}
	e, b, ok := sshString(b)
	if !ok {
		return nil, errInvalidPublicKey
	}
	n, b, ok := sshString(b)
	if !ok || len(b) != 0 || len(e) == 0 || len(n) == 0 || e[0]&0x80 != 0 || n[0]&0x80 != 0 {
		return nil, errInvalidPublicKey // mpints are two's complement: these would be negative
	}
	eInt := new(big.Int).SetBytes(e)
	if !eInt.IsInt64() || eInt.Int64() > 1<<31-1 {
		return nil, errInvalidPublicKey
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(eInt.Int64())}
	return pub, checkRSAPublicKey(pub)
}

// sshString reads one length-prefixed string (RFC 4251 section 5).
func sshString(b []byte) (s, rest []byte, ok bool) {
	if len(b) < 4 {
		return nil, nil, false
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-4) {
		return nil, nil, false
	}
	return b[4 : 4+n], b[4+n:], true
}

// checkRSAPublicKey: at least 2048 bits; an odd exponent above 1.
func checkRSAPublicKey(k *rsa.PublicKey) error {
	if k.N.BitLen() < 2048 || k.E < 3 || k.E%2 == 0 || k.N.Bit(0) == 0 {
		return errInvalidPublicKey
	}
	return nil
}

// sshRSAWire is k's SSH wire form.
func sshRSAWire(k *rsa.PublicKey) []byte {
	var b []byte
	put := func(s []byte) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	mpint := func(x *big.Int) []byte {
		v := x.Bytes()
		if len(v) > 0 && v[0]&0x80 != 0 {
			v = append([]byte{0}, v...)
		}
		return v
	}
	put([]byte("ssh-rsa"))
	put(mpint(big.NewInt(int64(k.E))))
	put(mpint(k.N))
	return b
}

// sshFingerprint is the key's "MD5 message digest" as IAM shows it: the
// MD5 of its SSH wire form in colon-separated hex, OpenSSH's MD5
// fingerprint, the same whichever encoding the key came in.
func sshFingerprint(k *rsa.PublicKey) string {
	sum := md5.Sum(sshRSAWire(k))
	h := hex.EncodeToString(sum[:])
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// sshPublicKeyID makes an SSH public key id: APKA and 16 characters, 20
// in all, as AWS's are ("APKAEIBAERJR2EXAMPLE", API reference).
func (s *Service) sshPublicKeyID() string {
	id := s.gen.ID("APKA")
	return "APKA" + id[5:]
}

// UploadSSHPublicKey gives a user an SSH public key, Active.
func (s *Service) UploadSSHPublicKey(ctx context.Context, account, userName, body string) (*SSHPublicKey, error) {
	pub, encoding, err := parseSSHPublicKey(body)
	if err != nil {
		return nil, err
	}
	k := &sshKeyRecord{SSHPublicKeyId: s.sshPublicKeyID(), Status: StatusActive, Body: body, Encoding: encoding,
		Fingerprint: sshFingerprint(pub), UploadDate: s.now()}
	var out *SSHPublicKey
	err = s.update(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		keys, err := userCreds(tx, bucketSSHKeys, account, u.UserId, sshKeyCreated)
		if err != nil {
			return err
		}
		for _, o := range keys {
			if o.Fingerprint == k.Fingerprint {
				return errDuplicateSSHPublicKey
			}
		}
		if len(keys) >= QuotaSSHPublicKeysPerUser {
			return errSSHPublicKeyQuota
		}
		rec := *k
		rec.UserId = u.UserId
		out = rec.key(u, rec.Body)
		return putJSON(tx, bucketSSHKeys, userCredKey(account, u.UserId, rec.SSHPublicKeyId), &rec)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetSSHPublicKey returns a user's SSH public key in encoding (EncodingSSH
// or EncodingPEM).
func (s *Service) GetSSHPublicKey(ctx context.Context, account, userName, id, encoding string) (*SSHPublicKey, error) {
	var out *SSHPublicKey
	err := s.view(ctx, account, func(tx store.Tx) error {
		u, _, k, err := userCred[sshKeyRecord](tx, bucketSSHKeys, account, userName, id, errNoSuchSSHPublicKey)
		if err != nil {
			return err
		}
		body, err := k.body(encoding)
		if err != nil {
			return err
		}
		out = k.key(u, body)
		return nil
	})
	return out, err
}

// ListSSHPublicKeys lists a user's SSH public keys, oldest first.
func (s *Service) ListSSHPublicKeys(ctx context.Context, account, userName string, pg Page) ([]SSHPublicKeyMetadata, string, error) {
	return listUserCreds(s, ctx, bucketSSHKeys, account, userName, sshKeyCreated, pg, (*sshKeyRecord).metadata)
}

// UpdateSSHPublicKey makes a user's SSH public key Active or Inactive.
func (s *Service) UpdateSSHPublicKey(ctx context.Context, account, userName, id, status string) error {
	if err := checkStatus(status); err != nil {
		return err
	}
	return changeUserCred(s, ctx, bucketSSHKeys, account, userName, id, errNoSuchSSHPublicKey, func(_ *userRecord, k *sshKeyRecord) {
		k.Status = status
	})
}

// DeleteSSHPublicKey deletes a user's SSH public key.
func (s *Service) DeleteSSHPublicKey(ctx context.Context, account, userName, id string) error {
	return s.deleteUserCred(ctx, bucketSSHKeys, account, userName, id, errNoSuchSSHPublicKey)
}
