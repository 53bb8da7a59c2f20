package iam

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// Virtual MFA devices ("AWS Multi-factor authentication in IAM",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa.html):
// CreateVirtualMFADevice makes a device with a random seed, handed out
// once, in its answer; EnableMFADevice assigns it to a user, given two
// consecutive codes computed from the seed; STS then checks the user's
// codes (CheckMFACode). The seed is a secret: IAM keeps it to check codes
// and never answers it again.
//
// A device is keyed ACCOUNT/NAME, lower-cased: names are unique in an
// account whatever the path (recorded: a second device of the same name
// is EntityAlreadyExists). It names the user it is enabled for by unique
// ID, so that it follows the user through renames.

const bucketMFADevices = "iam-mfa-devices"

// QuotaMFADevicesPerUser: "MFA devices in use by an IAM user: 8" (IAM and
// AWS STS quotas).
const QuotaMFADevicesPerUser = 8

// maxSerialNumber bounds a serial number (the model's serialNumberType),
// and so a virtual device's name, which the model leaves unbounded.
const maxSerialNumber = 256

// Assignment statuses of ListVirtualMFADevices.
const (
	MFAAssigned   = "Assigned"
	MFAUnassigned = "Unassigned"
	MFAAny        = "Any"
)

// VirtualMFADevice is a virtual MFA device. Only CreateVirtualMFADevice
// answers its seed and QR code; User and EnableDate are set while it is
// enabled for a user.
type VirtualMFADevice struct {
	SerialNumber     string
	Base32StringSeed []byte
	QRCodePNG        []byte
	User             *User
	EnableDate       *time.Time
	Tags             []Tag
}

// MFADevice is an MFA device enabled for a user.
type MFADevice struct {
	UserName, SerialNumber string
	EnableDate             time.Time
}

// CreateVirtualMFADeviceInput is CreateVirtualMFADevice's request.
type CreateVirtualMFADeviceInput struct {
	Path, VirtualMFADeviceName string
	Tags                       []Tag
}

type mfaDeviceRecord struct {
	SerialNumber string // its ARN, as created
	Seed         string // base32: the secret codes are computed from
	CreateDate   time.Time
	Tags         []Tag      `json:",omitempty"`
	UserId       string     `json:",omitempty"` // the user it is enabled for
	EnableDate   *time.Time `json:",omitempty"`
	// Drift is how many time steps the device's clock runs ahead of
	// rolecall's, as the last EnableMFADevice or ResyncMFADevice found it.
	Drift int64 `json:",omitempty"`
	// LastStep is the last time step a code was accepted for: no code of
	// it, or of a step before it, is accepted again, as AWS refuses a code
	// sent a second time.
	LastStep int64 `json:",omitempty"`
}

var mfaTags = tagRules{caseFold: true, duplicateErr: errDuplicateTagKeys}

// AWS's answers about MFA devices. Recorded (LocalStack's
// test_iam_mfa.snapshot.json, recorded against AWS 2026-02):
// errNoSuchMFADevice for DeleteVirtualMFADevice and DeactivateMFADevice,
// errMFADeviceExists, errMFADeviceInUse.

func errNoSuchMFADevice(serial string) error {
	return awserr.NoSuchEntity("MFA Device with serial number %s does not exist.", serial)
}

