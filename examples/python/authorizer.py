"""An API Gateway TOKEN authorizer for Auth0 access tokens: RS256 only, keys
from the tenant's JWKS, exact issuer, audience, expiry, typed claims. It
answers an Allow policy or raises Exception("Unauthorized"), which API
Gateway turns into 401; the reason goes to the log (one JSON line per
decision), never the token.

Environment: JWKS_URI, TOKEN_ISSUER (with Auth0's trailing slash) and
AUDIENCE are required; see config.py for the optional knobs.
"""

import base64
import binascii
import json
import re
import time

import jwt

import config
from jwks import KeyLookupError, KeySource
from policy import allow, resource_for

# The scheme exactly as API Gateway's usual validation expression
# (^Bearer [-0-9a-zA-Z._]+$) and RFC 6750's examples spell it: one space,
# one token, nothing after.
_BEARER = re.compile(r"Bearer ([^\s]+)")
_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
# Time kept back from the invocation's deadline to answer Unauthorized.
DEADLINE_MARGIN = 0.2


class Rejection(Exception):
    """Why a token is refused: a reason code for the log. The caller only
    ever sees Exception("Unauthorized")."""

    def __init__(self, reason, detail=""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def log(fields):
    print(json.dumps(fields, separators=(",", ":")))


# Fails the init, with the variable named, when the environment is wrong.
CONFIG = config.from_env()
KEYS = KeySource(CONFIG, log)


def _decode_segment(segment):
    if not _SEGMENT.fullmatch(segment):
        raise Rejection("malformed", "segment is not base64url")
    try:
        value = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (binascii.Error, ValueError):
        raise Rejection("malformed", "segment is not JSON")
    if not isinstance(value, dict):
        raise Rejection("malformed", "segment is not a JSON object")
    return value


def bearer_token(authorization):
    """The token of "Bearer <token>", its size checked before anything else."""
    if not isinstance(authorization, str) or not authorization:
        raise Rejection("token_missing")
    if len(authorization.encode("utf-8")) > CONFIG.max_token_bytes:
        raise Rejection("token_too_large")
    m = _BEARER.fullmatch(authorization)
    if not m:
        raise Rejection("bad_scheme")
    return m.group(1)


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_claims(claims, now):
    """Enforces the registered claims' types and values."""
    leeway = CONFIG.leeway
    if not isinstance(claims.get("iss"), str):
        raise Rejection("claim_type", "iss")
    if claims["iss"] != CONFIG.issuer:
        raise Rejection("issuer")
    aud = claims.get("aud")
    if isinstance(aud, str):
        if aud != CONFIG.audience:
            raise Rejection("audience")
    elif isinstance(aud, list) and all(isinstance(a, str) for a in aud):
        if CONFIG.audience not in aud:
            raise Rejection("audience")
    else:
        raise Rejection("claim_type", "aud")
    if not _is_number(claims.get("exp")):
        raise Rejection("claim_type", "exp")
    if now >= claims["exp"] + leeway:
        raise Rejection("expired")
    if "nbf" in claims:
        if not _is_number(claims["nbf"]):
            raise Rejection("claim_type", "nbf")
        if claims["nbf"] > now + leeway:
            raise Rejection("not_yet_valid")
    if "iat" in claims:
        if not _is_number(claims["iat"]):
            raise Rejection("claim_type", "iat")
        if claims["iat"] > now + leeway:
            raise Rejection("issued_in_future")
    if "sub" in claims and not isinstance(claims["sub"], str):
        raise Rejection("claim_type", "sub")
    if not claims.get("sub"):
        raise Rejection("subject")
    if "scope" in claims and not isinstance(claims["scope"], str):
        raise Rejection("claim_type", "scope")


def verify(token, deadline):
    """The claims of a valid token, or a Rejection."""
    segments = token.split(".")
    if len(segments) != 3:
        raise Rejection("malformed", "not three segments")
    header = _decode_segment(segments[0])
    claims = _decode_segment(segments[1])
    if header.get("alg") != "RS256":
        raise Rejection("algorithm")
    if "crit" in header:
        raise Rejection("malformed", "crit header")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise Rejection("key_id_missing")
    if not _SEGMENT.fullmatch(segments[2]):
        raise Rejection("malformed", "signature is not base64url")
    try:
        key = KEYS.get(kid, deadline)
    except KeyLookupError as e:
        raise Rejection(e.reason, e.detail)
    try:
        # The signature only: the claims are checked below, with their types.
        jwt.decode(token, key=key, algorithms=["RS256"], options={
            "verify_signature": True, "verify_exp": False, "verify_nbf": False,
            "verify_iat": False, "verify_aud": False, "verify_iss": False,
        })
    except jwt.InvalidSignatureError:
        raise Rejection("signature")
    except jwt.PyJWTError:
        raise Rejection("malformed", "not a JWS")
    check_claims(claims, time.time())
    return claims


def handler(event, context):
    """The Lambda entry point: a TOKEN authorizer event."""
    request_id = getattr(context, "aws_request_id", "")
    remaining = context.get_remaining_time_in_millis() / 1000 if context else 3.0
    deadline = time.monotonic() + remaining - DEADLINE_MARGIN
    try:
        if not isinstance(event, dict) or event.get("type") != "TOKEN":
            raise Rejection("event_type")
        claims = verify(bearer_token(event.get("authorizationToken")), deadline)
        scope = claims.get("scope") or ""
        if CONFIG.required_scope and CONFIG.required_scope not in scope.split(" "):
            raise Rejection("scope")
        resource = resource_for(event.get("methodArn"), CONFIG.policy_resource)
        if resource is None:
            raise Rejection("method_arn")
        log({"msg": "authorize", "decision": "allow", "reason": "ok", "request_id": request_id, "sub": claims["sub"]})
        return allow(claims["sub"], resource, {"scope": scope})
    except Rejection as r:
        entry = {"msg": "authorize", "decision": "deny", "reason": r.reason, "request_id": request_id}
        if r.reason == "keys_unavailable":
            entry["detail"] = r.detail
        log(entry)
    except Exception as e:  # never leak an internal error as anything but 401
        log({"msg": "authorize", "decision": "deny", "reason": "internal", "error": type(e).__name__, "request_id": request_id})
    raise Exception("Unauthorized")
