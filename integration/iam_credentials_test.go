package integration

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rolecall/rolecall/rolecalltest"
)

// A user's SSH public keys and signing certificates, and the account's
// server certificates, through the Go SDK: AWS's answers and refusals,
// deletion of a user that still has them, and the authorizer on each.
// The keys and certificates are testdata/credentials (README there).

// cred is a file of testdata/credentials.
func cred(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "credentials", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const msgStatusEnum = "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set"

var (
	sshKeyID     = regexp.MustCompile(`^APKA[A-Z2-7]{16}$`)
	serverCertID = regexp.MustCompile(`^ASCA[A-Z2-7]{17}$`)
	signingID    = regexp.MustCompile(`^[A-Z2-7]{32}$`)
)

func TestSSHPublicKeys(t *testing.T) {
	c := newIAM(t)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Coder")}))(t)
	upload := func(body string) (*iamtypes.SSHPublicKey, error) {
		out, err := c.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("coder"), SSHPublicKeyBody: aws.String(body)})
		if err != nil {
			return nil, err
		}
		return out.SSHPublicKey, nil
	}
	k := must(upload(cred(t, "rsa1.pub")))(t)
	// The fingerprint is what `ssh-keygen -l -E md5` prints for the key.
	if aws.ToString(k.UserName) != "Coder" || !sshKeyID.MatchString(aws.ToString(k.SSHPublicKeyId)) || k.Status != iamtypes.StatusTypeActive ||
		aws.ToString(k.Fingerprint) != "f7:5d:ca:3a:27:9b:4a:ee:ac:1c:e9:bd:c1:e4:a1:7b" ||
		aws.ToString(k.SSHPublicKeyBody) != cred(t, "rsa1.pub") || k.UploadDate == nil {
		t.Errorf("UploadSSHPublicKey = %+v", k)
	}
	id := k.SSHPublicKeyId

	// The same key again, in PEM this time.
	_, err := upload(cred(t, "rsa1.pem"))
	wantErr(t, err, 400, "DuplicateSSHPublicKey", "The SSH public key is already associated with the specified IAM user.")
	for _, bad := range []struct{ body, code, msg string }{
		{cred(t, "rsa1024.pub"), "InvalidPublicKey", "The public key is malformed or otherwise invalid. It must be an RSA key of at least 2048 bits."},
		{"ssh-rsa AAAA%%%% me@host", "InvalidPublicKey", "The public key is malformed or otherwise invalid. It must be an RSA key of at least 2048 bits."},
		{cred(t, "ed25519.pub"), "UnrecognizedPublicKeyEncoding", "The public key encoding format is unsupported or unrecognized. It must be in ssh-rsa or PEM format."},
		{cred(t, "server.pem"), "UnrecognizedPublicKeyEncoding", "The public key encoding format is unsupported or unrecognized. It must be in ssh-rsa or PEM format."},
		{"not a key", "UnrecognizedPublicKeyEncoding", "The public key encoding format is unsupported or unrecognized. It must be in ssh-rsa or PEM format."},
	} {
		_, err := upload(bad.body)
		wantErr(t, err, 400, bad.code, bad.msg)
	}

	// Either encoding, whichever the key came in.
	get := func(enc iamtypes.EncodingType) *iamtypes.SSHPublicKey {
		return must(c.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String("Coder"), SSHPublicKeyId: id, Encoding: enc}))(t).SSHPublicKey
	}
	if got := get(iamtypes.EncodingTypeSsh); aws.ToString(got.SSHPublicKeyBody) != cred(t, "rsa1.pub") || aws.ToString(got.Fingerprint) != aws.ToString(k.Fingerprint) {
		t.Errorf("GetSSHPublicKey SSH = %+v", got)
	}
	if got := get(iamtypes.EncodingTypePem); strings.TrimSpace(aws.ToString(got.SSHPublicKeyBody)) != strings.TrimSpace(cred(t, "rsa1.pem")) {
		t.Errorf("GetSSHPublicKey PEM = %q, want ssh-keygen's %q", aws.ToString(got.SSHPublicKeyBody), cred(t, "rsa1.pem"))
	}

	// Five per user.
	want := []string{aws.ToString(id)}
	for i := 2; i <= 5; i++ {
		want = append(want, aws.ToString(must(upload(cred(t, "rsa"+string(rune('0'+i))+".pub")))(t).SSHPublicKeyId))
	}
	_, err = upload(cred(t, "rsa6.pub"))
	wantErr(t, err, 409, "LimitExceeded", "Cannot exceed quota for SSHPublicKeysPerUser: 5")
	list := must(c.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("coder")}))(t).SSHPublicKeys
	var got []string
	for _, m := range list {
		if aws.ToString(m.UserName) != "Coder" || m.Status != iamtypes.StatusTypeActive || m.UploadDate == nil {
			t.Errorf("listed %+v", m)
		}
		got = append(got, aws.ToString(m.SSHPublicKeyId))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("ListSSHPublicKeys = %v, want %v", got, want)
	}

	must(c.UpdateSSHPublicKey(ctx, &iam.UpdateSSHPublicKeyInput{UserName: aws.String("Coder"), SSHPublicKeyId: id, Status: iamtypes.StatusTypeInactive}))(t)
	if got := get(iamtypes.EncodingTypeSsh); got.Status != iamtypes.StatusTypeInactive {
		t.Errorf("status after UpdateSSHPublicKey: %s", got.Status)
	}
	_, err = c.UpdateSSHPublicKey(ctx, &iam.UpdateSSHPublicKeyInput{UserName: aws.String("Coder"), SSHPublicKeyId: id, Status: iamtypes.StatusTypeExpired})
	wantErr(t, err, 400, "ValidationError", msgStatusEnum)
	missing := aws.String("APKAAAAAAAAAAAAAAAAA")
	_, err = c.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String("Coder"), SSHPublicKeyId: missing, Encoding: iamtypes.EncodingTypeSsh})
	wantErr(t, err, 404, "NoSuchEntity", "The Public Key with id APKAAAAAAAAAAAAAAAAA cannot be found.")
	_, err = c.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String("Coder"), SSHPublicKeyId: missing})
	wantErr(t, err, 404, "NoSuchEntity", "The Public Key with id APKAAAAAAAAAAAAAAAAA cannot be found.")
	_, err = c.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("nobody"), SSHPublicKeyBody: aws.String(cred(t, "rsa6.pub"))})
	wantErr(t, err, 404, "NoSuchEntity", "The user with name nobody cannot be found.")
	// Another user's key is not this one's.
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("other")}))(t)
	_, err = c.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String("other"), SSHPublicKeyId: id})
	wantErr(t, err, 404, "NoSuchEntity", "The Public Key with id "+aws.ToString(id)+" cannot be found.")

	// The keys follow a renamed user, and hold its deletion back.
	must(c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("Coder"), NewUserName: aws.String("Dev")}))(t)
	if got := must(c.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String("Dev"), SSHPublicKeyId: id, Encoding: iamtypes.EncodingTypeSsh}))(t).SSHPublicKey; aws.ToString(got.UserName) != "Dev" {
		t.Errorf("after rename: %+v", got)
	}
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("Dev")})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete entity, must remove referenced objects first.")
	for _, k := range want {
		must(c.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String("Dev"), SSHPublicKeyId: aws.String(k)}))(t)
	}
	must(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("Dev")}))(t)
}

