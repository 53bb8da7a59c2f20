package sts

import (
	"context"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/principal"
)

// AccessKeys is what GetAccessKeyInfo reads of IAM: the account of an IAM
// user's access key; ok is false when IAM has none by that id.
type AccessKeys interface {
	AccessKeyAccount(ctx context.Context, id string) (account string, ok bool, err error)
}

// AccessKeyInfo is GetAccessKeyInfo's answer.
type AccessKeyInfo struct{ Account string }

// GetAccessKeyInfo answers the account an access key id belongs to, "for
// any key": "This operation does not indicate the state of the access
// key. The key might be active, inactive, or deleted" (STS API reference,
// GetAccessKeyInfo). Keys rolecall issued (IAM users' AKIA..., STS's
// ASIA...) answer their account from what rolecall keeps; any other key
// answers the account AWS encodes in its key ids (decodeKeyAccount), as
// AWS answers for keys of accounts it does not show the caller.
func (s *Service) GetAccessKeyInfo(ctx context.Context, caller *principal.Principal, id string) (*AccessKeyInfo, error) {
	if err := federatedRefused(caller, "sts:GetAccessKeyInfo", "*"); err != nil {
		return nil, err
	}
	if strings.HasPrefix(id, "ASIA") {
		sess, err := s.Session(ctx, id)
		if err != nil {
			return nil, err
		}
		if sess != nil {
			return &AccessKeyInfo{Account: sess.Principal.Account}, nil
		}
	}
	if s.extras.Keys != nil {
		account, ok, err := s.extras.Keys.AccessKeyAccount(ctx, id)
		if err != nil {
			return nil, err
		}
		if ok {
			return &AccessKeyInfo{Account: account}, nil
		}
	}
	account, ok := decodeKeyAccount(id)
	if !ok {
		return nil, errNoSuchAccessKeyID()
	}
	return &AccessKeyInfo{Account: account}, nil
}

// keyIDEncoding is the base32 alphabet of AWS's key ids (RFC 4648, the
// upper-case letters and the digits 2-7).
var keyIDEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// decodeKeyAccount is the account AWS encodes in an access key id since
// 2019: after the four-letter prefix, the key's first ten bytes in base32;
// bits 1 to 40 of their first six bytes are the account number ("A short
// note on AWS KEY ID", Tal Be'ery, 2023; the account ids it decodes match
// what GetAccessKeyInfo answers for them). ok is false for an id that is
// not base32 after its prefix.
func decodeKeyAccount(id string) (string, bool) {
	if len(id) < 20 {
		return "", false
	}
	b, err := keyIDEncoding.DecodeString(id[4:20])
	if err != nil {
		return "", false
	}
	var head [8]byte
	copy(head[2:], b[:6])
	n := binary.BigEndian.Uint64(head[:])
	return fmt.Sprintf("%012d", (n&0x7fffffffff80)>>7), true
}

// errNoSuchAccessKeyID: an id that encodes no account. "Providing a
// deleted access key might return an error that the key doesn't exist"
// (STS API reference, GetAccessKeyInfo); rolecall answers as STS answers a
// key it does not know (InvalidClientTokenId, 403). Unverified for this
// operation.
func errNoSuchAccessKeyID() error { return auth.InvalidClientToken() }
