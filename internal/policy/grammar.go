package policy

import (
	"errors"
	"strings"
)

// The grammar pass turns the JSON tree into a Document, answering "Syntax
// errors in policy." for anything the policy language does not allow: a
// wrong type, an unknown element, a missing Effect, an empty Statement list,
// Action together with NotAction, an unknown Version, a malformed Condition.
// Which shapes are syntax errors is recorded (LocalStack's
// test_create_policy_invalid_document, invalid-3..-10, -26, -31, -39..-54,
// -57, -58, -61, -62); so is what is not (valid-10, -17..-19, -31: empty
// Condition blocks, unknown operators with no keys, empty value lists).

var errSyntax = errors.New("policy: syntax")

// parsed is a Document with what the later passes need to know about how it
// was written.
type parsed struct {
	doc   Document
	stmts []stmtInfo // parallel to doc.Statements
}

type stmtInfo struct {
	hasResource, hasNotResource bool // present, even as []
	start, end                  int  // byte offsets of the statement's '{' and '}'
}

func parseGrammar(root *jsonValue) (*parsed, error) {
	if root.kind != jsonObject {
		return nil, errSyntax
	}
	p := &parsed{}
	for _, m := range root.members {
		switch m.key {
		case "Version", "Id", "Statement":
		default:
			return nil, errSyntax
		}
	}
	if v, ok := root.get("Version"); ok {
		if v.kind != jsonString || (v.str != Version2012 && v.str != Version2008) {
			return nil, errSyntax // e.g. "2013-10-17" (recorded invalid-3)
		}
		p.doc.Version = v.str
	}
	if v, ok := root.get("Id"); ok {
		if v.kind != jsonString {
			return nil, errSyntax
		}
		p.doc.ID = v.str
	}
	stmtVal, ok := root.get("Statement")
	if !ok {
		return nil, errSyntax
	}
	var list []*jsonValue
	switch stmtVal.kind {
	case jsonObject:
		list = []*jsonValue{stmtVal}
	case jsonArray:
		if len(stmtVal.arr) == 0 {
			return nil, errSyntax
		}
		list = stmtVal.arr
	default:
		return nil, errSyntax
	}
	p.doc.Statements = make([]Statement, 0, len(list))
	p.stmts = make([]stmtInfo, 0, len(list))
	for k, sv := range list {
		s, info, err := parseStatement(sv)
		if err != nil {
			return nil, err
		}
		if stmtVal.kind == jsonArray {
			// In a list, IAM's simulator starts a statement just after the
			// token before it: the '[' or the previous statement's '}'
			// (positions_aws_test.go has AWS's answers).
			info.start = stmtVal.start
			if k > 0 {
				info.start = list[k-1].end
			}
		}
		p.doc.Statements = append(p.doc.Statements, s)
		p.stmts = append(p.stmts, info)
	}
	return p, nil
}

func parseStatement(v *jsonValue) (Statement, stmtInfo, error) {
	var s Statement
	var info stmtInfo
	if v.kind != jsonObject {
		return s, info, errSyntax
	}
	info.start, info.end = v.start, v.end
	for _, m := range v.members {
		switch m.key {
		case "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource",
			"Principal", "NotPrincipal", "Condition":
		default:
			return s, info, errSyntax
		}
	}
	var err error
	if e, ok := v.get("Sid"); ok {
		if e.kind != jsonString {
			return s, info, errSyntax
		}
		s.Sid = e.str
	}
	e, ok := v.get("Effect")
	if !ok || e.kind != jsonString {
		return s, info, errSyntax
	}
	// Any case passes here; "allow" and "denY" fail later, in legacy parsing
	// (recorded invalid-10 versus -63, -69, -70).
	if !strings.EqualFold(e.str, "Allow") && !strings.EqualFold(e.str, "Deny") {
		return s, info, errSyntax
	}
	s.Effect = e.str

	if s.Action, s.NotAction, _, _, err = pair(v, "Action", "NotAction"); err != nil {
		return s, info, err
	}
	if s.Resource, s.NotResource, info.hasResource, info.hasNotResource, err = pair(v, "Resource", "NotResource"); err != nil {
		return s, info, err
	}
	_, hasP := v.get("Principal")
	_, hasNP := v.get("NotPrincipal")
	if hasP && hasNP {
		return s, info, errSyntax
	}
	if e, ok := v.get("Principal"); ok {
		if s.Principal, err = parsePrincipal(e); err != nil {
			return s, info, err
		}
	}
	if e, ok := v.get("NotPrincipal"); ok {
		if s.NotPrincipal, err = parsePrincipal(e); err != nil {
			return s, info, err
		}
	}
	if e, ok := v.get("Condition"); ok {
		if s.Condition, err = parseCondition(e); err != nil {
			return s, info, err
		}
	}
	return s, info, nil
}

