/** Resource isolators: cpu, memory, block and network bandwidth, block IOPS (spec/ace.md#resource-isolators; checklist T-IS rows, T-IS-7). */
import type { CodeTable } from '../../../issues/codes.js';
import type { CheckContext } from '../../internal/check.js';
import { reporter } from '../../internal/check.js';
import { fieldPointer, readFields } from '../../internal/fields.js';
import { checkBoolean, checkObject } from '../../internal/json-types.js';
import type { Quantity } from '../quantity.js';
import { checkQuantity, compareQuantities, formatQuantity } from '../quantity.js';
import type { IsolatorKind } from './kind.js';

/** Field names of the object (one module constant, so the field table is built once). */
const KEYS_DEFAULT_REQUEST_LIMIT = ['default', 'request', 'limit'] as const;

/** Codes reported for resource isolator values. */
export const RESOURCE_ISOLATOR_CODES = {
  RESOURCE_DEFAULT_NOT_FALSE: { severity: 'error', summary: 'resource/cpu or resource/memory has "default": true; it must be false or absent.', spec: 'T-IS resource/cpu' },
  RESOURCE_DEFAULT_NOT_TRUE: { severity: 'error', summary: 'A bandwidth or IOPS resource isolator lacks "default": true, which it requires.', spec: 'T-IS resource/block-bandwidth' },
  RESOURCE_REQUEST_NOT_SUPPORTED: { severity: 'error', summary: 'A bandwidth or IOPS resource isolator has a "request"; only "limit" is supported.', spec: 'T-IS resource/block-bandwidth' },
  RESOURCE_NEGATIVE_QUANTITY: { severity: 'error', summary: 'A resource request or limit is negative (Go accepts it; amounts of a resource cannot be negative).', spec: 'T-IS-7' },
  RESOURCE_REQUEST_ABOVE_LIMIT: { severity: 'warning', summary: 'A resource request is larger than its limit (the request is the guaranteed minimum, the limit the maximum).', spec: 'T-IS-7' },
} as const satisfies CodeTable;

const report = reporter(RESOURCE_ISOLATOR_CODES);

/** The names of the resource isolators. */
export const RESOURCE_CPU = 'resource/cpu';
/** `resource/memory` */
export const RESOURCE_MEMORY = 'resource/memory';
/** `resource/block-bandwidth` */
export const RESOURCE_BLOCK_BANDWIDTH = 'resource/block-bandwidth';
/** `resource/block-iops` */
export const RESOURCE_BLOCK_IOPS = 'resource/block-iops';
/** `resource/network-bandwidth` */
export const RESOURCE_NETWORK_BANDWIDTH = 'resource/network-bandwidth';

/** The typed value of a resource isolator. A missing request or limit is absent (not zero). */
export interface ResourceValue {
  readonly default: boolean;
  readonly request?: Quantity;
  readonly limit?: Quantity;
}

function reportNegative(q: Quantity | undefined, key: 'request' | 'limit', obj: Readonly<Record<string, unknown>>, path: string, ctx: CheckContext): void {
  if (q !== undefined && q.unscaled < 0n) {
    report(ctx, 'RESOURCE_NEGATIVE_QUANTITY', fieldPointer(obj, key, path), `${key} ${formatQuantity(q)} is negative`, { value: formatQuantity(q) });
  }
}

/** Whether an error was reported after the first `before` issues (no copy of the list: this runs for every resource isolator). */
function hasErrorSince(ctx: CheckContext, before: number): boolean {
  for (let n = before; n < ctx.issues.length; n++) if (ctx.issues[n]!.severity === 'error') return true;
  return false;
}

/** Reads `{default?, request?, limit?}`; `defaultRequired` says which `default` the isolator needs. */
function checkResource(defaultRequired: boolean) {
  return (value: unknown, path: string, ctx: CheckContext): ResourceValue | undefined => {
    const obj = checkObject(value, path, ctx);
    if (obj === undefined) return undefined;
    const f = readFields(obj, KEYS_DEFAULT_REQUEST_LIMIT, path, ctx);
    const before = ctx.issues.length;
    // A boolean or nothing needs no pointer: checkBoolean reports only other types.
    const def = (typeof f.default === 'boolean' ? f.default : checkBoolean(f.default, fieldPointer(obj, 'default', path), ctx)) ?? false;
    // A null request or limit is absent, as for Go's pointer fields.
    const request = f.request === null || f.request === undefined ? undefined : checkQuantity(f.request, fieldPointer(obj, 'request', path), ctx);
    const limit = f.limit === null || f.limit === undefined ? undefined : checkQuantity(f.limit, fieldPointer(obj, 'limit', path), ctx);
    if (defaultRequired) {
      if (!def) report(ctx, 'RESOURCE_DEFAULT_NOT_TRUE', fieldPointer(obj, 'default', path), '"default" must be true for this isolator');
      if (f.request !== null && f.request !== undefined) {
        report(ctx, 'RESOURCE_REQUEST_NOT_SUPPORTED', fieldPointer(obj, 'request', path), 'request not supported by this resource, must be empty (give only "limit")');
      }
    } else if (def) {
      report(ctx, 'RESOURCE_DEFAULT_NOT_FALSE', fieldPointer(obj, 'default', path), '"default" must be false or absent for this isolator');
    }
    reportNegative(request, 'request', obj, path, ctx);
    reportNegative(limit, 'limit', obj, path, ctx);
    if (request !== undefined && limit !== undefined && compareQuantities(request, limit) > 0) {
      report(ctx, 'RESOURCE_REQUEST_ABOVE_LIMIT', path, `request ${formatQuantity(request)} is larger than limit ${formatQuantity(limit)}`);
    }
    if (hasErrorSince(ctx, before)) return undefined;
    const out: { default: boolean; request?: Quantity; limit?: Quantity } = { default: def };
    if (request !== undefined) out.request = request;
    if (limit !== undefined) out.limit = limit;
    return out;
  };
}

function kind(name: string, defaultRequired: boolean): IsolatorKind<ResourceValue> {
  return { name, check: checkResource(defaultRequired), multipleAllowed: true, conflicts: [], scope: ['app', 'pod'], onePerPod: false };
}

/** Registry entries of the resource isolators. */
export const RESOURCE_ISOLATOR_KINDS: readonly IsolatorKind<ResourceValue>[] = [
  kind(RESOURCE_CPU, false),
  kind(RESOURCE_MEMORY, false),
  kind(RESOURCE_BLOCK_BANDWIDTH, true),
  kind(RESOURCE_BLOCK_IOPS, true),
  kind(RESOURCE_NETWORK_BANDWIDTH, true),
];

/** True for the resource isolators whose `default` must be true (bandwidth and IOPS). */
export function resourceNeedsDefault(name: string): boolean {
  return name === RESOURCE_BLOCK_BANDWIDTH || name === RESOURCE_BLOCK_IOPS || name === RESOURCE_NETWORK_BANDWIDTH;
}
