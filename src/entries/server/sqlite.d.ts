// Types of spotdraft-sync/server/sqlite (src/entries/server/sqlite.js).
import type { SyncRecord, SyncStore, StoreVersion, VersionedRecord } from 'spotdraft-sync';

/** The part of a better-sqlite3 `Database` this store uses (no @types package needed). */
export interface BetterSqlite3Database {
  prepare(source: string): unknown;
  exec(source: string): unknown;
  pragma(source: string): unknown;
  readonly open: boolean;
  close(): unknown;
}

/**
 * A `SyncStore` in one SQLite table (better-sqlite3, an optional peer dependency: install it
 * to use this entry). WAL mode; a row per key (`key` primary key, `record` JSON text,
 * `version` integer bumped by every write, `updated_at`). Implements `getVersioned` and
 * `putIfVersion`, so several processes sharing the file lose no update. Errors are
 * `SpotDraftError`s: `STORE_ERROR` (the database failed), `INVALID_ARGUMENT`.
 *
 * ```js
 * const store = new SqliteStore('sync.db');
 * const engine = new SyncEngine({ client, store, webhookKeys });
 * ```
 */
export declare class SqliteStore implements SyncStore {
  /**
   * `pathOrDatabase`: a file path, `':memory:'`, or an open better-sqlite3 `Database`
   * (left open by `close()`). `table` defaults to `spotdraft_sync_records`; created if missing.
   */
  constructor(pathOrDatabase: string | BetterSqlite3Database, options?: { table?: string });
  get(key: string): Promise<SyncRecord | null>;
  put(key: string, record: SyncRecord): Promise<void>;
  list(): Promise<SyncRecord[]>;
  getVersioned(key: string): Promise<VersionedRecord | null>;
  putIfVersion(key: string, record: SyncRecord, expectedVersion: StoreVersion | null): Promise<boolean>;
  /** Closes the database it opened. */
  close(): void;
}
