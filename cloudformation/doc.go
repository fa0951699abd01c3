// Package cloudformation parses CloudFormation and SAM templates (YAML with short-form tags, or
// JSON) and evaluates them: parameters with their defaults and constraints, pseudo parameters,
// conditions, and the intrinsic functions.
//
// Parse turns a template into plain Go values (map[string]any, []any, string, int64, float64,
// bool and nil), rewriting YAML short forms such as !Ref X or !Sub s into the long forms
// {"Ref": "X"} and {"Fn::Sub": "s"}. Template.Evaluate evaluates the whole template with
// parameter values the way CloudFormation does when it creates a stack: resources and outputs
// whose condition is false are left out, intrinsic functions are resolved. NewEvaluator binds
// the parameter values once for callers that evaluate parts of a template themselves, as a
// reader of SAM's Globals and Events does.
//
// Resources exist only once a stack is deployed, so references to them evaluate to symbolic
// values: Ref X is RefTo("X") and Fn::GetAtt X.Attr is AttOf("X", "Attr"), unless WithRef or
// WithGetAtt say otherwise.
//
// Every error about a template wraps one of ErrSyntax, ErrLimit, ErrInvalid, ErrParameter or
// ErrUnsupported; ParseFile returns the errors of reading the file as they are.
package cloudformation
