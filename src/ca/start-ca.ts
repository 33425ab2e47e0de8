// The running CA: the keys every server sharing a store signs with and publishes, kept current
// across rotations. A timer re-reads the keys and applies the schedule (prepare → activate →
// retire) every few seconds; every transition is compare-and-set in the store, so servers
// sharing PostgreSQL never both activate, and each picks up the others' rotations on reload.
import type { Logger } from 'pino';
import { checkCaConfig, type Config } from '../config/schema.ts';
import type { Clock } from '../shared/clock.ts';
import { SYSTEM, type RequestContext } from '../shared/context.ts';
import { TesseraError, isTesseraError } from '../shared/errors.ts';
import type { UnitOfWork } from '../shared/tx.ts';
import type { CaRuntime, PublishedJwtKey } from './ca-runtime.ts';
import { anchorOf, keyViewBuilder, type KeyView } from './key-view.ts';
import type { KeyPurpose, KeyRepo, StoredKey } from './key-repo.ts';
import { isPublished, nextStep, type KeyPolicy, type Step, type Wanted } from './key-schedule.ts';
import type { KeyOpsDeps, KeyReason } from './key-ops.ts';
import { loadCaRoot, type CaRoot } from './load-ca-root.ts';
import { prepareKey } from './prepare-key.ts';
import { activateKey } from './activate-key.ts';
import { discardKey } from './discard-key.ts';

export type CaConfig = Pick<Config, 'trustDomain' | 'svidMaxTtl' | 'jwtAlg' | 'caTtl' | 'jwtKeyTtl' | 'caRootCert' | 'caRootKey' | 'adminTokenTtl'>;

export interface StartCaDeps {
  config: CaConfig;
  store: UnitOfWork & { keys: KeyRepo };
  /** The key-encryption key (32 bytes) every private key is wrapped with. */
  kek: Buffer;
  clock: Clock;
  logger?: Logger | undefined;
  /** How often keys are re-read and the schedule applied, ms (default 10 s); 0: no timer. */
  reloadIntervalMs?: number | undefined;
}

/** The runtime as its owner (the composition root, tests) sees it. */
export interface StartedCa extends CaRuntime {
  /** Re-reads the keys and applies the schedule once, as the timer does. */
  tick(): Promise<void>;
}

export const RELOAD_INTERVAL_MS = 10_000;
const PURPOSES: readonly KeyPurpose[] = ['jwt', 'x509-ca'];
const MAX_STEPS = 8;
const ROTATE_ATTEMPTS = 3;

export function policyOf(config: CaConfig): KeyPolicy {
  return {
    jwtKeyTtlMs: config.jwtKeyTtl * 1000,
    // JWT keys sign JWT-SVIDs and access tokens; the longer of the two bounds what is out there.
    jwtTokenMaxMs: Math.max(config.svidMaxTtl, config.adminTokenTtl) * 1000,
    svidMaxMs: config.svidMaxTtl * 1000,
  };
}

const sameDer = (a: Buffer | undefined, b: Buffer | undefined) => (a === undefined ? b === undefined : b !== undefined && a.equals(b));

