package iam

import (
	"strings"
	"testing"
	"time"
)

func TestAccessKeys(t *testing.T) {
	f := newFixture(t)
	f.user(t, "u")
	keys, _, err := f.ListAccessKeys(ctx, acct, "u", Page{})
	must(t, err)
	if keys == nil || len(keys) != 0 {
		t.Errorf("no keys = %#v", keys)
	}
	k1, err := f.CreateAccessKey(ctx, acct, "u")
	must(t, err)
	if !strings.HasPrefix(k1.AccessKeyId, "AKIA") || len(k1.AccessKeyId) != 20 || len(k1.SecretAccessKey) != 40 ||
		k1.Status != "Active" || k1.UserName != "u" || !k1.CreateDate.Equal(epoch) {
		t.Errorf("CreateAccessKey = %+v", k1)
	}
	k2, err := f.CreateAccessKey(ctx, acct, "U")
	must(t, err)
	if k2.AccessKeyId == k1.AccessKeyId || k2.SecretAccessKey == k1.SecretAccessKey {
		t.Error("keys not distinct")
	}
	_, err = f.CreateAccessKey(ctx, acct, "u")
	wantErr(t, err, "LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2")

	must(t, f.UpdateAccessKey(ctx, acct, "u", k1.AccessKeyId, "Inactive"))
	keys, _, _ = f.ListAccessKeys(ctx, acct, "u", Page{})
	if len(keys) != 2 || keys[0].AccessKeyId != k1.AccessKeyId || keys[0].Status != "Inactive" || keys[1].Status != "Active" {
		t.Errorf("keys = %+v", keys)
	}
	id, err := f.LookupAccessKey(ctx, k1.AccessKeyId)
	must(t, err)
	if id.Account != acct || id.SecretAccessKey != k1.SecretAccessKey || id.Status != "Inactive" ||
		id.Arn != "arn:aws:iam::000000000000:user/u" || !strings.HasPrefix(id.UserId, "AIDA") {
		t.Errorf("LookupAccessKey = %+v", id)
	}

	const missing = "AKIAIOSFODNN7EXAMPLE"
	wantErr(t, f.UpdateAccessKey(ctx, acct, "u", missing, "Active"), "NoSuchEntity", 404, "The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.")
	wantErr(t, f.DeleteAccessKey(ctx, acct, "u", missing), "NoSuchEntity", 404, "The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.")
	_, err = f.LookupAccessKey(ctx, missing)
	wantErr(t, err, "NoSuchEntity", 404, "The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.")
	// Another user's key is not this user's.
	f.user(t, "other")
	wantErr(t, f.DeleteAccessKey(ctx, acct, "other", k1.AccessKeyId), "NoSuchEntity", 404, "The Access Key with id "+k1.AccessKeyId+" cannot be found.")

	must(t, f.DeleteAccessKey(ctx, acct, "u", k1.AccessKeyId))
	_, err = f.LookupAccessKey(ctx, k1.AccessKeyId)
	wantErr(t, err, "NoSuchEntity", 404, "The Access Key with id "+k1.AccessKeyId+" cannot be found.")
	if _, err := f.CreateAccessKey(ctx, acct, "u"); err != nil {
		t.Errorf("a key freed by deletion: %v", err)
	}
}

func TestAccessKeyLastUsed(t *testing.T) {
	f := newFixture(t)
	f.user(t, "u")
	k, err := f.CreateAccessKey(ctx, acct, "u")
	must(t, err)
	name, last, err := f.GetAccessKeyLastUsed(ctx, acct, "", k.AccessKeyId)
	must(t, err)
	if name != "u" || last.LastUsedDate != nil || last.ServiceName != "N/A" || last.Region != "N/A" {
		t.Errorf("unused key: %q %+v", name, last)
	}
	used := epoch.Add(time.Minute)
	must(t, f.RecordAccessKeyUsed(ctx, k.AccessKeyId, "iam", "us-east-1", used))
	_, last, err = f.GetAccessKeyLastUsed(ctx, acct, "", k.AccessKeyId)
	must(t, err)
	if last.LastUsedDate == nil || !last.LastUsedDate.Equal(used) || last.ServiceName != "iam" || last.Region != "us-east-1" {
		t.Errorf("used key: %+v", last)
	}
	// An unknown key, or another account's, is refused, naming the caller
	// (recorded).
	_, _, err = f.GetAccessKeyLastUsed(ctx, acct, "", "AKIAIOSFODNN7EXAMPLE")
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:iam::000000000000:root is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key AKIAIOSFODNN7EXAMPLE")
	caller := "arn:aws:sts::111111111111:assumed-role/ROLE/SESSION"
	_, _, err = f.GetAccessKeyLastUsed(ctx, "111111111111", caller, k.AccessKeyId)
	wantErr(t, err, "AccessDenied", 403, "User: "+caller+" is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key "+k.AccessKeyId)
}

func TestAccessKeyStatus(t *testing.T) {
	f := newFixture(t)
	f.user(t, "u")
	k, err := f.CreateAccessKey(ctx, acct, "u")
	must(t, err)
	wantErr(t, f.UpdateAccessKey(ctx, acct, "u", k.AccessKeyId, "Sleeping"), "ValidationError", 400,
		"1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set")
}
