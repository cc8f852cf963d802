/** Runs the built actool as a child process, as a user would. */
import { spawn } from 'node:child_process';
import { actoolPath } from './paths.js';

/** What one actool run produced. */
export interface ActoolRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns `node dist/bundle/actool.cjs ...args` and collects its output. */
export function runActool(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<ActoolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [actoolPath, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
