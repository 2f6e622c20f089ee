// The entry Nx loads for the workspace plugin registered in nx.json ("@outboxed/workspace-plugin/plugin"). Nx
// require()s plugins and, on Node 20, can only load TypeScript through @swc-node/register or ts-node, which this
// workspace does not install; a .cjs entry is loaded as is, and tsx (a workspace dependency) loads the TypeScript
// implementation once per plugin worker.
'use strict';

const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

let implementation;
function load() {
  implementation ??= import('tsx/esm/api').then(({ tsImport }) =>
    tsImport(pathToFileURL(join(__dirname, 'create-dependencies.ts')).href, __filename),
  );
  return implementation;
}

module.exports = {
  name: '@outboxed/workspace-plugin/contract-graph',
  createDependencies: async (options, context) => (await load()).createDependencies(options, context),
};
