import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { GSI1, GSI2, GSI3, RECORDING_LIST_ATTRIBUTES } from './keys.js';

/** The table definition, used to create the table locally and mirrored by the CDK stack. */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  const gsi = (name: string, pk: string, sk: string, include?: string[]) => ({
    IndexName: name,
    KeySchema: [
      { AttributeName: pk, KeyType: 'HASH' as const },
      { AttributeName: sk, KeyType: 'RANGE' as const },
    ],
    Projection: include ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: include } : { ProjectionType: 'ALL' as const },
  });
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [gsi(GSI1, 'gsi1pk', 'gsi1sk'), gsi(GSI2, 'gsi2pk', 'gsi2sk'), gsi(GSI3, 'gsi3pk', 'gsi3sk', RECORDING_LIST_ATTRIBUTES)],
  };
}
