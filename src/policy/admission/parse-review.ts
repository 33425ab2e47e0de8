import { TesseraError } from '../../shared/errors.ts';
import { isObj } from '../workload/pod-spec.ts';
import { ADMISSION_API_VERSION, type AdmissionRequest } from './types.ts';

const bad = (field: string, rule: string, message: string) => new TesseraError('ERR_INVALID_INPUT', message, { field, rule });

/**
 * Checks the envelope only: an AdmissionReview without a request or a uid cannot be answered
 * (the API server matches answers to requests by uid), so it is refused, not allowed.
 */
export function parseReview(body: unknown): AdmissionRequest {
  if (!isObj(body)) throw bad('body', 'object', 'body must be an AdmissionReview object');
  if (body['apiVersion'] !== ADMISSION_API_VERSION) {
    throw bad('apiVersion', 'admission.k8s.io/v1', `apiVersion must be ${ADMISSION_API_VERSION} (configure admissionReviewVersions: ["v1"])`);
  }
  if (body['kind'] !== 'AdmissionReview') throw bad('kind', 'AdmissionReview', 'kind must be AdmissionReview');
  const req = body['request'];
  if (!isObj(req)) throw bad('request', 'required', 'AdmissionReview has no request');
  const uid = req['uid'];
  if (typeof uid !== 'string' || uid.length === 0 || uid.length > 128) {
    throw bad('request.uid', 'required', 'AdmissionReview request has no uid (a non-empty string of at most 128 characters)');
  }
  if (req['dryRun'] !== undefined && typeof req['dryRun'] !== 'boolean') throw bad('request.dryRun', 'boolean', 'request.dryRun must be a boolean');
  const str = (k: string) => (typeof req[k] === 'string' ? (req[k] as string) : undefined);
  const kind = isObj(req['kind']) ? (req['kind'] as AdmissionRequest['kind']) : undefined;
  const out: AdmissionRequest = { uid, object: req['object'], oldObject: req['oldObject'], dryRun: req['dryRun'] === true };
  if (kind) out.kind = kind;
  const name = str('name'); if (name !== undefined) out.name = name;
  const namespace = str('namespace'); if (namespace !== undefined) out.namespace = namespace;
  const operation = str('operation'); if (operation !== undefined) out.operation = operation;
  return out;
}
