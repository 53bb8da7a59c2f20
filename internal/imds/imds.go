// Package imds serves what EC2 serves an instance: its instance metadata
// service (IMDSv2), from which the SDKs read the instance role's
// credentials; and rolecall's endpoint to launch, list and terminate the
// instances internal/instances keeps (control.go, under /_rolecall/ec2/).
//
// Each running instance has its own metadata service on its own loopback
// port, as each EC2 instance has its own 169.254.169.254: the SDKs take
// AWS_EC2_METADATA_SERVICE_ENDPOINT as a base URL whose path they replace
// with theirs (aws-sdk-go-v2 feature/ec2/imds sets the request's
// URL.Path), so one port cannot tell instances apart by path. The port is
// kept with the instance and bound again when rolecall starts, or another
// if it is taken.
package imds

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/instances"
	"github.com/rolecall/rolecall/internal/server"
)

// Config is what a Server is built from.
type Config struct {
	Instances *instances.Service
	Clock     ids.Clock
	Log       *slog.Logger
}

// Server runs the metadata services of the running instances.
type Server struct {
	instances *instances.Service
	clock     ids.Clock
	log       *slog.Logger
	tokens    tokens

	mu     sync.Mutex
	open   map[string]*http.Server // by instance ID
	closed bool
}

// limits bound one metadata service: rolecall's own, with fewer
// connections (one program's SDKs use it).
var limits = func() server.Limits {
	l := server.DefaultLimits
	l.MaxConnections = 64
	return l
}()

// New returns a Server; Start serves the instances already running.
func New(c Config) *Server {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic("imds: crypto/rand failed: " + err.Error())
	}
	return &Server{instances: c.Instances, clock: c.Clock, log: c.Log, tokens: tokens{key: key}, open: map[string]*http.Server{}}
}

// Listen opens a loopback listener on port, 0 for one the system picks.
func Listen(port int) (net.Listener, error) {
	return net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
}

// Port is a listener's port.
func Port(ln net.Listener) int {
	if a, ok := ln.Addr().(*net.TCPAddr); ok {
		return a.Port
	}
	return 0
}

// Endpoint is the metadata service's URL for a port:
// AWS_EC2_METADATA_SERVICE_ENDPOINT.
func Endpoint(port int) string { return "http://127.0.0.1:" + strconv.Itoa(port) + "/" }

// Start serves the metadata of every running instance, each on the port
// it was given when that is free, else on a new one (recorded, and
// logged).
func (s *Server) Start(ctx context.Context) error {
	running, err := s.instances.Running(ctx)
	if err != nil {
		return err
	}
	for _, inst := range running {
		ln, err := Listen(inst.MetadataPort)
		if err != nil || inst.MetadataPort == 0 {
			if ln, err = Listen(0); err != nil {
				return fmt.Errorf("instance %s: cannot listen for its metadata service: %w", inst.InstanceId, err)
			}
			s.log.Warn("instance metadata: the instance's port is taken; its metadata service listens on another (run `rolecall instance env` again)",
				"instance", inst.InstanceId, "port", inst.MetadataPort, "new_port", Port(ln))
			inst.MetadataPort = Port(ln)
			if err := s.instances.SetMetadataPort(ctx, inst.Account, inst.InstanceId, inst.MetadataPort); err != nil {
				ln.Close()
				return err
			}
		}
		s.Serve(inst, ln)
	}
	return nil
}

// Serve serves inst's metadata on ln until Close or Shutdown. An instance
// that is no longer running (terminated, or forgotten by a reset while it
// was being launched) is not served, and ln is closed.
func (s *Server) Serve(inst instances.Instance, ln net.Listener) {
	hs := limits.HTTPServer(&metadata{s: s, inst: inst})
	s.mu.Lock()
	// Checked under mu, so that Forget, which holds it too, either sees
	// the instance served or this sees the instance gone.
	if s.closed || !s.running(inst) {
		s.mu.Unlock()
		ln.Close()
		return
	}
	if old := s.open[inst.InstanceId]; old != nil {
		old.Close()
	}
	s.open[inst.InstanceId] = hs
	s.mu.Unlock()
	s.log.Info("instance metadata listening", "instance", inst.InstanceId, "endpoint", Endpoint(Port(ln)))
	go func() {
		if err := hs.Serve(limits.Listener(ln, s.log)); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("instance metadata service stopped", "instance", inst.InstanceId, "error", err)
		}
	}()
}

