package ecs

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzStoredRecords: whatever bytes a stored ECS record holds, decoding it
// answers a record or an error, never a panic; and a record that decodes
// is written the same way again once read back (an empty list and no list
// are one thing on disk).
func FuzzStoredRecords(f *testing.F) {
	f.Add(`{"Cluster":{"clusterName":"default","status":"ACTIVE"},"CreatedAt":"2026-12-07T00:00:00Z"}`)
	f.Add(`{"Task":{"taskArn":"arn:aws:ecs:us-east-1:000000000000:task/default/0123","containers":[{"name":"app"}]},"AwsVpc":true}`)
	f.Add(`{"Service":{"serviceName":"web","desiredCount":2},"Events":[{"id":"1","message":"m"}],"Rev":3}`)
	f.Add(`{"Def":{"family":"app","revision":1,"memory":"512"},"Tags":[{"key":"k","value":"v"}]}`)
	f.Add(`{"Instance":{"ec2InstanceId":"i-1","remainingResources":[{"name":"CPU","integerValue":1024}]}}`)
	f.Add(`{"Provider":{"name":"p","autoScalingGroupProvider":{"autoScalingGroupArn":"a"}}}`)
	f.Add(`{"Task":{"containers":[{"networkBindings":[{"hostPort":99999999999}]}]}}`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, data string) {
		roundTrip[clusterRecord](t, data)
		roundTrip[providerRecord](t, data)
		roundTrip[instanceRecord](t, data)
		roundTrip[taskRecord](t, data)
		roundTrip[serviceRecord](t, data)
		roundTrip[taskDefRecord](t, data)
	})
}

func roundTrip[R any](t *testing.T, data string) {
	var first R
	if json.Unmarshal([]byte(data), &first) != nil {
		return
	}
	b, err := json.Marshal(first)
	if err != nil {
		t.Fatalf("%T decoded from %q does not encode: %v", first, data, err)
	}
	var second R
	if err := json.Unmarshal(b, &second); err != nil {
		t.Fatalf("%T written as %s does not decode: %v", first, b, err)
	}
	again, err := json.Marshal(second)
	if err != nil || !bytes.Equal(b, again) {
		t.Fatalf("%T changed on a round trip (%v):\n%s\n%s", first, err, b, again)
	}
}