// pair reads an element and its Not form, of which a statement may have one
// (recorded invalid-41, -43, -61, -62).
func pair(v *jsonValue, name, notName string) (yes, not []string, hasYes, hasNot bool, err error) {
	a, hasYes := v.get(name)
	b, hasNot := v.get(notName)
	if hasYes && hasNot {
		return nil, nil, false, false, errSyntax
	}
	if hasYes {
		yes, err = stringOrList(a)
	}
	if hasNot {
		not, err = stringOrList(b)
	}
	return yes, not, hasYes, hasNot, err
}

// stringOrList reads a string or a list of strings (recorded invalid-39,
// -40, -42, -44: objects and nested lists are syntax errors).
func stringOrList(v *jsonValue) ([]string, error) {
	switch v.kind {
	case jsonString:
		return []string{v.str}, nil
	case jsonArray:
		out := make([]string, 0, len(v.arr))
		for _, e := range v.arr {
			if e.kind != jsonString {
				return nil, errSyntax
			}
			out = append(out, e.str)
		}
		return out, nil
	}
	return nil, errSyntax
}

// parsePrincipal reads "*" or {type: value | [values]}. A string other than
// "*" and an unknown type are syntax errors (unverified).
func parsePrincipal(v *jsonValue) (*Principal, error) {
	switch v.kind {
	case jsonString:
		if v.str != "*" {
			return nil, errSyntax
		}
		return &Principal{Any: true}, nil
	case jsonObject:
		p := &Principal{ByType: map[string][]string{}}
		for _, k := range v.keys() {
			switch k {
			case PrincipalAWS, PrincipalService, PrincipalFederated, PrincipalCanonicalUser:
			default:
				return nil, errSyntax
			}
			e, _ := v.get(k)
			vals, err := stringOrList(e)
			if err != nil {
				return nil, err
			}
			p.ByType[k] = vals
		}
		return p, nil
	}
	return nil, errSyntax
}

// parseCondition reads {operator: {key: value | [values]}}. Values may be
// strings, booleans or numbers (recorded invalid-45..-50, -54). An operator
// IAM does not know is a syntax error unless its block is empty (recorded
// invalid-52, -53 versus valid-19, -31).
func parseCondition(v *jsonValue) (map[string]map[string][]string, error) {
	if v.kind != jsonObject {
		return nil, errSyntax
	}
	out := make(map[string]map[string][]string, len(v.members))
	for _, op := range v.keys() {
		block, _ := v.get(op)
		if block.kind != jsonObject {
			return nil, errSyntax
		}
		if len(block.members) > 0 && !knownOperator(op) {
			return nil, errSyntax
		}
		keys := make(map[string][]string, len(block.members))
		for _, k := range block.keys() {
			e, _ := block.get(k)
			vals, err := conditionValues(e)
			if err != nil {
				return nil, err
			}
			keys[k] = vals
		}
		out[op] = keys
	}
	return out, nil
}

func conditionValues(v *jsonValue) ([]string, error) {
	if v.kind == jsonArray {
		out := make([]string, 0, len(v.arr))
		for _, e := range v.arr {
			s, ok := scalar(e)
			if !ok {
				return nil, errSyntax
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, ok := scalar(v)
	if !ok {
		return nil, errSyntax
	}
	return []string{s}, nil
}

// scalar normalises a condition value to the string IAM compares.
func scalar(v *jsonValue) (string, bool) {
	switch v.kind {
	case jsonString, jsonNumber:
		return v.str, true
	case jsonBool:
		if v.b {
			return "true", true
		}
		return "false", true
	}
	return "", false
}
