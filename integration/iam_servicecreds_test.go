package integration

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rolecall/rolecall/rolecalltest"
)

// Service-specific credentials through the Go SDK: AWS's recorded answers
// replayed (testdata/aws-recorded-service-specific-credentials.json, with
// its provenance), then what the recording does not cover: API keys,
// expiry, the quota, every user's list, and the authorizer's keys.

var servicePassword = regexp.MustCompile(`^[A-Za-z0-9+/]{43}=$`)

// sscReplay compares rolecall's raw answers with one recorded scenario,
// the recording's placeholders filled with what rolecall answered.
type sscReplay struct {
	t       *testing.T
	rec     *recorder
	content map[string]json.RawMessage
	fill    map[string]string
}

func (r *sscReplay) want(key string) any {
	r.t.Helper()
	raw, ok := r.content[key]
	if !ok {
		r.t.Fatalf("no recorded %s", key)
	}
	s := string(raw)
	for k, v := range r.fill {
		s = strings.ReplaceAll(s, k, v)
	}
	return recordedTree(r.t, json.RawMessage(s), "")
}

// match compares the last answer, op's, with the recorded one.
func (r *sscReplay) match(op, key string) {
	r.t.Helper()
	want := r.want(key)
	if want == "" { // an answer without members
		return
	}
	compareTree(r.t, key, r.rec.result(r.t, op), want)
}

func (r *sscReplay) matchErr(err error, key string) {
	r.t.Helper()
	wantRecordedErr(r.t, err, r.rec, r.content[key])
}

