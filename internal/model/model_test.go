package model

import "testing"

// services are the models rolecall embeds.
var services = []string{"iam", "sts", "ecs", "application-autoscaling", "ec2"}

func TestLoadLinksEveryService(t *testing.T) {
	for _, name := range services {
		s, err := Load(name)
		if err != nil {
			t.Fatalf("Load(%q): %v", name, err)
		}
		if len(s.Operations) == 0 {
			t.Fatalf("%s: no operations", name)
		}
		for opName, op := range s.Operations {
			if op.Input != nil && op.InputShape == nil {
				t.Errorf("%s.%s: input not linked", name, opName)
			}
		}
	}
}

func TestIAMCreateRoleShape(t *testing.T) {
	s := MustLoad("iam")
	op := s.Operations["CreateRole"]
	if op == nil || op.Output.ResultWrapper != "CreateRoleResult" {
		t.Fatalf("CreateRole output wrapper: %+v", op.Output)
	}
	in := op.InputShape
	if !in.IsRequired("RoleName") || in.IsRequired("Path") {
		t.Errorf("required members wrong: %v", in.Required)
	}
	name := in.Members["RoleName"].Target
	if *name.Max != 64 || name.Regexp() == nil || !name.Regexp().MatchString("app+role=x,y.z@w-1_2") || name.Regexp().MatchString("a/b") {
		t.Errorf("roleNameType constraints wrong: %+v", name)
	}
	doc := in.Members["AssumeRolePolicyDocument"].Target
	if doc.Regexp() == nil || !doc.Regexp().MatchString("{\"a\":\t\"é\"}\n") || doc.Regexp().MatchString("\x01") {
		t.Errorf("policyDocumentType pattern not translated: %q", doc.Pattern)
	}
	if got := in.MemberOrder; len(got) < 2 || got[0] != "Path" || got[1] != "RoleName" {
		t.Errorf("member order not kept: %v", got)
	}
}

// EC2's model is trimmed to the operations rolecall serves, and keeps the
// EC2 protocol's parameter names (queryName) and element names.
func TestEC2Trimmed(t *testing.T) {
	s := MustLoad("ec2")
	if len(s.Operations) != 7 || s.Operations["DescribeInstances"] == nil || s.Metadata.Protocol != "ec2" {
		t.Fatalf("operations: %d, protocol %q", len(s.Operations), s.Metadata.Protocol)
	}
	ids := s.Operations["DescribeInstances"].InputShape.Members["InstanceIds"]
	if ids.LocationName != "InstanceId" || ids.Target.Member.LocationName != "InstanceId" {
		t.Errorf("InstanceIds: %+v", ids)
	}
	out := s.Operations["DescribeInstances"].OutputShape.Members["Reservations"]
	if out.LocationName != "reservationSet" || out.Target.Member.LocationName != "item" {
		t.Errorf("Reservations: %+v %+v", out, out.Target.Member)
	}
	if s.Shapes["CreateVpcRequest"] != nil {
		t.Error("a shape no kept operation reaches was kept")
	}
}

func TestJavaRegexp(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`[\w+=,.@-]+`, `[\w+=,.@-]+`},
		{`[\u0009\u000A]+`, `[\x{0009}\x{000A}]+`},
		{`(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`, `(\x{002F})|(\x{002F}[\x{0021}-\x{007E}]+\x{002F})`},
		{`\\u0041`, `\\u0041`},
		// Application Auto Scaling's XML character range: a surrogate pair
		// is one code point; \p{Print} is ASCII's printable class.
		{`[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\r\n\t]*`, `[\x{0020}-\x{D7FF}\x{E000}-\x{FFFD}\x{10000}-\x{10FFFF}\r\n\t]*`},
		{`\p{Print}+`, `[[:print:]]+`},
		{`[\p{Print}\t]`, `[[:print:]\t]`},
	} {
		if got := JavaRegexp(c.in); got != c.want {
			t.Errorf("JavaRegexp(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func BenchmarkLoadIAM(b *testing.B) {
	for b.Loop() {
		mu.Lock()
		delete(loaded, "iam")
		mu.Unlock()
		MustLoad("iam")
	}
}

// Patterns compile lazily; this keeps a pattern Go cannot express from
// going unnoticed (it would be left unchecked at run time).
func TestEveryPatternCompiles(t *testing.T) {
	// RE2 has no lookahead; an account alias is then checked by length only.
	unexpressible := map[string]bool{"iam/accountAliasType": true}
	for _, name := range services {
		m := MustLoad(name)
		for _, sh := range m.Shapes {
			if sh.Pattern != "" && !sh.Checked() && !unexpressible[name+"/"+sh.Name] {
				t.Errorf("%s: shape %s: pattern %q does not compile", name, sh.Name, sh.Pattern)
			}
		}
	}
}

func TestLoadMetadataMatchesModel(t *testing.T) {
	for _, name := range services {
		md, err := LoadMetadata(name)
		if err != nil {
			t.Fatal(err)
		}
		if md != MustLoad(name).Metadata {
			t.Errorf("%s: LoadMetadata %+v, model %+v", name, md, MustLoad(name).Metadata)
		}
	}
	if _, err := LoadMetadata("nope"); err == nil {
		t.Error("LoadMetadata of an unknown service succeeded")
	}
}

// Application Auto Scaling's string patterns take any XML character,
// supplementary planes included, and refuse control characters.
func TestApplicationAutoScalingPatterns(t *testing.T) {
	m := MustLoad("application-autoscaling")
	id := m.Shapes["ResourceIdMaxLen1600"].Regexp()
	if id == nil || !id.MatchString("service/default/web \U0001F600\t") || id.MatchString("service/\x01") {
		t.Errorf("ResourceIdMaxLen1600 pattern: %q", m.Shapes["ResourceIdMaxLen1600"].Pattern)
	}
	name := m.Shapes["PolicyName"].Regexp()
	if name == nil || !name.MatchString("cpu75 target-tracking") || name.MatchString("caf\u00e9") {
		t.Errorf("PolicyName pattern: %q", m.Shapes["PolicyName"].Pattern)
	}
	// A negative lookahead: no leading or trailing space, no control
	// character, none of : / |.
	action := m.Shapes["ScheduledActionName"]
	for v, want := range map[string]bool{"night": true, "scale in at 22:00": false, "a/b": false, "a|b": false, " night": false, "night ": false,
		"ni ght": true, "tab\there": false, "": false, "caf\u00e9": true} {
		if got := action.Match(v); got != want {
			t.Errorf("ScheduledActionName %q: %v, want %v", v, got, want)
		}
	}
}
