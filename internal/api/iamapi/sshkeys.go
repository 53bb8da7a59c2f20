package iamapi

import (
	"context"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/iam"
)

// SSH public keys (iam/sshkeys.go). Every call names the user but
// ListSSHPublicKeys, which without one lists the caller's ("the UserName
// field is determined implicitly based on the Amazon Web Services access
// key used to sign the request", API reference).

type uploadSSHPublicKeyInput struct{ UserName, SSHPublicKeyBody string }

type sshPublicKeyOutput struct{ SSHPublicKey *iam.SSHPublicKey }

func (h *handler) uploadSSHPublicKey(ctx context.Context, c *api.Call, in *uploadSSHPublicKeyInput) (*sshPublicKeyOutput, error) {
	k, err := h.svc.UploadSSHPublicKey(ctx, c.Account, in.UserName, in.SSHPublicKeyBody)
	if err != nil {
		return nil, err
	}
	return &sshPublicKeyOutput{SSHPublicKey: k}, nil
}

type getSSHPublicKeyInput struct{ UserName, SSHPublicKeyId, Encoding string }

func (h *handler) getSSHPublicKey(ctx context.Context, c *api.Call, in *getSSHPublicKeyInput) (*sshPublicKeyOutput, error) {
	k, err := h.svc.GetSSHPublicKey(ctx, c.Account, in.UserName, in.SSHPublicKeyId, in.Encoding)
	if err != nil {
		return nil, err
	}
	return &sshPublicKeyOutput{SSHPublicKey: k}, nil
}

type listSSHPublicKeysInput struct {
	UserName string
	paging
}

type listSSHPublicKeysOutput struct {
	SSHPublicKeys []iam.SSHPublicKeyMetadata
	truncation
}

func (h *handler) listSSHPublicKeys(ctx context.Context, c *api.Call, in *listSSHPublicKeysInput) (*listSSHPublicKeysOutput, error) {
	name, none, err := listedUser(c, in.UserName)
	if err != nil || none {
		return &listSSHPublicKeysOutput{SSHPublicKeys: []iam.SSHPublicKeyMetadata{}}, err
	}
	list, next, err := h.svc.ListSSHPublicKeys(ctx, c.Account, name, in.page())
	if err != nil {
		return nil, err
	}
	return &listSSHPublicKeysOutput{SSHPublicKeys: nonNil(list), truncation: truncated(next)}, nil
}

type updateSSHPublicKeyInput struct{ UserName, SSHPublicKeyId, Status string }

func (h *handler) updateSSHPublicKey(ctx context.Context, c *api.Call, in *updateSSHPublicKeyInput) (*none, error) {
	return &none{}, h.svc.UpdateSSHPublicKey(ctx, c.Account, in.UserName, in.SSHPublicKeyId, in.Status)
}

type sshPublicKeyIdInput struct{ UserName, SSHPublicKeyId string }

func (h *handler) deleteSSHPublicKey(ctx context.Context, c *api.Call, in *sshPublicKeyIdInput) (*none, error) {
	return &none{}, h.svc.DeleteSSHPublicKey(ctx, c.Account, in.UserName, in.SSHPublicKeyId)
}

// listedUser is the user a list of credentials is for: the one named, else
// the calling user. The root user, naming none, has none of these
// credentials (none): rolecall keeps none for it, as for access keys.
func listedUser(c *api.Call, userName string) (name string, none bool, err error) {
	if userName == "" && iam.CallerOf(c.PrincipalARN()).Root {
		return "", true, nil
	}
	name, err = iam.CallerUserName(c.PrincipalARN(), userName)
	return name, false, err
}
