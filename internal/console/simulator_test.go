package console_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

const (
	simulator = "/console/iam/simulator"
	anaArn    = "arn:aws:iam::" + account + ":user/ana"
	// anaDeny is a second inline policy of ana: a Deny, and an Allow
	// under a condition on aws:SourceIp.
	anaDeny = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"},` +
		`{"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}`
)

// simUser creates ana: s3:GetObject allowed (inline policy "console"),
// s3:DeleteObject denied and s3:PutObject allowed from 203.0.113.0/24
// (inline policy "deny").
func (e *env) simUser(t testing.TB) {
	t.Helper()
	e.user(t, "ana", "s3:GetObject")
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ana"), PolicyName: aws.String("deny"), PolicyDocument: aws.String(anaDeny)}))(t)
}

// simulate posts the simulator's form with its Run simulation button.
func (b *browser) simulate(status int, form url.Values) string {
	b.t.Helper()
	form.Set("do", "run")
	got, body := b.post(simulator, form)
	if got != status {
		b.t.Errorf("simulate: status %d, want %d\n%s", got, status, mainOf(body))
	}
	return body
}

// Principal mode: the account's users, groups and roles to choose from;
// a user's simulated allow with the statement that allows it, an explicit
// deny with the Deny statement, an implicit deny listing the missing
// context key, which "Get context keys" then adds and whose value allows.
func TestSimulatorPrincipal(t *testing.T) {
	e := newEnv(t)
	e.simUser(t)
	e.group(t, "devs", "ana")
	e.role(t, "app", tasksTrust)
	b := e.signedIn(t, "test", "test")

	body := b.getAs(http.StatusOK, simulator)
	has(t, body, `<a href="/console/iam/simulator" aria-current="page">Policy simulator</a>`, "<h1>Policy simulator</h1>",
		`<optgroup label="Users"><option value="`+anaArn+`">ana</option></optgroup>`,
		`<optgroup label="User groups"><option value="arn:aws:iam::`+account+`:group/devs">devs</option></optgroup>`,
		`<optgroup label="Roles"><option value="arn:aws:iam::`+account+`:role/app">app</option></optgroup>`,
		`<input type="radio" name="mode" value="principal" data-autosubmit checked>`)
	hasNot(t, body, `id="results"`, `id="principal_arn"`)
	// A link can choose the principal.
	has(t, b.getAs(http.StatusOK, simulator+"?principal="+url.QueryEscape(anaArn)), `<option value="`+anaArn+`" selected>ana</option>`)

	resource := "arn:aws:s3:::amzn-s3-demo-bucket/report.csv"
	body = b.simulate(http.StatusOK, url.Values{"mode": {"principal"}, "principal": {anaArn},
		"actions": {"s3:GetObject\ns3:DeleteObject, s3:PutObject"}, "resources": {resource}})
	has(t, body, `Results <span class="count">(3)</span>`,
		`<tbody data-eval-action="s3:GetObject">`+"\n"+`<tr data-decision="allowed"><td class="action"><code>s3:GetObject</code></td><td class="resource"><code>`+resource+`</code></td>`,
		`<span class="decision allowed">Allowed</span><br><code>allowed</code>`,
		// The inline policy "console" of ana, as the API names it.
		`<li><strong class="source">user_ana_console</strong> <span class="muted">(IAM Policy)</span><span class="position">, from line 1, column 38 to line 1, column 97</span></li>`,
		`<tr data-decision="explicitDeny"><td class="action"><code>s3:DeleteObject</code></td>`,
		`<span class="decision explicitDeny">Denied: explicitly, by a Deny statement</span><br><code>explicitDeny</code>`,
		`<li><strong class="source">user_ana_deny</strong> <span class="muted">(IAM Policy)</span><span class="position">, from line 1, column 38 to line 1, column 97</span></li>`,
		`<tr data-decision="implicitDeny"><td class="action"><code>s3:PutObject</code></td>`,
		`<span class="decision implicitDeny">Denied: implicitly, no statement allows it</span><br><code>implicitDeny</code>`,
		"<p class=\"muted\">No statement matched.</p>\n<p class=\"label\">Missing context values</p>\n<ul class=\"missing\"><li><code>aws:SourceIp</code></li></ul>",
		// The form keeps what was sent.
		`<option value="`+anaArn+`" selected>ana</option>`, ">"+resource+"</textarea>")
	hasNot(t, body, "Permissions boundary:")

	// "Get context keys": a row for aws:SourceIp, typed ip.
	_, body = b.post(simulator, url.Values{"do": {"keys"}, "mode": {"principal"}, "principal": {anaArn}, "actions": {"s3:PutObject"}})
	has(t, body, "Context keys the policies use: aws:SourceIp. Enter their values below.",
		`<input name="context_key" id="context_key_0" value="aws:SourceIp"`, `<option value="ip" selected>ip</option>`, `id="context_key_2"`)
	hasNot(t, body, `id="context_key_3"`, `id="results"`)

	// With the context value, the condition holds.
	body = b.simulate(http.StatusOK, url.Values{"mode": {"principal"}, "principal": {anaArn}, "actions": {"s3:PutObject"}, "resources": {resource},
		"context_key": {"aws:SourceIp", ""}, "context_type": {"ip", "string"}, "context_values": {"203.0.113.7", ""}})
	has(t, body, `<tr data-decision="allowed"><td class="action"><code>s3:PutObject</code></td>`,
		`<strong class="source">user_ana_deny</strong> <span class="muted">(IAM Policy)</span><span class="position">, from line 1, column 97 to line 1, column 215</span>`,
		`value="203.0.113.7"`)
	hasNot(t, body, `<ul class="missing">`)
	body = b.simulate(http.StatusOK, url.Values{"mode": {"principal"}, "principal": {anaArn}, "actions": {"s3:PutObject"},
		"context_key": {"aws:SourceIp"}, "context_type": {"ip"}, "context_values": {"198.51.100.1"}})
	has(t, body, `<tr data-decision="implicitDeny"><td class="action"><code>s3:PutObject</code></td><td class="resource"><code>*</code></td>`)

	// The API's own answers to a value of the wrong type.
	body = b.simulate(http.StatusBadRequest, url.Values{"mode": {"principal"}, "principal": {anaArn}, "actions": {"s3:PutObject"},
		"context_key": {"aws:SourceIp"}, "context_type": {"ip"}, "context_values": {"not-an-ip"}})
	has(t, body, "InvalidInput: Invalid value not-an-ip for context key aws:SourceIp of type ip.")
	hasNot(t, body, `id="results"`)

	// A form that cannot be sent says what it lacks.
	body = b.simulate(http.StatusBadRequest, url.Values{"mode": {"principal"}, "actions": {"s3:GetObject"}})
	has(t, body, `<div class="alert error" role="alert" id="problem">Choose a user, user group or role to simulate.</div>`)
	body = b.simulate(http.StatusBadRequest, url.Values{"mode": {"principal"}, "principal": {anaArn}})
	has(t, body, "Choose at least one action.")

	// The simulation is a form of this session only.
	b.refusesForgery(simulator, url.Values{"do": {"run"}, "mode": {"principal"}, "principal": {anaArn}, "actions": {"s3:GetObject"}})
}

