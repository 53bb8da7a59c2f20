package ecs

import "github.com/rolecall/rolecall/internal/store"

// ForgetAccount deletes, inside tx, everything ECS keeps for account in
// every Region: clusters, services, task definitions, tasks, container
// instances, capacity providers, and its tasks' role credentials, which
// then answer the agent's "Credentials not found". rolecall's reset calls
// it, with the other domains', in one transaction.
func ForgetAccount(tx store.Tx, account string) error {
	prefix := account + "/"
	for _, b := range []string{bucketClusters, bucketServices, bucketTaskDefs, bucketFamilies, bucketTasks, bucketInstances, bucketProviders} {
		if err := store.DeletePrefix(tx, b, prefix); err != nil {
			return err
		}
	}
	// Keyed by task ID alone: the record says whose.
	return store.DeleteJSONIf(tx, bucketCredentials, func(_ string, r *credentialsRecord) bool { return r.Account == account })
}
