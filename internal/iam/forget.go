package iam

import "github.com/rolecall/rolecall/internal/store"

// ForgetAccount deletes, inside tx, everything IAM keeps for account: its
// users, groups, roles, policies, instance profiles, access keys, their
// unique IDs, service-linked role deletion tasks, Access Advisor records
// and the account record. Another account's trust policies that named
// one of its users or roles keep the unique ID, as when the principal is
// deleted (GetRole shows the ID). rolecall's reset calls it, with the
// other domains', in one transaction.
func ForgetAccount(tx store.Tx, account string) error {
	prefix := account + "/"
	for _, b := range []string{bucketRoles, bucketUsers, bucketGroups, bucketPolicies, bucketInstanceProfiles,
		bucketAttachments, bucketDeletionTasks, bucketAdvisorJobs, bucketAdvisorJobIndex, bucketLastAccessed} {
		if err := store.DeletePrefix(tx, b, prefix); err != nil {
			return err
		}
	}
	if err := tx.Delete(bucketAccounts, account); err != nil {
		return err
	}
	// Keyed by access key id and unique id alone: the record says whose.
	if err := store.DeleteJSONIf(tx, bucketAccessKeys, func(_ string, k *accessKeyRecord) bool { return k.Account == account }); err != nil {
		return err
	}
	return store.DeleteJSONIf(tx, bucketIDs, func(_ string, r *idRecord) bool { return r.Account == account })
}
