"""The authorizer's key source: the tenant's RS256 signing keys by kid.

It fetches the JWKS on the first token, refreshes it when a token names a
kid it does not hold or when the keys are older than JWKS_MAX_AGE: the first
such refresh at once, then at most once per JWKS_MIN_REFRESH_INTERVAL (a
flood of unknown kids costs one fetch per interval); after a failed fetch the
next may run after 1 s, doubling up to that interval. It bounds each fetch by JWKS_TIMEOUT and by the time left
before the invocation's deadline, reads at most 1 MiB, and keeps the last
good keys through a failed or empty refresh. A Lambda Python instance runs
one invocation at a time, so it needs no lock.
"""

import http.client
import json
import ssl
import time
from urllib.parse import urlsplit

from jwt.algorithms import RSAAlgorithm

MAX_JWKS_BYTES = 1 << 20
MIN_RSA_BITS = 2048


class KeyLookupError(Exception):
    """A failed key lookup; reason is the decision log's reason code."""

    def __init__(self, reason, detail=""):
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail


def fetch_json(url, deadline, clock=time.monotonic):
    """GETs url and decodes its JSON, giving up at deadline (a clock value)
    or after MAX_JWKS_BYTES. Every socket operation gets the time left."""
    u = urlsplit(url)

    def left():
        remaining = deadline - clock()
        if remaining <= 0:
            raise TimeoutError("JWKS request outlived its deadline")
        return remaining

    if u.scheme == "https":
        conn = http.client.HTTPSConnection(u.hostname, u.port, timeout=left(), context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=left())
    try:
        conn.connect()
        # The connection forgets its socket once a response says it will
        # close; the response still reads from it.
        sock = conn.sock
        sock.settimeout(left())
        conn.request("GET", (u.path or "/") + ("?" + u.query if u.query else ""), headers={"Accept": "application/json"})
        sock.settimeout(left())
        resp = conn.getresponse()
        chunks, size = [], 0
        while True:
            sock.settimeout(left())
            chunk = resp.read1(65536) if hasattr(resp, "read1") else resp.read(65536)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_JWKS_BYTES:
                raise ValueError("JWKS response larger than %d bytes" % MAX_JWKS_BYTES)
            chunks.append(chunk)
        if not 200 <= resp.status < 300:
            raise ValueError("JWKS answered HTTP %d" % resp.status)
        try:
            return json.loads(b"".join(chunks))
        except ValueError:
            raise ValueError("JWKS response is not JSON")
    finally:
        conn.close()


def usable_keys(document):
    """The RS256 signature keys of a JWKS document, by kid: kty RSA, use sig
    or absent, alg RS256 or absent, key_ops holding verify or absent, at
    least MIN_RSA_BITS bits. jku, x5u and x5c are never followed."""
    keys = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        return keys
    for jwk in entries:
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA":
            continue
        kid = jwk.get("kid")
        if not isinstance(kid, str) or not kid or kid in keys:
            continue
        if jwk.get("use", "sig") != "sig" or jwk.get("alg", "RS256") != "RS256":
            continue
        ops = jwk.get("key_ops")
        if ops is not None and (not isinstance(ops, list) or "verify" not in ops):
            continue
        try:
            key = RSAAlgorithm.from_jwk({"kty": "RSA", "n": jwk.get("n"), "e": jwk.get("e")})
        except Exception:
            continue
        if key.key_size >= MIN_RSA_BITS:
            keys[kid] = key
    return keys


class KeySource:
    """Keys by kid from the tenant's JWKS, cached and refreshed within
    bounds."""

    def __init__(self, cfg, log, clock=time.monotonic, fetch=fetch_json):
        self._cfg = cfg
        self._log = log
        self._clock = clock
        self._fetch = fetch
        self._keys = {}
        self._fetched_at = None  # clock value of the last good fetch
        self._demanded_at = None  # start of the last refresh made while keys were loaded
        self._failures = 0  # consecutive failed fetches
        self._retry_at = 0.0  # after a failure: no fetch before this clock value

    def _may_refresh(self, now):
        if self._failures:
            return now >= self._retry_at
        if self._fetched_at is None:
            return True
        return self._demanded_at is None or now - self._demanded_at >= self._cfg.jwks_min_refresh_interval

    def get(self, kid, deadline):
        """The public key kid names, refreshing within bounds before the
        deadline (a clock value); raises KeyLookupError otherwise."""
        now = self._clock()
        stale = self._fetched_at is None or now - self._fetched_at >= self._cfg.jwks_max_age
        if kid in self._keys and not stale:
            return self._keys[kid]
        if self._may_refresh(now):
            if not self._failures and self._fetched_at is not None:
                self._demanded_at = now
            self._refresh(deadline)
        if kid in self._keys:
            return self._keys[kid]
        if self._fetched_at is None:
            raise KeyLookupError("keys_unavailable", "no key set loaded")
        raise KeyLookupError("unknown_key")

    def _refresh(self, deadline):
        started = self._clock()
        deadline = min(deadline, started + self._cfg.jwks_timeout)
        try:
            keys = usable_keys(self._fetch(self._cfg.jwks_uri, deadline))
            if not keys:
                raise ValueError("JWKS holds no usable RS256 keys")
        except Exception as e:  # any failure keeps the last good keys
            self._failures += 1
            wait = min(2.0 ** (self._failures - 1), self._cfg.jwks_min_refresh_interval)
            self._retry_at = self._clock() + wait
            self._log({"msg": "jwks refresh", "outcome": "failed", "error": str(e)[:200], "kept_last_good": bool(self._keys)})
            return
        self._failures = 0
        self._keys = keys
        self._fetched_at = self._clock()
        self._log({"msg": "jwks refresh", "outcome": "ok", "keys": len(keys)})
