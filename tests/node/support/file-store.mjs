// A SyncStore kept in one JSON file, for tests that kill the process (SIGKILL) and start it
// again over the same store. Every put rewrites the file synchronously through a temporary
// file and a rename, so a kill leaves either the old or the new file, never a torn one, and a
// put has reached the file (the OS's page cache, which a killed process cannot lose) before
// the engine's promise resolves. No fsync: it does not survive a power loss. Not for
// production: it rewrites everything on every put.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export class FileStore {
  /** @param {string} path the JSON file (created on the first put) */
  constructor(path) {
    this.path = path;
  }

  /** Every stored `[key, record]` pair, read from the file. */
  entries() {
    return existsSync(this.path) ? Object.entries(JSON.parse(readFileSync(this.path, 'utf8'))) : [];
  }

  get(key) {
    return Object.fromEntries(this.entries())[key] ?? null;
  }

  put(key, record) {
    const all = Object.fromEntries(this.entries());
    all[key] = record;
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(all));
    renameSync(tmp, this.path);
  }

  list() {
    return this.entries().map(([, record]) => record);
  }
}
