import Fastify, { type FastifyInstance, type FastifyError, type FastifyRequest, type FastifyBaseLogger } from 'fastify';
import { Ajv } from 'ajv';
import { TesseraError, type ErrorCode } from '../shared/errors.ts';
import { uuidv7 } from '../shared/ids.ts';
import type { RequestContext, Role } from '../shared/context.ts';
import { statusOf, oauthErrorOf } from './error-map.ts';
import type { Services } from './services.ts';
import { registerRoutes } from './routes/index.ts';
import { senderProofOf } from './sender-proof.ts';
import { countRefusal, refuseIfBlocked } from './auth-failures.ts';
import { activeElevations } from '../policy/elevation/index.ts';

/** Every route states who may call it: 'public', or the roles allowed. */
export type RouteAuth = 'public' | readonly Role[];

declare module 'fastify' {
  /** bodyType: the one media type a route accepts instead of JSON (uploads stream as application/octet-stream). */
  interface FastifyContextConfig { auth?: RouteAuth; bodyType?: string }
  interface FastifyRequest { ctx: RequestContext }
}

export interface RouteInfo { method: string; url: string; auth: RouteAuth }

// Bodies are validated strictly (no coercion, unknown keys refused); query strings and params
// arrive as text, so they are coerced.
const bodyAjv = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false });
const queryAjv = new Ajv({ allErrors: false, coerceTypes: true, removeAdditional: false, useDefaults: true, strict: false });

