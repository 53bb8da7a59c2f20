package integration

import (
	"bytes"
	"encoding/csv"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rolecall/rolecall/rolecalltest"
)

// The credential report through the Go SDK, its CSV read with
// encoding/csv: AWS's columns, the root user's row and each user's, from
// the login profiles, access keys and signing certificates IAM holds;
// STARTED then COMPLETE, and expiry after four hours on rolecall's clock.

var credentialReportHeader = []string{"user", "arn", "user_creation_time", "password_enabled", "password_last_used",
	"password_last_changed", "password_next_rotation", "mfa_active", "access_key_1_active", "access_key_1_last_rotated",
	"access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service", "access_key_2_active",
	"access_key_2_last_rotated", "access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated"}

// reportRows reads a report's CSV into rows keyed by column, by user.
func reportRows(t *testing.T, content []byte) map[string]map[string]string {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(content)).ReadAll()
	if err != nil {
		t.Fatalf("report is not CSV: %v\n%s", err, content)
	}
	if len(records) == 0 || !slices.Equal(records[0], credentialReportHeader) {
		t.Fatalf("header %v, want %v", records[0], credentialReportHeader)
	}
	rows := map[string]map[string]string{}
	for _, r := range records[1:] {
		row := map[string]string{}
		for i, col := range credentialReportHeader {
			row[col] = r[i]
		}
		rows[r[0]] = row
	}
	return rows
}

// wantRow asserts the columns of a row that want names.
func wantRow(t *testing.T, who string, row, want map[string]string) {
	t.Helper()
	if row == nil {
		t.Fatalf("no row for %s", who)
	}
	for col, v := range want {
		if row[col] != v {
			t.Errorf("%s %s = %q, want %q", who, col, row[col], v)
		}
	}
}

func reportTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

