package resolve

import (
	"context"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
)

// MFADevice is the virtual MFA device a serial number (its ARN) names:
// the stored device, with its tags, when it is the caller's account's;
// the ARN's account's otherwise. A serial that names no device is
// authorized as given, and the operation answers NoSuchEntity.
func (r IAM) MFADevice(ctx context.Context, account, serial string) (authz.Target, error) {
	t := authz.Target{ARN: serial, Type: "mfa"}
	if a, err := arn.Parse(serial); err == nil && a.Account != account {
		t.Account = a.Account
		return t, nil
	}
	d, err := get(r.Cache, "mfa\x00"+account+"\x00"+serial, func() (*iam.VirtualMFADevice, error) {
		d, err := r.Svc.VirtualMFADevice(ctx, account, serial)
		if awserr.IsClient(err) {
			return nil, nil
		}
		return d, err
	})
	if err != nil || d == nil {
		return t, err
	}
	t.ARN, t.Tags = d.SerialNumber, tagMap(d.Tags)
	return t, nil
}