function fieldOfValidation(e: FastifyError): { field: string; rule: string } {
  const v = e.validation?.[0];
  if (!v) return { field: 'body', rule: e.message };
  const params = v.params as Record<string, unknown>;
  const path = (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.');
  if (typeof params.missingProperty === 'string') return { field: path ? `${path}.${params.missingProperty}` : params.missingProperty, rule: 'is required' };
  if (typeof params.additionalProperty === 'string') return { field: path ? `${path}.${params.additionalProperty}` : params.additionalProperty, rule: 'is not a known field' };
  return { field: path || (e.validationContext ?? 'body'), rule: v.message ?? 'is invalid' };
}

/** Turns any thrown error into a TesseraError; unknown errors become ERR_INTERNAL. */
export function toTesseraError(e: unknown): TesseraError {
  if (e instanceof TesseraError) return e;
  const fe = e as FastifyError;
  if (fe?.validation) {
    const { field, rule } = fieldOfValidation(fe);
    return new TesseraError('ERR_INVALID_INPUT', `${field}: ${rule}`, { field, rule });
  }
  switch (fe?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new TesseraError('ERR_BODY_TOO_LARGE', 'request body is larger than the server accepts', { field: 'body', rule: 'size limit' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new TesseraError('ERR_UNSUPPORTED_MEDIA_TYPE', 'content-type is not accepted here: send application/json (application/x-www-form-urlencoded on /oauth2/*)', { field: 'content-type', rule: 'media type' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_TYPE':
      return new TesseraError('ERR_INVALID_INPUT', `body: ${fe.message}`, { field: 'body', rule: 'well-formed' });
  }
  if (fe?.statusCode === 400 && /JSON/i.test(fe.message)) return new TesseraError('ERR_INVALID_INPUT', 'body: not valid JSON', { field: 'body', rule: 'json' });
  if (fe?.statusCode === 404) return new TesseraError('ERR_NOT_FOUND', fe.message);
  return new TesseraError('ERR_INTERNAL', 'internal error', {});
}

/** Form parameters that may repeat (RFC 8693 token exchange); they arrive as a list when they do. */
const FORM_REPEATABLE = new Set(['audience', 'resource']);

export async function buildApp(s: Services, opts: { https?: { cert: Buffer; key: Buffer } } = {}): Promise<{ app: FastifyInstance; routes: RouteInfo[] }> {
  const app = Fastify({
    // Client certificates are asked for, never required: Tessera checks them itself (X509-SVIDs
    // of its trust domain bind tokens, RFC 8705); a client without one is served as before.
    ...(opts.https ? { https: { ...opts.https, requestCert: true, rejectUnauthorized: false } } : {}),
    loggerInstance: s.logger as unknown as FastifyBaseLogger,
    bodyLimit: s.config.bodyLimit,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : uuidv7();
    },
    trustProxy: false,
    return503OnClosing: true,
  });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : queryAjv).compile(schema));

  // JSON everywhere except /oauth2/*, which RFC 6749 makes form-encoded; nothing else is parsed.
  app.removeContentTypeParser('text/plain');
  // Form bodies for /oauth2/* (RFC 6749 requires application/x-www-form-urlencoded).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    const out: Record<string, string | string[]> = {};
    const seen = new Set<string>();
    for (const [k, v] of new URLSearchParams(body as string)) {
      if (seen.has(k)) {
        // RFC 8693 §2.1: audience and resource may be given several times; nothing else may.
        if (!FORM_REPEATABLE.has(k)) { done(new TesseraError('ERR_INVALID_INPUT', `${k}: must not be repeated`, { field: k, rule: 'repeated parameter' }), undefined); return; }
        const prev = out[k]!;
        out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
        continue;
      }
      seen.add(k);
      out[k] = v;
    }
    done(null, out);
  });
  // Uploads (inventory exports of gigabytes) reach their handler as the unread request stream.
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => { done(null, payload); });

  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (r) => {
    const auth = r.config?.auth;
    // Fail closed at start-up: a route that does not say who may call it is a bug.
    if (auth === undefined && !r.url.startsWith('*')) throw new Error(`route ${r.method} ${r.url} does not declare config.auth`);
    for (const m of [r.method].flat()) if (m !== 'HEAD') routes.push({ method: m, url: r.url, auth: auth ?? 'public' });
  });

  app.decorateRequest('ctx', null as unknown as RequestContext);
  app.addHook('onRequest', async (req: FastifyRequest, reply) => {
    reply.header('x-request-id', req.id);
    const auth = req.routeOptions.config.auth ?? 'public';
    const anonymous: RequestContext = { actor: { id: 'anonymous', roles: [] }, requestId: req.id, sourceIp: req.ip };
    if (auth === 'public') { req.ctx = anonymous; return; }
    // An address that keeps failing is refused before any signature is checked, and not audited again.
    refuseIfBlocked(s, req, reply);
    try {
      const actor = await s.access.authenticate(req.headers.authorization, senderProofOf(s, req));
      // A revoked access token still verifies: the deny list (in memory) stops it at once.
      if (s.revocations.isTokenRevoked((req.headers.authorization ?? '').replace(/^(Bearer|DPoP) +/i, '').trim())) {
        throw new TesseraError('ERR_UNAUTHENTICATED', 'access token has been revoked', { rule: 'access token' });
      }
      let effective = actor;
      if (!actor.roles.some((r: Role) => auth.includes(r))) {
        // Just-in-time elevation: an approved, unexpired role grant for this principal counts as
        // the role for its window. Read only when the token's own roles fall short (not on the hot path).
        const granted = (await activeElevations(s.store.elevations, actor.id, s.clock.now()))
          .map((g) => g.role).filter((r): r is Role => r !== undefined && (auth as readonly string[]).includes(r));
        if (granted.length === 0) {
          throw new TesseraError('ERR_FORBIDDEN', `this operation needs one of the roles: ${auth.join(', ')}`, { rule: 'role', required: auth });
        }
        effective = { ...actor, roles: [...actor.roles, ...granted], elevatedRoles: granted };
      }
      req.ctx = { actor: effective, requestId: req.id, sourceIp: req.ip };
    } catch (e) {
      const err = toTesseraError(e);
      const denied = err.code === 'ERR_FORBIDDEN' || err.code === 'ERR_UNAUTHENTICATED';
      if (denied) {
        const limited = countRefusal(s, req, req.routeOptions.url ?? req.url);
        await s.store.write(async (tx) => {
          tx.audit(anonymous, {
            action: err.code === 'ERR_FORBIDDEN' ? 'auth.forbidden' : 'auth.failed', outcome: 'denied',
            details: { method: req.method, route: req.routeOptions.url, reason: err.message },
          });
          // The one record of the flood that follows: later refusals in this window are not audited.
          if (limited) tx.audit(anonymous, limited);
        }).catch((we) => req.log.error({ err: we }, 'could not record an authentication failure'));
      }
      if (err.code === 'ERR_UNAUTHENTICATED') {
        const dpop = /^DPoP /i.test(req.headers.authorization ?? '') || err.details?.dpopError !== undefined;
        reply.header('www-authenticate', dpop
          ? `DPoP realm="tessera", algs="ES256 EdDSA Ed25519 RS256 PS256"${err.details?.dpopError ? `, error="${String(err.details.dpopError)}"` : ''}`
          : 'Bearer realm="tessera"');
      }
      throw err;
    }
  });

  // Refuse a body of the wrong media type before it is parsed (after auth, so anonymous callers
  // learn nothing about a route's body format).
  app.addHook('onRequest', async (req) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (type === '' && !hasBody) return;
    const want = req.routeOptions.config.bodyType ?? (req.url.startsWith('/oauth2/') ? 'application/x-www-form-urlencoded' : 'application/json');
    if (type !== want) {
      throw new TesseraError('ERR_UNSUPPORTED_MEDIA_TYPE', `content-type: send ${want}${type ? `, not ${type}` : ''}`,
        { field: 'content-type', rule: `must be ${want}` });
    }
  });

  app.addHook('onResponse', async (req, reply) => {
    s.metrics.httpDuration.observe({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((e, req, reply) => {
    const err = toTesseraError(e);
    const status = statusOf(err.code);
    if (status >= 500) req.log.error({ err: e }, 'request failed');
    else req.log.info({ code: err.code, msg: err.message }, 'request refused');
    // RFC 9449 §8: a use_dpop_nonce refusal carries the nonce to retry with.
    if (typeof err.details?.dpopNonce === 'string') reply.header('dpop-nonce', err.details.dpopNonce);
    const message = status >= 500 && err.code === 'ERR_INTERNAL' ? 'internal error; see the server log for request ' + req.id : err.message;
    if (req.url.startsWith('/oauth2/')) {
      reply.header('cache-control', 'no-store');
      return reply.status(status).send({ error: oauthErrorOf(err.code), error_description: message });
    }
    return reply.status(status).type('application/problem+json').send({
      type: `https://tessera.dev/errors/${err.code}`, title: err.code, status, detail: message,
      code: err.code, ...(status < 500 && err.details ? err.details : {}), requestId: req.id,
    });
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).type('application/problem+json').send({
    type: 'https://tessera.dev/errors/ERR_NOT_FOUND', title: 'ERR_NOT_FOUND', status: 404,
    detail: `no route ${req.method} ${req.url.split('?')[0]}`, code: 'ERR_NOT_FOUND' satisfies ErrorCode, requestId: req.id,
  }));

  app.decorate('tesseraRoutes', routes);
  await registerRoutes(app, s);
  await app.ready();
  return { app, routes };
}
