/** Maps issue pointers back to places in the source text (line and column), following Go's case-insensitive keys. */
import { pointer, splitPointer } from '../../issues/json-pointer.js';
import type { Issue } from '../../issues/issue.js';
import { extend } from '../../internal/extend.js';
import { goFieldKey } from './fields.js';
import type { ParsedJson } from '../json/parse-json.js';
import type { LineColumnOf } from '../json/line-index.js';
import { lineColumnOf } from '../json/line-index.js';

/**
 * The tokens of the document pointer that `path` (possibly canonical-cased) refers to, down to the deepest
 * value that exists along it; undefined when `path` is not a pointer. Array indices are written as
 * `childPointer` writes them (`String(index)`), keys as the document spells them.
 */
function documentTokens(value: unknown, path: string): string[] | undefined {
  let tokens: string[];
  try {
    tokens = splitPointer(path);
  } catch {
    return undefined;
  }
  let node: unknown = value;
  let n = 0;
  for (; n < tokens.length; n++) {
    const token = tokens[n]!;
    if (Array.isArray(node)) {
      const index = Number(token);
      if (!Number.isInteger(index) || index < 0 || index >= node.length) break;
      node = node[index];
      tokens[n] = String(index);
    } else if (typeof node === 'object' && node !== null) {
      const obj = node as Record<string, unknown>;
      const key = goFieldKey(obj, token);
      if (key === undefined) break;
      node = obj[key];
      tokens[n] = key;
    } else break;
  }
  tokens.length = n;
  return tokens;
}

/** The offset of the value at a document pointer given as tokens. */
function offsetOfTokens(parsed: ParsedJson, tokens: readonly string[]): number | undefined {
  return parsed.valueOffsetOfTokens !== undefined ? parsed.valueOffsetOfTokens(tokens) : parsed.valueOffset(pointer(...tokens));
}

/**
 * Finds the document pointer that a (possibly canonical-cased) pointer refers to, and the offset of
 * the deepest value that exists along it (a missing field points at its parent object).
 */
export function locate(parsed: ParsedJson, path: string): { readonly path: string; readonly offset: number | undefined } {
  const tokens = documentTokens(parsed.value, path);
  if (tokens === undefined) return { path, offset: parsed.valueOffset('') };
  const docPath = pointer(...tokens);
  return { path: docPath, offset: parsed.valueOffset(docPath) };
}

/** Adds line and column to each issue from the parsed text. */
export function withPositions(issues: readonly Issue[], parsed: ParsedJson): Issue[] {
  // Found once per document and only when an issue needs one.
  let lineColumn: LineColumnOf | undefined;
  const out: Issue[] = new Array<Issue>(issues.length);
  for (let k = 0; k < issues.length; k++) {
    const issue = issues[k]!;
    out[k] = issue;
    if (issue.line !== undefined) continue;
    const tokens = documentTokens(parsed.value, issue.path);
    const offset = tokens === undefined ? parsed.valueOffset('') : offsetOfTokens(parsed, tokens);
    if (offset === undefined) continue;
    lineColumn ??= lineColumnOf(parsed.text);
    const { line, column } = lineColumn(offset);
    out[k] = extend(issue, { line, column });
  }
  return out;
}
