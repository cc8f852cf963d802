/** Reading `ac-discovery` and `ac-discovery-pubkeys` meta tags out of a discovery page (spec/discovery.md; checklist D-MT-1..3). */
import { Parser } from 'htmlparser2';

/** The two tag names discovery acts on. */
export type MetaTagName = 'ac-discovery' | 'ac-discovery-pubkeys';

/** A usable `<meta name="ac-..." content="PREFIX URL">` tag, in document order. */
export interface AcMetaTag {
  /** The `name` attribute: it starts with `ac-` (only the two MetaTagName values are acted on). */
  readonly name: string;
  /** The prefix-match: text before the first space of the content. */
  readonly prefix: string;
  /** The URL template (ac-discovery) or URL (ac-discovery-pubkeys): the rest of the content, trimmed. */
  readonly uri: string;
}

/** An `ac-*` meta tag that had to be ignored, kept so the trace can say why. */
export interface IgnoredMetaTag {
  readonly name: string;
  readonly content: string;
  readonly reason: string;
}

/** What extractMetaTags found. */
export interface MetaTagScan {
  readonly tags: readonly AcMetaTag[];
  readonly ignored: readonly IgnoredMetaTag[];
}

// Elements whose content Go's tokenizer reads as raw text (script, style, textarea and title are raw text
// in htmlparser2 already): a <meta> inside them is not a tag.
const RAW_TEXT = new Set(['iframe', 'noembed', 'noframes', 'noscript', 'xmp']);

/**
 * Finds every `ac-*` meta tag of an HTML page, in document order, wherever it is (head or body), as the Go
 * tokenizer does. The parser is lenient: tag and attribute names ignore case, quotes are optional,
 * entities are decoded, and a `<meta>` inside `<script>`, `<style>`, `<textarea>`, `<title>`, comments or
 * the raw-text elements above is not a tag.
 *
 * The content is trimmed and split at its first space character (not a tab: D-MT-2) into prefix and URI.
 * A tag counts when its name starts with `ac-` (case-sensitive) and both parts are non-empty; other
 * `ac-*` tags are returned in `ignored` with the reason.
 */
export function extractMetaTags(html: string): MetaTagScan {
  const tags: AcMetaTag[] = [];
  const ignored: IgnoredMetaTag[] = [];
  let rawDepth = 0;
  let plaintext = false;
  const parser = new Parser(
    {
      onopentag(tag, attribs) {
        if (plaintext) return;
        if (tag === 'plaintext') plaintext = true;
        else if (RAW_TEXT.has(tag)) rawDepth++;
        else if (tag === 'meta' && rawDepth === 0) collect(attribs, tags, ignored);
      },
      onclosetag(tag, isImplied) {
        if (!isImplied && RAW_TEXT.has(tag) && rawDepth > 0) rawDepth--;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  return { tags, ignored };
}

function collect(attribs: Record<string, string>, tags: AcMetaTag[], ignored: IgnoredMetaTag[]): void {
  const name = Object.hasOwn(attribs, 'name') ? attribs['name']! : '';
  if (!name.startsWith('ac-')) return;
  const content = Object.hasOwn(attribs, 'content') ? attribs['content']! : '';
  const trimmed = content.trim();
  const space = trimmed.indexOf(' ');
  if (trimmed === '') {
    ignored.push({ name, content, reason: 'its content is empty (expected "PREFIX URL")' });
    return;
  }
  if (space < 0) {
    const hint = /\s/.test(trimmed) ? ' (only a space separates them, not a tab or newline)' : '';
    ignored.push({ name, content, reason: `its content has no space between prefix and URL${hint}` });
    return;
  }
  const prefix = trimmed.slice(0, space);
  const uri = trimmed.slice(space + 1).trim();
  if (uri === '') {
    ignored.push({ name, content, reason: 'its URL is empty' });
    return;
  }
  tags.push({ name, prefix, uri });
}

/** How a tag's prefix is compared with the app name. */
export type PrefixMatch = 'segment' | 'text';

/**
 * True when the meta tag `prefix` applies to the app `name`.
 * `'segment'` (the default) compares whole path segments: `example.com/foo` matches `example.com/foo`
 * and `example.com/foo/bar` but not `example.com/foobar`. `'text'` is Go's plain string prefix test,
 * which matches all three (D-MT-3).
 */
export function matchesPrefix(name: string, prefix: string, mode: PrefixMatch = 'segment'): boolean {
  if (!name.startsWith(prefix)) return false;
  if (mode === 'text') return true;
  return name.length === prefix.length || prefix.endsWith('/') || name[prefix.length] === '/';
}