/** Starts the CA: checks the KEK against the stored keys, creates what is missing, starts the timer. */
export async function startCa(deps: StartCaDeps): Promise<StartedCa> {
  const { config, store, kek, clock, logger } = deps;
  checkCaConfig(config);
  const policy = policyOf(config);
  const root: CaRoot | undefined = config.caRootCert !== undefined && config.caRootKey !== undefined
    ? loadCaRoot(config.caRootCert, config.caRootKey, clock.now(), config.caTtl * 1000) : undefined;
  const ops: KeyOpsDeps = { store, kek, clock, policy, spec: { trustDomain: config.trustDomain, jwtAlg: config.jwtAlg, caTtlMs: config.caTtl * 1000, root } };
  const wanted: Record<KeyPurpose, Wanted> = {
    jwt: { fits: (k) => k.alg === config.jwtAlg },
    // Under the configured root (an intermediate), or self-signed when there is none.
    'x509-ca': { fits: (k) => k.certDer !== undefined && (root ? (k.chainDer ?? []).length > 0 && sameDer(anchorOf(k), root.certDer) : (k.chainDer ?? []).length === 0) },
  };

  const views = keyViewBuilder(kek);
  let rows: StoredKey[] = [];
  let view: KeyView | undefined;
  // What jwtKeys() and x509Authorities() return, until the view changes or a key drops out.
  let cachedJwt: { list: PublishedJwtKey[]; until: number } | undefined;
  let cachedX509: { list: { certDer: Buffer; notAfter: number }[]; until: number } | undefined;
  let readSeq = 0;
  let appliedSeq = 0;

  async function load(): Promise<void> {
    const seq = ++readSeq;
    const keys = await store.keys.list();
    // A slower read must not overwrite what a newer one already applied.
    if (seq < appliedSeq) return;
    const next = views.build(keys, clock.now(), view);
    rows = keys;
    appliedSeq = seq;
    if (next) {
      if (view && next.signer.kid !== view.signer.kid) logger?.info({ kid: next.signer.kid, previous: view.signer.kid }, 'JWT signing key changed');
      if (view && next.issuer.kid !== view.issuer.kid) logger?.info({ kid: next.issuer.kid, previous: view.issuer.kid }, 'X.509 CA changed');
      view = next;
      cachedJwt = undefined;
      cachedX509 = undefined;
    }
  }

  const reasonFor = (step: Step): KeyReason => {
    if (step.kind === 'bootstrap') return 'first key';
    if (step.kind === 'discard') return 'configuration changed';
    const active = rows.find((k) => k.purpose === step.purpose && k.status === 'active');
    if (active && !isPublished(active, clock.now())) return 'expired';
    return active && !wanted[step.purpose].fits(active) ? 'configuration changed' : 'schedule';
  };
  const byKid = (kid: string | undefined) => (kid === undefined ? undefined : rows.find((k) => k.kid === kid));

  async function perform(step: Step, ctx: RequestContext): Promise<void> {
    const reason = reasonFor(step);
    switch (step.kind) {
      case 'bootstrap': await activateKey(ops, { purpose: step.purpose }, ctx, reason); break;
      case 'prepare': await prepareKey(ops, step.purpose, ctx, reason); break;
      case 'activate': await activateKey(ops, { purpose: step.purpose, next: byKid(step.kid), current: byKid(step.retire) }, ctx, reason); break;
      case 'replace': await activateKey(ops, { purpose: step.purpose, current: byKid(step.retire) }, ctx, reason); break;
      case 'discard': await discardKey(ops, byKid(step.kid)!, ctx, reason); break;
    }
    logger?.info({ step: step.kind, purpose: step.purpose, reason }, 'signing key lifecycle step');
  }

  /** Applies due steps until none is due. A step another server made first is simply re-read. */
  async function applySchedule(): Promise<void> {
    for (let i = 0; i < MAX_STEPS; i++) {
      let acted = false;
      for (const purpose of PURPOSES) {
        const step = nextStep(purpose, rows, clock.now(), policy, wanted[purpose]);
        if (!step) continue;
        acted = true;
        try {
          await perform(step, SYSTEM);
        } catch (e) {
          if (!isTesseraError(e, 'ERR_CONFLICT')) throw e;
        }
      }
      if (!acted) return;
      await load();
    }
  }

  // Ticks, rotations and reloads run one at a time.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => {});
    return run;
  };

  const tick = () => serial(async () => { await load(); await applySchedule(); });

  async function rotateOne(purpose: KeyPurpose, ctx: RequestContext): Promise<void> {
    await load();
    const activeNow = () => rows.find((k) => k.purpose === purpose && k.status === 'active');
    const before = activeNow()?.kid;
    for (let attempt = 1; ; attempt++) {
      const current = activeNow();
      const now = clock.now();
      // A prepared key relying parties have already seen takes over; otherwise a fresh one.
      const next = rows.filter((k) => k.purpose === purpose && k.status === 'prepared' && wanted[purpose].fits(k) && isPublished(k, now)).at(-1);
      try {
        await activateKey(ops, { purpose, next, current }, ctx, 'forced');
        logger?.info({ purpose, actor: ctx.actor.id }, 'forced key rotation');
        return;
      } catch (e) {
        if (!isTesseraError(e, 'ERR_CONFLICT') || attempt >= ROTATE_ATTEMPTS) throw e;
        await load();
        // Another server rotated in the meantime: the rotation asked for has happened.
        if (activeNow()?.kid !== before) return;
      }
    }
  }

  // Startup: read, verify the KEK, create what is missing.
  await load();
  await applySchedule();
  if (!view) throw new TesseraError('ERR_INTERNAL', 'the CA has no active JWT key or X.509 CA after start-up', {});

  const nextDrop = (entries: { publishUntil: number | undefined; notAfter?: number | undefined }[], now: number) =>
    Math.min(...entries.flatMap((e) => [e.publishUntil, e.notAfter]).filter((t): t is number => t !== undefined && t > now), Number.POSITIVE_INFINITY);

  const interval = deps.reloadIntervalMs ?? RELOAD_INTERVAL_MS;
  const timer = interval > 0 ? setInterval(() => {
    tick().catch((e) => logger?.warn({ err: e }, 'key schedule: could not reload or rotate keys; will retry'));
  }, interval) : undefined;
  timer?.unref();
  let closed = false;

  const current = (): KeyView => view!;
  return {
    trustDomain: config.trustDomain,
    jwtSigner: () => current().signer,
    jwtKeys() {
      const now = clock.now();
      if (!cachedJwt || now >= cachedJwt.until) {
        const entries = current().jwt.filter((e) => e.publishUntil === undefined || e.publishUntil > now);
        cachedJwt = { list: entries.map((e) => e.key), until: nextDrop(entries, now) };
      }
      return cachedJwt.list;
    },
    x509Issuer: () => current().issuer,
    x509Authorities() {
      const now = clock.now();
      if (!cachedX509 || now >= cachedX509.until) {
        const entries = current().x509.filter((e) => (e.publishUntil === undefined || e.publishUntil > now) && (e.notAfter === undefined || e.notAfter > now));
        const seen = new Set<string>();
        const list: { certDer: Buffer; notAfter: number }[] = [];
        for (const e of entries) {
          const id = e.anchorDer.toString('base64');
          if (seen.has(id) || e.anchorNotAfter <= now) continue;
          seen.add(id);
          list.push({ certDer: e.anchorDer, notAfter: e.anchorNotAfter });
        }
        cachedX509 = { list, until: Math.min(nextDrop(entries, now), ...list.map((a) => a.notAfter)) };
      }
      return cachedX509.list;
    },
    sequence() {
      // The time of the latest change to the published set, identical on every server reading
      // the same store: keys appear when created, change on activation and retirement, and
      // disappear at publish_until. It only grows.
      const now = clock.now();
      let seq = 0;
      for (const k of rows) {
        for (const t of [k.createdAt, k.activatedAt, k.retiredAt, k.publishUntil, k.purpose === 'x509-ca' ? k.notAfter : undefined]) {
          if (t !== null && t !== undefined && t <= now && t > seq) seq = t;
        }
      }
      return seq;
    },
    rotate: (kind, ctx) => serial(async () => {
      if (closed) throw new TesseraError('ERR_INTERNAL', 'the CA runtime is closed', {});
      for (const purpose of kind === 'all' ? PURPOSES : [kind]) await rotateOne(purpose, ctx);
      await load();
      await applySchedule();
    }),
    reload: () => serial(load),
    tick,
    close() {
      closed = true;
      if (timer) clearInterval(timer);
    },
  };
}
