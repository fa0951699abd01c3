package authorizer

import (
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// policyVersion is the IAM policy language version API Gateway expects.
const policyVersion = "2012-10-17"

// MethodARN is a parsed API Gateway method ARN:
// arn:PARTITION:execute-api:REGION:ACCOUNT:APIID/STAGE/VERB/RESOURCE-PATH.
type MethodARN struct {
	Partition string // aws, aws-cn, aws-us-gov, ...
	Region    string
	Account   string
	APIID     string
	Stage     string
	Verb      string // GET, POST, ..., or * / ANY
	Resource  string // the resource path without its leading "/", may be empty
}

// ParseMethodARN parses the methodArn of a TOKEN authorizer event. It
// rejects (ErrMethodARN) anything that is not an execute-api ARN with a
// non-empty partition, region, account, API id, stage and verb, and any ARN
// holding white space or control characters.
func ParseMethodARN(s string) (MethodARN, error) {
	for i := 0; i < len(s); i++ {
		// IAM reads * and ? in a Resource as wildcards: echoed into the
		// policy, "…/*/GET/profile" would allow every stage. API Gateway never
		// sends them, so an ARN holding one did not come from API Gateway.
		if s[i] <= ' ' || s[i] == 0x7f || s[i] == '*' || s[i] == '?' {
			return MethodARN{}, ErrMethodARN
		}
	}
	// arn:PARTITION:execute-api:REGION:ACCOUNT:APIID/STAGE/VERB[/RESOURCE]
	var parts [6]string
	rest := s
	for i := range 5 {
		var ok bool
		if parts[i], rest, ok = strings.Cut(rest, ":"); !ok {
			return MethodARN{}, ErrMethodARN
		}
	}
	parts[5] = rest
	if parts[0] != "arn" || parts[2] != "execute-api" {
		return MethodARN{}, ErrMethodARN
	}
	apiID, rest, ok1 := strings.Cut(parts[5], "/")
	stage, rest, ok2 := strings.Cut(rest, "/")
	if !ok1 || !ok2 {
		return MethodARN{}, ErrMethodARN
	}
	verb, resource, _ := strings.Cut(rest, "/")
	a := MethodARN{
		Partition: parts[1],
		Region:    parts[3],
		Account:   parts[4],
		APIID:     apiID,
		Stage:     stage,
		Verb:      verb,
		Resource:  resource,
	}
	for _, f := range [...]string{a.Partition, a.Region, a.Account, a.APIID, a.Stage, a.Verb} {
		if f == "" || strings.Contains(f, ":") {
			return MethodARN{}, ErrMethodARN
		}
	}
	return a, nil
}

// String returns the method ARN.
func (a MethodARN) String() string {
	return a.stagePrefix() + a.Verb + "/" + a.Resource
}

// StageWildcard returns the ARN covering every method of the stage:
// arn:PARTITION:execute-api:REGION:ACCOUNT:APIID/STAGE/*.
func (a MethodARN) StageWildcard() string {
	return a.stagePrefix() + "*"
}

func (a MethodARN) stagePrefix() string {
	return "arn:" + a.Partition + ":execute-api:" + a.Region + ":" + a.Account + ":" + a.APIID + "/" + a.Stage + "/"
}

// allowResponse builds the Allow response for principal on resource with
// the token's scope as the only context value.
func allowResponse(principal, resource, scope string) events.APIGatewayCustomAuthorizerResponse {
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: principal,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: policyVersion,
			Statement: []events.IAMPolicyStatement{{
				Action:   []string{"execute-api:Invoke"},
				Effect:   "Allow",
				Resource: []string{resource},
			}},
		},
		Context: map[string]interface{}{"scope": scope},
	}
}

// policyResource returns the Resource to allow for arn (the methodArn as
// received, or the stage wildcard).
func policyResource(mode PolicyResource, methodArn string, arn MethodARN) string {
	if mode == PolicyResourceStage {
		return arn.StageWildcard()
	}
	return methodArn
}
