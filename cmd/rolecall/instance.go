package main

// rolecall instance launch|env|list|terminate: simulated EC2 instances
// launched with an instance profile, whose role credentials a local
// program reads from the instance's own metadata service (IMDSv2), as a
// program on the instance does; the ECS agent's RegisterContainerInstance
// made with them registers that instance.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rolecall/rolecall/internal/imds"
)

func instanceUsage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  rolecall instance launch --instance-profile NAME|ARN [--region R] [--endpoint URL]
  rolecall instance env INSTANCE_ID [--endpoint URL]
  rolecall instance list [--endpoint URL]
  rolecall instance terminate INSTANCE_ID [--endpoint URL]

launch starts an EC2 instance with an instance profile, as RunInstances
does: the caller needs ec2:RunInstances, and iam:PassRole on the profile's
role for ec2.amazonaws.com (an account's root has both). It prints the
instance ID and the exports of env.

env prints the exports that make a local program act as the instance's
role: the SDKs read the role's credentials (renewed before they expire)
from the instance's metadata service, IMDSv2 on a loopback port of its own.
The caller needs ssm:StartSession on the instance (an account's root may).

  eval "$(rolecall instance launch --instance-profile ecsInstanceRole)"
  aws sts get-caller-identity   # arn:aws:sts::...:assumed-role/ecsInstanceRole/i-...

list lists the account's instances; terminate terminates one (its metadata
service stops). Requests are signed with $AWS_ACCESS_KEY_ID/
$AWS_SECRET_ACCESS_KEY ($AWS_SESSION_TOKEN), else the emulator's root keys
test/test, and act in that account only. The Region is --region, else
$AWS_REGION, else $AWS_DEFAULT_REGION, else rolecall's default Region
(serve --region, us-east-1 unless told another).

`+endpointHelp+`
`)
}

func instanceCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("instance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { instanceUsage(stderr) }
	endpoint := endpointFlag(fs)
	profile := fs.String("instance-profile", "", "launch: the instance profile's name or ARN")
	region := fs.String("region", "", "launch: the Region (default $AWS_REGION, $AWS_DEFAULT_REGION, rolecall's default Region)")
	words, err := parseWords(fs, args)
	if err != nil {
		return 2
	}
	if *region == "" {
		*region = defaultRegion()
	}
	base := endpointURL(*endpoint)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := ""
	if len(words) > 0 {
		cmd = words[0]
	}
	switch {
	case cmd == "launch" && len(words) == 1 && *profile != "":
		var v imds.InstanceView
		q := url.Values{"instanceProfile": {*profile}}
		if *region != "" {
			q.Set("region", *region)
		}
		if err := callInstances(ctx, http.MethodPost, base+"/_rolecall/ec2/instances?"+q.Encode(), *region, &v); err != nil {
			return instanceFail(stderr, "launch", err)
		}
		fmt.Fprintf(stdout, "# Instance %s launched in %s with instance profile %s.\nexport ROLECALL_INSTANCE_ID=%s\n", v.InstanceId, v.Region, v.InstanceProfileArn, v.InstanceId)
		if v.MetadataEndpoint == "" {
			fmt.Fprintf(stdout, "# Its metadata service (its role's credentials) is for who may start a session on it (ssm:StartSession): rolecall instance env %s\n", v.InstanceId)
			break
		}
		printInstanceEnv(stdout, base, &v)
	case cmd == "env" && len(words) == 2:
		var v imds.InstanceView
		if err := callInstances(ctx, http.MethodGet, base+"/_rolecall/ec2/instances/"+url.PathEscape(words[1]), *region, &v); err != nil {
			return instanceFail(stderr, "env", err)
		}
		printInstanceEnv(stdout, base, &v)
	case cmd == "list" && len(words) == 1:
		var l imds.InstanceList
		if err := callInstances(ctx, http.MethodGet, base+"/_rolecall/ec2/instances?"+url.Values{"region": {*region}}.Encode(), *region, &l); err != nil {
			return instanceFail(stderr, "list", err)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "INSTANCE ID\tSTATE\tREGION\tINSTANCE PROFILE\tROLE\tLAUNCHED")
		for _, v := range l.Instances {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", v.InstanceId, v.State, v.Region, orDash(lastPart(v.InstanceProfileArn)),
				orDash(lastPart(v.RoleArn)), v.LaunchTime.UTC().Format(time.RFC3339))
		}
		tw.Flush()
	case cmd == "terminate" && len(words) == 2:
		var v imds.InstanceView
		if err := callInstances(ctx, http.MethodDelete, base+"/_rolecall/ec2/instances/"+url.PathEscape(words[1]), *region, &v); err != nil {
			return instanceFail(stderr, "terminate", err)
		}
		fmt.Fprintf(stdout, "%s\t%s -> %s\n", v.InstanceId, v.PreviousState, v.State)
	default:
		instanceUsage(stderr)
		return 2
	}
	return 0
}

func instanceFail(stderr io.Writer, what string, err error) int {
	fmt.Fprintf(stderr, "rolecall instance %s: %v\n", what, err)
	return 1
}

// printInstanceEnv prints the exports that make the SDKs read an
// instance's role credentials from its metadata service. The SDKs' default
// credential chains try environment keys, profiles, web identity and
// container credentials before instance metadata, so those are unset, and
// AWS_EC2_METADATA_DISABLED with them.
func printInstanceEnv(w io.Writer, base string, v *imds.InstanceView) {
	role := "no role"
	if v.RoleArn != "" {
		role = "role " + v.RoleArn
	}
	fmt.Fprintf(w, `# Instance %s (%s) in %s:
# programs run with these exports read its instance role's credentials from
# its metadata service, as on the instance.
# The SDKs use static keys, profiles, web identity and container credentials
# before instance metadata: they are unset. (Credentials in ~/.aws/credentials
# or ~/.aws/config come first too: set AWS_SHARED_CREDENTIALS_FILE=/dev/null
# AWS_CONFIG_FILE=/dev/null if you have some.)
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN AWS_ROLE_SESSION_NAME
unset AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_AUTHORIZATION_TOKEN AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
unset AWS_EC2_METADATA_DISABLED
export AWS_EC2_METADATA_SERVICE_ENDPOINT=%s
export AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv4
export AWS_ENDPOINT_URL=%s
export AWS_REGION=%s AWS_DEFAULT_REGION=%s
`, v.InstanceId, role, v.Region, v.MetadataEndpoint, shellQuote(base), v.Region, v.Region)
}

// callInstances calls rolecall's instances endpoint, signed (service
// "rolecall", region), into out; an error answer is its code and message.
func callInstances(ctx context.Context, method, u, region string, out any) error {
	if region == "" {
		region = "us-east-1" // any valid Region signs; the request names none
	}
	resp, err := signedRequest(ctx, method, u, imds.Service, region)
	if err != nil {
		return err
	}
	return endpointJSON(resp, 4<<20, "instances", u, out, nil)
}

// defaultRegion is $AWS_REGION, else $AWS_DEFAULT_REGION, else "": the
// running rolecall's default Region.
func defaultRegion() string {
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return ""
}

func lastPart(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