// Close stops serving an instance's metadata (it was terminated).
func (s *Server) Close(id string) {
	s.mu.Lock()
	hs := s.open[id]
	delete(s.open, id)
	s.mu.Unlock()
	if hs != nil {
		hs.Close()
	}
}

// running reports whether inst, as launched, is still running.
func (s *Server) running(inst instances.Instance) bool {
	cur, err := s.instances.Get(context.Background(), inst.Account, inst.InstanceId)
	return err == nil && cur.State == instances.StateRunning && cur.LaunchTime.Equal(inst.LaunchTime)
}

// Forget stops the metadata services of instances that are no longer
// running: after a reset (POST /_rolecall/reset) forgot them.
func (s *Server) Forget(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	running, err := s.instances.Running(ctx)
	if err != nil {
		return err
	}
	keep := make(map[string]bool, len(running))
	for _, inst := range running {
		keep[inst.InstanceId] = true
	}
	for id, hs := range s.open {
		if !keep[id] {
			delete(s.open, id)
			hs.Close()
			s.log.Info("instance metadata stopped: the instance was reset", "instance", id)
		}
	}
	return nil
}

// Serving reports whether an instance's metadata is being served.
func (s *Server) Serving(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open[id] != nil
}

// Shutdown stops every metadata service, letting requests under way end
// until ctx is done.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	open := s.open
	s.open = map[string]*http.Server{}
	s.mu.Unlock()
	var first error
	for _, hs := range open {
		if err := hs.Shutdown(ctx); err != nil && first == nil {
			first = err
			hs.Close()
		}
	}
	return first
}

// metadata is one instance's metadata service.
type metadata struct {
	s    *Server
	inst instances.Instance // as it was launched: what its tokens are for
}

func (m *metadata) tokenFor() tokenFor {
	return tokenFor{Account: m.inst.Account, InstanceID: m.inst.InstanceId, LaunchTime: m.inst.LaunchTime}
}

func (m *metadata) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Server", "EC2ws")
	n, role := parsePath(r.URL.Path)
	if n == nodeToken {
		m.serveToken(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeStatus(w, http.StatusMethodNotAllowed)
		return
	}
	tok := r.Header.Get(tokenHeader)
	if tok == "" {
		// IMDSv1: the instance requires IMDSv2 ("requests without a valid
		// token or with an expired token receive a 401 - Unauthorized").
		writeStatus(w, http.StatusUnauthorized)
		return
	}
	if len(r.Header.Values("X-Forwarded-For")) > 0 {
		// A token used through a proxy: refused, 403 (jtblin/kube2iam
		// #279: "the subsequent GET requests still had the
		// X-Forwarded-For header which AWS rejects with a 403").
		writeForbidden(w)
		return
	}
	inst, ok := m.running(r.Context(), tok)
	if !ok {
		writeStatus(w, http.StatusUnauthorized)
		return
	}
	switch n {
	case nodeNone:
		writeStatus(w, http.StatusNotFound)
	case nodeAMIID:
		writeText(w, inst.ImageId)
	case nodeHostname, nodeLocalHostname:
		writeText(w, inst.Hostname())
	case nodeInstanceID:
		writeText(w, inst.InstanceId)
	case nodeInstanceType:
		writeText(w, inst.InstanceType)
	case nodeLocalIPv4:
		writeText(w, inst.PrivateIp)
	case nodeAvailabilityZone:
		writeText(w, inst.AvailabilityZone)
	case nodeRegion:
		writeText(w, inst.Region)
	case nodeIdentityDocument:
		writeDoc(w, identityDocument(inst))
	case nodeIAMInfo, nodeCredentialsList, nodeCredentials:
		m.serveRole(w, r, n, role)
	default:
		writeText(w, listings[n])
	}
}

