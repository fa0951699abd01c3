'use strict';

// The authorizer's key source: jwks-rsa (per-kid cache, rate limit) over a
// fetcher that bounds the response size and time, coalesces concurrent
// refreshes, refreshes at most once per JWKS_MIN_REFRESH_INTERVAL (the first
// refresh for an unknown kid at once), retries a failed fetch after 1 s,
// doubling, and keeps the last good key set through a failed or empty refresh.

const crypto = require('node:crypto');
const http = require('node:http');
const https = require('node:https');
const { JwksClient } = require('jwks-rsa');

const MAX_JWKS_BYTES = 1 << 20;
const MIN_RSA_BITS = 2048;

// KeyError carries the reason code of a failed key lookup.
class KeyError extends Error {
  constructor(reason, message) {
    super(message);
    this.reason = reason;
  }
}
KeyError.prototype.name = 'KeyError';

// fetchJSON GETs a JSON document, giving up after timeoutMs or
// MAX_JWKS_BYTES.
function fetchJSON(url, timeoutMs) {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.get(url, { timeout: timeoutMs, headers: { accept: 'application/json' } }, (res) => {
      const chunks = [];
      let size = 0;
      res.on('data', (chunk) => {
        size += chunk.length;
        if (size > MAX_JWKS_BYTES) {
          req.destroy(new Error(`JWKS response larger than ${MAX_JWKS_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        if (res.statusCode < 200 || res.statusCode >= 300) {
          reject(new Error(`JWKS answered HTTP ${res.statusCode}`));
          return;
        }
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          reject(new Error('JWKS response is not JSON'));
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`JWKS request timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

// hasRSAKeys tells a usable key set from an empty or garbage one.
function hasRSAKeys(doc) {
  return doc !== null && typeof doc === 'object' && Array.isArray(doc.keys) && doc.keys.some((k) => k && k.kty === 'RSA');
}

// refreshingFetcher is jwks-rsa's fetcher: every cache miss lands here. It
// fetches the first key set at once; after that, a refresh for an unknown
// kid runs at once the first time and then at most once per
// JWKS_MIN_REFRESH_INTERVAL; after a failed fetch the next may run after 1 s,
// doubling up to that interval, so a short outage costs seconds.
function refreshingFetcher(cfg, log) {
  let inflight = null;
  let lastDemand = -Infinity; // start of the last refresh made while keys were loaded
  let failures = 0;
  let retryAt = 0;
  let lastGood = null;
  let lastError = null;
  const allowed = (now) => {
    if (failures > 0) return now >= retryAt;
    if (lastGood === null) return true;
    return now - lastDemand >= cfg.jwksMinRefreshIntervalMs;
  };
  return function fetcher(uri) {
    if (inflight) return inflight; // coalesce concurrent refreshes
    const now = Date.now();
    if (!allowed(now)) {
      // Rate-limited: answer at once with what we have.
      return lastGood ? Promise.resolve(lastGood) : Promise.reject(lastError);
    }
    if (failures === 0 && lastGood !== null) lastDemand = now;
    inflight = fetchJSON(uri, cfg.jwksTimeoutMs)
      .then((doc) => {
        if (!hasRSAKeys(doc)) throw new Error('JWKS holds no RSA keys');
        lastGood = doc;
        lastError = null;
        failures = 0;
        log({ msg: 'jwks refresh', outcome: 'ok', keys: doc.keys.length });
        return doc;
      })
      .catch((err) => {
        lastError = err;
        failures += 1;
        retryAt = Date.now() + Math.min(1000 * 2 ** (failures - 1), cfg.jwksMinRefreshIntervalMs);
        log({ msg: 'jwks refresh', outcome: 'failed', error: err.message, kept_last_good: lastGood !== null });
        if (lastGood) return lastGood;
        throw err;
      })
      .finally(() => {
        inflight = null;
      });
    return inflight;
  };
}

// keySource returns getKey(kid): the RSA public KeyObject (>= 2048 bits,
// alg RS256 or unset, use sig or unset) that kid names, or a KeyError.
function keySource(cfg, log) {
  const client = new JwksClient({
    jwksUri: cfg.jwksUri,
    cache: true,
    cacheMaxEntries: 16,
    cacheMaxAge: cfg.jwksMaxAgeMs,
    cacheMaxAgeFallback: 24 * 3600 * 1000,
    rateLimit: true,
    // A backstop only: the fetcher above decides when the tenant is asked.
    jwksRequestsPerMinute: 60,
    timeout: cfg.jwksTimeoutMs,
    fetcher: refreshingFetcher(cfg, log),
  });

  return async function getKey(kid) {
    let key;
    try {
      key = await client.getSigningKey(kid);
    } catch (err) {
      if (err && (err.name === 'SigningKeyNotFoundError' || err.name === 'JwksRateLimitError')) {
        throw new KeyError('unknown_key', err.name);
      }
      throw new KeyError('keys_unavailable', err && err.message);
    }
    if (key.alg !== undefined && key.alg !== 'RS256') throw new KeyError('unknown_key', `key alg ${key.alg}`);
    const pub = crypto.createPublicKey(key.getPublicKey());
    if (pub.asymmetricKeyType !== 'rsa') throw new KeyError('unknown_key', `key type ${pub.asymmetricKeyType}`);
    if (pub.asymmetricKeyDetails.modulusLength < MIN_RSA_BITS) {
      throw new KeyError('unknown_key', `RSA key of ${pub.asymmetricKeyDetails.modulusLength} bits`);
    }
    return pub;
  };
}

module.exports = { keySource, KeyError };
