'use strict';

// Handlers for fakelambda's node tests (go test -tags node), one export per
// behaviour of Lambda's Node.js runtime being checked.

const state = { fired: false };

exports.context = async (event, context) => ({
  event,
  awsRequestId: context.awsRequestId,
  invokedFunctionArn: context.invokedFunctionArn,
  functionName: context.functionName,
  functionVersion: context.functionVersion,
  memoryLimitInMB: context.memoryLimitInMB,
  logGroupName: context.logGroupName,
  remaining: context.getRemainingTimeInMillis(),
  waits: context.callbackWaitsForEmptyEventLoop,
  traceId: process.env._X_AMZN_TRACE_ID,
  taskRoot: process.env.LAMBDA_TASK_ROOT,
  handler: process.env._HANDLER,
  cwd: process.cwd(),
});

exports.asyncError = async () => {
  throw new Error('Unauthorized');
};

exports.callbackError = (event, context, callback) => {
  callback(new Error('Unauthorized'));
};

exports.callbackString = (event, context, callback) => {
  callback('Unauthorized');
};

exports.callbackResult = (event, context, callback) => {
  callback(null, { via: 'callback' });
};

exports.succeed = (event, context) => {
  context.succeed({ via: 'succeed' });
};

// callbackWaits answers through the callback before a timer changes the
// module's state: with callbackWaitsForEmptyEventLoop (the default) the
// response waits for the timer. {"report":true} returns the state.
exports.callbackWaits = (event, context, callback) => {
  if (event.report) {
    context.callbackWaitsForEmptyEventLoop = false; // a pending timer must not hold the answer
    callback(null, { fired: state.fired });
    return;
  }
  state.fired = false;
  context.callbackWaitsForEmptyEventLoop = event.wait;
  setTimeout(() => {
    state.fired = true;
  }, event.ms);
  callback(null, 'answered');
};

// syncReturn neither returns a promise nor calls back: Lambda answers null
// once the event loop is empty.
exports.syncReturn = (event) => 'ignored';

exports.neverSettles = async () => new Promise(() => {});

exports.uncaught = (event, context, callback) => {
  setTimeout(() => {
    throw new Error('boom');
  }, 10);
};

exports.unhandledRejection = async () => {
  Promise.reject(new Error('nope'));
  await new Promise((resolve) => setTimeout(resolve, 200));
  return 'late';
};

exports.sleep = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, event.ms));
  return 'slept';
};

exports.log = async (event) => {
  console.log('hello %s', event.name);
  console.error('trouble');
  return 'logged';
};

exports.echo = async (event) => event;

exports.nested = { deeper: { fn: async () => 'nested' } };

exports.notAFunction = 'just a string';