func TestCredentialReport(t *testing.T) {
	clock := newClock()
	rc := rolecalltest.RunT(t, rolecalltest.WithClock(clock), rolecalltest.WithPasswordIterations(1))
	root := clientsFor(rc.Config, clock)
	c := root.iam

	_, err := c.GetCredentialReport(ctx, nil)
	wantErr(t, err, 410, "ReportNotPresent", "")

	// alice: a password under a 90-day policy, two keys (one used, one
	// inactive), a signing certificate; bob: nothing.
	must(c.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MaxPasswordAge: aws.Int32(90)}))(t)
	alice := must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/staff/")}))(t).User
	must(c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String(pw1)}))(t)
	k1 := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))(t).AccessKey
	clock.Advance(time.Minute)
	k2 := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))(t).AccessKey
	must(c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k2.AccessKeyId, Status: iamtypes.StatusTypeInactive}))(t)
	cert := must(c.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("alice"), CertificateBody: aws.String(cred(t, "signing1.pem"))}))(t).Certificate
	asAlice := clientsFor(withCreds(rc.Config, *k1.AccessKeyId, *k1.SecretAccessKey, ""), clock)
	must(asAlice.sts.GetCallerIdentity(ctx, nil))(t)
	used := must(c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k1.AccessKeyId}))(t).AccessKeyLastUsed
	bob := must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))(t).User
	profile := must(c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("alice")}))(t).LoginProfile
	rootUser := must(c.GetUser(ctx, nil))(t).User

	clock.Advance(time.Minute)
	gen := must(c.GenerateCredentialReport(ctx, nil))(t)
	if gen.State != iamtypes.ReportStateTypeStarted || aws.ToString(gen.Description) != "No report exists. Starting a new report generation task" {
		t.Errorf("first GenerateCredentialReport = %s %q", gen.State, aws.ToString(gen.Description))
	}
	generatedAt := clock.Now()
	gen = must(c.GenerateCredentialReport(ctx, nil))(t)
	if gen.State != iamtypes.ReportStateTypeComplete || gen.Description != nil {
		t.Errorf("second GenerateCredentialReport = %s %q", gen.State, aws.ToString(gen.Description))
	}

	// What happens after the report was generated is not in it.
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}))(t)
	report := must(c.GetCredentialReport(ctx, nil))(t)
	if report.ReportFormat != iamtypes.ReportFormatTypeTextCsv || report.GeneratedTime == nil || !report.GeneratedTime.Equal(generatedAt) {
		t.Errorf("GetCredentialReport = %s %v", report.ReportFormat, report.GeneratedTime)
	}
	rows := reportRows(t, report.Content)
	if len(rows) != 3 || rows["carol"] != nil {
		t.Errorf("rows for %v, want root, alice and bob", slices.Sorted(maps.Keys(rows)))
	}
	na := "N/A"
	wantRow(t, "root", rows["<root_account>"], map[string]string{
		"arn": "arn:aws:iam::000000000000:root", "user_creation_time": reportTime(*rootUser.CreateDate),
		"password_enabled": "not_supported", "password_last_used": "no_information", "password_last_changed": "not_supported",
		"password_next_rotation": "not_supported", "mfa_active": "false", "access_key_1_active": "false", "access_key_1_last_rotated": na,
		"access_key_2_active": "false", "cert_1_active": "false", "cert_1_last_rotated": na, "cert_2_active": "false", "cert_2_last_rotated": na,
	})
	wantRow(t, "alice", rows["alice"], map[string]string{
		"arn": "arn:aws:iam::000000000000:user/staff/alice", "user_creation_time": reportTime(*alice.CreateDate),
		"password_enabled": "true", "password_last_used": "no_information", "password_last_changed": reportTime(*profile.CreateDate),
		"password_next_rotation": reportTime(profile.CreateDate.Add(90 * 24 * time.Hour)), "mfa_active": "false",
		"access_key_1_active": "true", "access_key_1_last_rotated": reportTime(*k1.CreateDate),
		"access_key_1_last_used_date": reportTime(*used.LastUsedDate), "access_key_1_last_used_region": aws.ToString(used.Region),
		"access_key_1_last_used_service": aws.ToString(used.ServiceName),
		"access_key_2_active":            "false", "access_key_2_last_rotated": reportTime(*k2.CreateDate), "access_key_2_last_used_date": na,
		"access_key_2_last_used_region": na, "access_key_2_last_used_service": na,
		"cert_1_active": "true", "cert_1_last_rotated": reportTime(*cert.UploadDate), "cert_2_active": "false", "cert_2_last_rotated": na,
	})
	wantRow(t, "bob", rows["bob"], map[string]string{
		"arn": "arn:aws:iam::000000000000:user/bob", "user_creation_time": reportTime(*bob.CreateDate),
		"password_enabled": "false", "password_last_used": na, "password_last_changed": na, "password_next_rotation": na,
		"access_key_1_active": "false", "access_key_1_last_rotated": na, "access_key_1_last_used_date": na,
		"access_key_2_active": "false", "cert_1_active": "false",
	})
	if aws.ToString(used.ServiceName) != "sts" || aws.ToString(used.Region) == "" {
		t.Errorf("GetAccessKeyLastUsed = %+v", used)
	}

	// Four hours on, the report has expired; a new one has carol.
	clock.Advance(4 * time.Hour)
	_, err = c.GetCredentialReport(ctx, nil)
	wantErr(t, err, 410, "ReportExpired", "")
	gen = must(c.GenerateCredentialReport(ctx, nil))(t)
	if gen.State != iamtypes.ReportStateTypeStarted {
		t.Errorf("GenerateCredentialReport after expiry = %s", gen.State)
	}
	if rows := reportRows(t, must(c.GetCredentialReport(ctx, nil))(t).Content); rows["carol"] == nil || len(rows) != 4 {
		t.Errorf("the new report has %d rows", len(rows))
	}
}

// TestCredentialReportAuthorized: both calls need their permission on
// "*".
func TestCredentialReportAuthorized(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	auditor, _ := newUser(t, root, rc.Config, nil, "auditor", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetCredentialReport","Resource":"*"}]}`)
	_, err := auditor.iam.GenerateCredentialReport(ctx, nil)
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"auditor", "iam:GenerateCredentialReport", "*"))
	must(root.iam.GenerateCredentialReport(ctx, nil))(t)
	if rows := reportRows(t, must(auditor.iam.GetCredentialReport(ctx, nil))(t).Content); rows["auditor"] == nil {
		t.Errorf("the auditor's own row is missing")
	}
}
