/**
 * The shared path from text to a validated manifest: bytes to text, JSON with positions, the Go-compatible
 * checker, earlier values of repeated keys, the precompiled JSON Schema, then line and column on every issue.
 */
import { JSON_CODES } from '../codes.js';
import type { Issue, Result } from '../../issues/issue.js';
import { splitPointer } from '../../issues/json-pointer.js';
import { extend } from '../../internal/extend.js';
import { decodeUtf8 } from '../json/decode-text.js';
import type { ParsedJson } from '../json/parse-json.js';
import { lineColumn, parseJson } from '../json/parse-json.js';
import type { CheckContext, Checker, EarlierValue, SchemaValidateOptions } from './check.js';
import { goRejectsEarlier } from './go-decoders.js';
import { createContext } from './check.js';
import { finish } from './finish.js';
import { withPositions } from './positions.js';
import type { SchemaError } from './schema-issues.js';
import { schemaIssues } from './schema-issues.js';

/** Options for parsing manifests from text or bytes. */
export interface ParseManifestOptions extends SchemaValidateOptions {
  /** Largest document accepted, in bytes or UTF-16 units (default 4 MiB). */
  readonly maxBytes?: number;
  /** Deepest nesting of arrays and objects accepted (default 128). */
  readonly maxDepth?: number;
  /** Decode on top of this object, as Go's UnmarshalJSON merges into an existing value (checklist G-8). */
  readonly base?: Readonly<Record<string, unknown>>;
  /**
   * Parse with the exact JSON parser only, skipping the `JSON.parse` fast path for ordinary documents. The
   * results are the same either way (a property test pins the two together); this exists for that test.
   */
  readonly exactJson?: boolean;
}

/** Default size limit for a manifest document. */
export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** A compiled schema validator (ajv standalone). */
export interface SchemaValidator {
  (data: unknown): boolean;
  errors?: readonly SchemaError[] | null;
}

/** What a document kind supplies to the pipeline. */
export interface DocumentKind<T> {
  readonly check: Checker<T>;
  readonly schema: SchemaValidator;
  /** Builds the best-effort value kept in a failed result (Go's lastditch). */
  readonly lastDitch: (value: unknown) => unknown;
}

const issueAt = (code: keyof typeof JSON_CODES, message: string, text: string, offset: number, params?: Issue['params']): Issue => {
  const { line, column } = lineColumn(text, offset);
  const base: Issue = { code, severity: JSON_CODES[code].severity, path: '', message, line, column };
  return params === undefined ? base : { ...base, params };
};

/** Decodes input to text and parses it; returns the parse and the text-level issues. */
export function parseDocument(input: string | Uint8Array, options: ParseManifestOptions = {}): { parsed?: ParsedJson; issues: Issue[] } {
  const max = options.maxBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
  if (input.length > max) {
    return {
      issues: [{ code: 'JSON_TOO_LARGE', severity: 'error', path: '', message: `the document has ${input.length} bytes, more than the limit of ${max}`, params: { size: input.length, limit: max } }],
    };
  }
  const issues: Issue[] = [];
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    const decoded = decodeUtf8(input);
    text = decoded.text;
    if (decoded.invalidUtf8At !== undefined) {
      const at = decoded.invalidUtf8At;
      const before = new TextDecoder().decode(input.subarray(0, at));
      const { line, column } = lineColumn(before, before.length);
      issues.push({
        code: 'JSON_INVALID_UTF8',
        severity: JSON_CODES.JSON_INVALID_UTF8.severity,
        path: '',
        message: `byte ${at} is not valid UTF-8; read as U+FFFD`,
        line,
        column,
        params: { offset: at },
      });
    }
  }
  const parsed = parseJson(text, { ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }), ...(options.exactJson === true ? { exact: true } : {}) });
  for (const p of parsed.problems) {
    issues.push(issueAt(p.code, p.code === 'JSON_SYNTAX' ? `invalid JSON: ${p.message}` : p.message, text, p.offset, { offset: p.offset }));
  }
  return parsed.value === undefined ? { issues } : { parsed, issues };
}

