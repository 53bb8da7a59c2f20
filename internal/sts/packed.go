package sts

import (
	"unicode/utf8"

	"github.com/rolecall/rolecall/internal/policy"
	"github.com/rolecall/rolecall/internal/principal"
)

// AWS packs a session's inline policy, policy ARNs and session tags into a
// compressed binary form inside the session token, with a limit of its own,
// and reports the use as a percentage (PackedPolicySize; over 100% the
// request fails with PackedPolicyTooLarge). AWS does not publish the
// format. rolecall estimates it from the plain text against the limit AWS
// documents for it ("The plaintext that you use for both inline and
// managed session policies can't exceed 2,048 characters", STS API
// reference, AssumeRole): policy characters (white space not counted) and
// ARN characters against 2,048, and tag keys and values against another
// 2,048. The percentages are estimates, not AWS's figures; the boundary
// (2,048 characters of policy) is AWS's.
const (
	packedPolicyChars = 2048
	packedTagChars    = 2048
)

// packedPercents returns the estimated use of the policy and the tag
// budget, in whole percent rounded up.
func packedPercents(inline string, arns []string, tags []principal.Tag) (policyPct, tagPct int) {
	n := policy.NonWhitespaceLen(inline)
	for _, a := range arns {
		n += utf8.RuneCountInString(a)
	}
	t := 0
	for _, tag := range tags {
		t += utf8.RuneCountInString(tag.Key) + utf8.RuneCountInString(tag.Value)
	}
	return ceilPercent(n, packedPolicyChars), ceilPercent(t, packedTagChars)
}

func ceilPercent(n, of int) int { return (n*100 + of - 1) / of }