// TestSSHPublicKeysAuthorized: each call is authorized on the user it
// names, as stored; a user may manage its own keys through
// ${aws:username}, and list them without naming itself.
func TestSSHPublicKeysAuthorized(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	must(root.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))(t)
	dev, _ := newUser(t, root, rc.Config, nil, "dev", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Action":["iam:UploadSSHPublicKey","iam:ListSSHPublicKeys","iam:GetSSHPublicKey"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}`)
	k := must(dev.iam.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(cred(t, "rsa1.pub"))}))(t).SSHPublicKey
	if l := must(dev.iam.ListSSHPublicKeys(ctx, nil))(t).SSHPublicKeys; len(l) != 1 || aws.ToString(l[0].SSHPublicKeyId) != aws.ToString(k.SSHPublicKeyId) {
		t.Errorf("own ListSSHPublicKeys = %+v", l)
	}
	_, err := dev.iam.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("BOB"), SSHPublicKeyBody: aws.String(cred(t, "rsa2.pub"))})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"dev", "iam:UploadSSHPublicKey", "user bob"))
	_, err = dev.iam.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: k.SSHPublicKeyId})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"dev", "iam:DeleteSSHPublicKey", "user dev"))
	// The root user, naming no user, has no keys here.
	if l := must(root.iam.ListSSHPublicKeys(ctx, nil))(t).SSHPublicKeys; l == nil || len(l) != 0 {
		t.Errorf("root's ListSSHPublicKeys = %#v", l)
	}
}

const (
	msgMalformedCert = "Unable to parse certificate. Please ensure the certificate is in PEM format."
	msgChainIndex    = "Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, followed by any intermediaries in order. The index within the chain of the invalid certificate is: "
)