func TestServiceSpecificCredentialsRecorded(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "aws-recorded-service-specific-credentials.json"))
	if err != nil {
		t.Fatal(err)
	}
	var recorded struct {
		Provenance string
		Scenarios  map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(raw, &recorded); err != nil || recorded.Provenance == "" {
		t.Fatalf("fixture: %v", err)
	}
	rec := &recorder{next: awshttp.NewBuildableClient()}
	rc := rolecalltest.RunT(t)
	cfg := rc.Config.Copy()
	cfg.HTTPClient = rec
	c := iam.NewFromConfig(cfg)

	names := slices.Sorted(maps.Keys(recorded.Scenarios))
	if len(names) != 10 {
		t.Errorf("%d recorded scenarios, want 10; a changed fixture should be looked at", len(names))
	}
	for i, name := range names {
		content := recorded.Scenarios[name]
		t.Run(name, func(t *testing.T) {
			r := &sscReplay{t: t, rec: rec, content: content, fill: map[string]string{}}
			user := "user-" + strconv.Itoa(i)
			r.fill["<user-name:1>"] = user
			if _, ok := content["create-user-response"]; ok {
				u := must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user)}))(t).User
				r.fill["<user-id:1>"] = aws.ToString(u.UserId)
				r.match("CreateUser", "create-user-response")
			}
			create := func(service string) *iamtypes.ServiceSpecificCredential {
				cred := must(c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String(user), ServiceName: aws.String(service)}))(t).ServiceSpecificCredential
				r.fill["<service-specific-credential-id:1>"] = aws.ToString(cred.ServiceSpecificCredentialId)
				r.fill["<service-password:1>"] = aws.ToString(cred.ServicePassword)
				if !servicePassword.MatchString(aws.ToString(cred.ServicePassword)) {
					t.Errorf("ServicePassword %q is not of AWS's form", aws.ToString(cred.ServicePassword))
				}
				r.match("CreateServiceSpecificCredential", "create-service-specific-credential-response")
				return cred
			}
			switch test, param, _ := strings.Cut(strings.TrimSuffix(name, "]"), "["); test {
			case "test_service_specific_credential_lifecycle":
				id := create(param).ServiceSpecificCredentialId
				list := func(key string) {
					must(c.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String(user), ServiceName: aws.String(param)}))(t)
					r.match("ListServiceSpecificCredentials", key)
				}
				list("list-service-specific-credentials-response-before-update")
				must(c.UpdateServiceSpecificCredential(ctx, &iam.UpdateServiceSpecificCredentialInput{UserName: aws.String(user), ServiceSpecificCredentialId: id, Status: iamtypes.StatusTypeInactive}))(t)
				r.match("UpdateServiceSpecificCredential", "update-service-specific-credential-response")
				list("list-service-specific-credentials-response-after-update")
				reset := must(c.ResetServiceSpecificCredential(ctx, &iam.ResetServiceSpecificCredentialInput{UserName: aws.String(user), ServiceSpecificCredentialId: id}))(t).ServiceSpecificCredential
				if pw := aws.ToString(reset.ServicePassword); !servicePassword.MatchString(pw) || pw == r.fill["<service-password:1>"] {
					t.Errorf("reset password %q", pw)
				}
				r.fill["<service-password:2>"] = aws.ToString(reset.ServicePassword)
				r.match("ResetServiceSpecificCredential", "reset-service-specific-credential-response")
				must(c.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{UserName: aws.String(user), ServiceSpecificCredentialId: id}))(t)
				r.match("DeleteServiceSpecificCredential", "delete-service-specific-credentials-response")
			case "test_create_service_specific_credential_invalid_user":
				_, err := c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("non-existent-user"), ServiceName: aws.String("codecommit.amazonaws.com")})
				r.matchErr(err, "invalid-user-name-exception")
				_, err = c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("non-existent-user"), ServiceName: aws.String("nonexistentservice.amazonaws.com")})
				r.matchErr(err, "invalid-user-and-service-exception")
			case "test_create_service_specific_credential_invalid_service":
				for key, service := range map[string]string{"invalid-service-exception": "nonexistentservice.amazonaws.com",
					"invalid-service-completely-malformed-exception": "o3on3n3onosneo", "invalid-service-existing-but-unsupported-exception": "lambda.amazonaws.com"} {
					_, err := c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String(user), ServiceName: aws.String(service)})
					r.matchErr(err, key)
				}
			case "test_list_service_specific_credential_different_service":
				_, err := c.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String(user), ServiceName: aws.String("nonexistentservice.amazonaws.com")})
				r.matchErr(err, "list-service-specific-credentials-invalid-service")
				create("codecommit.amazonaws.com")
				must(c.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String(user), ServiceName: aws.String("cassandra.amazonaws.com")}))(t)
				if got := r.rec.result(t, "ListServiceSpecificCredentials"); got["ServiceSpecificCredentials"] != "" || len(got) != 1 {
					t.Errorf("an empty list: %v, want only an empty ServiceSpecificCredentials", got)
				}
			case "test_delete_user_after_service_credential_created":
				create("codecommit.amazonaws.com")
				_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(user)})
				r.matchErr(err, "delete-user-existing-credential")
			case "test_user_match_id_mismatch", "test_id_match_user_mismatch":
				id := create("codecommit.amazonaws.com").ServiceSpecificCredentialId
				target, key := aws.String(user), "wrong-id"
				if test == "test_user_match_id_mismatch" {
					id = aws.String(param)
				} else {
					target, key = aws.String("wrong-user-name"), "wrong-user-name"
				}
				_, err := c.UpdateServiceSpecificCredential(ctx, &iam.UpdateServiceSpecificCredentialInput{UserName: target, ServiceSpecificCredentialId: id, Status: iamtypes.StatusTypeInactive})
				r.matchErr(err, "update-"+key)
				_, err = c.ResetServiceSpecificCredential(ctx, &iam.ResetServiceSpecificCredentialInput{UserName: target, ServiceSpecificCredentialId: id})
				r.matchErr(err, "reset-"+key)
				_, err = c.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{UserName: target, ServiceSpecificCredentialId: id})
				r.matchErr(err, "delete-"+key)
			case "test_invalid_update_parameters":
				id := create("codecommit.amazonaws.com").ServiceSpecificCredentialId
				_, err := c.UpdateServiceSpecificCredential(ctx, &iam.UpdateServiceSpecificCredentialInput{ServiceSpecificCredentialId: id, Status: "Invalid"})
				r.matchErr(err, "update-invalid-status")
			default:
				t.Fatalf("scenario %s is not replayed", name)
			}
		})
	}
}

