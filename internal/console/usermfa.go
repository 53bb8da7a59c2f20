package console

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"

	"github.com/rolecall/rolecall/internal/iam"
)

// A user's MFA devices, from the Security credentials tab, as "Assign a
// virtual MFA device (console)" walks it: "choose Assign MFA device ...
// Enter a device name ... Choose Authenticator app ... choose Show QR code
// ... Alternatively, choose Show secret key ... In the MFA code 1 box,
// type the one-time password ... Wait up to 30 seconds ... type the
// second one-time password into the MFA code 2 box. Choose Add MFA"
// (IAM User Guide,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-virt-mfa-for-iam-user.html):
// CreateVirtualMFADevice, then EnableMFADevice. Remove is
// DeactivateMFADevice, and DeleteVirtualMFADevice for a virtual device.

// mfaSetupView is the Set up device page: the new device's QR code and
// secret key, and the two codes. The seed and QR code come back with the
// form (the page has shown them already; IAM answers them only once), so
// that codes IAM refuses can be typed again.
type mfaSetupView struct {
	User, Device, Serial string
	Seed, QR             string // the base32 secret key, the QR code PNG in base64
	Failed               *failure
}

// QRCode is the QR code as an image's data: URL, when QR is base64 (it
// comes back from the form: nothing else is put in the page's src).
func (sv *mfaSetupView) QRCode() template.URL {
	if _, err := base64.StdEncoding.DecodeString(sv.QR); err != nil || sv.QR == "" {
		return ""
	}
	return template.URL("data:image/png;base64," + sv.QR)
}

// assignMFAPage asks for the device's name.
func (c *Console) assignMFAPage(q *req) {
	v := q.iamView("Assign MFA device", "users")
	v.Page = &mfaSetupView{User: q.name()}
	q.page("assignmfa", v, nil)
}

// createMFADevice is CreateVirtualMFADevice with the name given, and the
// page that shows its QR code.
func (c *Console) createMFADevice(q *req) {
	name := q.name()
	sv := &mfaSetupView{User: name, Device: strings.TrimSpace(q.r.PostFormValue("device"))}
	out, f := q.iam("CreateVirtualMFADevice", params("VirtualMFADeviceName", sv.Device))
	if f != nil {
		sv.Failed = f
		q.renderMFASetup(failureStatus(f), sv)
		return
	}
	d := member[*iam.VirtualMFADevice](out, "VirtualMFADevice")
	sv.Serial, sv.Seed, sv.QR = d.SerialNumber, string(d.Base32StringSeed), base64.StdEncoding.EncodeToString(d.QRCodePNG)
	q.renderMFASetup(http.StatusOK, sv)
}

func (q *req) renderMFASetup(status int, sv *mfaSetupView) {
	v := q.iamView("Assign MFA device", "users")
	v.Page = sv
	q.c.render(q.w, status, "assignmfa", v)
}

// enableMFADevice is EnableMFADevice with the two codes.
func (c *Console) enableMFADevice(q *req) {
	name, f := q.name(), q.r.PostForm
	sv := &mfaSetupView{User: name, Device: f.Get("device"), Serial: f.Get("serial"), Seed: f.Get("seed"), QR: f.Get("qr")}
	if _, fail := q.iam("EnableMFADevice", params("UserName", name, "SerialNumber", sv.Serial,
		"AuthenticationCode1", strings.TrimSpace(f.Get("code1")), "AuthenticationCode2", strings.TrimSpace(f.Get("code2")))); fail != nil {
		sv.Failed = fail
		q.renderMFASetup(failureStatus(fail), sv)
		return
	}
	q.done(userPath(name)+"?tab=credentials", "MFA device "+sv.Device+" assigned.")
}

// removeMFADevice takes the device from the user and, a virtual one,
// deletes it, as the console's Remove does.
func (c *Console) removeMFADevice(q *req) {
	name, serial := q.name(), q.r.PostFormValue("serial")
	back := userPath(name) + "?tab=credentials"
	if _, f := q.iam("DeactivateMFADevice", params("UserName", name, "SerialNumber", serial)); f != nil {
		q.failed(back, f)
		return
	}
	if strings.Contains(serial, ":mfa/") {
		if _, f := q.iam("DeleteVirtualMFADevice", params("SerialNumber", serial)); f != nil {
			q.failed(back, f)
			return
		}
	}
	q.done(back, "MFA device "+serial+" removed.")
}
