// Starts a throwaway PostgreSQL server for tests: initdb into a temp dir (as the `postgres`
// OS user when we are root, since initdb refuses root), pg_ctl on a free loopback port with
// the socket inside the temp dir, one database. `stop()`/`restart()` keep the data (to test
// an outage); `close()` stops it and removes the dir. Throws with a clear message when
// PostgreSQL is not installed or does not start: `bash scripts/setup.sh --browser` installs it.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const LIB = '/usr/lib/postgresql';

function binDir() {
  const versions = existsSync(LIB)
    ? readdirSync(LIB).filter((v) => existsSync(join(LIB, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) {
    throw new Error(`PostgreSQL is not installed (no ${LIB}/*/bin/initdb): run \`bash scripts/setup.sh --browser\` (installs Debian's postgresql), then rerun the tests.`);
  }
  return join(LIB, versions[0], 'bin');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function startPostgres({ database = 'spotdraft_test' } = {}) {
  const bin = binDir();
  const root = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'spotdraft-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  if (root) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const as = (tool, args) => (root
    ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args])
    : run(join(bin, tool), args));
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  const fail = (what, error) => {
    const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '';
    return new Error(`PostgreSQL ${what} failed: ${error.stderr || error.message}\n${tail}`.trim());
  };
  const start = async () => {
    try {
      await as('pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', '-t', '60', 'start']);
    } catch (error) {
      throw fail(`start (pg_ctl on 127.0.0.1:${port})`, error);
    }
  };
  const stop = async () => {
    try {
      await as('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    } catch (error) {
      if (!/not running|No such file/i.test(String(error.stderr))) throw fail('stop', error);
    }
  };
  try {
    await as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw fail('initdb', error);
  }
  try {
    await start();
    await as('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database]);
  } catch (error) {
    await stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw error.message?.startsWith('PostgreSQL') ? error : fail('createdb', error);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    start,
    close: async () => {
      await stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
