"""GET /profile behind the authorizer: 200 {"name":"Daniël"} when the
authorizer's context grants the scope get:profile, 403 otherwise. (Named
profile_handler so as not to shadow the standard library's profile.)"""

import json

REQUIRED_SCOPE = "get:profile"


def _respond(status, body):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body, separators=(",", ":"), ensure_ascii=False),
    }


def handler(event, context):
    """The Lambda entry point: an API Gateway proxy event."""
    authorizer = ((event or {}).get("requestContext") or {}).get("authorizer") or {}
    scope = authorizer.get("scope") if isinstance(authorizer, dict) else None
    if isinstance(scope, str) and REQUIRED_SCOPE in scope.split(" "):
        return _respond(200, {"name": "Daniël"})
    return _respond(403, {"message": "Forbidden", "info": 'scope "%s" is required' % REQUIRED_SCOPE})
