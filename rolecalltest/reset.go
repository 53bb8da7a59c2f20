package rolecalltest

import (
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
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return err
	}
	creds, err := s.Config.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}
	if account != "" && account != s.Account {
		creds = aws.Credentials{AccessKeyID: account, SecretAccessKey: "test"}
	}
	empty := sha256.Sum256(nil)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(empty[:]), server.DecisionsService, s.Config.Region, time.Now()); err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("rolecalltest: reset: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}
