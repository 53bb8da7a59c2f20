package ecs

import (
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/ecs/types"
)

// The cluster query language's examples
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html)
// and its operators, on two instances.
func TestQuery(t *testing.T) {
	reg := time.Date(2018, 2, 1, 10, 0, 0, 0, time.UTC)
	small := &host{rec: &instanceRecord{Instance: types.ContainerInstance{
		Ec2InstanceId: "i-abcd1234", AgentConnected: true, RegisteredAt: &reg,
		VersionInfo: &types.VersionInfo{AgentVersion: "1.14.1"},
		Attributes: []types.Attribute{{Name: "ecs.instance-type", Value: "t2.small"}, {Name: "ecs.availability-zone", Value: "us-east-1a"},
			{Name: "stack", Value: "prod"}, {Name: "gpu"}},
	}}, running: 1, groups: []string{"service:production"}}
	later := reg.AddDate(0, 1, 0)
	big := &host{rec: &instanceRecord{Instance: types.ContainerInstance{
		Ec2InstanceId: "i-wxyx7890", RegisteredAt: &later,
		VersionInfo: &types.VersionInfo{AgentVersion: "1.89.0"},
		Attributes:  []types.Attribute{{Name: "ecs.instance-type", Value: "g2.2xlarge"}, {Name: "ecs.availability-zone", Value: "us-east-1d"}},
	}}, groups: []string{"database"}}
	for _, c := range []struct {
		expr       string
		small, big bool
	}{
		{"attribute:ecs.instance-type == t2.small", true, false},
		{"attribute:ecs.instance-type equals t2.small", true, false},
		{"attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", true, false},
		{"attribute:ecs.availability-zone !in [us-east-1a, us-east-1b]", false, true},
		{"attribute:ecs.availability-zone not_in [us-east-1a]", false, true},
		{"attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", false, false},
		{"attribute:ecs.instance-type =~ g2.* or attribute:stack == prod", true, true},
		{"attribute:ecs.instance-type matches t2.*", true, false},
		{"attribute:ecs.instance-type !~ t2.*", false, true},
		{"task:group == service:production", true, false},
		{"not(task:group == database)", true, false},
		{"!(task:group == database) && attribute:stack exists", true, false},
		{"runningTasksCount == 1", true, false},
		{"runningTasksCount > 0", true, false},
		{"agentVersion < 1.14.5", true, false},
		{"agentVersion >= 1.14.5", false, true},
		{"registeredAt < 2018-02-13", true, false},
		{"registeredAt >= 2018-03-01T10:00:00Z", false, true},
		{"ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", true, true},
		{"agentConnected == true", true, false},
		{"attribute:gpu exists", true, false},
		{"attribute:gpu !exists", false, true},
		{"attribute:stack not_exists", false, true},
		{`attribute:stack == "prod"`, true, false},
		{"(attribute:stack == prod or task:group == database) and agentConnected != true", false, true},
	} {
		q, ok := parseQuery(c.expr)
		if !ok {
			t.Errorf("%q: not valid", c.expr)
			continue
		}
		if q(small) != c.small || q(big) != c.big {
			t.Errorf("%q: %v, %v; want %v, %v", c.expr, q(small), q(big), c.small, c.big)
		}
	}
	for _, bad := range []string{"", "attribute:stack", "attribute:stack ==", "color == red", "attribute:stack in prod",
		"attribute:stack in [a, b", "(attribute:stack exists", "attribute:stack == a b", "attribute:x =~ [", "attribute:x == 'open"} {
		if _, ok := parseQuery(bad); ok {
			t.Errorf("%q: valid", bad)
		}
	}
}

func FuzzQuery(f *testing.F) {
	f.Add("attribute:ecs.instance-type =~ g2.* and not(task:group == database)")
	f.Fuzz(func(t *testing.T, expr string) {
		if q, ok := parseQuery(expr); ok {
			q(&host{rec: &instanceRecord{}})
		}
	})
}
