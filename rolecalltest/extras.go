package rolecalltest

import "context"

// DelegationToken is the exchange token SendDelegationToken released for
// delegation request id, as the requestor's account reads it (account):
// AWS publishes it to the request's SNS topic, which rolecall does not
// have, so a test plays the partner's side by reading it here, as
// `rolecall delegation token` does over HTTP. Before it is released, the
// error is IAM's InvalidInput naming the request's state.
func (s *Server) DelegationToken(ctx context.Context, account, id string) (string, error) {
	return s.srv.IAM.DelegationToken(ctx, account, id)
}
