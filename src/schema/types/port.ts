/** Port (image app ports) and ExposedPort (pod ports), with the `NAME,port=N,...` string form (spec/aci.md app.ports, spec/pods.md ports; checklist T-PT-1..6). */
import type { CodeTable } from '../../issues/codes.js';
import type { Result } from '../../issues/issue.js';
import { issuesOnly, toResult } from '../../issues/issue.js';
import { childPointer } from '../../issues/json-pointer.js';
import type { CheckContext, SchemaValidateOptions } from '../internal/check.js';
import { createContext, quote, reporter, runChecker } from '../internal/check.js';
import { fieldPointer, readFields } from '../internal/fields.js';
import { readFlagParams } from '../internal/flag-query.js';
import { GO_BOOL_LITERALS, parseGoBool, parseGoUint } from '../internal/go-text.js';
import { ipKind } from '../internal/ip.js';
import { checkArray, checkBooleanField, checkInteger, checkObject, checkStringField, reportWrongType } from '../internal/json-types.js';
import type { ACName } from './ac-name.js';
import { checkACName } from './ac-name.js';
import { mapList } from '../internal/map-list.js';

/** Field names of the object (one module constant, so the field table is built once). */
const KEYS_NAME_PROTOCOL_PORT_COUNT_SOCKETACTIVATED = ['name', 'protocol', 'port', 'count', 'socketActivated'] as const;
/** Field names of the object (one module constant, so the field table is built once). */
const KEYS_NAME_HOSTPORT_HOSTIP_PODPORT = ['name', 'hostPort', 'hostIP', 'podPort'] as const;

/**
 * A port an app listens on: `port` alone, or the range `port` .. `port + count - 1`. After reading
 * JSON, `count` is at least 1 (0 or missing means 1). A missing name reads as `""`.
 */
export interface Port {
  readonly name: ACName;
  /** Usually `tcp` or `udp`; any text is allowed. */
  readonly protocol: string;
  readonly port: number;
  readonly count: number;
  /** The app expects socket activation on these ports. */
  readonly socketActivated: boolean;
}

/** A port of a pod exposed on the host (pod manifest `ports`). */
export interface ExposedPort {
  /** The app port (or podPort) this refers to. */
  readonly name: ACName;
  readonly hostPort: number;
  /** The host address to forward from (all addresses when absent). */
  readonly hostIP?: string;
  /** Overrides the image's port of the same name. */
  readonly podPort?: Port;
}

/** Codes reported for ports. */
export const PORT_CODES = {
  PORT_OUT_OF_RANGE: { severity: 'error', summary: 'A port number is outside 1..65535.', spec: 'T-PT-2' },
  PORT_RANGE_END_OUT_OF_RANGE: { severity: 'error', summary: 'A port range (port + count - 1) ends beyond 65535.', spec: 'T-PT-2' },
  PORT_COUNT_ZERO: { severity: 'warning', summary: 'A port has "count": 0; the spec requires count >= 1, Go reads 0 as 1.', spec: 'T-PT-2' },
  PORT_NAME_MISSING: { severity: 'warning', summary: 'A port has no name; the spec requires one, Go accepts it.', spec: 'T-PT-3' },
  PORT_PROTOCOL_MISSING: { severity: 'warning', summary: 'A port has no protocol or an empty one; the spec requires one, Go accepts it.', spec: 'T-PT-3' },
  PORT_DUPLICATE_NAME: { severity: 'warning', summary: 'Two ports share a name (Go accepts it; names must refer to one port).', spec: 'T-PT-3' },
  PORT_FLAG_INVALID: {
    severity: 'error',
    summary: 'A port string (patch-manifest --ports) is malformed: unknown or repeated key, a number that is not an unsigned 16-bit integer, or a bad boolean.',
    spec: 'T-PT-5',
  },
  EXPOSEDPORT_HOSTPORT_OUT_OF_RANGE: { severity: 'error', summary: 'A hostPort is outside 0..65535 (Go does not check it).', spec: 'T-PT-6 §8.11' },
  EXPOSEDPORT_HOSTPORT_MISSING: { severity: 'warning', summary: 'An exposed port has no hostPort; the spec requires one, Go reads 0.', spec: 'T-PT-6' },
  EXPOSEDPORT_NAME_MISSING: { severity: 'warning', summary: 'An exposed port has no name; the spec requires one, Go accepts it.', spec: 'T-PT-6' },
  EXPOSEDPORT_INVALID_IP: { severity: 'error', summary: 'A hostIP is not an IP address.', spec: 'T-PT-6' },
  EXPOSEDPORT_IPV6: { severity: 'warning', summary: 'A hostIP is an IPv6 address; the spec asks for a dotted-quad IPv4 address, Go accepts both.', spec: 'T-PT-6 §8.11' },
  EXPOSEDPORT_HOSTIP_EMPTY: { severity: 'warning', summary: 'A hostIP is the empty string; Go reads it as no address, the spec asks for an IPv4 address.', spec: 'T-PT-6' },
} as const satisfies CodeTable;

const report = reporter(PORT_CODES);

