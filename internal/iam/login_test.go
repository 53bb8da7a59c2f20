package iam

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/store"
)

// Passwords that meet AWS's default policy (three of four character types,
// at least 8 characters) and ones that do not.
const (
	goodPassword  = "Correct-Horse-1"
	otherPassword = "Battery-Staple-2"
)

func newLoginFixture(t testing.TB) *fixture {
	return newFixture(t, func(c *Config) { c.PasswordIterations = 1000 })
}

func (f *fixture) loginUser(t testing.TB, name, password string) {
	t.Helper()
	f.user(t, name)
	if _, err := f.CreateLoginProfile(ctx, acct, name, password, false); err != nil {
		t.Fatal(err)
	}
}

func i32(v int32) *int32 { return &v }
func boolp(v bool) *bool { return &v }

func TestLoginProfileLifecycle(t *testing.T) {
	f := newLoginFixture(t)
	f.user(t, "Alice")
	p, err := f.CreateLoginProfile(ctx, acct, "alice", goodPassword, true)
	must(t, err)
	if p.UserName != "Alice" || !p.PasswordResetRequired || !p.CreateDate.Equal(epoch) {
		t.Errorf("CreateLoginProfile = %+v", p)
	}
	_, err = f.CreateLoginProfile(ctx, acct, "ALICE", otherPassword, false)
	wantErr(t, err, "EntityAlreadyExists", 409, "Login Profile for user Alice already exists.")
	_, err = f.CreateLoginProfile(ctx, acct, "nobody", goodPassword, false)
	wantErr(t, err, "NoSuchEntity", 404, "The user with name nobody cannot be found.")

	got, err := f.GetLoginProfile(ctx, acct, "Alice")
	must(t, err)
	if *got != *p {
		t.Errorf("GetLoginProfile = %+v, want %+v", got, p)
	}
	must(t, f.UpdateLoginProfile(ctx, acct, "Alice", "", boolp(false)))
	if got, _ := f.GetLoginProfile(ctx, acct, "Alice"); got.PasswordResetRequired {
		t.Error("PasswordResetRequired still set")
	}

	// A login profile blocks DeleteUser, follows renames, and ends with
	// its user.
	wantErr(t, f.DeleteUser(ctx, acct, "Alice"), "DeleteConflict", 409, "Cannot delete entity, must delete login profile first.")
	must(t, f.UpdateUser(ctx, acct, "Alice", "", "Alicia"))
	if _, err := f.GetLoginProfile(ctx, acct, "Alicia"); err != nil {
		t.Fatalf("after rename: %v", err)
	}
	must(t, f.DeleteLoginProfile(ctx, acct, "Alicia"))
	wantErr(t, f.DeleteLoginProfile(ctx, acct, "Alicia"), "NoSuchEntity", 404, "Login Profile for User Alicia cannot be found.")
	_, err = f.GetLoginProfile(ctx, acct, "Alicia")
	wantErr(t, err, "NoSuchEntity", 404, "Login Profile for User Alicia cannot be found.")
	must(t, f.DeleteUser(ctx, acct, "Alicia"))

	// A user made again under the name has no password.
	f.loginUser(t, "bob", goodPassword)
	must(t, f.DeleteLoginProfile(ctx, acct, "bob"))
	must(t, f.DeleteUser(ctx, acct, "bob"))
	f.user(t, "bob")
	_, err = f.GetLoginProfile(ctx, acct, "bob")
	wantErr(t, err, "NoSuchEntity", 404, "Login Profile for User bob cannot be found.")
}

