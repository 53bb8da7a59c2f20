package ecs

import "github.com/rolecall/rolecall/internal/store"

// ForgetAccount deletes, inside tx, what ECS keeps for account under keys
// that do not begin with the account (store.DeleteAccountKeys deletes the
// rest: clusters, services, task definitions, tasks, container instances,
// capacity providers): its tasks' role credentials, keyed by task ID,
// which then answer the agent's "Credentials not found". rolecall's reset
// calls it, with the other domains', in one transaction.
func ForgetAccount(tx store.Tx, account string) error {
	return store.DeleteJSONIf(tx, bucketCredentials, func(_ string, r *credentialsRecord) bool { return r.Account == account })
}
