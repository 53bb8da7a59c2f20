package server

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// The console takes its own paths and a browser's bare GET /, never an
// API request.
func TestIsConsole(t *testing.T) {
	for _, tc := range []struct {
		method, target, header, value string
		want                          bool
	}{
		{"GET", "/", "", "", true},
		{"HEAD", "/", "", "", true},
		{"GET", "/console", "", "", true},
		{"GET", "/console/iam/roles", "", "", true},
		{"POST", "/console/signin", "", "", true},
		{"POST", "/", "", "", false},
		{"GET", "/?Action=ListRoles&Version=2010-05-08", "", "", false},
		{"GET", "/", "Authorization", "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x", false},
		{"GET", "/", "X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListClusters", false},
		{"GET", "/consoles", "", "", false},
		{"GET", "/_rolecall/health", "", "", false},
	} {
		r := httptest.NewRequest(tc.method, tc.target, strings.NewReader(""))
		if tc.header != "" {
			r.Header.Set(tc.header, tc.value)
		}
		if got := isConsole(r); got != tc.want {
			t.Errorf("%s %s %s: %v", tc.method, tc.target, tc.header, got)
		}
	}
}
