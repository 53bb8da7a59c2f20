package main

import (
	"flag"
	"os"
	"strings"
)

// defaultEndpoint is where `rolecall serve` listens unless told otherwise.
const defaultEndpoint = "http://127.0.0.1:4566"

// endpointHelp ends the usage of the commands that talk to a running
// rolecall.
const endpointHelp = "The endpoint is --endpoint, else $AWS_ENDPOINT_URL, else " + defaultEndpoint + "."

// endpointFlag defines their --endpoint flag; endpointURL reads it.
func endpointFlag(fs *flag.FlagSet) *string {
	return fs.String("endpoint", "", "rolecall's URL (default $AWS_ENDPOINT_URL, else "+defaultEndpoint+")")
}

// parseWords parses fs's flags wherever they stand among the command's
// words ("roles show --endpoint URL NAME") and returns the words.
func parseWords(fs *flag.FlagSet, args []string) ([]string, error) {
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return words, nil
		}
		words, args = append(words, fs.Arg(0)), fs.Args()[1:]
	}
}

// endpointURL is the --endpoint flag's value, else $AWS_ENDPOINT_URL, else
// rolecall's default address, without a trailing slash.
func endpointURL(flagValue string) string {
	for _, u := range []string{flagValue, os.Getenv("AWS_ENDPOINT_URL"), defaultEndpoint} {
		if u != "" {
			return strings.TrimRight(u, "/")
		}
	}
	return defaultEndpoint
}
