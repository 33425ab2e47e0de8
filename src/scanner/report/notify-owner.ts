/** What the owner's webhook receives for one revoked credential. */
export interface LeakNotice {
  event: 'tessera.leak.revoked';
  identity: string;
  owner: string | undefined;
  detector: string;
  path: string;
  fingerprint: string;
  revocationId: string;
  detectedAt: string;
  revokedAt: string;
}

export interface NotifyDeps {
  url: string;
  timeoutMs: number;
  logger: { warn(obj: object, msg: string): void };
}

/** The webhook gets this long to answer; the revocation is already in force either way. */
export const WEBHOOK_TIMEOUT_MS = 3000;

/**
 * POSTs one notice to the leak webhook. Never throws: a slow or broken receiver is logged and
 * reported as false, because the revocation it describes has already been committed.
 */
export async function notifyOwner(deps: NotifyDeps, notice: LeakNotice): Promise<boolean> {
  try {
    const res = await fetch(deps.url, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(notice),
      signal: AbortSignal.timeout(deps.timeoutMs), redirect: 'error',
    });
    await res.body?.cancel();
    if (res.ok) return true;
    deps.logger.warn({ status: res.status, revocationId: notice.revocationId }, 'leak webhook refused the notice');
    return false;
  } catch (e) {
    deps.logger.warn({ err: (e as Error).message, revocationId: notice.revocationId }, 'leak webhook unreachable');
    return false;
  }
}
