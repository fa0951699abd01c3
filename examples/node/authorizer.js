'use strict';

// An API Gateway TOKEN authorizer for Auth0 access tokens: RS256 only, keys
// from the tenant's JWKS, exact issuer, audience, expiry, typed claims. It
// answers an Allow policy or the error "Unauthorized"; the reason goes to
// the log (one JSON line per decision), never the token.
//
// Environment: JWKS_URI, TOKEN_ISSUER (with Auth0's trailing slash) and
// AUDIENCE are required; see config.js for the optional knobs.

const jwt = require('jsonwebtoken');
const config = require('./config');
const { keySource, KeyError } = require('./jwks');
const { resourceFor, allow } = require('./policy');

// Rejection carries a reason code to the log; the caller only ever sees
// Error("Unauthorized").
class Rejection extends Error {
  constructor(reason, detail) {
    super(reason);
    this.reason = reason;
    this.detail = detail;
  }
}

// The scheme spelt "Bearer" exactly, as API Gateway's validation expression takes it.
const BEARER = /^Bearer ([^\s]+)$/;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
// Time kept back from the invocation's deadline to answer Unauthorized.
const DEADLINE_MARGIN_MS = 200;

function log(fields) {
  console.log(JSON.stringify(fields));
}

// Fails the init, with the variable named, when the environment is wrong.
const cfg = config.fromEnv();
const getKey = keySource(cfg, log);

function decodeSegment(segment) {
  if (!SEGMENT.test(segment)) throw new Rejection('malformed', 'segment is not base64url');
  let value;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new Rejection('malformed', 'segment is not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Rejection('malformed', 'segment is not a JSON object');
  }
  return value;
}

// bearerToken extracts the token of "Bearer <token>", checking its size
// before anything else.
function bearerToken(authorization) {
  if (typeof authorization !== 'string' || authorization === '') throw new Rejection('token_missing');
  if (Buffer.byteLength(authorization, 'utf8') > cfg.maxTokenBytes) throw new Rejection('token_too_large');
  const m = BEARER.exec(authorization);
  if (!m) throw new Rejection('bad_scheme');
  return m[1];
}

const isNumber = (v) => typeof v === 'number' && Number.isFinite(v);

// checkClaims enforces the registered claims' types and values.
function checkClaims(claims, nowSeconds) {
  const leeway = cfg.leewayMs / 1000;
  if (typeof claims.iss !== 'string') throw new Rejection('claim_type', 'iss');
  if (claims.iss !== cfg.issuer) throw new Rejection('issuer');
  const aud = claims.aud;
  if (typeof aud === 'string') {
    if (aud !== cfg.audience) throw new Rejection('audience');
  } else if (Array.isArray(aud) && aud.every((a) => typeof a === 'string')) {
    if (!aud.includes(cfg.audience)) throw new Rejection('audience');
  } else {
    throw new Rejection('claim_type', 'aud');
  }
  if (!isNumber(claims.exp)) throw new Rejection('claim_type', 'exp');
  if (nowSeconds >= claims.exp + leeway) throw new Rejection('expired');
  if (claims.nbf !== undefined) {
    if (!isNumber(claims.nbf)) throw new Rejection('claim_type', 'nbf');
    if (claims.nbf > nowSeconds + leeway) throw new Rejection('not_yet_valid');
  }
  if (claims.iat !== undefined) {
    if (!isNumber(claims.iat)) throw new Rejection('claim_type', 'iat');
    if (claims.iat > nowSeconds + leeway) throw new Rejection('issued_in_future');
  }
  if (claims.sub !== undefined && typeof claims.sub !== 'string') throw new Rejection('claim_type', 'sub');
  if (!claims.sub) throw new Rejection('subject');
  if (claims.scope !== undefined && typeof claims.scope !== 'string') throw new Rejection('claim_type', 'scope');
}

// withDeadline rejects with keys_unavailable when promise outlives ms.
function withDeadline(promise, ms) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new KeyError('keys_unavailable', 'deadline')), Math.max(ms, 0));
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

// verify returns the claims of a valid token or throws a Rejection.
async function verify(token, remainingMs) {
  const segments = token.split('.');
  if (segments.length !== 3) throw new Rejection('malformed', 'not three segments');
  const header = decodeSegment(segments[0]);
  const claims = decodeSegment(segments[1]);
  if (header.alg !== 'RS256') throw new Rejection('algorithm');
  if ('crit' in header) throw new Rejection('malformed', 'crit header');
  if (typeof header.kid !== 'string' || header.kid === '') throw new Rejection('key_id_missing');
  if (!SEGMENT.test(segments[2])) throw new Rejection('malformed', 'signature is not base64url');

  let key;
  try {
    key = await withDeadline(getKey(header.kid), remainingMs - DEADLINE_MARGIN_MS);
  } catch (err) {
    if (err instanceof KeyError) throw new Rejection(err.reason, err.message);
    throw err;
  }
  try {
    // Signature only: the claims are checked below, with their types.
    jwt.verify(token, key, { algorithms: ['RS256'], ignoreExpiration: true, ignoreNotBefore: true });
  } catch (err) {
    throw new Rejection(err && err.message === 'invalid signature' ? 'signature' : 'malformed', err && err.message);
  }
  checkClaims(claims, Date.now() / 1000);
  return claims;
}

// handler is the Lambda entry point (TOKEN authorizer event).
exports.handler = async (event, context) => {
  const requestId = context && context.awsRequestId;
  const remainingMs = context && context.getRemainingTimeInMillis ? context.getRemainingTimeInMillis() : 3000;
  try {
    // A function wired by mistake as a REQUEST authorizer refuses every request.
    if (!event || event.type !== 'TOKEN') throw new Rejection('event_type');
    const token = bearerToken(event.authorizationToken);
    const claims = await verify(token, remainingMs);
    const scope = claims.scope || '';
    if (cfg.requiredScope && !scope.split(' ').includes(cfg.requiredScope)) throw new Rejection('scope');
    const resource = resourceFor(event.methodArn, cfg.policyResource);
    if (!resource) throw new Rejection('method_arn');
    log({ msg: 'authorize', decision: 'allow', reason: 'ok', request_id: requestId, sub: claims.sub });
    return allow(claims.sub, resource, { scope });
  } catch (err) {
    if (err instanceof Rejection) {
      const entry = { msg: 'authorize', decision: 'deny', reason: err.reason, request_id: requestId };
      if (err.reason === 'keys_unavailable') entry.detail = err.detail;
      log(entry);
    } else {
      log({ msg: 'authorize', decision: 'deny', reason: 'internal', request_id: requestId });
    }
    throw new Error('Unauthorized');
  }
};
