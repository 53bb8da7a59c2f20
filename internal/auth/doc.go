// Package auth answers "who is calling?": it verifies a request's SigV4
// signature (internal/auth/sigv4), resolves its access key to a principal
// (internal/principal: an account's root user, an IAM user, or a role
// session) and answers authentication failures with AWS's codes and texts.
// It decides nothing about permissions: that is internal/authz's.
package auth