/** The Go range rules of a port (T-PT-2); `count` is checked as given, before 0 becomes 1. */
function checkRange(port: number, count: number, path: string, portPath: string, ctx: CheckContext): boolean {
  if (port < 1 || port > 65535) {
    report(ctx, 'PORT_OUT_OF_RANGE', portPath, `port must be in 1-65535 range, got ${port}`, { value: port });
    return false;
  }
  if (port + count > 65536) {
    report(ctx, 'PORT_RANGE_END_OUT_OF_RANGE', path, `end of port range must be in 1-65535 range: ${port} + ${count} - 1 = ${port + count - 1}`, { port, count });
    return false;
  }
  return true;
}

/** Checks one port object (T-PT-1..3): range checks first, then a count of 0 (or none) becomes 1. */
export function checkPort(value: unknown, path: string, ctx: CheckContext): Port | undefined {
  // Go decodes a null port as a zero port, which then fails the range check.
  const obj = value === null ? {} : checkObject(value, path, ctx);
  if (obj === undefined) return undefined;
  const f = readFields(obj, KEYS_NAME_PROTOCOL_PORT_COUNT_SOCKETACTIVATED, path, ctx, undefined, ['protocol', 'port', 'count', 'socketActivated']);
  let name: ACName | undefined = '' as ACName;
  if (f.name === undefined) report(ctx, 'PORT_NAME_MISSING', path, 'port has no "name"');
  else name = checkACName(f.name, fieldPointer(obj, 'name', path), ctx);
  const protocol = checkStringField(f.protocol, obj, 'protocol', path, ctx, '');
  if (protocol === '') report(ctx, 'PORT_PROTOCOL_MISSING', f.protocol === undefined ? path : fieldPointer(obj, 'protocol', path), 'port has no "protocol" (such as "tcp" or "udp")');
  const portPath = f.port === undefined ? path : fieldPointer(obj, 'port', path);
  const countPath = fieldPointer(obj, 'count', path);
  // A negative port is reported by the range rule (PORT_OUT_OF_RANGE), like any other bad port number.
  const port = checkInteger(f.port, portPath, ctx, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true);
  const count = checkInteger(f.count, countPath, ctx, 0, Number.MAX_SAFE_INTEGER, true);
  const socketActivated = checkBooleanField(f.socketActivated, obj, 'socketActivated', path, ctx);
  const portOk = (port !== undefined || f.port === undefined || f.port === null) && (count !== undefined || f.count === undefined || f.count === null);
  const inRange = portOk && checkRange(port ?? 0, count ?? 0, path, portPath, ctx);
  if (count === 0) report(ctx, 'PORT_COUNT_ZERO', countPath, 'count 0 is read as 1; write 1 or leave count out');
  const boolOk = socketActivated !== undefined || f.socketActivated === undefined || f.socketActivated === null;
  if (!inRange || name === undefined || protocol === undefined || !boolOk) return undefined;
  return { name, protocol, port: port ?? 0, count: count || 1, socketActivated: socketActivated ?? false };
}

/** Validates one decoded port. */
export function validatePort(value: unknown, options?: SchemaValidateOptions): Result<Port> {
  return runChecker(checkPort, value, options);
}

/** Reports ports that repeat a name (a warning; Go accepts it). `path` is the list's pointer. */
export function reportDuplicatePorts(ports: readonly ({ readonly name: string } | undefined)[], path: string, ctx: CheckContext): void {
  const seen = new Map<string, number>();
  ports.forEach((p, i) => {
    if (p === undefined || p.name === '') return;
    const first = seen.get(p.name);
    if (first === undefined) seen.set(p.name, i);
    else report(ctx, 'PORT_DUPLICATE_NAME', childPointer(path, i, 'name'), `port name ${quote(p.name)} is already used by item ${first}`, { name: p.name, first });
  });
}

/** Checks `app.ports`: every item, then repeated names. Null or missing is an empty list. */
export function checkPorts(value: unknown, path: string, ctx: CheckContext): Port[] | undefined {
  if (value === null || value === undefined) return [];
  const arr = checkArray(value, path, ctx);
  if (arr === undefined) return undefined;
  const items = mapList(arr, (item, i) => checkPort(item, childPointer(path, i), ctx));
  reportDuplicatePorts(items, path, ctx);
  return items.every((p) => p !== undefined) ? (items as Port[]) : undefined;
}

/** Validates a decoded port list. */
export function validatePorts(value: unknown, options?: SchemaValidateOptions): Result<Port[]> {
  return runChecker(checkPorts, value, options);
}

/**
 * Checks one exposed port of a pod (T-PT-6): hostPort within 0..65535 (an error here, Go does not
 * check), hostIP an IP address (IPv6 is a warning: the spec says IPv4), podPort a valid Port.
 */