func TestServerCertificates(t *testing.T) {
	c := newIAM(t)
	body, key, chain := cred(t, "server.pem"), cred(t, "server.key"), cred(t, "chain.pem")
	upload := func(name string, mod ...func(*iam.UploadServerCertificateInput)) (*iam.UploadServerCertificateOutput, error) {
		in := &iam.UploadServerCertificateInput{ServerCertificateName: aws.String(name), CertificateBody: aws.String(body), PrivateKey: aws.String(key)}
		for _, m := range mod {
			m(in)
		}
		return c.UploadServerCertificate(ctx, in)
	}
	block, _ := pem.Decode([]byte(body))
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}

	out := must(upload("web", func(in *iam.UploadServerCertificateInput) {
		in.Path, in.CertificateChain = aws.String("/cloudfront/"), aws.String(chain)
		in.Tags = []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("edge")}}
	}))(t)
	md := out.ServerCertificateMetadata
	if aws.ToString(md.Arn) != "arn:aws:iam::000000000000:server-certificate/cloudfront/web" || aws.ToString(md.Path) != "/cloudfront/" ||
		aws.ToString(md.ServerCertificateName) != "web" || !serverCertID.MatchString(aws.ToString(md.ServerCertificateId)) ||
		md.Expiration == nil || !md.Expiration.Equal(leaf.NotAfter) || md.UploadDate == nil {
		t.Errorf("UploadServerCertificate = %+v", md)
	}
	if len(out.Tags) != 1 || aws.ToString(out.Tags[0].Key) != "team" {
		t.Errorf("UploadServerCertificate tags = %+v", out.Tags)
	}
	// A PKCS #1 key, no chain.
	must(upload("web-pkcs1", func(in *iam.UploadServerCertificateInput) { in.PrivateKey = aws.String(cred(t, "server-pkcs1.key")) }))(t)

	_, err = upload("WEB")
	wantErr(t, err, 409, "EntityAlreadyExists", "The Server Certificate with name WEB already exists.")
	for _, bad := range []struct {
		mod       func(*iam.UploadServerCertificateInput)
		code, msg string
	}{
		{func(in *iam.UploadServerCertificateInput) { in.CertificateBody = aws.String("not a certificate") }, "MalformedCertificate", msgMalformedCert},
		{func(in *iam.UploadServerCertificateInput) { in.CertificateBody = aws.String(body + chain) }, "MalformedCertificate", msgMalformedCert},
		{func(in *iam.UploadServerCertificateInput) { in.PrivateKey = aws.String(cred(t, "other.key")) }, "KeyPairMismatch", "The public key certificate and the private key do not match."},
		{func(in *iam.UploadServerCertificateInput) { in.PrivateKey = aws.String(body) }, "MalformedCertificate", "Unable to parse private key. Please ensure the private key is in PEM format."},
		// The root without the intermediate; the chain's order reversed.
		{func(in *iam.UploadServerCertificateInput) { in.CertificateChain = aws.String(cred(t, "ca.pem")) }, "MalformedCertificate", msgChainIndex + "-1"},
		{func(in *iam.UploadServerCertificateInput) {
			in.CertificateChain = aws.String(cred(t, "intermediate.pem") + body)
		}, "MalformedCertificate", msgChainIndex + "0"},
		// Text before the PEM (aws/aws-cli #715).
		{func(in *iam.UploadServerCertificateInput) {
			in.CertificateChain = aws.String("Subject: CN=x\n" + chain)
		}, "MalformedCertificate", msgChainIndex + "0"},
	} {
		_, err := upload("bad", bad.mod)
		wantErr(t, err, 400, bad.code, bad.msg)
	}

	sc := must(c.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("WEB")}))(t).ServerCertificate
	if aws.ToString(sc.CertificateBody) != body || aws.ToString(sc.CertificateChain) != chain || aws.ToString(sc.ServerCertificateMetadata.ServerCertificateId) != aws.ToString(md.ServerCertificateId) ||
		len(sc.Tags) != 1 {
		t.Errorf("GetServerCertificate = %+v", sc)
	}
	names := func(prefix string) (out []string) {
		for _, m := range must(c.ListServerCertificates(ctx, &iam.ListServerCertificatesInput{PathPrefix: aws.String(prefix)}))(t).ServerCertificateMetadataList {
			out = append(out, aws.ToString(m.ServerCertificateName))
		}
		return out
	}
	if got := names("/cloudfront/"); !slices.Equal(got, []string{"web"}) {
		t.Errorf("ListServerCertificates /cloudfront/ = %v", got)
	}
	if got := names("/"); !slices.Equal(got, []string{"web", "web-pkcs1"}) {
		t.Errorf("ListServerCertificates / = %v", got)
	}

	// Renamed and moved; the tags go with it.
	_, err = c.UpdateServerCertificate(ctx, &iam.UpdateServerCertificateInput{ServerCertificateName: aws.String("web"), NewServerCertificateName: aws.String("Web-PKCS1")})
	wantErr(t, err, 409, "EntityAlreadyExists", "The Server Certificate with name Web-PKCS1 already exists.")
	must(c.UpdateServerCertificate(ctx, &iam.UpdateServerCertificateInput{ServerCertificateName: aws.String("web"), NewServerCertificateName: aws.String("site"), NewPath: aws.String("/")}))(t)
	_, err = c.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("web")})
	wantErr(t, err, 404, "NoSuchEntity", "The Server Certificate with name web cannot be found.")
	must(c.TagServerCertificate(ctx, &iam.TagServerCertificateInput{ServerCertificateName: aws.String("site"), Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}))(t)
	must(c.UntagServerCertificate(ctx, &iam.UntagServerCertificateInput{ServerCertificateName: aws.String("site"), TagKeys: []string{"TEAM"}}))(t)
	tags := must(c.ListServerCertificateTags(ctx, &iam.ListServerCertificateTagsInput{ServerCertificateName: aws.String("site")}))(t).Tags
	if len(tags) != 1 || aws.ToString(tags[0].Key) != "env" {
		t.Errorf("ListServerCertificateTags = %+v", tags)
	}
	if got := must(c.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("site")}))(t).ServerCertificate.ServerCertificateMetadata; aws.ToString(got.Arn) != "arn:aws:iam::000000000000:server-certificate/site" {
		t.Errorf("after UpdateServerCertificate: %+v", got)
	}
	if n := must(c.GetAccountSummary(ctx, nil))(t).SummaryMap["ServerCertificates"]; n != 2 {
		t.Errorf("GetAccountSummary ServerCertificates = %d", n)
	}

	// Twenty to an account.
	for i := 3; i <= 20; i++ {
		must(upload("bulk-" + strings.Repeat("x", i)))(t)
	}
	_, err = upload("one-too-many")
	wantErr(t, err, 409, "LimitExceeded", "Cannot exceed quota for ServerCertificatesPerAccount: 20")

	must(c.DeleteServerCertificate(ctx, &iam.DeleteServerCertificateInput{ServerCertificateName: aws.String("SITE")}))(t)
	_, err = c.DeleteServerCertificate(ctx, &iam.DeleteServerCertificateInput{ServerCertificateName: aws.String("site")})
	wantErr(t, err, 404, "NoSuchEntity", "The Server Certificate with name site cannot be found.")
	_, err = c.ListServerCertificateTags(ctx, &iam.ListServerCertificateTagsInput{ServerCertificateName: aws.String("site")})
	wantErr(t, err, 404, "NoSuchEntity", "The Server Certificate with name site cannot be found.")
	must(upload("one-more"))(t)
}

