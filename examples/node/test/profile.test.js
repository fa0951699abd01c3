'use strict';

const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { handler } = require('../profile.js');

const FORBIDDEN = { message: 'Forbidden', info: 'scope "get:profile" is required' };

function eventWith(authorizer) {
  return { httpMethod: 'GET', path: '/profile', requestContext: authorizer === undefined ? {} : { authorizer } };
}

describe('profile', () => {
  const allowed = {
    'PROF-01 the scope alone': 'get:profile',
    'PROF-01 the scope among others': 'read:things get:profile write:stuff',
  };
  for (const [name, scope] of Object.entries(allowed)) {
    it(name, async () => {
      const res = await handler(eventWith({ principalId: 'p', scope }));
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['Content-Type'], 'application/json');
      assert.deepEqual(JSON.parse(res.body), { name: 'Daniël' });
      assert.equal(res.body, '{"name":"Daniël"}');
    });
  }

  const denied = {
    'PROF-02 no scope': {},
    'PROF-02 empty scope': { scope: '' },
    'PROF-02 look-alike suffix': { scope: 'get:profile2' },
    'PROF-02 look-alike prefix': { scope: 'xget:profile' },
    'PROF-02 tab-separated': { scope: 'a\tget:profile' },
    'PROF-02 scope not a string': { scope: ['get:profile'] },
    'PROF-03 no authorizer context': undefined,
  };
  for (const [name, authorizer] of Object.entries(denied)) {
    it(name, async () => {
      const res = await handler(eventWith(authorizer));
      assert.equal(res.statusCode, 403);
      assert.equal(res.headers['Content-Type'], 'application/json');
      assert.deepEqual(JSON.parse(res.body), FORBIDDEN);
    });
  }

  it('PROF-03 survives an empty event', async () => {
    const res = await handler({});
    assert.equal(res.statusCode, 403);
  });
});
