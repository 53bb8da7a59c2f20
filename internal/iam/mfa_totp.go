package iam

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"image/png"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
)

// A virtual MFA device is a TOTP authenticator (RFC 6238): six digits from
// HMAC-SHA1 of the 30-second time step since the Unix epoch, the codes
// every authenticator app computes from the seed AWS hands out ("Assign a
// virtual MFA device", IAM User Guide,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html).
const (
	totpPeriod = 30 * time.Second
	// mfaSeedBytes: AWS's Base32StringSeed is 64 base32 characters, 40
	// bytes.
	mfaSeedBytes = 40
	// mfaAuthWindow is how many time steps either side of the one the
	// device is expected to show a sign-in code may be from: one, the
	// network delay RFC 6238 (section 5.2) allows.
	mfaAuthWindow = 1
	// mfaSyncWindow is how far from now EnableMFADevice and
	// ResyncMFADevice look for the two consecutive codes: ten minutes
	// either side (rolecall's choice; AWS documents no figure). Codes
	// found away from now leave the device out of sync, as AWS warns
	// ("If you generate the codes and then wait too long to submit the
	// request, the MFA device successfully associates with the user but
	// the MFA device becomes out of sync", EnableMFADevice API reference).
	mfaSyncWindow = 20
	mfaQRSize     = 200 // pixels
)

var totpOpts = hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// totpStep is the time step t falls in.
func totpStep(t time.Time) int64 { return t.Unix() / int64(totpPeriod/time.Second) }

// stepStart is when step begins.
func stepStart(step int64) time.Time {
	return time.Unix(step*int64(totpPeriod/time.Second), 0).UTC()
}

// totpCode is the code a device with seed shows during step.
func totpCode(seed string, step int64) (string, error) {
	if step < 0 {
		return "", fmt.Errorf("iam: TOTP step %d before the epoch", step)
	}
	return hotp.GenerateCodeCustom(seed, uint64(step), totpOpts)
}

// codeStep finds the step in [from, to] whose code is code, comparing in
// time that does not depend on where codes differ; ok is false for none.
func codeStep(seed, code string, from, to int64) (step int64, ok bool, err error) {
	for s := max(from, 0); s <= to; s++ {
		c, err := totpCode(seed, s)
		if err != nil {
			return 0, false, err
		}
		if subtle.ConstantTimeCompare([]byte(c), []byte(code)) == 1 && !ok {
			step, ok = s, true
		}
	}
	return step, ok, nil
}

// newMFASeed is a fresh random seed, base32 without padding.
func newMFASeed() string {
	b := make([]byte, mfaSeedBytes)
	rand.Read(b) // never fails (crypto/rand)
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

// mfaURI is what a virtual device's QR code encodes:
// "otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String
// where $virtualMFADeviceName is one of the create call arguments.
// AccountName is the user name if set (otherwise, the account ID
// otherwise)" (VirtualMFADevice, IAM API reference). The names' characters
// ([\w+=,.@-]) need no escaping in a URI.
func mfaURI(deviceName, accountName, seed string) string {
	return "otpauth://totp/" + deviceName + "@" + accountName + "?secret=" + seed
}

// qrPNG is a QR code PNG image of uri.
func qrPNG(uri string) ([]byte, error) {
	k, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return nil, err
	}
	img, err := k.Image(mfaQRSize, mfaQRSize)
	if err != nil {
		return nil, fmt.Errorf("iam: QR code: %w", err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
