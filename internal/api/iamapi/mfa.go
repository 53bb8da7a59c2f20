package iamapi

import (
	"context"
	"time"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/resolve"
)

// MFA devices (internal/iam/mfa.go). What each acts on follows the
// Service Authorization Reference: creating, deleting and tagging a
// virtual device act on the device (resource type mfa); enabling,
// deactivating, resyncing, reading and listing a user's devices act on
// the user; ListVirtualMFADevices has no resource. Authentication codes
// pass to the domain and nowhere else: no input here carries them as
// condition keys, so none reaches a decision record.
func (h *handler) mfaBindings() []*api.Operation {
	return []*api.Operation{
		api.Op("CreateVirtualMFADevice", h.createVirtualMFADevice, acts(func(_ context.Context, c *api.Call, in *createVirtualMFADeviceInput) (authz.Target, error) {
			return resolve.New(c.Account, "mfa", in.Path, in.VirtualMFADeviceName), nil
		})),
		api.Op("EnableMFADevice", h.enableMFADevice, on(h.res.User, func(in *mfaCodesInput) string { return in.UserName })),
		api.Op("ResyncMFADevice", h.resyncMFADevice, on(h.res.User, func(in *mfaCodesInput) string { return in.UserName })),
		api.Op("DeactivateMFADevice", h.deactivateMFADevice, user(h, func(in *userMFAInput) string { return in.UserName })),
		api.Op("GetMFADevice", h.getMFADevice, user(h, func(in *userMFAInput) string { return in.UserName })),
		api.Op("ListMFADevices", h.listMFADevices, user(h, func(in *listMFADevicesInput) string { return in.UserName })),
		api.Op("ListVirtualMFADevices", h.listVirtualMFADevices, nil),
		api.Op("DeleteVirtualMFADevice", h.deleteVirtualMFADevice, on(h.res.MFADevice, func(in *serialInput) string { return in.SerialNumber })),
		api.Op("TagMFADevice", h.tagMFADevice, on(h.res.MFADevice, func(in *tagMFADeviceInput) string { return in.SerialNumber })),
		api.Op("UntagMFADevice", h.untagMFADevice, on(h.res.MFADevice, func(in *untagMFADeviceInput) string { return in.SerialNumber })),
		api.Op("ListMFADeviceTags", h.listMFADeviceTags, on(h.res.MFADevice, func(in *listMFADeviceTagsInput) string { return in.SerialNumber })),
	}
}

type createVirtualMFADeviceInput struct {
	Path, VirtualMFADeviceName string
	Tags                       []iam.Tag
}

func (in *createVirtualMFADeviceInput) keys(k *authz.Keys) { tagKeys(k, in.Tags) }

type virtualMFADeviceOutput struct{ VirtualMFADevice *iam.VirtualMFADevice }

func (h *handler) createVirtualMFADevice(ctx context.Context, c *api.Call, in *createVirtualMFADeviceInput) (*virtualMFADeviceOutput, error) {
	d, err := h.svc.CreateVirtualMFADevice(ctx, c.Account, c.PrincipalARN(), iam.CreateVirtualMFADeviceInput(*in))
	if err != nil {
		return nil, err
	}
	return &virtualMFADeviceOutput{VirtualMFADevice: d}, nil
}

// mfaCodesInput is EnableMFADevice's and ResyncMFADevice's request.
type mfaCodesInput struct {
	UserName, SerialNumber                   string
	AuthenticationCode1, AuthenticationCode2 string
}

func (h *handler) enableMFADevice(ctx context.Context, c *api.Call, in *mfaCodesInput) (*none, error) {
	return &none{}, h.svc.EnableMFADevice(ctx, c.Account, in.UserName, in.SerialNumber, in.AuthenticationCode1, in.AuthenticationCode2)
}

func (h *handler) resyncMFADevice(ctx context.Context, c *api.Call, in *mfaCodesInput) (*none, error) {
	return &none{}, h.svc.ResyncMFADevice(ctx, c.Account, in.UserName, in.SerialNumber, in.AuthenticationCode1, in.AuthenticationCode2)
}

// userMFAInput is DeactivateMFADevice's and GetMFADevice's request: the
// calling user's device when UserName is left out.
type userMFAInput struct{ UserName, SerialNumber string }