// No password is kept in a form that reads back: the state holds no trace
// of the text.
func TestPasswordsAreNotStored(t *testing.T) {
	f := newLoginFixture(t)
	f.loginUser(t, "u", goodPassword)
	must(t, f.UpdateLoginProfile(ctx, acct, "u", otherPassword, nil))
	must(t, f.ChangePassword(ctx, acct, "arn:aws:iam::"+acct+":user/u", otherPassword, "Third-Password-3"))
	must(t, f.st.View(func(tx store.Tx) error {
		for _, b := range []string{bucketLoginProfiles, bucketUsers, bucketAccounts} {
			err := tx.Scan(b, "", "", func(k string, v []byte) bool {
				for _, pw := range []string{goodPassword, otherPassword, "Third-Password-3"} {
					if bytes.Contains(v, []byte(pw)) {
						t.Errorf("%s/%s holds a password: %s", b, k, v)
					}
				}
				return true
			})
			if err != nil {
				return err
			}
		}
		return nil
	}))
	var p loginProfileRecord
	must(t, f.st.View(func(tx store.Tx) error {
		u, err := loadUser(tx, acct, "u")
		if err != nil {
			return err
		}
		_, err = getJSON(tx, bucketLoginProfiles, loginProfileKey(acct, u.UserId), &p)
		return err
	}))
	if p.Password.Iterations != 1000 || len(p.Password.Salt) != passwordSaltLen || len(p.Password.Key) != passwordKeyLen {
		t.Errorf("stored key = %+v", p.Password)
	}
	if len(p.History.Keys) != 3 {
		t.Errorf("history keeps %d passwords, want 3", len(p.History.Keys))
	}
}

func TestDefaultPasswordPolicy(t *testing.T) {
	f := newLoginFixture(t)
	f.user(t, "u")
	must(t, f.CreateAccountAlias(ctx, acct, "my-team"))
	for _, pw := range []string{
		"Short1!",                 // 7 characters
		"alllowercase1",           // two types
		"ALLUPPER!!!",             // two types
		"My~Pass.word",            // ~ and . are not the policy's symbols: two types
		strings.Repeat("aA1", 43), // 129 characters
		acct, "my-team",           // the account's ID and alias
		"",
	} {
		_, err := f.CreateLoginProfile(ctx, acct, "u", pw, false)
		wantErr(t, err, "PasswordPolicyViolation", 400, "Password does not conform to the account password policy.")
	}
	for i, pw := range []string{"abcDEF12", "abcdef1!", "ABCDEF1'", "Ab|cdefg"} {
		name := "ok" + string(rune('a'+i))
		f.user(t, name)
		if _, err := f.CreateLoginProfile(ctx, acct, name, pw, false); err != nil {
			t.Errorf("%q: %v", pw, err)
		}
	}
}

