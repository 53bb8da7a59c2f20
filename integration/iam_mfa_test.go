package integration

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"image/png"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rolecall/rolecall/rolecalltest"
)

// Virtual MFA devices through the Go SDK: AWS's answers (recorded in
// LocalStack's test_iam_mfa snapshot against AWS, where so marked), and
// codes computed from the seed as an authenticator app computes them.

const mfaArn = "arn:aws:iam::000000000000:mfa/"

// totpAt is the RFC 6238 code of a base32 seed at t (HMAC-SHA1, 30-second
// steps, six digits), written here from the RFC rather than taken from
// rolecall, so that the two must agree.
func totpAt(t *testing.T, seed string, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(seed)
	if err != nil {
		t.Fatalf("Base32StringSeed %q: %v", seed, err)
	}
	mac := hmac.New(sha1.New, key)
	binary.Write(mac, binary.BigEndian, uint64(at.Unix()/30))
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0xf
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:])&0x7fffffff)%1000000)
}

// wrongCode is a code the device shows at no step near at.
func wrongCode(t *testing.T, seed string, at time.Time) string {
	t.Helper()
	near := map[string]bool{}
	for d := -30; d <= 30; d++ {
		near[totpAt(t, seed, at.Add(time.Duration(d)*30*time.Second))] = true
	}
	for i := 0; ; i++ {
		if c := fmt.Sprintf("%06d", i*7919%1000000); !near[c] {
			return c
		}
	}
}

// mfaClock is a test clock 5 seconds into a 30-second step, so that steps
// move only when the test moves them.
func mfaClock() *testClock {
	now := time.Now().Unix()
	return &testClock{t: time.Unix(now-now%30+5, 0).UTC()}
}

type mfaDevice struct{ serial, seed string }

func createMFADevice(t *testing.T, c *iam.Client, name string) mfaDevice {
	t.Helper()
	d := must(c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)}))(t).VirtualMFADevice
	return mfaDevice{serial: aws.ToString(d.SerialNumber), seed: string(d.Base32StringSeed)}
}

// enableMFADevice enables d for user with the previous and the current
// code, as a person types the two an app shows one after the other.
func enableMFADevice(t *testing.T, c *iam.Client, clock *testClock, user string, d mfaDevice) {
	t.Helper()
	now := clock.Now()
	must(c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(d.serial),
		AuthenticationCode1: aws.String(totpAt(t, d.seed, now.Add(-30*time.Second))), AuthenticationCode2: aws.String(totpAt(t, d.seed, now))}))(t)
}