func (h *handler) deactivateMFADevice(ctx context.Context, c *api.Call, in *userMFAInput) (*none, error) {
	name, err := iam.CallerUserName(c.PrincipalARN(), in.UserName)
	if err != nil {
		return nil, err
	}
	return &none{}, h.svc.DeactivateMFADevice(ctx, c.Account, name, in.SerialNumber)
}

type getMFADeviceOutput struct {
	UserName, SerialNumber string
	EnableDate             *time.Time
}

func (h *handler) getMFADevice(ctx context.Context, c *api.Call, in *userMFAInput) (*getMFADeviceOutput, error) {
	name, err := iam.CallerUserName(c.PrincipalARN(), in.UserName)
	if err != nil {
		return nil, err
	}
	d, err := h.svc.GetMFADevice(ctx, c.Account, name, in.SerialNumber)
	if err != nil {
		return nil, err
	}
	return &getMFADeviceOutput{UserName: d.UserName, SerialNumber: d.SerialNumber, EnableDate: &d.EnableDate}, nil
}

type listMFADevicesInput struct {
	UserName string
	paging
}

type listMFADevicesOutput struct {
	MFADevices []iam.MFADevice
	truncation
}

// listMFADevices without a UserName lists the caller's devices: the root
// user's are the console's to assign, and rolecall has none.
func (h *handler) listMFADevices(ctx context.Context, c *api.Call, in *listMFADevicesInput) (*listMFADevicesOutput, error) {
	if in.UserName == "" && iam.CallerOf(c.PrincipalARN()).Root {
		return &listMFADevicesOutput{MFADevices: []iam.MFADevice{}}, nil
	}
	name, err := iam.CallerUserName(c.PrincipalARN(), in.UserName)
	if err != nil {
		return nil, err
	}
	list, next, err := h.svc.ListMFADevices(ctx, c.Account, name, in.page())
	if err != nil {
		return nil, err
	}
	return &listMFADevicesOutput{MFADevices: nonNil(list), truncation: truncated(next)}, nil
}

type listVirtualMFADevicesInput struct {
	AssignmentStatus string
	paging
}

type listVirtualMFADevicesOutput struct {
	VirtualMFADevices []iam.VirtualMFADevice
	truncation
}

func (h *handler) listVirtualMFADevices(ctx context.Context, c *api.Call, in *listVirtualMFADevicesInput) (*listVirtualMFADevicesOutput, error) {
	list, next, err := h.svc.ListVirtualMFADevices(ctx, c.Account, in.AssignmentStatus, in.page())
	if err != nil {
		return nil, err
	}
	return &listVirtualMFADevicesOutput{VirtualMFADevices: nonNil(list), truncation: truncated(next)}, nil
}

type serialInput struct{ SerialNumber string }

func (h *handler) deleteVirtualMFADevice(ctx context.Context, c *api.Call, in *serialInput) (*none, error) {
	return &none{}, h.svc.DeleteVirtualMFADevice(ctx, c.Account, in.SerialNumber)
}

type tagMFADeviceInput struct {
	SerialNumber string
	Tags         []iam.Tag
}

func (in *tagMFADeviceInput) keys(k *authz.Keys) { tagKeys(k, in.Tags) }

func (h *handler) tagMFADevice(ctx context.Context, c *api.Call, in *tagMFADeviceInput) (*none, error) {
	return &none{}, h.svc.TagMFADevice(ctx, c.Account, in.SerialNumber, in.Tags)
}

type untagMFADeviceInput struct {
	SerialNumber string
	TagKeys      []string
}

func (in *untagMFADeviceInput) keys(k *authz.Keys) { k.Set("aws:TagKeys", in.TagKeys...) }

func (h *handler) untagMFADevice(ctx context.Context, c *api.Call, in *untagMFADeviceInput) (*none, error) {
	return &none{}, h.svc.UntagMFADevice(ctx, c.Account, in.SerialNumber, in.TagKeys)
}

type listMFADeviceTagsInput struct {
	SerialNumber string
	paging
}

func (h *handler) listMFADeviceTags(ctx context.Context, c *api.Call, in *listMFADeviceTagsInput) (*listTagsOutput, error) {
	tags, next, err := h.svc.ListMFADeviceTags(ctx, c.Account, in.SerialNumber, in.page())
	if err != nil {
		return nil, err
	}
	return &listTagsOutput{Tags: nonNil(tags), truncation: truncated(next)}, nil
}
