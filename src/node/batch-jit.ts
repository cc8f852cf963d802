/**
 * V8's optimizing compiler, set for a long batch of small inputs. Most of a 10,000-manifest run is spent
 * before the code has been optimized, and on two cores the compiler's background thread (~170 compiles
 * of the checkers and the precompiled schema) competes with the validating thread. Inlining less makes each
 * of those compiles smaller and the code optimized sooner: with V8's default budget (920 bytes of inlined
 * bytecode per optimized function) a 10,000-manifest run took 7-9% more instructions than with 150-200; 100
 * and 300 did worse (callgrind; see docs/design.md, s13-batch).
 *
 * Process-wide, so only for programs (the `actool` CLI opts in for long batches); a library caller never gets
 * it. V8 reads the flag at each compile, so it works when set at run time; it is set again whenever a worker
 * thread starts (see v8-flags.ts).
 */
import { setV8Flags } from './v8-flags.js';

/** Bytes of bytecode inlined into one optimized function at most (V8 11.3's default: 920). */
const INLINED_BYTECODE_BUDGET = 200;

/** Sets the compiler flags for a long batch, for the rest of the process; returns whether it could. */
export function useBatchJit(): boolean {
  try {
    setV8Flags(`--max-inlined-bytecode-size-cumulative=${INLINED_BYTECODE_BUDGET}`);
    return true;
  } catch {
    return false;
  }
}
