package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

// TestCannotRun checks the runs that must not happen exit 2 with a message
// saying why, before any scenario runs.
func TestCannotRun(t *testing.T) {
	tests := []struct {
		name string
		args []string
		says string
	}{
		{"no function", nil, "give -authorizer, -profile or both"},
		{"unknown flag", []string{"-frobnicate"}, "flag provided but not defined"},
		{"extra argument", []string{"-authorizer", "true", "stray"}, "unexpected arguments"},
		{"bad runtime", []string{"-authorizer", "x", "-runtime", "python"}, "must be provided, nodejs or python3"},
		{"skip without a reason", []string{"-authorizer", "x", "-skip", "AUTH-01"}, "is not ID=reason"},
		{"skip of an unknown ID", []string{"-authorizer", "x", "-skip", "AUTH-99=because"}, "neither a scenario ID nor a family"},
		{"env with an unknown field", []string{"-authorizer", "x", "-env", "JWKS_URL={{.JWKS_URL}}"}, "the fields are {{.AUDIENCE}}, {{.CA_FILE}}, {{.DOMAIN}}, {{.JWKS_URI}}, {{.TOKEN_ISSUER}}"},
		{"env that is not a template", []string{"-authorizer", "x", "-env", "A={{.DOMAIN"}, "A: template"},
		{"skip with url", []string{"-url", "http://127.0.0.1:1/prod", "-skip", "GW=no gateway"}, "-skip and -tls apply to functions the runner starts"},
		{"a python interpreter that is not there", []string{"-runtime", "python3", "-python", "no-such-python", "-authorizer", "a.handler"}, "the authorizer function did not start"},
		{"bad timeout", []string{"-authorizer", "x", "-timeout", "0s"}, "-timeout"},
		{"bad env", []string{"-authorizer", "x", "-env", "NOEQUALS"}, "KEY=VALUE"},
		{"bad label filter", []string{"-authorizer", "x", "-label-filter", "AUTH-01 &&"}, "-label-filter"},
		{"url with a command", []string{"-url", "http://127.0.0.1:1/prod", "-authorizer", "x"}, "do not give -authorizer"},
		{"url without credentials", []string{"-url", "http://127.0.0.1:1/prod"}, "-url needs -audience, -client-id, -client-secret, -tenant"},
		{"half an unscoped client", []string{"-url", "http://127.0.0.1:1/prod", "-tenant", "http://127.0.0.1:1/", "-audience", "a",
			"-client-id", "c", "-client-secret", "s", "-unscoped-client-id", "u"}, "both -unscoped-client-id"},
		{"a command that exits", []string{"-authorizer", "exit 3"}, "the authorizer function did not start"},
		{"a command that is not there", []string{"-profile", "exec /nonexistent/bootstrap"}, "the profile function did not start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, &stdout, &stderr); code != exitCannotRun {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, exitCannotRun, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.says) {
				t.Errorf("stderr does not say %q:\n%s", tt.says, stderr.String())
			}
		})
	}
}

// TestStrictFlag checks -strict is read; what it does to the exit status is
// TestSuiteCatchesBrokenImplementations's (a warn exits 0 without it, the
// baseline passes with it).
func TestStrictFlag(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want bool
	}{
		{[]string{"-authorizer", "x"}, false},
		{[]string{"-authorizer", "x", "-strict"}, true},
	} {
		o, err := parse(tt.args, &bytes.Buffer{})
		if err != nil || o.strict != tt.want {
			t.Errorf("parse(%q): strict %v, err %v; want %v", tt.args, o.strict, err, tt.want)
		}
	}
}

// TestFailedOutsideScenarios checks that only nodes other than specs count:
// a failed spec is judged by its level in the summaries instead.
func TestFailedOutsideScenarios(t *testing.T) {
	r := types.Report{SpecReports: types.SpecReports{
		{LeafNodeType: types.NodeTypeIt, State: types.SpecStateFailed},
		{LeafNodeType: types.NodeTypeIt, State: types.SpecStatePassed},
		{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStatePassed},
	}}
	if n := failedOutsideScenarios(r); n != 0 {
		t.Errorf("a failed spec counted outside scenarios: %d", n)
	}
	r.SpecReports = append(r.SpecReports, types.SpecReport{LeafNodeType: types.NodeTypeReportAfterSuite, State: types.SpecStateFailed})
	if n := failedOutsideScenarios(r); n != 1 {
		t.Errorf("a failed ReportAfterSuite: got %d, want 1", n)
	}
}
