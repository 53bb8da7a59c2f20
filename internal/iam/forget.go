package iam

import "github.com/rolecall/rolecall/internal/store"

// ForgetAccount deletes, inside tx, what IAM keeps for account under keys
// that do not begin with the account (store.DeleteAccountKeys deletes the
// rest: its users, groups, roles, policies, instance profiles, login
// profiles, attachments, deletion tasks and Access Advisor records): the
// account record (its password policy and alias), its access keys, its
// users' and roles' unique IDs, and its alias, which another account may
// then take. Another account's trust policies that named one of its users
// or roles keep the unique ID, as when the principal is deleted (GetRole
// shows the ID). rolecall's reset calls it, with the other domains', in
// one transaction.
func ForgetAccount(tx store.Tx, account string) error {
	if err := tx.Delete(bucketAccounts, account); err != nil {
		return err
	}
	if err := store.DeleteJSONIf(tx, bucketAccessKeys, func(_ string, k *accessKeyRecord) bool { return k.Account == account }); err != nil {
		return err
	}
	if err := store.DeleteJSONIf(tx, bucketAccountAliases, func(_ string, a *aliasRecord) bool { return a.Account == account }); err != nil {
		return err
	}
	// Delegation requests are kept by ID: the requestor's go with it.
	if err := store.DeleteJSONIf(tx, bucketDelegations, func(_ string, r *delegationRecord) bool { return r.RequestorId == account }); err != nil {
		return err
	}
	return store.DeleteJSONIf(tx, bucketIDs, func(_ string, r *idRecord) bool { return r.Account == account })
}
