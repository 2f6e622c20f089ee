// The Lambda runtime of one local worker process (hand-written: it mirrors what the AWS Lambda Node.js runtime
// does around a handler). The parent forks this file with the function's environment, sends `invoke` messages over
// IPC and gets `result` messages back. One invocation at a time, like a Lambda execution environment.
'use strict';
// CommonJS so the worker starts fast with no loader; handlers (ESM or CommonJS) are loaded with import().
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const taskRoot = process.env.LAMBDA_TASK_ROOT;
const handlerSpec = process.env._HANDLER;
let handlerPromise;

async function loadHandler() {
  const dot = handlerSpec.lastIndexOf('.');
  const modulePath = handlerSpec.slice(0, dot);
  const exportName = handlerSpec.slice(dot + 1);
  const file = ['.mjs', '.js', '.cjs']
    .map((ext) => join(taskRoot, modulePath + ext))
    .find((f) => existsSync(f));
  if (!file)
    throw Object.assign(new Error(`Cannot find module '${modulePath}'`), {
      name: 'Runtime.ImportModuleError',
    });
  const mod = await import(pathToFileURL(file).href);
  const handler = mod[exportName] ?? mod.default?.[exportName];
  if (typeof handler !== 'function') {
    throw Object.assign(new Error(`${handlerSpec} is undefined or not exported`), {
      name: 'Runtime.HandlerNotFound',
    });
  }
  return handler;
}

function toError(error) {
  const e = error instanceof Error ? error : new Error(String(error));
  return { errorType: e.name || 'Error', errorMessage: e.message, trace: String(e.stack ?? '').split('\n') };
}

function makeContext(ctx) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: ctx.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: ctx.invokedFunctionArn,
    memoryLimitInMB: String(ctx.memoryLimitInMB),
    awsRequestId: ctx.awsRequestId,
    logGroupName: `/aws/lambda/${ctx.functionName}`,
    logStreamName: ctx.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, ctx.deadlineMs - Date.now()),
    done: () => undefined,
    succeed: () => undefined,
    fail: () => undefined,
  };
}

async function invoke(message) {
  // as the Lambda runtime does before each invocation: the invocation's X-Ray trace header
  if (message.traceId) process.env._X_AMZN_TRACE_ID = message.traceId;
  else delete process.env._X_AMZN_TRACE_ID;
  handlerPromise ??= loadHandler();
  const handler = await handlerPromise;
  const context = makeContext(message.context);
  if (handler.length >= 3) {
    return new Promise((resolve, reject) => {
      const maybe = handler(message.event, context, (err, value) => (err ? reject(err) : resolve(value)));
      if (maybe && typeof maybe.then === 'function') maybe.then(resolve, reject);
    });
  }
  return handler(message.event, context);
}

process.on('message', (message) => {
  if (message?.type !== 'invoke') return;
  invoke(message).then(
    (result) => process.send({ type: 'result', id: message.id, ok: true, result: result ?? null }),
    (error) => process.send({ type: 'result', id: message.id, ok: false, error: toError(error) }),
  );
});
process.on('unhandledRejection', (reason) => {
  process.send(
    { type: 'crash', error: { ...toError(reason), errorType: 'Runtime.UnhandledPromiseRejection' } },
    () => process.exit(128),
  );
});
process.on('disconnect', () => process.exit(0));
// Ctrl-C in a terminal reaches the whole process group: the parent drains and stops its workers itself, so an
// invocation in flight finishes instead of dying with the keypress.
process.on('SIGINT', () => undefined);
process.send({ type: 'ready' });