func TestMFAVirtualDeviceLifecycle(t *testing.T) {
	clock := mfaClock()
	rc := rolecalltest.RunT(t, rolecalltest.WithClock(clock))
	c := clientsFor(rc.Config, clock).iam
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))(t)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))(t)

	out := must(c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone")}))(t).VirtualMFADevice
	d := mfaDevice{serial: aws.ToString(out.SerialNumber), seed: string(out.Base32StringSeed)}
	// Recorded: the serial, the seed and the QR code, nothing else.
	if d.serial != mfaArn+"alice-phone" || len(d.seed) != 64 || out.User != nil || out.EnableDate != nil || out.Tags != nil {
		t.Errorf("CreateVirtualMFADevice = %s %q %+v %v %v", d.serial, d.seed, out.User, out.EnableDate, out.Tags)
	}
	img, err := png.Decode(bytes.NewReader(out.QRCodePNG))
	if err != nil || img.Bounds().Dx() < 100 {
		t.Errorf("QRCodePNG is not a QR code image: %v", err)
	}
	withPath := must(c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("spare"), Path: aws.String("/test//double/")}))(t).VirtualMFADevice
	if aws.ToString(withPath.SerialNumber) != mfaArn+"test//double/spare" {
		t.Errorf("serial with a path: %s", aws.ToString(withPath.SerialNumber))
	}

	// Recorded errors.
	_, err = c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone")})
	wantErr(t, err, 409, "EntityAlreadyExists", "MFA device already exists.")
	_, err = c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone"), Path: aws.String("/elsewhere/")})
	wantErr(t, err, 409, "EntityAlreadyExists", "MFA device already exists.")
	for _, p := range []string{"invalid-path/", "/invalid-path"} {
		_, err = c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("x"), Path: aws.String(p)})
		wantErr(t, err, 400, "ValidationError", "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.")
	}
	_, err = c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("x"), Path: aws.String("/" + string(bytes.Repeat([]byte("a"), 512)) + "/")})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value at 'path' failed to satisfy constraint: Member must have length less than or equal to 512")

	// Listing never answers a seed again; no AssignmentStatus is Any.
	listed := must(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{}))(t).VirtualMFADevices
	if len(listed) != 2 || aws.ToString(listed[0].SerialNumber) != d.serial || listed[0].Base32StringSeed != nil || listed[0].QRCodePNG != nil || listed[0].User != nil {
		t.Fatalf("ListVirtualMFADevices = %+v", listed)
	}
	if got := must(c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("alice")}))(t).MFADevices; len(got) != 0 {
		t.Errorf("ListMFADevices before enabling = %+v", got)
	}

	// Enabling takes two consecutive codes.
	now := clock.Now()
	cur, prev := totpAt(t, d.seed, now), totpAt(t, d.seed, now.Add(-30*time.Second))
	enable := func(user, serial, c1, c2 string) error {
		_, err := c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(serial),
			AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})
		return err
	}
	const invalidCode = "Authentication code for device is not valid."
	wantErr(t, enable("alice", d.serial, wrongCode(t, d.seed, now), cur), 403, "InvalidAuthenticationCode", invalidCode)
	wantErr(t, enable("alice", d.serial, cur, prev), 403, "InvalidAuthenticationCode", invalidCode)
	wantErr(t, enable("alice", d.serial, cur, cur), 403, "InvalidAuthenticationCode", invalidCode)
	wantErr(t, enable("nonexistent-user", d.serial, prev, cur), 404, "NoSuchEntity", "The user with name nonexistent-user cannot be found.")
	wantErr(t, enable("alice", mfaArn+"nope", prev, cur), 404, "NoSuchEntity", "MFA Device with serial number "+mfaArn+"nope does not exist.")
	must(c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(d.serial),
		AuthenticationCode1: aws.String(prev), AuthenticationCode2: aws.String(cur)}))(t)
	wantErr(t, enable("bob", d.serial, totpAt(t, d.seed, now.Add(30*time.Second)), totpAt(t, d.seed, now.Add(60*time.Second))),
		409, "EntityAlreadyExists", "MFA Device is already in use.")

	devices := must(c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("alice")}))(t).MFADevices
	if len(devices) != 1 || aws.ToString(devices[0].SerialNumber) != d.serial || aws.ToString(devices[0].UserName) != "alice" || !devices[0].EnableDate.Equal(now) {
		t.Errorf("ListMFADevices = %+v", devices)
	}
	got := must(c.GetMFADevice(ctx, &iam.GetMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(d.serial)}))(t)
	if aws.ToString(got.UserName) != "alice" || aws.ToString(got.SerialNumber) != d.serial || !got.EnableDate.Equal(now) || got.Certifications != nil {
		t.Errorf("GetMFADevice = %+v", got)
	}
	_, err = c.GetMFADevice(ctx, &iam.GetMFADeviceInput{UserName: aws.String("bob"), SerialNumber: aws.String(d.serial)})
	wantErr(t, err, 404, "NoSuchEntity", "MFA Device with serial number "+d.serial+" does not exist.")
	assigned := must(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: iamtypes.AssignmentStatusTypeAssigned}))(t).VirtualMFADevices
	if len(assigned) != 1 || aws.ToString(assigned[0].SerialNumber) != d.serial || aws.ToString(assigned[0].User.UserName) != "alice" ||
		assigned[0].User.Arn == nil || !assigned[0].EnableDate.Equal(now) || assigned[0].Base32StringSeed != nil {
		t.Errorf("ListVirtualMFADevices Assigned = %+v", assigned)
	}
	if un := must(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: iamtypes.AssignmentStatusTypeUnassigned}))(t).VirtualMFADevices; len(un) != 1 || aws.ToString(un[0].SerialNumber) != aws.ToString(withPath.SerialNumber) {
		t.Errorf("ListVirtualMFADevices Unassigned = %+v", un)
	}
	sum := must(c.GetAccountSummary(ctx, nil))(t).SummaryMap
	if sum["MFADevices"] != 2 || sum["MFADevicesInUse"] != 1 {
		t.Errorf("GetAccountSummary MFADevices %d, MFADevicesInUse %d", sum["MFADevices"], sum["MFADevicesInUse"])
	}

	// An enabled device holds its user, and is held.
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete entity, must delete MFA device first.")
	_, err = c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(d.serial)})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete entity, must deactivate MFA device first.")

	// Recorded: the user is looked up first, then its device.
	_, err = c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("nonexistent-user"), SerialNumber: aws.String(d.serial)})
	wantErr(t, err, 404, "NoSuchEntity", "The user with name nonexistent-user cannot be found.")
	_, err = c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(mfaArn + "nonexistent-mfa")})
	wantErr(t, err, 404, "NoSuchEntity", "MFA Device with serial number "+mfaArn+"nonexistent-mfa does not exist.")
	must(c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(d.serial)}))(t)
	if got := must(c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("alice")}))(t).MFADevices; len(got) != 0 {
		t.Errorf("ListMFADevices after deactivating = %+v", got)
	}
	// Deactivated, the virtual device stays, unassigned.
	if un := must(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: iamtypes.AssignmentStatusTypeUnassigned}))(t).VirtualMFADevices; len(un) != 2 {
		t.Errorf("ListVirtualMFADevices Unassigned after deactivating = %+v", un)
	}
	_, err = c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(d.serial)})
	wantErr(t, err, 404, "NoSuchEntity", "MFA Device with serial number "+d.serial+" does not exist.")

	must(c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(d.serial)}))(t)
	_, err = c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(d.serial)})
	wantErr(t, err, 404, "NoSuchEntity", "MFA Device with serial number "+d.serial+" does not exist.")
	must(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}))(t)
}

