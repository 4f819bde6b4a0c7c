// Starts the local SpotDraft sandbox binary (sandbox/) on 127.0.0.1 and resolves its URL
// from the one line it prints on start.
import { spawn, execFileSync } from 'node:child_process';
import { join } from 'node:path';

export function buildSandbox(root) {
  execFileSync('cargo', ['build', '-q', '-p', 'spotdraft-sandbox', '--bin', 'spotdraft-sandbox'], { cwd: root, stdio: 'inherit' });
  return join(root, 'target', 'debug', 'spotdraft-sandbox');
}

export async function startSandbox(root, args = [], { quiet = true } = {}) {
  const bin = buildSandbox(root);
  const child = spawn(bin, ['--port', '0', ...(quiet ? ['--quiet'] : []), ...args], { cwd: root, stdio: ['ignore', 'pipe', quiet ? 'ignore' : 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk) => {
      buffered += chunk;
      const m = buffered.match(/spotdraft-sandbox listening on (http:\/\/\S+)/);
      if (m) {
        child.stdout.off('data', onData);
        resolve(m[1]);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => reject(new Error(`spotdraft-sandbox exited early with ${code}`)));
  });
  return {
    url,
    stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')))),
  };
}
