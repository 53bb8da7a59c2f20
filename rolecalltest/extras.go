package rolecalltest

import "context"

// DelegationToken is the exchange token SendDelegationToken released for
// delegation request id: AWS publishes it to the request's SNS topic,
// which rolecall does not have, so a test plays the partner's side by
// reading it here. ok is false before it is released.
func (s *Server) DelegationToken(ctx context.Context, id string) (token string, ok bool, err error) {
	return s.srv.IAM.DelegationToken(ctx, id)
}
