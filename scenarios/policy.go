package scenarios

import (
	"encoding/json"
	"fmt"

	"github.com/serverless-auth/serverless-auth/fakegateway"
)

// policyDecision evaluates the policy an authorizer returned, from the raw
// response, exactly as the fake gateway (and IAM) will: a policy that IAM
// would refuse to parse is an error, not a Deny.
func policyDecision(d decision, arn string) (fakegateway.Decision, error) {
	var response struct {
		PolicyDocument json.RawMessage `json:"policyDocument"`
	}
	if err := json.Unmarshal(d.raw, &response); err != nil {
		return fakegateway.ImplicitDeny, fmt.Errorf("the response is not a JSON object: %w", err)
	}
	policy, err := fakegateway.ParsePolicy(response.PolicyDocument)
	if err != nil {
		return fakegateway.ImplicitDeny, err
	}
	return policy.Evaluate("execute-api:Invoke", arn), nil
}

// policyAllows reports whether the authorizer's policy allows invoking arn.
func policyAllows(d decision, arn string) bool {
	decision, err := policyDecision(d, arn)
	return err == nil && decision == fakegateway.Allow
}
