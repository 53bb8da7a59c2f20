package iam

import (
	"net/http"

	"github.com/rolecall/rolecall/internal/awserr"
)

// AWS's error texts for the credential operations (SSH public keys,
// server and signing certificates, service-specific credentials, the
// credential report), kept as errors.go keeps the rest: where a text is
// recorded or reported the comment says where, the others are marked
// unverified and word what the IAM API reference says of the error.

var (
	// errDeleteConflictCertificates: DeleteUser of a user with signing
	// certificates ("DeleteConflict: Cannot delete entity, must delete
	// certificates first.", rebuy-de/aws-nuke #671,
	// hashicorp/terraform-provider-aws #10322).
	errDeleteConflictCertificates = awserr.DeleteConflict("Cannot delete entity, must delete certificates first.")
	// errDeleteConflictReferenced: DeleteUser of a user with SSH public
	// keys (rebuy-de/aws-nuke #522, hashicorp/terraform-provider-aws
	// #4176) or service-specific credentials (recorded,
	// test_delete_user_after_service_credential_created).
	errDeleteConflictReferenced = awserr.DeleteConflict("Cannot delete entity, must remove referenced objects first.")
)

// SSH public keys. Unverified, these texts: no public record shows IAM's
// words for these refusals.

var (
	errInvalidPublicKey        = awserr.New(http.StatusBadRequest, "InvalidPublicKey", "The public key is malformed or otherwise invalid. It must be an RSA key of at least 2048 bits.")
	errUnrecognizedKeyEncoding = awserr.New(http.StatusBadRequest, "UnrecognizedPublicKeyEncoding", "The public key encoding format is unsupported or unrecognized. It must be in ssh-rsa or PEM format.")
	errDuplicateSSHPublicKey   = awserr.New(http.StatusBadRequest, "DuplicateSSHPublicKey", "The SSH public key is already associated with the specified IAM user.")
	errSSHPublicKeyQuota       = errQuota("SSHPublicKeysPerUser", QuotaSSHPublicKeysPerUser)
)

// errNoSuchSSHPublicKey: recorded (LocalStack's
// test_iam_ssh_public_keys.snapshot.json, recorded against AWS 2026-02).
func errNoSuchSSHPublicKey(id string) error {
	return awserr.NoSuchEntity("The Public Key with id %s cannot be found.", id)
}

// Server certificates.

// errNoSuchServerCertificate: "NoSuchEntity: The Server Certificate with
// name acm-c207d9a89188 cannot be found." (convox/rack #783).
func errNoSuchServerCertificate(name string) error {
	return awserr.NoSuchEntity("The Server Certificate with name %s cannot be found.", name)
}

// errServerCertificateExists: "(EntityAlreadyExists) when calling the
// UploadServerCertificate operation: The Server Certificate with name
// le-www.example.com-new already exists." (dlapiduz/certbot-s3front #17).
func errServerCertificateExists(name string) error {
	return awserr.EntityAlreadyExists("The Server Certificate with name %s already exists.", name)
}

// errMalformedChain: "Unable to validate certificate chain. The
// certificate chain must start with the immediate signing certificate,
// followed by any intermediaries in order. The index within the chain of
// the invalid certificate is: -1" (go-acme/lego #304,
// mprahl/ansible-role-lets-encrypt-route-53 #52). Index -1 is the body,
// which the chain's first certificate did not sign; i is chain[i], which
// the next one did not.
func errMalformedChain(index int) error {
	return awserr.New(http.StatusBadRequest, "MalformedCertificate", "Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, followed by any intermediaries in order. The index within the chain of the invalid certificate is: %d", index)
}

var (
	// errMalformedCertificate: a body that is not one PEM certificate
	// ("MalformedCertificate: Unable to parse certificate. Please ensure
	// the certificate is in PEM format.", openshift/openshift-ansible
	// #11214 (raw XML, 400), vmware-archive/terraforming-aws #46).
	errMalformedCertificate = awserr.New(http.StatusBadRequest, "MalformedCertificate", "Unable to parse certificate. Please ensure the certificate is in PEM format.")
	// errMalformedPrivateKey: unverified; worded as the certificate's.
	errMalformedPrivateKey = awserr.New(http.StatusBadRequest, "MalformedCertificate", "Unable to parse private key. Please ensure the private key is in PEM format.")
	// errKeyPairMismatch: unverified.
	errKeyPairMismatch = awserr.New(http.StatusBadRequest, "KeyPairMismatch", "The public key certificate and the private key do not match.")
)

// Signing certificates.

// Signing certificates. Recorded (LocalStack's
// test_iam_signing_certificates.snapshot.json, recorded against AWS
// 2026-02): errNoSuchSigningCertificate, errMalformedSigningCertificate,
// errSigningCertificateQuota.

func errNoSuchSigningCertificate(id string) error {
	return awserr.NoSuchEntity("The Certificate with id %s cannot be found.", id)
}

// errMalformedSigningCertificate: UploadSigningCertificate names the body
// it cannot read ("Certificate invalid-certificate-body is malformed."),
// where UploadServerCertificate answers errMalformedCertificate.
func errMalformedSigningCertificate(body string) error {
	return awserr.New(http.StatusBadRequest, "MalformedCertificate", "Certificate %s is malformed.", body)
}

var (
	// errDuplicateCertificate: unverified text; the status is the model's.
	errDuplicateCertificate = awserr.New(http.StatusConflict, "DuplicateCertificate", "The same certificate is associated with an IAM user in the account.")
	// errSigningCertificateQuota: AWS names the quota CertificatesPerUser,
	// not as GetAccountSummary does (SigningCertificatesPerUserQuota).
	errSigningCertificateQuota = errQuota("CertificatesPerUser", QuotaSigningCertificatesPerUser)
)

// Service-specific credentials. Recorded (LocalStack's snapshot of AWS,
// TestIAMServiceSpecificCredentials): errServiceNotSupported,
// errNoSuchServiceCredential.

func errServiceNotSupported(service string) error {
	return awserr.NoSuchEntity("No such service %s is supported for Service Specific Credentials", service)
}

func errNoSuchServiceCredential(id string) error {
	return awserr.NoSuchEntity("No such credential %s exists", id)
}

var (
	// errServiceCredentialQuota: unverified quota name ("a maximum of two
	// sets of service-specific credentials for each supported service per
	// user", CreateServiceSpecificCredential API reference).
	errServiceCredentialQuota = errQuota("ServiceSpecificCredentialsPerUserPerService", QuotaServiceCredentialsPerService)
	// errCredentialAgeNotAPIKey: unverified. CredentialAgeDays "is only
	// valid for Bedrock and CloudWatch Logs API keys" (API reference).
	errCredentialAgeNotAPIKey = awserr.InvalidInput("CredentialAgeDays is only valid for API keys.")
	// errAllUsersWithUserName: unverified. AllUsers "cannot be specified
	// together with UserName" (ListServiceSpecificCredentials API
	// reference).
	errAllUsersWithUserName = awserr.InvalidInput("AllUsers cannot be specified together with UserName.")
)

// The credential report. AWS's ReportNotPresent carries no message, 410
// (recorded, LocalStack's test_iam_credential_report.snapshot.json,
// against AWS 2026-02; turbot/steampipe-plugin-aws #509); the other two
// are unverified and answered alike, with the model's statuses.
var (
	errReportNotPresent = awserr.New(http.StatusGone, "ReportNotPresent", "")
	errReportExpired    = awserr.New(http.StatusGone, "ReportExpired", "")
	errReportInProgress = awserr.New(http.StatusNotFound, "ReportInProgress", "")
)
