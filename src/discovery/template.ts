/** Rendering `ac-discovery` URL templates into ACI and signature URLs (spec/discovery.md#discovery-templates; checklist D-TP-1..5). */
import type { DiscoveryApp } from './app-string.js';

/** Where to download one image and its detached signature. */
export interface ACIEndpoint {
  /** The image URL (`{ext}` rendered as `aci`). */
  readonly aci: string;
  /** The signature URL (`{ext}` rendered as `aci.asc`). */
  readonly asc: string;
}

/** The outcome of rendering one template for one app. */
export type EndpointRender =
  | {
      readonly ok: true;
      readonly endpoint: ACIEndpoint;
      /** False when the template has no `{ext}`, so both URLs are the same (D-TP-3). */
      readonly hasExt: boolean;
    }
  | {
      readonly ok: false;
      /** The `{...}` expressions left after rendering, as written (`{os}`). */
      readonly unfilled: readonly string[];
      /** Variables the template needs that the app does not have, without braces (`os`). */
      readonly missing: readonly string[];
      /** Labels whose value itself contains `{...}`, which also makes the template unusable (D-TP-2). */
      readonly bracedLabels: readonly string[];
    };

const EXPRESSION = /\{([^{}]*)\}/g;
// Go's test for "something is left to fill": any `{`, then the shortest run of characters, then `}`.
const UNFILLED = /\{.*?\}/g;

/**
 * The variables of a template for an app: `name` and every label, except a label called `name`,
 * which can never override the image name (D-TP-1).
 */
export function templateVariables(app: DiscoveryApp): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(app.labels)) vars[k] = v;
  vars['name'] = app.name;
  return vars;
}

/**
 * Replaces each `{var}` whose variable is known with its value, literally: no URL escaping, as in the Go
 * reference and the spec's `sed` example (D-TP-1). Unknown expressions stay as written. Values are not
 * scanned again, so a value holding `{os}` is never itself expanded.
 */
export function renderTemplate(template: string, variables: Readonly<Record<string, string>>): string {
  return template.replace(EXPRESSION, (whole, key: string) => (Object.hasOwn(variables, key) ? variables[key]! : whole));
}

/** The `{...}` expressions in a text, in order (Go's `{.*?}`). */
export function unfilledExpressions(text: string): string[] {
  return text.match(UNFILLED) ?? [];
}

/**
 * Renders an `ac-discovery` template for an app: `{name}` and every label, then `{ext}` as `aci` and
 * `aci.asc`. When anything in braces is left, the template is not usable for this app and the result says
 * what is missing (this is how a template "requires" labels such as `{os}` and `{arch}`: D-TP-2).
 *
 * @example
 * renderEndpoint('https://s.example.com/{name}-{version}.{ext}', { name: 'example.com/app', labels: { version: '1.0' } })
 * // { ok: true, endpoint: { aci: 'https://s.example.com/example.com/app-1.0.aci', asc: '...-1.0.aci.asc' }, hasExt: true }
 */
export function renderEndpoint(template: string, app: DiscoveryApp): EndpointRender {
  const vars = templateVariables(app);
  const aci = renderTemplate(template, { ...vars, ext: 'aci' });
  const asc = renderTemplate(template, { ...vars, ext: 'aci.asc' });
  const unfilled = [...new Set([...unfilledExpressions(aci), ...unfilledExpressions(asc)])];
  if (unfilled.length === 0) return { ok: true, endpoint: { aci, asc }, hasExt: aci !== asc };
  const known = new Set(Object.keys(vars)).add('ext');
  const missing = [...new Set([...template.matchAll(EXPRESSION)].map((m) => m[1]!).filter((k) => !known.has(k)))];
  const bracedLabels = Object.entries(app.labels)
    .filter(([k, v]) => k !== 'name' && UNFILLED_ONE.test(v) && template.includes(`{${k}}`))
    .map(([k]) => k);
  return { ok: false, unfilled, missing, bracedLabels };
}

const UNFILLED_ONE = /\{.*?\}/;
