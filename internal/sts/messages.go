package sts

import (
	"context"

	"github.com/rolecall/rolecall/internal/principal"
)

// AuthorizationMessages decodes the encoded authorization messages the
// authorizer puts in its denials (authz.Authorizer.DecodeMessage).
type AuthorizationMessages interface {
	// DecodeMessage is encoded's decoded message for a caller of
	// account; ok is false when encoded is none of rolecall's, or another
	// account's.
	DecodeMessage(encoded, account string) (decoded string, ok bool)
}

// DecodedAuthorizationMessage is DecodeAuthorizationMessage's answer.
type DecodedAuthorizationMessage struct{ DecodedMessage string }

// DecodeAuthorizationMessage decodes a message rolecall encoded in a
// denial (EC2's UnauthorizedOperation) for a caller of the account the
// denial was for; the binding has checked sts:DecodeAuthorizationMessage.
// Anything else is InvalidAuthorizationMessageException.
func (s *Service) DecodeAuthorizationMessage(ctx context.Context, caller *principal.Principal, encoded string) (*DecodedAuthorizationMessage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := federatedRefused(caller, "sts:DecodeAuthorizationMessage", "*"); err != nil {
		return nil, err
	}
	if s.extras.Messages == nil {
		return nil, errInvalidAuthorizationMessage()
	}
	msg, ok := s.extras.Messages.DecodeMessage(encoded, caller.Account)
	if !ok {
		return nil, errInvalidAuthorizationMessage()
	}
	return &DecodedAuthorizationMessage{DecodedMessage: msg}, nil
}
