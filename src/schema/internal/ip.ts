/** IP address text as Go's net.ParseIP reads it, without node:net (portable core). */

/** Dotted-quad IPv4: four decimal parts 0..255, no leading zeros (Go >= 1.17). */
export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

/**
 * IPv6 text: up to eight groups of 1-4 hex digits, at most one `::` standing for at least one zero
 * group, optionally ending in a dotted-quad IPv4 address; no zone (`%eth0`).
 */
export function isIPv6(text: string): boolean {
  if (!text.includes(':')) return false;
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (half: string): string[] | undefined => (half === '' ? [] : half.split(':'));
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (head === undefined || tail === undefined) return false;
  const all = [...head, ...tail];
  let units = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i]!;
    if (i === all.length - 1 && g.includes('.')) {
      if (!isIPv4(g)) return false;
      units += 2;
    } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) {
      units += 1;
    } else {
      return false;
    }
  }
  return halves.length === 2 ? units <= 7 : units === 8;
}

/** Which kind of IP address `text` is, or undefined when Go's net.ParseIP would reject it. */
export function ipKind(text: string): 'ipv4' | 'ipv6' | undefined {
  if (isIPv4(text)) return 'ipv4';
  if (isIPv6(text)) return 'ipv6';
  return undefined;
}