// TestMFAResync: codes typed long after the app showed them enable the
// device out of sync, as AWS warns; ResyncMFADevice puts it back.
func TestMFAResync(t *testing.T) {
	clock := mfaClock()
	rc := rolecalltest.RunT(t, rolecalltest.WithClock(clock))
	root := clientsFor(rc.Config, clock)
	alice, _ := newUser(t, root, rc.Config, clock, "alice", "")
	d := createMFADevice(t, root.iam, "alice")

	// Two codes from five minutes ago: accepted, and the device is five
	// minutes behind ever since.
	old := clock.Now().Add(-5 * time.Minute)
	must(root.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(d.serial),
		AuthenticationCode1: aws.String(totpAt(t, d.seed, old)), AuthenticationCode2: aws.String(totpAt(t, d.seed, old.Add(30*time.Second)))}))(t)
	clock.Advance(30 * time.Second)
	_, err := alice.sts.GetSessionToken(ctx, sessionTokenMFA(d.serial, totpAt(t, d.seed, clock.Now())))
	wantErr(t, err, 403, "AccessDenied", msgMFAInvalidCode)

	resync := func(user, c1, c2 string) error {
		_, err := root.iam.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(d.serial),
			AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})
		return err
	}
	now := clock.Now()
	prev, cur := totpAt(t, d.seed, now.Add(-30*time.Second)), totpAt(t, d.seed, now)
	wantErr(t, resync("alice", cur, prev), 403, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
	wantErr(t, resync("nobody", prev, cur), 404, "NoSuchEntity", "The user with name nobody cannot be found.")
	must(root.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))(t)
	wantErr(t, resync("bob", prev, cur), 404, "NoSuchEntity", "MFA Device with serial number "+d.serial+" does not exist.")
	if err := resync("alice", prev, cur); err != nil {
		t.Fatal(err)
	}
	// The codes resync spent are spent; the next one is good.
	_, err = alice.sts.GetSessionToken(ctx, sessionTokenMFA(d.serial, cur))
	wantErr(t, err, 403, "AccessDenied", msgMFAInvalidCode)
	clock.Advance(30 * time.Second)
	must(alice.sts.GetSessionToken(ctx, sessionTokenMFA(d.serial, totpAt(t, d.seed, clock.Now()))))(t)
}

