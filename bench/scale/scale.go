package main

import (
	"fmt"
	"html"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rolecall/rolecall/bench/scaledata"
	"github.com/rolecall/rolecall/internal/server"
)

// state is one data directory under measure.
type state struct {
	name    string
	dir     string
	account string // where the IAM and STS requests act
	srv     *proc
	c       *client
	startup time.Duration
	mem     [2]memory // after start-up, after the load
	ops     []op
}

// op is one measured request kind and its source of requests.
type op struct {
	name string
	next func(int) (*signed, error)
	res  result
}

const taskRole = "scale-task-role"

var keyIDRE = regexp.MustCompile(`<AccessKeyId>([^<]*)</AccessKeyId>`)

var markerRE = regexp.MustCompile(`<Marker>([^<]*)</Marker>`)

// scale measures the data set next to one account alone.
func scale(o options, tmp string, stdout io.Writer) error {
	one := filepath.Join(tmp, "one")
	if err := scaledata.Build(one, 1, 1000, 512, io.Discard); err != nil {
		return err
	}
	states := []*state{
		{name: "1 account", dir: one, account: scaledata.Account(0)},
		{name: fmt.Sprintf("%d accounts", o.accounts), dir: o.data, account: scaledata.Account(o.accounts - 1)},
	}
	for _, st := range states {
		if err := st.open(o); err != nil {
			return fmt.Errorf("%s (%s): %w", st.name, st.dir, err)
		}
		defer st.srv.stop()
	}
	for i := range states[0].ops {
		for _, st := range states {
			p := &st.ops[i]
			var err error
			if p.res, err = load(st.srv, st.c, o.concurrency, o.duration, p.next); err != nil {
				return fmt.Errorf("%s, %s: %w", st.name, p.name, err)
			}
		}
	}
	for _, st := range states {
		var err error
		if st.mem[1], err = st.srv.memory(); err != nil {
			return err
		}
	}
	a, b := states[0], states[1]
	fmt.Fprintf(stdout, "scale: rolecall serving one account of 1,000 roles, and %s (%s), requests in the last; server CPU per request, %d in flight, %s each\n\n",
		b.name, b.dir, o.concurrency, o.duration)
	fmt.Fprintf(stdout, "| measure | %s | %s | ratio |\n|---|---|---|---|\n", a.name, b.name)
	fmt.Fprintf(stdout, "| start-up to the first answered GetRole (median of %d) | %s | %s | %.2fx |\n", o.starts, ms(a.startup), ms(b.startup), ratio(b.startup, a.startup))
	for i := range a.ops {
		pa, pb := a.ops[i].res, b.ops[i].res
		fmt.Fprintf(stdout, "| %s | %s (%d requests) | %s (%d requests) | %.2fx |\n", a.ops[i].name,
			us(pa.perRequest()), pa.n, us(pb.perRequest()), pb.n, ratio(pb.perRequest(), pa.perRequest()))
	}
	fmt.Fprintf(stdout, "| resident memory after start-up | %s | %s | |\n", a.mem[0], b.mem[0])
	fmt.Fprintf(stdout, "| resident memory after the load | %s | %s | |\n\n", a.mem[1], b.mem[1])
	return nil
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(max(b, 1)) }

