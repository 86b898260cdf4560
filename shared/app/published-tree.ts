import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isValidRecordId } from '../storage/storage-keys.js';
import { SourceReadError, type ImportEntry } from './import-entry.js';
import { isFormatName } from './recording-entry-path.js';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function dirNames(dir: string): Promise<{ name: string; dir: boolean }[]> {
  try {
    const list = await readdir(dir, { withFileTypes: true });
    return list.map((d) => ({ name: d.name, dir: d.isDirectory() })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (e) {
    throw new SourceReadError(`cannot read the directory ${dir}: ${message(e)}`);
  }
}

/**
 * The recordings of a BBB/Scalelite published tree (`DIR/<format>/<record_id>/…`): each record id with
 * the formats that have a directory for it, sorted by record id, formats sorted.
 */
export async function listPublishedRecordings(dir: string): Promise<{ recordID: string; formats: string[] }[]> {
  const byId = new Map<string, string[]>();
  for (const format of await dirNames(dir)) {
    if (!format.dir || !isFormatName(format.name)) continue;
    for (const rec of await dirNames(join(dir, format.name))) {
      if (!rec.dir || !isValidRecordId(rec.name)) continue;
      byId.set(rec.name, [...(byId.get(rec.name) ?? []), format.name]);
    }
  }
  return [...byId.keys()].sort().map((recordID) => ({ recordID, formats: byId.get(recordID)! }));
}

/**
 * The files of one recording in a published tree, as import entries named `<format>/<record_id>/<path>`
 * (formats and files in name order). Symbolic links and other special files are entries of type
 * `other` (not followed: a link could point anywhere on the machine). Read errors are SourceReadError.
 */
export async function* publishedTreeEntries(dir: string, recordID: string): AsyncGenerator<ImportEntry> {
  if (!isValidRecordId(recordID)) throw new SourceReadError(`"${recordID}" is not a record id`);
  for (const format of await dirNames(dir)) {
    if (!format.dir || !isFormatName(format.name)) continue;
    const root = join(dir, format.name, recordID);
    const rootStat = await lstat(root).catch(() => undefined);
    if (!rootStat?.isDirectory()) continue;
    // depth first, names in order, without recursion
    const todo: string[] = [''];
    while (todo.length > 0) {
      const rel = todo.pop()!;
      const children = await dirNames(join(root, rel));
      const subdirs: string[] = [];
      for (const child of children) {
        const childRel = rel === '' ? child.name : `${rel}/${child.name}`;
        const path = join(root, childRel);
        let stat;
        try {
          stat = await lstat(path);
        } catch (e) {
          throw new SourceReadError(`cannot read ${path}: ${message(e)}`);
        }
        const name = `${format.name}/${recordID}/${childRel}`;
        if (stat.isDirectory()) {
          subdirs.push(childRel);
          continue;
        }
        const isFile = stat.isFile();
        yield {
          name,
          type: isFile ? 'file' : 'other',
          size: isFile ? stat.size : 0,
          open: () =>
            Readable.from(
              (async function* () {
                try {
                  for await (const chunk of createReadStream(path)) yield chunk as Buffer;
                } catch (e) {
                  throw new SourceReadError(`cannot read ${path}: ${message(e)}`);
                }
              })(),
              { objectMode: false },
            ),
        };
      }
      for (let i = subdirs.length - 1; i >= 0; i--) todo.push(subdirs[i]);
    }
  }
}
