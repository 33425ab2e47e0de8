import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
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
 * Kubernetes validating admission webhook (AdmissionReview admission.k8s.io/v1). The API server is
 * the caller: it authenticates with a workload principal's bearer token (see docs/admission.md).
 * The body is the AdmissionReview itself, so it is validated by the operation rather than a
 * schema: the API server adds fields over time and an unknown one must not break admission.
 * /v1/admission/{environment} serves namespaces a namespaceSelector has placed in an environment.
 */
export function admissionRoutes(app: FastifyInstance, s: Services): void {
  const deps = admissionDeps(s);
  app.post('/v1/admission', { config: { auth: ['admin', 'workload'] }, bodyLimit: ADMISSION_BODY_LIMIT }, async (req) =>
    reviewAdmission(deps, req.ctx, req.body));
  app.post<{ Params: { environment: string } }>('/v1/admission/:environment', {
    config: { auth: ['admin', 'workload'] }, bodyLimit: ADMISSION_BODY_LIMIT, schema: { params: envParams },
  }, async (req) => reviewAdmission(deps, req.ctx, req.body, req.params.environment));
}
