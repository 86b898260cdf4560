import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
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

/** What a function needs of the table's customer-managed key, always through DynamoDB (`kms:ViaService`). */
export const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'] as const;

export interface ScaleliteTable {
  table: Table;
  /** `tableKmsKeyArn`: the customer-managed key the table is encrypted with. */
  keyArn?: string;
  /**
   * Read and write of the table's items and its indexes (`<table>` and `<table>/index/*`), and with a
   * customer-managed key its use through DynamoDB.
   */
  grantReadWriteData(grantee: IGrantable): void;
}

/**
 * The single table, built from the store's own `tableDefinition` (keys, attribute types, GSIs and
 * their projections), so the deployed table is the one the code and the local engine use.
 * On-demand, point-in-time recovery, deletion protection, retained when the stack goes.
 *
 * With `kmsKeyArn` the table is encrypted with that customer-managed key (SSE type KMS) instead of
 * DynamoDB's own; changing it later re-encrypts in place (no replacement). The key is set on the
 * CloudFormation resource rather than given to the construct, whose grants would add `kms:ReEncrypt*` and
 * `kms:GenerateDataKey*` on the key for any service: here a function may use the key only through
 * DynamoDB in this region, with the four actions a table's reads and writes need.
 */
export function createTable(scope: Construct, opts: { tableName?: string; kmsKeyArn?: string } = {}): ScaleliteTable {
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
  const cfnTable = table.node.defaultChild as CfnTable;
  cfnTable.overrideLogicalId(TABLE_LOGICAL_ID);
  const keyArn = opts.kmsKeyArn;
  if (keyArn) cfnTable.sseSpecification = { sseEnabled: true, sseType: 'KMS', kmsMasterKeyId: keyArn };
  const viaDynamoDb = { StringEquals: { 'kms:ViaService': `dynamodb.${Aws.REGION}.${Aws.URL_SUFFIX}` } };
  return {
    table,
    keyArn,
    grantReadWriteData(grantee) {
      table.grantReadWriteData(grantee);
      if (keyArn) grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: [...TABLE_KEY_ACTIONS], resources: [keyArn], conditions: viaDynamoDb }));
    },
  };
}
