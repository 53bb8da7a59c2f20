package iam

import (
	"encoding/json"

	"github.com/rolecall/rolecall/internal/store"
)

// AllowUsersToChangePassword "gives IAM users permissions to
// iam:ChangePassword for only their user and to the
// iam:GetAccountPasswordPolicy action. This option does not attach a
// permissions policy to each user, rather the permissions are applied at
// the account-level for all users by IAM" (PasswordPolicy, IAM API
// reference). rolecall hands the authorizer that grant as one more
// identity policy of each user, so that it is decided as everything else
// is: a Deny, a permissions boundary or an SCP still limits it.

// ChangePasswordGrantSource names the grant in decision records.
const ChangePasswordGrantSource = "AllowUsersToChangePassword (account password policy)"

// accountGrants are the grants the account gives the user whose ARN is
// userArn.
func accountGrants(tx store.Tx, account, userArn string) ([]PolicyDocument, error) {
	a, err := loadAccount(tx, account)
	if err != nil || a.PasswordPolicy == nil || !a.PasswordPolicy.AllowUsersToChangePassword {
		return nil, err
	}
	doc, err := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{
			{"Effect": "Allow", "Action": "iam:ChangePassword", "Resource": userArn},
			{"Effect": "Allow", "Action": "iam:GetAccountPasswordPolicy", "Resource": "*"},
		},
	})
	if err != nil {
		return nil, err
	}
	return []PolicyDocument{{Inline: true, PolicyName: ChangePasswordGrantSource, Document: string(doc)}}, nil
}