func TestAccountPasswordPolicy(t *testing.T) {
	f := newLoginFixture(t)
	_, err := f.GetAccountPasswordPolicy(ctx, acct)
	wantErr(t, err, "NoSuchEntity", 404, "The Password Policy with domain name 000000000000 cannot be found.")
	wantErr(t, f.DeleteAccountPasswordPolicy(ctx, acct), "NoSuchEntity", 404, "The account policy with name PasswordPolicy cannot be found.")

	// Every setting left out takes its default.
	must(t, f.UpdateAccountPasswordPolicy(ctx, acct, UpdatePasswordPolicyInput{}))
	p, err := f.GetAccountPasswordPolicy(ctx, acct)
	must(t, err)
	if want := (PasswordPolicy{MinimumPasswordLength: 6}); *p != want {
		t.Errorf("default custom policy = %+v", p)
	}
	must(t, f.UpdateAccountPasswordPolicy(ctx, acct, UpdatePasswordPolicyInput{MinimumPasswordLength: i32(12), RequireSymbols: true,
		AllowUsersToChangePassword: true, MaxPasswordAge: i32(90), PasswordReusePrevention: i32(3), HardExpiry: boolp(false)}))
	p, err = f.GetAccountPasswordPolicy(ctx, acct)
	must(t, err)
	if p.MinimumPasswordLength != 12 || !p.RequireSymbols || p.RequireNumbers || !p.AllowUsersToChangePassword || !p.ExpirePasswords ||
		*p.MaxPasswordAge != 90 || *p.PasswordReusePrevention != 3 || p.HardExpiry == nil || *p.HardExpiry {
		t.Errorf("policy = %+v", p)
	}
	// The ranges, as the model words them (IAM echoes no value).
	for _, c := range []struct {
		in  UpdatePasswordPolicyInput
		msg string
	}{
		{UpdatePasswordPolicyInput{MinimumPasswordLength: i32(5)}, "Value at 'minimumPasswordLength' failed to satisfy constraint: Member must have value greater than or equal to 6"},
		{UpdatePasswordPolicyInput{MinimumPasswordLength: i32(129)}, "Value at 'minimumPasswordLength' failed to satisfy constraint: Member must have value less than or equal to 128"},
		{UpdatePasswordPolicyInput{MaxPasswordAge: i32(0)}, "Value at 'maxPasswordAge' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{UpdatePasswordPolicyInput{MaxPasswordAge: i32(1096)}, "Value at 'maxPasswordAge' failed to satisfy constraint: Member must have value less than or equal to 1095"},
		{UpdatePasswordPolicyInput{PasswordReusePrevention: i32(25)}, "Value at 'passwordReusePrevention' failed to satisfy constraint: Member must have value less than or equal to 24"},
	} {
		wantErr(t, f.UpdateAccountPasswordPolicy(ctx, acct, c.in), "ValidationError", 400, "1 validation error detected: "+c.msg)
	}
	// A refused update changes nothing.
	if p2, _ := f.GetAccountPasswordPolicy(ctx, acct); p2.MinimumPasswordLength != 12 {
		t.Errorf("policy after refused updates = %+v", p2)
	}

	// The custom policy replaces the default: 12 characters with a symbol,
	// any mix of types, the account ID allowed.
	f.user(t, "u")
	_, err = f.CreateLoginProfile(ctx, acct, "u", "Abcdefgh123", false)
	wantErr(t, err, "PasswordPolicyViolation", 400, "Password does not conform to the account password policy.")
	_, err = f.CreateLoginProfile(ctx, acct, "u", "lowercase-only", false)
	must(t, err)

	must(t, f.DeleteAccountPasswordPolicy(ctx, acct))
	_, err = f.GetAccountPasswordPolicy(ctx, acct)
	wantErr(t, err, "NoSuchEntity", 404, "The Password Policy with domain name 000000000000 cannot be found.")
}

func TestChangePassword(t *testing.T) {
	f := newLoginFixture(t)
	f.user(t, "dev")
	_, err := f.CreateLoginProfile(ctx, acct, "dev", goodPassword, true)
	must(t, err)
	devArn := "arn:aws:iam::" + acct + ":user/dev"

	for _, caller := range []string{"", "arn:aws:iam::" + acct + ":root", "arn:aws:sts::" + acct + ":assumed-role/r/s"} {
		wantErr(t, f.ChangePassword(ctx, acct, caller, goodPassword, otherPassword), "InvalidUserType", 400, "Only IAM Users can change their own password.")
	}
	wantErr(t, f.ChangePassword(ctx, acct, devArn, "wrong", otherPassword), "AccessDenied", 403, "The old password is incorrect.")
	wantErr(t, f.ChangePassword(ctx, acct, devArn, goodPassword, "weak"), "PasswordPolicyViolation", 400, "Password does not conform to the account password policy.")
	f.user(t, "nopass")
	wantErr(t, f.ChangePassword(ctx, acct, "arn:aws:iam::"+acct+":user/nopass", goodPassword, otherPassword), "NoSuchEntity", 404, "Login Profile for User nopass cannot be found.")

	must(t, f.ChangePassword(ctx, acct, devArn, goodPassword, otherPassword))
	if p, _ := f.GetLoginProfile(ctx, acct, "dev"); p.PasswordResetRequired {
		t.Error("a changed password still needs a reset")
	}
	if _, err := f.CheckPassword(ctx, acct, "dev", goodPassword); !errors.Is(err, ErrSignInFailed) {
		t.Errorf("old password signs in: %v", err)
	}
	if _, err := f.CheckPassword(ctx, acct, "dev", otherPassword); err != nil {
		t.Errorf("new password: %v", err)
	}
}

func TestPasswordReusePrevention(t *testing.T) {
	f := newLoginFixture(t)
	f.loginUser(t, "dev", "Password-1")
	devArn := "arn:aws:iam::" + acct + ":user/dev"
	// Without reuse prevention the same password may be set again.
	must(t, f.ChangePassword(ctx, acct, devArn, "Password-1", "Password-1"))
	must(t, f.ChangePassword(ctx, acct, devArn, "Password-1", "Password-2"))

	// History counts from before the policy: the last 2 may not return.
	must(t, f.UpdateAccountPasswordPolicy(ctx, acct, UpdatePasswordPolicyInput{PasswordReusePrevention: i32(2)}))
	for _, pw := range []string{"Password-2", "Password-1"} {
		wantErr(t, f.ChangePassword(ctx, acct, devArn, "Password-2", pw), "PasswordPolicyViolation", 400, "Password does not conform to the account password policy.")
		wantErr(t, f.UpdateLoginProfile(ctx, acct, "dev", pw, nil), "PasswordPolicyViolation", 400, "Password does not conform to the account password policy.")
	}
	must(t, f.ChangePassword(ctx, acct, devArn, "Password-2", "Password-3"))
	must(t, f.ChangePassword(ctx, acct, devArn, "Password-3", "Password-4"))
	// Password-2 is now three passwords back.
	must(t, f.ChangePassword(ctx, acct, devArn, "Password-4", "Password-2"))

	// The history is bounded.
	must(t, f.UpdateAccountPasswordPolicy(ctx, acct, UpdatePasswordPolicyInput{}))
	cur := "Password-2"
	for i := range 30 {
		next := "Pass-" + string(rune('a'+i%26)) + string(rune('A'+i/26)) + "9"
		must(t, f.ChangePassword(ctx, acct, devArn, cur, next))
		cur = next
	}
	must(t, f.st.View(func(tx store.Tx) error {
		u, _ := loadUser(tx, acct, "dev")
		p, err := loadLoginProfile(tx, acct, u)
		if err == nil && len(p.History.Keys) != maxPasswordReusePrevention {
			t.Errorf("history keeps %d", len(p.History.Keys))
		}
		return err
	}))
}

func TestCheckPassword(t *testing.T) {
	f := newLoginFixture(t)
	f.loginUser(t, "Dev", goodPassword)
	f.user(t, "nopass")

	s, err := f.CheckPassword(ctx, acct, "dev", goodPassword)
	must(t, err)
	want := SignIn{Account: acct, UserName: "Dev", UserId: s.UserId, Arn: "arn:aws:iam::000000000000:user/Dev"}
	if *s != want || s.UserId == "" {
		t.Errorf("SignIn = %+v", s)
	}
	u, err := f.GetUser(ctx, acct, "Dev")
	must(t, err)
	if u.PasswordLastUsed == nil || !u.PasswordLastUsed.Equal(epoch) {
		t.Errorf("PasswordLastUsed = %v", u.PasswordLastUsed)
	}

	// One answer for every failure.
	for _, c := range []struct{ account, user, password string }{
		{acct, "Dev", otherPassword},
		{acct, "Dev", ""},
		{acct, "nobody", goodPassword},
		{acct, "nopass", goodPassword},
		{"111111111111", "Dev", goodPassword}, // another account's user of the name
		{"not-an-account", "Dev", goodPassword},
		{acct, "", goodPassword},
		{acct, strings.Repeat("x", 200), goodPassword},
	} {
		s, err := f.CheckPassword(ctx, c.account, c.user, c.password)
		if s != nil || err != ErrSignInFailed {
			t.Errorf("CheckPassword(%q, %q) = %+v, %v", c.account, c.user, s, err)
		}
	}

	// An administrator's reset, then expiry under the policy.
	must(t, f.UpdateLoginProfile(ctx, acct, "Dev", "", boolp(true)))
	if s, _ := f.CheckPassword(ctx, acct, "Dev", goodPassword); !s.PasswordResetRequired || s.PasswordExpired {
		t.Errorf("after reset: %+v", s)
	}
	must(t, f.UpdateAccountPasswordPolicy(ctx, acct, UpdatePasswordPolicyInput{MaxPasswordAge: i32(30)}))
	f.clock.T = epoch.Add(30*24*time.Hour - time.Second)
	if s, _ := f.CheckPassword(ctx, acct, "Dev", goodPassword); s.PasswordExpired {
		t.Errorf("expired early: %+v", s)
	}
	f.clock.T = epoch.Add(30 * 24 * time.Hour)
	if s, _ := f.CheckPassword(ctx, acct, "Dev", goodPassword); !s.PasswordExpired || s.HardExpiry {
		t.Errorf("at 30 days: %+v", s)
	}
	must(t, f.UpdateAccountPasswordPolicy(ctx, acct, UpdatePasswordPolicyInput{MaxPasswordAge: i32(30), HardExpiry: boolp(true)}))
	if s, _ := f.CheckPassword(ctx, acct, "Dev", goodPassword); !s.PasswordExpired || !s.HardExpiry {
		t.Errorf("hard expiry: %+v", s)
	}
	// A new password starts a new period; HardExpiry does not stop the API.
	must(t, f.ChangePassword(ctx, acct, "arn:aws:iam::"+acct+":user/Dev", goodPassword, otherPassword))
	if s, _ := f.CheckPassword(ctx, acct, "Dev", otherPassword); s.PasswordExpired || s.PasswordResetRequired {
		t.Errorf("after change: %+v", s)
	}
}

// Concurrent changes of one password: each either lands whole or is
// refused, and the profile ends with one of the passwords.
func TestConcurrentPasswordChanges(t *testing.T) {
	f := newLoginFixture(t)
	f.loginUser(t, "dev", goodPassword)
	var wg sync.WaitGroup
	pws := []string{"Concurrent-1", "Concurrent-2", "Concurrent-3", "Concurrent-4"}
	for _, pw := range pws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := f.UpdateLoginProfile(ctx, acct, "dev", pw, nil)
			if err != nil && !strings.Contains(err.Error(), "EntityTemporarilyUnmodifiable") {
				t.Errorf("%s: %v", pw, err)
			}
		}()
	}
	wg.Wait()
	ok := 0
	for _, pw := range pws {
		if _, err := f.CheckPassword(ctx, acct, "dev", pw); err == nil {
			ok++
		}
	}
	if ok != 1 {
		t.Errorf("%d passwords sign in, want 1", ok)
	}
}

