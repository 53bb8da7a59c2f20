package integration

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/rolecalltest"
)

// Console sign-in facts through the Go SDK: login profiles, ChangePassword,
// the account password policy and account aliases.

const (
	msgPasswordPolicy = "Password does not conform to the account password policy."
	msgNoPolicy       = "The Password Policy with domain name 000000000000 cannot be found."
	pw1               = "Correct-Horse-1"
	pw2               = "Battery-Staple-2"
)

func TestLoginProfileLifecycle(t *testing.T) {
	c := newIAM(t)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Alice")}))(t)
	p := must(c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String(pw1), PasswordResetRequired: true}))(t).LoginProfile
	if aws.ToString(p.UserName) != "Alice" || !p.PasswordResetRequired || p.CreateDate == nil {
		t.Errorf("CreateLoginProfile = %+v", p)
	}
	_, err := c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("Alice"), Password: aws.String(pw2)})
	wantErr(t, err, 409, "EntityAlreadyExists", "Login Profile for user Alice already exists.")
	_, err = c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("nobody"), Password: aws.String(pw1)})
	wantErr(t, err, 404, "NoSuchEntity", "The user with name nobody cannot be found.")

	got := must(c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("Alice")}))(t).LoginProfile
	if aws.ToString(got.UserName) != "Alice" || !got.PasswordResetRequired || !got.CreateDate.Equal(*p.CreateDate) {
		t.Errorf("GetLoginProfile = %+v", got)
	}
	must(c.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("Alice"), PasswordResetRequired: aws.Bool(false)}))(t)
	must(c.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("Alice"), Password: aws.String(pw2)}))(t)
	if got := must(c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("Alice")}))(t).LoginProfile; got.PasswordResetRequired {
		t.Error("PasswordResetRequired still set")
	}
	_, err = c.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("Alice"), Password: aws.String("weak")})
	wantErr(t, err, 400, "PasswordPolicyViolation", msgPasswordPolicy)

	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("Alice")})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete entity, must delete login profile first.")
	must(c.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("Alice")}))(t)
	_, err = c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("Alice")})
	wantErr(t, err, 404, "NoSuchEntity", "Login Profile for User Alice cannot be found.")
	_, err = c.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("Alice")})
	wantErr(t, err, 404, "NoSuchEntity", "Login Profile for User Alice cannot be found.")
	_, err = c.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("Alice"), Password: aws.String(pw1)})
	wantErr(t, err, 404, "NoSuchEntity", "Login Profile for User Alice cannot be found.")
	must(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("Alice")}))(t)

	// The root user names the user; without one it has none of its own here.
	_, err = c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{})
	wantErr(t, err, 400, "ValidationError", "Must specify userName when calling with non-User credentials")
	// A password too long for the model is refused without echoing it.
	long := strings.Repeat("aA1!", 33)
	_, err = c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("Alice"), Password: aws.String(long)})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 128")
	// Beyond \u00FF the model's pattern refuses it; Latin-1 letters count.
	_, err = c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("Alice"), Password: aws.String("Pässwörd-1€")})
	wantErr(t, err, 400, "ValidationError", `1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Bea")}))(t)
	must(c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("Bea"), Password: aws.String("Pässwörd-1")}))(t)
}

func TestAccountPasswordPolicy(t *testing.T) {
	c := newIAM(t)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))(t)
	_, err := c.GetAccountPasswordPolicy(ctx, nil)
	wantErr(t, err, 404, "NoSuchEntity", msgNoPolicy)
	_, err = c.DeleteAccountPasswordPolicy(ctx, nil)
	wantErr(t, err, 404, "NoSuchEntity", "The account policy with name PasswordPolicy cannot be found.")

	// AWS's default policy: 8 characters, three of four types.
	for _, pw := range []string{"Short1!", "alllowercase1", "000000000000"} {
		_, err = c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("u"), Password: aws.String(pw)})
		wantErr(t, err, 400, "PasswordPolicyViolation", msgPasswordPolicy)
	}

	// A policy with nothing given takes every default.
	must(c.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{}))(t)
	p := must(c.GetAccountPasswordPolicy(ctx, nil))(t).PasswordPolicy
	if aws.ToInt32(p.MinimumPasswordLength) != 6 || p.RequireSymbols || p.AllowUsersToChangePassword || p.ExpirePasswords ||
		p.MaxPasswordAge != nil || p.PasswordReusePrevention != nil || p.HardExpiry != nil {
		t.Errorf("default policy = %+v", p)
	}
	must(c.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(14), RequireNumbers: true,
		RequireUppercaseCharacters: true, MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(5), HardExpiry: aws.Bool(true)}))(t)
	p = must(c.GetAccountPasswordPolicy(ctx, nil))(t).PasswordPolicy
	if aws.ToInt32(p.MinimumPasswordLength) != 14 || !p.RequireNumbers || !p.RequireUppercaseCharacters || p.RequireLowercaseCharacters ||
		!p.ExpirePasswords || aws.ToInt32(p.MaxPasswordAge) != 90 || aws.ToInt32(p.PasswordReusePrevention) != 5 || !aws.ToBool(p.HardExpiry) {
		t.Errorf("policy = %+v", p)
	}
	for _, c2 := range []struct {
		in  iam.UpdateAccountPasswordPolicyInput
		msg string
	}{
		{iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(5)}, "Value at 'minimumPasswordLength' failed to satisfy constraint: Member must have value greater than or equal to 6"},
		{iam.UpdateAccountPasswordPolicyInput{MaxPasswordAge: aws.Int32(1096)}, "Value at 'maxPasswordAge' failed to satisfy constraint: Member must have value less than or equal to 1095"},
		{iam.UpdateAccountPasswordPolicyInput{PasswordReusePrevention: aws.Int32(0)}, "Value at 'passwordReusePrevention' failed to satisfy constraint: Member must have value greater than or equal to 1"},
	} {
		_, err = c.UpdateAccountPasswordPolicy(ctx, &c2.in)
		wantErr(t, err, 400, "ValidationError", "1 validation error detected: "+c2.msg)
	}

	// The custom policy is enforced instead of the default.
	for _, pw := range []string{"Abcdefghij123", "abcdefghijklm1", "ABCDEFGHIJKLMN"} {
		_, err = c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("u"), Password: aws.String(pw)})
		wantErr(t, err, 400, "PasswordPolicyViolation", msgPasswordPolicy)
	}
	must(c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("u"), Password: aws.String("ABCDEFGHIJKLM1")}))(t)
	// Reuse prevention covers an administrator's reset too.
	_, err = c.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("u"), Password: aws.String("ABCDEFGHIJKLM1")})
	wantErr(t, err, 400, "PasswordPolicyViolation", msgPasswordPolicy)
	must(c.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("u"), Password: aws.String("ABCDEFGHIJKLM2")}))(t)

	must(c.DeleteAccountPasswordPolicy(ctx, nil))(t)
	_, err = c.GetAccountPasswordPolicy(ctx, nil)
	wantErr(t, err, 404, "NoSuchEntity", msgNoPolicy)
}

// TestChangePasswordOwnOnly: a user changes its own password when the
// account lets users do so (or a policy does), with its old password; it
// cannot change another user's, and root and other accounts get AWS's
// answers.
func TestChangePasswordOwnOnly(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	dev, _ := newUser(t, root, rc.Config, nil, "dev", "")
	devArn := "arn:aws:iam::000000000000:user/dev"
	for _, u := range []string{"dev", "ops"} {
		if u == "ops" {
			must(root.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u)}))(t)
		}
		must(root.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String(u), Password: aws.String(pw1), PasswordResetRequired: true}))(t)
	}
	change := func(c *iam.Client, old, new string) error {
		_, err := c.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String(old), NewPassword: aws.String(new)})
		return err
	}

	// Nothing allows it yet.
	wantErr(t, change(dev.iam, pw1, pw2), 403, "AccessDenied",
		denied(devArn, "iam:ChangePassword", "user dev"))
	_, err := dev.iam.GetAccountPasswordPolicy(ctx, nil)
	wantErr(t, err, 403, "AccessDenied", denied(devArn, "iam:GetAccountPasswordPolicy", "*"))

	// AllowUsersToChangePassword lets every user change its own.
	must(root.iam.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{AllowUsersToChangePassword: true}))(t)
	if p := must(dev.iam.GetAccountPasswordPolicy(ctx, nil))(t).PasswordPolicy; !p.AllowUsersToChangePassword {
		t.Errorf("policy as dev reads it = %+v", p)
	}
	wantErr(t, change(dev.iam, "not-my-password", pw2), 403, "AccessDenied", "The old password is incorrect.")
	wantErr(t, change(dev.iam, pw1, "short"), 400, "PasswordPolicyViolation", "Password does not conform to the account password policy.")
	if err := change(dev.iam, pw1, pw2); err != nil {
		t.Fatal(err)
	}
	for u, reset := range map[string]bool{"dev": false, "ops": true} {
		if p := must(root.iam.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String(u)}))(t).LoginProfile; p.PasswordResetRequired != reset {
			t.Errorf("%s: PasswordResetRequired = %v", u, p.PasswordResetRequired)
		}
	}
	// The old password no longer works: changing back needs the new one.
	wantErr(t, change(dev.iam, pw1, "Third-Password-3"), 403, "AccessDenied", "The old password is incorrect.")

	// Nothing lets dev near ops's password, nor its own login profile.
	_, err = dev.iam.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("ops"), Password: aws.String("Taken-Over-1")})
	wantErr(t, err, 403, "AccessDenied", denied(devArn, "iam:UpdateLoginProfile", "user ops"))
	_, err = dev.iam.GetLoginProfile(ctx, &iam.GetLoginProfileInput{})
	wantErr(t, err, 403, "AccessDenied", denied(devArn, "iam:GetLoginProfile", "user dev"))

	// An explicit deny outweighs the account's grant.
	must(root.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("no"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ChangePassword","Resource":"*"}]}`)}))(t)
	wantErr(t, change(dev.iam, pw2, "Third-Password-3"), 403, "AccessDenied",
		deniedExplicitly(devArn, "iam:ChangePassword", "user dev"))
	must(root.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("no")}))(t)

	// Without the account's grant, a policy of the user's own may allow it
	// ("Permitting IAM users to change their own passwords").
	must(root.iam.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{}))(t)
	wantErr(t, change(dev.iam, pw2, "Third-Password-3"), 403, "AccessDenied",
		denied(devArn, "iam:ChangePassword", "user dev"))
	must(root.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("own"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ChangePassword","Resource":"arn:aws:iam::*:user/${aws:username}"}]}`)}))(t)
	if err := change(dev.iam, pw2, "Third-Password-3"); err != nil {
		t.Fatal(err)
	}

	// The root user has no IAM password to change.
	wantErr(t, change(root.iam, pw1, pw2), 400, "InvalidUserType", "Only IAM Users can change their own password.")

	// Another account's root sees none of this account's users.
	other := clientsFor(withCreds(rc.Config, "111111111111", "test", ""), nil)
	_, err = other.iam.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("dev")})
	wantErr(t, err, 404, "NoSuchEntity", "The user with name dev cannot be found.")
	_, err = other.iam.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("dev"), Password: aws.String("Taken-Over-1")})
	wantErr(t, err, 404, "NoSuchEntity", "The user with name dev cannot be found.")
	_, err = other.iam.GetAccountPasswordPolicy(ctx, nil)
	wantErr(t, err, 404, "NoSuchEntity", "The Password Policy with domain name 111111111111 cannot be found.")
}