// TestServerCertificatesAuthorized: the server-certificate resource, by
// its stored path; a rename needs the permission on both names.
func TestServerCertificatesAuthorized(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	must(root.iam.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("edge"), Path: aws.String("/public/"),
		CertificateBody: aws.String(cred(t, "server.pem")), PrivateKey: aws.String(cred(t, "server.key"))}))(t)
	ops, _ := newUser(t, root, rc.Config, nil, "ops", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Action":["iam:GetServerCertificate","iam:UpdateServerCertificate","iam:UploadServerCertificate"],"Resource":"arn:aws:iam::*:server-certificate/public/*"}]}`)
	must(ops.iam.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("EDGE")}))(t)
	must(ops.iam.UpdateServerCertificate(ctx, &iam.UpdateServerCertificateInput{ServerCertificateName: aws.String("edge"), NewServerCertificateName: aws.String("edge2")}))(t)
	_, err := ops.iam.UpdateServerCertificate(ctx, &iam.UpdateServerCertificateInput{ServerCertificateName: aws.String("edge2"), NewPath: aws.String("/private/")})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"ops", "iam:UpdateServerCertificate", "arn:aws:iam::000000000000:server-certificate/private/edge2"))
	_, err = ops.iam.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("inside"),
		CertificateBody: aws.String(cred(t, "server.pem")), PrivateKey: aws.String(cred(t, "server.key"))})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"ops", "iam:UploadServerCertificate", "arn:aws:iam::000000000000:server-certificate/inside"))
	_, err = ops.iam.ListServerCertificates(ctx, nil)
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"ops", "iam:ListServerCertificates", "*"))
}

func TestSigningCertificates(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	c := root.iam
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("other")}))(t)
	// The user manages its own certificates without naming itself.
	signer, _ := newUser(t, root, rc.Config, nil, "Signer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Action":["iam:*SigningCertificate*"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}`)
	sc := must(signer.iam.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{CertificateBody: aws.String(cred(t, "signing1.pem"))}))(t).Certificate
	if aws.ToString(sc.UserName) != "Signer" || !signingID.MatchString(aws.ToString(sc.CertificateId)) || aws.ToString(sc.CertificateBody) != cred(t, "signing1.pem") ||
		sc.Status != iamtypes.StatusTypeActive || sc.UploadDate == nil {
		t.Errorf("UploadSigningCertificate = %+v", sc)
	}
	// One certificate, one user of the account.
	_, err := c.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("other"), CertificateBody: aws.String(cred(t, "signing1.pem"))})
	wantErr(t, err, 409, "DuplicateCertificate", "The same certificate is associated with an IAM user in the account.")
	_, err = c.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("other"), CertificateBody: aws.String("invalid-certificate-body")})
	wantErr(t, err, 400, "MalformedCertificate", "Certificate invalid-certificate-body is malformed.")
	must(signer.iam.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{CertificateBody: aws.String(cred(t, "signing2.pem"))}))(t)
	_, err = signer.iam.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{CertificateBody: aws.String(cred(t, "signing3.pem"))})
	wantErr(t, err, 409, "LimitExceeded", "Cannot exceed quota for CertificatesPerUser: 2")

	if l := must(signer.iam.ListSigningCertificates(ctx, nil))(t).Certificates; len(l) != 2 || aws.ToString(l[0].UserName) != "Signer" {
		t.Errorf("ListSigningCertificates = %+v", l)
	}
	must(signer.iam.UpdateSigningCertificate(ctx, &iam.UpdateSigningCertificateInput{CertificateId: sc.CertificateId, Status: iamtypes.StatusTypeInactive}))(t)
	l := must(c.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("signer")}))(t).Certificates
	for _, x := range l {
		if aws.ToString(x.CertificateId) == aws.ToString(sc.CertificateId) && x.Status != iamtypes.StatusTypeInactive {
			t.Errorf("after UpdateSigningCertificate: %+v", x)
		}
	}
	missing := strings.Repeat("A", 32)
	_, err = c.UpdateSigningCertificate(ctx, &iam.UpdateSigningCertificateInput{UserName: aws.String("other"), CertificateId: sc.CertificateId, Status: iamtypes.StatusTypeActive})
	wantErr(t, err, 404, "NoSuchEntity", "The Certificate with id "+aws.ToString(sc.CertificateId)+" cannot be found.")
	_, err = c.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: aws.String("signer"), CertificateId: aws.String(missing)})
	wantErr(t, err, 404, "NoSuchEntity", "The Certificate with id "+missing+" cannot be found.")
	_, err = c.UpdateSigningCertificate(ctx, &iam.UpdateSigningCertificateInput{UserName: aws.String("signer"), CertificateId: sc.CertificateId, Status: "Expired"})
	wantErr(t, err, 400, "ValidationError", msgStatusEnum)

	// Not another user's; not the root user's own without a name.
	_, err = signer.iam.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("other")})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"Signer", "iam:ListSigningCertificates", "user other"))
	_, err = c.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{CertificateBody: aws.String(cred(t, "signing3.pem"))})
	wantErr(t, err, 400, "ValidationError", "Must specify userName when calling with non-User credentials")
	if l := must(c.ListSigningCertificates(ctx, nil))(t).Certificates; l == nil || len(l) != 0 {
		t.Errorf("root's ListSigningCertificates = %#v", l)
	}

	// They hold the user's deletion back.
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("Signer")})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete entity, must delete access keys first.")
	for _, k := range must(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("Signer")}))(t).AccessKeyMetadata {
		must(c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("Signer"), AccessKeyId: k.AccessKeyId}))(t)
	}
	must(c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("Signer"), PolicyName: aws.String("p")}))(t)
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("Signer")})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete entity, must delete certificates first.")
	for _, x := range l {
		must(c.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: aws.String("Signer"), CertificateId: x.CertificateId}))(t)
	}
	must(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("Signer")}))(t)
	// Its certificate is free for another user now.
	must(c.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("other"), CertificateBody: aws.String(cred(t, "signing1.pem"))}))(t)
}
