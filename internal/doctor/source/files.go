// Package source reads an ECS setup for the doctor: from files (the JSON
// that `aws ecs register-task-definition --cli-input-json`, `create-service
// --cli-input-json` and the describe calls use, and an `aws iam
// get-account-authorization-details` export), or from a live account
// through the AWS API with read-only calls (ecs Describe/List, iam Get/List,
// sts GetCallerIdentity, application-autoscaling DescribeScalableTargets),
// so that it reads rolecall and a real AWS account alike.
package source

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/internal/doctor"
)

// Loaded is what files held.
type Loaded struct {
	TaskDefinitions   []*doctor.TaskDefinition
	Services          []*doctor.Service
	Tasks             []*doctor.Task
	Clusters          []*doctor.Cluster
	CapacityProviders []*doctor.CapacityProvider
	ScalableTargets   []*doctor.ScalableTarget
	ExpressServices   []*doctor.ExpressService
	Daemons           []*doctor.Daemon
	// DaemonTaskDefinitions are the daemon task definitions the daemons
	// run.
	DaemonTaskDefinitions []*doctor.DaemonTaskDefinition
	// Keys: secret and parameter ARNs (and names) to their KMS keys, from
	// describe-secret and describe-parameters output.
	Keys map[string]string
	// IAM is the IAM export, nil when no file held one.
	IAM *IAMExport
	// Skipped lists JSON files in directories that are none of these.
	Skipped []string
}

// Apply puts what was loaded into a setup.
func (l *Loaded) Apply(s *doctor.Setup) {
	s.TaskDefinitions = append(s.TaskDefinitions, l.TaskDefinitions...)
	s.Services = append(s.Services, l.Services...)
	s.Tasks = append(s.Tasks, l.Tasks...)
	s.Clusters = append(s.Clusters, l.Clusters...)
	s.CapacityProviders = append(s.CapacityProviders, l.CapacityProviders...)
	s.ScalableTargets = append(s.ScalableTargets, l.ScalableTargets...)
	s.ExpressServices = append(s.ExpressServices, l.ExpressServices...)
	s.Daemons = append(s.Daemons, l.Daemons...)
	s.DaemonTaskDefinitions = append(s.DaemonTaskDefinitions, l.DaemonTaskDefinitions...)
	if len(l.Keys) > 0 && s.Keys == nil {
		s.Keys = map[string]string{}
	}
	for k, v := range l.Keys {
		s.Keys[k] = v
	}
}

// LoadFiles reads files and directories (every *.json below a directory,
// in name order). A file named on its own must be one of the known kinds;
// in a directory, other JSON files are skipped and listed.
func LoadFiles(paths ...string) (*Loaded, error) {
	l := &Loaded{Keys: map[string]string{}}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			if err := l.loadFile(p, true); err != nil {
				return nil, err
			}
			continue
		}
		var files []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(d.Name(), ".json") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(files)
		for _, f := range files {
			if err := l.loadFile(f, false); err != nil {
				return nil, err
			}
		}
	}
	return l, nil
}

func (l *Loaded) loadFile(path string, strict bool) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	src := filepath.ToSlash(path)
	ok, err := l.load(b, src)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	if !ok {
		if strict {
			return fmt.Errorf("%s: not a task definition, service, cluster, capacity provider, scalable target, Express service, daemon, daemon task definition, IAM export (get-account-authorization-details), secret or parameter description", src)
		}
		l.Skipped = append(l.Skipped, src)
	}
	return nil
}

