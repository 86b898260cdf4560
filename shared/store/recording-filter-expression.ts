/**
 * A RecordingFilter as a DynamoDB FilterExpression (pure), so a Query returns only matching items:
 * `state IN (…)`, `meetingID IN (…)` and, per meta filter, `metadata.<key> IN (…)` — AND between them.
 * What cannot be said within DynamoDB's limits (an empty key, an expression past 4 KB) is left out and
 * `complete` is false: the caller then filters what comes back with `matchesFilter`.
 */
import type { RecordingFilter } from '../domain/recording-filters.js';

export interface FilterParts {
  FilterExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
  /** the expression says all of the filter */
  complete: boolean;
}

/** DynamoDB: at most 100 operands per IN, 4 KB per expression. */
const IN_OPERANDS = 100;
const MAX_EXPRESSION = 4000;

export function filterExpression(f: RecordingFilter): FilterParts {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const terms: string[] = [];
  let complete = true;
  let n = 0;
  const anyOf = (path: string, list: readonly string[]) => {
    const groups: string[] = [];
    for (let i = 0; i < list.length; i += IN_OPERANDS) {
      const refs = list.slice(i, i + IN_OPERANDS).map((v) => {
        const ref = `:v${n++}`;
        values[ref] = v;
        return ref;
      });
      groups.push(`${path} IN (${refs.join(', ')})`);
    }
    terms.push(groups.length === 1 ? groups[0] : `(${groups.join(' OR ')})`);
  };
  if (f.states !== undefined) {
    names['#st'] = 'state';
    anyOf('#st', f.states);
  }
  if (f.meetingIDs !== undefined) {
    names['#mid'] = 'meetingID';
    anyOf('#mid', f.meetingIDs);
  }
  f.meta.forEach((m, i) => {
    if (m.key === '') {
      complete = false; // no attribute name can be empty
      return;
    }
    names['#md'] = 'metadata';
    names[`#mk${i}`] = m.key;
    anyOf(`#md.#mk${i}`, m.values);
  });
  const expression = terms.join(' AND ');
  if (expression === '') return { complete };
  if (expression.length > MAX_EXPRESSION) return { complete: false };
  return { FilterExpression: expression, ExpressionAttributeNames: names, ExpressionAttributeValues: values, complete };
}
