/** Content types of the files in a discovery site. */

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  // An ACI is a (compressed) tar; there is no registered type, so clients treat it as bytes.
  '.aci': 'application/octet-stream',
  '.asc': 'application/pgp-signature',
  '.sig': 'application/pgp-signature',
  '.gpg': 'application/pgp-keys',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** The Content-Type for a file name: by its extension, `application/octet-stream` when unknown. */
export function contentTypeFor(file: string): string {
  const dot = file.lastIndexOf('.');
  const slash = file.lastIndexOf('/');
  if (dot <= slash) return 'application/octet-stream';
  return TYPES[file.slice(dot).toLowerCase()] ?? 'application/octet-stream';
}