/** Puts `value` at `path` in a deep copy of `doc` (used to validate the earlier value of a repeated key). */
function substitute(doc: unknown, path: string, value: unknown): unknown {
  const copy: unknown = structuredClone(doc);
  const tokens = splitPointer(path);
  let node = copy as Record<string, unknown>;
  for (const t of tokens.slice(0, -1)) node = node[t] as Record<string, unknown>;
  const last = tokens[tokens.length - 1];
  if (last !== undefined) Object.defineProperty(node, last, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** Runs the checker and the schema on a decoded value; returns the typed value and all issues (no positions). */
export function checkDocument<T>(
  value: unknown,
  kind: DocumentKind<T>,
  options: SchemaValidateOptions = {},
  parsed?: ParsedJson,
  again?: { readonly numberText?: (path: string) => string | undefined },
): { typed: T | undefined; issues: Issue[] } {
  const earlier: EarlierValue[] = [];
  // A second pass over an earlier value collects nothing more: the first pass saw every occurrence.
  const ctx: CheckContext = createContext(options, {
    members: parsed?.members,
    numberText: parsed?.numberText ?? again?.numberText,
    earlier: again === undefined ? earlier : undefined,
    // The parse's own value (not one with a `base` merged in) holds nothing but what JSON.parse makes.
    plainJson: parsed !== undefined && value === parsed.value,
  });
  const typed = kind.check(value, '', ctx);
  const issues = ctx.issues;
  if (typed !== undefined && !kind.schema(schemaView(typed))) issues.push(...schemaIssues(kind.schema.errors, issues));
  // Go decodes every occurrence of a repeated field: an earlier one fails the document when its JSON type is
  // wrong or a Go type with its own decoder at or below it refuses it (see go-decoders.ts).
  for (const e of earlier) {
    // Number text of the earlier value: reachable by pointer when its key is spelled differently.
    const under = (p: string): boolean => p === e.path || p.startsWith(e.path + '/');
    const numberText =
      parsed === undefined
        ? undefined
        : (p: string): string | undefined => (!under(p) ? parsed.numberText(p) : e.keyPath === undefined ? undefined : parsed.numberText(e.keyPath + p.slice(e.path.length)));
    for (const i of checkDocument(substitute(value, e.path, e.value), kind, options, undefined, numberText === undefined ? {} : { numberText }).issues) {
      if (!goRejectsEarlier(e.path, i)) continue;
      const where = e.keyOffset ?? e.keyPath ?? e.path;
      if (issues.some((a) => a.code === i.code && a.path === i.path && EARLIER_KEY.get(a) === where)) continue;
      const found: Issue = {
        ...i,
        path: e.keyPath === undefined ? i.path : e.keyPath + i.path.slice(e.path.length),
        message: `${i.message} (in an earlier value of a repeated key; Go decodes every occurrence)`,
      };
      EARLIER_KEY.set(found, where);
      issues.push(found);
    }
  }
  return { typed, issues };
}

/** Where the earlier occurrence behind an issue was written: its key's offset or pointer. */
const EARLIER_KEY = new WeakMap<Issue, number | string>();

/** The value the JSON Schema sees: a uint64 held as bigint (a dependency size) becomes a plain number. */
function schemaView<T>(typed: T): unknown {
  const deps = (typed as { dependencies?: readonly { size?: unknown }[] }).dependencies;
  if (deps === undefined || !deps.some((d) => typeof d.size === 'bigint')) return typed;
  return { ...typed, dependencies: deps.map((d) => (typeof d.size === 'bigint' ? { ...d, size: Number(d.size) } : d)) };
}

/** An issue found in an earlier occurrence of a key gets that key's line and column. */
function placeEarlier(issue: Issue, parsed: ParsedJson): Issue {
  const key = EARLIER_KEY.get(issue);
  if (key === undefined) return issue;
  const offset = typeof key === 'number' ? key : (parsed.keyOffset(key) ?? parsed.valueOffset(key));
  return offset === undefined ? issue : extend(issue, lineColumn(parsed.text, offset));
}

/** The whole pipeline for one document kind. */
export function runDocument<T>(input: string | Uint8Array, kind: DocumentKind<T>, options: ParseManifestOptions = {}, preParsed?: { parsed?: ParsedJson; issues: Issue[] }): Result<T> {
  const { parsed, issues } = preParsed ?? parseDocument(input, options);
  if (parsed === undefined) return finish<T>(undefined, issues, undefined, options, kind.lastDitch);
  let value = parsed.value;
  if (options.base !== undefined && typeof value === 'object' && value !== null && !Array.isArray(value)) value = { ...options.base, ...value };
  const { typed, issues: found } = checkDocument(value, kind, options, parsed);
  const all = [...issues, ...withPositions(found.some((i) => EARLIER_KEY.has(i)) ? found.map((i) => placeEarlier(i, parsed)) : found, parsed)];
  for (const dup of parsed.duplicates) {
    const { line, column } = lineColumn(parsed.text, dup.keyOffset);
    all.push({ code: 'JSON_DUPLICATE_KEY', severity: JSON_CODES.JSON_DUPLICATE_KEY.severity, path: dup.path, message: `key repeated; this earlier value is overridden by a later one`, line, column });
  }
  return finish(typed, all, value, options, kind.lastDitch);
}
