import { Readable, Transform, type TransformCallback } from 'node:stream';
import tar from 'tar-stream';

/** one entry of tar-stream's extract (its type is not exported) */
type TarEntry = tar.Extract extends AsyncIterable<infer S> ? S : never;
import { SourceReadError, type ImportEntry } from './import-entry.js';

/** A tar ends with two 512-byte blocks of zeros (GNU tar pads further with zeros). */
const END_BLOCKS = 1024;

/**
 * Passes the tar through and notes, at its end, whether the end-of-archive blocks were there: a tar cut at
 * a file boundary would otherwise read as a shorter, complete one (tar-stream accepts it). The problem is
 * raised only once tar-stream read the rest without an error of its own (which says more).
 */
class TarEndCheck extends Transform {
  private tail = Buffer.alloc(0);
  private total = 0;
  /** set when the source ended: what is wrong with its end, if anything */
  problem: string | undefined;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.total += chunk.length;
    this.tail = chunk.length >= END_BLOCKS ? Buffer.from(chunk.subarray(chunk.length - END_BLOCKS)) : Buffer.concat([this.tail, chunk]).subarray(-END_BLOCKS);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.total === 0) this.problem = 'the tar is empty';
    else if (this.total % 512 !== 0 || this.tail.length < END_BLOCKS || this.tail.some((b) => b !== 0)) {
      this.problem = `the tar ends without its end-of-archive blocks after ${this.total} bytes (truncated?)`;
    }
    cb();
  }
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const asSourceError = (e: unknown) => (e instanceof SourceReadError ? e : new SourceReadError(`the tar cannot be read: ${message(e)}`));

const typeOf = (t: tar.Header['type'] | undefined): ImportEntry['type'] => (t === 'file' || t === 'contiguous-file' ? 'file' : t === 'directory' ? 'directory' : 'other');

/**
 * The entries of a tar, streamed (tar-stream; back-pressure from whoever reads a body down to `source`):
 * nothing but the current entry's chunks is held. Every failure of the tar (not a tar, truncated, the
 * source stream failing) rejects as SourceReadError, also from inside a body being read.
 */
export async function* tarEntries(source: Readable): AsyncGenerator<ImportEntry> {
  const extract = tar.extract();
  const check = new TarEndCheck();
  let failure: SourceReadError | undefined;
  const fail = (e: unknown) => {
    failure ??= asSourceError(e);
    extract.destroy(failure);
  };
  source.on('error', fail);
  check.on('error', fail);
  source.pipe(check).pipe(extract as unknown as NodeJS.WritableStream);
  const entries = extract[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<TarEntry>;
      try {
        next = await entries.next();
      } catch (e) {
        throw failure ?? asSourceError(e);
      }
      if (next.done) break;
      const entry = next.value;
      let opened = false;
      let finished = false;
      const item: ImportEntry = {
        name: entry.header.name,
        type: typeOf(entry.header.type),
        size: entry.header.size ?? 0,
        open() {
          if (opened) throw new Error('an entry body can be opened once');
          opened = true;
          return Readable.from(
            (async function* () {
              try {
                for await (const chunk of entry) yield chunk as Buffer;
              } catch (e) {
                throw failure ?? asSourceError(e);
              }
              finished = true;
            })(),
            { objectMode: false },
          );
        },
      };
      yield item;
      if (!opened) {
        try {
          for await (const _ of entry); // drain what was not read
        } catch (e) {
          throw failure ?? asSourceError(e);
        }
      } else if (!finished) {
        throw new Error(`the body of ${item.name} was opened but not read to its end`);
      }
    }
    if (failure) throw failure;
    if (check.problem) throw new SourceReadError(check.problem);
  } finally {
    await entries.return?.();
    source.unpipe(check);
    check.destroy();
    source.destroy();
  }
}