func TestAccountAliases(t *testing.T) {
	rc := rolecalltest.RunT(t)
	c := iam.NewFromConfig(rc.Config)
	other := iam.NewFromConfig(withCreds(rc.Config, "111111111111", "test", ""))
	if l := must(c.ListAccountAliases(ctx, nil))(t); len(l.AccountAliases) != 0 || l.IsTruncated {
		t.Errorf("aliases = %+v", l)
	}
	must(c.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("team-a")}))(t)
	_, err := other.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("team-a")})
	wantErr(t, err, 409, "EntityAlreadyExists", "The account alias team-a already exists.")
	// One alias per account: a new one replaces it.
	must(c.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("team-b")}))(t)
	if l := must(c.ListAccountAliases(ctx, nil))(t).AccountAliases; len(l) != 1 || l[0] != "team-b" {
		t.Errorf("aliases = %q", l)
	}
	must(other.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("team-a")}))(t)
	if l := must(other.ListAccountAliases(ctx, nil))(t).AccountAliases; len(l) != 1 || l[0] != "team-a" {
		t.Errorf("other's aliases = %q", l)
	}
	_, err = c.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("team-a")})
	wantErr(t, err, 404, "NoSuchEntity", "The account alias team-a cannot be found.")
	for _, bad := range []string{"Team-A", "team--a", "-team"} {
		_, err = c.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String(bad)})
		wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$")
	}
	must(c.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("team-b")}))(t)
	if l := must(c.ListAccountAliases(ctx, nil))(t).AccountAliases; len(l) != 0 {
		t.Errorf("aliases after delete = %q", l)
	}

	// A user without iam:CreateAccountAlias may not.
	dev, _ := newUser(t, clientsFor(rc.Config, nil), rc.Config, nil, "dev", "")
	_, err = dev.iam.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("dev-alias")})
	wantErr(t, err, 403, "AccessDenied", denied("arn:aws:iam::000000000000:user/dev", "iam:CreateAccountAlias", "*"))
}

