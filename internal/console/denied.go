package console

import (
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
)

// The AWS Management Console's words for a request its user may not make:
// a title, a sentence, then the API's own AccessDenied message ("User: ...
// is not authorized to perform: iam:CreatePolicy on resource: ... because
// no identity-based policy allows the iam:CreatePolicy action"). Quoted in
// users' public notes of the IAM and Directory Service consoles' error
// (GitHub, 2023-2025); AWS documents the message that follows them
// ("Troubleshoot access denied error messages", IAM User Guide,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html),
// not these two lines.
const (
	deniedTitle = "You need permissions"
	deniedText  = "You do not have the permission required to perform this operation. Ask your administrator to add permissions."
)

// denial is a refused request as the console shows it: the console's
// words, the API's message, and what the authorizer recorded of it.
type denial struct {
	Title, Text string
	Message     string // the API's AccessDenied text
	Principal   string
	Action      string // "iam:ListRoles"
	Resource    string // the resource the denial is about
	RequestID   string // for rolecall explain-denied
}

// denial reads the decision recorded under requestID for e. Without a
// record (decisions not kept) the action and resource are read from the
// message, which always names them.
func (c *Console) denial(requestID string, e *awserr.Error) *denial {
	d := &denial{Title: deniedTitle, Text: deniedText, Message: e.Message, RequestID: requestID}
	if c.cfg.Decisions != nil {
		if rec, ok := c.cfg.Decisions.Get(requestID); ok && rec.Decision != "allowed" {
			d.Principal, d.Action, d.Resource = rec.Principal, rec.Action, rec.Denied
			if d.Resource == "" && len(rec.Resources) > 0 {
				d.Resource = rec.Resources[0]
			}
			return d
		}
	}
	d.Principal, d.Action, d.Resource = parseDenied(e.Message)
	return d
}

// parseDenied reads "User: P is not authorized to perform: A[ on resource:
// R][ because ...| with an explicit deny ...]", the form of every
// AccessDenied rolecall answers (internal/policy's AccessDeniedMessage).
func parseDenied(msg string) (principal, action, resource string) {
	msg = strings.TrimPrefix(msg, awserr.UnauthorizedPrefix) // EC2's

	rest, ok := strings.CutPrefix(msg, "User: ")
	if !ok {
		return "", "", ""
	}
	principal, rest, ok = strings.Cut(rest, " is not authorized to perform: ")
	if !ok {
		return "", "", ""
	}
	end := len(rest)
	for _, sep := range []string{" because ", " with an explicit deny", awserr.EncodedMessageSeparator} {
		if i := strings.Index(rest, sep); i >= 0 && i < end {
			end = i
		}
	}
	rest = rest[:end]
	action, resource, _ = strings.Cut(rest, " on resource: ")
	return principal, action, resource
}
