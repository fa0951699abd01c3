package cloudformation

import "errors"

// Errors wrapped by every error this package returns about a template, so that callers can
// tell them apart with errors.Is.
var (
	// ErrSyntax: the document is not YAML or JSON, or uses YAML this package does not read
	// (an unknown tag, an alias without an anchor, a duplicate key).
	ErrSyntax = errors.New("syntax error")
	// ErrLimit: the document is larger, deeper or (after alias expansion) has more nodes than
	// Parse allows.
	ErrLimit = errors.New("limit exceeded")
	// ErrInvalid: the template is not a valid CloudFormation template, or an intrinsic
	// function or condition in it cannot be evaluated (a reference to nothing, wrong
	// arguments, a condition that is undefined or refers to itself).
	ErrInvalid = errors.New("invalid template")
	// ErrParameter: a parameter value is missing, names no declared parameter or breaks its
	// parameter's constraints.
	ErrParameter = errors.New("invalid parameter value")
	// ErrUnsupported: the template uses a function or parameter type whose value depends on
	// an AWS account (Fn::ImportValue, Fn::GetAZs, SSM parameter types, ...), which this
	// package does not evaluate.
	ErrUnsupported = errors.New("not supported")
)
