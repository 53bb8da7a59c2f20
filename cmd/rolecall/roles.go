package main

// rolecall roles: a person's view of an account's roles, asked of a running
// rolecall through the IAM API (the same calls any client makes), so it
// shows what the server shows and needs no access to its state file.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

const slrPathPrefix = "/aws-service-role/"

func rolesUsage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  rolecall roles [--endpoint URL]             list the account's roles: service-linked, service, other
  rolecall roles show NAME [--endpoint URL]   a role's trust, permissions and last use

`+endpointHelp+`
`)
}

func roles(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("roles", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { rolesUsage(stderr) }
	endpoint := endpointFlag(fs)
	words, err := parseWords(fs, args)
	if err != nil {
		return 2
	}
	var name string
	switch {
	case len(words) == 0:
	case len(words) == 2 && words[0] == "show":
		name = words[1]
	default:
		rolesUsage(stderr)
		return 2
	}
	show := name != ""
	c := iamClient(*endpoint)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if show {
		err = showRole(ctx, c, name, stdout)
	} else {
		err = listRoles(ctx, c, stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "rolecall roles: %s\n", describeErr(err))
		return 1
	}
	return 0
}

// iamClient talks to rolecall at endpoint with the default account's keys
// (or the environment's, when it has them).
func iamClient(endpoint string) *iam.Client {
	endpoint = endpointURL(endpoint)
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		id, secret = "test", "test"
	}
	return iam.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(id, secret, os.Getenv("AWS_SESSION_TOKEN")),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
	})
}

// describeErr turns an AWS error into its code and message, and a refused
// connection into a hint.
func describeErr(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	if strings.Contains(err.Error(), "connection refused") {
		return err.Error() + "\n(is rolecall running? start it with 'rolecall serve', or pass --endpoint)"
	}
	return err.Error()
}

// roleKind sorts a role into the groups a person thinks in: service-linked
// (owned by an AWS service), service (an AWS service may assume it), other.
func roleKind(r types.Role) (kind string, services []string) {
	if strings.HasPrefix(aws.ToString(r.Path), slrPathPrefix) {
		return "service-linked", []string{strings.TrimSuffix(strings.TrimPrefix(aws.ToString(r.Path), slrPathPrefix), "/")}
	}
	if s := trustedServices(aws.ToString(r.AssumeRolePolicyDocument)); len(s) > 0 {
		return "service", s
	}
	return "other", nil
}

// trustedServices lists the Service principals a trust policy allows.
func trustedServices(doc string) []string { return trustedPrincipals(doc, "Service") }

// trustedPrincipals lists the principals of the given types (AWS, Service,
// Federated) that a trust policy's Allow statements name.
func trustedPrincipals(doc string, kinds ...string) []string {
	var d struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(decodePolicy(doc)), &d); err != nil {
		return nil
	}
	var stmts []struct {
		Effect    string
		Principal json.RawMessage
	}
	if err := json.Unmarshal(d.Statement, &stmts); err != nil {
		var one struct {
			Effect    string
			Principal json.RawMessage
		}
		if json.Unmarshal(d.Statement, &one) != nil {
			return nil
		}
		stmts = append(stmts, one)
	}
	seen := map[string]bool{}
	for _, s := range stmts {
		if s.Effect != "Allow" {
			continue
		}
		var p map[string]json.RawMessage
		if json.Unmarshal(s.Principal, &p) != nil {
			// "Principal": "*" names everyone, AWS principals included.
			var star string
			if json.Unmarshal(s.Principal, &star) == nil && star == "*" && slices.Contains(kinds, "AWS") {
				seen["*"] = true
			}
			continue
		}
		for _, kind := range kinds {
			if raw, ok := p[kind]; ok {
				for _, v := range stringOrList(raw) {
					seen[v] = true
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

func stringOrList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}

// decodePolicy undoes IAM's URL-encoding of policy documents.
func decodePolicy(doc string) string {
	if s, err := url.QueryUnescape(doc); err == nil {
		return s
	}
	return doc
}

func listRoles(ctx context.Context, c *iam.Client, w io.Writer) error {
	var all []types.Role
	p := iam.NewListRolesPaginator(c, &iam.ListRolesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		all = append(all, page.Roles...)
	}
	groups := map[string][]types.Role{}
	for _, r := range all {
		k, _ := roleKind(r)
		groups[k] = append(groups[k], r)
	}
	titles := []struct{ kind, title string }{
		{"service-linked", "Service-linked roles (owned by an AWS service; only it may change them)"},
		{"service", "Service roles (an AWS service may assume them)"},
		{"other", "Other roles"},
	}
	for i, g := range titles {
		if i > 0 {
			fmt.Fprintln(w)
		}
		list := groups[g.kind]
		fmt.Fprintf(w, "%s: %d\n", g.title, len(list))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, r := range list {
			_, services := roleKind(r)
			col := strings.Join(services, ", ")
			if g.kind == "other" {
				// Who may assume it: what a person asks of a role no
				// service uses.
				col = "nobody may assume it"
				if who := trustedPrincipals(aws.ToString(r.AssumeRolePolicyDocument), "AWS", "Federated"); len(who) > 0 {
					col = "assumed by " + strings.Join(who, ", ")
				}
			}
			fmt.Fprintf(tw, "  %s\t%s\n", aws.ToString(r.RoleName), col)
		}
		tw.Flush()
	}
	return nil
}

func showRole(ctx context.Context, c *iam.Client, name string, w io.Writer) error {
	out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return err
	}
	r := out.Role
	var attached []types.AttachedPolicy
	ap := iam.NewListAttachedRolePoliciesPaginator(c, &iam.ListAttachedRolePoliciesInput{RoleName: r.RoleName})
	for ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		if err != nil {
			return err
		}
		attached = append(attached, page.AttachedPolicies...)
	}
	var inline []string
	ip := iam.NewListRolePoliciesPaginator(c, &iam.ListRolePoliciesInput{RoleName: r.RoleName})
	for ip.HasMorePages() {
		page, err := ip.NextPage(ctx)
		if err != nil {
			return err
		}
		inline = append(inline, page.PolicyNames...)
	}

	kind, services := roleKind(*r)
	switch kind {
	case "service-linked":
		kind += " (" + services[0] + "; only the service may change it)"
	case "service":
		kind += " (assumed by " + strings.Join(services, ", ") + ")"
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Role\t%s\n", aws.ToString(r.RoleName))
	fmt.Fprintf(tw, "ARN\t%s\n", aws.ToString(r.Arn))
	fmt.Fprintf(tw, "Kind\t%s\n", kind)
	if r.Description != nil {
		fmt.Fprintf(tw, "Description\t%s\n", aws.ToString(r.Description))
	}
	fmt.Fprintf(tw, "Created\t%s\n", aws.ToTime(r.CreateDate).UTC().Format(time.RFC3339))
	fmt.Fprintf(tw, "Max session\t%s\n", time.Duration(aws.ToInt32(r.MaxSessionDuration))*time.Second)
	if r.PermissionsBoundary != nil {
		fmt.Fprintf(tw, "Boundary\t%s\n", aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn))
	}
	last := "never"
	if lu := r.RoleLastUsed; lu != nil && lu.LastUsedDate != nil {
		last = lu.LastUsedDate.UTC().Format(time.RFC3339)
		if lu.Region != nil {
			last += " in " + aws.ToString(lu.Region)
		}
	}
	fmt.Fprintf(tw, "Last used\t%s\n", last)
	tw.Flush()

	fmt.Fprintln(w, "\nTrust policy (who may assume it):")
	fmt.Fprintln(w, indentJSON(decodePolicy(aws.ToString(r.AssumeRolePolicyDocument)), "  "))

	fmt.Fprintln(w, "\nPermissions:")
	if len(attached) == 0 && len(inline) == 0 {
		fmt.Fprintln(w, "  none")
	}
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, a := range attached {
		fmt.Fprintf(tw, "  managed\t%s\t%s\n", aws.ToString(a.PolicyName), aws.ToString(a.PolicyArn))
	}
	tw.Flush()
	for _, n := range inline {
		pol, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: r.RoleName, PolicyName: aws.String(n)})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  inline   %s\n", n)
		fmt.Fprintln(w, indentJSON(decodePolicy(aws.ToString(pol.PolicyDocument)), "    "))
	}
	return nil
}

// indentJSON pretty-prints a policy document in its own key order, or
// returns it as it is.
func indentJSON(doc, prefix string) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(doc), prefix, "  "); err != nil {
		return prefix + doc
	}
	return prefix + buf.String()
}
