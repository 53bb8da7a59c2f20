package instances

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/policy"
	"github.com/rolecall/rolecall/internal/store"
)

// Filter is one of DescribeInstances' filters: an instance matches when
// one of Values matches its attribute Name (* and ? are wildcards).
// Several filters must all match ("List and filter your resources",
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Filtering.html).
type Filter struct {
	Name   string
	Values []string
}

// StateCode is an instance state's code: "The valid values for instance
// state codes are: 0 (pending), 16 (running), 32 (shutting-down), 48
// (terminated), 64 (stopping), and 80 (stopped)" (EC2 API reference,
// InstanceState).
func StateCode(state string) int {
	switch state {
	case StateRunning:
		return 16
	case StateTerminated:
		return 48
	}
	return 0
}

// instanceFilters are DescribeInstances' filters that rolecall's
// instances have an attribute for (EC2 API reference,
// DescribeInstances); tag:KEY is handled apart. The others EC2 has name
// what rolecall's instances do not have (subnets, VPCs, volumes...) and
// answer as filters it does not know.
var instanceFilters = map[string]func(*Instance) []string{
	"instance-id":               func(i *Instance) []string { return []string{i.InstanceId} },
	"instance-state-name":       func(i *Instance) []string { return []string{i.State} },
	"instance-state-code":       func(i *Instance) []string { return []string{strconv.Itoa(StateCode(i.State))} },
	"instance-type":             func(i *Instance) []string { return []string{i.InstanceType} },
	"image-id":                  func(i *Instance) []string { return []string{i.ImageId} },
	"architecture":              func(i *Instance) []string { return []string{i.Architecture} },
	"availability-zone":         func(i *Instance) []string { return []string{i.AvailabilityZone} },
	"reservation-id":            func(i *Instance) []string { return []string{i.ReservationId} },
	"owner-id":                  func(i *Instance) []string { return []string{i.Account} },
	"private-ip-address":        func(i *Instance) []string { return []string{i.PrivateIp} },
	"iam-instance-profile.arn":  func(i *Instance) []string { return profileOf(i, i.InstanceProfileArn) },
	"iam-instance-profile.id":   func(i *Instance) []string { return profileOf(i, i.InstanceProfileId) },
	"iam-instance-profile.name": func(i *Instance) []string { return profileOf(i, i.InstanceProfileName) },
	"tag-key":                   func(i *Instance) []string { return slices.Collect(maps.Keys(i.Tags)) },
	"tag-value":                 func(i *Instance) []string { return slices.Collect(maps.Values(i.Tags)) },
}

// profileOf is v when the running instance i has an instance profile.
func profileOf(i *Instance, v string) []string {
	if i.State != StateRunning || v == "" {
		return nil
	}
	return []string{v}
}

// CheckFilters answers the first filter EC2 would not know, as EC2 does:
// "InvalidParameterValue: The filter 'public-ip' is invalid" (boto/boto3
// #1299), status 400.
func CheckFilters(filters []Filter, known map[string]func(*Instance) []string) error {
	for _, f := range filters {
		if _, ok := known[f.Name]; !ok && !strings.HasPrefix(f.Name, "tag:") {
			return awserr.New(http.StatusBadRequest, "InvalidParameterValue", "The filter '%s' is invalid", f.Name)
		}
	}
	return nil
}

// matches: i matches every filter.
func matches(i *Instance, filters []Filter, known map[string]func(*Instance) []string) bool {
	for _, f := range filters {
		var have []string
		if key, ok := strings.CutPrefix(f.Name, "tag:"); ok {
			if v, ok := i.Tags[key]; ok {
				have = []string{v}
			}
		} else {
			have = known[f.Name](i)
		}
		if !anyMatch(f.Values, have) {
			return false
		}
	}
	return true
}

// anyMatch: one of the patterns matches one of the values, * and ? as
// wildcards, as in IAM (EC2's escape of them, \*, is not supported).
func anyMatch(patterns, values []string) bool {
	for _, p := range patterns {
		for _, v := range values {
			if policy.MatchWildcard(p, v) {
				return true
			}
		}
	}
	return false
}

// Describe is account's instances in region, running or terminated a
// short while ago, in launch order: those named by ids (each must be well
// formed and exist there: InvalidInstanceID.Malformed, .NotFound naming
// every one missing), or all; then those that match every filter.
// Another account's instances, and another Region's, are not found.
func (s *Service) Describe(ctx context.Context, account, region string, ids []string, filters []Filter) ([]Instance, error) {
	for _, id := range ids {
		if err := ValidID(id); err != nil {
			return nil, err
		}
	}
	if err := CheckFilters(filters, instanceFilters); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	var all []*record
	err := s.st.View(func(tx store.Tx) error {
		all = nil
		if len(ids) == 0 {
			return scanRecords(tx, account, func(r *record) bool {
				if visible(r, region, now) {
					all = append(all, r)
				}
				return true
			})
		}
		var missing []string
		seen := map[string]bool{}
		for _, id := range ids {
			r, err := get(tx, account, id)
			if err != nil {
				return err
			}
			switch {
			case !visible(r, region, now):
				missing = append(missing, id)
			case !seen[id]:
				seen[id] = true
				all = append(all, r)
			}
		}
		if len(missing) > 0 {
			return errNotFound(missing...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []Instance
	for _, r := range all {
		if matches(&r.Instance, filters, instanceFilters) {
			out = append(out, r.Instance)
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		if !out[a].LaunchTime.Equal(out[b].LaunchTime) {
			return out[a].LaunchTime.Before(out[b].LaunchTime)
		}
		if out[a].ReservationId != out[b].ReservationId {
			return out[a].ReservationId < out[b].ReservationId
		}
		return out[a].InstanceId < out[b].InstanceId
	})
	return out, nil
}
