'use strict';

// Fails its init the way a misconfigured authorizer does.
throw new Error('JWKS_URI is required');
