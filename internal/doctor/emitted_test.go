package doctor

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/ecsroles"
)

// emittedTexts reads, from the source of the packages that answer
// requests, every error text they can give: the literal messages handed to
// awserr and to the packages' error helpers, and the reasons they build
// (a stopped task's, a deletion task's), with each verb and each value
// joined in written X.
func emittedTexts(t *testing.T, dirs ...string) map[string]string {
	t.Helper()
	helpers := map[string]bool{"clientException": true, "invalidParameter": true, "invalidParameterValue": true, "validation": true, "objectNotFound": true, "invalidIdentityToken": true}
	reasons := regexp.MustCompile(`Reason$|^unableToAssume$`)
	verb := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)
	out := map[string]string{}
	add := func(fset *token.FileSet, e ast.Expr) {
		s, ok := textOf(e)
		if !ok || len(s) < 12 || !strings.Contains(s, " ") {
			return
		}
		s = verb.ReplaceAllString(s, "X")
		p := fset.Position(e.Pos())
		out[s] = filepath.Base(filepath.Dir(p.Filename)) + "/" + filepath.Base(p.Filename) + ":" + strconv.Itoa(p.Line)
	}
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join("..", dir, "*.go"))
		fset := token.NewFileSet()
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range file.Decls {
				var body ast.Node = d
				name := ""
				if fd, ok := d.(*ast.FuncDecl); ok {
					if fd.Body == nil {
						continue
					}
					body, name = fd.Body, fd.Name.Name
				}
				ast.Inspect(body, func(n ast.Node) bool {
					switch n := n.(type) {
					case *ast.CallExpr:
						callee := ""
						switch fn := n.Fun.(type) {
						case *ast.SelectorExpr:
							if x, ok := fn.X.(*ast.Ident); ok && x.Name == "awserr" {
								callee = fn.Sel.Name
							}
						case *ast.Ident:
							if helpers[fn.Name] {
								callee = fn.Name
							}
						}
						if callee != "" {
							for _, a := range n.Args {
								add(fset, a)
							}
						}
					case *ast.ReturnStmt:
						if reasons.MatchString(name) {
							for _, r := range n.Results {
								add(fset, r)
							}
						}
					}
					return true
				})
			}
		}
	}
	return out
}

// textOf is the text of a string literal, or of a concatenation with
// literals in it (the other parts written X).
func textOf(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		l, lok := textOf(e.X)
		r, rok := textOf(e.Y)
		if !lok && !rok {
			return "", false
		}
		if !lok {
			l = "X"
		}
		if !rok {
			r = "X"
		}
		return l + r, true
	}
	return "", false
}

