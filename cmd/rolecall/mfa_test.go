package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/rolecalltest"
)

// rolecall mfa code prints codes the device's user can enable it with and
// sign in with; an unknown device is the endpoint's NoSuchEntity.
func TestMFACodeCommand(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	rc := rolecalltest.RunT(t)
	ctx := context.Background()
	c := iam.NewFromConfig(rc.Config)
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	d, err := c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	serial := aws.ToString(d.VirtualMFADevice.SerialNumber)

	out, errs, code := rolecallCLI(t, rc, "mfa", "code", "--two", serial)
	codes := strings.Fields(out)
	if code != 0 || len(codes) != 2 || len(codes[0]) != 6 || len(codes[1]) != 6 {
		t.Fatalf("mfa code --two: exit %d, %q %q", code, out, errs)
	}
	if _, err := c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("dev"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(codes[0]), AuthenticationCode2: aws.String(codes[1])}); err != nil {
		t.Fatalf("EnableMFADevice with the command's codes: %v", err)
	}
	if out, errs, code := rolecallCLI(t, rc, "mfa", "code", serial); code != 0 || len(strings.TrimSpace(out)) != 6 || out == codes[1]+"\n" {
		t.Errorf("mfa code after enabling: exit %d, %q %q", code, out, errs)
	}

	_, errs, code = rolecallCLI(t, rc, "mfa", "code", "arn:aws:iam::000000000000:mfa/nope")
	if code != 1 || errs != "rolecall mfa code: NoSuchEntity: MFA Device with serial number arn:aws:iam::000000000000:mfa/nope does not exist.\n" {
		t.Errorf("unknown device: exit %d, %q", code, errs)
	}
	var usage bytes.Buffer
	if code := run([]string{"mfa", "show", serial}, &bytes.Buffer{}, &usage); code != 2 || !strings.Contains(usage.String(), "rolecall mfa code SERIAL [--two]") {
		t.Errorf("mfa show: exit %d, %q", code, usage.String())
	}
}
