// The entry Nx loads for `nx g @outboxed/workspace-plugin:consumer`. Nx require()s generator implementations and,
// on Node 20, can only load TypeScript through @swc-node/register or ts-node, which this workspace does not
// install; tsx (already a workspace dependency) loads generator.ts as the ES module it is.
'use strict';

const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

module.exports = async function consumer(tree, options) {
  const { tsImport } = await import('tsx/esm/api');
  const generator = await tsImport(pathToFileURL(join(__dirname, 'generator.ts')).href, __filename);
  return generator.consumerGenerator(tree, options);
};
