// fakelambda's Node.js runtime: the AWS Lambda Runtime API loop for Node.js
// handlers, with no dependencies beyond node itself. It follows the
// behaviour of Lambda's Node.js runtimes up to nodejs22.x:
//
//   - _HANDLER is "path/module.export[.nested]" under LAMBDA_TASK_ROOT; the
//     module is an extensionless file or .js (CommonJS unless the nearest
//     package.json says "type": "module"), .mjs (ES module) or .cjs;
//   - the handler is called as handler(event, context, callback); a returned
//     promise settles the invocation, otherwise the callback (or
//     context.succeed/fail/done) does; with callbackWaitsForEmptyEventLoop
//     (the default) a callback result is posted once the event loop is empty;
//   - errors are posted to /error as {errorType, errorMessage, trace};
//   - load failures are posted to /init/error (Runtime.ImportModuleError,
//     Runtime.HandlerNotFound, Runtime.MalformedHandlerName,
//     Runtime.UserCodeSyntaxError, or the error the module threw);
//   - an uncaught exception or unhandled rejection fails the invocation in
//     flight (Runtime.UnhandledPromiseRejection for rejections) and exits the
//     process, so the host replaces the instance;
//   - console output is prefixed with timestamp, request id and level.

import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import util from 'node:util';

const require = createRequire(import.meta.url);
const API = process.env.AWS_LAMBDA_RUNTIME_API || '';
const API_HOST = API.slice(0, API.lastIndexOf(':'));
const API_PORT = Number(API.slice(API.lastIndexOf(':') + 1));
const PREFIX = '/2018-06-01/runtime';
const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';
// Idle keep-alive sockets are unref'd by node, so they never keep the
// event loop alive: 'beforeExit' still fires when the handler's work is done.
const agent = new http.Agent({ keepAlive: true });

// ---- errors ---------------------------------------------------------------

function runtimeErrorClass(name) {
  const C = class extends Error {};
  Object.defineProperty(C, 'name', { value: name });
  C.prototype.name = `Runtime.${name}`;
  return C;
}
const ImportModuleError = runtimeErrorClass('ImportModuleError');
const HandlerNotFound = runtimeErrorClass('HandlerNotFound');
const MalformedHandlerName = runtimeErrorClass('MalformedHandlerName');
const UserCodeSyntaxError = runtimeErrorClass('UserCodeSyntaxError');
const NodeJsExit = runtimeErrorClass('NodeJsExit');
class UnhandledPromiseRejection extends Error {
  constructor(reason) {
    super(reason);
    this.reason = reason;
  }
}
UnhandledPromiseRejection.prototype.name = 'Runtime.UnhandledPromiseRejection';

function isErrorLike(e) {
  return (
    util.types.isNativeError(e) ||
    (e && typeof e.name === 'string' && typeof e.message === 'string' && typeof e.stack === 'string')
  );
}

// toErrorDocument is the body posted to /error and /init/error.
function toErrorDocument(error) {
  try {
    if (isErrorLike(error)) {
      return {
        errorType: error.name,
        errorMessage: error.message,
        trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
      trace: [],
    };
  }
}

// ---- logging --------------------------------------------------------------

let currentRequestId;

function writeLog(level, args) {
  const line = `${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t${util.format(...args)}\n`;
  process.stdout.write(line);
}

function patchConsole() {
  const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE', fatal: 'FATAL' };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => writeLog(level, args);
  }
}

function logError(title, error) {
  let detail;
  try {
    detail = JSON.stringify(error, (_k, v) =>
      v instanceof Error
        ? Object.assign({ errorType: v.name, errorMessage: v.message }, v, {
            stack: typeof v.stack === 'string' ? v.stack.split('\n') : v.stack,
          })
        : v,
    );
  } catch {
    detail = JSON.stringify(toErrorDocument(error));
  }
  writeLog('ERROR', [`${title} \t${detail}`]);
}

// ---- Runtime API client ---------------------------------------------------

