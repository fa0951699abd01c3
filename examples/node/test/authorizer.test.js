'use strict';

const assert = require('node:assert/strict');
const { describe, it, before, after } = require('node:test');
const h = require('./helpers');

const UNAUTHORIZED = { name: 'Error', message: 'Unauthorized' };

describe('authorizer', () => {
  let server;
  let key;
  let authorizer;

  before(async () => {
    key = h.newKey();
    server = await h.jwksServer([key]);
    authorizer = h.loadAuthorizer(h.baseEnv(server.url));
  });
  after(() => server.close());

  const authorize = (token, methodArn) => h.invoke(authorizer.handler, h.tokenEvent(token, methodArn));
  const rejects = (token, methodArn) => assert.rejects(authorize(token, methodArn), UNAUTHORIZED);

  it('AUTH-01 allows a valid token: principal, resource, scope', async () => {
    const res = await authorize(`Bearer ${h.mint(key)}`);
    assert.deepEqual(res, {
      principalId: 'profile-reader@clients',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: ['execute-api:Invoke'], Effect: 'Allow', Resource: [h.METHOD_ARN] }],
      },
      context: { scope: 'get:profile' },
    });
  });

  it('AUTH-01 gives an empty scope when the token has none', async () => {
    const c = h.claims();
    delete c.scope;
    const res = await authorize(`Bearer ${h.mint(key, c)}`);
    assert.deepEqual(res.context, { scope: '' });
  });

  it('AUTH-02 rejects a missing or empty token', async () => {
    await assert.rejects(h.invoke(authorizer.handler, { type: 'TOKEN', methodArn: h.METHOD_ARN }), UNAUTHORIZED);
    await rejects('');
  });

  it('AUTH-18 rejects an event that is not a TOKEN event', () =>
    assert.rejects(h.invoke(authorizer.handler, { ...h.tokenEvent(`Bearer ${h.mint(key)}`), type: 'REQUEST' }), UNAUTHORIZED));

  describe('AUTH-03 Bearer parsing', () => {
    const cases = {
      'other scheme': (t) => `Basic ${t}`,
      'no space': (t) => `Bearer${t}`,
      'two spaces': (t) => `Bearer  ${t}`,
      'tab': (t) => `Bearer\t${t}`,
      'extra part': (t) => `Bearer ${t} extra`,
      'token only': (t) => t,
      'scheme only': () => 'Bearer ',
    };
    for (const [name, header] of Object.entries(cases)) {
      it(`rejects ${name}`, () => rejects(header(h.mint(key))));
    }
    it('rejects the scheme in another case', () => rejects(`bEARER ${h.mint(key)}`));
  });

  describe('AUTH-04 malformed JWT', () => {
    const good = () => h.mint(key).split('.');
    const cases = {
      'two segments': () => good().slice(0, 2).join('.'),
      'four segments': () => [...good(), 'x'].join('.'),
      'header not base64url': () => ['!!!', ...good().slice(1)].join('.'),
      'header not JSON': () => [h.b64url('{alg'), ...good().slice(1)].join('.'),
      'payload not JSON': () => [good()[0], h.b64url('nope'), good()[2]].join('.'),
      'payload a JSON array': () => h.mint(key, [1, 2]),
      'payload a JSON string': () => h.mint(key, '"sub"'),
      'empty signature': () => [...good().slice(0, 2), ''].join('.'),
    };
    for (const [name, token] of Object.entries(cases)) {
      it(`rejects ${name}`, () => rejects(`Bearer ${token()}`));
    }
  });

  describe('AUTH-05 kid', () => {
    it('rejects an unknown kid', () => rejects(`Bearer ${h.mint(key, h.claims(), { kid: 'unknown' })}`));
    it('rejects a missing kid', () => rejects(`Bearer ${h.mint(key, h.claims(), { kid: undefined })}`));
    it('rejects a kid that is not a string', () => rejects(`Bearer ${h.mint(key, h.claims(), { kid: 7 })}`));
  });

  it('AUTH-06 rejects a token signed by a key not in the JWKS', () => {
    const stranger = h.newKey(key.kid);
    return rejects(`Bearer ${h.mint(stranger)}`);
  });

  describe('AUTH-07 algorithms', () => {
    for (const alg of ['none', 'HS256', 'PS256', 'ES256', 'RS512']) {
      it(`rejects ${alg}`, () => rejects(`Bearer ${h.mint(key, h.claims(), { alg })}`));
    }
  });

  it('AUTH-08 rejects a wrong issuer, with or without the trailing slash', async () => {
    await rejects(`Bearer ${h.mint(key, h.claims({ iss: 'https://evil.example/' }))}`);
    await rejects(`Bearer ${h.mint(key, h.claims({ iss: 'https://tenant.example' }))}`);
  });

  it('AUTH-09 checks the audience; a list containing ours is allowed', async () => {
    await rejects(`Bearer ${h.mint(key, h.claims({ aud: 'https://other.example/' }))}`);
    await rejects(`Bearer ${h.mint(key, h.claims({ aud: ['https://other.example/'] }))}`);
    const res = await authorize(`Bearer ${h.mint(key, h.claims({ aud: [h.AUDIENCE, 'https://tenant.example/userinfo'] }))}`);
    assert.equal(res.principalId, 'profile-reader@clients');
  });

  describe('AUTH-10 time', () => {
    const now = () => Math.floor(Date.now() / 1000);
    it('rejects an expired token', () => rejects(`Bearer ${h.mint(key, h.claims({ exp: now() - 60 }))}`));
    it('rejects a token not yet valid', () => rejects(`Bearer ${h.mint(key, h.claims({ nbf: now() + 60 }))}`));
    it('rejects a token issued in the future', () => rejects(`Bearer ${h.mint(key, h.claims({ iat: now() + 60 }))}`));
    it('allows clock skew within the leeway', async () => {
      const res = await authorize(`Bearer ${h.mint(key, h.claims({ exp: now() - 5, nbf: now() + 5, iat: now() + 5 }))}`);
      assert.equal(res.principalId, 'profile-reader@clients');
    });
  });

  describe('AUTH-11 required claims and JSON types', () => {
    const cases = {
      'exp missing': { exp: undefined },
      'exp a string': { exp: String(Math.floor(Date.now() / 1000) + 3600) },
      'sub missing': { sub: undefined },
      'sub empty': { sub: '' },
      'sub a number': { sub: 42 },
      'iss a list': { iss: [h.ISSUER] },
      'aud an object': { aud: { aud: h.AUDIENCE } },
      'aud a list with a number': { aud: [h.AUDIENCE, 1] },
      'iat a string': { iat: 'now' },
      'nbf a boolean': { nbf: true },
      'scope a list': { scope: ['get:profile'] },
    };
    for (const [name, overrides] of Object.entries(cases)) {
      it(`rejects ${name}`, () => {
        const c = h.claims(overrides);
        for (const [k, v] of Object.entries(c)) if (v === undefined) delete c[k];
        return rejects(`Bearer ${h.mint(key, c)}`);
      });
    }
  });

  describe('AUTH-15 key-selection headers never choose the key', () => {
    const attacker = h.newKey('attacker');
    const cases = {
      jku: { jku: 'http://127.0.0.1:1/jwks.json', kid: 'attacker' },
      jwk: { jwk: attacker.jwk, kid: 'attacker' },
      x5u: { x5u: 'http://127.0.0.1:1/cert.pem', kid: 'attacker' },
      x5c: { x5c: ['MIIB'], kid: 'attacker' },
    };
    for (const [name, header] of Object.entries(cases)) {
      it(`ignores ${name}`, () => rejects(`Bearer ${h.mint(attacker, h.claims(), header)}`));
    }
    it('rejects crit even on a well-signed token', () => rejects(`Bearer ${h.mint(key, h.claims(), { crit: ['exp'] })}`));
  });

  it('AUTH-16 rejects an oversized token before any parsing', async () => {
    const before = server.state.requests;
    const c = h.claims({ pad: 'a'.repeat(9000) });
    await rejects(`Bearer ${h.mint(h.newKey('big'), c)}`);
    assert.equal(server.state.requests, before, 'an oversized token must not reach the JWKS');
  });

  it('rejects a method ARN that does not parse', () => rejects(`Bearer ${h.mint(key)}`, 'arn:aws:s3:::bucket'));

  it('logs one line per decision, never the token', async () => {
    const token = h.mint(key);
    const lines = await h.captureLogs(async () => {
      await authorize(`Bearer ${token}`);
      await assert.rejects(authorize(`Bearer ${token}x`), UNAUTHORIZED);
    });
    assert.equal(lines.length, 2);
    const [allowed, denied] = lines.map((l) => JSON.parse(l));
    assert.equal(allowed.decision, 'allow');
    assert.equal(allowed.sub, 'profile-reader@clients');
    assert.equal(denied.decision, 'deny');
    assert.equal(denied.reason, 'signature');
    for (const line of lines) {
      assert.ok(!line.includes(token.split('.')[2]), 'a log line holds the signature');
      assert.ok(!line.includes(token.split('.')[1]), 'a log line holds the token');
    }
  });
});

