package jsonrpc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/model"
)

type tag struct{ Key, Value string }

type createClusterIn struct {
	ClusterName string
	Tags        []tag
	Settings    []struct{ Name, Value string }
}

type cluster struct {
	ClusterArn, ClusterName, Status   string
	RegisteredContainerInstancesCount int32
	Tags                              []tag
}

func ecsCodec() *Codec {
	return &Codec{Model: model.MustLoad("ecs"), ValidationCode: "InvalidParameterException"}
}

func TestDecode(t *testing.T) {
	c := ecsCodec()
	op, aerr := c.Operation("CreateCluster")
	if aerr != nil {
		t.Fatal(aerr)
	}
	var in createClusterIn
	body := `{"clusterName":"prod","tags":[{"key":"team","value":"core"}],"settings":[{"name":"containerInsights","value":"enabled"}]}`
	if e := c.Decode(op, []byte(body), &in); e != nil {
		t.Fatal(e)
	}
	if in.ClusterName != "prod" || len(in.Tags) != 1 || in.Tags[0] != (tag{"team", "core"}) || in.Settings[0].Value != "enabled" {
		t.Errorf("decoded %+v", in)
	}
}

func TestDecodeErrors(t *testing.T) {
	c := ecsCodec()
	cases := []struct {
		op, body, code, msg string
	}{
		{"CreateService", `{}`, "InvalidParameterException", "1 validation error detected: Value null at 'serviceName' failed to satisfy constraint: Member must not be null"},
		{"CreateCluster", `{"clusterName": 5}`, "SerializationException", "Expected a string for 'clusterName'"},
		{"CreateCluster", `{"clusterName": "x"`, "SerializationException", ""},
		{"ListClusters", `{"maxResults": "ten"}`, "SerializationException", "Expected an integer for 'maxResults'"},
		// A list of scalars is reported at the list, echoed, with all of the
		// member's constraints (the form Lambda and ACM answer).
		{"DescribeClusters", `{"include": ["TAGS", "COLOUR", null]}`, "InvalidParameterException",
			"1 validation error detected: Value '[TAGS, COLOUR, null]' at 'include' failed to satisfy constraint: Member must satisfy constraint: " +
				"[Member must satisfy enum value set: [ATTACHMENTS, CONFIGURATIONS, SETTINGS, STATISTICS, TAGS], Member must not be null]"},
		{"DescribeClusters", `{"include": ["TAGS", null]}`, "InvalidParameterException",
			"1 validation error detected: Value '[TAGS, null]' at 'include' failed to satisfy constraint: Member must satisfy constraint: " +
				"[Member must satisfy enum value set: [ATTACHMENTS, CONFIGURATIONS, SETTINGS, STATISTICS, TAGS], Member must not be null]"},
	}
	for _, tc := range cases {
		op, aerr := c.Operation(tc.op)
		if aerr != nil {
			t.Fatal(aerr)
		}
		var in createClusterIn
		e := c.Decode(op, []byte(tc.body), &in)
		if e == nil || e.Code != tc.code || (tc.msg != "" && e.Message != tc.msg) || e.Status != 400 {
			t.Errorf("%s %s: got %v, want %s: %s", tc.op, tc.body, e, tc.code, tc.msg)
		}
	}
}

func TestUnknownOperation(t *testing.T) {
	if _, e := ecsCodec().Operation("Nope"); e == nil || e.Code != "UnknownOperationException" {
		t.Errorf("got %v", e)
	}
}

