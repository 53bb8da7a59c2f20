// Package awserr is the one error type rolecall returns to AWS clients: an
// AWS error code, the HTTP status AWS sends with it, and AWS's message text.
//
// Domain packages return *Error values; protocol codecs encode them. Nothing
// else decides a status code or an error code.
package awserr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an AWS-visible failure.
type Error struct {
	Code    string // AWS error code, e.g. "NoSuchEntity"
	Status  int    // HTTP status AWS answers with
	Message string // AWS's message text
	// Sender is true for client faults (query protocol <Type>Sender</Type>),
	// false for server faults (<Type>Receiver</Type>).
	Sender bool
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is matches errors by AWS code, so that errors.Is(err, awserr.Code...)
// style checks need no helper: errors.Is(err, &awserr.Error{Code:
// "NoSuchEntity"}) holds for any NoSuchEntity, whatever its text.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Code is err's AWS error code; "" when err is not an *Error.
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// IsClient reports an AWS-visible failure the request caused (a 4xx), as
// opposed to a failure of rolecall itself.
func IsClient(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status >= 400 && e.Status < 500
}

// New builds an error with an explicit code and status.
func New(status int, code, format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Code: code, Status: status, Message: msg, Sender: status < 500}
}

// As returns err as an *Error, wrapping anything else as an internal failure
// so that a client never sees a Go error string without an AWS code.
func As(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: "ServiceFailure", Status: http.StatusInternalServerError,
		Message: "The request processing has failed because of an unknown error, exception or failure.", Sender: false}
}

// Codes that recur across IAM and STS, with the status AWS sends for each.
func NoSuchEntity(format string, args ...any) *Error {
	return New(http.StatusNotFound, "NoSuchEntity", format, args...)
}
func EntityAlreadyExists(format string, args ...any) *Error {
	return New(http.StatusConflict, "EntityAlreadyExists", format, args...)
}
func DeleteConflict(format string, args ...any) *Error {
	return New(http.StatusConflict, "DeleteConflict", format, args...)
}
func LimitExceeded(format string, args ...any) *Error {
	return New(http.StatusConflict, "LimitExceeded", format, args...)
}
func MalformedPolicyDocument(format string, args ...any) *Error {
	return New(http.StatusBadRequest, "MalformedPolicyDocument", format, args...)
}
func InvalidInput(format string, args ...any) *Error {
	return New(http.StatusBadRequest, "InvalidInput", format, args...)
}
func ValidationError(format string, args ...any) *Error {
	return New(http.StatusBadRequest, "ValidationError", format, args...)
}
func UnmodifiableEntity(format string, args ...any) *Error {
	return New(http.StatusBadRequest, "UnmodifiableEntity", format, args...)
}
func PolicyNotAttachable(format string, args ...any) *Error {
	return New(http.StatusBadRequest, "PolicyNotAttachable", format, args...)
}
func AccessDenied(format string, args ...any) *Error {
	return New(http.StatusForbidden, "AccessDenied", format, args...)
}
func InvalidAction(action, version string) *Error {
	return New(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", action, version)
}

// MissingParameter is EC2's answer to a request without a parameter it
// needs: "MissingParameter: The request must contain the parameter
// ImageId" (cognitect-labs/aws-api #68, EC2's raw XML), status 400.
func MissingParameter(name string) *Error {
	return New(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter %s", name)
}

// UnauthorizedOperation is an AccessDenied as EC2 answers it:
// "UnauthorizedOperation: You are not authorized to perform this
// operation. User: arn:... is not authorized to perform: ec2:RunInstances
// on resource: arn:aws:ec2:us-east-2:...:instance/* with an explicit deny
// in a service control policy. Encoded authorization failure message:
// ..." (aws/karpenter-provider-aws #7370, 2024), status 403. denial is
// the AccessDenied text; UnauthorizedOperationFor adds the encoded
// message.
func UnauthorizedOperation(denial string) *Error {
	return New(http.StatusForbidden, "UnauthorizedOperation", "%s", UnauthorizedPrefix+denial)
}

// UnauthorizedPrefix opens EC2's UnauthorizedOperation message, before
// the AccessDenied text.
const UnauthorizedPrefix = "You are not authorized to perform this operation. "

// EncodedMessageSeparator comes between the AccessDenied text of EC2's
// UnauthorizedOperation and its encoded authorization message (the
// karpenter report above; aws/aws-sdk-go #1536, raw XML).
const EncodedMessageSeparator = " Encoded authorization failure message: "

// UnauthorizedOperationFor is denied, an AccessDenied, as EC2 answers it:
// UnauthorizedOperation, the same text, then the encoded authorization
// message when denied carries one (the authorizer's denials do: an error
// in its chain has EncodedMessage); other errors pass as they are.
func UnauthorizedOperationFor(denied error) error {
	var e *Error
	if !errors.As(denied, &e) || e.Code != "AccessDenied" && e.Code != "AccessDeniedException" {
		return denied
	}
	out := UnauthorizedOperation(e.Message)
	var enc interface{ EncodedMessage() string }
	if errors.As(denied, &enc) {
		out.Message += EncodedMessageSeparator + enc.EncodedMessage()
	}
	return out
}

// AsJSONDenied turns IAM's or STS's AccessDenied (403), met by a
// JSON-protocol service asking on its caller's behalf (ECS passing a task
// role, Application Auto Scaling creating its service-linked role), into
// the AccessDeniedException that service answers: status 400, the same
// text ("Service: AmazonECS; Status Code: 400; Error Code:
// AccessDeniedException", aws-facts.md; "Service:
// AWSApplicationAutoScaling; Status Code: 400; Error Code:
// AccessDeniedException", aws-samples/aws-application-auto-scaling-kinesis
// #1). Other errors pass as they are; ok says whether err was a denial.
func AsJSONDenied(err error) (out error, ok bool) {
	var e *Error
	if !errors.As(err, &e) {
		return err, false
	}
	if e.Code == "AccessDenied" || e.Code == "AccessDeniedException" {
		return New(http.StatusBadRequest, "AccessDeniedException", "%s", e.Message), true
	}
	return err, false
}
