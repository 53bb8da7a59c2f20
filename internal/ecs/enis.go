package ecs

import (
	"slices"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/ecsroles"
)

// Network interfaces for awsvpc tasks on container instances ("Elastic
// network interface trunking",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-eni.html):
// each awsvpc task takes a network interface of its instance, and an
// instance type allows only so many, its primary interface counting as
// one. With the awsvpcTrunking account setting enabled for the principal
// that registers it, a container instance registered afterwards on a
// supported instance type gets a trunk network interface, shown as its
// attribute ecs.awsvpc-trunk-id, and a higher task limit; instances
// registered before keep theirs ("Previously launched instances do not
// receive these features regardless of the actions taken").

// attrTrunk and attrInstanceType are the attributes of a container
// instance's trunk network interface and of its EC2 instance type.
const (
	attrTrunk        = ecsroles.TrunkAttribute
	attrInstanceType = "ecs.instance-type"
)

// eniLimit is how many awsvpc tasks an instance type takes without
// trunking and with it (0: trunking is not supported).
type eniLimit struct{ tasks, trunked int }

// eniLimits are the limits of the instance types rolecall knows: the t3
// and t3a families (rolecall's EC2 instances are t3.medium unless told),
// whose maximum network interfaces (EC2 User Guide, "Maximum IP addresses
// per network interface") less the primary are their limit, and which
// trunking does not support; and the c5, m5 and r5 sizes of the ECS
// developer guide's "Supported Amazon EC2 instance types" table (the page
// above). An instance of another type is not limited.
var eniLimits = map[string]eniLimit{
	"t3.nano": {1, 0}, "t3.micro": {1, 0}, "t3.small": {2, 0}, "t3.medium": {2, 0},
	"t3.large": {2, 0}, "t3.xlarge": {3, 0}, "t3.2xlarge": {3, 0},
	"t3a.nano": {1, 0}, "t3a.micro": {1, 0}, "t3a.small": {2, 0}, "t3a.medium": {2, 0},
	"t3a.large": {2, 0}, "t3a.xlarge": {3, 0}, "t3a.2xlarge": {3, 0},
	"c5.large": {2, 10}, "c5.xlarge": {3, 20}, "c5.2xlarge": {3, 40}, "c5.4xlarge": {7, 60},
	"c5.9xlarge": {7, 60}, "c5.12xlarge": {7, 60}, "c5.18xlarge": {14, 120}, "c5.24xlarge": {14, 120},
	"m5.large": {2, 10}, "m5.xlarge": {3, 20}, "m5.2xlarge": {3, 40}, "m5.4xlarge": {7, 60},
	"m5.8xlarge": {7, 60}, "m5.12xlarge": {7, 60}, "m5.16xlarge": {14, 120}, "m5.24xlarge": {14, 120},
	"r5.large": {2, 10}, "r5.xlarge": {3, 20}, "r5.2xlarge": {3, 40}, "r5.4xlarge": {7, 60},
	"r5.12xlarge": {7, 60}, "r5.16xlarge": {14, 120}, "r5.24xlarge": {14, 120},
}

// instanceTypeOf is the EC2 instance type a registration's attributes
// name, "" when none.
func instanceTypeOf(attrs []types.Attribute) string {
	if i := slices.IndexFunc(attrs, func(a types.Attribute) bool { return a.Name == attrInstanceType }); i >= 0 {
		return attrs[i].Value
	}
	return ""
}

// trunkable: an instance of this type gets a trunk network interface
// when trunking is enabled.
func trunkable(instanceType string) bool { return eniLimits[instanceType].trunked > 0 }

// eniFree: h can take one more awsvpc task. Its limit is that of the
// instance type it registered as, trunked or not; an instance of a type
// rolecall has no limit for takes any number.
func (h *host) eniFree() bool {
	lim, ok := eniLimits[h.rec.InstanceType]
	if !ok {
		return true
	}
	n := lim.tasks
	if h.rec.Trunk != "" {
		n = lim.trunked
	}
	return h.enis < n
}
