// The entry Nx loads for the workspace plugin registered in nx.json ("@outboxed/workspace-plugin/plugin"). Nx
// require()s plugins and, on Node 20, can only load TypeScript through @swc-node/register or ts-node, which this
// workspace does not install; a .cjs entry is loaded as is, and tsx (a workspace dependency) loads the TypeScript
// implementation once per plugin worker.
'use strict';

const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const modules = new Map();
function load(file) {
  if (!modules.has(file)) {
    modules.set(
      file,
      import('tsx/esm/api').then(({ tsImport }) =>
        tsImport(pathToFileURL(join(__dirname, file)).href, __filename),
      ),
    );
  }
  return modules.get(file);
}

module.exports = {
  name: '@outboxed/workspace-plugin',
  // lint, typecheck and test inferred from each project's files (infer-targets.ts); nx.json's targetDefaults give
  // their commands and inputs
  createNodes: [
    '**/project.json',
    async (files, options, context) =>
      (await load('infer-targets.ts')).createProjectTargets(files, options, context),
  ],
  // the edges of the contract graph: producer → consumer (create-dependencies.ts)
  createDependencies: async (options, context) =>
    (await load('create-dependencies.ts')).createDependencies(options, context),
};