// load classifies one JSON document by its members and decodes it.
func (l *Loaded) load(b []byte, src string) (bool, error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(b, &items); err != nil {
			return false, err
		}
		any := false
		for _, it := range items {
			ok, err := l.load(it, src)
			if err != nil {
				return false, err
			}
			any = any || ok
		}
		return any, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return false, fmt.Errorf("not JSON: %v", err)
	}
	has := func(k string) bool { _, ok := m[k]; return ok }
	isObject := func(k string) bool { v := bytes.TrimSpace(m[k]); return len(v) > 0 && v[0] == '{' }
	isObjects := func(k string) bool {
		v := bytes.TrimSpace(m[k])
		return len(v) > 1 && v[0] == '[' && bytes.HasPrefix(bytes.TrimSpace(v[1:]), []byte("{"))
	}
	switch {
	case has("RoleDetailList") || has("UserDetailList") || has("GroupDetailList"):
		if l.IAM == nil {
			l.IAM = &IAMExport{}
		}
		if err := l.IAM.add(b); err != nil {
			return false, err
		}
	case has("daemonTaskDefinitionArn") && has("containerDefinitions"):
		var td doctor.DaemonTaskDefinition
		if err := json.Unmarshal(b, &td); err != nil {
			return false, err
		}
		td.Source = src
		l.DaemonTaskDefinitions = append(l.DaemonTaskDefinitions, &td)
	case isObject("daemonTaskDefinition"): // describe-daemon-task-definition output
		return l.load(m["daemonTaskDefinition"], src)
	case has("daemonName"): // create-daemon input
		var d doctor.Daemon
		if err := json.Unmarshal(b, &d); err != nil {
			return false, err
		}
		d.Source = src
		l.Daemons = append(l.Daemons, &d)
	case has("containerDefinitions"):
		var td doctor.TaskDefinition
		if err := json.Unmarshal(b, &td); err != nil {
			return false, err
		}
		td.Source = src
		l.TaskDefinitions = append(l.TaskDefinitions, &td)
	case isObject("taskDefinition"): // describe-task-definition output
		return l.load(m["taskDefinition"], src)
	case has("infrastructureRoleArn") && (has("primaryContainer") || has("activeConfigurations")):
		var e doctor.ExpressService
		if err := json.Unmarshal(b, &e); err != nil {
			return false, err
		}
		e.Source = src
		l.ExpressServices = append(l.ExpressServices, &e)
	case isObject("service") && len(m) == 1: // describe-express-gateway-service output
		return l.load(m["service"], src)
	case has("serviceName"):
		var s doctor.Service
		if err := json.Unmarshal(b, &s); err != nil {
			return false, err
		}
		s.Source = src
		l.Services = append(l.Services, &s)
	case has("taskArn") && has("taskDefinitionArn"): // describe-tasks output
		var t doctor.Task
		if err := json.Unmarshal(b, &t); err != nil {
			return false, err
		}
		t.Source = src
		l.Tasks = append(l.Tasks, &t)
	case isObjects("services"), isObjects("clusters"), isObjects("capacityProviders"), isObjects("ScalableTargets"), isObjects("taskDefinitions"), isObjects("tasks"):
		any := false
		for _, k := range []string{"services", "clusters", "capacityProviders", "ScalableTargets", "taskDefinitions", "tasks"} {
			if isObjects(k) {
				ok, err := l.load(m[k], src)
				if err != nil {
					return false, err
				}
				any = any || ok
			}
		}
		return any, nil
	case has("managedInstancesProvider") || has("autoScalingGroupProvider"):
		var cp doctor.CapacityProvider
		if err := json.Unmarshal(b, &cp); err != nil {
			return false, err
		}
		cp.Source = src
		l.CapacityProviders = append(l.CapacityProviders, &cp)
	case has("clusterName"):
		var c doctor.Cluster
		if err := json.Unmarshal(b, &c); err != nil {
			return false, err
		}
		c.Source = src
		l.Clusters = append(l.Clusters, &c)
	case has("ServiceNamespace") && has("ResourceId"):
		var st doctor.ScalableTarget
		if err := json.Unmarshal(b, &st); err != nil {
			return false, err
		}
		st.Source = src
		l.ScalableTargets = append(l.ScalableTargets, &st)
	case has("ARN") && has("KmsKeyId"): // secretsmanager describe-secret
		var s struct{ ARN, Name, KmsKeyId string }
		if err := json.Unmarshal(b, &s); err != nil {
			return false, err
		}
		l.Keys[s.ARN] = s.KmsKeyId
		if s.Name != "" {
			l.Keys[s.Name] = s.KmsKeyId
		}
	case isObjects("Parameters"): // ssm describe-parameters
		var p struct {
			Parameters []struct{ Name, ARN, KeyId, Type string }
		}
		if err := json.Unmarshal(b, &p); err != nil {
			return false, err
		}
		for _, x := range p.Parameters {
			if x.KeyId == "" {
				continue
			}
			if x.ARN != "" {
				l.Keys[x.ARN] = x.KeyId
			}
			l.Keys[x.Name] = x.KeyId
		}
	default:
		return false, nil
	}
	return true, nil
}
