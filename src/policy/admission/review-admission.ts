import type { RequestContext } from '../../shared/context.ts';
import type { UnitOfWork } from '../../shared/tx.ts';
import type { ActiveException } from '../exceptions/types.ts';
import { checkWorkload } from '../workload/check-workload.ts';
import { isObj } from '../workload/pod-spec.ts';
import type { Finding, RuleMode } from '../workload/types.ts';
import { parseReview } from './parse-review.ts';
import { ADMISSION_API_VERSION, MAX_WARNING_LENGTH, MAX_WARNINGS, type AdmissionResponse, type AdmissionReviewOut } from './types.ts';

export interface AdmissionDeps {
  store: UnitOfWork;
  now(): number;
  approvedRegistries: string[];
  modes?: Record<string, RuleMode> | undefined;
  /** Exceptions active at `now` (the live list). */
  activeExceptions?: ((now: number) => ActiveException[]) | undefined;
}

const describe = (f: Finding) => `${f.rule} at ${f.path}: ${f.message}`;
/** The API server may truncate warnings above 256 characters; cut them ourselves, visibly. */
const clip = (w: string) => (w.length <= MAX_WARNING_LENGTH ? w : `${w.slice(0, MAX_WARNING_LENGTH - 1)}…`);

/**
 * Answers one AdmissionReview: enforce-mode findings deny, warn-mode ones become warnings,
 * audit-mode ones are only recorded; excepted findings never deny. Every answer is audited
 * (a dry run too, flagged dryRun, since it changes nothing else). `environment` comes from the
 * webhook path the namespace's selector chose, as AdmissionReview carries no namespace labels.
 */
export async function reviewAdmission(
  deps: AdmissionDeps, ctx: RequestContext, body: unknown, environment?: string,
): Promise<AdmissionReviewOut> {
  const req = parseReview(body);
  const now = deps.now();
  // DELETE carries the old object only; removing a workload never needs these rules.
  const obj = req.operation === 'DELETE' || !isObj(req.object) ? undefined : req.object;
  const exceptions = obj && deps.activeExceptions ? deps.activeExceptions(now) : [];
  const result = obj
    ? checkWorkload(obj, { environment, approvedRegistries: deps.approvedRegistries, exceptions, modes: deps.modes, now })
    : { kind: req.kind?.kind ?? '', name: req.name ?? '', findings: [] as Finding[] };
  const live = result.findings.filter((f) => f.excepted === undefined);
  const denying = live.filter((f) => f.mode === 'enforce');
  const warning = live.filter((f) => f.mode === 'warn');

  const response: AdmissionResponse = { uid: req.uid, allowed: denying.length === 0 };
  if (denying.length > 0) {
    response.status = { code: 403, message: `denied by Tessera workload policy: ${denying.map(describe).join('; ')}` };
  }
  if (warning.length > 0) {
    const w = warning.slice(0, MAX_WARNINGS).map((f) => clip(describe(f)));
    if (warning.length > MAX_WARNINGS) w.push(`… and ${warning.length - MAX_WARNINGS} more warnings`);
    response.warnings = w;
  }

  const namespace = req.namespace ?? result.namespace;
  const name = req.name ?? result.name;
  const kind = req.kind?.kind ?? result.kind;
  // A clean, allowed dry run changes nothing anywhere (GitOps tools diff with server-side dry
  // runs all day): it is answered but not audited. Denials, warnings and real admissions are.
  if (req.dryRun === true && response.allowed && result.findings.length === 0) {
    return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
  }
  await deps.store.write(async (tx) => {
    tx.audit(ctx, {
      action: 'admission.review',
      outcome: response.allowed ? 'success' : 'denied',
      target: `${kind}/${namespace ? `${namespace}/` : ''}${name}`,
      details: {
        uid: req.uid, kind, name, namespace, operation: req.operation, allowed: response.allowed, dryRun: req.dryRun === true,
        ...(environment !== undefined ? { environment } : {}),
        rules: [...new Set(live.map((f) => f.rule))],
        findings: result.findings.map((f) => ({ rule: f.rule, mode: f.mode, path: f.path, ...(f.excepted ? { excepted: f.excepted } : {}) })),
      },
    });
  });
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}
