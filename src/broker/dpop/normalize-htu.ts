/**
 * The comparable form of an http(s) URI for the DPoP `htu` check (RFC 9449 §4.3): scheme and host
 * lower-cased, default port dropped, dot segments resolved, percent-encodings upper-cased and
 * unreserved characters decoded (RFC 3986 §6.2.2–6.2.3); query and fragment removed. Undefined
 * when the text is not an absolute http(s) URI without user information.
 */
export function normalizeHtu(uri: string): string | undefined {
  if (uri.length > 4096) return undefined;
  let u: URL;
  try { u = new URL(uri); } catch { return undefined; }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
  if (u.username !== '' || u.password !== '') return undefined;
  const path = (u.pathname || '/').replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${hex.toUpperCase()}`;
  });
  return `${u.protocol}//${u.host}${path}`;
}
