import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, type CfnTable, ProjectionType, Table, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { tableDefinition } from '../shared/store/table-schema.js';

/** Pinned: renaming the construct must never replace the table (and its data). */
export const TABLE_LOGICAL_ID = 'Table';

/**
 * Meeting and voice-bridge items carry `expiresAt` (epoch seconds) and are filtered on read; DynamoDB's
 * TTL deletes them some time after, so the table does not grow with ended meetings.
 */
export const TTL_ATTRIBUTE = 'expiresAt';

type Definition = CreateTableCommandInput;

function attribute(def: Definition, name: string): Attribute {
  const type = def.AttributeDefinitions?.find((a) => a.AttributeName === name)?.AttributeType;
  const types = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY } as const;
  if (!type || !(type in types)) throw new Error(`table definition: no attribute type for ${name}`);
  return { name, type: types[type as keyof typeof types] };
}

function keyPair(def: Definition, schema: { AttributeName?: string; KeyType?: string }[] | undefined) {
  const hash = schema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
  const range = schema?.find((k) => k.KeyType === 'RANGE')?.AttributeName;
  if (!hash) throw new Error('table definition: a key schema without HASH key');
  return { partitionKey: attribute(def, hash), ...(range ? { sortKey: attribute(def, range) } : {}) };
}

/**
 * The single table, built from the store's own `tableDefinition` (keys, attribute types, GSIs and
 * their projections), so the deployed table is the one the code and the local engine use.
 * On-demand, point-in-time recovery, deletion protection, retained when the stack goes.
 */
export function createTable(scope: Construct, opts: { tableName?: string } = {}): Table {
  const def = tableDefinition(opts.tableName ?? 'unused');
  if (def.BillingMode !== 'PAY_PER_REQUEST') throw new Error('table definition: expected on-demand billing');
  const table = new Table(scope, 'Table', {
    tableName: opts.tableName,
    ...keyPair(def, def.KeySchema),
    billingMode: BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    timeToLiveAttribute: TTL_ATTRIBUTE,
  });
  for (const gsi of def.GlobalSecondaryIndexes ?? []) {
    const projection = gsi.Projection?.ProjectionType ?? 'ALL';
    table.addGlobalSecondaryIndex({
      indexName: gsi.IndexName!,
      ...keyPair(def, gsi.KeySchema),
      projectionType: { ALL: ProjectionType.ALL, KEYS_ONLY: ProjectionType.KEYS_ONLY, INCLUDE: ProjectionType.INCLUDE }[projection],
      ...(projection === 'INCLUDE' ? { nonKeyAttributes: gsi.Projection?.NonKeyAttributes ?? [] } : {}),
    });
  }
  (table.node.defaultChild as CfnTable).overrideLogicalId(TABLE_LOGICAL_ID);
  return table;
}
