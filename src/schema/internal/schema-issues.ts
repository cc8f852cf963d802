/** Maps ajv errors from the precompiled schemas to our issues; no raw ajv text reaches a user. */
import type { Issue } from '../../issues/issue.js';

/** The subset of an ajv error we read. */
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly schemaPath: string;
}

function describe(e: SchemaError): { path: string; message: string } {
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return { path: `${e.instancePath}/${String(p['missingProperty'])}`, message: `"${String(p['missingProperty'])}" is required by the spec schema` };
    case 'type':
      return { path: e.instancePath, message: `the spec schema expects type ${String(p['type'])}` };
    case 'pattern':
      return { path: e.instancePath, message: `does not match the spec pattern ${String(p['pattern'])}` };
    case 'minimum':
    case 'maximum':
      return { path: e.instancePath, message: `must be ${e.keyword === 'minimum' ? '>=' : '<='} ${String(p['limit'])} by the spec schema` };
    case 'const':
      return { path: e.instancePath, message: `must be ${JSON.stringify(p['allowedValue'])} by the spec schema` };
    case 'enum':
      return { path: e.instancePath, message: `must be one of ${JSON.stringify(p['allowedValues'])} by the spec schema` };
    case 'minItems':
      return { path: e.instancePath, message: `must have at least ${String(p['limit'])} item(s) by the spec schema` };
    case 'not':
      return { path: e.instancePath, message: 'holds a combination the spec schema forbids' };
    default:
      return { path: e.instancePath, message: `violates the spec schema (${e.keyword})` };
  }
}

// Keywords that only say "a sub-schema failed"; the sub-schema's own error carries the detail.
const AGGREGATE = new Set(['if', 'oneOf', 'anyOf', 'allOf']);

/** True when a and b are the same pointer or one contains the other (ignoring case). */
function related(a: string, b: string): boolean {
  // Issues point at keys as written, the schema at canonical ones; Go matches keys ignoring case.
  a = a.toLowerCase();
  b = b.toLowerCase();
  return a === b || (b !== '' && a.startsWith(b + '/')) || (a !== '' && b.startsWith(a + '/'));
}

/**
 * Turns schema errors into MANIFEST_SCHEMA warnings, leaving out those that the Go-compatible
 * checks already reported at the same place (or inside/around it).
 */
export function schemaIssues(errors: readonly SchemaError[] | null | undefined, already: readonly Issue[]): Issue[] {
  const out: Issue[] = [];
  for (const e of errors ?? []) {
    if (AGGREGATE.has(e.keyword)) continue;
    const { path, message } = describe(e);
    if (already.some((i) => related(i.path, path)) || out.some((i) => i.path === path)) continue;
    out.push({ code: 'MANIFEST_SCHEMA', severity: 'warning', path, message, params: { keyword: e.keyword } });
  }
  return out;
}
