package fakegateway

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
)

// The proxy event goes on the wire as encoding/json writes aws-lambda-go's
// events.APIGatewayProxyRequest, except where that type cannot say what API Gateway sends. AWS's
// recorded event (localstack/localstack tests/aws/services/apigateway/
// test_apigateway_lambda.snapshot.json, test_lambda_aws_proxy_integration) differs from the
// type's encoding in five places, and proxyEventJSON overrides exactly those fields (encoding/json
// lets a field of the outer struct shadow an embedded one of the same JSON name):
//
//   - "body" is null, not "", for a request without a body (the type's Body is a plain string);
//   - "isBase64Encoded" is always present, false included (the type's field is omitempty);
//   - requestContext "deploymentId" exists (the type has no such field);
//   - requestContext "authorizer" is absent, not null, on a route without an authorizer;
//   - requestContext "identity" holds every key, null where unknown (the type omits empty ones and
//     has no principalOrgId).
type proxyEventJSON struct {
	*events.APIGatewayProxyRequest
	Body            *string                 `json:"body"`
	IsBase64Encoded bool                    `json:"isBase64Encoded"`
	RequestContext  proxyRequestContextJSON `json:"requestContext"`
}

// proxyRequestContextJSON is events.APIGatewayProxyRequestContext with the overrides above.
type proxyRequestContextJSON struct {
	*events.APIGatewayProxyRequestContext
	DeploymentID string                     `json:"deploymentId"`
	Authorizer   map[string]any             `json:"authorizer,omitempty"`
	Identity     map[string]json.RawMessage `json:"identity"`
}

// recordedIdentityKeys are the keys of requestContext.identity in AWS's recorded event; the ones
// the gateway does not know are sent as null.
var recordedIdentityKeys = []string{
	"accessKey", "accountId", "caller", "cognitoAuthenticationProvider", "cognitoAuthenticationType",
	"cognitoIdentityId", "cognitoIdentityPoolId", "principalOrgId", "sourceIp", "user", "userAgent", "userArn",
}

// marshalProxyEvent encodes a Lambda proxy integration event as API Gateway sends it.
func marshalProxyEvent(ev *events.APIGatewayProxyRequest, deploymentID string) ([]byte, error) {
	identity, err := identityJSON(ev.RequestContext.Identity)
	if err != nil {
		return nil, err
	}
	wire := proxyEventJSON{
		APIGatewayProxyRequest: ev,
		IsBase64Encoded:        ev.IsBase64Encoded,
		RequestContext: proxyRequestContextJSON{
			APIGatewayProxyRequestContext: &ev.RequestContext,
			DeploymentID:                  deploymentID,
			Authorizer:                    ev.RequestContext.Authorizer,
			Identity:                      identity,
		},
	}
	if ev.Body != "" {
		wire.Body = &ev.Body
	}
	return json.Marshal(wire)
}

// identityJSON is the identity as encoding/json writes the events type, with every recorded key
// the type left out added as null.
func identityJSON(id events.APIGatewayRequestIdentity) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(id)
	if err != nil {
		return nil, fmt.Errorf("encode identity: %w", err)
	}
	m := map[string]json.RawMessage{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("encode identity: %w", err)
	}
	for _, k := range recordedIdentityKeys {
		if _, ok := m[k]; !ok {
			m[k] = json.RawMessage("null")
		}
	}
	return m, nil
}
