package main

import (
	"bytes"
	"strings"
	"testing"
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
		{"bad runtime", []string{"-authorizer", "x", "-runtime", "python"}, "-runtime"},
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