describe('authorizer with POLICY_RESOURCE=stage and REQUIRED_SCOPE', () => {
  let server;
  let key;
  let authorizer;

  before(async () => {
    key = h.newKey();
    server = await h.jwksServer([key]);
    authorizer = h.loadAuthorizer(h.baseEnv(server.url, { POLICY_RESOURCE: 'stage', REQUIRED_SCOPE: 'get:profile' }));
  });
  after(() => server.close());

  it('allows the whole stage', async () => {
    const res = await h.invoke(authorizer.handler, h.tokenEvent(`Bearer ${h.mint(key)}`));
    assert.deepEqual(res.policyDocument.Statement[0].Resource, ['arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*']);
  });

  it('rejects a token without the required scope', async () => {
    await assert.rejects(
      h.invoke(authorizer.handler, h.tokenEvent(`Bearer ${h.mint(key, h.claims({ scope: 'get:profile2 read' }))}`)),
      UNAUTHORIZED,
    );
  });
});

describe('JWKS handling', () => {
  it('AUTH-13 fetches the JWKS once for many tokens', async () => {
    const key = h.newKey();
    const server = await h.jwksServer([key]);
    try {
      const authorizer = h.loadAuthorizer(h.baseEnv(server.url));
      await Promise.all(Array.from({ length: 20 }, () => h.invoke(authorizer.handler, h.tokenEvent(`Bearer ${h.mint(key)}`))));
      for (let i = 0; i < 20; i++) await h.invoke(authorizer.handler, h.tokenEvent(`Bearer ${h.mint(key)}`));
      assert.equal(server.state.requests, 1);
    } finally {
      await server.close();
    }
  });

  it('AUTH-13 does not let unknown kids hammer the tenant', async () => {
    const key = h.newKey();
    const server = await h.jwksServer([key]);
    try {
      const authorizer = h.loadAuthorizer(h.baseEnv(server.url, { JWKS_MIN_REFRESH_INTERVAL: '1h' }));
      for (let i = 0; i < 10; i++) {
        await assert.rejects(
          h.invoke(authorizer.handler, h.tokenEvent(`Bearer ${h.mint(key, h.claims(), { kid: `unknown-${i}` })}`)),
          UNAUTHORIZED,
        );
      }
      // The first load, then one refresh for an unknown kid; none after it within the interval.
      assert.equal(server.state.requests, 2);
    } finally {
      await server.close();
    }
  });

  it('AUTH-12 accepts a newly published key without a restart', async () => {
    const key = h.newKey();
    const server = await h.jwksServer([key]);
    try {
      const authorizer = h.loadAuthorizer(h.baseEnv(server.url));
      await h.invoke(authorizer.handler, h.tokenEvent(`Bearer ${h.mint(key)}`));
      const next = h.newKey();
      server.publish(next);
      await h.sleep(1100); // JWKS_MIN_REFRESH_INTERVAL=1s
      const res = await h.invoke(authorizer.handler, h.tokenEvent(`Bearer ${h.mint(next)}`));
      assert.equal(res.principalId, 'profile-reader@clients');
    } finally {
      await server.close();
    }
  });

  for (const fault of ['error', 'garbage', 'empty']) {
    it(`AUTH-14 rejects while the JWKS is ${fault}, allows once it recovers`, async () => {
      const key = h.newKey();
      const server = await h.jwksServer([key]);
      try {
        const authorizer = h.loadAuthorizer(h.baseEnv(server.url));
        server.fault(fault);
        await assert.rejects(h.invoke(authorizer.handler, h.tokenEvent(`Bearer ${h.mint(key)}`)), UNAUTHORIZED);
        server.fault(null);
        await h.sleep(1100);
        const res = await h.invoke(authorizer.handler, h.tokenEvent(`Bearer ${h.mint(key)}`));
        assert.equal(res.principalId, 'profile-reader@clients');
      } finally {
        await server.close();
      }
    });
  }

  it('AUTH-14 answers before the deadline while the JWKS hangs', async () => {
    const key = h.newKey();
    const server = await h.jwksServer([key]);
    try {
      const authorizer = h.loadAuthorizer(h.baseEnv(server.url, { JWKS_TIMEOUT: '10s' }));
      server.fault('hold');
      await assert.rejects(h.invoke(authorizer.handler, h.tokenEvent(`Bearer ${h.mint(key)}`), 500), UNAUTHORIZED);
      assert.equal(server.state.held.length, 1, 'the JWKS request was still unanswered when the authorizer gave up');
    } finally {
      await server.close();
    }
  });

  it('AUTH-14 keeps the last good keys through a failed refresh', async () => {
    const key = h.newKey();
    const server = await h.jwksServer([key]);
    try {
      const authorizer = h.loadAuthorizer(h.baseEnv(server.url, { JWKS_MAX_AGE: '1s' }));
      await h.invoke(authorizer.handler, h.tokenEvent(`Bearer ${h.mint(key)}`));
      server.fault('error');
      await h.sleep(1100); // the cached key is now older than JWKS_MAX_AGE
      const res = await h.invoke(authorizer.handler, h.tokenEvent(`Bearer ${h.mint(key)}`));
      assert.equal(res.principalId, 'profile-reader@clients');
      assert.equal(server.state.requests, 2, 'the refresh was attempted');
    } finally {
      await server.close();
    }
  });

  it('ignores weak and non-signing keys', async () => {
    const weak = h.newKey('weak', 1024);
    const enc = h.newKey('enc');
    enc.jwk.use = 'enc';
    const rs512 = h.newKey('rs512');
    rs512.jwk.alg = 'RS512';
    const server = await h.jwksServer([weak, enc, rs512, h.newKey()]);
    try {
      const authorizer = h.loadAuthorizer(h.baseEnv(server.url));
      for (const k of [weak, enc, rs512]) {
        await assert.rejects(h.invoke(authorizer.handler, h.tokenEvent(`Bearer ${h.mint(k)}`)), UNAUTHORIZED);
      }
    } finally {
      await server.close();
    }
  });
});
