'use strict';

// Test helpers: RSA keys, a JWKS server on 127.0.0.1 with faults, a token
// minter that can forge anything, and a fresh authorizer per environment.

const crypto = require('node:crypto');
const http = require('node:http');
const path = require('node:path');

const ISSUER = 'https://tenant.example/';
const AUDIENCE = 'https://profile-api.example/';
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/profile';

const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function newKey(kid = crypto.randomUUID(), bits = 2048) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: bits });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicKey, jwk };
}

// jwksServer serves keys at /jwks.json; fault() makes it fail, stall or
// serve garbage; hold() keeps responses until release().
async function jwksServer(keys) {
  const state = { keys: [...keys], fault: null, requests: 0, held: [] };
  const server = http.createServer((req, res) => {
    state.requests++;
    const answer = () => {
      switch (state.fault) {
        case 'error':
          res.writeHead(500).end('oops');
          return;
        case 'garbage':
          res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"keys": [garbage');
          return;
        case 'empty':
          res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"keys":[]}');
          return;
        default:
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: state.keys.map((k) => k.jwk ?? k) }));
      }
    };
    if (state.fault === 'hold') state.held.push(answer);
    else answer();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/jwks.json`;
  return {
    url,
    state,
    publish: (key) => state.keys.push(key),
    fault: (f) => {
      state.fault = f;
    },
    release: () => {
      state.fault = null;
      state.held.splice(0).forEach((answer) => answer());
    },
    close: () =>
      new Promise((resolve) => {
        state.held.splice(0).forEach((answer) => answer());
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}

function claims(overrides = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: ISSUER,
    sub: 'profile-reader@clients',
    aud: AUDIENCE,
    iat: now,
    exp: now + 3600,
    azp: 'profile-reader',
    scope: 'get:profile',
    gty: 'client-credentials',
    ...overrides,
  };
}

// mint signs payload (an object, or raw text) with key under header; alg
// picks the signature: RS256 (default), RS512, PS256, ES256, HS256 (keyed
// with the key's public PEM) or none.
function mint(key, payload = claims(), header = {}) {
  const alg = header.alg ?? 'RS256';
  const h = { alg, typ: 'JWT', kid: key.kid, ...header };
  for (const [k, v] of Object.entries(h)) if (v === undefined) delete h[k];
  const input = `${b64url(h)}.${b64url(payload)}`;
  let sig;
  switch (alg) {
    case 'RS256':
      sig = crypto.sign('sha256', Buffer.from(input), key.privateKey);
      break;
    case 'RS512':
      sig = crypto.sign('sha512', Buffer.from(input), key.privateKey);
      break;
    case 'PS256':
      sig = crypto.sign('sha256', Buffer.from(input), { key: key.privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING });
      break;
    case 'ES256': {
      const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
      sig = crypto.sign('sha256', Buffer.from(input), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
      break;
    }
    case 'HS256':
      sig = crypto.createHmac('sha256', key.publicKey.export({ format: 'pem', type: 'spki' })).update(input).digest();
      break;
    case 'none':
      sig = Buffer.alloc(0);
      break;
    default:
      throw new Error(`unknown alg ${alg}`);
  }
  return `${input}.${sig.toString('base64url')}`;
}

// loadAuthorizer requires a fresh authorizer module under env (the module
// reads its configuration and keeps its key cache at load, like a Lambda
// container).
function loadAuthorizer(env) {
  const saved = { ...process.env };
  for (const name of Object.keys(require.cache)) {
    if (!name.includes(`${path.sep}node_modules${path.sep}`) && !name.includes(`${path.sep}test${path.sep}`)) {
      delete require.cache[name];
    }
  }
  Object.assign(process.env, env);
  try {
    return require('../authorizer.js');
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

function baseEnv(jwksUrl, extra = {}) {
  return { JWKS_URI: jwksUrl, TOKEN_ISSUER: ISSUER, AUDIENCE, JWKS_MIN_REFRESH_INTERVAL: '1s', ...extra };
}

// invoke calls a handler as the Lambda runtime would, with a context whose
// deadline is remainingMs away.
function invoke(handler, event, remainingMs = 3000) {
  const deadline = Date.now() + remainingMs;
  return handler(event, { awsRequestId: crypto.randomUUID(), getRemainingTimeInMillis: () => deadline - Date.now() });
}

function tokenEvent(authorizationToken, methodArn = METHOD_ARN) {
  return { type: 'TOKEN', authorizationToken, methodArn };
}

// captureLogs collects console.log lines while fn runs.
async function captureLogs(fn) {
  const lines = [];
  const original = console.log;
  console.log = (...args) => lines.push(args.join(' '));
  try {
    await fn();
  } finally {
    console.log = original;
  }
  return lines;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = {
  ISSUER,
  AUDIENCE,
  METHOD_ARN,
  b64url,
  newKey,
  jwksServer,
  claims,
  mint,
  loadAuthorizer,
  baseEnv,
  invoke,
  tokenEvent,
  captureLogs,
  sleep,
};
