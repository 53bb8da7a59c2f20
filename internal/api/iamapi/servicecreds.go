package iamapi

import (
	"context"
	"strconv"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
)

// Service-specific credentials (iam/servicecreds.go). All but the create
// act on the calling user when UserName is left out ("If this value is
// not specified, then the operation assumes the user whose credentials
// are used to call the operation", API reference). The service a
// credential is for is iam:ServiceSpecificCredentialServiceName, the
// expiry asked for iam:ServiceSpecificCredentialAgeDays (Service
// Authorization Reference).

type createServiceSpecificCredentialInput struct {
	UserName, ServiceName string
	CredentialAgeDays     int32
}

func (in *createServiceSpecificCredentialInput) keys(k *authz.Keys) {
	k.Set("iam:ServiceSpecificCredentialServiceName", optional(in.ServiceName)...)
	if in.CredentialAgeDays > 0 {
		k.Set("iam:ServiceSpecificCredentialAgeDays", strconv.Itoa(int(in.CredentialAgeDays)))
	}
}

type serviceSpecificCredentialOutput struct {
	ServiceSpecificCredential *iam.ServiceSpecificCredential
}

func (h *handler) createServiceSpecificCredential(ctx context.Context, c *api.Call, in *createServiceSpecificCredentialInput) (*serviceSpecificCredentialOutput, error) {
	cred, err := h.svc.CreateServiceSpecificCredential(ctx, c.Account, in.UserName, in.ServiceName, in.CredentialAgeDays)
	if err != nil {
		return nil, err
	}
	return &serviceSpecificCredentialOutput{ServiceSpecificCredential: cred}, nil
}

type listServiceSpecificCredentialsInput struct {
	UserName, ServiceName string
	AllUsers              bool
	paging
}

// listServiceSpecificCredentialsOutput: IsTruncated only when the list
// is; AWS's answer to a whole list has neither it nor Marker (recorded).
type listServiceSpecificCredentialsOutput struct {
	ServiceSpecificCredentials []iam.ServiceSpecificCredentialMetadata
	Marker                     string
	IsTruncated                *bool
}

func (h *handler) listServiceSpecificCredentials(ctx context.Context, c *api.Call, in *listServiceSpecificCredentialsInput) (*listServiceSpecificCredentialsOutput, error) {
	out := &listServiceSpecificCredentialsOutput{ServiceSpecificCredentials: []iam.ServiceSpecificCredentialMetadata{}}
	name := in.UserName
	if !in.AllUsers {
		var none bool
		var err error
		if name, none, err = listedUser(c, in.UserName); err != nil || none {
			return out, err
		}
	}
	list, next, err := h.svc.ListServiceSpecificCredentials(ctx, c.Account, name, in.ServiceName, in.AllUsers, in.page())
	if err != nil {
		return nil, err
	}
	out.ServiceSpecificCredentials = nonNil(list)
	if next != "" {
		t := true
		out.Marker, out.IsTruncated = next, &t
	}
	return out, nil
}

// credentialsListed: AllUsers lists every user's credentials, authorized
// on every user of the account (unverified: the form of AWS's resource
// for it is not in any public record found).
func (h *handler) credentialsListed(ctx context.Context, c *api.Call, in *listServiceSpecificCredentialsInput) (authz.Access, error) {
	if in.AllUsers && in.UserName == "" {
		return authz.Acting(authz.Target{ARN: "arn:aws:iam::" + c.Account + ":user/*", Type: "user"}), nil
	}
	return user(h, func(in *listServiceSpecificCredentialsInput) string { return in.UserName })(ctx, c, in)
}

type serviceSpecificCredentialIdInput struct{ UserName, ServiceSpecificCredentialId string }

func (h *handler) resetServiceSpecificCredential(ctx context.Context, c *api.Call, in *serviceSpecificCredentialIdInput) (*serviceSpecificCredentialOutput, error) {
	name, err := iam.CallerUserName(c.PrincipalARN(), in.UserName)
	if err != nil {
		return nil, err
	}
	cred, err := h.svc.ResetServiceSpecificCredential(ctx, c.Account, name, in.ServiceSpecificCredentialId)
	if err != nil {
		return nil, err
	}
	return &serviceSpecificCredentialOutput{ServiceSpecificCredential: cred}, nil
}

type updateServiceSpecificCredentialInput struct{ UserName, ServiceSpecificCredentialId, Status string }

func (h *handler) updateServiceSpecificCredential(ctx context.Context, c *api.Call, in *updateServiceSpecificCredentialInput) (*none, error) {
	name, err := iam.CallerUserName(c.PrincipalARN(), in.UserName)
	if err != nil {
		return nil, err
	}
	return &none{}, h.svc.UpdateServiceSpecificCredential(ctx, c.Account, name, in.ServiceSpecificCredentialId, in.Status)
}

func (h *handler) deleteServiceSpecificCredential(ctx context.Context, c *api.Call, in *serviceSpecificCredentialIdInput) (*none, error) {
	name, err := iam.CallerUserName(c.PrincipalARN(), in.UserName)
	if err != nil {
		return nil, err
	}
	return &none{}, h.svc.DeleteServiceSpecificCredential(ctx, c.Account, name, in.ServiceSpecificCredentialId)
}

// serviceCredential: Reset, Update and Delete act on the credential's
// user, with the service the stored credential is for.
func serviceCredential[In any](h *handler, userName, id func(*In) string) api.Resolver[In] {
	byUser := user(h, userName)
	return func(ctx context.Context, c *api.Call, in *In) (authz.Access, error) {
		acc, err := byUser(ctx, c, in)
		if err != nil {
			return acc, err
		}
		name, err := iam.CallerUserName(c.PrincipalARN(), userName(in))
		if err != nil {
			return acc, nil // the operation answers
		}
		svc, err := h.svc.ServiceSpecificCredentialService(ctx, c.Account, name, id(in))
		if err != nil && !awserr.IsClient(err) {
			return authz.Access{}, err
		}
		acc.Keys.Set("iam:ServiceSpecificCredentialServiceName", optional(svc)...)
		return acc, nil
	}
}
