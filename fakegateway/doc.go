// Package fakegateway is a fake Amazon API Gateway on net/http — a REST API stage with a TOKEN
// authorizer, or an HTTP API with a JWT or Lambda authorizer — configured from the same SAM
// template that deploys the real one (LoadTemplate, LoadHTTPTemplate), so that local and
// deployed behaviour cannot drift. What follows is the REST API; httpapi.go describes the HTTP API.
//
// A request goes through the pipeline API Gateway runs:
//
//  1. payload limit: a body over 10 MB is refused with 413;
//  2. routing: /{stage}/{resource}; an unknown stage, resource or method is 403
//     {"message":"Missing Authentication Token"} (or, when an Authorization header that is not
//     SigV4 is present, 403 IncompleteSignatureException, as API Gateway then tries to read the
//     header as a signature);
//  3. the TOKEN authorizer: a missing identity header, or one failing the validation expression,
//     is 401 {"message":"Unauthorized"} without invoking the authorizer; otherwise the authorizer
//     gets {"type":"TOKEN","authorizationToken":...,"methodArn":...} (from the result cache when
//     the TTL is non-zero). Its error "Unauthorized" is 401; an explicit Deny is 403 "... with an
//     explicit deny"; an Allow that does not cover the methodArn is 403; any other error, a
//     malformed response or policy, a non-scalar context value or a timeout is 500
//     {"message":null};
//  4. the Lambda proxy integration: the function gets the event AWS sends (recorded by
//     LocalStack's AWS-validated snapshots; encode.go says where it differs from encoding/json's
//     events.APIGatewayProxyRequest), whose requestContext.authorizer holds principalId and the
//     context values as strings behind an authorizer; its response is read as AWS reads it
//     (parseProxyResponse); a function error or malformed response is 502, an integration
//     timeout 504.
//
// docs/fakes.md lists every behaviour with its source: an AWS documentation page, a recorded
// snapshot, or "observed, unrecorded".
//
// Every response the gateway makes itself carries x-amzn-RequestId and (where API Gateway sends
// one) x-amzn-ErrorType, and goes through the template's gateway responses (a specific type over
// DEFAULT_4XX / DEFAULT_5XX), so CORS headers configured there appear on errors as they would in
// AWS.
//
// Gateway is an http.Handler for callers that run their own listener; NewServer serves one on
// 127.0.0.1 like httptest.NewServer.
//
// HTTPGateway is the same for an HTTP API (API Gateway v2), read by LoadHTTPTemplate from an
// AWS::Serverless::HttpApi: routes with Lambda integrations (payload format 2.0), the managed JWT
// authorizer (validated with golang-jwt/jwt/v5 over the issuer's JWKS through keyfunc/v3), Lambda
// authorizers with payload format 2.0 and simple responses, and CORS; NewHTTPServer serves one.
// httpapi.go lists the AWS page behind each behaviour, and docs/designs.md tabulates them.
package fakegateway
