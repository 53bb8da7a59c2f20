package iam

import (
	"fmt"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/store"
)

func TestGetAccountSummary(t *testing.T) {
	f := newFixture(t)
	m, err := f.GetAccountSummary(ctx, acct)
	must(t, err)
	// The quota figures AWS reported (recorded 2026-02).
	quotas := map[string]int32{
		"AccessKeysPerUserQuota": 2, "AssumeRolePolicySizeQuota": 2048, "AttachedPoliciesPerGroupQuota": 10,
		"AttachedPoliciesPerRoleQuota": 10, "AttachedPoliciesPerUserQuota": 10, "GlobalEndpointTokenVersion": 1,
		"GroupPolicySizeQuota": 5120, "GroupsPerUserQuota": 10, "GroupsQuota": 300, "InstanceProfilesQuota": 1000,
		"PoliciesQuota": 1500, "PolicySizeQuota": 6144, "PolicyVersionsInUseQuota": 10000, "RolePolicySizeQuota": 10240,
		"RolesQuota": 1000, "ServerCertificatesQuota": 20, "SigningCertificatesPerUserQuota": 2, "UserPolicySizeQuota": 2048,
		"UsersQuota": 5000, "VersionsPerPolicyQuota": 5,
		"Users": 0, "Roles": 0, "Groups": 0, "Policies": 0, "InstanceProfiles": 0, "PolicyVersionsInUse": 0,
	}
	for k, want := range quotas {
		if got, ok := m[k]; !ok || got != want {
			t.Errorf("%s = %d (present %v), want %d", k, got, ok, want)
		}
	}
	if len(m) != 34 {
		t.Errorf("%d keys, want the 34 AWS reports", len(m))
	}

	f.role(t, "r")
	f.user(t, "u")
	f.group(t, "g")
	arn := f.policy(t, "p").Arn
	_, err = f.CreatePolicyVersion(ctx, acct, arn, docEC2, false)
	must(t, err)
	_, err = f.CreateInstanceProfile(ctx, acct, "ip", "", nil)
	must(t, err)
	f.role(t, "elsewhere")
	must(t, f.DeleteRole(ctx, acct, "elsewhere"))
	m, err = f.GetAccountSummary(ctx, acct)
	must(t, err)
	for k, want := range map[string]int32{"Roles": 1, "Users": 1, "Groups": 1, "Policies": 1, "InstanceProfiles": 1, "PolicyVersionsInUse": 2} {
		if m[k] != want {
			t.Errorf("%s = %d, want %d", k, m[k], want)
		}
	}
}

func TestRootUserAndCaller(t *testing.T) {
	f := newFixture(t)
	f.clock.Advance(time.Hour)
	f.role(t, "first-write") // the account exists from its first write
	f.clock.Advance(time.Hour)
	u, err := f.RootUser(ctx, acct)
	must(t, err)
	if u.UserId != acct || u.Arn != "arn:aws:iam::000000000000:root" || u.UserName != "" || u.Path != "" || !u.CreateDate.Equal(epoch.Add(time.Hour)) {
		t.Errorf("RootUser = %+v", u)
	}

	tests := []struct {
		principal, userName, want string
		err                       bool
	}{
		{"", "named", "named", false},
		{"arn:aws:iam::000000000000:user/team/alice", "", "alice", false},
		{"", "", "", true},
		{"arn:aws:iam::000000000000:root", "", "", true},
		{"arn:aws:sts::000000000000:assumed-role/ROLE/SESSION", "", "", true},
	}
	for _, tt := range tests {
		got, err := CallerUserName(tt.principal, tt.userName)
		if tt.err {
			wantErr(t, err, "ValidationError", 400, "Must specify userName when calling with non-User credentials")
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("CallerUserName(%q, %q) = %q, %v", tt.principal, tt.userName, got, err)
		}
	}
	if !CallerOf("").Root || !CallerOf("arn:aws:iam::000000000000:root").Root || CallerOf("arn:aws:sts::0:assumed-role/R/S").Root {
		t.Error("CallerOf root detection")
	}
}

// The account's entity counters must match what the store holds after any
// mix of creations, deletions, renames and refused calls.
func TestEntityCountsMatchStore(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 3; i++ {
		f.role(t, fmt.Sprintf("r%d", i))
		f.user(t, fmt.Sprintf("u%d", i))
		f.group(t, fmt.Sprintf("g%d", i))
		f.policy(t, fmt.Sprintf("p%d", i))
		_, err := f.CreateInstanceProfile(ctx, acct, fmt.Sprintf("ip%d", i), "", nil)
		must(t, err)
	}
	must(t, f.DeleteRole(ctx, acct, "r0"))
	must(t, f.DeleteUser(ctx, acct, "u0"))
	must(t, f.DeleteGroup(ctx, acct, "g0"))
	must(t, f.DeletePolicy(ctx, acct, policyArnOf("p0")))
	must(t, f.DeleteInstanceProfile(ctx, acct, "ip0"))
	must(t, f.UpdateUser(ctx, acct, "u1", "", "renamed"))
	must(t, f.UpdateGroup(ctx, acct, "g1", "", "renamed"))
	_, err := f.CreateRole(ctx, acct, CreateRoleInput{RoleName: "R1", AssumeRolePolicyDocument: trustEC2})
	wantErr(t, err, "EntityAlreadyExists", 409, "Role with name R1 already exists.")
	// Refused after the new user is counted: the count goes with the rest.
	_, err = f.CreateUser(ctx, acct, CreateUserInput{UserName: "u9", PermissionsBoundary: policyArnOf("nonexistent-policy")})
	wantErr(t, err, "NoSuchEntity", 404, "Scope ARN: arn:aws:iam::000000000000:policy/nonexistent-policy does not exist or is not attachable.")
	must(t, f.st.View(func(tx store.Tx) error {
		for _, b := range []string{bucketRoles, bucketUsers, bucketGroups, bucketPolicies, bucketInstanceProfiles} {
			n := 0
			if err := tx.Scan(b, acct+"/", "", func(string, []byte) bool { n++; return true }); err != nil {
				return err
			}
			c, err := entityCount(tx, acct, b)
			if err != nil {
				return err
			}
			if c != n || n != 2 {
				t.Errorf("%s: counter %d, store %d, want 2", b, c, n)
			}
		}
		return nil
	}))
}
