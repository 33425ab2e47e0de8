import { auditRefusal } from '../../audit/index.ts';
import { findStaticKey, STATIC_KEY_PREFIX } from '../../identity/static-keys/index.ts';
import type { RevocationDeps } from '../../revocation/index.ts';
import { recordRevocation, type RevocationTarget } from '../../revocation/record-revocation.ts';
import { verifyIssuedJwt } from '../../revocation/verify-issued-jwt.ts';
import type { Revocation } from '../../revocation/types.ts';
import type { RequestContext } from '../../shared/context.ts';
import { checkReport } from './check-report.ts';
import { notifyOwner, type NotifyDeps } from './notify-owner.ts';
import { revocationStep } from './revocation-step.ts';
import type { ReportedFinding, RevocationInstruction, RevokedFinding, ScanReportResult } from './types.ts';

export interface ScanReportDeps extends RevocationDeps {
  /** the leak webhook; absent when config.leakWebhookUrl is unset */
  webhook?: NotifyDeps | undefined;
}

const iso = (t: number) => new Date(t).toISOString();
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const REASON_MAX = 1024;

/** What Tessera can revoke itself: a live credential this server issued, looked up from the secret. */
type Ours =
  | { ours: true; target: RevocationTarget; value: string; kind: RevokedFinding['kind']; identity: string; owner: string | undefined }
  | { ours: false; step?: string };

async function identify(deps: ScanReportDeps, secret: string, now: number): Promise<Ours> {
  if (secret.startsWith(STATIC_KEY_PREFIX)) {
    const found = await findStaticKey(deps.store, secret);
    if (!found.ok) return { ours: false };
    if (found.key.expiresAt <= now) return { ours: false, step: 'This Tessera static key has already expired: remove it from the file and its history.' };
    const spiffeId = found.identity?.spiffeId;
    return {
      ours: true, target: { kind: 'static-key', key: found.key, spiffeId }, value: found.key.id, kind: 'static-key',
      identity: spiffeId ?? found.key.identityId, owner: found.identity?.owner,
    };
  }
  if (!COMPACT_JWS.test(secret)) return { ours: false };
  const v = verifyIssuedJwt(deps, secret);
  if (!v.ok) return v.expired ? { ours: false, step: 'This Tessera token has already expired: remove it from the file and its history.' } : { ours: false };
  const c = v.jwt.claims;
  const identity = c.sub.startsWith('spiffe://') ? await deps.store.identities.getBySpiffeId(c.sub) : undefined;
  return {
    ours: true, target: { kind: 'jti', jti: c.jti, expiresAt: c.exp * 1000, sub: c.sub }, value: c.jti, kind: v.jwt.type,
    identity: c.sub, owner: identity?.owner,
  };
}

/** Audit details name findings by detector, fingerprint and place — never by the secret. */
const described = (f: ReportedFinding) => ({ detector: f.detector, fingerprint: f.fingerprint, path: f.path, line: f.line });

/**
 * Leak response for one scanner report. Every finding whose secret is a live credential this
 * server issued (a `tsk_` key, a JWT-SVID, an access token) is revoked — durably and in force
 * before the answer — with the report's detection time, so that detection → revocation is
 * measured; its owner is then told through the leak webhook, which can fail or be slow without
 * undoing or delaying the revocation. Other findings get the provider's revocation step. The
 * whole report is checked before anything is revoked, and is audited as `scan.report`
 * (`scan.break-glass` when it records a gate bypass).
 */
export async function handleScanReport(deps: ScanReportDeps, ctx: RequestContext, input: unknown): Promise<ScanReportResult> {
  const isBreakGlass = input !== null && typeof input === 'object' && (input as Record<string, unknown>).breakGlass !== undefined;
  const action = isBreakGlass ? 'scan.break-glass' : 'scan.report';
  const { input: report, detectedAt } = await auditRefusal(deps.store, ctx, action, () => undefined, async () => checkReport(input, deps.clock.now()));

  const revoked: RevokedFinding[] = [];
  const instructions: RevocationInstruction[] = [];
  const fresh: { finding: RevokedFinding; revocation: Revocation }[] = [];
  for (const f of report.findings) {
    const where = { fingerprint: f.fingerprint, path: f.path, detector: f.detector };
    const found: Ours = f.secret === undefined ? { ours: false } : await identify(deps, f.secret, deps.clock.now());
    if (!found.ours) {
      instructions.push({ ...where, step: found.step ?? await revocationStep(f.detector) });
      continue;
    }
    const existing = await deps.store.revocations.findActive(found.target.kind, found.value, deps.clock.now());
    const revocation = existing ?? await recordRevocation(deps, ctx, found.target, {
      reason: `leaked: found by scanner at ${f.path}`.slice(0, REASON_MAX), detectedAt, via: 'scan-report',
    });
    const r: RevokedFinding = {
      ...where, kind: found.kind, identity: found.identity, owner: found.owner, revocationId: revocation.id,
      detectedAt: iso(revocation.detectedAt), revokedAt: iso(revocation.revokedAt), created: !existing,
    };
    revoked.push(r);
    if (!existing) fresh.push({ finding: r, revocation });
  }

  await deps.store.write(async (tx) => {
    const details = {
      findings: report.findings.map(described), detectedAt: iso(detectedAt),
      revoked: revoked.map((r) => ({ fingerprint: r.fingerprint, revocationId: r.revocationId, identity: r.identity, created: r.created })),
    };
    if (report.breakGlass) {
      tx.audit(ctx, { action: 'scan.break-glass', outcome: 'success', target: report.breakGlass.actor ?? ctx.actor.id,
        details: { ...details, reason: report.breakGlass.reason, reportedBy: report.breakGlass.actor ?? null } });
    } else {
      tx.audit(ctx, { action: 'scan.report', outcome: 'success', target: revoked[0]?.identity, details });
    }
  });

  const webhook = deps.webhook;
  let notified = false;
  if (webhook && fresh.length > 0) {
    const sent = await Promise.all(fresh.map(({ finding: r }) => notifyOwner(webhook, {
      event: 'tessera.leak.revoked', identity: r.identity, owner: r.owner, detector: r.detector, path: r.path,
      fingerprint: r.fingerprint, revocationId: r.revocationId, detectedAt: r.detectedAt, revokedAt: r.revokedAt,
    })));
    notified = sent.every(Boolean);
  }
  return { revoked, notified, instructions, breakGlass: report.breakGlass !== undefined };
}
