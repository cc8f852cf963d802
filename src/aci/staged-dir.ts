/**
 * All-or-nothing directory output: the tree is built in a temporary directory beside the target and renamed
 * into place only when the whole job succeeded, so a refused, failed or interrupted extraction or render
 * leaves nothing behind. Shared by extractAci and writeRendered.
 */
import { chmod, lstat, mkdir, mkdtemp, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AppcError } from '../issues/appc-error.js';

/**
 * Runs `build` on a new temporary directory beside `dir` and renames it to `dir` when `build` resolves. `dir`
 * must be missing or an empty directory; otherwise `code` is thrown (an AppcError naming `dir`). On any failure
 * the temporary directory is removed and the error rethrown.
 */
export async function buildIntoEmptyDirectory<T>(dir: string, code: string, build: (staging: string) => Promise<T>): Promise<T> {
  const target = resolve(dir);
  let replaceEmpty = false;
  try {
    const st = await lstat(target);
    if (!st.isDirectory()) throw new AppcError(code, `${dir} exists and is not a directory`, { file: dir });
    if ((await readdir(target)).length > 0) throw new AppcError(code, `${dir} is not empty; write into a new or empty directory`, { file: dir });
    replaceEmpty = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await mkdir(dirname(target), { recursive: true });
  const staging = await mkdtemp(join(dirname(target), `.${basename(target)}.partial-`));
  try {
    await chmod(staging, 0o755);
    const result = await build(staging);
    if (replaceEmpty) await rmdir(target);
    await rename(staging, target);
    return result;
  } catch (e) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
}