// The actions of a service from the Service Authorization Reference:
// chosen with check boxes, beside the ones typed, each action once.
func TestSimulatorServiceActions(t *testing.T) {
	e := newEnv(t)
	e.simUser(t)
	b := e.signedIn(t, "test", "test")
	b.get(simulator)

	_, body := b.post(simulator, url.Values{"do": {"list"}, "mode": {"principal"}, "principal": {anaArn}, "service": {"s3"}, "actions": {"iam:GetUser"}})
	has(t, body, `<option value="s3" selected>s3: Amazon S3</option>`,
		`<label class="radio"><input type="checkbox" name="action" value="s3:GetObject"> s3:GetObject <span class="muted">Read</span></label>`,
		`<textarea id="actions" name="actions" rows="3" class="code" spellcheck="false" placeholder="s3:GetObject">iam:GetUser</textarea>`)
	hasNot(t, body, `id="results"`)

	// Another service: the actions checked stay chosen, now in the text.
	_, body = b.post(simulator, url.Values{"mode": {"principal"}, "principal": {anaArn}, "service": {"iam"}, "action": {"s3:GetObject"}, "actions": {"iam:GetUser\ns3:getobject"}})
	has(t, body, `<input type="checkbox" name="action" value="iam:GetUser" checked> iam:GetUser`, `placeholder="s3:GetObject">s3:getobject</textarea>`)

	body = b.simulate(http.StatusOK, url.Values{"mode": {"principal"}, "principal": {anaArn}, "service": {"s3"}, "action": {"s3:GetObject", "s3:ListBucket"}, "actions": {"iam:GetUser"}})
	has(t, body, `Results <span class="count">(3)</span>`, `<tbody data-eval-action="iam:GetUser">`, `<tbody data-eval-action="s3:GetObject">`, `<tbody data-eval-action="s3:ListBucket">`,
		`<input type="checkbox" name="action" value="s3:GetObject" checked>`, `<input type="checkbox" name="action" value="s3:ListBucket" checked>`,
		`<p class="hint" id="checked-actions">Chosen: s3:GetObject, s3:ListBucket</p>`)
}