function call(method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: API_HOST, port: API_PORT, method, path: urlPath, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function post(urlPath, body, headers = {}) {
  const data = Buffer.from(body, 'utf8');
  return call('POST', urlPath, data, {
    'Content-Type': 'application/json',
    'Content-Length': data.length,
    ...headers,
  });
}

function postResponse(id, result) {
  let body;
  try {
    body = JSON.stringify(result === undefined ? null : result);
  } catch {
    return postError(id, new Error('Unable to stringify response body'));
  }
  if (body === undefined) body = 'null'; // functions and symbols stringify to undefined
  return post(`${PREFIX}/invocation/${encodeURIComponent(id)}/response`, body);
}

function postError(id, error) {
  const doc = toErrorDocument(error);
  return post(`${PREFIX}/invocation/${encodeURIComponent(id)}/error`, JSON.stringify(doc), {
    [ERROR_TYPE_HEADER]: String(doc.errorType),
  });
}

function postInitError(error) {
  const doc = toErrorDocument(error);
  return post(`${PREFIX}/init/error`, JSON.stringify(doc), { [ERROR_TYPE_HEADER]: String(doc.errorType) });
}

// ---- handler loading ------------------------------------------------------

function tryRequire(file) {
  return fs.existsSync(file) ? require(file) : undefined;
}

async function tryImport(file) {
  return fs.existsSync(file) ? await import(pathToFileURL(file).href) : undefined;
}

// packageTypeModule reports whether the nearest package.json above dir says
// "type": "module" (a node_modules directory or the root ends the search).
function packageTypeModule(dir) {
  for (;;) {
    if (dir.endsWith(`${path.sep}node_modules`)) return false;
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        return JSON.parse(fs.readFileSync(pj, 'utf8'))?.type === 'module';
      } catch {
        return false;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

async function loadModule(appRoot, moduleRoot, name) {
  const file = path.resolve(appRoot, moduleRoot, name);
  const bare = tryRequire(file);
  if (bare) return bare;
  const esm = packageTypeModule(path.dirname(file));
  if (!esm) {
    const cjs = tryRequire(`${file}.js`);
    if (cjs) return cjs;
  }
  const loaded =
    (esm && (await tryImport(`${file}.js`))) || (await tryImport(`${file}.mjs`)) || tryRequire(`${file}.cjs`);
  if (loaded) return loaded;
  return require(require.resolve(name, { paths: [appRoot, path.resolve(appRoot, moduleRoot)] }));
}

async function loadHandler(appRoot, fullHandler) {
  if (!fullHandler) throw new MalformedHandlerName('Bad handler: _HANDLER is empty');
  if (fullHandler.includes('..')) {
    throw new MalformedHandlerName(
      `'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const base = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(base));
  const match = base.match(/^([^.]*)\.(.*)$/);
  if (!match) throw new MalformedHandlerName('Bad handler');
  const [, moduleName, handlerPath] = match;
  let app;
  try {
    app = await loadModule(appRoot, moduleRoot, moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(e);
    if (e && (e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND')) throw new ImportModuleError(e);
    throw e;
  }
  const fn = handlerPath.split('.').reduce((o, k) => o && o[k], app);
  if (!fn) throw new HandlerNotFound(`${fullHandler} is undefined or not exported`);
  if (typeof fn !== 'function') throw new HandlerNotFound(`${fullHandler} is not a function`);
  return fn;
}

// ---- invocation loop ------------------------------------------------------

let phase = 'init';
let inflightId = null; // the invocation an uncaught error would fail
let exiting = false;
let beforeExitListener = () => {};
process.on('beforeExit', () => beforeExitListener());

// fatal handles an uncaught exception or unhandled rejection: report it to
// whoever is waiting (init, or the invocation in flight), then exit.
function fatal(error, code) {
  if (exiting) return;
  exiting = true;
  const exit = () => process.exit(code);
  if (phase === 'init') {
    postInitError(error).then(exit, exit);
  } else if (inflightId !== null) {
    const id = inflightId;
    inflightId = null;
    postError(id, error).then(exit, exit);
  } else {
    exit();
  }
}

process.on('uncaughtException', (error) => {
  logError('Uncaught Exception', error);
  fatal(error, 129);
});

process.on('unhandledRejection', (reason) => {
  const error = new UnhandledPromiseRejection(reason);
  logError('Unhandled Promise Rejection', error);
  fatal(error, 128);
});

function scheduleIteration(handler) {
  setImmediate(() => {
    handleOnce(handler).catch((err) => {
      console.log(`Unexpected Top Level Error: ${err}`);
      fatal(err, 129);
    });
  });
}

function parseJSONHeader(value) {
  if (!value) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

async function handleOnce(handler) {
  const next = await call('GET', `${PREFIX}/invocation/next`);
  if (next.status !== 200) throw new Error(`GET /runtime/invocation/next answered ${next.status}`);
  const headers = next.headers;
  const id = headers['lambda-runtime-aws-request-id'];
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  inflightId = id;
  currentRequestId = id;
  if (headers['lambda-runtime-trace-id']) {
    process.env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
  } else {
    delete process.env._X_AMZN_TRACE_ID;
  }

  let completed = false; // a response or error has been (or is being) posted
  let finished = false; // callback, succeed, fail or done has been called
  let waitForEmptyEventLoop = true;

  const settle = (posting) => {
    posting.then(
      () => scheduleIteration(handler),
      (err) => fatal(err, 129),
    );
  };
  const complete = (result) => {
    if (completed) {
      console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.');
      return;
    }
    completed = true;
    beforeExitListener = () => {};
    if (inflightId === id) inflightId = null;
    settle(postResponse(id, result));
  };
  const fail = (err) => {
    if (completed) return;
    completed = true;
    beforeExitListener = () => {};
    if (inflightId === id) inflightId = null;
    logError('Invoke Error', err);
    settle(postError(id, err));
  };
  const once =
    (fn) =>
    (...args) => {
      if (finished) return;
      finished = true;
      fn(...args);
    };

  const callback = once((err, result) => {
    beforeExitListener = () => {};
    if (err !== undefined && err !== null) {
      fail(err);
    } else if (!waitForEmptyEventLoop) {
      complete(result);
    } else {
      beforeExitListener = () => setImmediate(() => complete(result));
    }
  });
  const done = (err, result) => {
    beforeExitListener = () => {};
    if (err !== undefined && err !== null) fail(err);
    else complete(result);
  };

  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waitForEmptyEventLoop = value;
    },
    succeed: once((result) => done(null, result)),
    fail: once((err) => done(err === undefined || err === null ? 'handled' : err, null)),
    done: once(done),
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: id,
    identity: parseJSONHeader(headers['lambda-runtime-cognito-identity']),
    clientContext: parseJSONHeader(headers['lambda-runtime-client-context']),
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };

  // If the event loop empties before the handler settles: an async handler
  // has lost its promise (an error), any other handler answers null.
  const isAsync = handler.constructor?.name === 'AsyncFunction';
  beforeExitListener = () => {
    finished = true;
    if (isAsync) {
      fail(
        new NodeJsExit(
          'The handler returned a promise that never settled and the event loop is empty: the Node.js process would exit.',
        ),
      );
    } else {
      complete(null);
    }
  };

  try {
    const result = handler(JSON.parse(next.body.toString('utf8')), context, callback);
    if (result && typeof result.then === 'function') {
      result.then(context.succeed, context.fail).catch(context.fail);
    }
  } catch (err) {
    callback(err);
  }
}

async function main() {
  patchConsole();
  const handler = await loadHandler(process.env.LAMBDA_TASK_ROOT || process.cwd(), process.env._HANDLER);
  phase = 'invoke';
  scheduleIteration(handler);
}

main().catch((error) => {
  logError('Uncaught Exception', error);
  fatal(error, 129);
});
