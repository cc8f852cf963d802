/** Event handlers: commands run before an app starts and after it stops (spec/aci.md#image-manifest-schema; checklist T-EH-1..2). */
import type { CodeTable } from '../../issues/codes.js';
import type { Result } from '../../issues/issue.js';
import type { CheckContext, SchemaValidateOptions } from '../internal/check.js';
import { quote, reporter, runChecker } from '../internal/check.js';
import { reportWrongType } from '../internal/json-types.js';
import { readObjectList } from '../internal/object-list.js';
import type { Exec } from './exec.js';
import { checkExec } from './exec.js';

/** Field names of the object (one module constant, so the field table is built once). */
const KEYS_NAME_EXEC = ['name', 'exec'] as const;

/** When a handler runs: `pre-start` finishes before the app's exec starts; `post-stop` runs after the app's process is killed. */
export type EventHandlerName = 'pre-start' | 'post-stop';

/** One event handler. `exec` is absent when the JSON leaves it out or has null. */
export interface EventHandler {
  readonly name: EventHandlerName;
  readonly exec?: Exec;
}

/** An app's event handlers, in document order. */
export type EventHandlers = readonly EventHandler[];

/** Codes reported for event handlers. */
export const EVENT_HANDLER_CODES = {
  EVENT_HANDLER_NAME_EMPTY: { severity: 'error', summary: 'An event handler has an empty or missing name.', spec: 'T-EH-1' },
  EVENT_HANDLER_NAME_INVALID: { severity: 'error', summary: 'An event handler name is neither "pre-start" nor "post-stop".', spec: 'spec/aci.md#image-manifest-schema T-EH-1' },
  EVENT_HANDLER_DUPLICATE: { severity: 'error', summary: 'An app has two event handlers with the same name.', spec: 'T-EH-2' },
} as const satisfies CodeTable;

const report = reporter(EVENT_HANDLER_CODES);

/** True when `value` is an event handler name. */
export function isEventHandlerName(value: unknown): value is EventHandlerName {
  return value === 'pre-start' || value === 'post-stop';
}

/**
 * Checks a JSON list of event handlers at `path` (T-EH-1..2): each item an object with `name`
 * `pre-start` or `post-stop` and an optional exec list; at most one handler of each name.
 *
 * @returns the handlers with a valid name (null or a missing list gives `[]`), or undefined when the value is not a list.
 */
export function checkEventHandlers(value: unknown, path: string, ctx: CheckContext): EventHandlers | undefined {
  const items = readObjectList(value, path, ctx, KEYS_NAME_EXEC, ['name']);
  if (items === undefined) return undefined;
  const out: EventHandler[] = [];
  const first = new Map<string, string>();
  for (const item of items) {
    const namePath = item.at('name');
    let name = item.fields.name;
    if (name === null || name === undefined) name = '';
    const exec = checkExec(item.fields.exec, item.at('exec'), ctx);
    if (typeof name !== 'string') {
      reportWrongType(ctx, namePath, 'a string', name);
      continue;
    }
    if (name === '') {
      report(ctx, 'EVENT_HANDLER_NAME_EMPTY', namePath, 'event handler name must be set to "pre-start" or "post-stop"');
      continue;
    }
    if (!isEventHandlerName(name)) {
      report(ctx, 'EVENT_HANDLER_NAME_INVALID', namePath, `bad event handler name ${quote(name)}: expected "pre-start" or "post-stop"`, { name });
      continue;
    }
    const before = first.get(name);
    if (before !== undefined) report(ctx, 'EVENT_HANDLER_DUPLICATE', namePath, `only one "${name}" event handler is allowed (first at ${before})`, { name, first: before });
    else first.set(name, item.path);
    out.push(exec === null || exec === undefined ? { name } : { name, exec });
  }
  return out;
}

/** Validates a decoded JSON list of event handlers. */
export function validateEventHandlers(value: unknown, options?: SchemaValidateOptions): Result<EventHandlers> {
  return runChecker(checkEventHandlers, value, options);
}
