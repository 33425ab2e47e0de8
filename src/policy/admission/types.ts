// AdmissionReview admission.k8s.io/v1: only the fields Tessera reads or writes.

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

export interface AdmissionRequest {
  uid: string;
  kind?: { group?: string; version?: string; kind?: string };
  name?: string;
  namespace?: string;
  operation?: string;
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string };
  warnings?: string[];
}

export interface AdmissionReviewOut {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

/** A webhook answer is read by the API server and echoed to kubectl; keep it readable. */
export const MAX_WARNINGS = 20;
export const MAX_WARNING_LENGTH = 256;
/** Largest AdmissionReview accepted: the API server's own request limit is 3 MiB. */
export const ADMISSION_BODY_LIMIT = 3 * 1024 * 1024;
