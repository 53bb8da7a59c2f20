package imds

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"
)

// IMDSv2 session tokens ("Use the Instance Metadata Service to access
// instance metadata", "How Instance Metadata Service Version 2 works",
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html):
// PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds (1 to
// 21600) answers a token, which every GET then sends as
// X-aws-ec2-metadata-token. A token is good for its instance only, until
// its TTL runs out.
const (
	tokenPath      = "/latest/api/token"
	ttlHeader      = "X-aws-ec2-metadata-token-ttl-seconds"
	tokenHeader    = "X-aws-ec2-metadata-token"
	MaxTokenTTL    = 21600 // six hours
	maxTTLDigits   = 5
	tokenMACLength = 32
)

// parseTTL reads the TTL header: a whole number of seconds from 1 to
// MaxTokenTTL, in decimal digits only (no sign, no space); ok false
// otherwise, which IMDS answers 400 ("Missing or Invalid Parameters").
// Leading zeros are read as the number they pad (rolecall's reading).
func parseTTL(v string) (int, bool) {
	for len(v) > 1 && v[0] == '0' {
		v = v[1:]
	}
	if v == "" || len(v) > maxTTLDigits {
		return 0, false
	}
	n := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n >= 1 && n <= MaxTokenTTL
}

// tokens mints and checks IMDSv2 tokens. A token carries its expiry and
// an HMAC of it with the instance it was issued for (account, ID and
// launch time), under a key drawn when rolecall starts: no token is kept,
// none can be forged, one instance's token is nothing to another (nor to
// a new instance given the old one's port), and a restart makes every
// token stale, as the SDKs expect of any token (they ask again on 401).
type tokens struct{ key []byte }

// tokenFor identifies the instance a token is for.
type tokenFor struct {
	Account, InstanceID string
	LaunchTime          time.Time
}

func (k tokens) mac(f tokenFor, expires int64) []byte {
	m := hmac.New(sha256.New, k.key)
	var b [8]byte
	m.Write([]byte("rolecall-imdsv2\x00" + f.Account + "\x00" + f.InstanceID + "\x00"))
	binary.BigEndian.PutUint64(b[:], uint64(f.LaunchTime.UnixNano()))
	m.Write(b[:])
	binary.BigEndian.PutUint64(b[:], uint64(expires))
	m.Write(b[:])
	return m.Sum(nil)
}

// mint is a token for f that expires at expires: 56 base64 characters,
// the length of AWS's.
func (k tokens) mint(f tokenFor, expires time.Time) string {
	b := make([]byte, 8, 8+tokenMACLength)
	binary.BigEndian.PutUint64(b, uint64(expires.Unix()))
	b = append(b, k.mac(f, expires.Unix())...)
	return base64.StdEncoding.EncodeToString(b)
}

// valid reports whether tok is a token minted for f that has not expired
// at now.
func (k tokens) valid(tok string, f tokenFor, now time.Time) bool {
	if len(tok) != base64.StdEncoding.EncodedLen(8+tokenMACLength) {
		return false
	}
	b, err := base64.StdEncoding.Strict().DecodeString(tok)
	if err != nil || len(b) != 8+tokenMACLength {
		return false
	}
	expires := int64(binary.BigEndian.Uint64(b[:8]))
	if !hmac.Equal(b[8:], k.mac(f, expires)) {
		return false
	}
	return now.Unix() < expires
}
