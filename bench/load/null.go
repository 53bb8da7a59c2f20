package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// nullIAM is just enough IAM for the generator: roles by name in a map,
// answers as small as IAM's are shaped. It measures the harness: what
// load reports against it is the ceiling of this machine, generator and
// net/http, for a server that does (almost) nothing. Tests give it a role
// quota and a hook to fail GetRole.
type nullIAM struct {
	mu      sync.Mutex
	roles   map[string]bool
	quota   int
	gets    int
	failGet func(n int) bool
}

func (f *nullIAM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_rolecall/health" {
		fmt.Fprint(w, `{"status":"running"}`)
		return
	}
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=test/") || !strings.Contains(auth, "/us-east-1/iam/aws4_request") ||
		r.Header.Get("X-Amz-Date") == "" || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded; charset=utf-8" {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, "<ErrorResponse><Error><Code>MissingAuthenticationToken</Code></Error></ErrorResponse>")
		return
	}
	r.ParseForm()
	name := r.PostForm.Get("RoleName")
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.PostForm.Get("Action") {
	case "CreateRole":
		switch {
		case f.roles[name]:
			w.WriteHeader(http.StatusConflict)
			fmt.Fprint(w, "<ErrorResponse><Error><Code>EntityAlreadyExists</Code></Error></ErrorResponse>")
		case f.quota > 0 && len(f.roles) >= f.quota:
			w.WriteHeader(http.StatusConflict)
			fmt.Fprint(w, "<ErrorResponse><Error><Code>LimitExceeded</Code></Error></ErrorResponse>")
		default:
			f.roles[name] = true
			fmt.Fprintf(w, "<CreateRoleResponse><CreateRoleResult><Role>%s</Role></CreateRoleResult></CreateRoleResponse>", roleXML(name))
		}
	case "GetRole":
		f.gets++
		if f.failGet != nil && f.failGet(f.gets) {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, "<ErrorResponse><Error><Code>ServiceFailure</Code><Message>boom</Message></Error></ErrorResponse>")
			return
		}
		if !f.roles[name] {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, "<ErrorResponse><Error><Code>NoSuchEntity</Code></Error></ErrorResponse>")
			return
		}
		fmt.Fprintf(w, "<GetRoleResponse><GetRoleResult><Role>%s</Role></GetRoleResult></GetRoleResponse>", roleXML(name))
	case "DeleteRole":
		if !f.roles[name] {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, "<ErrorResponse><Error><Code>NoSuchEntity</Code></Error></ErrorResponse>")
			return
		}
		delete(f.roles, name)
		fmt.Fprint(w, "<DeleteRoleResponse/>")
	case "ListRoles":
		var b bytes.Buffer
		b.WriteString("<ListRolesResponse><ListRolesResult><Roles>")
		n := 0
		for name := range f.roles {
			if n == 100 {
				break
			}
			fmt.Fprintf(&b, "<member>%s</member>", roleXML(name))
			n++
		}
		b.WriteString("</Roles></ListRolesResult></ListRolesResponse>")
		w.Write(b.Bytes())
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>")
	}
}

// roleXML is a role as IAM answers it, about as long.
func roleXML(name string) string {
	return "<Path>/</Path><RoleName>" + name + "</RoleName><RoleId>AROAEXAMPLEEXAMPLE01</RoleId>" +
		"<Arn>arn:aws:iam::000000000000:role/" + name + "</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate>" +
		"<AssumeRolePolicyDocument>" + escapedTrust + "</AssumeRolePolicyDocument>" +
		"<MaxSessionDuration>3600</MaxSessionDuration><RoleLastUsed/>"
}

var escapedTrust = strings.ReplaceAll(url.QueryEscape(trustPolicy), "+", "%20")
