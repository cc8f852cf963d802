// Shared helpers of the benchmarks: timing under /usr/bin/time (wall seconds, peak RSS), medians of
// alternating rounds, peers found on the machine, and the table that `npm run bench` prints.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const actool = join(root, 'dist', 'bundle', 'actool.cjs');
/** Scratch space for generated data (git-ignored, removed unless BENCH_KEEP is set). */
export const benchDir = join(root, '.bench');
mkdirSync(benchDir, { recursive: true });

/** The Go actool named by ACTOOL_GO, if it exists. */
export const goActool = process.env.ACTOOL_GO && existsSync(process.env.ACTOOL_GO) ? process.env.ACTOOL_GO : undefined;

/** Rounds per measurement (median taken); BENCH_ROUNDS overrides. */
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** True when `program` runs. */
export function hasProgram(program) {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs argv under /usr/bin/time: { wall, rssMB, cpu, status, stdout, stderr }. Throws when it fails (unless allowFail).
 * `wall` is measured here with the monotonic clock (time's %e has 10 ms steps, too coarse for start-up rows); it
 * includes starting /usr/bin/time itself, about a millisecond, alike for the project and its peers.
 */
export function timed(argv, { allowFail = false, cwd, env, ownRss = false } = {}) {
  const ownRssFile = ownRss ? join(benchDir, `own-rss-${process.pid}`) : undefined;
  if (ownRssFile) {
    rmSync(ownRssFile, { force: true });
    env = { ...(env ?? process.env), APPC_BENCH_OWN_RSS: ownRssFile, NODE_OPTIONS: `--require ${ownRssPreload}` };
  }
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M %U %S', ...argv], { encoding: 'utf8', maxBuffer: 1 << 28, cwd, env });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const m = /TIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  if (!m || (!allowFail && r.status !== 0)) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(-600)}`);
  const ownRssMB = ownRssFile && existsSync(ownRssFile) ? Number(readFileSync(ownRssFile, 'utf8')) / 1024 : undefined;
  return { wall, rssMB: Number(m[2]) / 1024, ownRssMB, cpu: Number(m[3]) + Number(m[4]), status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The preload that reports our node process's own peak RSS (see own-rss.cjs). */
const ownRssPreload = join(dirname(fileURLToPath(import.meta.url)), 'own-rss.cjs');

/**
 * NODE_EXTRA_CA_CERTS, when the environment sets it: Node 20 then reads and parses that CA bundle while it
 * starts, before any script runs (~40 ms of every node start on the machines this was written on). The Go
 * actool does not read it. Rows that depend on node's start are measured a second time without it.
 */
export const extraCaCerts = process.env.NODE_EXTRA_CA_CERTS || undefined;
/** `argv` run with NODE_EXTRA_CA_CERTS removed from its environment. */
export const withoutExtraCa = (argv) => ['env', '-u', 'NODE_EXTRA_CA_CERTS', ...argv];

/** A shell pipeline as argv. */
export const sh = (script) => ['sh', '-c', script];
/** actool (this project) as argv. */
export const ours = (...args) => [process.execPath, actool, ...args];

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Measures the project command and each peer in alternating rounds (so load changes hit all alike) and
 * returns medians. `peers`: [{ name, argv } | { name, skip: 'reason' }]. `before(name)` runs before each command,
 * with 'project' or the peer's name (e.g. to remove the output that command is about to write).
 */
export function compare({ project, peers, rounds = ROUNDS, before, allowFail = false, ownRss = false }) {
  const live = peers.filter((p) => !p.skip);
  const runs = { project: [], ...Object.fromEntries(live.map((p) => [p.name, []])) };
  for (let i = 0; i < rounds; i++) {
    before?.('project');
    runs.project.push(timed(project, { allowFail, ownRss }));
    for (const p of live) {
      before?.(p.name);
      runs[p.name].push(timed(p.argv, { allowFail: true }));
    }
  }
  const summarize = (rs) => ({
    wall: median(rs.map((r) => r.wall)),
    rssMB: Math.max(...rs.map((r) => r.rssMB)),
    ownRssMB: rs.every((r) => r.ownRssMB !== undefined) ? Math.max(...rs.map((r) => r.ownRssMB)) : undefined,
    cpu: median(rs.map((r) => r.cpu)),
    last: rs[rs.length - 1],
  });
  return { project: summarize(runs.project), peers: peers.map((p) => (p.skip ? { name: p.name, skip: p.skip } : { name: p.name, ...summarize(runs[p.name]) })) };
}

/** The rows collected during `npm run bench`. */
export class Table {
  rows = [];

  /**
   * Adds one line per peer: `work`, our median, the peer's median, ratio and target (`maxRatio` against
   * that peer). `rssTarget`: MB limit for our peak RSS.
   */
  add(work, result, { targets = {}, rssTarget } = {}) {
    const first = this.rows.length;
    for (const p of result.peers) {
      this.rows.push({
        work: this.rows.length === first ? work : '',
        ours: result.project,
        peer: p,
        target: targets[p.name],
        rssTarget: this.rows.length === first ? rssTarget : undefined,
      });
    }
    if (result.peers.length === 0) this.rows.push({ work, ours: result.project, peer: { name: '(no peer)', skip: 'none' }, rssTarget });
  }

  /** Adds a row for work that could not run at all (a tool it needs is missing), with the reason. */
  skip(work, reason) {
    this.rows.push({ work, skipped: reason });
  }

  print(out = console.log) {
    const header = ['work', 'project s', 'RSS MB', 'peer', 'peer s', 'peer RSS', 'ratio', 'target'];
    // Sub-second times get three decimals: start-up rows differ in milliseconds.
    const seconds = (t) => t.toFixed(t < 1 ? 3 : 2);
    const lines = this.rows.map((r) => {
      if (r.skipped !== undefined) return [r.work, 'skipped', '', `(${r.skipped})`, '', '', '', ''];
      const ratio = r.peer.skip ? undefined : r.ours.wall / r.peer.wall;
      const verdict = (ok) => (ok ? 'ok' : 'OVER');
      const target = [r.target !== undefined && ratio !== undefined ? `<= ${r.target}x ${verdict(ratio <= r.target)}` : '', r.rssTarget !== undefined ? rssVerdict(r.ours, r.rssTarget, verdict) : '']
        .filter(Boolean)
        .join('; ');
      return [
        r.work,
        r.work ? seconds(r.ours.wall) : '',
        r.work ? r.ours.rssMB.toFixed(0) + (r.ours.ownRssMB === undefined ? '' : ` (node ${r.ours.ownRssMB.toFixed(0)})`) : '',
        r.peer.name,
        r.peer.skip ? `skipped: ${r.peer.skip}` : seconds(r.peer.wall),
        r.peer.skip ? '' : r.peer.rssMB.toFixed(0),
        ratio === undefined ? '' : `${ratio.toFixed(2)}x`,
        target,
      ];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
    const fmt = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
    out(fmt(header));
    out('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
    for (const l of lines) out(fmt(l));
  }
}

/**
 * The RSS target's verdict. Where our node process's own peak was measured (rows that run a compressor child),
 * the target applies to it, and a child that is larger is named: its memory is set by the format's preset
 * (`xz -6` needs ~94 MiB a thread), the same for the peer pipeline.
 */
function rssVerdict(ours, target, verdict) {
  if (ours.ownRssMB === undefined) return `RSS <= ${target} ${verdict(ours.rssMB <= target)}`;
  const child = ours.rssMB > ours.ownRssMB + 0.5 ? ` (child ${ours.rssMB.toFixed(0)})` : '';
  return `node RSS <= ${target} ${verdict(ours.ownRssMB <= target)}${child}`;
}

/** A peer entry for the Go actool, or a visible skip. */
export function goPeer(...args) {
  return goActool ? { name: 'Go actool', argv: [goActool, ...args] } : { name: 'Go actool', skip: 'set ACTOOL_GO=/path/to/actool' };
}

/** A peer entry that needs some programs on PATH, or a visible skip. */
export function toolPeer(name, programs, argv) {
  const missing = programs.filter((p) => !hasProgram(p));
  return missing.length ? { name, skip: `${missing.join(', ')} not found` } : { name, argv };
}
