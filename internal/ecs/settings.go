package ecs

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/store"
)

// Account settings (PutAccountSetting, PutAccountSettingDefault,
// ListAccountSettings, DeleteAccountSetting): per Region, a principal's own
// value, else the account's default (the root user's, which
// PutAccountSettingDefault sets), else AWS's default
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-account-settings.html).
// A role's settings are the role's, whichever session sets them.

// settingRecord is a setting as the store keeps it.
type settingRecord struct {
	Name, Value, PrincipalArn string
}

func settingKey(c Call, principalArn, name string) string {
	return regionKey(c) + principalArn + "|" + name
}

// settingRule is what ECS accepts for a setting and what an account that
// never set it has.
type settingRule struct {
	values []string
	def    string
	// retired is the value AWS no longer lets anyone set: the opt-out
	// periods have ended (refusal is the error it answers).
	retired string
	refusal func() error
	// awsManaged: read-only, AWS sets it ("aws_managed" type).
	awsManaged bool
	// rootOnly: PutAccountSetting needs the root user ("You must use the
	// root user when you set the Fargate wait time", PutAccountSetting
	// reference).
	rootOnly bool
}

var (
	onOff      = []string{"enabled", "disabled"}
	longARNs   = settingRule{values: onOff, def: "enabled", retired: "disabled", refusal: errLongARNsForever}
	settingSet = map[string]settingRule{
		// rolecall's ARNs are always in the long format: the opt-out
		// period ended on April 1, 2021 ("you can no longer opt out",
		// developer guide, ARN and resource ID format timeline).
		"serviceLongArnFormat":           longARNs,
		"taskLongArnFormat":              longARNs,
		"containerInstanceLongArnFormat": longARNs,
		"awsvpcTrunking":                 {values: onOff, def: "disabled"},
		"containerInsights":              {values: []string{"enabled", "disabled", "enhanced"}, def: "disabled"},
		// Enabled unless the Region ran an awsvpc task in an IPv6 subnet
		// in October 2020, which no rolecall account did.
		"dualStackIPv6":   {values: onOff, def: "enabled"},
		"fargateFIPSMode": {values: onOff, def: "disabled"},
		// On for every account since March 29, 2024, and no longer to be
		// turned off (tagging authorization timeline).
		"tagResourceAuthorization":        {values: []string{"on", "off"}, def: "on", retired: "off", refusal: errTagAuthorizationForever},
		"fargateTaskRetirementWaitPeriod": {values: []string{"0", "7", "14"}, def: "7", rootOnly: true},
		"guardDutyActivate":               {values: onOff, def: "disabled", awsManaged: true},
		// non-blocking since June 25, 2025 (PutAccountSetting reference).
		"defaultLogDriverMode": {values: []string{"blocking", "non-blocking"}, def: "non-blocking"},
		"fargateEventWindows":  {values: onOff, def: "disabled"},
	}
	// settingNames are the settings in the order ListAccountSettings
	// answers them.
	settingNames = slices.Sorted(maps.Keys(settingSet))
)

// checkSetting applies a setting's rules to a value put.
func checkSetting(name, value string) (settingRule, error) {
	r := settingSet[name]
	switch {
	case r.awsManaged:
		return r, errSettingAWSManaged(name)
	case r.retired != "" && value == r.retired:
		return r, r.refusal()
	case !slices.Contains(r.values, value):
		return r, errSettingValue()
	}
	return r, nil
}

// settingPrincipal is whose settings a caller means: its own (a role
// session's are its role's), or, for the root user, any IAM principal's of
// the account ("In order to use this parameter, you must be the root user,
// or the principal", PutAccountSetting reference).
func settingPrincipal(c Call, given string) (string, error) {
	p := c.Caller()
	own := p.ARN
	if p.Kind == principal.AssumedRole {
		own = p.RoleARN
	}
	if given == "" || given == own {
		return own, nil
	}
	if p.Kind != principal.Root {
		return "", errSettingPrincipal()
	}
	prefix := "arn:aws:iam::" + c.Account + ":"
	rest, ok := strings.CutPrefix(given, prefix)
	if !ok || !(rest == "root" || strings.HasPrefix(rest, "user/") || strings.HasPrefix(rest, "role/")) {
		return "", errSettingPrincipalARN()
	}
	return given, nil
}

func rootARN(account string) string { return "arn:aws:iam::" + account + ":root" }

func (r *settingRecord) wire() types.Setting {
	t := "user"
	if settingSet[r.Name].awsManaged {
		t = "aws_managed"
	}
	return types.Setting{Name: r.Name, Value: r.Value, PrincipalArn: r.PrincipalArn, Type: t}
}

func loadSetting(tx store.Tx, c Call, principalArn, name string) (*settingRecord, error) {
	var r settingRecord
	found, err := getJSON(tx, bucketSettings, settingKey(c, principalArn, name), &r)
	if err != nil || !found {
		return nil, err
	}
	return &r, nil
}

// effective is a principal's setting: its own, else the account's default
// (named by the root user's ARN), else AWS's default (named by the
// principal's own ARN, as AWS answers it).
func effective(tx store.Tx, c Call, principalArn, name string) (*settingRecord, error) {
	for _, p := range []string{principalArn, rootARN(c.Account)} {
		if r, err := loadSetting(tx, c, p, name); err != nil || r != nil {
			return r, err
		}
	}
	return &settingRecord{Name: name, Value: settingSet[name].def, PrincipalArn: principalArn}, nil
}

