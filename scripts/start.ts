// `npm start`: runs the whole system on this machine from the synthesized stacks.
// Until the local runtime (libs/local-runtime) lands, this says plainly what it can run so far.
console.log(
  [
    'outboxed: the local runtime is not built yet, so `npm start` cannot run the services.',
    "What runs today: `npm test` (format, lint, typecheck and every project's tests, with a real DynamoDB Local).",
  ].join('\n'),
);
process.exitCode = 1;
