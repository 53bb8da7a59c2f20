package iamapi

import (
	"context"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/principal"
)

// Console sign-in: login profiles, ChangePassword, the account password
// policy and the account alias. Passwords pass through to the domain and
// nowhere else: no input here has condition keys (keyed), so none reaches
// a decision record.

// Login profiles. CreateLoginProfile, GetLoginProfile and
// DeleteLoginProfile act on the calling user when UserName is left out
// ("If no user name is included, it defaults to the principal making the
// request", GetLoginProfile API reference); UpdateLoginProfile requires it.

type createLoginProfileInput struct {
	UserName, Password    string
	PasswordResetRequired bool
}

type loginProfileOutput struct{ LoginProfile *iam.LoginProfile }

func (h *handler) createLoginProfile(ctx context.Context, c *api.Call, in *createLoginProfileInput) (*loginProfileOutput, error) {
	name, err := iam.CallerUserName(c.PrincipalARN(), in.UserName)
	if err != nil {
		return nil, err
	}
	p, err := h.svc.CreateLoginProfile(ctx, c.Account, name, in.Password, in.PasswordResetRequired)
	if err != nil {
		return nil, err
	}
	return &loginProfileOutput{LoginProfile: p}, nil
}

func (h *handler) getLoginProfile(ctx context.Context, c *api.Call, in *userNameInput) (*loginProfileOutput, error) {
	name, err := iam.CallerUserName(c.PrincipalARN(), in.UserName)
	if err != nil {
		return nil, err
	}
	p, err := h.svc.GetLoginProfile(ctx, c.Account, name)
	if err != nil {
		return nil, err
	}
	return &loginProfileOutput{LoginProfile: p}, nil
}

type updateLoginProfileInput struct {
	UserName, Password    string
	PasswordResetRequired *bool
}

func (h *handler) updateLoginProfile(ctx context.Context, c *api.Call, in *updateLoginProfileInput) (*none, error) {
	return &none{}, h.svc.UpdateLoginProfile(ctx, c.Account, in.UserName, in.Password, in.PasswordResetRequired)
}

func (h *handler) deleteLoginProfile(ctx context.Context, c *api.Call, in *userNameInput) (*none, error) {
	name, err := iam.CallerUserName(c.PrincipalARN(), in.UserName)
	if err != nil {
		return nil, err
	}
	return &none{}, h.svc.DeleteLoginProfile(ctx, c.Account, name)
}

type changePasswordInput struct{ OldPassword, NewPassword string }

func (h *handler) changePassword(ctx context.Context, c *api.Call, in *changePasswordInput) (*none, error) {
	return &none{}, h.svc.ChangePassword(ctx, c.Account, c.PrincipalARN(), in.OldPassword, in.NewPassword)
}

// ownUser: ChangePassword acts on the calling user ("Resource":
// "arn:aws:iam::account-id:user/${aws:username}" in AWS's policy for it,
// "Permitting IAM users to change their own passwords"). Root and role
// sessions are authorized on their own ARN; the operation then refuses
// them (InvalidUserType).
func (h *handler) ownUser(ctx context.Context, c *api.Call, _ *changePasswordInput) (authz.Target, error) {
	p := c.Caller()
	if p.Kind != principal.User {
		return authz.Target{ARN: p.ARN, Type: "user"}, nil
	}
	return h.res.User(ctx, c.Account, p.Name)
}

// The account password policy.

// The domain's input has the model's member names and presence.
type updateAccountPasswordPolicyInput = iam.UpdatePasswordPolicyInput

func (h *handler) updateAccountPasswordPolicy(ctx context.Context, c *api.Call, in *updateAccountPasswordPolicyInput) (*none, error) {
	return &none{}, h.svc.UpdateAccountPasswordPolicy(ctx, c.Account, *in)
}

type getAccountPasswordPolicyOutput struct{ PasswordPolicy *iam.PasswordPolicy }

func (h *handler) getAccountPasswordPolicy(ctx context.Context, c *api.Call, _ *none) (*getAccountPasswordPolicyOutput, error) {
	p, err := h.svc.GetAccountPasswordPolicy(ctx, c.Account)
	if err != nil {
		return nil, err
	}
	return &getAccountPasswordPolicyOutput{PasswordPolicy: p}, nil
}

func (h *handler) deleteAccountPasswordPolicy(ctx context.Context, c *api.Call, _ *none) (*none, error) {
	return &none{}, h.svc.DeleteAccountPasswordPolicy(ctx, c.Account)
}

// The account alias.

type accountAliasInput struct{ AccountAlias string }

func (h *handler) createAccountAlias(ctx context.Context, c *api.Call, in *accountAliasInput) (*none, error) {
	return &none{}, h.svc.CreateAccountAlias(ctx, c.Account, in.AccountAlias)
}

func (h *handler) deleteAccountAlias(ctx context.Context, c *api.Call, in *accountAliasInput) (*none, error) {
	return &none{}, h.svc.DeleteAccountAlias(ctx, c.Account, in.AccountAlias)
}

type listAccountAliasesInput struct{ paging }

type listAccountAliasesOutput struct {
	AccountAliases []string
	truncation
}

func (h *handler) listAccountAliases(ctx context.Context, c *api.Call, in *listAccountAliasesInput) (*listAccountAliasesOutput, error) {
	list, next, err := h.svc.ListAccountAliases(ctx, c.Account, in.page())
	if err != nil {
		return nil, err
	}
	return &listAccountAliasesOutput{AccountAliases: nonNil(list), truncation: truncated(next)}, nil
}