var (
	errMFADeviceExists = awserr.EntityAlreadyExists("MFA device already exists.")
	errMFADeviceInUse  = awserr.EntityAlreadyExists("MFA Device is already in use.")
	// errInvalidAuthenticationCode: the code and its 403 are the model's;
	// the text is what the console relays from EnableMFADevice ("Invalid
	// MFA Code ... Authentication code for device is not valid.",
	// Rookiestyle/KeePassOTP #35) and what AWS-compatible IAM
	// implementations answer.
	errInvalidAuthenticationCode = awserr.New(http.StatusForbidden, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
	// errDeleteConflictMFA: DeleteUser of a user with an MFA device (409,
	// rebuy-de/aws-nuke #281, aws/aws-cdk #16511).
	errDeleteConflictMFA = awserr.DeleteConflict("Cannot delete entity, must delete MFA device first.")
	// errDeleteConflictMFAEnabled: DeleteVirtualMFADevice of a device
	// still enabled ("You must deactivate a user's virtual MFA device
	// before you can delete it", DeleteVirtualMFADevice API reference,
	// which names DeleteConflict). The text is unverified.
	errDeleteConflictMFAEnabled = awserr.DeleteConflict("Cannot delete entity, must deactivate MFA device first.")
	// errMFAQuota: unverified text, worded as IAM's other quotas.
	errMFAQuota = errQuota("MFADevicesPerUser", QuotaMFADevicesPerUser)
)

// mfaKey is the key of the device serial names in account; ok is false
// for a serial that names no virtual device of account (a hardware
// token's serial, another account's device).
func mfaKey(account, serial string) (string, bool) {
	a, err := arn.Parse(serial)
	if err != nil || a.Service != "iam" || a.Account != account || !strings.HasPrefix(a.Resource, "mfa/") {
		return "", false
	}
	return entityKey(account, a.Resource[strings.LastIndexByte(a.Resource, '/')+1:]), true
}

// loadMFADevice reads the virtual device serial names in account.
func loadMFADevice(tx store.Tx, account, serial string) (*mfaDeviceRecord, error) {
	key, ok := mfaKey(account, serial)
	if !ok {
		return nil, errNoSuchMFADevice(serial)
	}
	var d mfaDeviceRecord
	found, err := getJSON(tx, bucketMFADevices, key, &d)
	if err != nil {
		return nil, err
	}
	if !found || !strings.EqualFold(d.SerialNumber, serial) {
		return nil, errNoSuchMFADevice(serial)
	}
	return &d, nil
}

func saveMFADevice(tx store.Tx, account string, d *mfaDeviceRecord) error {
	key, _ := mfaKey(account, d.SerialNumber)
	return putJSON(tx, bucketMFADevices, key, d)
}

// userMFADevice reads the device serial names, which must be enabled for
// u.
func userMFADevice(tx store.Tx, account string, u *userRecord, serial string) (*mfaDeviceRecord, error) {
	d, err := loadMFADevice(tx, account, serial)
	if err != nil {
		return nil, err
	}
	if d.UserId != u.UserId {
		return nil, errNoSuchMFADevice(serial)
	}
	return d, nil
}

// scanMFADevices calls fn with each of account's devices, in name order.
func scanMFADevices(tx store.Tx, account string, fn func(d *mfaDeviceRecord) bool) error {
	return store.ScanJSON(tx, bucketMFADevices, account+"/", func(_ string, d *mfaDeviceRecord) bool { return fn(d) })
}

// userMFADevices are the devices enabled for u.
func userMFADevices(tx store.Tx, account string, u *userRecord) ([]*mfaDeviceRecord, error) {
	var out []*mfaDeviceRecord
	err := scanMFADevices(tx, account, func(d *mfaDeviceRecord) bool {
		if d.UserId == u.UserId {
			out = append(out, d)
		}
		return true
	})
	return out, err
}

// mfaQuotaLeft: u may have one more device enabled.
func mfaQuotaLeft(tx store.Tx, account string, u *userRecord) error {
	mine, err := userMFADevices(tx, account, u)
	if err != nil {
		return err
	}
	if len(mine) >= QuotaMFADevicesPerUser {
		return errMFAQuota
	}
	return nil
}

// hasMFADevice reports whether u has a device enabled (DeleteUser).
func hasMFADevice(tx store.Tx, account string, u *userRecord) (bool, error) {
	ds, err := userMFADevices(tx, account, u)
	return len(ds) > 0, err
}

// userByID reads the user with unique ID id in account.
func userByID(tx store.Tx, account, id string) (*userRecord, error) {
	var ix idRecord
	ok, err := getJSON(tx, bucketIDs, id, &ix)
	if err != nil {
		return nil, err
	}
	if !ok || ix.Account != account || ix.Kind != kindUser {
		return nil, fmt.Errorf("iam: MFA device enabled for user %s, which %s does not have", id, account)
	}
	return loadUser(tx, account, ix.Name)
}

// CreateVirtualMFADevice makes a virtual MFA device with a new seed and
// answers the seed, as base32 text and as a QR code; callerArn names who
// asks, whose user name the QR code's URI carries (the account ID for
// others).
func (s *Service) CreateVirtualMFADevice(ctx context.Context, account, callerArn string, in CreateVirtualMFADeviceInput) (*VirtualMFADevice, error) {
	if err := checkName("virtualMFADeviceName", in.VirtualMFADeviceName, maxSerialNumber); err != nil {
		return nil, err
	}
	path, err := cleanPath("path", in.Path)
	if err != nil {
		return nil, err
	}
	if err := mfaTags.check(in.Tags); err != nil {
		return nil, err
	}
	seed := newMFASeed()
	accountName := account
	if c := CallerOf(callerArn); c.UserName != "" {
		accountName = c.UserName
	}
	qr, err := qrPNG(mfaURI(in.VirtualMFADeviceName, accountName, seed))
	if err != nil {
		return nil, err
	}
	d := &mfaDeviceRecord{SerialNumber: arn.IAM(account, "mfa", path, in.VirtualMFADeviceName), Seed: seed, CreateDate: s.now(), Tags: in.Tags}
	err = s.update(ctx, account, func(tx store.Tx) error {
		key, _ := mfaKey(account, d.SerialNumber)
		if _, taken := tx.Get(bucketMFADevices, key); taken {
			return errMFADeviceExists
		}
		return putJSON(tx, bucketMFADevices, key, d)
	})
	if err != nil {
		return nil, err
	}
	out := &VirtualMFADevice{SerialNumber: d.SerialNumber, Base32StringSeed: []byte(seed), QRCodePNG: qr}
	if len(in.Tags) > 0 {
		out.Tags = append([]Tag(nil), in.Tags...)
	}
	return out, nil
}

// syncDevice finds two consecutive codes of d within mfaSyncWindow of
// now, after its last accepted code, and takes the device's clock to be
// where they are (EnableMFADevice, ResyncMFADevice).
func syncDevice(d *mfaDeviceRecord, now time.Time, code1, code2 string) error {
	n := totpStep(now)
	for s := max(n-mfaSyncWindow, d.LastStep+1); s < n+mfaSyncWindow; s++ {
		_, ok1, err := codeStep(d.Seed, code1, s, s)
		if err != nil {
			return err
		}
		if !ok1 {
			continue
		}
		_, ok2, err := codeStep(d.Seed, code2, s+1, s+1)
		if err != nil {
			return err
		}
		if ok2 {
			d.Drift, d.LastStep = s+1-n, s+1
			return nil
		}
	}
	return errInvalidAuthenticationCode
}

// EnableMFADevice enables the virtual device serial for userName, given
// two consecutive codes it shows.
func (s *Service) EnableMFADevice(ctx context.Context, account, userName, serial, code1, code2 string) error {
	now := s.clock.Now()
	return s.update(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		d, err := loadMFADevice(tx, account, serial)
		if err != nil {
			return err
		}
		if d.UserId != "" {
			return errMFADeviceInUse
		}
		if err := mfaQuotaLeft(tx, account, u); err != nil {
			return err
		}
		if err := syncDevice(d, now, code1, code2); err != nil {
			return err
		}
		enabled := now.UTC().Truncate(time.Second)
		d.UserId, d.EnableDate = u.UserId, &enabled
		return saveMFADevice(tx, account, d)
	})
}

