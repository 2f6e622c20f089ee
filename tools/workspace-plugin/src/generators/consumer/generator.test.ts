import { join } from 'node:path';
import type { Tree } from '@nx/devkit';
import { addProjectConfiguration, readJson, readProjectConfiguration } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import * as prettier from 'prettier';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ConsumerExistsError,
  DuplicateEventTypeError,
  InvalidConsumerNameError,
  InvalidFilterError,
  UnknownEventTypeError,
  UnknownEventVersionError,
  type WorkspacePluginError,
} from '../../errors';
import { consumerGenerator, toTsLiteral } from './generator';
import type { ConsumerGeneratorSchema } from './schema';

function options(overrides: Partial<ConsumerGeneratorSchema> = {}): ConsumerGeneratorSchema {
  return { name: 'billing', events: 'UserCreated', skipFormat: true, ...overrides };
}

function changedPaths(tree: Tree): string[] {
  return tree
    .listChanges()
    .map((change) => change.path)
    .sort();
}

describe('consumerGenerator', () => {
  let tree: Tree;

  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    addProjectConfiguration(tree, 'audit-consumer', {
      root: 'apps/audit-consumer',
      projectType: 'application',
    });
  });

  it('creates apps/<name>-consumer with its handler, stack, CDK app, expectations, configs and tests', async () => {
    const before = changedPaths(tree);

    await consumerGenerator(tree, options());

    expect(changedPaths(tree).filter((path) => !before.includes(path))).toEqual(EXPECTED_FILES);
  });

  it('registers the Nx project with the app tags and the synth, deploy and diff targets (the workspace plugin infers lint, typecheck and test)', async () => {
    await consumerGenerator(tree, options());

    expect(readProjectConfiguration(tree, 'billing-consumer')).toEqual({
      $schema: '../../node_modules/nx/schemas/project-schema.json',
      name: 'billing-consumer',
      root: 'apps/billing-consumer',
      sourceRoot: 'apps/billing-consumer/src',
      projectType: 'application',
      tags: ['type:app', 'scope:billing'],
      targets: { synth: {}, deploy: {}, diff: {} },
    });
  });

  it('makes the app an npm workspace package exporting its CDK app, so module boundaries see it', async () => {
    await consumerGenerator(tree, options());

    expect(readJson(tree, 'apps/billing-consumer/package.json')).toEqual({
      name: '@outboxed/billing-consumer',
      version: '0.1.0',
      private: true,
      type: 'module',
      exports: { '.': './src/main.ts' },
    });
  });

  it('gives the CDK app a cdk.json with notices and telemetry off', async () => {
    await consumerGenerator(tree, options());

    expect(readJson(tree, 'apps/billing-consumer/cdk.json')).toEqual(readJsonOfAudit());
  });

  it.each([
    ['UserCreated', 'userCreatedV2'],
    ['UserCreated@1', 'userCreatedV1'],
    [' UserCreated@1 , UserCreated@1 ', 'userCreatedV1'],
  ])('subscribes --events %j reading it as %s in its expectations', async (events, contract) => {
    await consumerGenerator(tree, options({ events }));

    const expectations = tree.read('apps/billing-consumer/src/contract-expectations.ts', 'utf8') ?? '';
    expect(expectations).toContain(`import { defineExpectations, ${contract} } from '@outboxed/contracts';`);
    expect([...expectations.matchAll(/^ +contract: (\w+),$/gm)].map((m) => m[1])).toEqual([contract]);
  });

  it('adds no content filter to the rule without --filter', async () => {
    await consumerGenerator(tree, options());

    const expectations = tree.read('apps/billing-consumer/src/contract-expectations.ts', 'utf8');
    expect(expectations).toContain(
      'export const CONTENT_FILTER: Record<string, unknown> | undefined = undefined;',
    );
  });

  it('declares --filter as the content filter of its rule pattern', async () => {
    await consumerGenerator(tree, options({ filter: '{"data":{"email":[{"suffix":"@example.com"}]}}' }));

    expect(tree.read('apps/billing-consumer/src/contract-expectations.ts', 'utf8')).toContain(
      "export const CONTENT_FILTER: Record<string, unknown> | undefined = { data: { email: [{ suffix: '@example.com' }] } };",
    );
  });

  it.each([
    ['my-team', 'MyTeamConsumerStack', 'MyTeamConsumer', 'my-team-events', 'MyTeamEvents', 'myTeamEvents'],
    [
      'billing2',
      'Billing2ConsumerStack',
      'Billing2Consumer',
      'billing2-events',
      'Billing2Events',
      'billing2Events',
    ],
  ])(
    'names the code of %s: stack %s (%s), function folder %s with construct %s',
    async (name, ...expected) => {
      const [stackClass, stackId, functionName, functionClass, functionProperty] = expected;
      await consumerGenerator(tree, options({ name }));

      const root = `apps/${name}-consumer/src`;
      expect(tree.read(`${root}/main.ts`, 'utf8')).toContain(
        `new ${stackClass}(app, '${stackId}', { env: stackEnvironment() });`,
      );
      expect(tree.read(`${root}/stack.ts`, 'utf8')).toContain(
        `this.${functionProperty} = new ${functionClass}(this, '${functionClass}', {`,
      );
      expect(tree.read(`${root}/functions/${functionName}/construct.ts`, 'utf8')).toContain(
        `export class ${functionClass} extends Construct {`,
      );
      expect(tree.read(`${root}/functions/${functionName}/handler.ts`, 'utf8')).toContain(
        `export const handler = create${functionClass}Handler();`,
      );
    },
  );

  it('gives the app its operations: a topic whose ARN is in its own SSM parameter, every alarm notifying it, a dashboard', async () => {
    await consumerGenerator(tree, options({ name: 'billing' }));

    const stack = tree.read('apps/billing-consumer/src/stack.ts', 'utf8') ?? '';
    const construct =
      tree.read('apps/billing-consumer/src/functions/billing-events/construct.ts', 'utf8') ?? '';
    const stackTest = tree.read('apps/billing-consumer/src/stack.test.ts', 'utf8') ?? '';
    expect(stack).toContain(
      "export const BILLING_OPERATIONS_TOPIC_PARAMETER = '/outboxed/billing-consumer/operations-topic-arn';",
    );
    expect(stack).toContain("new OperationsTopic(this, 'Operations', {");
    expect(stack).toContain('parameterName: BILLING_OPERATIONS_TOPIC_PARAMETER,');
    expect(stack).toContain('alarmActions: [this.operations.alarmAction],');
    expect(stack).toContain(
      "new ConsumerDashboard(this, 'Dashboard', { consumer: this.billingEvents.consumer });",
    );
    expect(construct).toContain('alarmActions: props.alarmActions,');
    // the app's own stack test asserts them on the synthesized template
    expect(stackTest).toContain('Name: BILLING_OPERATIONS_TOPIC_PARAMETER,');
    expect(stackTest).toContain("template.findResources('AWS::CloudWatch::Dashboard')");
  });

  it('gives two consumers two operations parameters (one per app, never shared)', async () => {
    await consumerGenerator(tree, options({ name: 'billing' }));
    await consumerGenerator(tree, options({ name: 'crm-sync' }));

    expect(tree.read('apps/crm-sync-consumer/src/stack.ts', 'utf8')).toContain(
      "export const CRM_SYNC_OPERATIONS_TOPIC_PARAMETER = '/outboxed/crm-sync-consumer/operations-topic-arn';",
    );
  });

  it('accepts a name already ending in -consumer without doubling the suffix', async () => {
    await consumerGenerator(tree, options({ name: 'billing-consumer' }));

    expect(tree.exists('apps/billing-consumer/project.json')).toBe(true);
    expect(tree.exists('apps/billing-consumer-consumer')).toBe(false);
  });

  it('returns the task that runs npm install and regenerates the event catalog, unless skipInstall', async () => {
    const install = await consumerGenerator(tree, options());
    const skipped = await consumerGenerator(tree, options({ name: 'ledger', skipInstall: true }));

    expect(install).toBeTypeOf('function');
    expect(skipped).toBeUndefined();
  });

  it('formats what it writes with Prettier (its configuration as resolved from the tree root) unless skipFormat', async () => {
    tree.delete('.oxfmtrc.json');
    tree.write('.prettierrc.json', '{}\n');

    await consumerGenerator(tree, options({ skipFormat: false }));

    const generated = changedPaths(tree).filter((path) => path.startsWith('apps/billing-consumer/'));
    expect(generated).toHaveLength(EXPECTED_FILES.length);
    for (const path of generated) {
      const source = tree.read(path, 'utf8') ?? '';
      const config = await prettier.resolveConfig(join(tree.root, path));
      expect(await prettier.format(source, { ...config, filepath: path }), path).toBe(source);
    }
  });

  it.each<[string, Partial<ConsumerGeneratorSchema>, new (...args: never[]) => WorkspacePluginError, RegExp]>(
    [
      ['a name that is not kebab-case', { name: 'Billing' }, InvalidConsumerNameError, /must be kebab-case/],
      ['a name with underscores', { name: 'bill_ing' }, InvalidConsumerNameError, /must be kebab-case/],
      ['an empty name', { name: '' }, InvalidConsumerNameError, /it is empty/],
      [
        'a name that is only the suffix',
        { name: 'consumer' },
        InvalidConsumerNameError,
        /twice, the "-consumer"/,
      ],
      ['a name suffixed twice', { name: 'billing-consumer-consumer' }, InvalidConsumerNameError, /twice/],
      ['a name too long', { name: `b${'-x'.repeat(20)}` }, InvalidConsumerNameError, /at most 32/],
      ['an existing app', { name: 'audit' }, ConsumerExistsError, /apps\/audit-consumer: a project named/],
      [
        'an unknown event type',
        { events: 'UserDeleted' },
        UnknownEventTypeError,
        /Unknown event type "UserDeleted"/,
      ],
      [
        'an unknown version of a known event type',
        { events: 'UserCreated@99' },
        UnknownEventVersionError,
        /Unknown version 99 of event type UserCreated in --events \("UserCreated@99"\)\. The contracts define UserCreated versions 1, 2: pass one of UserCreated@1, UserCreated@2, or UserCreated alone/,
      ],
      [
        'an unknown event type with a version',
        { events: 'UserDeleted@1' },
        UnknownEventTypeError,
        /Unknown event type "UserDeleted@1"/,
      ],
      [
        'an event list with a malformed item',
        { events: 'UserCreated@' },
        UnknownEventTypeError,
        /"UserCreated@"/,
      ],
      [
        'two versions of one event type',
        { events: 'UserCreated@1,UserCreated@2' },
        DuplicateEventTypeError,
        /names UserCreated in versions 1 and 2\. A consumer reads an event type as one version .* \(UserCreated@1 or UserCreated@2\)/,
      ],
      ['no event type', { events: ' , ' }, UnknownEventTypeError, /The contracts define: UserCreated@1/],
      ['a filter that is not JSON', { filter: '{"data":' }, InvalidFilterError, /it is not JSON \(/],
      ['a filter that is an array', { filter: '[1]' }, InvalidFilterError, /it is not a JSON object/],
      [
        'a filter leaf that is not an array',
        { filter: '{"data":{"a":1}}' },
        InvalidFilterError,
        /detail\.data\.a is 1/,
      ],
      ['a filter with an empty array', { filter: '{"data":{"a":[]}}' }, InvalidFilterError, /empty array/],
      [
        'a filter with an operator EventBridge rejects',
        { filter: '{"data":{"email":[{"suffix":1}]}}' },
        InvalidFilterError,
        /EventBridge would reject it \(Event pattern is not valid/,
      ],
    ],
  )('rejects %s with a clear error and writes nothing', async (_case, overrides, errorType, message) => {
    const before = changedPaths(tree);

    const generating = consumerGenerator(tree, options(overrides));

    await expect(generating).rejects.toThrow(errorType);
    await expect(generating).rejects.toThrow(message);
    expect(changedPaths(tree)).toEqual(before);
  });

  it('rejects a folder that exists without a project and writes nothing', async () => {
    tree.write('apps/billing-consumer/notes.md', '# notes\n');
    const before = changedPaths(tree);

    await expect(consumerGenerator(tree, options())).rejects.toThrow(ConsumerExistsError);
    expect(changedPaths(tree)).toEqual(before);
  });
});