func TestAccountAliases(t *testing.T) {
	f := newLoginFixture(t)
	const other = "111111111111"
	list := func(account string) []string {
		t.Helper()
		l, next, err := f.ListAccountAliases(ctx, account, Page{})
		must(t, err)
		if next != "" {
			t.Errorf("next = %q", next)
		}
		return l
	}
	if l := list(acct); len(l) != 0 {
		t.Errorf("aliases = %q", l)
	}
	must(t, f.CreateAccountAlias(ctx, acct, "team-a"))
	wantErr(t, f.CreateAccountAlias(ctx, other, "team-a"), "EntityAlreadyExists", 409, "The account alias team-a already exists.")
	wantErr(t, f.CreateAccountAlias(ctx, acct, "team-a"), "EntityAlreadyExists", 409, "The account alias team-a already exists.")
	// A new alias replaces the old one, which is free again.
	must(t, f.CreateAccountAlias(ctx, acct, "team-b"))
	if l := list(acct); len(l) != 1 || l[0] != "team-b" {
		t.Errorf("aliases = %q", l)
	}
	must(t, f.CreateAccountAlias(ctx, other, "team-a"))
	for in, want := range map[string]string{"team-a": other, "team-b": acct, acct: acct, "123456789012": "123456789012"} {
		got, ok, err := f.ResolveAccount(ctx, in)
		if err != nil || !ok || got != want {
			t.Errorf("ResolveAccount(%q) = %q, %v, %v", in, got, ok, err)
		}
	}
	if got, ok, err := f.ResolveAccount(ctx, "team-c"); ok || got != "" || err != nil {
		t.Errorf("ResolveAccount(team-c) = %q, %v, %v", got, ok, err)
	}

	wantErr(t, f.DeleteAccountAlias(ctx, acct, "team-a"), "NoSuchEntity", 404, "The account alias team-a cannot be found.")
	must(t, f.DeleteAccountAlias(ctx, acct, "team-b"))
	if l := list(acct); len(l) != 0 {
		t.Errorf("aliases after delete = %q", l)
	}
	if _, ok, _ := f.ResolveAccount(ctx, "team-b"); ok {
		t.Error("a deleted alias resolves")
	}
	for alias, msg := range map[string]string{
		"ab":                    "Member must have length greater than or equal to 3",
		strings.Repeat("a", 64): "Member must have length less than or equal to 63",
		"Team":                  "Member must satisfy regular expression pattern: " + accountAliasPattern,
		"-team":                 "Member must satisfy regular expression pattern: " + accountAliasPattern,
		"team-":                 "Member must satisfy regular expression pattern: " + accountAliasPattern,
		"te--am":                "Member must satisfy regular expression pattern: " + accountAliasPattern,
		"te_am":                 "Member must satisfy regular expression pattern: " + accountAliasPattern,
	} {
		wantErr(t, f.CreateAccountAlias(ctx, acct, alias), "ValidationError", 400, "1 validation error detected: Value at 'accountAlias' failed to satisfy constraint: "+msg)
	}
}