// Custom mode: a pasted policy (and a permissions boundary), the answer
// for several resources (the action's, then each resource's), each
// matched statement shown in the pasted text.
func TestSimulatorCustomPolicy(t *testing.T) {
	e := newEnv(t)
	b := e.signedIn(t, "test", "test")
	b.get(simulator + "?mode=custom")
	doc := "{\n" +
		"    \"Version\": \"2012-10-17\",\n" +
		"    \"Statement\": [\n" +
		"        {\n" +
		"            \"Effect\": \"Allow\",\n" +
		"            \"Action\": \"s3:GetObject\",\n" +
		"            \"Resource\": \"*\"\n" +
		"        },\n" +
		"        {\n" +
		"            \"Effect\": \"Deny\",\n" +
		"            \"Action\": \"s3:GetObject\",\n" +
		"            \"Resource\": \"arn:aws:s3:::amzn-s3-demo-bucket/secret/*\"\n" +
		"        }\n" +
		"    ]\n" +
		"}"
	public, secret := "arn:aws:s3:::amzn-s3-demo-bucket/report.csv", "arn:aws:s3:::amzn-s3-demo-bucket/secret/keys.txt"
	body := b.simulate(http.StatusOK, url.Values{"mode": {"custom"}, "policy": {doc}, "actions": {"s3:GetObject"}, "resources": {public + "\n" + secret}})
	allow := "<pre class=\"policy statement\">{\n    &#34;Effect&#34;: &#34;Allow&#34;,\n    &#34;Action&#34;: &#34;s3:GetObject&#34;,\n    &#34;Resource&#34;: &#34;*&#34;\n}</pre>"
	deny := "<pre class=\"policy statement\">{\n    &#34;Effect&#34;: &#34;Deny&#34;,\n    &#34;Action&#34;: &#34;s3:GetObject&#34;,\n    &#34;Resource&#34;: &#34;arn:aws:s3:::amzn-s3-demo-bucket/secret/*&#34;\n}</pre>"
	has(t, body, `<input type="radio" name="mode" value="custom" data-autosubmit checked>`, `<fieldset class="card" id="custom-mode">`,
		// The action's answer for the two: denied, under the resource
		// type's ARN template.
		`<tr data-decision="explicitDeny"><td class="action"><code>s3:GetObject</code></td><td class="resource"><code>arn:aws:s3:::${BucketName}/${ObjectName}</code></td>`,
		`<p class="muted">The decision for all the resources; each resource's is below.</p>`,
		`<tr class="resource-result" data-decision="allowed" data-resource="`+public+`">`,
		`<li><strong class="source">PolicyInputList.1</strong> <span class="muted">(IAM Policy)</span><span class="position">, from line 3, column 19 to line 8, column 10</span>`+allow+`</li>`,
		`<tr class="resource-result" data-decision="explicitDeny" data-resource="`+secret+`">`,
		`<span class="position">, from line 8, column 10 to line 13, column 10</span>`+deny+`</li>`)
	hasNot(t, body, `id="principal-mode"`, "<optgroup")

	// A permissions boundary that does not allow the action.
	boundary := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}}`
	body = b.simulate(http.StatusOK, url.Values{"mode": {"custom"}, "policy": {doc}, "boundary": {boundary}, "actions": {"s3:GetObject"}, "resources": {public}})
	has(t, body, `<tr data-decision="implicitDeny"><td class="action"><code>s3:GetObject</code></td><td class="resource"><code>`+public+`</code></td>`,
		`<p class="boundary">Permissions boundary: <strong>Not allowed</strong></p>`)

	// Another account's resource: each policy type's decision.
	queue := "arn:aws:sqs:us-east-1:111122223333:orders"
	body = b.simulate(http.StatusOK, url.Values{"mode": {"custom"}, "policy": {`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}}`},
		"actions": {"sqs:SendMessage"}, "resources": {queue}})
	has(t, body, `<tr data-decision="implicitDeny"><td class="action"><code>sqs:SendMessage</code></td><td class="resource"><code>`+queue+`</code></td>`,
		`<p class="label">Decision details</p>`+"\n"+`<dl class="kv details"><dt>IAM Policy</dt><dd>allowed</dd><dt>Resource Policy</dt><dd>implicitDeny</dd></dl>`)

	// Context keys of the pasted policy, and a policy IAM refuses.
	_, body = b.post(simulator, url.Values{"do": {"keys"}, "mode": {"custom"}, "policy": {anaDeny}})
	has(t, body, "Context keys the policies use: aws:SourceIp.")
	body = b.simulate(http.StatusBadRequest, url.Values{"mode": {"custom"}, "policy": {`{"Statement":[]`}, "actions": {"s3:GetObject"}})
	has(t, body, "MalformedPolicyDocument: ")
	body = b.simulate(http.StatusBadRequest, url.Values{"mode": {"custom"}, "actions": {"s3:GetObject"}})
	has(t, body, "Enter the policy to simulate.")
}

// A resource-based policy, evaluated for the caller it names.
func TestSimulatorResourcePolicy(t *testing.T) {
	e := newEnv(t)
	e.user(t, "ana")
	b := e.signedIn(t, "test", "test")
	b.get(simulator)
	bucketPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + anaArn + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/*"}]}`
	body := b.simulate(http.StatusOK, url.Values{"mode": {"principal"}, "principal": {anaArn}, "actions": {"s3:GetObject"},
		"resources": {"arn:aws:s3:::amzn-s3-demo-bucket/a"}, "resource_policy": {bucketPolicy}})
	has(t, body, `<tr data-decision="allowed">`, `<strong class="source">ResourcePolicy</strong> <span class="muted">(Resource Policy)</span>`,
		"<pre class=\"policy statement\">{&#34;Effect&#34;:&#34;Allow&#34;,&#34;Principal&#34;:")
	// A role's simulation with a resource policy needs a caller.
	e.role(t, "app", tasksTrust)
	body = b.simulate(http.StatusBadRequest, url.Values{"mode": {"principal"}, "principal": {"arn:aws:iam::" + account + ":role/app"}, "actions": {"s3:GetObject"},
		"resource_policy": {bucketPolicy}})
	has(t, body, "InvalidInput: Invalid caller - Caller must be an IAM user in this context.")
	body = b.simulate(http.StatusOK, url.Values{"mode": {"principal"}, "principal": {"arn:aws:iam::" + account + ":role/app"}, "actions": {"s3:GetObject"},
		"resources": {"arn:aws:s3:::amzn-s3-demo-bucket/a"}, "resource_policy": {bucketPolicy}, "caller_arn": {anaArn}})
	has(t, body, `<tr data-decision="allowed">`, `value="`+anaArn+`"`)
}

