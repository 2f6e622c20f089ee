// One ESLint configuration for the whole workspace. Module boundaries are the point of it, keyed on tags (never on
// folders), two kinds of them:
// - type: what a project is. Apps import libs and contracts, never another app; libs/contracts imports no project;
//   production code never imports a `type:testing` project (DynamoDB Local, the local AWS edge) or a tool: only
//   tests, `src/testing/**`, benches and fixtures may.
// - scope: who owns it. A service's scope (`scope:users`, `scope:email`, a generated app's `scope:<name>`) may use
//   `scope:shared` only, so no service reaches into another's code; shared code uses shared code only; the local
//   tooling (`scope:local`) may use anything, and nothing in production uses it.
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

/** Files that are not production code: tests and what only tests, benches and fixtures run. */
const TEST_CODE = [
  '**/*.test.ts',
  '**/*.test.tsx',
  '**/src/testing/**',
  '**/bench/**',
  '**/fixtures/**',
  '**/e2e/**',
  'tests/**',
];

/** What production code of each kind of project may import. */
const PRODUCTION = {
  'type:app': ['type:lib', 'type:contracts'],
  'type:lib': ['type:lib', 'type:contracts'],
  'type:contracts': [],
  'type:testing': ['type:testing', 'type:lib', 'type:contracts'],
  'type:tool': ['type:tool', 'type:testing', 'type:lib', 'type:contracts'],
  'type:e2e': ['type:tool', 'type:testing', 'type:lib', 'type:contracts', 'type:app'],
  // A service's own scope is implied: each service is one project.
  '/^scope:(?!shared$|local$)/': ['scope:shared'],
  'scope:shared': ['scope:shared'],
  'scope:local': ['scope:local', 'scope:shared', '/^scope:/'],
};

/**
 * What tests may import besides: the testing projects and the local tooling. Tests of libs/contracts may use the
 * testing projects only (the local AWS edge serves their Schema Registry), never a lib, an app or a tool.
 */
const TESTS = Object.fromEntries(
  Object.entries(PRODUCTION).map(([tag, allowed]) => [
    tag,
    tag === 'type:contracts' ? ['type:testing'] : [...allowed, 'type:testing', 'type:tool', 'scope:local'],
  ]),
);

/** The `@nx/enforce-module-boundaries` options for one table of allowed tags. */
function moduleBoundaries(table) {
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: Object.entries(table).map(([sourceTag, allowed]) => ({
      sourceTag,
      onlyDependOnLibsWithTags: [...new Set(allowed)],
    })),
  };
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: [
      '**/node_modules',
      '**/dist',
      '**/cdk.out',
      '**/coverage',
      '**/.nx',
      '**/.local',
      '**/files/**',
    ],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', moduleBoundaries(PRODUCTION)],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Small functions (issue 19): no production function over 80 lines of code; long flows are typed steps.
    files: ['**/*.ts', '**/*.tsx'],
    ignores: TEST_CODE,
    rules: {
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
  {
    // Tests and what only tests run may use the testing projects (DynamoDB Local, the local AWS edge) and the tools.
    files: TEST_CODE,
    rules: { '@nx/enforce-module-boundaries': ['error', moduleBoundaries(TESTS)] },
  },
  {
    // Each project's vitest.config.ts extends the one shared root config by relative path.
    files: ['**/vitest.config.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  prettier,
];
