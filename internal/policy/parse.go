package policy

import (
	"fmt"

	"github.com/rolecall/rolecall/internal/awserr"
)

// Parse parses and validates doc as IAM does for kind. Errors are
// *awserr.Error with code MalformedPolicyDocument and AWS's message; the
// first failure IAM would report is the one returned.
//
// Size quotas are not checked here: the caller knows which quota applies
// (see NonWhitespaceLen).
func Parse(doc string, kind Kind) (*Document, error) {
	p, err := parse(doc, kind)
	if err != nil {
		return nil, err
	}
	return &p.doc, nil
}

// parse is Parse keeping what the grammar pass learnt about the text
// (statement offsets, for CompileJSON's positions).
func parse(doc string, kind Kind) (*parsed, error) {
	checks, ok := passes[kind]
	if !ok {
		return nil, awserr.As(fmt.Errorf("policy: unknown kind %d", int(kind)))
	}
	root, err := decodeJSON(doc)
	if err != nil {
		if kind == Trust {
			return nil, malformed(msgTrustInvalidJSON)
		}
		return nil, malformed(msgSyntax)
	}
	p, err := parseGrammar(root)
	if err != nil {
		return nil, malformed(msgSyntax)
	}
	for _, check := range checks {
		if err := check(p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// NonWhitespaceLen is a document's length as IAM counts it against its size
// quotas: characters, not counting white space (IAM User Guide, "IAM and
// AWS STS quotas": "IAM doesn't count white space when calculating the size
// of a policy against these limits").
func NonWhitespaceLen(doc string) int {
	n := 0
	for _, r := range doc {
		switch r {
		case ' ', '\t', '\n', '\r':
		default:
			n++
		}
	}
	return n
}
