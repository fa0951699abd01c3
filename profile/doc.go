// Package profile is the GET /profile Lambda handler: it answers 200
// {"name":"Daniël"} when the TOKEN authorizer passed the scope "get:profile"
// in requestContext.authorizer.scope, and 403 otherwise.
//
// The handler trusts only what API Gateway puts in the request context: the
// scope string that the authorizer verified. It never looks at the token.
package profile
