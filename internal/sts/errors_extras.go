package sts

import (
	"net/http"

	"github.com/rolecall/rolecall/internal/awserr"
)

// AWS's answers for the STS operations of federation.go, keyinfo.go,
// messages.go, root.go, outbound.go and delegated.go, with their sources.

// errFederationSessionCredentials: 403 AccessDenied "Cannot call
// GetFederationToken with session credentials" (fwdcloudsec/granted #151,
// "StatusCode: 403 ... api error AccessDenied"; hashicorp/vault #4108).
func errFederationSessionCredentials() error {
	return awserr.AccessDenied("Cannot call GetFederationToken with session credentials")
}

// errInvalidAuthorizationMessage: the model's
// InvalidAuthorizationMessageException (400), "if the token contains
// invalid characters, such as line breaks, or if the message has expired"
// (STS API reference). AWS's message text is unverified.
func errInvalidAuthorizationMessage() error {
	return awserr.New(http.StatusBadRequest, "InvalidAuthorizationMessageException", "The encoded authorization message is invalid or has expired.")
}
