package docs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// listedPackage is what go list -json says of one package.
type listedPackage struct {
	ImportPath   string
	Module       *struct{ Path string }
	Deps         []string // every package it needs to build, transitively; no test code
	TestImports  []string // its in-package tests' imports
	XTestImports []string // its external (_test package) tests' imports
}

// Package kinds, by path within the module.
func isHandler(rel string) bool {
	for _, p := range []string{"authorizer", "profile", "deploy/authorizer", "deploy/profile"} {
		if rel == p || strings.HasPrefix(rel, p+"/") {
			return true
		}
	}
	return false
}

// isShipped reports whether a package goes to AWS: the handlers, and
// everything under deploy/ (the functions' mains, the template, the tools
// that package and deploy them).
func isShipped(rel string) bool {
	return isHandler(rel) || rel == "deploy" || strings.HasPrefix(rel, "deploy/")
}

func isFake(rel string) bool { return strings.HasPrefix(rel, "fake") }

func isScenarios(rel string) bool { return rel == "scenarios" || strings.HasPrefix(rel, "scenarios/") }

// importRule is one rule of docs/architecture.md: packages of one kind
// never import packages of another.
type importRule struct {
	applies   func(rel string) bool // the packages bound by the rule
	forbidden func(rel string) bool // what they must not import
	tests     bool                  // the rule binds their tests' imports too
	rule      string                // the rule, as architecture.md states it
}

// importRules are the rules of docs/architecture.md ("What never imports
// what"). A package is bound through Deps, so importing something that
// imports a forbidden package breaks the rule as well.
func importRules() []importRule {
	return []importRule{
		{
			applies:   isShipped,
			forbidden: func(rel string) bool { return isFake(rel) || isScenarios(rel) },
			rule:      "the handlers and everything under deploy/ never import a fake or the suite: nothing written to stand in for AWS or Auth0 may ship in a function zip or shape a handler",
		},
		{
			applies:   isFake,
			forbidden: isHandler,
			tests:     true,
			rule:      "the fakes never import the handlers, not even in their tests: a fake stands for AWS or Auth0 as they document it, and a fake that knew our handlers could bend to them",
		},
		{
			applies:   isScenarios,
			forbidden: isHandler,
			rule:      "the suite never imports the handlers: it judges every implementation through a Target alone, and other implementations import it without ours (its external test package runs ours, as theirs would)",
		},
	}
}

// importViolations lists every import that breaks a rule, one line each.
func importViolations(module string, pkgs []listedPackage, rules []importRule) []string {
	rel := func(path string) (string, bool) {
		if path == module {
			return "", true
		}
		r, ok := strings.CutPrefix(path, module+"/")
		return r, ok
	}
	var out []string
	for _, p := range pkgs {
		from, ok := rel(p.ImportPath)
		if !ok {
			continue
		}
		for _, r := range rules {
			if !r.applies(from) {
				continue
			}
			check := func(kind string, imports []string) {
				for _, imp := range imports {
					if to, ok := rel(imp); ok && to != from && r.forbidden(to) {
						out = append(out, fmt.Sprintf("%s %s %s: %s", from, kind, to, r.rule))
					}
				}
			}
			check("depends on", p.Deps)
			if r.tests {
				check("has tests that import", slices.Concat(p.TestImports, p.XTestImports))
			}
		}
	}
	return out
}

// listModule runs go list -json over every package of the module at
// root and returns the module path and its packages.
func listModule(root string) (string, []listedPackage, error) {
	cmd := exec.Command("go", "list", "-json=ImportPath,Module,Deps,TestImports,XTestImports", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", nil, fmt.Errorf("go list: %w: %s", err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", nil, fmt.Errorf("go list output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 || pkgs[0].Module == nil {
		return "", nil, errors.New("go list found no packages of a module")
	}
	return pkgs[0].Module.Path, pkgs, nil
}

// TestImportRules fails for every import across the module that breaks a
// rule of docs/architecture.md.
func TestImportRules(t *testing.T) {
	module, pkgs, err := listModule("..")
	if err != nil {
		t.Fatal(err)
	}
	// The rules must have something to bind: a renamed package would
	// otherwise pass silently.
	for _, want := range []string{"authorizer", "profile", "deploy/authorizer", "fakeauth0", "fakegateway", "fakelambda", "scenarios"} {
		if !slices.ContainsFunc(pkgs, func(p listedPackage) bool { return p.ImportPath == module+"/"+want }) {
			t.Errorf("go list does not list %s/%s; update the import rules", module, want)
		}
	}
	for _, v := range importViolations(module, pkgs, importRules()) {
		t.Error(v)
	}
}

// TestImportViolations: the checker finds each kind of broken rule, in
// made-up packages.
func TestImportViolations(t *testing.T) {
	const m = "example.com/m"
	pkgs := []listedPackage{
		{ImportPath: m + "/authorizer", Deps: []string{"fmt", m + "/internal/logbuffer", m + "/fakeauth0"}},
		{ImportPath: m + "/deploy/profile", Deps: []string{m + "/profile", m + "/scenarios"}},
		{ImportPath: m + "/deploy/newfunction", Deps: []string{m + "/authorizer", m + "/fakelambda"}},
		{ImportPath: m + "/deploy/templatecheck", Deps: []string{m + "/cloudformation"}, XTestImports: []string{m + "/fakegateway"}}, // parity tests may
		{ImportPath: m + "/fakegateway", Deps: []string{m + "/cloudformation"}, XTestImports: []string{m + "/profile"}},
		{ImportPath: m + "/fakelambda", Deps: []string{m + "/authorizer"}},
		{ImportPath: m + "/scenarios", Deps: []string{m + "/fakelambda", m + "/profile"}, XTestImports: []string{m + "/authorizer"}},
		{ImportPath: m + "/profile", TestImports: []string{m + "/fakeauth0"}},                        // handler tests are not bound
		{ImportPath: m + "/cmd/local", Deps: []string{m + "/authorizer", m + "/fakegateway"}},        // mains that wire both are the point
		{ImportPath: "other.org/fakex", Deps: []string{m + "/authorizer"}},                           // not this module
		{ImportPath: m + "/fakeauth0", Deps: []string{m + "/fakeauth0/internal/keys", "crypto/rsa"}}, // clean
	}
	got := importViolations(m, pkgs, importRules())
	want := []string{
		"authorizer depends on fakeauth0",
		"deploy/profile depends on scenarios",
		"deploy/newfunction depends on fakelambda",
		"fakegateway has tests that import profile",
		"fakelambda depends on authorizer",
		"scenarios depends on profile",
	}
	if len(got) != len(want) {
		t.Fatalf("violations:\n%s\nwant %d", strings.Join(got, "\n"), len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w+": ") {
			t.Errorf("violation %d = %q, want %q", i, got[i], w)
		}
	}
}