// The simulator acts as the signed-in user: without
// iam:SimulatePrincipalPolicy (or iam:SimulateCustomPolicy) the console's
// permission message names the action and the principal simulated; without
// the List permissions the principals are not listed but can be entered.
func TestSimulatorDenied(t *testing.T) {
	e := newEnv(t)
	e.simUser(t)
	keyID, secret := e.user(t, "tester", "iam:ListUsers", "iam:ListGroups", "iam:ListRoles")
	b := e.signedIn(t, keyID, secret)
	has(t, b.getAs(http.StatusOK, simulator), `<option value="`+anaArn+`">ana</option>`)
	body := b.simulate(http.StatusForbidden, url.Values{"mode": {"principal"}, "principal": {anaArn}, "actions": {"s3:GetObject"}})
	has(t, body, "You need permissions", "You do not have the permission required to perform this operation. Ask your administrator to add permissions.",
		"User: arn:aws:iam::"+account+":user/tester is not authorized to perform: iam:SimulatePrincipalPolicy on resource: "+anaArn+" because no identity-based policy allows the iam:SimulatePrincipalPolicy action",
		`<dd class="action">iam:SimulatePrincipalPolicy</dd>`, "<dt>Resource</dt><dd>"+anaArn+"</dd>",
		// The form stays, as sent.
		`<option value="`+anaArn+`" selected>ana</option>`)
	hasNot(t, body, `id="results"`)
	body = b.simulate(http.StatusForbidden, url.Values{"mode": {"custom"}, "policy": {s3Read}, "actions": {"s3:GetObject"}})
	has(t, body, `<dd class="action">iam:SimulateCustomPolicy</dd>`)

	// Without the List permissions: each list says why it is missing,
	// and the principal's ARN can be entered.
	keyID, secret = e.user(t, "simulator", "iam:SimulatePrincipalPolicy")
	sb := e.signedIn(t, keyID, secret)
	body = sb.getAs(http.StatusOK, simulator)
	has(t, body, `<dd class="action">iam:ListUsers</dd>`, `<dd class="action">iam:ListGroups</dd>`, `<dd class="action">iam:ListRoles</dd>`,
		`<label for="principal_arn">Or the ARN of a user, user group or role</label>`)
	hasNot(t, body, "<optgroup")
	body = sb.simulate(http.StatusOK, url.Values{"mode": {"principal"}, "principal_arn": {anaArn}, "actions": {"s3:GetObject"}})
	has(t, body, `<tr data-decision="allowed"><td class="action"><code>s3:GetObject</code></td>`, `<input id="principal_arn" name="principal_arn" value="`+anaArn+`"`)
}
