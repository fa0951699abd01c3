// Package profile is the GET /profile Lambda handler: it answers 200
// {"name":"Daniël"} when the API's authorizer granted the scope "get:profile",
// and 403 otherwise.
//
// It serves both designs: behind a REST API (Handle, an
// events.APIGatewayProxyRequest whose requestContext.authorizer.scope the
// TOKEN authorizer set) and behind an HTTP API (HandleHTTP, a payload 2.0
// events.APIGatewayV2HTTPRequest whose requestContext.authorizer holds the
// JWT authorizer's jwt.scopes and jwt.claims, or a Lambda authorizer's
// lambda.scope). Invoke picks one by the event's shape, so one binary runs
// behind either API.
//
// The handler trusts only what API Gateway puts in the request context: the
// scopes that the authorizer verified. It never looks at the token.
package profile