// open starts rolecall on the state (timing the starts), sets up what the
// requests need, and prepares them.
func (st *state) open(o options) error {
	getRole := iamQuery(st.account, "GetRole", "<RoleName>"+scaledata.RoleName(500)+"</RoleName>", "RoleName", scaledata.RoleName(500))
	var starts []time.Duration
	for i := range max(o.starts, 1) {
		s, d, err := start(o.bin, st.dir, getRole)
		if err != nil {
			return err
		}
		starts = append(starts, d)
		if i < max(o.starts, 1)-1 {
			s.stop()
			continue
		}
		st.srv = s
	}
	slices.Sort(starts)
	st.startup = starts[len(starts)/2]
	var err error
	if st.mem[0], err = st.srv.memory(); err != nil {
		return err
	}
	st.c = newClient(st.srv.url)
	c := st.c

	// AssumeRole: a user of the account with the permission (the root
	// user may not assume roles).
	user := request{}
	if _, err := c.do(iamQuery(st.account, "CreateUser", "<UserName>scale-user</UserName>", "UserName", "scale-user")); err != nil && !exists(err) {
		return err
	}
	if _, err := c.do(iamQuery(st.account, "PutUserPolicy", "<PutUserPolicyResponse", "UserName", "scale-user", "PolicyName", "assume",
		"PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)); err != nil {
		return err
	}
	// A user has at most two access keys: those of earlier runs go.
	keys, err := c.do(iamQuery(st.account, "ListAccessKeys", "<ListAccessKeysResult>", "UserName", "scale-user"))
	if err != nil {
		return err
	}
	for _, m := range keyIDRE.FindAllSubmatch(keys, -1) {
		if _, err := c.do(iamQuery(st.account, "DeleteAccessKey", "<DeleteAccessKeyResponse", "UserName", "scale-user", "AccessKeyId", string(m[1]))); err != nil {
			return err
		}
	}
	key, err := c.do(iamQuery(st.account, "CreateAccessKey", "<SecretAccessKey>", "UserName", "scale-user"))
	if err != nil {
		return err
	}
	user.account, user.secret = field(key, "AccessKeyId"), field(key, "SecretAccessKey")
	assume := query("sts", user.account, "<AccessKeyId>", "Action", "AssumeRole", "Version", "2011-06-15",
		"RoleArn", "arn:aws:iam::"+st.account+":role/"+scaledata.RoleName(1), "RoleSessionName", "scale")
	assume.secret = user.secret

	// ListRoles' last page: the marker of the page before it.
	first := iamQuery(st.account, "ListRoles", "<ListRolesResult>", "MaxItems", "100")
	marker := ""
	for {
		r := first
		if marker != "" {
			r = iamQuery(st.account, "ListRoles", "<ListRolesResult>", "MaxItems", "100", "Marker", marker)
		}
		b, err := c.do(r)
		if err != nil {
			return err
		}
		m := markerRE.FindSubmatch(b)
		if m == nil {
			break
		}
		marker = html.UnescapeString(string(m[1]))
	}
	last := iamQuery(st.account, "ListRoles", "<RoleName>"+scaledata.RoleName(999)+"</RoleName>", "MaxItems", "100", "Marker", marker)

	// RunTask: a Fargate task with a task role, in the default account
	// (its first cluster adds ECS's service-linked role, for which an
	// account of the data set, at its quota, has no room).
	def := server.DefaultAccount
	if _, err := c.do(iamQuery(def, "CreateRole", "<RoleName>"+taskRole+"</RoleName>", "RoleName", taskRole,
		"AssumeRolePolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)); err != nil && !exists(err) {
		return err
	}
	if _, err := c.do(ecsCall(def, "CreateCluster", `{"clusterName":"scale"}`, `"clusterArn"`)); err != nil {
		return err
	}
	if _, err := c.do(ecsCall(def, "RegisterTaskDefinition", `{"family":"scale","taskRoleArn":"arn:aws:iam::`+def+`:role/`+taskRole+`",`+
		`"requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","cpu":"256","memory":"512","containerDefinitions":[{"name":"app","image":"nginx"}]}`,
		`"taskDefinitionArn"`)); err != nil {
		return err
	}
	runTask := ecsCall(def, "RunTask", `{"cluster":"scale","taskDefinition":"scale","launchType":"FARGATE",`+
		`"networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-0123456789abcdef0"]}}}`, `"taskArn"`)

	for _, r := range []struct {
		name string
		req  request
	}{
		{"GetRole", getRole},
		{"ListRoles, first page of 100", first},
		{"ListRoles, last page of 100", last},
		{"STS AssumeRole", assume},
		{"ECS RunTask (Fargate, task role)", runTask},
	} {
		if _, err := c.do(r.req); err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		next, err := same(c, r.req, o.concurrency)
		if err != nil {
			return err
		}
		st.ops = append(st.ops, op{name: r.name, next: next})
	}
	// A large state's consistency check runs in the background after
	// start-up, for seconds: let it end, so that its CPU is not counted
	// as the requests'.
	return st.srv.settle()
}

// field is an XML element's text in b.
func field(b []byte, name string) string {
	re := regexp.MustCompile("<" + name + ">([^<]*)</" + name + ">")
	m := re.FindSubmatch(b)
	if m == nil {
		return ""
	}
	return html.UnescapeString(string(m[1]))
}

// exists is whether err is IAM's EntityAlreadyExists: a fixture of an
// earlier run.
func exists(err error) bool { return strings.Contains(err.Error(), "<Code>EntityAlreadyExists</Code>") }
