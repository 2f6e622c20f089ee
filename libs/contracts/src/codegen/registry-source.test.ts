import { describe, expect, it } from 'vitest';
import { RegistryError } from '../errors.ts';
import { toRegistryError } from './registry-source.ts';

const errorFactory = (name: string, message: string, code?: string) =>
  Object.assign(new Error(message), { name, ...(code ? { code } : {}) });

describe('toRegistryError', () => {
  it.each([
    [
      errorFactory('NotFoundException', 'Schema x does not exist.'),
      'Schema registry r/s/1: not found (Schema x does not exist.). Check the registry and schema names and the region, or publish the schemas first.',
    ],
    [
      errorFactory('ForbiddenException', 'denied'),
      'Schema registry r/s/1: access denied (denied). Use credentials allowed schemas:ListSchemas, ListSchemaVersions and DescribeSchema on this registry (EventSchemas.grantRead).',
    ],
    [
      errorFactory('UnauthorizedException', 'bad token'),
      /^Schema registry r\/s\/1: access denied \(bad token\)/,
    ],
    [
      errorFactory('Error', 'connect ECONNREFUSED 127.0.0.1:9', 'ECONNREFUSED'),
      'Schema registry r/s/1: unreachable (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9). Check --endpoint, the region and the network.',
    ],
    [
      errorFactory('TimeoutError', 'timed out'),
      /^Schema registry r\/s\/1: unreachable \(TimeoutError: timed out\)/,
    ],
    [
      errorFactory('CredentialsProviderError', 'Could not load credentials from any providers'),
      /^Schema registry r\/s\/1: no AWS credentials configured/,
    ],
    [errorFactory('Error', 'Region is missing'), /^Schema registry r\/s\/1: no AWS region configured/],
    [
      errorFactory('InternalServerErrorException', 'boom'),
      'Schema registry r/s/1: request failed (InternalServerErrorException: boom).',
    ],
  ])('names the location and what to do for %s', (error, message) => {
    const result = toRegistryError('r/s/1', error);

    expect(result).toBeInstanceOf(RegistryError);
    expect(result.location).toBe('r/s/1');
    expect(result.cause).toBe(error);
    if (typeof message === 'string') expect(result.message).toBe(message);
    else expect(result.message).toMatch(message);
  });
});