// TestServiceSpecificCredentialAPIKeys: Bedrock's API keys, which have an
// alias and a secret instead of a user name and password, and may
// expire.
func TestServiceSpecificCredentialAPIKeys(t *testing.T) {
	clock := newClock()
	rc := rolecalltest.RunT(t, rolecalltest.WithClock(clock))
	c := clientsFor(rc.Config, clock).iam
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("llm")}))(t)
	key := must(c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("llm"),
		ServiceName: aws.String("bedrock.amazonaws.com"), CredentialAgeDays: aws.Int32(30)}))(t).ServiceSpecificCredential
	secret := aws.ToString(key.ServiceCredentialSecret)
	decoded, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "ABSK"))
	if !strings.HasPrefix(secret, "ABSK") || err != nil || !strings.HasPrefix(string(decoded), "llm-at-000000000000:") {
		t.Errorf("ServiceCredentialSecret %q (%q, %v)", secret, decoded, err)
	}
	if aws.ToString(key.ServiceCredentialAlias) != "llm-at-000000000000" || key.ServiceUserName != nil || key.ServicePassword != nil ||
		key.ExpirationDate == nil || !key.ExpirationDate.Equal(key.CreateDate.Add(30*24*time.Hour)) {
		t.Errorf("CreateServiceSpecificCredential = %+v", key)
	}
	_, err = c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("llm"),
		ServiceName: aws.String("codecommit.amazonaws.com"), CredentialAgeDays: aws.Int32(30)})
	wantErr(t, err, 400, "InvalidInput", "CredentialAgeDays is only valid for API keys.")
	_, err = c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("llm"),
		ServiceName: aws.String("bedrock.amazonaws.com"), CredentialAgeDays: aws.Int32(36601)})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value at 'credentialAgeDays' failed to satisfy constraint: Member must have value less than or equal to 36600")

	// Two per service per user; another service has its own two.
	must(c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("llm"), ServiceName: aws.String("bedrock.amazonaws.com")}))(t)
	_, err = c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("llm"), ServiceName: aws.String("bedrock.amazonaws.com")})
	wantErr(t, err, 409, "LimitExceeded", "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2")
	must(c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("llm"), ServiceName: aws.String("logs.amazonaws.com")}))(t)

	// Past its expiration date it is Expired, and stays so.
	clock.Advance(30 * 24 * time.Hour)
	list := must(c.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("llm"), ServiceName: aws.String("bedrock.amazonaws.com")}))(t).ServiceSpecificCredentials
	if len(list) != 2 {
		t.Fatalf("ListServiceSpecificCredentials = %+v", list)
	}
	for _, m := range list {
		if expiring := aws.ToString(m.ServiceSpecificCredentialId) == aws.ToString(key.ServiceSpecificCredentialId); expiring != (m.Status == iamtypes.StatusTypeExpired) ||
			expiring != (m.ExpirationDate != nil) {
			t.Errorf("listed %+v", m)
		}
	}
	_, err = c.UpdateServiceSpecificCredential(ctx, &iam.UpdateServiceSpecificCredentialInput{UserName: aws.String("llm"), ServiceSpecificCredentialId: key.ServiceSpecificCredentialId, Status: iamtypes.StatusTypeExpired})
	wantErr(t, err, 400, "ValidationError", msgStatusEnum)

	// Every user's, with AllUsers; not with a user named as well.
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("git")}))(t)
	must(c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceName: aws.String("codecommit.amazonaws.com")}))(t)
	all := must(c.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{AllUsers: aws.Bool(true)}))(t).ServiceSpecificCredentials
	if len(all) != 4 || aws.ToString(all[0].UserName) != "git" || aws.ToString(all[1].UserName) != "llm" {
		t.Errorf("AllUsers = %+v", all)
	}
	_, err = c.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{AllUsers: aws.Bool(true), UserName: aws.String("git")})
	wantErr(t, err, 400, "InvalidInput", "AllUsers cannot be specified together with UserName.")
	page := must(c.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{AllUsers: aws.Bool(true), MaxItems: aws.Int32(3)}))(t)
	if len(page.ServiceSpecificCredentials) != 3 || !page.IsTruncated || page.Marker == nil {
		t.Errorf("first page = %+v", page)
	}
	rest := must(c.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{AllUsers: aws.Bool(true), Marker: page.Marker}))(t)
	if len(rest.ServiceSpecificCredentials) != 1 || rest.IsTruncated {
		t.Errorf("second page = %+v", rest)
	}
	// The root user must name one to make, reset or change one.
	_, err = c.ResetServiceSpecificCredential(ctx, &iam.ResetServiceSpecificCredentialInput{ServiceSpecificCredentialId: key.ServiceSpecificCredentialId})
	wantErr(t, err, 400, "ValidationError", "Must specify userName when calling with non-User credentials")
}

