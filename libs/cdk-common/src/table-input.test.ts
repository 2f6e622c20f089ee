import { App, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, it } from 'vitest';
import { createTableInputOf } from './table-input';

describe('createTableInputOf', () => {
  it('is the construct key schema, attributes, indexes and stream, on demand, under the given name', () => {
    const table = new Table(new Stack(new App(), 'S'), 'T', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      stream: StreamViewType.NEW_IMAGE,
    });
    table.addGlobalSecondaryIndex({
      indexName: 'byDay',
      partitionKey: { name: 'day', type: AttributeType.STRING },
      sortKey: { name: 'n', type: AttributeType.NUMBER },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: ['a'],
    });
    table.addLocalSecondaryIndex({ indexName: 'byAt', sortKey: { name: 'at', type: AttributeType.STRING } });

    expect(createTableInputOf(table, 'state-1')).toEqual({
      TableName: 'state-1',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'day', AttributeType: 'S' },
        { AttributeName: 'n', AttributeType: 'N' },
        { AttributeName: 'at', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byDay',
          KeySchema: [
            { AttributeName: 'day', KeyType: 'HASH' },
            { AttributeName: 'n', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['a'] },
        },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: 'byAt',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'at', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    });
  });

  it('leaves out indexes and stream a table does not have', () => {
    const table = new Table(new Stack(new App(), 'S'), 'T', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
    });

    expect(createTableInputOf(table, 'plain')).toEqual({
      TableName: 'plain',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    });
  });
});
