// Package templatecheck checks, offline, what CloudFormation would make of
// deploy/template.yaml: that it is the API fakegateway reads from the same template, and what
// the rehearsal of make deploy against a local emulator created. The template, as the SAM
// transform writes it (JSON), is read and evaluated with parameter values by package
// cloudformation, the way CloudFormation does at deploy time. References to
// resources stay symbolic there (cloudformation.RefTo, cloudformation.AttOf), so the tests can
// follow them; Lookup walks the evaluated values.
//
// make deploy-check runs its tests with the build tag deploycheck: they read what the local SAM
// transform (deploy/scripts/transform.py) made of deploy/template.yaml, compare it with
// fakegateway's reading of the same template, and assert on what moto created when
// deploy/scripts/deploy.sh ran against it. Without the tag only Lookup's own test runs, so make
// test needs none of those tools.
package templatecheck