export function checkExposedPort(value: unknown, path: string, ctx: CheckContext): ExposedPort | undefined {
  const obj = value === null ? {} : checkObject(value, path, ctx);
  if (obj === undefined) return undefined;
  const f = readFields(obj, KEYS_NAME_HOSTPORT_HOSTIP_PODPORT, path, ctx, undefined, ['hostPort']);
  let name: ACName | undefined = '' as ACName;
  if (f.name === undefined) report(ctx, 'EXPOSEDPORT_NAME_MISSING', path, 'exposed port has no "name"');
  else name = checkACName(f.name, fieldPointer(obj, 'name', path), ctx);
  const hpPath = fieldPointer(obj, 'hostPort', path);
  let hostPort = checkInteger(f.hostPort, hpPath, ctx, 0, Number.MAX_SAFE_INTEGER, true);
  let ok = name !== undefined;
  if (f.hostPort === undefined || f.hostPort === null) {
    report(ctx, 'EXPOSEDPORT_HOSTPORT_MISSING', path, 'exposed port has no "hostPort"');
    hostPort = 0;
  } else if (hostPort === undefined) {
    ok = false;
  } else if (hostPort > 65535) {
    report(ctx, 'EXPOSEDPORT_HOSTPORT_OUT_OF_RANGE', hpPath, `hostPort must be in 0-65535 range, got ${hostPort}`, { value: hostPort });
    ok = false;
  }
  let hostIP: string | undefined;
  if (f.hostIP !== undefined && f.hostIP !== null) {
    const ipPath = fieldPointer(obj, 'hostIP', path);
    if (typeof f.hostIP !== 'string') {
      reportWrongType(ctx, ipPath, 'an IP address string', f.hostIP);
      ok = false;
    } else if (f.hostIP === '') {
      // Go reads "" as no address; the spec's hostIP is an address when present.
      report(ctx, 'EXPOSEDPORT_HOSTIP_EMPTY', ipPath, 'hostIP is empty; leave it out or give an IPv4 address');
    } else {
      const kind = ipKind(f.hostIP);
      if (kind === undefined) {
        report(ctx, 'EXPOSEDPORT_INVALID_IP', ipPath, `invalid IP address: ${quote(f.hostIP)} (expected dotted-quad IPv4 such as "203.0.113.23")`, { value: f.hostIP });
        ok = false;
      } else {
        if (kind === 'ipv6') report(ctx, 'EXPOSEDPORT_IPV6', ipPath, `hostIP ${quote(f.hostIP)} is IPv6; the spec expects a dotted-quad IPv4 address`, { value: f.hostIP });
        hostIP = f.hostIP;
      }
    }
  }
  let podPort: Port | undefined;
  if (f.podPort !== undefined && f.podPort !== null) {
    podPort = checkPort(f.podPort, fieldPointer(obj, 'podPort', path), ctx);
    if (podPort === undefined) ok = false;
  }
  if (!ok || name === undefined || hostPort === undefined) return undefined;
  const out: { name: ACName; hostPort: number; hostIP?: string; podPort?: Port } = { name, hostPort };
  if (hostIP !== undefined) out.hostIP = hostIP;
  if (podPort !== undefined) out.podPort = podPort;
  return out;
}

/** Validates one decoded exposed port. */
export function validateExposedPort(value: unknown, options?: SchemaValidateOptions): Result<ExposedPort> {
  return runChecker(checkExposedPort, value, options);
}

/**
 * Parses the string form `NAME,protocol=P,port=N[,count=N][,socketActivated=B]` of
 * `patch-manifest --ports` (T-PT-5), as Go's PortFromString: port and count are unsigned 16-bit
 * decimals, count 0 stays 0, then the range rules apply.
 *
 * @example parsePortFlag('query,protocol=tcp,port=8080,count=1,socketActivated=true')
 */
export function parsePortFlag(text: string, options?: SchemaValidateOptions): Result<Port> {
  const ctx = createContext(options);
  const fail = (message: string, params?: Record<string, string>): Result<Port> => {
    report(ctx, 'PORT_FLAG_INVALID', '', message, params);
    return issuesOnly<Port>(ctx.issues, options);
  };
  const r = readFlagParams(text);
  if (!r.ok) return fail(`cannot parse port ${quote(text)}: ${r.message}`);
  let name: ACName | undefined;
  let protocol = '';
  let port = 0;
  let count = 0;
  let socketActivated = false;
  for (const [key, v] of r.params) {
    if (key === 'name') {
      name = checkACName(v, '', ctx);
      if (name === undefined) return issuesOnly<Port>(ctx.issues, options);
    } else if (key === 'protocol') {
      protocol = v;
    } else if (key === 'port' || key === 'count') {
      const n = parseGoUint(v, 16);
      if (n === undefined) return fail(`${key} ${quote(v)} is not an unsigned 16-bit integer (0-65535)`, { key, value: v });
      if (key === 'port') port = n;
      else count = n;
    } else if (key === 'socketActivated') {
      const b = parseGoBool(v);
      if (b === undefined) return fail(`socketActivated ${quote(v)} is not a boolean (one of ${GO_BOOL_LITERALS})`, { value: v });
      socketActivated = b;
    } else {
      return fail(`unknown port parameter ${quote(key)} (expected name, protocol, port, count, socketActivated)`, { key });
    }
  }
  if (!checkRange(port, count, '', '', ctx) || name === undefined) return issuesOnly<Port>(ctx.issues, options);
  return toResult({ name, protocol, port, count, socketActivated }, ctx.issues, options);
}
