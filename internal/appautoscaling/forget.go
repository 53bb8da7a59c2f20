package appautoscaling

import "github.com/rolecall/rolecall/internal/store"

// ForgetAccount deletes, inside tx, account's scalable targets, scaling
// policies and scheduled actions in every Region. rolecall's reset calls
// it, with the other domains', in one transaction.
func ForgetAccount(tx store.Tx, account string) error {
	for _, b := range []string{bucketTargets, bucketPolicies, bucketScheduled} {
		// A policy's and a scheduled action's keys begin with their
		// target's, which begins with the account.
		if err := store.DeletePrefix(tx, b, account+"/"); err != nil {
			return err
		}
	}
	return nil
}
