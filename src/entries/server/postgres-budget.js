// PostgresRateBudget: one request budget for every process of a workspace (SpotDraft allows
// 10 requests per second per workspace), kept in one PostgreSQL row. Pass it to
// `new SpotDraftClient({ …, rateBudget })` in each process. The algorithm is the client's own
// limiter (src/core/rate_limit.rs: requests spaced evenly, a slot booked at call time) run in
// one UPDATE, so the row lock orders all processes' bookings and the database's clock is the
// only clock (no skew between machines). It does not give processes fair shares: whoever
// books first goes first. A database that is down rejects `reserve()`, and the client then
// fails the call with STORE_ERROR without sending it.
import pg from 'pg';
import { invalidOption, spotDraftError } from './http.js';
import { isConcurrentCreate, passwordOf, scrub, tableName } from './store-common.js';

export class PostgresRateBudget {
  #pool;
  #ownsPool;
  #table;
  #name;
  #intervalMs;
  #ready;
  #secrets;

  /**
   * @param {{ pool?: import('pg').Pool, connectionString?: string, name?: string,
   *   perSecond?: number, table?: string }} options
   */
  constructor(options = {}) {
    const { pool, connectionString, name = 'workspace', perSecond = 10 } = options;
    if (!pool && !connectionString) throw invalidOption('options.pool', 'or options.connectionString: PostgresRateBudget needs one (a pg.Pool, or a connection string)');
    const table = tableName(options, 'spotdraft_rate_budget');
    if (!(typeof perSecond === 'number' && perSecond > 0 && Number.isFinite(perSecond))) {
      throw invalidOption('options.perSecond', 'must be a number > 0 (SpotDraft allows 10 per workspace)');
    }
    if (typeof name !== 'string' || name === '') throw invalidOption('options.name', 'must be a non-empty string: one name per workspace');
    this.#pool = pool ?? new pg.Pool({ connectionString, max: 2 });
    this.#ownsPool = !pool;
    // As PostgresStore's: an idle connection the server drops must not crash the process.
    if (this.#ownsPool) this.#pool.on('error', () => {});
    this.#secrets = [passwordOf(connectionString), pool?.options?.password, passwordOf(pool?.options?.connectionString)];
    this.#table = table;
    this.#name = name;
    this.#intervalMs = 1000 / perSecond;
  }

  /** Books the next slot; resolves with the milliseconds to wait for it (0 when free now). */
  async reserve() {
    this.#ready ??= this.#pool
      .query(`CREATE TABLE IF NOT EXISTS ${this.#table} (name text PRIMARY KEY, next_free_ms double precision NOT NULL)`)
      .catch((error) => { if (!isConcurrentCreate(error)) throw error; })
      .then(() => this.#pool.query(`INSERT INTO ${this.#table} (name, next_free_ms) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING`, [this.#name]))
      .catch((error) => { this.#ready = undefined; throw error; });
    try {
      await this.#ready;
      const { rows } = await this.#pool.query(
        `WITH now AS (SELECT extract(epoch FROM clock_timestamp()) * 1000 AS ms)
         UPDATE ${this.#table} AS b SET next_free_ms = GREATEST(b.next_free_ms, now.ms) + $2
         FROM now WHERE b.name = $1
         RETURNING b.next_free_ms - $2 - now.ms AS wait`,
        [this.#name, this.#intervalMs],
      );
      return Math.max(0, Number(rows[0].wait));
    } catch (error) {
      throw spotDraftError('STORE_ERROR', `The shared rate budget could not be booked in PostgreSQL (${error.code ?? error.name}: ${scrub(error.message, this.#secrets)}).`);
    }
  }

  /** Ends the pool if the budget made it (a pool you passed stays yours). */
  async close() {
    if (this.#ownsPool) await this.#pool.end();
  }
}
