'use strict';

// The authorizer's configuration, read from the environment once per
// container. Names, defaults and bounds are those of the Go authorizer;
// durations take Go's syntax ("30s", "1m30s", "500ms") or plain seconds.

const DURATION_UNITS_MS = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };

class ConfigError extends Error {}
ConfigError.prototype.name = 'ConfigError';

// parseDuration returns milliseconds, or NaN when value is not a duration.
function parseDuration(value) {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m;
  while ((m = re.exec(value)) !== null) {
    total += Number(m[1]) * DURATION_UNITS_MS[m[2]];
    matched = re.lastIndex;
  }
  return value !== '' && matched === value.length ? total : NaN;
}

function formatDuration(ms) {
  if (ms % 3600000 === 0 && ms > 0) return `${ms / 3600000}h`;
  if (ms % 60000 === 0 && ms > 0) return `${ms / 60000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function duration(env, name, defaultMs, minMs, maxMs) {
  const raw = env[name];
  if (raw === undefined || raw === '') return defaultMs;
  const ms = parseDuration(raw.trim());
  if (Number.isNaN(ms)) throw new ConfigError(`${name} ${JSON.stringify(raw)} is not a duration (e.g. "30s")`);
  if (ms < minMs || ms > maxMs) {
    throw new ConfigError(
      `${name} ${JSON.stringify(raw)} must be between ${formatDuration(minMs)} and ${formatDuration(maxMs)}`,
    );
  }
  return ms;
}

function integer(env, name, def, min, max) {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} ${JSON.stringify(raw)} is not an integer`);
  const n = Number(raw.trim());
  if (n < min || n > max) throw new ConfigError(`${name} ${JSON.stringify(raw)} must be between ${min} and ${max}`);
  return n;
}

function httpURL(raw) {
  try {
    const u = new URL(raw);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.host !== '' ? u : null;
  } catch {
    return null;
  }
}

// fromEnv validates the environment and returns the configuration; a
// ConfigError names the variable at fault.
function fromEnv(env = process.env) {
  const required = (name) => {
    const v = env[name];
    if (v === undefined || v.trim() === '') throw new ConfigError(`${name} is required`);
    return v.trim();
  };

  const jwksUri = required('JWKS_URI');
  if (!httpURL(jwksUri)) throw new ConfigError(`JWKS_URI ${JSON.stringify(jwksUri)} must be an https or http URL`);
  const issuer = required('TOKEN_ISSUER');
  if (!httpURL(issuer) || !issuer.endsWith('/')) {
    throw new ConfigError(`TOKEN_ISSUER ${JSON.stringify(issuer)} must be an https or http URL ending in "/"`);
  }
  const audience = required('AUDIENCE');

  const policyResource = (env.POLICY_RESOURCE || 'method').trim();
  if (policyResource !== 'method' && policyResource !== 'stage') {
    throw new ConfigError(`POLICY_RESOURCE ${JSON.stringify(policyResource)} must be "method" or "stage"`);
  }
  const requiredScope = (env.REQUIRED_SCOPE || '').trim();
  if (/\s/.test(requiredScope)) throw new ConfigError('REQUIRED_SCOPE must be a single scope');

  return Object.freeze({
    jwksUri,
    issuer,
    audience,
    policyResource,
    requiredScope,
    leewayMs: duration(env, 'TOKEN_LEEWAY', 10000, 0, 300000),
    maxTokenBytes: integer(env, 'MAX_TOKEN_BYTES', 8192, 1024, 65536),
    jwksTimeoutMs: duration(env, 'JWKS_TIMEOUT', 2000, 100, 10000),
    jwksMinRefreshIntervalMs: duration(env, 'JWKS_MIN_REFRESH_INTERVAL', 30000, 1000, 3600000),
    jwksMaxAgeMs: duration(env, 'JWKS_MAX_AGE', 600000, 1000, 86400000),
  });
}

module.exports = { fromEnv, parseDuration, ConfigError };
