package rolecalltest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/internal/server"
)

// Reset forgets the state of account, or of every account when account
// is "", as POST /_rolecall/reset does: for a suite that shares one
// server between tests. It needs WithAllowReset or WithLenientAuth.
// Every account's reset is signed with Config's credentials (the default
// account's root); one account's as that account's root (the emulator
// convention's keys: the account ID, secret "test"), since only an
// account's own principals may reset it.
func (s *Server) Reset(ctx context.Context, account string) error {
	u := s.Endpoint + app.ResetPath
	if account != "" {
		u += "?" + url.Values{"account": {account}}.Encode()
	}
	creds, err := s.Config.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}
	if account != "" && account != s.Account {
		creds = aws.Credentials{AccessKeyID: account, SecretAccessKey: "test"}
	}
	_, err = s.post(ctx, creds, u, nil, "reset")
	return err
}

// post POSTs body to one of rolecall's own endpoints, signed with creds
// as `rolecall` commands sign (SigV4, service "rolecall"), and answers the
// body of a 200 answer; another is an error naming what asked.
func (s *Server) post(ctx context.Context, creds aws.Credentials, u string, body []byte, what string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), server.DecisionsService, s.Config.Region, time.Now()); err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("rolecalltest: %s: %s: %s", what, resp.Status, strings.TrimSpace(string(b)))
	}
	return b, nil
}
