import { createHash } from 'node:crypto';

/**
 * A finding's identity for baselines: the secret and the file path, never the line, so a
 * baseline survives rebases and code moving within the file.
 */
export function fingerprint(secret: string, path: string): string {
  return createHash('sha256').update(path.replaceAll('\\', '/')).update('\0').update(secret).digest('hex').slice(0, 40);
}