// modifyUserDevice changes the device serial enabled for userName.
func (s *Service) modifyUserDevice(ctx context.Context, account, userName, serial string, fn func(d *mfaDeviceRecord) error) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		d, err := userMFADevice(tx, account, u, serial)
		if err != nil {
			return err
		}
		if err := fn(d); err != nil {
			return err
		}
		return saveMFADevice(tx, account, d)
	})
}

// ResyncMFADevice tells IAM where the device's clock is, given two
// consecutive codes it shows.
func (s *Service) ResyncMFADevice(ctx context.Context, account, userName, serial, code1, code2 string) error {
	now := s.clock.Now()
	return s.modifyUserDevice(ctx, account, userName, serial, func(d *mfaDeviceRecord) error {
		return syncDevice(d, now, code1, code2)
	})
}

// DeactivateMFADevice takes a device from its user. A virtual device
// stays, unassigned, with its seed.
func (s *Service) DeactivateMFADevice(ctx context.Context, account, userName, serial string) error {
	return s.modifyUserDevice(ctx, account, userName, serial, func(d *mfaDeviceRecord) error {
		d.UserId, d.EnableDate, d.Drift = "", nil, 0
		return nil
	})
}

// DeleteVirtualMFADevice deletes a virtual device that no user has
// enabled.
func (s *Service) DeleteVirtualMFADevice(ctx context.Context, account, serial string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		d, err := loadMFADevice(tx, account, serial)
		if err != nil {
			return err
		}
		if d.UserId != "" {
			return errDeleteConflictMFAEnabled
		}
		key, _ := mfaKey(account, d.SerialNumber)
		return tx.Delete(bucketMFADevices, key)
	})
}

