import { CreateTableCommand, DescribeTableCommand, type DescribeTableCommandOutput } from '@aws-sdk/client-dynamodb';
import { tableDefinition } from './table-schema.js';

/** Creates the table when it is missing (local engines); returns true when it was created. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Sender = { send(command: any): Promise<any> };

export async function ensureTable(db: Sender, table: string): Promise<boolean> {
  try {
    await db.send(new DescribeTableCommand({ TableName: table }));
    return false;
  } catch (e) {
    if ((e as { name?: string }).name !== 'ResourceNotFoundException') throw e;
  }
  await db.send(new CreateTableCommand(tableDefinition(table)));
  for (let i = 0; i < 100; i++) {
    const res = (await db.send(new DescribeTableCommand({ TableName: table }))) as DescribeTableCommandOutput;
    if (res.Table?.TableStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
