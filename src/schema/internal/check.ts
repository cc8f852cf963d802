/** The plumbing every type checker shares: a context that collects issues, and the wrapper that makes public validators. */
import type { CodeTable } from '../../issues/codes.js';
import type { Issue, Result, ValidateOptions } from '../../issues/issue.js';
import { toResult } from '../../issues/issue.js';
import type { OsArchTable } from '../types/os-arch.js';
import { DEFAULT_OS_ARCH } from '../types/os-arch.js';

/** Options of the manifest and type validators. */
export interface SchemaValidateOptions extends ValidateOptions {
  /** Valid os/arch pairs for labels; defaults to the table of the Go reference (checklist T-LB-4). */
  readonly osArch?: OsArchTable;
}

/** An occurrence of a field that a later key of the same field overrides (Go decodes it anyway). */
export interface EarlierValue {
  /** Pointer of the value Go keeps (the last occurrence), where the earlier value is tried in its place. */
  readonly path: string;
  /** The earlier value (for fields Go merges, the merge of every occurrence up to this one). */
  readonly value: unknown;
  /** Offset of the earlier key in the text, when known. */
  readonly keyOffset?: number;
  /** Pointer of the earlier key when it is spelled differently from the last one. */
  readonly keyPath?: string;
}

/** State passed down while checking one document: collects issues, carries options. */
export interface CheckContext {
  readonly osArch: OsArchTable;
  readonly issues: Issue[];
  /** Every member of a parsed object in order, repeated keys included (only for objects that repeat a key). */
  readonly members?: ((obj: object) => readonly { readonly key: string; readonly value: unknown; readonly keyOffset: number }[] | undefined) | undefined;
  /** The source text of a number at a pointer, when it matters (see ParsedJson.numberText). */
  readonly numberText?: ((path: string) => string | undefined) | undefined;
  /** Earlier occurrences of repeated or case-variant keys, collected for Go's per-occurrence decoding. */
  readonly earlier?: EarlierValue[] | undefined;
  /**
   * Every object checked came from the document parsers as is: own enumerable data properties only, no getter,
   * nothing inherited but Object.prototype's (a caller's own objects, or a `base` merged in, may be anything).
   */
  readonly plainJson?: boolean;
}

/** A checker inspects a decoded JSON value at `path`, reports into `ctx`, and returns the typed value (or undefined when unusable). */
export type Checker<T> = (value: unknown, path: string, ctx: CheckContext) => T | undefined;

/**
 * Makes a fresh context. Every context has all the fields (absent ones undefined) in one order, so the
 * checkers that read them see a single object shape.
 */
export function createContext(options?: SchemaValidateOptions, source?: Pick<CheckContext, 'members' | 'numberText' | 'earlier' | 'plainJson'>): CheckContext {
  return { osArch: options?.osArch ?? DEFAULT_OS_ARCH, issues: [], members: source?.members, numberText: source?.numberText, earlier: source?.earlier, plainJson: source?.plainJson === true };
}

/**
 * Returns a report function bound to one area's code table, so the code name is type-checked
 * and the severity comes from the table.
 */
export function reporter<T extends CodeTable>(table: T) {
  return (ctx: CheckContext, code: keyof T & string, path: string, message: string, params?: Readonly<Record<string, string | number | boolean>>): void => {
    const info = table[code];
    if (info === undefined) throw new Error(`unknown issue code ${code}`);
    const issue: Issue = params === undefined ? { code, severity: info.severity, path, message } : { code, severity: info.severity, path, message, params };
    ctx.issues.push(issue);
  };
}

/** Runs a checker as a public validator: collects every issue and never throws on bad input. */
export function runChecker<T>(checker: Checker<T>, value: unknown, options?: SchemaValidateOptions): Result<T> {
  const ctx = createContext(options);
  const typed = checker(value, '', ctx);
  return toResult(typed as T, ctx.issues, options);
}

/** Describes a JSON value's type for messages: `string`, `number`, `null`, `array`, `object`, `boolean`. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Quotes a value for a message, shortened so hostile input cannot flood the output. */
export function quote(value: unknown, max = 80): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}
