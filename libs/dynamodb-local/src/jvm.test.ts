import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DYNAMODB_LOCAL_JVM_OPTIONS, dynamoDbLocalCommand } from './jvm';
import { DynamoDbLocalStartError } from './errors';

describe('dynamoDbLocalCommand', () => {
  it('runs the bundled jar from its own folder with the JVM options before -jar, the database on disk, the port, -sharedDb and no telemetry', () => {
    const { command, args, cwd } = dynamoDbLocalCommand({ port: 8123, dbPath: '/data/ddb' });

    const jar = args.indexOf('-jar');
    expect(command).toBe('java');
    expect(args.slice(0, DYNAMODB_LOCAL_JVM_OPTIONS.length)).toEqual(DYNAMODB_LOCAL_JVM_OPTIONS);
    expect(args[jar - 1]).toMatch(/^-Djava\.library\.path=.*DynamoDBLocal_lib$/);
    expect(existsSync(args[jar + 1] ?? '')).toBe(true);
    expect(args[jar + 1]).toBe(join(cwd, 'DynamoDBLocal.jar'));
    expect(args.slice(jar + 2)).toEqual([
      '-dbPath',
      '/data/ddb',
      '-port',
      '8123',
      '-sharedDb',
      '-disableTelemetry',
    ]);
  });

  it('keeps the database in memory without a dbPath and takes the given JVM options instead of the defaults', () => {
    const { args } = dynamoDbLocalCommand({ port: 8000, dbPath: null, jvmOptions: ['-Xmx128m'] });

    expect(args[0]).toBe('-Xmx128m');
    expect(args).not.toContain(DYNAMODB_LOCAL_JVM_OPTIONS[0]);
    expect(args.slice(args.indexOf('-jar') + 2)).toEqual([
      '-inMemory',
      '-port',
      '8000',
      '-sharedDb',
      '-disableTelemetry',
    ]);
  });

  it('takes the newest bundled release when the package holds several', () => {
    const packageDir = mkdtempSync(join(tmpdir(), 'ddb-package-'));
    for (const release of ['dynamodb_local_2025-01-01', 'dynamodb_local_2026-01-16']) {
      mkdirSync(join(packageDir, 'lib', release), { recursive: true });
      writeFileSync(join(packageDir, 'lib', release, 'DynamoDBLocal.jar'), '');
    }

    const { args } = dynamoDbLocalCommand({ port: 8000, dbPath: null, packageDir });

    expect(args[args.indexOf('-jar') + 1]).toBe(
      join(packageDir, 'lib', 'dynamodb_local_2026-01-16', 'DynamoDBLocal.jar'),
    );
  });

  it('rejects a package without the jar, saying to reinstall', () => {
    const packageDir = mkdtempSync(join(tmpdir(), 'ddb-package-'));

    expect(() => dynamoDbLocalCommand({ port: 8000, dbPath: null, packageDir })).toThrow(
      DynamoDbLocalStartError,
    );
    expect(() => dynamoDbLocalCommand({ port: 8000, dbPath: null, packageDir })).toThrow(
      /DynamoDBLocal\.jar.*npm ci/,
    );
  });
});