func TestWriteResponse(t *testing.T) {
	c := ecsCodec()
	op := c.Model.Operations["CreateCluster"]
	w := httptest.NewRecorder()
	c.WriteResponse(w, op, &struct{ Cluster *cluster }{&cluster{ClusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/prod", ClusterName: "prod", Status: "ACTIVE"}}, "r1")
	var got map[string]map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, w.Body)
	}
	cl := got["cluster"]
	if cl["clusterName"] != "prod" || cl["status"] != "ACTIVE" || cl["registeredContainerInstancesCount"] != float64(0) {
		t.Errorf("body %s", w.Body)
	}
	if _, ok := cl["tags"]; ok {
		t.Errorf("nil tags must be absent: %s", w.Body)
	}
	if w.Header().Get("Content-Type") != "application/x-amz-json-1.1" || w.Header().Get("x-amzn-RequestId") != "r1" {
		t.Errorf("headers %v", w.Header())
	}
}

func TestTimestamp(t *testing.T) {
	sh := ecsCodec().Model.Shapes["Deployment"]
	var b bytes.Buffer
	encode(&b, sh, reflect.ValueOf(struct{ CreatedAt time.Time }{time.Unix(1700000000, 250e6)}))
	if got := b.String(); got != `{"createdAt":1700000000.25}` {
		t.Errorf("got %s", got)
	}
}

// Epoch seconds with milliseconds decode to those milliseconds, whatever
// the float's last bits.
func TestDecodeTimestampMilliseconds(t *testing.T) {
	c := ecsCodec()
	for ms := int64(0); ms < 1000; ms++ {
		var in types.SubmitTaskStateChangeRequest
		body := fmt.Sprintf(`{"pullStartedAt": 1796674857.%03d}`, ms)
		if e := c.Decode(c.Model.Operations["SubmitTaskStateChange"], []byte(body), &in); e != nil {
			t.Fatal(e)
		}
		if want := time.Unix(1796674857, ms*1e6); !in.PullStartedAt.Equal(want) {
			t.Fatalf("%s decoded as %v, want %v", body, in.PullStartedAt.Format(time.RFC3339Nano), want.UTC().Format(time.RFC3339Nano))
		}
	}
}

func TestWriteError(t *testing.T) {
	w := httptest.NewRecorder()
	WriteError(w, awserr.New(400, "ClusterNotFoundException", "Cluster not found."), "r")
	if w.Code != 400 || strings.TrimSpace(w.Body.String()) != `{"__type":"ClusterNotFoundException","message":"Cluster not found."}` {
		t.Errorf("%d %s", w.Code, w.Body)
	}
}

// Numbers must fit the member (the model's integer is 32-bit, long 64-bit,
// and a narrower Go field narrows it): never truncated into the field.
func TestDecodeNumbers(t *testing.T) {
	c := ecsCodec()
	const (
		int32Range = "an integer between -2147483648 and 2147483647"
		int64Range = "an integer between -9223372036854775808 and 9223372036854775807"
	)
	td := func() any { return new(types.RegisterTaskDefinitionRequest) }
	lt := func() any { return new(types.ListTasksRequest) }
	ci := func() any { return new(types.RegisterContainerInstanceRequest) }
	cases := []struct {
		name, op, body string
		in             func() any
		want           any    // the decoded value, when accepted
		msg            string // "Expected <msg>", when refused
	}{
		{"max int32", "ListTasks", `{"maxResults": 2147483647}`, lt, int32(math.MaxInt32), ""},
		{"max int32+1", "ListTasks", `{"maxResults": 2147483648}`, lt, nil, int32Range + " for 'maxResults'"},
		{"2^32+1 wraps to 1", "ListTasks", `{"maxResults": 4294967297}`, lt, nil, int32Range + " for 'maxResults'"},
		{"min int32", "ListTasks", `{"maxResults": -2147483648}`, lt, int32(math.MinInt32), ""},
		{"min int32-1", "ListTasks", `{"maxResults": -2147483649}`, lt, nil, int32Range + " for 'maxResults'"},
		{"beyond int64", "ListTasks", `{"maxResults": 99999999999999999999}`, lt, nil, int32Range + " for 'maxResults'"},
		{"2^32+128 wraps to 128", "RegisterTaskDefinition", `{"family":"f","containerDefinitions":[{"name":"c","memory":4294967424}]}`, td, nil,
			int32Range + " for 'containerDefinitions.1.member.memory'"},
		{"fraction", "ListTasks", `{"maxResults": 1.5}`, lt, nil, "an integer for 'maxResults'"},
		{"exponent", "ListTasks", `{"maxResults": 1e3}`, lt, nil, "an integer for 'maxResults'"},
		{"decimal point", "ListTasks", `{"maxResults": 10.0}`, lt, nil, "an integer for 'maxResults'"},
		{"string", "ListTasks", `{"maxResults": "10"}`, lt, nil, "an integer for 'maxResults'"},
		{"max int64", "RegisterContainerInstance", `{"totalResources":[{"longValue": 9223372036854775807}]}`, ci, types.Resource{LongValue: math.MaxInt64}, ""},
		{"min int64", "RegisterContainerInstance", `{"totalResources":[{"longValue": -9223372036854775808}]}`, ci, types.Resource{LongValue: math.MinInt64}, ""},
		{"max int64+1", "RegisterContainerInstance", `{"totalResources":[{"longValue": 9223372036854775808}]}`, ci, nil,
			int64Range + " for 'totalResources.1.member.longValue'"},
		{"min int64-1", "RegisterContainerInstance", `{"totalResources":[{"longValue": -9223372036854775809}]}`, ci, nil,
			int64Range + " for 'totalResources.1.member.longValue'"},
		{"long fraction", "RegisterContainerInstance", `{"totalResources":[{"longValue": 0.5}]}`, ci, nil,
			"an integer for 'totalResources.1.member.longValue'"},
		{"integer beside long", "RegisterContainerInstance", `{"totalResources":[{"integerValue": 4294967296}]}`, ci, nil,
			int32Range + " for 'totalResources.1.member.integerValue'"},
		{"double", "RegisterContainerInstance", `{"totalResources":[{"doubleValue": 1.7976931348623157e308}]}`, ci, types.Resource{DoubleValue: math.MaxFloat64}, ""},
		{"double overflow", "RegisterContainerInstance", `{"totalResources":[{"doubleValue": 1e309}]}`, ci, nil,
			"a number between -1.7976931348623157e+308 and 1.7976931348623157e+308 for 'totalResources.1.member.doubleValue'"},
		{"double overflow negative", "RegisterContainerInstance", `{"totalResources":[{"doubleValue": -2e308}]}`, ci, nil,
			"a number between -1.7976931348623157e+308 and 1.7976931348623157e+308 for 'totalResources.1.member.doubleValue'"},
		{"narrower Go field", "ListTasks", `{"maxResults": 32768}`, func() any { return new(struct{ MaxResults *int16 }) }, nil,
			"an integer between -32768 and 32767 for 'maxResults'"},
		{"timestamp beyond int64 seconds", "SubmitTaskStateChange", `{"pullStartedAt": 1e19}`, func() any { return new(struct{ PullStartedAt time.Time }) }, nil,
			"a timestamp for 'pullStartedAt'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in()
			e := c.Decode(c.Model.Operations[tc.op], []byte(tc.body), in)
			if tc.msg != "" {
				if e == nil || e.Status != 400 || e.Code != "SerializationException" || e.Message != "Expected "+tc.msg {
					t.Errorf("got %v, want 400 SerializationException: Expected %s", e, tc.msg)
				}
				return
			}
			if e != nil {
				t.Fatal(e)
			}
			var got any
			switch v := in.(type) {
			case *types.ListTasksRequest:
				got = *v.MaxResults
			case *types.RegisterContainerInstanceRequest:
				got = v.TotalResources[0]
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("decoded %v (%T), want %v (%T)", got, got, tc.want, tc.want)
			}
		})
	}
}