// TestLoginStateSurvivesRestart: login profiles (their password keys), the
// password policy and the alias are in the state file; a key derived with
// one iteration count still checks under another.
func TestLoginStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	first, err := rolecalltest.Start(rolecalltest.WithDataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	root := clientsFor(first.Config, nil)
	_, key := newUser(t, root, first.Config, nil, "dev", "")
	must(root.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("dev"), Password: aws.String(pw1)}))(t)
	must(root.iam.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{AllowUsersToChangePassword: true, PasswordReusePrevention: aws.Int32(2)}))(t)
	must(root.iam.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("durable-team")}))(t)
	first.Close()

	again := rolecalltest.RunT(t, rolecalltest.WithDataDir(dir), rolecalltest.WithPasswordIterations(2000))
	c := iam.NewFromConfig(again.Config)
	must(c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("dev")}))(t)
	if p := must(c.GetAccountPasswordPolicy(ctx, nil))(t).PasswordPolicy; aws.ToInt32(p.PasswordReusePrevention) != 2 {
		t.Errorf("policy after restart = %+v", p)
	}
	if l := must(c.ListAccountAliases(ctx, nil))(t).AccountAliases; len(l) != 1 || l[0] != "durable-team" {
		t.Errorf("aliases after restart = %q", l)
	}
	dev := iam.NewFromConfig(withCreds(again.Config, aws.ToString(key.AccessKeyId), aws.ToString(key.SecretAccessKey), ""))
	_, err = dev.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String(pw1), NewPassword: aws.String(pw1)})
	wantErr(t, err, 400, "PasswordPolicyViolation", msgPasswordPolicy)
	must(dev.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String(pw1), NewPassword: aws.String(pw2)}))(t)
}

