package iam

import (
	"context"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/store"
)

// Account aliases ("Your AWS account ID and its alias",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/console_account-alias.html):
// "Your AWS account can have only one alias. If you create a new alias for
// your AWS account, the new alias overwrites the previous alias", and "the
// account alias must be unique across all Amazon Web Services products".
// The account keeps its alias in its record; bucketAccountAliases finds the
// account by alias, across accounts.

const bucketAccountAliases = "iam-account-aliases"

type aliasRecord struct{ Account string }

const (
	minAccountAlias = 3
	maxAccountAlias = 63
	// accountAliasPattern is the IAM model's accountAliasType pattern.
	accountAliasPattern = `^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`
)

// checkAccountAlias: 3 to 63 lower-case letters, digits and hyphens, not
// starting or ending with a hyphen, no two hyphens in a row.
func checkAccountAlias(alias string) error {
	n := len(alias)
	if n < minAccountAlias {
		return errValidationNoValue("accountAlias", "Member must have length greater than or equal to 3")
	}
	if n > maxAccountAlias {
		return errValidationNoValue("accountAlias", "Member must have length less than or equal to 63")
	}
	for i := 0; i < n; i++ {
		c := alias[i]
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '-' && i > 0 && i < n-1 && alias[i+1] != '-'
		if !ok {
			return errValidationNoValue("accountAlias", "Member must satisfy regular expression pattern: "+accountAliasPattern)
		}
	}
	return nil
}

// CreateAccountAlias gives the account alias, in place of the one it had.
func (s *Service) CreateAccountAlias(ctx context.Context, account, alias string) error {
	if err := checkAccountAlias(alias); err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		if _, taken := tx.Get(bucketAccountAliases, alias); taken {
			return errAliasExists(alias)
		}
		return modifyAccount(tx, account, func(a *accountRecord) error {
			if a.Alias != "" {
				if err := tx.Delete(bucketAccountAliases, a.Alias); err != nil {
					return err
				}
			}
			a.Alias = alias
			return putJSON(tx, bucketAccountAliases, alias, &aliasRecord{Account: account})
		})
	})
}

// DeleteAccountAlias removes the account's alias, which must be alias.
func (s *Service) DeleteAccountAlias(ctx context.Context, account, alias string) error {
	if err := checkAccountAlias(alias); err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		return modifyAccount(tx, account, func(a *accountRecord) error {
			if a.Alias != alias {
				return errNoSuchAlias(alias)
			}
			a.Alias = ""
			return tx.Delete(bucketAccountAliases, alias)
		})
	})
}

// ListAccountAliases lists the account's alias: none or one.
func (s *Service) ListAccountAliases(ctx context.Context, account string, pg Page) ([]string, string, error) {
	var out []string
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		a, err := loadAccount(tx, account)
		if err != nil {
			return err
		}
		var all []string
		if a.Alias != "" {
			all = []string{a.Alias}
		}
		out, next, err = pageSlice(all, pg)
		return err
	})
	return out, next, err
}

// ResolveAccount is the account a sign-in page's "Account ID or alias"
// names: a 12-digit account ID names itself (as in AWS, the ID's sign-in
// URL keeps working once an alias is created); anything else is looked up
// as an alias. ok is false for an alias no account has.
func (s *Service) ResolveAccount(ctx context.Context, idOrAlias string) (account string, ok bool, err error) {
	if arn.IsAccountID(idOrAlias) {
		return idOrAlias, true, nil
	}
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	err = s.st.View(func(tx store.Tx) error {
		var r aliasRecord
		ok, err = getJSON(tx, bucketAccountAliases, idOrAlias, &r)
		account = r.Account
		return err
	})
	if err != nil || !ok {
		return "", false, err
	}
	return account, true, nil
}