// One JSON document: anything but whitespace after it is not JSON.
func TestDecodeTrailing(t *testing.T) {
	c := ecsCodec()
	op := c.Model.Operations["ListClusters"]
	const invalid = "Start of structure or map found where not expected: the request body is not valid JSON"
	cases := []struct {
		body string
		ok   bool
	}{
		{`{}`, true},
		{" \t\r\n{\"maxResults\": 5} \t\r\n", true},
		{"", true},
		{" \n", true},
		{`{} xyz`, false},
		{`{}{}`, false},
		{`{"maxResults": 5} 6`, false},
		{`{} ,`, false},
		{`{}]`, false},
		{"{}\u00a0", false}, // not JSON whitespace
		{"{}\x00", false},
	}
	for _, tc := range cases {
		var in struct{ MaxResults *int32 }
		e := c.Decode(op, []byte(tc.body), &in)
		if tc.ok && e != nil {
			t.Errorf("%q: %v", tc.body, e)
		}
		if !tc.ok && (e == nil || e.Status != 400 || e.Code != "SerializationException" || e.Message != invalid) {
			t.Errorf("%q: got %v, want 400 SerializationException: %s", tc.body, e, invalid)
		}
	}
}

// FuzzDecode decodes arbitrary bodies into the real input types of a few ECS
// operations: Decode must not panic, and must refuse with a client (4xx)
// *awserr.Error.
func FuzzDecode(f *testing.F) {
	c := ecsCodec()
	ops := []struct {
		name string
		in   func() any
	}{
		{"RegisterTaskDefinition", func() any { return new(types.RegisterTaskDefinitionRequest) }},
		{"ListTasks", func() any { return new(types.ListTasksRequest) }},
		{"CreateService", func() any { return new(types.CreateServiceRequest) }},
		{"RunTask", func() any { return new(types.RunTaskRequest) }},
		{"RegisterContainerInstance", func() any { return new(types.RegisterContainerInstanceRequest) }},
		{"CreateCluster", func() any { return new(types.CreateClusterRequest) }},
	}
	for i, body := range []string{
		`{"family":"f","containerDefinitions":[{"name":"c","image":"i","memory":512,"environment":[{"name":"a"}],"portMappings":[{"containerPort":80}]}]}`,
		`{"cluster":"default","maxResults":100,"desiredStatus":"RUNNING"}`,
		`{"serviceName":"web","desiredCount":2,"loadBalancers":[{"targetGroupArn":"arn:x","containerPort":80}],"deploymentConfiguration":{"linearConfiguration":{"stepPercent":10.5}}}`,
		`{"taskDefinition":"f:1","count":1,"overrides":{"containerOverrides":[{"name":"c","memory":256}]},"tags":[{"key":"k","value":"v"}]}`,
		`{"totalResources":[{"name":"CPU","type":"INTEGER","integerValue":2048,"longValue":1,"doubleValue":0.5,"stringSetValue":["22"]}]}`,
		`{"clusterName":"prod","tags":[{"key":"team","value":"core"}],"settings":[{"name":"containerInsights","value":"enabled"}]}`,
	} {
		f.Add(uint8(i), body)
	}
	f.Add(uint8(1), `{"maxResults": 4294967297} `)
	f.Add(uint8(0), `{}{}`)
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		o := ops[int(which)%len(ops)]
		op, aerr := c.Operation(o.name)
		if aerr != nil {
			t.Fatal(aerr)
		}
		if e := c.Decode(op, []byte(body), o.in()); e != nil && (e.Code == "" || e.Status < 400 || e.Status >= 500) {
			t.Fatalf("%s %q: not a client error: %+v", o.name, body, e)
		}
	})
}

func TestWriteFloat(t *testing.T) {
	for f, want := range map[float64]string{75: "75.0", 0: "0.0", -2: "-2.0", 1.5: "1.5", 1e21: "1e+21", 0.000001: "1e-06"} {
		var b bytes.Buffer
		writeFloat(&b, f)
		if b.String() != want {
			t.Errorf("writeFloat(%v) = %s, want %s", f, b.String(), want)
		}
	}
}
