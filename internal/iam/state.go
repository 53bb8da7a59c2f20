package iam

import (
	"context"

	"github.com/rolecall/rolecall/internal/store"
)

// UniqueIDsInUse are the unique IDs of the users and roles that exist, in
// any account, and those that any role's trust policy holds (of users and
// roles deleted since): a user or role imported from a state file with
// one of them would be trusted where the one that had it was. AWS never
// gives an ID twice; an import must not either.
func (s *Service) UniqueIDsInUse(ctx context.Context) (map[string]bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := map[string]bool{}
	err := s.st.View(func(tx store.Tx) error {
		if err := tx.Scan(bucketIDs, "", "", func(k string, _ []byte) bool {
			out[k] = true
			return true
		}); err != nil {
			return err
		}
		return store.ScanJSON(tx, bucketRoles, "", func(_ string, r *roleRecord) bool {
			out[r.RoleId] = true
			for _, b := range r.TrustIDs {
				out[b.ID] = true
			}
			return true
		})
	})
	return out, err
}

// Accounts are the accounts IAM has written to, in order.
func (s *Service) Accounts(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []string
	err := s.st.View(func(tx store.Tx) error {
		return tx.Scan(bucketAccounts, "", "", func(k string, _ []byte) bool {
			out = append(out, k)
			return true
		})
	})
	return out, err
}
