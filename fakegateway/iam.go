package fakegateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// invokeAction is the IAM action API Gateway evaluates an authorizer's policy for.
const invokeAction = "execute-api:Invoke"

// Decision is the outcome of evaluating an IAM policy for one action on one resource.
type Decision int

const (
	// ImplicitDeny: no statement matched (IAM's default deny).
	ImplicitDeny Decision = iota
	// Allow: an Allow statement matched and no Deny statement did.
	Allow
	// ExplicitDeny: a Deny statement matched; it wins over any Allow.
	ExplicitDeny
)

// String names the decision as API Gateway's logs do.
func (d Decision) String() string {
	switch d {
	case Allow:
		return "allow"
	case ExplicitDeny:
		return "explicit_deny"
	}
	return "implicit_deny"
}

// errMalformedPolicy is wrapped by every policy parsing error.
var errMalformedPolicy = errors.New("malformed policy")

// Policy is a parsed IAM policy document as a Lambda authorizer returns it.
type Policy struct {
	statements []statement
}

type statement struct {
	allow       bool
	actions     []string
	notAction   bool
	resources   []string
	notResource bool
}

// ParsePolicy parses an IAM policy document strictly: element names are case-sensitive,
// Version must be "2012-10-17" (or the legacy "2008-10-17"), Statement is one statement or a
// non-empty list, Effect is exactly "Allow" or "Deny", and each statement has exactly one of
// Action/NotAction and one of Resource/NotResource, each a string or a non-empty list of strings.
// Conditions and principals are rejected: an authorizer's policy cannot use them meaningfully.
func ParsePolicy(doc []byte) (Policy, error) {
	var raw map[string]json.RawMessage
	if err := strictObject(doc, &raw); err != nil {
		return Policy{}, fmt.Errorf("%w: policyDocument is not a JSON object", errMalformedPolicy)
	}
	var version string
	if err := json.Unmarshal(raw["Version"], &version); err != nil || (version != "2012-10-17" && version != "2008-10-17") {
		return Policy{}, fmt.Errorf("%w: Version must be \"2012-10-17\"", errMalformedPolicy)
	}
	stmts, ok := raw["Statement"]
	if !ok || isNull(stmts) {
		return Policy{}, fmt.Errorf("%w: no Statement", errMalformedPolicy)
	}
	var list []json.RawMessage
	if trimmed := bytes.TrimSpace(stmts); len(trimmed) > 0 && trimmed[0] == '{' {
		list = []json.RawMessage{stmts}
	} else if err := json.Unmarshal(stmts, &list); err != nil {
		return Policy{}, fmt.Errorf("%w: Statement is neither a statement nor a list", errMalformedPolicy)
	}
	if len(list) == 0 {
		return Policy{}, fmt.Errorf("%w: Statement is empty", errMalformedPolicy)
	}
	p := Policy{statements: make([]statement, 0, len(list))}
	for i, s := range list {
		st, err := parseStatement(s)
		if err != nil {
			return Policy{}, fmt.Errorf("%w: Statement[%d]: %w", errMalformedPolicy, i, err)
		}
		p.statements = append(p.statements, st)
	}
	return p, nil
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// strictObject decodes a JSON object (and nothing after it).
func strictObject(data []byte, v *map[string]json.RawMessage) error {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errors.New("not an object")
	}
	return json.Unmarshal(trimmed, v)
}

func parseStatement(data json.RawMessage) (statement, error) {
	var raw map[string]json.RawMessage
	if err := strictObject(data, &raw); err != nil {
		return statement{}, errors.New("not an object")
	}
	var st statement
	var effect string
	if err := json.Unmarshal(raw["Effect"], &effect); err != nil {
		return statement{}, errors.New("Effect missing or not a string")
	}
	switch effect {
	case "Allow":
		st.allow = true
	case "Deny":
	default:
		return statement{}, fmt.Errorf("Effect %q is neither Allow nor Deny", effect)
	}
	var err error
	if st.actions, st.notAction, err = stringOrList(raw, "Action", "NotAction"); err != nil {
		return statement{}, err
	}
	if st.resources, st.notResource, err = stringOrList(raw, "Resource", "NotResource"); err != nil {
		return statement{}, err
	}
	for _, k := range []string{"Condition", "Principal", "NotPrincipal"} {
		if _, ok := raw[k]; ok {
			return statement{}, fmt.Errorf("%s is not supported in an authorizer policy", k)
		}
	}
	return st, nil
}

// stringOrList reads exactly one of the keys pos / neg as a string or a non-empty string list.
func stringOrList(raw map[string]json.RawMessage, pos, neg string) ([]string, bool, error) {
	pv, hasPos := raw[pos]
	nv, hasNeg := raw[neg]
	if hasPos == hasNeg {
		return nil, false, fmt.Errorf("want exactly one of %s and %s", pos, neg)
	}
	key, v := pos, pv
	if hasNeg {
		key, v = neg, nv
	}
	var one string
	if err := json.Unmarshal(v, &one); err == nil && !isNull(v) {
		return []string{one}, hasNeg, nil
	}
	var list []string
	if err := json.Unmarshal(v, &list); err != nil || len(list) == 0 {
		return nil, false, fmt.Errorf("%s must be a string or a non-empty list of strings", key)
	}
	return list, hasNeg, nil
}

// Evaluate decides action on resource: a matching Deny wins, then a matching Allow, else the
// implicit deny.
func (p Policy) Evaluate(action, resource string) Decision {
	allowed := false
	for _, st := range p.statements {
		if !st.matches(action, resource) {
			continue
		}
		if !st.allow {
			return ExplicitDeny
		}
		allowed = true
	}
	if allowed {
		return Allow
	}
	return ImplicitDeny
}

func (st statement) matches(action, resource string) bool {
	hit := false
	for _, a := range st.actions {
		if MatchAction(a, action) {
			hit = true
			break
		}
	}
	if hit == st.notAction {
		return false
	}
	hit = false
	for _, r := range st.resources {
		if MatchResource(r, resource) {
			hit = true
			break
		}
	}
	return hit != st.notResource
}

// MatchAction matches an IAM action pattern ("execute-api:*", "execute-api:Inv?ke") against an
// action. Action names are case-insensitive in IAM.
func MatchAction(pattern, action string) bool {
	return globMatch(strings.ToLower(pattern), strings.ToLower(action))
}

// MatchResource matches an IAM resource pattern against an ARN, case-sensitively. "*" alone
// matches everything; otherwise * and ? match within one colon-separated ARN segment, except that
// a * ending the pattern's last segment may run on across colons.
func MatchResource(pattern, arn string) bool {
	if pattern == "*" {
		return true
	}
	ps := strings.SplitN(pattern, ":", 6)
	as := strings.SplitN(arn, ":", 6)
	for i, p := range ps {
		if i >= len(as) {
			return false
		}
		if i == len(ps)-1 && len(ps) < len(as) {
			return strings.HasSuffix(p, "*") && globMatch(p, strings.Join(as[i:], ":"))
		}
		if !globMatch(p, as[i]) {
			return false
		}
	}
	return len(ps) == len(as)
}

// globMatch matches s against a pattern of literal bytes, * (any run) and ? (one character),
// in time proportional to len(pattern)*len(s) at worst.
func globMatch(pattern, s string) bool {
	p := []rune(pattern)
	r := []rune(s)
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(r) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == r[si]) && p[pi] != '*':
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
