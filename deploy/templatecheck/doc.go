// Package templatecheck reads a CloudFormation template (JSON, as the SAM transform writes it)
// and evaluates it with parameter values the way CloudFormation does at deploy time: parameters
// and their defaults, pseudo parameters, conditions (resources whose condition is false are
// dropped) and the intrinsic functions the SAM transform emits. References to resources stay
// symbolic: Ref X is "<X>" and Fn::GetAtt X.Attr is "<X.Attr>", so tests can follow them.
//
// make deploy-check runs its tests with the build tag deploycheck: they read what the local SAM
// transform (deploy/scripts/transform.py) made of deploy/template.yaml, compare it with
// fakegateway's reading of the same template, and assert on what moto created when
// deploy/scripts/deploy.sh ran against it. Without the tag only the evaluator's own tests run,
// so make test needs none of those tools.
package templatecheck