// TestServiceSpecificCredentialsAuthorized: iam:ServiceSpecificCredentialServiceName
// and iam:ServiceSpecificCredentialAgeDays govern which credentials a user
// may make ("Amazon Bedrock API keys" condition keys, IAM User Guide); the
// stored credential's service governs resetting and deleting it.
func TestServiceSpecificCredentialsAuthorized(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	me, _ := newUser(t, root, rc.Config, nil, "me", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:CreateServiceSpecificCredential","Resource":"arn:aws:iam::*:user/${aws:username}",
		 "Condition":{"StringEquals":{"iam:ServiceSpecificCredentialServiceName":"bedrock.amazonaws.com"},"NumericLessThanEquals":{"iam:ServiceSpecificCredentialAgeDays":"90"}}},
		{"Effect":"Allow","Action":["iam:ResetServiceSpecificCredential","iam:ListServiceSpecificCredentials"],"Resource":"arn:aws:iam::*:user/${aws:username}",
		 "Condition":{"StringEqualsIfExists":{"iam:ServiceSpecificCredentialServiceName":"bedrock.amazonaws.com"}}}]}`)
	key := must(me.iam.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("me"),
		ServiceName: aws.String("bedrock.amazonaws.com"), CredentialAgeDays: aws.Int32(90)}))(t).ServiceSpecificCredential
	_, err := me.iam.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("me"),
		ServiceName: aws.String("bedrock.amazonaws.com"), CredentialAgeDays: aws.Int32(91)})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"me", "iam:CreateServiceSpecificCredential", "user me"))
	_, err = me.iam.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("me"), ServiceName: aws.String("codecommit.amazonaws.com")})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"me", "iam:CreateServiceSpecificCredential", "user me"))
	// A key with no age: the NumericLessThanEquals has nothing to compare.
	_, err = me.iam.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("me"), ServiceName: aws.String("bedrock.amazonaws.com")})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"me", "iam:CreateServiceSpecificCredential", "user me"))

	// Its own, without naming itself; one for CodeCommit made by root it
	// may not reset.
	must(me.iam.ResetServiceSpecificCredential(ctx, &iam.ResetServiceSpecificCredentialInput{ServiceSpecificCredentialId: key.ServiceSpecificCredentialId}))(t)
	git := must(root.iam.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("me"), ServiceName: aws.String("codecommit.amazonaws.com")}))(t).ServiceSpecificCredential
	_, err = me.iam.ResetServiceSpecificCredential(ctx, &iam.ResetServiceSpecificCredentialInput{ServiceSpecificCredentialId: git.ServiceSpecificCredentialId})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"me", "iam:ResetServiceSpecificCredential", "user me"))
	if l := must(me.iam.ListServiceSpecificCredentials(ctx, nil))(t).ServiceSpecificCredentials; len(l) != 2 {
		t.Errorf("own list = %+v", l)
	}
	_, err = me.iam.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{AllUsers: aws.Bool(true)})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"me", "iam:ListServiceSpecificCredentials", "arn:aws:iam::000000000000:user/*"))
}
