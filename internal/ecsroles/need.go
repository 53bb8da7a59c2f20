package ecsroles

// Need is one request made with a role: the action, the resource ECS or
// its agent names, and the condition keys the request carries.
type Need struct {
	Action   string
	Resource string
	Context  map[string][]string
	// Why says what the request is for, for a person.
	Why string
	// Step is what ECS or its agent is doing when it makes the request: it
	// orders a launch's requests and chooses the text AWS gives when one
	// is refused (Refusal).
	Step Step
	// Subject is what that text names: the secret, parameter, image, log
	// group or file the request is for.
	Subject string
}

// Key identifies a need by action and resource.
func (n Need) Key() string { return n.Action + " " + n.Resource }

// Step is what a request is for. The task's steps are in the order the
// agent takes them when a task starts: registry authentication and
// secrets ("execution resource retrieval"), environment files, the image
// pull, then the containers' log streams.
type Step int

const (
	StepOther Step = iota
	StepRegistryAuth
	StepRegistryCredentials
	StepSecret
	StepParameter
	StepEnvironmentFile
	StepImagePull
	StepLogGroup
	StepLogStream
	// What the task role is used for once the task runs.
	StepExec
	StepEFS
	// The container agent on an instance, with the instance role: for the
	// tasks it runs (StepAgent), and when it registers the instance
	// (StepAgentRegistration).
	StepAgent
	// What ECS does with its service-linked role and infrastructure roles.
	StepNetworkInterface
	StepLoadBalancerCheck
	StepLoadBalancerRegister
	StepServiceDiscovery
	StepServiceConnect
	StepManagedScaling
	StepInstances
	StepVolume
	StepCertificates
	StepScaling
	StepAgentRegistration
	// What ECS does with an Express service's infrastructure role when
	// the service is created, updated and deleted.
	StepGatewayCreate
	StepGatewayUpdate
	StepGatewayDelete
	// What ECS does with a lifecycle hook's role at the stages it names.
	StepLifecycleHook
)

// Problem is a resource's configuration problem about a role: what should
// hold, and AWS's refusal (or the consequence) when it does not.
type Problem struct {
	Warn         bool
	What, Detail string
}

// Use is what one resource asks of one role.
type Use struct {
	Kind Kind
	// Role is the role as the resource names it: an ARN or a name. ""
	// when the resource names none (For says what lacks it), and for an
	// instance role known only by its instance profile.
	Role string
	// Profile names the instance profile an instance role comes through.
	Profile string
	// For names what lacks the role when Role and Profile are "" ("task
	// definition web:3").
	For string
	// Needed: the resource uses the role. A role named but not used (a
	// legacy service role with awsvpc) has Problems that say why.
	Needed bool
	// Passed: whoever creates the resource passes the role (iam:PassRole
	// with iam:PassedToService About[Kind].PassedTo).
	Passed bool
	Why    []string
	Needs  []Need
	// Trust is what the service principal sends when it assumes the role
	// (SourceKeys); nil when ECS sends no keys.
	Trust    map[string][]string
	Problems []Problem
	Notes    []string
}
