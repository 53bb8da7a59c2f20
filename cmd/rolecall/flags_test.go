package main

import (
	"flag"
	"io"
	"reflect"
	"testing"
)

func TestParseWordsTakesFlagsAnywhere(t *testing.T) {
	for _, c := range []struct {
		args  []string
		words []string
		ep    string
	}{
		{[]string{"show", "app"}, []string{"show", "app"}, ""},
		{[]string{"--endpoint", "http://x", "show", "app"}, []string{"show", "app"}, "http://x"},
		{[]string{"show", "--endpoint=http://x", "app"}, []string{"show", "app"}, "http://x"},
		{[]string{"show", "app", "--endpoint", "http://x"}, []string{"show", "app"}, "http://x"},
		{nil, nil, ""},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		ep := fs.String("endpoint", "", "")
		words, err := parseWords(fs, c.args)
		if err != nil || !reflect.DeepEqual(words, c.words) || *ep != c.ep {
			t.Errorf("%q: words %q endpoint %q err %v; want %q %q", c.args, words, *ep, err, c.words, c.ep)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if _, err := parseWords(fs, []string{"show", "--nope"}); err == nil {
		t.Error("an unknown flag was accepted")
	}
}

func TestEndpointURL(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	if got := endpointURL(""); got != defaultEndpoint {
		t.Errorf("no flag, no env: %q", got)
	}
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000/")
	if got := endpointURL(""); got != "http://127.0.0.1:9000" {
		t.Errorf("env: %q", got)
	}
	if got := endpointURL("http://10.0.0.1:4566"); got != "http://10.0.0.1:4566" {
		t.Errorf("flag: %q", got)
	}
}