// notAboutRoles are the texts rolecall gives that are about no role: input
// checks, names, sizes and states of ECS resources, IAM's quotas and
// policy versions. doctor explain is for role errors; each of these is
// listed here on purpose, so that a new text is either explained or put
// here.
var notAboutRoles = map[string]bool{
	// IAM user credentials: SSH keys, certificates, service-specific credentials.
	"No such service X is supported for Service Specific Credentials":                                     true,
	"No such credential X exists":                                                                         true,
	"CredentialAgeDays is only valid for API keys.":                                                       true,
	"AllUsers cannot be specified together with UserName.":                                                true,
	"Cannot delete entity, must delete certificates first.":                                               true,
	"Cannot delete entity, must remove referenced objects first.":                                         true,
	"The public key is malformed or otherwise invalid. It must be an RSA key of at least 2048 bits.":      true,
	"The public key encoding format is unsupported or unrecognized. It must be in ssh-rsa or PEM format.": true,
	"The SSH public key is already associated with the specified IAM user.":                               true,
	"The Public Key with id X cannot be found.":                                                           true,
	"The Server Certificate with name X cannot be found.":                                                 true,
	"The Server Certificate with name X already exists.":                                                  true,
	"Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, followed by any intermediaries in order. The index within the chain of the invalid certificate is: X": true,
	"Unable to parse certificate. Please ensure the certificate is in PEM format.": true,
	"Certificate X is malformed.": true,
	"Unable to parse private key. Please ensure the private key is in PEM format.": true,
	"The public key certificate and the private key do not match.":                 true,
	"The Certificate with id X cannot be found.":                                   true,
	"The same certificate is associated with an IAM user in the account.":          true,
	// OIDC providers.
	"OpenIDConnect Provider not found for arn X":         true,
	"Provider with url X already exists.":                true,
	"Invalid Open ID Connect Provider URL":               true,
	"Thumbprint list must contain fewer than 5 entries.": true,
	"OpenId connect Provider X cannot be found.":         true,
	// SAML providers.
	"Manifest not found for arn X":         true,
	"Provider with name X already exists.": true,
	"Could not parse metadata.":            true,
	"Invalid private key.":                 true,
	"Failed to remove private key.":        true,
	"Failed to remove private key because the Key ID does not match a private key.":                              true,
	"Unable to update identity provider. No updates are defined for metadata or encryption assertion.":           true,
	"Unable to set assertion encryption mode to Required because no private key is provided.":                    true,
	"Unable to add and remove private keys in the same request. Set a value for only one of the two parameters.": true,
	"Private key limit of 2 is reached.": true,
	"Request ARN is invalid":             true,
	// ECS daemons, daemon task definitions and Express services.
	"Daemon name can only contain letters (uppercase and lowercase), numbers, underscores, and hyphens, and be 1 to 255 characters long.": true,
	"The specified daemon wasn't found.":                                                                                       true,
	"The specified daemon isn't active.":                                                                                       true,
	"A daemon named X already exists in cluster X.":                                                                            true,
	"capacityProviderArns must name at least one capacity provider.":                                                           true,
	"ECS Managed Daemons is only supported for Amazon ECS Managed Instances Capacity Providers.":                               true,
	"The capacity provider X is not associated with cluster X.":                                                                true,
	"Container definitions cannot be empty.":                                                                                   true,
	"Unable to describe daemon task definition.":                                                                               true,
	"The specified daemon task definition identifier is invalid. Specify a valid family:revision or ARN and try again.":        true,
	"The specified daemon task definition does not exist. Specify a valid family and revision and try again.":                  true,
	"The specified daemon task definition is not ACTIVE.":                                                                      true,
	"The health check path must start with a forward slash (/).":                                                               true,
	"The container port must be between 1 and 65535.":                                                                          true,
	"The scaling target's minimum task count must be at least 0 and at most its maximum task count, which must be at least 1.": true,
	// ECS account settings, attributes and placement.
	"The specified target X wasn't found.": true,
	"The attribute X is not valid. Names and values must be 1 to 128 characters of those the Attribute reference allows.": true,
	"You can apply up to 10 custom attributes for each resource.":                                                         true,
	"You must also specify an attribute name to use the attributeValue parameter.":                                        true,
	"expiresInMinutes must be between 1 and 2880.":                                                                        true,
	"Container instance status should be one of [ACTIVE, DRAINING]":                                                       true,
	"There is no update available for your container agent.":                                                              true,
	"Amazon ECS can't determine the current version of the Amazon ECS container agent on the container instance.":         true,
	"There's already a current Amazon ECS container agent update in progress on the container instance.":                  true,
	// The container agent's reports (ecs/agentcalls.go).
	"Task X does not run on a container instance: only the container agent of the instance a task runs on reports its state.": true,
	"The task has no container named X.":                                                                                                              true,
	"The task runs no managed agent X: it was not started with enableExecuteCommand.":                                                                 true,
	"The attachment X is not one of the cluster's tasks'.":                                                                                            true,
	"The status X is not one the agent reports here (X).":                                                                                             true,
	"Invalid setting 'value'":                                                                                                                         true,
	"You can no longer disable Long Arn settings":                                                                                                     true,
	"You can no longer disable tagResourceAuthorization settings":                                                                                     true,
	"The X account setting is managed by AWS and cannot be changed.":                                                                                  true,
	"You must use the root user to set X.":                                                                                                            true,
	"You must be the root user, or the principal, to specify principalArn.":                                                                           true,
	"principalArn must be the ARN of a user, a role or the root user of the account.":                                                                 true,
	"You must also specify an account setting name to use the value parameter.":                                                                       true,
	"distinctInstance expression should not be specified.":                                                                                            true,
	"The expression is not valid in the cluster query language: X":                                                                                    true,
	"X can have at most X items.":                                                                                                                     true,
	"You must specify the target type when you use the short form ID of the target.":                                                                  true,
	"A cluster must be specified for a capacity provider that uses Amazon ECS Managed Instances.":                                                     true,
	"An Auto Scaling group provider or a Managed Instances provider must be specified.":                                                               true,
	"Cluster name can only contain letters (uppercase and lowercase), numbers, underscores, and hyphens, and be 1 to 255 characters long.":            true,
	"Container.image should not be null or empty.":                                                                                                    true,
	"Container.name should not be null or empty.":                                                                                                     true,
	"Creation of service was not idempotent.":                                                                                                         true,
	"Duplicate tag keys found. Please note that Tag keys are case insensitive.":                                                                       true,
	"Family contains invalid characters.":                                                                                                             true,
	"Fargate only supports network mode ‘awsvpc’.":                                                                                                    true,
	"Fargate requires that 'cpu' be defined at the task level.":                                                                                       true,
	"Fargate requires that 'memory' be defined at the task level.":                                                                                    true,
	"Interactive is the only mode supported currently.":                                                                                               true,
	"The task has more than one container: specify the container to run the command on.":                                                              true,
	"The container X was not found in the task.":                                                                                                      true,
	"Found running tasks on the instance.":                                                                                                            true,
	"Invalid 'cpu' setting for task.":                                                                                                                 true,
	"Invalid 'memory' setting for task.":                                                                                                              true,
	"Invalid setting for container 'X'. At least one of 'memory' or 'memoryReservation' must be specified.":                                           true,
	"Long arn format must be used for tagging operations":                                                                                             true,
	"Network Configuration is not valid for the given networkMode of this task definition.":                                                           true,
	"Network Configuration must be provided when networkMode 'awsvpc' is specified.":                                                                  true,
	"No Container Instances were found in your cluster.":                                                                                              true,
	"No Fargate configuration exists for given values: X CPU, X memory. See the Amazon ECS documentation for the valid values.":                       true,
	"Service name can only contain letters (uppercase and lowercase), numbers, underscores, and hyphens, and be 1 to 255 characters long.":            true,
	"Specify either an Auto Scaling group provider or a Managed Instances provider, not both.":                                                        true,
	"Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.":                                        true,
	"Task definition does not support launch_type X.":                                                                                                 true,
	"Tasks cannot be empty.":                                                                                                                          true,
	"The 'memory' setting for container 'X' is greater than for the task.":                                                                            true,
	"The ARN provided is invalid.":                                                                                                                    true,
	"The Cluster cannot be deleted while Cluster Scoped Capacity Providers are attached to the cluster.":                                              true,
	"The Cluster cannot be deleted while Container Instances are active or draining.":                                                                 true,
	"The Cluster cannot be deleted while Services are active.":                                                                                        true,
	"The Cluster cannot be deleted while Tasks are active.":                                                                                           true,
	"The capacity provider cannot be deleted because it is associated with cluster: X. Remove the capacity provider from the cluster and try again.":  true,
	"The daemon scheduling strategy does not support a desired count for services. Remove the desired count value and try again":                      true,
	"The instance identity document is not valid JSON.":                                                                                               true,
	"The nextToken is not valid.":                                                                                                                     true,
	"The resource cannot have more than 50 tags.":                                                                                                     true,
	"The service cannot be stopped while the primary deployment is scaled above 0.":                                                                   true,
	"The specified Auto Scaling group ARN is already being used by another capacity provider. Specify a unique Auto Scaling group ARN and try again.": true,
	"The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.":     true,
	"The specified capacity provider does not use Amazon ECS Managed Instances.":                                                                      true,
	"The specified capacity provider does not use an Auto Scaling group.":                                                                             true,
	"The specified capacity provider is in use and cannot be removed.":                                                                                true,
	"The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.": true,
	"Unable to describe task definition.": true,
	// IAM's managed policy versions, tags, markers, access keys.
	"This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.": true,
	"Cannot delete the default version of a policy.":                                                                    true,
	"A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.": true,
	"Duplicate tag keys found.":                                    true,
	"Must specify userName when calling with non-User credentials": true,
	"Invalid Marker.":                                              true,
	// rolecall's EC2 instances: their endpoint's inputs and states.
	"use POST or GET X, or GET or DELETE X/INSTANCE_ID": true,
	"The request must contain the parameter instanceProfile: rolecall's instances exist for the role their instance profile gives them": true,
	"Invalid region X: name an AWS Region, such as us-east-1":                                                                           true,
	"The instance 'X' is not in a valid state for this operation. It is X: only a running instance has instance metadata.":              true,
	"The request body is larger than 64 KiB":                                                                                            true,
	"The instance ID 'X' does not exist":                                                                                                true,
	"Invalid id: X (expecting \"i-...\")":                                                                                               true,
	// EC2's API: its inputs, limits and states.
	"rolecall does not keep launch templates: name the ImageId, InstanceType and IamInstanceProfile in the request": true,
	"Value (X) for parameter NextToken is invalid. The token is invalid.":                                           true,
	"Value ( X ) for parameter maxResults is invalid. Expecting a value greater than 5.":                            true,
	"Value ( X ) for parameter maxResults is invalid. Expecting a value less than 1000.":                            true,
	"The parameter instancesSet cannot be used with the parameter maxResults":                                       true,
	"The parameter X is not recognized":                                                                             true,
	"Value (X) for parameter X is invalid. Expecting X.":                                                            true,
	"The instance 'X' is not in a valid state for this operation.":                                                  true,
	"The filter 'X' is invalid":                                                   true,
	"The instance IDs 'X' do not exist":                                           true,
	"Request would have succeeded, but DryRun flag is set.":                       true,
	"Invalid id: X (expecting \"ami-...\")":                                       true,
	"Maximum instance count must be greater than zero":                            true,
	"Minimum instance count must be greater than zero":                            true,
	"Minimum instance count must be less than or equal to maximum instance count": true,
	"You have requested more instances (X) than your current instance limit of X allows for the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.": true,
	// Application Auto Scaling's targets, policies, schedules, tags.
	"Unsupported service namespace, resource type or scalable dimension":                                                                true,
	"No scalable target registered for service namespace: X, resource ID: X, scalable dimension: X":                                     true,
	"No scalable target found for service namespace: X, resource ID: X, scalable dimension: X":                                          true,
	"No scaling policy found for service namespace: X, resource ID: X, scalable dimension: X, policy name: X":                           true,
	"No scheduled action found for service namespace: X, resource ID: X, scalable dimension: X, scheduled action name: X":               true,
	"The scalable target that you tried to tag already exists. To update tags on an existing scalable target, use the TagResource API.": true,
	"MinCapacity and MaxCapacity are required to register a new scalable target":                                                        true,
	"MinCapacity (X) cannot be greater than MaxCapacity (X)":                                                                            true,
	"At least one of minimum capacity and maximum capacity should be provided":                                                          true,
	"Schedule is required to create a scheduled action":                                                                                 true,
	"X is required for a policy of type X":                                                                                              true,
	"The request contains too many tags. Try the request again with fewer tags.":                                                        true,
	"The NextToken is not valid.": true,
	// Application Auto Scaling's schedule expressions and time zones.
	"Invalid schedule expression: X": true,
	"Invalid time zone: X":           true,
	// IAM's Access Advisor and policy simulator inputs.
	"Invalid caller - Caller must be an IAM user in this context.":        true,
	"The list of Permissions Boundary policies cannot exceed 1 items.":    true,
	"The job with ID X cannot be found.":                                  true,
	"Invalid Entity Arn: X does not clearly define entity type and name.": true,
	"'X' is not a valid as a Resource Owner.":                             true,
	"ResourceNames are not in a valid ARN format: X.":                     true,
	"Invalid value X for context key X of type X.":                        true,
	"Invalid ResourceHandlingOption: X.":                                  true,
	"Resource handling option X requires resources of type: X.":           true,
	// IAM's console sign-in: login profiles, passwords, account aliases.
	"Login Profile for user X already exists.":                                 true,
	"Login Profile for User X is being changed by another request. Try again.": true,
	"Password does not conform to the account password policy.":                true,
	"Cannot delete entity, must delete login profile first.":                   true,
	"Only IAM Users can change their own password.":                            true,
	"The old password is incorrect.":                                           true,
	"The account alias X already exists.":                                      true,
	"The account alias X cannot be found.":                                     true,
	// IAM's MFA devices, and rolecall's codes of them.
	"MFA Device with serial number X does not exist.":                                  true,
	"MFA device already exists.":                                                       true,
	"MFA Device is already in use.":                                                    true,
	"Authentication code for device is not valid.":                                     true,
	"Cannot delete entity, must delete MFA device first.":                              true,
	"Cannot delete entity, must deactivate MFA device first.":                          true,
	"Every code X shows before X was used, and each is accepted once: ask again then.": true,
	// ECS service deployments and task sets.
	"Service deployment not found.":                            true,
	"The service deployment can't be stopped because it is X.": true,
	"The service deployment can't be rolled back because the service has no previous deployment that completed.":  true,
	"The stop type X isn't supported. The valid value is ROLLBACK.":                                               true,
	"The service deployment has no lifecycle hook awaiting action with the specified hookId.":                     true,
	"The service deployment can't be continued because it is X.":                                                  true,
	"Lifecycle hook X timed out at stage X.":                                                                      true,
	"Lifecycle hook X was rolled back at stage X by ContinueServiceDeployment.":                                   true,
	"A lifecycle hook must specify at least one lifecycle stage.":                                                 true,
	"A lifecycle hook of target type AWS_LAMBDA must specify a hookTargetArn and a roleArn.":                      true,
	"Amazon ECS only supports task set management on services configured to use external deployment controllers.": true,
	"X deployments exist on the service. Unable to create new TaskSet since this exceeds the maximum limit.":      true,
	"TaskSets cannot be empty.":      true,
	"Task Set Identifier is invalid": true,
	"Task set not found.":            true,
	"The task set cannot be deleted while it is scaled above 0 or is the primary task set. Use force to delete it.": true,
	"X on services with a X deployment controller. Use AWS CodeDeploy to trigger a new deployment.":                 true,
	"X on services with a X deployment controller.":                                                                 true,
	// STS's encoded authorization messages, IAM's account settings,
	// delegation requests and Organizations.
	"The encoded authorization message is invalid or has expired.":                                   true,
	"The policy template X does not render a valid policy: X":                                        true,
	"The delegation request with ID X cannot be found.":                                              true,
	"The delegation request X is X and cannot be X.":                                                 true,
	"The delegation request X is X: no exchange token has been sent for it (SendDelegationToken).":   true,
	"A delegation request with requestor workflow ID X already exists.":                              true,
	"A delegation request with ID X already exists.":                                                 true,
	"A delegation request needs a policy template: specify Permissions.PolicyTemplateArn.":           true,
	"The policy template X does not exist.":                                                          true,
	"The policy template's parameter X has no value.":                                                true,
	"The rendered permission policy has X characters; the limit is X.":                               true,
	"A delegation request cannot be delegated to the account that requests it.":                      true,
	"The root user can approve only delegation requests with a session duration of 4 hours or less.": true,
	"Only the owner of delegation request X can send its delegation token.":                          true,
	"The request was rejected because no organization is associated with your account.":              true,
	"The request failed because outbound identity federation is already enabled for your AWS account. You cannot enable the feature multiple times. To fetch the current configuration (including the unique issuer URL), use the GetOutboundWebIdentityFederationInfo operation.": true,
	"The request failed because outbound identity federation is already disabled for your AWS account. You cannot disable the feature multiple times":                                                                                                                              true,
	"The trade-in token provided in the request has expired and can no longer be exchanged for credentials. Request a new token and retry the operation.":                                                                                                                          true,
	"The outbound web identity federation feature is not enabled for this account. To use this feature, you must first enable it through the AWS Management Console or API.":                                                                                                       true,
	"The requested token duration would extend the session beyond its original expiration time.":                                                                                                                                                                                   true,

	// ECS: task definitions and capacity providers.
	"constraint.type 'distinctInstance' is not supported.": true,
	`The specified capacity provider name is invalid. Up to 255 characters are allowed, including letters (upper and lowercase), numbers, underscores, and hyphens. The name cannot be prefixed with "aws", "ecs", or "fargate". Specify a valid name and try again.`: true,
}