// callerSetting is the caller's effective value of a setting.
func callerSetting(tx store.Tx, c Call, name string) (string, error) {
	p, err := settingPrincipal(c, "")
	if err != nil {
		return "", err
	}
	r, err := effective(tx, c, p, name)
	if err != nil {
		return "", err
	}
	return r.Value, nil
}

// CallerSetting is the caller's effective value of an account setting, for
// those who decide by it (tagResourceAuthorization, internal/api/ecsapi).
func (s *Service) CallerSetting(ctx context.Context, c Call, name string) (string, error) {
	var v string
	err := s.view(ctx, c, func(tx store.Tx) error {
		var err error
		v, err = callerSetting(tx, c, name)
		return err
	})
	return v, err
}

// putSetting stores a principal's setting.
func (s *Service) putSetting(ctx context.Context, c Call, principalArn, name, value string) (*types.Setting, error) {
	r := &settingRecord{Name: name, Value: value, PrincipalArn: principalArn}
	if err := s.update(ctx, c, func(tx store.Tx) error {
		return putJSON(tx, bucketSettings, settingKey(c, principalArn, name), r)
	}); err != nil {
		return nil, err
	}
	w := r.wire()
	return &w, nil
}

// PutAccountSetting sets an account setting for the caller, or, for the
// root user, for a principal of the account; the root user's own is the
// account's default.
func (s *Service) PutAccountSetting(ctx context.Context, c Call, in *types.PutAccountSettingRequest) (*types.PutAccountSettingResponse, error) {
	rule, err := checkSetting(in.Name, in.Value)
	if err != nil {
		return nil, err
	}
	if rule.rootOnly && c.Caller().Kind != principal.Root {
		return nil, errSettingRootOnly(in.Name)
	}
	p, err := settingPrincipal(c, in.PrincipalArn)
	if err != nil {
		return nil, err
	}
	st, err := s.putSetting(ctx, c, p, in.Name, in.Value)
	if err != nil {
		return nil, err
	}
	return &types.PutAccountSettingResponse{Setting: st}, nil
}

// PutAccountSettingDefault sets an account setting for every principal
// that has none of its own: the root user's ("Using the
// PutAccountSettingDefault API will be equivalent to using the initial
// PutAccountSetting API for the root user", aws/containers-roadmap #126).
func (s *Service) PutAccountSettingDefault(ctx context.Context, c Call, in *types.PutAccountSettingDefaultRequest) (*types.PutAccountSettingDefaultResponse, error) {
	if _, err := checkSetting(in.Name, in.Value); err != nil {
		return nil, err
	}
	st, err := s.putSetting(ctx, c, rootARN(c.Account), in.Name, in.Value)
	if err != nil {
		return nil, err
	}
	return &types.PutAccountSettingDefaultResponse{Setting: st}, nil
}

// DeleteAccountSetting removes a principal's own setting (the root user's:
// the account's default), which then follows the default again; the
// answer is the setting removed. A principal without one of its own is
// answered its effective setting, which is unchanged (rolecall's reading).
func (s *Service) DeleteAccountSetting(ctx context.Context, c Call, in *types.DeleteAccountSettingRequest) (*types.DeleteAccountSettingResponse, error) {
	if settingSet[in.Name].awsManaged {
		return nil, errSettingAWSManaged(in.Name)
	}
	p, err := settingPrincipal(c, in.PrincipalArn)
	if err != nil {
		return nil, err
	}
	var out types.Setting
	err = s.update(ctx, c, func(tx store.Tx) error {
		r, err := loadSetting(tx, c, p, in.Name)
		if err != nil {
			return err
		}
		if r == nil {
			if r, err = effective(tx, c, p, in.Name); err != nil {
				return err
			}
			out = r.wire()
			return nil
		}
		out = r.wire()
		return tx.Delete(bucketSettings, settingKey(c, p, in.Name))
	})
	if err != nil {
		return nil, err
	}
	return &types.DeleteAccountSettingResponse{Setting: &out}, nil
}

// ListAccountSettings lists a principal's settings, by name: those it set
// itself, or, with effectiveSettings, every setting as it applies to it;
// at most 10 a page.
func (s *Service) ListAccountSettings(ctx context.Context, c Call, in *types.ListAccountSettingsRequest) (*types.ListAccountSettingsResponse, error) {
	if in.Value != "" && in.Name == "" {
		return nil, errSettingValueWithoutName()
	}
	p, err := settingPrincipal(c, in.PrincipalArn)
	if err != nil {
		return nil, err
	}
	names := settingNames
	if in.Name != "" {
		names = []string{in.Name}
	}
	found := map[string]types.Setting{}
	var keys []string
	err = s.view(ctx, c, func(tx store.Tx) error {
		clear(found)
		keys = keys[:0]
		for _, n := range names {
			var r *settingRecord
			var err error
			if in.EffectiveSettings {
				r, err = effective(tx, c, p, n)
			} else {
				r, err = loadSetting(tx, c, p, n)
			}
			if err != nil {
				return err
			}
			if r != nil && (in.Value == "" || r.Value == in.Value) {
				found[n] = r.wire()
				keys = append(keys, n)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var max *int32
	if in.MaxResults > 0 {
		max = ptr(min(in.MaxResults, 10))
	}
	pg, next, err := page(keys, in.NextToken, max, 10)
	if err != nil {
		return nil, err
	}
	out := &types.ListAccountSettingsResponse{Settings: make([]types.Setting, len(pg)), NextToken: next}
	for i, n := range pg {
		out.Settings[i] = found[n]
	}
	return out, nil
}
