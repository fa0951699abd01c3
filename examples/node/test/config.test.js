'use strict';

const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { fromEnv, parseDuration } = require('../config.js');

const base = { JWKS_URI: 'https://tenant.example/.well-known/jwks.json', TOKEN_ISSUER: 'https://tenant.example/', AUDIENCE: 'https://api.example/' };

describe('config', () => {
  it('has the Go authorizer defaults', () => {
    assert.deepEqual(fromEnv(base), {
      jwksUri: base.JWKS_URI,
      issuer: base.TOKEN_ISSUER,
      audience: base.AUDIENCE,
      policyResource: 'method',
      requiredScope: '',
      leewayMs: 10000,
      maxTokenBytes: 8192,
      jwksTimeoutMs: 2000,
      jwksMinRefreshIntervalMs: 30000,
      jwksMaxAgeMs: 600000,
    });
  });

  const errors = {
    'JWKS_URI is required': { JWKS_URI: undefined },
    'JWKS_URI "ftp://x/jwks" must be an https or http URL': { JWKS_URI: 'ftp://x/jwks' },
    'TOKEN_ISSUER is required': { TOKEN_ISSUER: '' },
    'TOKEN_ISSUER "https://tenant.example" must be an https or http URL ending in "/"': { TOKEN_ISSUER: 'https://tenant.example' },
    'AUDIENCE is required': { AUDIENCE: ' ' },
    'POLICY_RESOURCE "all" must be "method" or "stage"': { POLICY_RESOURCE: 'all' },
    'TOKEN_LEEWAY "10 minutes" is not a duration (e.g. "30s")': { TOKEN_LEEWAY: '10 minutes' },
    'TOKEN_LEEWAY "6m" must be between 0s and 5m': { TOKEN_LEEWAY: '6m' },
    'MAX_TOKEN_BYTES "100" must be between 1024 and 65536': { MAX_TOKEN_BYTES: '100' },
    'JWKS_MIN_REFRESH_INTERVAL "500ms" must be between 1s and 1h': { JWKS_MIN_REFRESH_INTERVAL: '500ms' },
  };
  for (const [message, overrides] of Object.entries(errors)) {
    it(`fails with: ${message}`, () => {
      const env = { ...base, ...overrides };
      for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
      assert.throws(() => fromEnv(env), { name: 'ConfigError', message });
    });
  }

  it('reads Go durations and plain seconds', () => {
    const cases = { '30s': 30000, '1m30s': 90000, '500ms': 500, '1h': 3600000, 2: 2000, '1.5': 1500, '1.5s': 1500 };
    for (const [text, ms] of Object.entries(cases)) assert.equal(parseDuration(String(text)), ms, text);
    for (const bad of ['', 's', '10 s', '-1s', '1d']) assert.ok(Number.isNaN(parseDuration(bad)), bad);
  });

  it('takes the optional knobs', () => {
    const cfg = fromEnv({ ...base, POLICY_RESOURCE: 'stage', REQUIRED_SCOPE: 'get:profile', TOKEN_LEEWAY: '0s', JWKS_MIN_REFRESH_INTERVAL: '5' });
    assert.equal(cfg.policyResource, 'stage');
    assert.equal(cfg.requiredScope, 'get:profile');
    assert.equal(cfg.leewayMs, 0);
    assert.equal(cfg.jwksMinRefreshIntervalMs, 5000);
  });
});