// running is the instance, if tok is a live token of it and it still
// runs: a token of a terminated instance is refused (401) as an expired
// one.
func (m *metadata) running(ctx context.Context, tok string) (*instances.Instance, bool) {
	if !m.s.tokens.valid(tok, m.tokenFor(), m.s.clock.Now()) {
		return nil, false
	}
	inst, err := m.s.instances.Get(ctx, m.inst.Account, m.inst.InstanceId)
	if err != nil || inst.State != instances.StateRunning || !inst.LaunchTime.Equal(m.inst.LaunchTime) {
		return nil, false
	}
	return inst, true
}

// serveToken answers PUT /latest/api/token: 400 for a missing or invalid
// TTL ("400 - Missing or Invalid Parameters – The PUT request is not
// valid", EC2 User Guide, "Instance metadata access considerations"),
// 403 for a request with X-Forwarded-For (IMDSv2 issues no token through
// a proxy, AWS Security Blog, "Add defense in depth against open
// firewalls, reverse proxies, and SSRF vulnerabilities with enhancements
// to the EC2 Instance Metadata Service"; jtblin/kube2iam #241 logs the
// 403, aws/aws-sdk-kotlin #627 shows EC2's empty text/plain answer). The
// answer's X-aws-ec2-metadata-token-ttl-seconds is the TTL, which
// aws-sdk-go-v2 requires.
func (m *metadata) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut {
		// rolecall's reading: only PUT issues tokens.
		w.Header().Set("Allow", "PUT")
		writeStatus(w, http.StatusMethodNotAllowed)
		return
	}
	if len(r.Header.Values("X-Forwarded-For")) > 0 {
		writeForbidden(w)
		return
	}
	vals := r.Header.Values(ttlHeader)
	if len(vals) != 1 {
		writeStatus(w, http.StatusBadRequest)
		return
	}
	ttl, ok := parseTTL(vals[0])
	if !ok {
		writeStatus(w, http.StatusBadRequest)
		return
	}
	inst, err := m.s.instances.Get(r.Context(), m.inst.Account, m.inst.InstanceId)
	if err != nil || inst.State != instances.StateRunning {
		writeStatus(w, http.StatusNotFound)
		return
	}
	tok := m.s.tokens.mint(m.tokenFor(), m.s.clock.Now().Add(time.Duration(ttl)*time.Second))
	w.Header().Set(ttlHeader, strconv.Itoa(ttl))
	writeText(w, tok)
}

