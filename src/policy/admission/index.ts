export { reviewAdmission, type AdmissionDeps } from './review-admission.ts';
export { parseReview } from './parse-review.ts';
export { ADMISSION_API_VERSION, ADMISSION_BODY_LIMIT } from './types.ts';
export type { AdmissionRequest, AdmissionResponse, AdmissionReviewOut } from './types.ts';
