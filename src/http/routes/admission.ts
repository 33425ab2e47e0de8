import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import type { RouteAuth } from '../app.ts';
import { ADMISSION_BODY_LIMIT, reviewAdmission, type AdmissionDeps } from '../../policy/admission/index.ts';

/** What the webhook needs from the server's services. */
export function admissionDeps(s: Services): AdmissionDeps {
  return {
    store: s.store,
    now: () => s.clock.now(),
    approvedRegistries: s.config.approvedRegistries,
    modes: s.config.workloadModes,
    // The in-memory live list the token path uses too: no query per admission request.
    activeExceptions: (now) => s.exceptions.active(now),
  };
}

const envParams = {
  type: 'object', additionalProperties: false, required: ['environment'],
  properties: { environment: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' } },
};

/**
 * Who may call the webhook. 'token' (the default): a workload principal's bearer token, which
 * the API server sends from its webhook kubeconfig (see docs/admission.md). 'none': nobody is
 * authenticated, because managed control planes (GKE, EKS, AKS) call webhooks without
 * credentials; the operator restricts the network path to the API server instead. Only the
 * answer to an AdmissionReview is exposed: the review changes nothing but the audit log.
 */
export function admissionAuth(s: Pick<Services, 'config'>): RouteAuth {
  return s.config.admissionAuth === 'none' ? 'public' : ['admin', 'workload'];
}

/**
 * Kubernetes validating admission webhook (AdmissionReview admission.k8s.io/v1); the API server
 * is the caller. The body is the AdmissionReview itself, so it is validated by the operation
 * rather than a schema: the API server adds fields over time and an unknown one must not break
 * admission. /v1/admission/{environment} serves namespaces a namespaceSelector has placed in an
 * environment. Answers are audited with the caller's address (req.ctx), public ones as anonymous.
 */
export function admissionRoutes(app: FastifyInstance, s: Services): void {
  const deps = admissionDeps(s);
  const auth = admissionAuth(s);
  if (auth === 'public') {
    s.logger.warn({ admissionAuth: 'none', routes: ['POST /v1/admission', 'POST /v1/admission/:environment'] },
      'admission routes are unauthenticated (admissionAuth: none): anyone who can reach them can submit AdmissionReviews; allow only the API server on the network path');
  }
  app.post('/v1/admission', { config: { auth }, bodyLimit: ADMISSION_BODY_LIMIT }, async (req) =>
    reviewAdmission(deps, req.ctx, req.body));
  app.post<{ Params: { environment: string } }>('/v1/admission/:environment', {
    config: { auth }, bodyLimit: ADMISSION_BODY_LIMIT, schema: { params: envParams },
  }, async (req) => reviewAdmission(deps, req.ctx, req.body, req.params.environment));
}