// ListMFADevices lists the devices enabled for a user.
func (s *Service) ListMFADevices(ctx context.Context, account, userName string, pg Page) ([]MFADevice, string, error) {
	var out []MFADevice
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		ds, err := userMFADevices(tx, account, u)
		if err != nil {
			return err
		}
		all := make([]MFADevice, len(ds))
		for i, d := range ds {
			all[i] = d.device(u)
		}
		out, next, err = pageSlice(all, pg)
		return err
	})
	return out, next, err
}

func (d *mfaDeviceRecord) device(u *userRecord) MFADevice {
	return MFADevice{UserName: u.UserName, SerialNumber: d.SerialNumber, EnableDate: *d.EnableDate}
}

// GetMFADevice returns a device enabled for a user.
func (s *Service) GetMFADevice(ctx context.Context, account, userName, serial string) (*MFADevice, error) {
	var out *MFADevice
	err := s.view(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		d, err := userMFADevice(tx, account, u, serial)
		if err != nil {
			return err
		}
		m := d.device(u)
		out = &m
		return nil
	})
	return out, err
}

// ListVirtualMFADevices lists the account's virtual devices, by name, of
// an assignment status (MFAAssigned, MFAUnassigned; "" or MFAAny: all,
// as AWS lists them when none is given, recorded), without their seeds.
func (s *Service) ListVirtualMFADevices(ctx context.Context, account, status string, pg Page) ([]VirtualMFADevice, string, error) {
	var out []VirtualMFADevice
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		var err error
		out, next, err = scanPage(tx, bucketMFADevices, account+"/", pg, func(_ string, v []byte) (VirtualMFADevice, bool, error) {
			var d mfaDeviceRecord
			if err := unmarshal(v, &d); err != nil {
				return VirtualMFADevice{}, false, err
			}
			assigned := d.UserId != ""
			if status == MFAAssigned && !assigned || status == MFAUnassigned && assigned {
				return VirtualMFADevice{}, false, nil
			}
			out, err := d.listed(tx, account)
			return out, err == nil, err
		})
		return err
	})
	return out, next, err
}

// listed is a device as ListVirtualMFADevices shows it: its serial, and
// its user and enable date while enabled (recorded).
func (d *mfaDeviceRecord) listed(tx store.Tx, account string) (VirtualMFADevice, error) {
	out := VirtualMFADevice{SerialNumber: d.SerialNumber}
	if d.UserId == "" {
		return out, nil
	}
	u, err := userByID(tx, account, d.UserId)
	if err != nil {
		return out, err
	}
	enabled := *d.EnableDate
	out.User, out.EnableDate = u.user(account, false), &enabled
	return out, nil
}

// VirtualMFADevice returns the device serial names, as the authorizer
// targets it (its stored serial, its tags), without its seed.
func (s *Service) VirtualMFADevice(ctx context.Context, account, serial string) (*VirtualMFADevice, error) {
	var out *VirtualMFADevice
	err := s.view(ctx, account, func(tx store.Tx) error {
		d, err := loadMFADevice(tx, account, serial)
		if err != nil {
			return err
		}
		v, err := d.listed(tx, account)
		if len(d.Tags) > 0 {
			v.Tags = append([]Tag(nil), d.Tags...)
		}
		out = &v
		return err
	})
	return out, err
}

