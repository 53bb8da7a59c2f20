package authz

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/principal"
)

// Encoded authorization messages. "Some AWS operations additionally
// return an encoded message that can provide details about this
// authorization failure. ... The message is encoded because the details
// of the authorization status can contain privileged information that the
// user who requested the operation should not see" (STS API reference,
// DecodeAuthorizationMessage,
// https://docs.aws.amazon.com/STS/latest/APIReference/API_DecodeAuthorizationMessage.html).
// Every denial carries its message (Denial); EC2 shows it in its
// UnauthorizedOperation (awserr.UnauthorizedOperationFor), and STS decodes
// it for a caller of the same account allowed
// sts:DecodeAuthorizationMessage (DecodeMessage).
//
// The message is sealed (AES-GCM) with a key the authorizer draws when it
// first seals one and keeps in memory: a message outlives no restart, and
// then answers InvalidAuthorizationMessageException, as an expired one
// does on AWS.

// Denial is the authorizer's AccessDenied, with the decision it reports
// for an encoded authorization message. errors.As finds the
// *awserr.Error inside.
type Denial struct {
	err     *awserr.Error
	account string
	decoded []byte
	seal    *sealer
}

func (d *Denial) Error() string { return d.err.Error() }
func (d *Denial) Unwrap() error { return d.err }

// EncodedMessage is the denial's encoded authorization message.
func (d *Denial) EncodedMessage() string { return d.seal.seal(d.account, d.decoded) }

// decodedMessage is DecodeAuthorizationMessage's DecodedMessage, in the
// shape AWS answers it: {"allowed":false,"explicitDeny":false,
// "matchedStatements":{"items":[]},"failures":{"items":[]},"context":
// {"principal":{"id":...,"name":...,"arn":...},"action":...,"resource":...,
// "conditions":{"items":[{"key":...,"values":{"items":[{"value":...}]}}]}}}
// (aws/aws-sdk-go #1536, a decoded ec2:RunInstances denial).
type decodedMessage struct {
	Allowed           bool              `json:"allowed"`
	ExplicitDeny      bool              `json:"explicitDeny"`
	MatchedStatements items[statement]  `json:"matchedStatements"`
	Failures          items[struct{}]   `json:"failures"`
	Context           decodedMsgContext `json:"context"`
}

type items[T any] struct {
	Items []T `json:"items"`
}

// statement is a matched statement, as rolecall knows it: its Sid (or
// its position), its effect, and the policy it belongs to.
type statement struct {
	StatementID string `json:"statementId"`
	Effect      string `json:"effect"`
	Policy      string `json:"sourcePolicy,omitempty"`
	PolicyType  string `json:"sourcePolicyType,omitempty"`
}

type decodedMsgContext struct {
	Principal  msgPrincipal         `json:"principal"`
	Action     string               `json:"action"`
	Resource   string               `json:"resource"`
	Conditions items[conditionItem] `json:"conditions"`
}

type msgPrincipal struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	ARN  string `json:"arn"`
}

type conditionItem struct {
	Key    string             `json:"key"`
	Values items[valueOfItem] `json:"values"`
}

type valueOfItem struct {
	Value string `json:"value"`
}

// denial is err with the decision rec records for p, explained
// (explainDenial has filled its statements and context).
func (a *Authorizer) denial(err *awserr.Error, rec *Record, p *principal.Principal) error {
	m := decodedMessage{
		ExplicitDeny:      rec.Decision == "explicitDeny",
		MatchedStatements: items[statement]{Items: []statement{}},
		Failures:          items[struct{}]{Items: []struct{}{}},
		Context: decodedMsgContext{
			Principal:  msgPrincipal{ID: p.UserID, ARN: p.ARN},
			Action:     rec.Action,
			Resource:   rec.Denied,
			Conditions: items[conditionItem]{Items: []conditionItem{}},
		},
	}
	if p.Kind == principal.User {
		m.Context.Principal.Name = p.Name
	}
	for _, s := range rec.Matched {
		id := s.Sid
		if id == "" {
			id = "statement " + strconv.Itoa(s.Index)
		}
		m.MatchedStatements.Items = append(m.MatchedStatements.Items, statement{StatementID: id, Effect: strings.ToUpper(s.Effect), Policy: s.Source, PolicyType: s.Type})
	}
	keys := make([]string, 0, len(rec.Context))
	for k := range rec.Context {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		ci := conditionItem{Key: k, Values: items[valueOfItem]{Items: []valueOfItem{}}}
		for _, v := range rec.Context[k] {
			ci.Values.Items = append(ci.Values.Items, valueOfItem{Value: v})
		}
		m.Context.Conditions.Items = append(m.Context.Conditions.Items, ci)
	}
	b, jerr := json.Marshal(&m)
	if jerr != nil {
		return err // the denial stands without its message
	}
	return &Denial{err: err, account: rec.Account, decoded: b, seal: &a.seal}
}

// DecodeMessage is the decoded message of encoded, for a caller of
// account; ok is false for a message rolecall did not encode, encoded
// for another account, or sealed before rolecall last started.
func (a *Authorizer) DecodeMessage(encoded, account string) (string, bool) {
	if a == nil {
		return "", false
	}
	return a.seal.open(encoded, account)
}

// sealer seals messages with a key drawn on first use.
type sealer struct {
	once sync.Once
	aead cipher.AEAD
}

func (s *sealer) init() {
	s.once.Do(func() {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			panic("authz: crypto/rand failed: " + err.Error())
		}
		block, _ := aes.NewCipher(key)
		s.aead, _ = cipher.NewGCM(block)
	})
}

// seal is nonce, then the message sealed with the account as additional
// data, base64url: what AWS's encoded messages look like (letters,
// digits, '-' and '_').
func (s *sealer) seal(account string, msg []byte) string {
	s.init()
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(msg)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("authz: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, msg, []byte(account)))
}

func (s *sealer) open(encoded, account string) (string, bool) {
	s.init()
	b, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", false
	}
	n := s.aead.NonceSize()
	msg, err := s.aead.Open(nil, b[:n], b[n:], []byte(account))
	if err != nil {
		return "", false
	}
	return string(msg), true
}
