// Package arn parses and formats Amazon Resource Names:
// arn:partition:service:region:account-id:resource.
package arn

import (
	"errors"
	"strings"
)

// ARN is a parsed Amazon Resource Name. Resource keeps everything after the
// fifth colon, colons and slashes included.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// ErrInvalid is returned for a string that is not an ARN.
var ErrInvalid = errors.New("arn: not a valid ARN")

// Parse splits s into its parts. It checks only the shape that every ARN
// has: the "arn" prefix, six colon-separated sections, and a non-empty
// partition, service and resource.
func Parse(s string) (ARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return ARN{}, ErrInvalid
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, nil
}

func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// IAM builds an IAM ARN: arn:aws:iam::<account>:<kind><path><name>, where
// path begins and ends with '/' (e.g. role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS).
func IAM(account, kind, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + account + ":" + kind + path + name
}

// IsServiceLinkedRole reports whether a role ARN is a service-linked
// role's: its path begins /aws-service-role/.
func IsServiceLinkedRole(roleARN string) bool {
	_, rest, ok := strings.Cut(roleARN, ":role/aws-service-role/")
	return ok && rest != ""
}

// IsAccountID reports whether s is a 12-digit AWS account ID.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
