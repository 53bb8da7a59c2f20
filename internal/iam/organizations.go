package iam

import (
	"context"
	"net/http"

	"github.com/rolecall/rolecall/internal/awserr"
)

// IAM's calls about AWS Organizations (centralized root access, and the
// service last accessed reports of an organization's entities). rolecall
// keeps accounts outside any organization, so each answers as AWS answers
// an account that belongs to none: OrganizationNotFoundException, "The
// request was rejected because no organization is associated with your
// account" (IAM API reference, ListOrganizationsFeatures and the
// Enable/Disable calls, HTTP 400). The model gives the exception no error
// code of its own, so its wire code is the shape's name. The message text
// is the reference's description of the exception (unverified as AWS's
// text).

// ErrOrganizationNotFound is that answer.
func ErrOrganizationNotFound() error {
	return awserr.New(http.StatusBadRequest, "OrganizationNotFoundException", "The request was rejected because no organization is associated with your account.")
}

// Organizations answers an Organizations-dependent call for account:
// always ErrOrganizationNotFound, after the context is checked.
func (s *Service) Organizations(ctx context.Context, account string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return ErrOrganizationNotFound()
}

// GetOrganizationsAccessReport answers a JobId: no account outside an
// organization generates one (GenerateOrganizationsAccessReport answers
// ErrOrganizationNotFound), so every id is unknown (NoSuchEntity, worded as
// Access Advisor's own unknown jobs).
func (s *Service) GetOrganizationsAccessReport(ctx context.Context, account, jobID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return errNoSuchJob(jobID)
}