func TestMFADeviceTagsAndPaging(t *testing.T) {
	c := newIAM(t)
	d := must(c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("a"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("red")}}}))(t).VirtualMFADevice
	if len(d.Tags) != 1 || aws.ToString(d.Tags[0].Value) != "red" {
		t.Errorf("CreateVirtualMFADevice Tags = %+v", d.Tags)
	}
	serial := d.SerialNumber
	must(c.TagMFADevice(ctx, &iam.TagMFADeviceInput{SerialNumber: serial, Tags: []iamtypes.Tag{
		{Key: aws.String("Team"), Value: aws.String("blue")}, {Key: aws.String("env"), Value: aws.String("dev")}}}))(t)
	tags := must(c.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: serial}))(t).Tags
	if len(tags) != 2 || aws.ToString(tags[0].Key) != "Team" || aws.ToString(tags[0].Value) != "blue" || aws.ToString(tags[1].Key) != "env" {
		t.Errorf("ListMFADeviceTags = %+v", tags)
	}
	must(c.UntagMFADevice(ctx, &iam.UntagMFADeviceInput{SerialNumber: serial, TagKeys: []string{"team"}}))(t)
	if tags := must(c.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: serial}))(t).Tags; len(tags) != 1 || aws.ToString(tags[0].Key) != "env" {
		t.Errorf("after UntagMFADevice: %+v", tags)
	}
	_, err := c.TagMFADevice(ctx, &iam.TagMFADeviceInput{SerialNumber: serial, Tags: []iamtypes.Tag{
		{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("K"), Value: aws.String("2")}}})
	wantErr(t, err, 400, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
	missing := aws.String(mfaArn + "missing")
	const noSuch = "MFA Device with serial number " + mfaArn + "missing does not exist."
	_, err = c.TagMFADevice(ctx, &iam.TagMFADeviceInput{SerialNumber: missing, Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	wantErr(t, err, 404, "NoSuchEntity", noSuch)
	_, err = c.UntagMFADevice(ctx, &iam.UntagMFADeviceInput{SerialNumber: missing, TagKeys: []string{"k"}})
	wantErr(t, err, 404, "NoSuchEntity", noSuch)
	_, err = c.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: missing})
	wantErr(t, err, 404, "NoSuchEntity", noSuch)
	// Another account's device is that account's: a device has no
	// resource-based policy to let this one in.
	_, err = c.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: aws.String("arn:aws:iam::111111111111:mfa/a")})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::000000000000:root is not authorized to perform: iam:ListMFADeviceTags on resource: arn:aws:iam::111111111111:mfa/a because no resource-based policy allows the iam:ListMFADeviceTags action")

	// Paging, as recorded: MaxItems 1 truncates; a foreign marker is refused.
	must(c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("b")}))(t)
	first := must(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{MaxItems: aws.Int32(1)}))(t)
	if len(first.VirtualMFADevices) != 1 || !first.IsTruncated || first.Marker == nil {
		t.Fatalf("first page: %+v", first)
	}
	second := must(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{MaxItems: aws.Int32(1), Marker: first.Marker}))(t)
	if len(second.VirtualMFADevices) != 1 || second.IsTruncated || aws.ToString(second.VirtualMFADevices[0].SerialNumber) != mfaArn+"b" {
		t.Errorf("second page: %+v", second)
	}
	_, err = c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{Marker: aws.String("invalid-marker-value")})
	wantErr(t, err, 400, "ValidationError", "Invalid Marker.")
}

// TestMFADeviceAuthorization: creating, tagging and deleting a device
// act on the device (its tags included); enabling acts on the user.
func TestMFADeviceAuthorization(t *testing.T) {
	clock := mfaClock()
	rc := rolecalltest.RunT(t, rolecalltest.WithClock(clock))
	root := clientsFor(rc.Config, clock)
	d := createMFADevice(t, root.iam, "shared")
	must(root.iam.TagMFADevice(ctx, &iam.TagMFADeviceInput{SerialNumber: aws.String(d.serial), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("red")}}}))(t)
	own := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:CreateVirtualMFADevice","iam:DeleteVirtualMFADevice"],"Resource":"arn:aws:iam::*:mfa/${aws:username}"},
		{"Effect":"Allow","Action":"iam:EnableMFADevice","Resource":"arn:aws:iam::*:user/${aws:username}"},
		{"Effect":"Allow","Action":"iam:ListMFADeviceTags","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}}]}`
	carol, _ := newUser(t, root, rc.Config, clock, "carol", own)

	mine := createMFADevice(t, carol.iam, "carol")
	_, err := carol.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("other")})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"carol", "iam:CreateVirtualMFADevice", mfaArn+"other"))
	_, err = carol.iam.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(d.serial)})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"carol", "iam:DeleteVirtualMFADevice", d.serial))
	_, err = carol.iam.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: aws.String(d.serial)})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"carol", "iam:ListMFADeviceTags", d.serial))
	must(root.iam.TagMFADevice(ctx, &iam.TagMFADeviceInput{SerialNumber: aws.String(d.serial), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}))(t)
	must(carol.iam.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: aws.String(d.serial)}))(t)

	enableMFADevice(t, carol.iam, clock, "carol", mine)
	_, err = carol.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("dave"), SerialNumber: aws.String(d.serial),
		AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321")})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"carol", "iam:EnableMFADevice", "user dave"))
	_, err = carol.iam.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{})
	wantErr(t, err, 403, "AccessDenied", "User: "+userArn+"carol is not authorized to perform: iam:ListVirtualMFADevices on resource: * because no identity-based policy allows the iam:ListVirtualMFADevices action")
}
