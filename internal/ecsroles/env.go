package ecsroles

import (
	"strings"

	"github.com/rolecall/rolecall/internal/catalog/actions"
)

// Placeholders stand for what is not known before a task runs: a model
// read for a setup (the doctor's) has no task yet, and a policy matches
// the placeholder as any other ID. The server passes the real IDs.
const (
	TaskID     = "TASK_ID"
	InstanceID = "INSTANCE_ID"
	// SecretSuffix stands for the six characters Secrets Manager appends
	// to a secret's name when a task definition names the secret without
	// them.
	SecretSuffix = "-XXXXXX"
)

// Env is where ECS forms its requests: the partition, account and Region
// of the task or service.
type Env struct {
	Partition, Account, Region string
}

func (e Env) partition() string {
	if e.Partition == "" {
		return "aws"
	}
	return e.Partition
}

// Resource fills the Service Authorization Reference's ARN format of the
// action's resource type typ ("log-stream", "repository"...) with vals and
// the Env's partition, account and Region; vals may override Region and
// Account (a repository in another account). Actions that take no resource
// type answer "*". It panics on a type the action does not name: the
// model's own tables are wrong, and tests catch it.
func (e Env) Resource(action, typ string, vals map[string]string) string {
	ai, ok := actions.Lookup(action)
	if !ok {
		panic("ecsroles: unknown action " + action)
	}
	if len(ai.ResourceTypes) == 0 {
		return "*"
	}
	for _, rt := range ai.ResourceTypes {
		if rt.Name != typ {
			continue
		}
		format := rt.ARN
		if i := strings.Index(format, ", "); i >= 0 {
			format = format[:i]
		}
		return fillARN(format, e.partition(), e.Region, e.Account, vals)
	}
	panic("ecsroles: " + action + " has no resource type " + typ)
}

// Res is Resource with the values given as name, value pairs.
func (e Env) Res(action, typ string, kv ...string) string {
	vals := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		vals[kv[i]] = kv[i+1]
	}
	return e.Resource(action, typ, vals)
}

// fillARN substitutes ${Partition}, ${Region}, ${Account} and the names in
// vals.
func fillARN(format, partition, region, account string, vals map[string]string) string {
	var b strings.Builder
	for {
		i := strings.Index(format, "${")
		if i < 0 {
			b.WriteString(format)
			break
		}
		j := strings.IndexByte(format[i:], '}')
		if j < 0 {
			b.WriteString(format)
			break
		}
		b.WriteString(format[:i])
		name := format[i+2 : i+j]
		v, ok := vals[name]
		if !ok {
			switch name {
			case "Partition":
				v = partition
			case "Region":
				v = region
			case "Account":
				v = account
			default:
				panic("ecsroles: no value for ${" + name + "} in " + format)
			}
		}
		b.WriteString(v)
		format = format[i+j+1:]
	}
	return b.String()
}

// ClusterARN, TaskARN and ServiceARN are ECS's ARNs in the Env (the long
// format, with the cluster's name).
func (e Env) ClusterARN(cluster string) string {
	return "arn:" + e.partition() + ":ecs:" + e.Region + ":" + e.Account + ":cluster/" + cluster
}

func (e Env) TaskARN(cluster, id string) string {
	return "arn:" + e.partition() + ":ecs:" + e.Region + ":" + e.Account + ":task/" + cluster + "/" + id
}

func (e Env) ServiceARN(cluster, name string) string {
	return "arn:" + e.partition() + ":ecs:" + e.Region + ":" + e.Account + ":service/" + cluster + "/" + name
}

// SourceKeys are the keys a service principal sends when it assumes a role
// for a resource: aws:SourceAccount, the account the role is used for, and
// aws:SourceArn, the resource ("" sends none). The ECS developer guide's
// trust policies compare them
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html).
func SourceKeys(account, sourceArn string) map[string][]string {
	keys := map[string][]string{"aws:SourceAccount": {account}}
	if sourceArn != "" {
		keys["aws:SourceArn"] = []string{sourceArn}
	}
	return keys
}