// AllowUsersToChangePassword gives each user iam:ChangePassword on itself
// and iam:GetAccountPasswordPolicy, beside its own policies.
func TestChangePasswordGrant(t *testing.T) {
	f := newLoginFixture(t)
	f.user(t, "dev")
	pp, err := f.UserPolicies(ctx, acct, "dev")
	must(t, err)
	if len(pp.AccountGrants) != 0 {
		t.Fatalf("grants without a policy: %+v", pp.AccountGrants)
	}
	must(t, f.UpdateAccountPasswordPolicy(ctx, acct, UpdatePasswordPolicyInput{AllowUsersToChangePassword: true}))
	pp, err = f.UserPolicies(ctx, acct, "dev")
	must(t, err)
	if len(pp.AccountGrants) != 1 || len(pp.Identity) != 0 {
		t.Fatalf("grants = %+v, identity = %+v", pp.AccountGrants, pp.Identity)
	}
	var doc struct {
		Statement []struct{ Action, Resource string }
	}
	must(t, json.Unmarshal([]byte(pp.AccountGrants[0].Document), &doc))
	if len(doc.Statement) != 2 || doc.Statement[0].Action != "iam:ChangePassword" || doc.Statement[0].Resource != "arn:aws:iam::000000000000:user/dev" ||
		doc.Statement[1].Action != "iam:GetAccountPasswordPolicy" || doc.Statement[1].Resource != "*" {
		t.Errorf("grant = %s", pp.AccountGrants[0].Document)
	}
}

// The state written before login profiles existed (no profile bucket, no
// policy or alias in the account record) reads as none.
func TestLoginRecordsAbsentAreEmpty(t *testing.T) {
	f := newLoginFixture(t)
	f.user(t, "old")
	must(t, f.st.Update(func(tx store.Tx) error {
		return tx.Put(bucketAccounts, acct, []byte(`{"CreateDate":"2024-01-01T00:00:00Z","Counts":{"iam-users":1}}`))
	}))
	_, err := f.GetLoginProfile(ctx, acct, "old")
	wantErr(t, err, "NoSuchEntity", 404, "Login Profile for User old cannot be found.")
	_, err = f.GetAccountPasswordPolicy(ctx, acct)
	wantErr(t, err, "NoSuchEntity", 404, "The Password Policy with domain name 000000000000 cannot be found.")
	if l, _, err := f.ListAccountAliases(ctx, acct, Page{}); err != nil || len(l) != 0 {
		t.Errorf("aliases = %q, %v", l, err)
	}
	must(t, f.DeleteUser(ctx, acct, "old"))
}
