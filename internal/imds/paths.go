package imds

import "strings"

// What an instance's metadata service serves, by path: the categories of
// "Instance metadata categories"
// (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html)
// and "Instance identity documents"
// (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-identity-documents.html)
// that are about roles and placement. A directory lists what it holds,
// one per line, subdirectories with a trailing slash, as IMDS does.

// node is a path IMDS serves.
type node uint8

const (
	nodeNone node = iota
	nodeVersions
	nodeLatest
	nodeMetaData
	nodeAMIID
	nodeHostname
	nodeInstanceID
	nodeInstanceType
	nodeLocalHostname
	nodeLocalIPv4
	nodeIAM
	nodeIAMInfo
	nodeCredentialsList
	nodeCredentials // iam/security-credentials/ROLE
	nodePlacement
	nodeAvailabilityZone
	nodeRegion
	nodeDynamic
	nodeIdentity
	nodeIdentityDocument
	nodeToken
)

const credentialsPrefix = "/latest/meta-data/iam/security-credentials/"

var paths = map[string]node{
	"/":                                             nodeVersions,
	"/latest":                                       nodeLatest,
	"/latest/meta-data":                             nodeMetaData,
	"/latest/meta-data/ami-id":                      nodeAMIID,
	"/latest/meta-data/hostname":                    nodeHostname,
	"/latest/meta-data/instance-id":                 nodeInstanceID,
	"/latest/meta-data/instance-type":               nodeInstanceType,
	"/latest/meta-data/local-hostname":              nodeLocalHostname,
	"/latest/meta-data/local-ipv4":                  nodeLocalIPv4,
	"/latest/meta-data/iam":                         nodeIAM,
	"/latest/meta-data/iam/info":                    nodeIAMInfo,
	"/latest/meta-data/iam/security-credentials":    nodeCredentialsList,
	"/latest/meta-data/placement":                   nodePlacement,
	"/latest/meta-data/placement/availability-zone": nodeAvailabilityZone,
	"/latest/meta-data/placement/region":            nodeRegion,
	"/latest/dynamic":                               nodeDynamic,
	"/latest/dynamic/instance-identity":             nodeIdentity,
	"/latest/dynamic/instance-identity/document":    nodeIdentityDocument,
	tokenPath: nodeToken,
}

// listings are what the directories hold.
var listings = map[node]string{
	nodeVersions:  "latest",
	nodeLatest:    "dynamic\nmeta-data",
	nodeMetaData:  "ami-id\nhostname\niam/\ninstance-id\ninstance-type\nlocal-hostname\nlocal-ipv4\nplacement/",
	nodeIAM:       "info\nsecurity-credentials/",
	nodePlacement: "availability-zone\nregion",
	nodeDynamic:   "instance-identity/",
	nodeIdentity:  "document",
}

// parsePath is the node p names, and for iam/security-credentials/ROLE
// the role name asked. A trailing slash is taken as IMDS takes it (the
// SDKs ask for security-credentials/ with one, curl users without); an
// empty segment, "." or ".." names nothing.
func parsePath(p string) (n node, role string) {
	if p == "" || p[0] != '/' {
		return nodeNone, ""
	}
	if p != "/" {
		p = strings.TrimSuffix(p, "/")
	}
	if strings.Contains(p, "//") || strings.Contains(p, "/./") || strings.Contains(p, "/../") ||
		strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..") {
		return nodeNone, ""
	}
	if n, ok := paths[p]; ok {
		return n, ""
	}
	if rest, ok := strings.CutPrefix(p, credentialsPrefix); ok && rest != "" && !strings.Contains(rest, "/") {
		return nodeCredentials, rest
	}
	return nodeNone, ""
}
