package server

import (
	"net/http"
	"strings"
)

// target is where a request is going, read from what the SDKs always send:
// the SigV4 credential scope (service and region) and, for JSON protocols,
// X-Amz-Target.
type target struct {
	Service   string // signing name: "iam", "sts", "ecs", "application-autoscaling", "ec2"
	Region    string
	AccessKey string
	Operation string // from X-Amz-Target, for JSON protocols
	Target    string // X-Amz-Target as sent: read once, here
}

// route reads the request's target without consuming the body.
func route(r *http.Request) target {
	var t target
	if auth := header(r, "Authorization"); auth != "" {
		t.AccessKey, t.Region, t.Service = credentialScope(auth, "Credential=")
	} else if cred := r.URL.Query().Get("X-Amz-Credential"); cred != "" {
		t.AccessKey, t.Region, t.Service = splitScope(cred)
	}
	if tgt := header(r, "X-Amz-Target"); tgt != "" {
		t.Target = tgt
		prefix, op, ok := strings.Cut(tgt, ".")
		if ok {
			t.Operation = op
			if svc := jsonTargets[prefix]; svc != "" {
				t.Service = svc
			}
		}
	}
	return t
}

// jsonTargets maps X-Amz-Target prefixes to services.
var jsonTargets = map[string]string{
	"AmazonEC2ContainerServiceV20141113": "ecs",
	"AnyScaleFrontendService":            "application-autoscaling",
}

// credentialScope extracts "AKID/20240101/us-east-1/iam/aws4_request" from an
// Authorization header and splits it.
func credentialScope(authorization, key string) (accessKey, region, service string) {
	i := strings.Index(authorization, key)
	if i < 0 {
		return "", "", ""
	}
	return splitScope(credentialValue(authorization[i+len(key):]))
}

// credentialValue is v up to its first ',' or ' ': cut at the first ','
// and then at the first ' ' before it, by strings.IndexByte, which reads
// many bytes at a time (a loop over each, or strings.IndexAny, which
// builds its set of two bytes every time, cost every request more).
func credentialValue(v string) string {
	if j := strings.IndexByte(v, ','); j >= 0 {
		v = v[:j]
	}
	if j := strings.IndexByte(v, ' '); j >= 0 {
		v = v[:j]
	}
	return v
}

// splitScope reads the scope's five parts "/"-separated in place (every
// request does: no slice of them is made).
func splitScope(scope string) (accessKey, region, service string) {
	var parts [5]string
	rest := scope
	for i := range parts {
		var ok bool
		parts[i], rest, ok = strings.Cut(rest, "/")
		if ok != (i < len(parts)-1) {
			return "", "", ""
		}
	}
	return parts[0], parts[2], parts[3]
}

// header is r.Header.Get(key) for a key written in canonical form, as
// net/http stores a request's headers: Get would canonicalize the key
// again, and every request asks for half a dozen (issue 18).
func header(r *http.Request, key string) string {
	if v := r.Header[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
