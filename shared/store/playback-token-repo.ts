import { BatchWriteCommand, DeleteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailed } from './dynamo-client.js';
import { keys } from './keys.js';

/**
 * One-time tokens of protected recordings (reference §5.7): getRecordings mints one per protected format
 * in its answer, the play route consumes it. Item `PLAYBACKTOKEN#<token>` / `PLAYBACKTOKEN` with the
 * recording and format it opens and `expiresAt` (epoch seconds, the table's TTL attribute; the TTL
 * deletes late, so every read checks it too).
 */
export interface NewPlaybackToken {
  /** 64 lowercase hex characters */
  token: string;
  recordID: string;
  format: string;
  /** epoch seconds */
  expiresAt: number;
}

/** BatchWriteItem takes at most 25 requests. */
const BATCH = 25;
/** Batches written at once by one `mint`. */
const PARALLEL = 8;
/** Rounds of UnprocessedItems retried before `mint` gives up (with a growing pause between them). */
const RETRIES = 6;

export class PlaybackTokenRepo {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Stores the tokens: one BatchWriteItem per 25, a few at once; items DynamoDB left unprocessed are sent again. */
  async mint(tokens: readonly NewPlaybackToken[]): Promise<void> {
    const chunks: NewPlaybackToken[][] = [];
    for (let i = 0; i < tokens.length; i += BATCH) chunks.push(tokens.slice(i, i + BATCH));
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) await this.writeChunk(chunks[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, chunks.length) }, worker));
  }

  private async writeChunk(chunk: readonly NewPlaybackToken[]): Promise<void> {
    type Requests = NonNullable<ConstructorParameters<typeof BatchWriteCommand>[0]['RequestItems']>;
    let requests: Requests | undefined = {
      [this.table]: chunk.map((t) => ({
        PutRequest: { Item: { ...keys.playbackToken(t.token), type: 'playbackToken', recordID: t.recordID, format: t.format, expiresAt: t.expiresAt } },
      })),
    };
    for (let round = 0; requests && (requests[this.table]?.length ?? 0) > 0; round++) {
      if (round > RETRIES) throw new Error('DynamoDB left playback tokens unprocessed after retries');
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** round));
      const res = await this.db.send(new BatchWriteCommand({ RequestItems: requests }));
      requests = res.UnprocessedItems as Requests | undefined;
    }
  }

  /**
   * Uses the token up: one DeleteItem, conditional on the token existing and not having expired at
   * `nowMs`, returning what it held. Of two requests with one token, exactly one gets the answer; the
   * other (and any unknown or expired token) gets undefined.
   */
  async consume(token: string, nowMs: number): Promise<{ recordID: string; format: string } | undefined> {
    try {
      const res = await this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: keys.playbackToken(token),
          ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now',
          ExpressionAttributeValues: { ':now': Math.floor(nowMs / 1000) },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const item = res.Attributes;
      if (typeof item?.recordID !== 'string' || typeof item.format !== 'string') return undefined;
      return { recordID: item.recordID, format: item.format };
    } catch (e) {
      if (isConditionFailed(e)) return undefined;
      throw e;
    }
  }
}
