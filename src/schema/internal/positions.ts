/** Maps issue pointers back to places in the source text (line and column), following Go's case-insensitive keys. */
import { splitPointer } from '../../issues/json-pointer.js';
import { childPointer } from '../../issues/json-pointer.js';
import type { Issue } from '../../issues/issue.js';
import { goFieldKey } from './fields.js';
import type { ParsedJson } from '../json/parse-json.js';
import { lineColumn } from '../json/parse-json.js';

/**
 * Finds the document pointer that a (possibly canonical-cased) pointer refers to, and the offset of
 * the deepest value that exists along it (a missing field points at its parent object).
 */
export function locate(parsed: ParsedJson, path: string): { readonly path: string; readonly offset: number | undefined } {
  let tokens: string[];
  try {
    tokens = splitPointer(path);
  } catch {
    return { path, offset: parsed.valueOffset('') };
  }
  let node: unknown = parsed.value;
  let docPath = '';
  for (const token of tokens) {
    if (Array.isArray(node)) {
      const index = Number(token);
      if (!Number.isInteger(index) || index < 0 || index >= node.length) break;
      node = node[index];
      docPath = childPointer(docPath, index);
    } else if (typeof node === 'object' && node !== null) {
      const obj = node as Record<string, unknown>;
      const key = goFieldKey(obj, token);
      if (key === undefined) break;
      node = obj[key];
      docPath = childPointer(docPath, key);
    } else break;
  }
  return { path: docPath, offset: parsed.valueOffset(docPath) };
}

/** Adds line and column to each issue from the parsed text. */
export function withPositions(issues: readonly Issue[], parsed: ParsedJson): Issue[] {
  return issues.map((issue) => {
    if (issue.line !== undefined) return issue;
    const { offset } = locate(parsed, issue.path);
    if (offset === undefined) return issue;
    const { line, column } = lineColumn(parsed.text, offset);
    return { ...issue, line, column };
  });
}
