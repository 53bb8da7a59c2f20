package instances

import "github.com/rolecall/rolecall/internal/store"

// ForgetAccount deletes, inside tx, account's instances, running or
// terminated. Their metadata services stop when the caller tells the
// metadata server (imds.Server.Forget) after the transaction commits.
// rolecall's reset calls it, with the other domains', in one transaction.
func ForgetAccount(tx store.Tx, account string) error {
	return store.DeletePrefix(tx, bucket, account+"/")
}
