package jsonrpc

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
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

func TestWriteError(t *testing.T) {
	w := httptest.NewRecorder()
	WriteError(w, awserr.New(400, "ClusterNotFoundException", "Cluster not found."), "r")
	if w.Code != 400 || strings.TrimSpace(w.Body.String()) != `{"__type":"ClusterNotFoundException","message":"Cluster not found."}` {
		t.Errorf("%d %s", w.Code, w.Body)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("CreateService", `{"serviceName":"web","desiredCount":2,"loadBalancers":[{"targetGroupArn":"arn:x","containerPort":80}]}`)
	f.Add("RegisterTaskDefinition", `{"family":"f","containerDefinitions":[{"name":"c","image":"i","environment":[{"name":"a"}]}]}`)
	f.Add("CreateCluster", `{"tags":{}}`)
	c := ecsCodec()
	f.Fuzz(func(t *testing.T, opName, body string) {
		op, aerr := c.Operation(opName)
		if aerr != nil {
			return
		}
		var in createClusterIn
		if e := c.Decode(op, []byte(body), &in); e != nil && (e.Code == "" || e.Status == 0) {
			t.Fatalf("error without code: %+v", e)
		}
	})
}
