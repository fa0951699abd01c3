'use strict';

exports.handler = async () => 'from lib/app.js';
