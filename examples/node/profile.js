'use strict';

// GET /profile behind the authorizer: 200 {"name":"Daniël"} when the
// authorizer's context grants the scope get:profile, 403 otherwise.

const REQUIRED_SCOPE = 'get:profile';
const JSON_HEADERS = { 'Content-Type': 'application/json' };

function respond(statusCode, body) {
  return { statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

// handler is the Lambda entry point (API Gateway proxy event).
exports.handler = async (event) => {
  const scope = event && event.requestContext && event.requestContext.authorizer && event.requestContext.authorizer.scope;
  const scopes = typeof scope === 'string' ? scope.split(' ') : [];
  if (scopes.includes(REQUIRED_SCOPE)) {
    return respond(200, { name: 'Daniël' });
  }
  return respond(403, { message: 'Forbidden', info: `scope "${REQUIRED_SCOPE}" is required` });
};
