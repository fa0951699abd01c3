"""The Python example's own tests, against a JWKS server on 127.0.0.1:
python3 -m unittest discover -s tests -t . (make test-python)."""

import base64
import contextlib
import importlib
import io
import json
import os
import threading
import time
import unittest
import unittest.mock
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

AUDIENCE = "https://api.example/profile"
ARN = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/profile"


def b64(n):
    return base64.urlsafe_b64encode(n.to_bytes((n.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()


class JWKSServer:
    """A JWKS endpoint that counts its requests and can be slowed down."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "key-1"
        self.requests = 0
        self.delay = 0.0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests += 1
                time.sleep(outer.delay)
                pub = outer.key.public_key().public_numbers()
                body = json.dumps({"keys": [{"kty": "RSA", "kid": outer.kid, "use": "sig", "alg": "RS256", "n": b64(pub.n), "e": b64(pub.e)}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, kid=None, alg="RS256", key=None, **claims):
        now = int(time.time())
        body = {"iss": self.url + "/", "aud": AUDIENCE, "sub": "client@clients", "iat": now, "exp": now + 3600, "scope": "get:profile"}
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, key or self.key, algorithm=alg, headers={"kid": kid or self.kid})


class Context:
    aws_request_id = "11111111-2222-4333-8444-555555555555"

    def __init__(self, seconds=3.0):
        self.deadline = time.monotonic() + seconds

    def get_remaining_time_in_millis(self):
        return int((self.deadline - time.monotonic()) * 1000)


class AuthorizerTest(unittest.TestCase):
    def setUp(self):
        self.jwks = JWKSServer()
        self.addCleanup(self.jwks.server.shutdown)
        env = {"JWKS_URI": self.jwks.url + "/.well-known/jwks.json", "TOKEN_ISSUER": self.jwks.url + "/",
               "AUDIENCE": AUDIENCE, "JWKS_MIN_REFRESH_INTERVAL": "1s"}
        patched = unittest.mock.patch.dict(os.environ, env)
        patched.start()
        self.addCleanup(patched.stop)
        import authorizer
        self.authorizer = importlib.reload(authorizer)

    def invoke(self, header, event_type="TOKEN", context=None):
        event = {"type": event_type, "authorizationToken": header, "methodArn": ARN}
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            try:
                return self.authorizer.handler(event, context or Context()), out.getvalue()
            except Exception as e:
                return e, out.getvalue()

    def assertUnauthorized(self, result):
        self.assertIsInstance(result, Exception)
        self.assertEqual(str(result), "Unauthorized")

    def test_allow(self):
        answer, log = self.invoke("Bearer " + self.jwks.token())
        self.assertEqual(answer["principalId"], "client@clients")
        self.assertEqual(answer["context"], {"scope": "get:profile"})
        self.assertEqual(answer["policyDocument"]["Statement"], [{"Action": ["execute-api:Invoke"], "Effect": "Allow", "Resource": [ARN]}])
        self.assertIn('"decision":"allow"', log)

    def test_refusals(self):
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cases = {
            "another audience": ("Bearer " + self.jwks.token(aud="https://other/"), "audience"),
            "expired": ("Bearer " + self.jwks.token(exp=int(time.time()) - 600), "expired"),
            "exp as a string": ("Bearer " + self.jwks.token(exp="9999999999"), "claim_type"),
            "no sub": ("Bearer " + self.jwks.token(sub=None), "subject"),
            "HS256": ("Bearer " + jwt.encode({"sub": "x"}, "secret", algorithm="HS256", headers={"kid": "key-1"}), "algorithm"),
            "a foreign key": ("Bearer " + self.jwks.token(key=other), "signature"),
            "a lowercase scheme": ("bearer " + self.jwks.token(), "bad_scheme"),
            "two spaces": ("Bearer  " + self.jwks.token(), "bad_scheme"),
            "a trailing newline": ("Bearer " + self.jwks.token() + "\n", "bad_scheme"),
        }
        for name, (header, reason) in cases.items():
            with self.subTest(name):
                answer, log = self.invoke(header)
                self.assertUnauthorized(answer)
                self.assertIn('"reason":"%s"' % reason, log)
                self.assertNotIn(header.split(" ")[-1].strip(), log, "the token is in the log")

    def test_event_type_must_be_token(self):
        answer, log = self.invoke("Bearer " + self.jwks.token(), event_type="REQUEST")
        self.assertUnauthorized(answer)
        self.assertIn('"reason":"event_type"', log)

    def test_flood_of_unknown_kids_fetches_once_per_interval(self):
        self.invoke("Bearer " + self.jwks.token())
        for i in range(20):
            answer, _ = self.invoke("Bearer " + self.jwks.token(kid="unknown-%d" % i))
            self.assertUnauthorized(answer)
        self.assertLessEqual(self.jwks.requests, 2)

    def test_slow_jwks_is_bounded_by_the_deadline(self):
        self.jwks.delay = 5.0
        start = time.monotonic()
        answer, log = self.invoke("Bearer " + self.jwks.token(), context=Context(1.0))
        self.assertUnauthorized(answer)
        self.assertIn('"reason":"keys_unavailable"', log)
        self.assertLess(time.monotonic() - start, 1.0)


class ConfigTest(unittest.TestCase):
    def test_errors_name_the_variable(self):
        import config
        base = {"JWKS_URI": "https://t/.well-known/jwks.json", "TOKEN_ISSUER": "https://t/", "AUDIENCE": "a"}
        cases = {
            "JWKS_URI is required": {"JWKS_URI": ""},
            'TOKEN_ISSUER "https://t" must be': {"TOKEN_ISSUER": "https://t"},
            'JWKS_TIMEOUT "soon" is not a duration': {"JWKS_TIMEOUT": "soon"},
            'JWKS_MIN_REFRESH_INTERVAL "2h" must be between': {"JWKS_MIN_REFRESH_INTERVAL": "2h"},
            'POLICY_RESOURCE "api" must be': {"POLICY_RESOURCE": "api"},
        }
        for message, change in cases.items():
            with self.subTest(message):
                with self.assertRaises(config.ConfigError) as caught:
                    config.from_env({**base, **change})
                self.assertIn(message, str(caught.exception))
        self.assertEqual(config.from_env({**base, "JWKS_MAX_AGE": "1m30s"}).jwks_max_age, 90.0)


class PolicyTest(unittest.TestCase):
    def test_resource(self):
        import policy
        self.assertEqual(policy.resource_for(ARN, "method"), ARN)
        self.assertEqual(policy.resource_for(ARN, "stage"), "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/*")
        for bad in ["", "garbage", ARN.replace("/prod/", "/*/"), "arn:aws:s3:::bucket/prod/GET/profile", ARN.rsplit("/", 2)[0]]:
            with self.subTest(bad):
                self.assertIsNone(policy.resource_for(bad, "method"))


class ProfileTest(unittest.TestCase):
    def test_answers(self):
        import profile_handler
        cases = [
            ("read:messages get:profile", 200, {"name": "Daniël"}),
            ("get:profiles", 403, {"message": "Forbidden", "info": 'scope "get:profile" is required'}),
            (None, 403, {"message": "Forbidden", "info": 'scope "get:profile" is required'}),
        ]
        for scope, status, body in cases:
            with self.subTest(scope):
                event = {"requestContext": {"authorizer": {} if scope is None else {"scope": scope}}}
                answer = profile_handler.handler(event, None)
                self.assertEqual(answer["statusCode"], status)
                self.assertEqual(answer["headers"], {"Content-Type": "application/json"})
                self.assertEqual(json.loads(answer["body"]), body)


if __name__ == "__main__":
    unittest.main()


class KeySourceTest(unittest.TestCase):
    """The refresh policy with the shipped default interval, on a clock of
    its own."""

    def setUp(self):
        import jwks
        import types
        self.now = 1000.0
        self.down = False
        self.fetches = 0
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_numbers()
        self.jwk = {"kty": "RSA", "use": "sig", "alg": "RS256", "n": b64(key.n), "e": b64(key.e)}
        self.kids = ["key-1"]
        cfg = types.SimpleNamespace(jwks_uri="http://127.0.0.1:1/jwks.json", jwks_timeout=2.0, jwks_max_age=600.0,
                                    jwks_min_refresh_interval=30.0)
        self.keys = jwks.KeySource(cfg, lambda entry: None, clock=lambda: self.now, fetch=self.fetch)
        self.KeyLookupError = jwks.KeyLookupError

    def fetch(self, uri, deadline):
        self.fetches += 1
        if self.down:
            raise OSError("connection refused")
        return {"keys": [dict(self.jwk, kid=kid) for kid in self.kids]}

    def test_a_rotation_right_after_the_first_load_is_fetched_at_once(self):
        self.keys.get("key-1", self.now + 3)
        self.now += 1
        self.kids.append("key-2")
        self.keys.get("key-2", self.now + 3)
        self.assertEqual(self.fetches, 2)
        self.kids.append("key-3")
        with self.assertRaises(self.KeyLookupError):
            self.keys.get("key-3", self.now + 3)
        self.assertEqual(self.fetches, 2, "a second unknown kid within the interval fetches nothing")

    def test_a_failed_first_fetch_is_retried_after_a_second(self):
        self.down = True
        with self.assertRaises(self.KeyLookupError):
            self.keys.get("key-1", self.now + 3)
        self.down = False
        self.now += 0.5
        with self.assertRaises(self.KeyLookupError):
            self.keys.get("key-1", self.now + 3)
        self.assertEqual(self.fetches, 1, "no retry within the first second")
        self.now += 0.6
        self.keys.get("key-1", self.now + 3)
        self.assertEqual(self.fetches, 2)
