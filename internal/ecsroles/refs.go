package ecsroles

import (
	"regexp"
	"strings"
)

// ecrImage matches a private Amazon ECR image: ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]/REPO[:TAG|@DIGEST]
// (Amazon ECR User Guide, "Private registry concepts").
var ecrImage = regexp.MustCompile(`^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/([^:@]+)`)

// ECRRepo reads a private ECR image reference: the registry's account and
// Region and the repository name.
func ECRRepo(image string) (account, region, repo string, ok bool) {
	m := ecrImage.FindStringSubmatch(image)
	if m == nil {
		return "", "", "", false
	}
	return m[1], m[2], m[3], true
}

// SecretRef is a container secret's source, as the agent resolves it.
type SecretRef struct {
	Service string // "secretsmanager" or "ssm"
	ARN     string // the resource IAM authorizes
	Note    string // how the ARN was completed, when it was
}

// ParseValueFrom resolves a secret's valueFrom (ECS Developer Guide, "Pass
// sensitive data to an Amazon ECS container"): a Secrets Manager secret ARN,
// optionally followed by :json-key:version-stage:version-id; a Parameter
// Store parameter ARN; or a parameter name in the task's Region and account.
func ParseValueFrom(v, partition, region, account string) SecretRef {
	if strings.HasPrefix(v, "arn:") {
		parts := strings.Split(v, ":")
		if len(parts) >= 7 && parts[2] == "secretsmanager" && parts[5] == "secret" {
			arn := strings.Join(parts[:7], ":")
			ref := SecretRef{Service: "secretsmanager", ARN: arn}
			// IAM authorizes the full ARN, with the six characters Secrets
			// Manager appends to the name; a partial ARN lacks them.
			if !hasSecretSuffix(parts[6]) {
				ref.ARN = arn + SecretSuffix
				ref.Note = "the task definition names the secret without the 6-character suffix Secrets Manager adds to its ARN; evaluated as " + ref.ARN
			}
			return ref
		}
		if len(parts) >= 6 && parts[2] == "ssm" {
			return SecretRef{Service: "ssm", ARN: v}
		}
		if len(parts) >= 3 {
			return SecretRef{Service: parts[2], ARN: v}
		}
		return SecretRef{Service: "ssm", ARN: v}
	}
	return SecretRef{Service: "ssm", ARN: "arn:" + partition + ":ssm:" + region + ":" + account + ":parameter/" + strings.TrimPrefix(v, "/")}
}

func hasSecretSuffix(name string) bool {
	i := strings.LastIndexByte(name, '-')
	if i < 0 || len(name)-i-1 != 6 {
		return false
	}
	for _, c := range name[i+1:] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// KMSKeyARN turns a key ID or ARN into the key ARN kms:Decrypt is
// authorized on; "" for AWS managed keys (alias/aws/...), which need no
// grant, and for aliases, which IAM does not authorize on.
func KMSKeyARN(key, partition, region, account string) string {
	switch {
	case key == "", strings.Contains(key, "alias/aws/"):
		return ""
	case strings.HasPrefix(key, "arn:") && strings.Contains(key, ":key/"):
		return key
	case strings.HasPrefix(key, "arn:"), strings.HasPrefix(key, "alias/"):
		return ""
	}
	return "arn:" + partition + ":kms:" + region + ":" + account + ":key/" + key
}

// S3Bucket turns arn:aws:s3:::bucket/key into the bucket's ARN.
func S3Bucket(objectARN string) string {
	const p = ":s3:::"
	i := strings.Index(objectARN, p)
	if i < 0 {
		return ""
	}
	rest := objectARN[i+len(p):]
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		rest = rest[:j]
	}
	return objectARN[:i+len(p)] + rest
}
