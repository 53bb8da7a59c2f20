package iam

import (
	"strings"
	"testing"
	"time"
)

// TestImportMFADevice: a device imported with a seed is enabled for its
// user and checks the codes of that seed; a serial of another account, a
// seed that is none, half an enablement, a device that exists or a user
// that does not are refused; MFADeviceStates reads back what was imported.
func TestImportMFADevice(t *testing.T) {
	f := newFixture(t)
	if _, err := f.CreateUser(ctx, acct, CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	const seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	serial := "arn:aws:iam::" + acct + ":mfa/phones/alice"
	enabled := epoch.Add(-time.Hour)
	in := MFADeviceState{SerialNumber: serial, Seed: seed, UserName: "alice", EnableDate: &enabled, Tags: []Tag{{Key: "k", Value: "v"}}}
	for _, c := range []struct {
		name string
		mod  func(*MFADeviceState)
		want string
	}{
		{"another account", func(d *MFADeviceState) { d.SerialNumber = "arn:aws:iam::111122223333:mfa/alice" }, "is not the ARN of a virtual MFA device of account"},
		{"a user's ARN", func(d *MFADeviceState) { d.SerialNumber = "arn:aws:iam::" + acct + ":user/alice" }, "is not the ARN of a virtual MFA device of account"},
		{"no seed", func(d *MFADeviceState) { d.Seed = "" }, "Base32StringSeed: not a seed"},
		{"not base32", func(d *MFADeviceState) { d.Seed = "not base32!" }, "Base32StringSeed: not a seed"},
		{"no enable date", func(d *MFADeviceState) { d.EnableDate = nil }, "both UserName and EnableDate"},
		{"no such user", func(d *MFADeviceState) { d.UserName = "bob" }, "The user with name bob cannot be found."},
	} {
		d := in
		c.mod(&d)
		if err := f.ImportMFADevice(ctx, acct, d); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ...%s...", c.name, err, c.want)
		}
	}
	if err := f.ImportMFADevice(ctx, acct, in); err != nil {
		t.Fatal(err)
	}
	wantErr(t, f.ImportMFADevice(ctx, acct, in), "EntityAlreadyExists", 409, "MFA device already exists.")

	code, err := totpCode(seed, totpStep(f.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if associated, accepted, err := f.CheckMFACode(ctx, acct, "alice", serial, code); !associated || !accepted || err != nil {
		t.Errorf("CheckMFACode of the seed's code: %v %v %v", associated, accepted, err)
	}
	got, err := f.MFADeviceStates(ctx, acct)
	if err != nil || len(got) != 1 || got[0].SerialNumber != serial || got[0].Seed != seed || got[0].UserName != "alice" ||
		!got[0].EnableDate.Equal(enabled) || len(got[0].Tags) != 1 {
		t.Errorf("MFADeviceStates = %+v, %v", got, err)
	}
}

// TestImportServerCertificate: the certificate is kept without a private
// key, its body and chain checked as UploadServerCertificate checks them.
func TestImportServerCertificate(t *testing.T) {
	f := newFixture(t)
	p := pkiOnce()
	in := UploadServerCertificateInput{ServerCertificateName: "web", CertificateBody: p.leaf, CertificateChain: p.intermediate + p.root}
	md, err := f.ImportServerCertificate(ctx, acct, in)
	if err != nil || md.Arn != "arn:aws:iam::"+acct+":server-certificate/web" || md.Expiration.IsZero() {
		t.Fatalf("ImportServerCertificate = %+v, %v", md, err)
	}
	bad := in
	bad.ServerCertificateName, bad.CertificateChain = "reversed", p.root+p.intermediate
	if _, err := f.ImportServerCertificate(ctx, acct, bad); err == nil {
		t.Error("a chain that did not sign the body was taken")
	}
	keyed := in
	keyed.ServerCertificateName, keyed.PrivateKey = "keyed", p.leafKey
	if _, err := f.ImportServerCertificate(ctx, acct, keyed); err == nil {
		t.Error("a private key was taken")
	}
}