// serveRole answers iam/info and iam/security-credentials[/ROLE] from
// what EC2 delivers to the instance now (instances.RoleCredentials).
func (m *metadata) serveRole(w http.ResponseWriter, r *http.Request, n node, role string) {
	rc, err := m.s.instances.RoleCredentials(r.Context(), m.inst.Account, m.inst.InstanceId)
	if err != nil {
		m.s.log.Error("instance metadata: role credentials", "instance", m.inst.InstanceId, "error", err)
		writeStatus(w, http.StatusInternalServerError)
		return
	}
	updated := stamp(rc.LastUpdated)
	switch {
	case rc.InstanceProfileArn == "":
		// No instance profile: no iam category (the User Guide's
		// "Instance metadata categories" gives iam/ to instances with a
		// role).
		writeStatus(w, http.StatusNotFound)
	case n == nodeIAMInfo && rc.Code == instances.CodeSuccess && rc.Message == "":
		writeDoc(w, []field{{"Code", rc.Code}, {"LastUpdated", updated},
			{"InstanceProfileArn", rc.InstanceProfileArn}, {"InstanceProfileId", rc.InstanceProfileId}})
	case n == nodeIAMInfo && rc.Code == instances.CodeSuccess:
		writeDoc(w, []field{{"Code", rc.Code}, {"Message", rc.Message}, {"LastUpdated", updated},
			{"InstanceProfileArn", rc.InstanceProfileArn}, {"InstanceProfileId", rc.InstanceProfileId}})
	case n == nodeIAMInfo:
		writeDoc(w, []field{{"Code", rc.Code}, {"Message", rc.Message}, {"LastUpdated", updated}})
	case rc.RoleName == "":
		// No role (none in the profile, or the profile is gone): no
		// credentials subtree.
		writeStatus(w, http.StatusNotFound)
	case n == nodeCredentialsList:
		writeText(w, rc.RoleName)
	case role != rc.RoleName:
		writeStatus(w, http.StatusNotFound)
	case rc.Code != instances.CodeSuccess:
		// "IMDS can return a 200 response that has a JSON formatted error
		// message (i.e. if ec2 is not trusted entity for the attached
		// role)" (botocore, utils.py, InstanceMetadataFetcher).
		writeDoc(w, []field{{"Code", rc.Code}, {"Message", rc.Message}, {"LastUpdated", updated}})
	default:
		writeDoc(w, []field{{"Code", rc.Code}, {"LastUpdated", updated}, {"Type", "AWS-HMAC"},
			{"AccessKeyId", rc.AccessKeyId}, {"SecretAccessKey", rc.SecretAccessKey}, {"Token", rc.Token},
			{"Expiration", stamp(rc.Expiration)}})
	}
}

// identityDocument is the instance identity document, in the order and
// form of the EC2 User Guide's example ("Instance identity documents").
func identityDocument(inst *instances.Instance) []field {
	return []field{
		{"accountId", inst.Account}, {"architecture", inst.Architecture}, {"availabilityZone", inst.AvailabilityZone},
		{"billingProducts", nil}, {"devpayProductCodes", nil}, {"marketplaceProductCodes", nil},
		{"imageId", inst.ImageId}, {"instanceId", inst.InstanceId}, {"instanceType", inst.InstanceType},
		{"kernelId", nil}, {"pendingTime", stamp(inst.LaunchTime)}, {"privateIp", inst.PrivateIp},
		{"ramdiskId", nil}, {"region", inst.Region}, {"version", "2017-09-30"},
	}
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// field is one member of a document; a nil value is JSON's null.
type field struct {
	key   string
	value any
}

// writeDoc writes a JSON document as IMDS formats its own: two-space
// indent, " : " between a key and its value, members in order.
func writeDoc(w http.ResponseWriter, fields []field) {
	var b strings.Builder
	b.WriteString("{\n")
	for i, f := range fields {
		k, _ := json.Marshal(f.key)
		v := []byte("null")
		if s, ok := f.value.(string); ok {
			v, _ = json.Marshal(s)
		}
		fmt.Fprintf(&b, "  %s : %s", k, v)
		if i < len(fields)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}")
	writeText(w, b.String())
}

func writeText(w http.ResponseWriter, s string) {
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Content-Length", strconv.Itoa(len(s)))
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(s))
}

// writeStatus answers an error as IMDS does: an XHTML page naming the
// status (aws/amazon-ec2-metadata-mock, pkg/server; aws/amazon-cloudwatch-agent
// #1139 quotes EC2's own).
func writeStatus(w http.ResponseWriter, status int) {
	title := strconv.Itoa(status) + " - " + http.StatusText(status)
	body := `<?xml version="1.0" encoding="iso-8859-1"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
	"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <head>
  <title>` + title + `</title>
 </head>
 <body>
  <h1>` + title + `</h1>
 </body>
</html>
`
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write([]byte(body))
}

// writeForbidden is EC2's answer to a request with X-Forwarded-For: 403,
// text/plain, no body (aws/aws-sdk-kotlin #627).
func writeForbidden(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusForbidden)
}