// TestPasswordsNotInDecisions: no password reaches a decision record,
// allowed or denied.
func TestPasswordsNotInDecisions(t *testing.T) {
	var log strings.Builder
	rc := rolecalltest.RunT(t, rolecalltest.WithAuditLog(&log))
	root := clientsFor(rc.Config, nil)
	dev, _ := newUser(t, root, rc.Config, nil, "dev", "")
	must(root.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("dev"), Password: aws.String(pw1)}))(t)
	_, err := dev.iam.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String(pw1), NewPassword: aws.String(pw2)})
	wantErr(t, err, 403, "AccessDenied", denied("arn:aws:iam::000000000000:user/dev", "iam:ChangePassword", "user dev"))
	_, err = dev.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("dev"), Password: aws.String("Third-Password-3")})
	wantErr(t, err, 403, "AccessDenied", denied("arn:aws:iam::000000000000:user/dev", "iam:CreateLoginProfile", "user dev"))
	must(root.iam.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("dev"), Password: aws.String("Fourth-Password-4")}))(t)
	out := log.String()
	if !strings.Contains(out, "iam:ChangePassword") || !strings.Contains(out, "iam:UpdateLoginProfile") {
		t.Fatalf("the decisions were not recorded: %s", out)
	}
	for _, pw := range []string{pw1, pw2, "Third-Password-3", "Fourth-Password-4"} {
		if strings.Contains(out, pw) {
			t.Errorf("a decision record holds a password: %s", out)
		}
	}
}
