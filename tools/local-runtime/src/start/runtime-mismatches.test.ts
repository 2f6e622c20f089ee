import { describe, expect, it } from 'vitest';
import { runtimeMismatches } from './runtime-mismatches';
import { planStack } from '../template/stack-plan';

const plan = planStack({
  app: 'users-service',
  stackName: 'UsersService',
  assemblyDir: 'cdk.out',
  template: {
    Resources: {
      Api: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x' } },
      Relay: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs24.x' } },
      Python: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'python3.13' } },
      Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
    },
  },
});

describe('runtimeMismatches', () => {
  it('warns for each Node.js function whose Lambda runtime differs from the Node.js the workers run on', () => {
    expect(runtimeMismatches([plan], '22.11.0')).toEqual([
      'UsersService/Relay runs on nodejs24.x on AWS, but its local worker runs on Node.js 22.11.0: run npm start on Node.js 24 to test what deploys.',
    ]);
  });

  it('warns for every Node.js function when the workers run on another major, and never for other languages', () => {
    expect(runtimeMismatches([plan], '20.19.5')).toEqual([
      'UsersService/Api runs on nodejs22.x on AWS, but its local worker runs on Node.js 20.19.5: run npm start on Node.js 22 to test what deploys.',
      'UsersService/Relay runs on nodejs24.x on AWS, but its local worker runs on Node.js 20.19.5: run npm start on Node.js 24 to test what deploys.',
    ]);
  });
});
