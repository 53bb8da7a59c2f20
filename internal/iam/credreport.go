package iam

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"time"

	"github.com/rolecall/rolecall/internal/store"
)

// The credential report: a CSV of every user's credentials, and the root
// user's ("Generate credential reports for your AWS account",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html).
// "You can generate a credential report as often as once every four
// hours. When you request a report, IAM first checks whether a report for
// the AWS account has been generated within the past four hours. If so,
// the most recent report is downloaded." The report is what IAM held when
// it was generated, not what it holds when it is read.

const bucketCredentialReports = "iam-credential-reports"

// CredentialReportLifetime is how long a report stands before a new one
// is generated and the old one is expired.
const CredentialReportLifetime = 4 * time.Hour

// GenerateCredentialReport's states.
const (
	ReportStarted    = "STARTED"
	ReportInProgress = "INPROGRESS"
	ReportComplete   = "COMPLETE"
)

// reportStartedFirst is GenerateCredentialReport's description when the
// account had no report (AWS's answer as users print it: "State":
// "STARTED", "Description": "No report exists. Starting a new report
// generation task", then "State": "COMPLETE" without one;
// prowler-cloud/prowler #272).
const reportStartedFirst = "No report exists. Starting a new report generation task"

// credentialReportColumns are the report's columns, in AWS's order (IAM
// User Guide, "Understanding the report format"; reports users publish
// have this header).
var credentialReportColumns = []string{
	"user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
	"password_next_rotation", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
}

// The report's words for what is not a date.
const (
	reportNA           = "N/A"
	reportNotSupported = "not_supported"
	reportNoInfo       = "no_information"
	reportRootUser     = "<root_account>"
)

type credentialReportRecord struct {
	Generated, Ready time.Time
	Content          []byte
}

func credentialReportKey(account string) string { return account + "/report" }

// GenerateCredentialReport starts a report when the account has none
// standing, and says how the one standing is coming along otherwise.
func (s *Service) GenerateCredentialReport(ctx context.Context, account string) (state, description string, err error) {
	now := s.now()
	err = s.update(ctx, account, func(tx store.Tx) error {
		var r credentialReportRecord
		ok, err := getJSON(tx, bucketCredentialReports, credentialReportKey(account), &r)
		if err != nil {
			return err
		}
		description = "" // fn may run again
		switch {
		case ok && now.Before(r.Generated.Add(CredentialReportLifetime)) && now.Before(r.Ready):
			state = ReportInProgress
			return nil
		case ok && now.Before(r.Generated.Add(CredentialReportLifetime)):
			state = ReportComplete
			return nil
		}
		// Unverified: AWS's description when the standing report has
		// expired; none is given here.
		state = ReportStarted
		if !ok {
			description = reportStartedFirst
		}
		content, err := credentialReport(tx, account)
		if err != nil {
			return err
		}
		return putJSON(tx, bucketCredentialReports, credentialReportKey(account),
			&credentialReportRecord{Generated: now, Ready: now.Add(s.reportDelay), Content: content})
	})
	return state, description, err
}