func (s *Service) modifyMFADevice(ctx context.Context, account, serial string, fn func(d *mfaDeviceRecord) error) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		d, err := loadMFADevice(tx, account, serial)
		if err != nil {
			return err
		}
		if err := fn(d); err != nil {
			return err
		}
		return saveMFADevice(tx, account, d)
	})
}

// TagMFADevice adds or replaces tags on a virtual device.
func (s *Service) TagMFADevice(ctx context.Context, account, serial string, tags []Tag) error {
	if err := mfaTags.check(tags); err != nil {
		return err
	}
	return s.modifyMFADevice(ctx, account, serial, func(d *mfaDeviceRecord) (err error) {
		d.Tags, err = mfaTags.merge(d.Tags, tags)
		return err
	})
}

// UntagMFADevice removes tags from a virtual device.
func (s *Service) UntagMFADevice(ctx context.Context, account, serial string, keys []string) error {
	return s.modifyMFADevice(ctx, account, serial, func(d *mfaDeviceRecord) error {
		d.Tags = mfaTags.remove(d.Tags, keys)
		return nil
	})
}

// ListMFADeviceTags lists a virtual device's tags.
func (s *Service) ListMFADeviceTags(ctx context.Context, account, serial string, pg Page) ([]Tag, string, error) {
	var out []Tag
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		d, err := loadMFADevice(tx, account, serial)
		if err != nil {
			return err
		}
		out, next, err = pageSlice(d.Tags, pg)
		return err
	})
	return out, next, err
}

// CheckMFACode checks a code of the device serial for the IAM user
// userName of account, as STS does for GetSessionToken and AssumeRole:
// associated is false when no such device is enabled for the user (root
// and role sessions have none here); accepted, when the code is the one
// the device shows now, give or take a step, and was not accepted before.
// An accepted code is spent.
func (s *Service) CheckMFACode(ctx context.Context, account, userName, serial, code string) (associated, accepted bool, err error) {
	if userName == "" {
		return false, false, ctx.Err()
	}
	now := totpStep(s.clock.Now())
	err = s.update(ctx, account, func(tx store.Tx) error {
		associated, accepted = false, false
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return nil
		}
		d, err := userMFADevice(tx, account, u, serial)
		if err != nil {
			return nil
		}
		associated = true
		at := now + d.Drift
		step, ok, err := codeStep(d.Seed, code, max(at-mfaAuthWindow, d.LastStep+1), at+mfaAuthWindow)
		if err != nil || !ok {
			return err
		}
		accepted, d.LastStep = true, step
		return saveMFADevice(tx, account, d)
	})
	return associated, accepted, err
}

// MFACodes are codes the virtual device serial of account shows, for a
// test to send in its user's place (rolecall mfa code): with two, the
// last two consecutive codes not yet used, for EnableMFADevice and
// ResyncMFADevice; otherwise the code it shows now, or, when that one was
// used, the next. The codes are the device's: a device IAM finds out of
// sync (Drift) is not accepted them until resynchronized.
func (s *Service) MFACodes(ctx context.Context, account, serial string, two bool) ([]string, error) {
	now := totpStep(s.clock.Now())
	var out []string
	err := s.view(ctx, account, func(tx store.Tx) error {
		d, err := loadMFADevice(tx, account, serial)
		if err != nil {
			return err
		}
		first, n := max(now, d.LastStep+1), 1
		if two {
			first, n = max(now-1, d.LastStep+1), 2
		}
		if first > now+1 {
			return awserr.New(http.StatusConflict, "MFACodeUsed", "Every code %s shows before %s was used, and each is accepted once: ask again then.",
				serial, stepStart(first-1).Format(time.RFC3339))
		}
		for step := first; step < first+int64(n); step++ {
			c, err := totpCode(d.Seed, step)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// mfaDeviceCounts are the account's virtual devices, and those enabled,
// as GetAccountSummary reports them (MFADevices, MFADevicesInUse).
func mfaDeviceCounts(tx store.Tx, account string) (all, inUse int32, err error) {
	err = scanMFADevices(tx, account, func(d *mfaDeviceRecord) bool {
		all++
		if d.UserId != "" {
			inUse++
		}
		return true
	})
	return all, inUse, err
}
