package sts

import "github.com/rolecall/rolecall/internal/store"

// ForgetAccount deletes, inside tx, the sessions STS issued in account
// (keyed by access key id, and by expiry):
// its roles' sessions (whoever assumed them, AWS services included) and
// its root's and users' GetSessionToken credentials, which then answer
// InvalidClientTokenId. A session of another account's role that one of
// account's principals assumed is that account's, and stays. rolecall's
// reset calls it, with the other domains', in one transaction.
func ForgetAccount(tx store.Tx, account string) error {
	var expiry []string
	err := store.DeleteJSONIf(tx, bucketSessions, func(_ string, r *sessionRecord) bool {
		if r.Principal.Account != account {
			return false
		}
		expiry = append(expiry, expiryKey(r))
		return true
	})
	if err != nil {
		return err
	}
	for _, k := range expiry {
		if err := tx.Delete(bucketExpiry, k); err != nil {
			return err
		}
	}
	return nil
}
