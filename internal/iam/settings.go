package iam

import (
	"context"

	"github.com/rolecall/rolecall/internal/store"
)

// bucketSettings keeps each account's IAM settings that are no entity:
// the STS global endpoint token version and outbound web identity
// federation (outbound.go), keyed "<account>/settings".
const bucketSettings = "iam-account-settings"

func settingsKey(account string) string { return account + "/settings" }

// settingsRecord is an account's settings; absent, every one is AWS's
// default.
type settingsRecord struct {
	// GlobalEndpointTokenVersion is "v2Token" once set so; "" and
	// "v1Token" are version 1, AWS's default for accounts.
	GlobalEndpointTokenVersion string          `json:",omitempty"`
	Outbound                   *outboundRecord `json:",omitempty"`
}

func getSettings(tx store.Tx, account string) (settingsRecord, error) {
	var r settingsRecord
	_, err := getJSON(tx, bucketSettings, settingsKey(account), &r)
	return r, err
}

// updateSettings changes account's settings with fn in one transaction.
func (s *Service) updateSettings(ctx context.Context, account string, fn func(r *settingsRecord) error) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := getSettings(tx, account)
		if err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
		return putJSON(tx, bucketSettings, settingsKey(account), &r)
	})
}

// Global endpoint token versions (SetSecurityTokenServicePreferences).
const (
	TokenVersion1 = "v1Token"
	TokenVersion2 = "v2Token"
)

// SetSecurityTokenServicePreferences sets the version of the session
// tokens STS's global endpoint issues for the account: "Version 1 tokens
// are valid only in AWS Regions that are available by default ... Version
// 2 tokens are valid in all Regions" (IAM API reference). rolecall's
// tokens work in every Region whatever the version; the setting is kept
// and reported (GetAccountSummary's GlobalEndpointTokenVersion). The model
// allows only the two values.
func (s *Service) SetSecurityTokenServicePreferences(ctx context.Context, account, version string) error {
	return s.updateSettings(ctx, account, func(r *settingsRecord) error {
		r.GlobalEndpointTokenVersion = version
		return nil
	})
}

// globalEndpointTokenVersion is GetAccountSummary's
// GlobalEndpointTokenVersion: 1, or 2 once set to v2Token.
func globalEndpointTokenVersion(tx store.Tx, account string) (int32, error) {
	r, err := getSettings(tx, account)
	if r.GlobalEndpointTokenVersion == TokenVersion2 {
		return 2, err
	}
	return 1, err
}
