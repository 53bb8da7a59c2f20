package sts

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/store"
)

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func i32(v int32) *int32 { return &v }

// TestSessionsSurviveRestart: credentials are in the store, with their
// expiry; expired ones are kept (so they answer ExpiredToken) until long
// after, then purged.
func TestSessionsSurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	type fixture struct {
		*Service
		clock *ids.FixedClock
		gen   *ids.Sequence
		st    store.Store
	}
	open := func() *fixture {
		b, err := store.OpenBolt(path, store.BoltOptions{})
		if err != nil {
			t.Fatal(err)
		}
		f := &fixture{clock: &ids.FixedClock{T: epoch}, gen: &ids.Sequence{}, st: b}
		f.Service = New(Config{Store: b, Clock: f.clock, IDs: f.gen})
		return f
	}
	f := open()
	cr, err := f.GetSessionToken(context.Background(), principal.RootUser("111111111111"), GetSessionTokenInput{DurationSeconds: i32(900)})
	if err != nil {
		t.Fatal(err)
	}
	f.st.Close()

	f = open()
	defer f.st.Close()
	for range 10 {
		f.gen.ID("") // a new process's sequence must not hand out the old ids again
	}
	s, err := f.Session(context.Background(), cr.AccessKeyId)
	if err != nil || s == nil || s.SecretAccessKey != cr.SecretAccessKey || !s.Expiration.Equal(epoch.Add(15*time.Minute)) {
		t.Fatalf("after restart: %+v, %v", s, err)
	}
	// A month after expiry, the next issuance purges it.
	f.clock.Advance(keepExpired + time.Hour)
	if _, err := f.GetSessionToken(context.Background(), principal.RootUser("111111111111"), GetSessionTokenInput{}); err != nil {
		t.Fatal(err)
	}
	if s, _ := f.Session(context.Background(), cr.AccessKeyId); s != nil {
		t.Errorf("expired session not purged")
	}
}

func TestPackedPercents(t *testing.T) {
	cases := []struct {
		policy     string
		arns       []string
		tags       []principal.Tag
		pPct, tPct int
	}{
		{"", nil, nil, 0, 0},
		{bigPolicy(2048), nil, nil, 100, 0},
		{bigPolicy(2049), nil, nil, 101, 0},
		{"{ \"a\" : 1 }", []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}, nil, 3, 0},
		{"", nil, []principal.Tag{{Key: "team", Value: "blue"}}, 0, 1},
	}
	for _, c := range cases {
		p, tg := packedPercents(c.policy, c.arns, c.tags)
		if p != c.pPct || tg != c.tPct {
			t.Errorf("packedPercents(%.20q...) = %d, %d; want %d, %d", c.policy, p, tg, c.pPct, c.tPct)
		}
	}
}

// bigPolicy is a policy of n non-white-space characters.
func bigPolicy(n int) string {
	head := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::`
	tail := `"}]}`
	return head + strings.Repeat("b", n-len(head)-len(tail)) + tail
}

// BigPolicy is bigPolicy for the external tests.
var BigPolicy = bigPolicy