function readJsonOfAudit(): unknown {
  return {
    app: 'node --import tsx src/main.ts',
    notices: false,
    context: { 'cli-telemetry': false, '@aws-cdk/core:newStyleStackSynthesis': true },
  };
}

const EXPECTED_FILES = [
  'apps/billing-consumer/README.md',
  'apps/billing-consumer/cdk.json',
  'apps/billing-consumer/package.json',
  'apps/billing-consumer/project.json',
  'apps/billing-consumer/src/contract-expectations.ts',
  'apps/billing-consumer/src/contract.test.ts',
  'apps/billing-consumer/src/environment.ts',
  'apps/billing-consumer/src/functions/billing-events/apply-event.ts',
  'apps/billing-consumer/src/functions/billing-events/construct.ts',
  'apps/billing-consumer/src/functions/billing-events/handler.test.ts',
  'apps/billing-consumer/src/functions/billing-events/handler.ts',
  'apps/billing-consumer/src/main.ts',
  'apps/billing-consumer/src/stack.test.ts',
  'apps/billing-consumer/src/stack.ts',
  'apps/billing-consumer/tsconfig.json',
  'apps/billing-consumer/vitest.config.ts',
];

describe('toTsLiteral', () => {
  it.each([
    [{ data: { email: [{ suffix: '@example.com' }] } }, "{ data: { email: [{ suffix: '@example.com' }] } }"],
    [{ 'detail-type': ['A'], n: [1, null, true] }, '{ "detail-type": [\'A\'], n: [1, null, true] }'],
    [{ name: ["O'Brien"] }, '{ name: ["O\'Brien"] }'],
    [{}, '{}'],
  ])('writes %j as %s', (value, expected) => {
    expect(toTsLiteral(value)).toBe(expected);
  });
});
