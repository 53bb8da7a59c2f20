package sts

// Extras is what STS's operations beyond sessions and roles read of the
// rest of rolecall; a nil member leaves its operation without that part.
type Extras struct {
	// Keys answers GetAccessKeyInfo for IAM users' keys (keyinfo.go).
	Keys AccessKeys
	// Messages decodes encoded authorization messages
	// (DecodeAuthorizationMessage, messages.go).
	Messages AuthorizationMessages
	// Outbound signs GetWebIdentityToken's tokens (outbound.go).
	Outbound OutboundFederation
	// Delegations redeems delegation requests' exchange tokens
	// (GetDelegatedAccessToken, delegated.go).
	Delegations Delegations
}
