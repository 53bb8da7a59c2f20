package iam

import (
	"bytes"
	"testing"
	"time"
)

// RFC 6238, appendix B: the SHA-1 seed "12345678901234567890", whose
// eight-digit codes end in these six.
func TestTOTPRFC6238Vectors(t *testing.T) {
	const seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // base32 of the ASCII seed
	for unix, want := range map[int64]string{
		59: "287082", 1111111109: "081804", 1111111111: "050471",
		1234567890: "005924", 2000000000: "279037", 20000000000: "353130",
	} {
		got, err := totpCode(seed, totpStep(time.Unix(unix, 0)))
		if err != nil || got != want {
			t.Errorf("T=%d: %q, %v; want %q", unix, got, err, want)
		}
	}
}

func TestMFAURIAndQRCode(t *testing.T) {
	if got := mfaURI("alice-phone", "000000000000", "SEED"); got != "otpauth://totp/alice-phone@000000000000?secret=SEED" {
		t.Errorf("mfaURI = %s", got)
	}
	png, err := qrPNG(mfaURI("d", "alice", newMFASeed()))
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("qrPNG: %v, % x", err, png[:min(len(png), 8)])
	}
	if s := newMFASeed(); len(s) != 64 {
		t.Errorf("seed %q: %d characters, want 64 as AWS's", s, len(s))
	}
}

// TestCheckMFACode: a code is accepted within a step of the device's
// time, once; a device enabled with old codes runs behind until resynced.
func TestCheckMFACode(t *testing.T) {
	f := newFixture(t)
	if _, err := f.CreateUser(ctx, acct, CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	d, err := f.CreateVirtualMFADevice(ctx, acct, "arn:aws:iam::"+acct+":user/alice", CreateVirtualMFADeviceInput{VirtualMFADeviceName: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	seed, serial := string(d.Base32StringSeed), d.SerialNumber
	code := func(at time.Time) string {
		c, err := totpCode(seed, totpStep(at))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	check := func(c string, wantAssociated, wantAccepted bool) {
		t.Helper()
		a, ok, err := f.CheckMFACode(ctx, acct, "alice", serial, c)
		if err != nil || a != wantAssociated || ok != wantAccepted {
			t.Fatalf("CheckMFACode(%s) = %v %v %v, want %v %v", c, a, ok, err, wantAssociated, wantAccepted)
		}
	}
	check(code(f.clock.Now()), false, false) // not enabled yet

	old := f.clock.Now().Add(-5 * time.Minute)
	if err := f.EnableMFADevice(ctx, acct, "alice", serial, code(old), code(old.Add(totpPeriod))); err != nil {
		t.Fatal(err)
	}
	check(code(f.clock.Now()), true, false)         // out of sync: ten steps behind
	check(code(old.Add(2*totpPeriod)), true, true)  // what the device is believed to show
	check(code(old.Add(2*totpPeriod)), true, false) // once
	if err := f.ResyncMFADevice(ctx, acct, "alice", serial, code(f.clock.Now().Add(-totpPeriod)), code(f.clock.Now())); err != nil {
		t.Fatal(err)
	}
	check(code(f.clock.Now()), true, false)                   // spent resyncing
	check(code(f.clock.Now().Add(2*totpPeriod)), true, false) // beyond a step ahead
	check(code(f.clock.Now().Add(totpPeriod)), true, true)
	if a, ok, _ := f.CheckMFACode(ctx, acct, "bob", serial, code(f.clock.Now())); a || ok {
		t.Errorf("another user's check: %v %v", a, ok)
	}

	// The codes rolecall mfa code answers: the current one is spent, so
	// the next; once that is spent too, none until the step moves on.
	f.clock.Advance(-totpPeriod) // the device's current step is the one spent
	if got, err := f.MFACodes(ctx, acct, serial, false); err == nil {
		t.Errorf("MFACodes with every code of now spent = %v", got)
	}
	f.clock.Advance(2 * totpPeriod)
	next := code(f.clock.Now().Add(totpPeriod))
	if got, err := f.MFACodes(ctx, acct, serial, false); err != nil || len(got) != 1 || got[0] != next {
		t.Errorf("MFACodes = %v, %v; want the next code %s", got, err, next)
	}
	got, err := f.MFACodes(ctx, acct, serial, true)
	if err != nil || len(got) != 2 || got[0] != next || got[1] != code(f.clock.Now().Add(2*totpPeriod)) {
		t.Errorf("MFACodes two = %v, %v", got, err)
	}
}