// Every role error text rolecall gives, ECS's stoppedReasons included, is
// one doctor explain recognizes; the others are listed in notAboutRoles.
func TestExplainKnowsEveryTextRolecallGives(t *testing.T) {
	texts := emittedTexts(t, "ecs", "sts", "iam", "agent", "ecsroles", "instances", "imds", "appautoscaling", "api/ec2api", "protocol/ec2query")
	// A stopped task's reasons are built by the one model of ECS's role
	// use, for each request its execution role makes at launch.
	denial := "User: arn:aws:sts::123456789012:assumed-role/exec/0123456789abcdef0123456789abcdef is not authorized to perform: X on resource: X because no identity-based policy allows the X action"
	for _, n := range []ecsroles.Need{
		{Step: ecsroles.StepRegistryAuth}, {Step: ecsroles.StepSecret}, {Step: ecsroles.StepSecret, Action: "kms:Decrypt"},
		{Step: ecsroles.StepRegistryCredentials}, {Step: ecsroles.StepParameter}, {Step: ecsroles.StepParameter, Action: "kms:Decrypt"},
		{Step: ecsroles.StepEnvironmentFile}, {Step: ecsroles.StepImagePull},
		{Step: ecsroles.StepImagePull, Action: "ecr:GetDownloadUrlForLayer"},
		{Step: ecsroles.StepLogGroup}, {Step: ecsroles.StepLogStream},
	} {
		for _, p := range []ecsroles.Platform{ecsroles.Fargate, ecsroles.EC2} {
			n.Subject = map[ecsroles.Step]string{
				ecsroles.StepImagePull: "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1", ecsroles.StepEnvironmentFile: "arn:aws:s3:::bucket/web.env",
				ecsroles.StepSecret: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbC123", ecsroles.StepParameter: "arn:aws:ssm:us-east-1:123456789012:parameter/key",
			}[n.Step]
			texts[ecsroles.Refusal(n, p, denial, "0f0f0f0f-0000-4000-8000-000000000000")] = "ecsroles.Refusal " + string(p)
		}
	}
	if len(texts) < 100 {
		t.Fatalf("only %d texts read from the source", len(texts))
	}
	var unknown []string
	for s, where := range texts {
		known := len(Explain(s).Matches) > 0
		switch {
		case known && notAboutRoles[s]:
			t.Errorf("%s: explain knows %q: take it out of notAboutRoles", where, s)
		case !known && !notAboutRoles[s]:
			unknown = append(unknown, where+": "+s)
		}
	}
	sort.Strings(unknown)
	for _, u := range unknown {
		t.Errorf("doctor explain does not recognize %s", u)
	}
	for s := range notAboutRoles {
		if _, ok := texts[s]; !ok {
			t.Errorf("notAboutRoles lists %q, which rolecall no longer gives", s)
		}
	}
}
