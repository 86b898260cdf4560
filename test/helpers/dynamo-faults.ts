import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** A DynamoDB call as the fault rules see it: the low-level command name and its (marshalled) input. */
export interface DynamoCall {
  /** e.g. 'UpdateItemCommand' */
  command: string;
  input: Record<string, unknown>;
  /** the item's `pk` (as a plain string), when the call names one key */
  pk?: string;
}

/** What a rule does with a call: let it through, fail it with this error, or hold it until a promise settles. */
export type FaultAction = undefined | { fail: Error } | { hold: Promise<unknown> };

/**
 * Adds a middleware to the document client that asks `rule` about every call before it is sent: the
 * deterministic way to fail a chosen write (a throttling error after the SDK's retries) or to park one
 * while the test drives another writer. Returns the function that removes it.
 */
export function injectDynamoFaults(db: DynamoDBDocumentClient, rule: (call: DynamoCall) => FaultAction): () => void {
  const name = `faults-${Math.random().toString(36).slice(2)}`;
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const input = (args.input ?? {}) as Record<string, unknown>;
      const key = input.Key as Record<string, { S?: string } | string> | undefined;
      const item = input.Item as Record<string, { S?: string } | string> | undefined;
      const pkAttr = key?.pk ?? item?.pk;
      const pk = typeof pkAttr === 'string' ? pkAttr : pkAttr?.S;
      const action = rule({ command: (context as { commandName?: string }).commandName ?? '', input, pk });
      if (action && 'fail' in action) throw action.fail;
      if (action && 'hold' in action) await action.hold;
      return next(args);
    },
    { step: 'initialize', name, priority: 'high' },
  );
  return () => void db.middlewareStack.remove(name);
}

/** An error shaped like DynamoDB's throttling answer (what the SDK throws once its retries are spent). */
export const throttled = (): Error => Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException', $fault: 'client' });

/** A gate: `wait` resolves when `open()` is called; `reached` resolves when the first caller arrived. */
export function gate(): { wait: Promise<void>; open(): void; reached: Promise<void>; arrive(): void } {
  let open!: () => void;
  let arrive!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  const reached = new Promise<void>((r) => (arrive = r));
  return { wait, open, reached, arrive };
}