// GetCredentialReport returns the standing report (text/csv) and when it
// was generated.
func (s *Service) GetCredentialReport(ctx context.Context, account string) ([]byte, time.Time, error) {
	now := s.now()
	var r credentialReportRecord
	err := s.view(ctx, account, func(tx store.Tx) error {
		ok, err := getJSON(tx, bucketCredentialReports, credentialReportKey(account), &r)
		switch {
		case err != nil:
			return err
		case !ok:
			return errReportNotPresent
		case !now.Before(r.Generated.Add(CredentialReportLifetime)):
			return errReportExpired
		case now.Before(r.Ready):
			return errReportInProgress
		}
		return nil
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	return r.Content, r.Generated, nil
}

// credentialReport writes the report of what account holds: the root
// user's row, then each user's, by name.
func credentialReport(tx store.Tx, account string) ([]byte, error) {
	a, err := loadAccount(tx, account)
	if err != nil {
		return nil, err
	}
	maxAge := rulesOf(account, a).maxAge()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(credentialReportColumns); err != nil {
		return nil, err
	}
	// The root user: its password and its MFA are not IAM's to report
	// (rolecall keeps no root password; "The value for the AWS account
	// root user is always not_supported"); rolecall's root access key is
	// the server's own, not an IAM key.
	root := []string{reportRootUser, rootArn(account), reportTime(a.CreateDate), reportNotSupported, reportNoInfo,
		reportNotSupported, reportNotSupported, "false"}
	root = append(root, reportKeys(nil)...)
	root = append(root, reportCerts(nil)...)
	if err := w.Write(root); err != nil {
		return nil, err
	}
	var rowErr error
	err = store.ScanJSON(tx, bucketUsers, account+"/", func(_ string, u *userRecord) bool {
		var row []string
		if row, rowErr = userReportRow(tx, account, u, maxAge); rowErr == nil {
			rowErr = w.Write(row)
		}
		return rowErr == nil
	})
	if err == nil {
		err = rowErr
	}
	if err != nil {
		return nil, err
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// userReportRow is a user's row: its password from its login profile, its
// access keys and signing certificates in the order they were made.
func userReportRow(tx store.Tx, account string, u *userRecord, maxAge time.Duration) ([]string, error) {
	row := []string{u.UserName, iamArn(account, "user", u.Path, u.UserName), reportTime(u.CreateDate)}
	var p loginProfileRecord
	hasPassword, err := getJSON(tx, bucketLoginProfiles, loginProfileKey(account, u.UserId), &p)
	if err != nil {
		return nil, err
	}
	if hasPassword {
		lastUsed, nextRotation := reportNoInfo, reportNA
		if u.PasswordLastUsed != nil {
			lastUsed = reportTime(*u.PasswordLastUsed)
		}
		if maxAge > 0 {
			nextRotation = reportTime(p.PasswordSet.Add(maxAge))
		}
		row = append(row, "true", lastUsed, reportTime(p.PasswordSet), nextRotation)
	} else {
		row = append(row, "false", reportNA, reportNA, reportNA)
	}
	row = append(row, strconv.FormatBool(mfaActive(tx, account, u)))
	var keys []*accessKeyRecord
	for _, id := range u.AccessKeys {
		k, err := userKey(tx, account, u, id)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	row = append(row, reportKeys(keys)...)
	certs, err := userCreds(tx, bucketSigningCerts, account, u.UserId, signingCertCreated)
	if err != nil {
		return nil, err
	}
	return append(row, reportCerts(certs)...), nil
}

// mfaActive: whether the user has an MFA device enabled. IAM keeps no MFA
// devices yet; when it does, their record answers here.
func mfaActive(store.Tx, string, *userRecord) bool { return false }

// reportKeys are the columns of a user's first two access keys. A key's
// last rotation is its creation, whether or not the key is active:
// reports users publish show dates for inactive keys, where the User
// Guide says "N/A".
func reportKeys(keys []*accessKeyRecord) []string {
	var out []string
	for i := range 2 {
		if i >= len(keys) {
			out = append(out, "false", reportNA, reportNA, reportNA, reportNA)
			continue
		}
		k := keys[i]
		date, region, service := reportNA, reportNA, reportNA
		if k.LastUsed != nil {
			date, region, service = reportTime(k.LastUsed.Date), k.LastUsed.Region, k.LastUsed.Service
			if region == "" {
				region = reportNA // a service without Regions, such as S3
			}
		}
		out = append(out, strconv.FormatBool(k.Status == StatusActive), reportTime(k.CreateDate), date, region, service)
	}
	return out
}

// reportCerts are the columns of a user's first two signing certificates.
func reportCerts(certs []*signingCertRecord) []string {
	var out []string
	for i := range 2 {
		if i >= len(certs) {
			out = append(out, "false", reportNA)
			continue
		}
		out = append(out, strconv.FormatBool(certs[i].Status == StatusActive), reportTime(certs[i].UploadDate))
	}
	return out
}

// reportTime is a time as the report writes it: ISO 8601 in UTC with the
// offset spelled out ("2017-06-10T02:35:07+00:00" in reports users
// publish).
func reportTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }
