"""The authorizer's configuration, read from the environment once per
container. Names, defaults and bounds are those of the Go authorizer
(authorizer/config.go); durations take Go's syntax ("30s", "1m30s",
"500ms") or plain seconds. A missing or malformed variable raises
ConfigError naming it, which fails the function's init."""

import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")


class ConfigError(Exception):
    """A variable is missing or malformed; the message names it."""


def parse_duration(value):
    """Seconds of a Go duration or a plain number of seconds, or None."""
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    total, pos = 0.0, 0
    for m in _PART.finditer(value):
        if m.start() != pos:
            return None
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    return total if value and pos == len(value) else None


def _duration(env, name, default, low, high):
    raw = env.get(name, "").strip()
    if not raw:
        return default
    seconds = parse_duration(raw)
    if seconds is None:
        raise ConfigError('%s "%s" is not a duration (e.g. "30s")' % (name, raw))
    if not low <= seconds <= high:
        raise ConfigError('%s "%s" must be between %gs and %gs' % (name, raw, low, high))
    return seconds


def _integer(env, name, default, low, high):
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ConfigError('%s "%s" is not an integer' % (name, raw))
    n = int(raw)
    if not low <= n <= high:
        raise ConfigError('%s "%s" must be between %d and %d' % (name, raw, low, high))
    return n


def _is_http_url(raw):
    u = urlsplit(raw)
    return u.scheme in ("https", "http") and bool(u.netloc)


@dataclass(frozen=True)
class Config:
    jwks_uri: str
    issuer: str
    audience: str
    policy_resource: str = "method"
    required_scope: str = ""
    leeway: float = 10.0
    max_token_bytes: int = 8192
    jwks_timeout: float = 2.0
    jwks_min_refresh_interval: float = 30.0
    jwks_max_age: float = 600.0


def from_env(env=None):
    """Validates the environment and returns the Config."""
    env = os.environ if env is None else env

    def required(name):
        value = env.get(name, "").strip()
        if not value:
            raise ConfigError("%s is required" % name)
        return value

    jwks_uri = required("JWKS_URI")
    if not _is_http_url(jwks_uri):
        raise ConfigError('JWKS_URI "%s" must be an https or http URL' % jwks_uri)
    issuer = required("TOKEN_ISSUER")
    if not _is_http_url(issuer) or not issuer.endswith("/"):
        raise ConfigError('TOKEN_ISSUER "%s" must be an https or http URL ending in "/"' % issuer)
    audience = required("AUDIENCE")
    policy_resource = env.get("POLICY_RESOURCE", "").strip() or "method"
    if policy_resource not in ("method", "stage"):
        raise ConfigError('POLICY_RESOURCE "%s" must be "method" or "stage"' % policy_resource)
    required_scope = env.get("REQUIRED_SCOPE", "").strip()
    if re.search(r"\s", required_scope):
        raise ConfigError("REQUIRED_SCOPE must be a single scope")
    return Config(
        jwks_uri=jwks_uri,
        issuer=issuer,
        audience=audience,
        policy_resource=policy_resource,
        required_scope=required_scope,
        leeway=_duration(env, "TOKEN_LEEWAY", 10.0, 0.0, 300.0),
        max_token_bytes=_integer(env, "MAX_TOKEN_BYTES", 8192, 1024, 65536),
        jwks_timeout=_duration(env, "JWKS_TIMEOUT", 2.0, 0.1, 10.0),
        jwks_min_refresh_interval=_duration(env, "JWKS_MIN_REFRESH_INTERVAL", 30.0, 1.0, 3600.0),
        jwks_max_age=_duration(env, "JWKS_MAX_AGE", 600.0, 1.0, 86400.0),
    )
