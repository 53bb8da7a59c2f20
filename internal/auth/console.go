package auth

import (
	"context"
	"crypto/subtle"
	"net/http"

	"github.com/rolecall/rolecall/internal/auth/sigv4"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/principal"
)

// MsgSignInFailed is what the AWS sign-in page answers for credentials it
// does not accept, whichever part is wrong ("Authentication failed" above
// it; reported by tests scripted against the sign-in page, e.g. Selenium
// page objects that wait for this text).
const MsgSignInFailed = "Your authentication information is incorrect. Please try again."

// SignIn is the principal an access key and its secret act as, as the web
// console's sign-in form gives them: who a request signed with them would
// be, with no signature to check. Both the key and the secret must be
// right, whatever the mode (lenient mode is for API clients that cannot
// sign; a browser can type). Temporary credentials need their session
// token, which the form does not take, so they are refused; so are
// inactive keys. Every refusal is the same 403, so that the form does not
// tell which keys exist.
func (a *Authenticator) SignIn(ctx context.Context, accessKeyID, secret string) (*principal.Principal, *awserr.Error) {
	p, want, err := a.resolve(ctx, &sigv4.Signature{AccessKey: accessKeyID}, a.Clock.Now())
	if err != nil {
		if err.Status >= 500 {
			return nil, err
		}
		return nil, SignInFailed()
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(secret)) != 1 {
		return nil, SignInFailed()
	}
	own := *p // a console session's own: a root user's is shared (root)
	return &own, nil
}

// SignInFailed is the console's one answer to a sign-in that does not
// pass, with access keys or a password.
func SignInFailed() *awserr.Error {
	return awserr.New(http.StatusForbidden, "AuthenticationFailed", MsgSignInFailed)
}
