// Policy exceptions as stored, and the plain shape the decision and the offline check use.

/** What an exception covers: every key given must match; at least one is given. */
export interface ExceptionScope {
  /** A SPIFFE ID or a glob of them ("*" within one path segment, "**" across segments). */
  identity?: string | undefined;
  /** Kubernetes namespace, kind and object name (globs allowed). */
  namespace?: string | undefined;
  kind?: string | undefined;
  name?: string | undefined;
}

/** The seam: what a live decision and an offline `policy check` need of an exception. */
export interface ActiveException {
  name: string;
  /** The rule or policy name it exempts from. */
  policy: string;
  scope: ExceptionScope;
  /** epoch ms; the exception stops applying at this instant. */
  expiresAt: number;
  /** epoch ms, when revoked early. */
  revokedAt?: number | null | undefined;
}

export interface PolicyException extends ActiveException {
  reason: string;
  owner: string;
  /** The principal who approved it; never its creator. */
  approver: string;
  createdAt: number;
  createdBy: string;
  revokedAt: number | null;
  revokedBy: string | null;
}

export type ExceptionStatus = 'active' | 'expired' | 'revoked';

/** What a decision is about, for matching scopes: an identity, or a Kubernetes object. */
export interface ExceptionTarget {
  identity?: string | undefined;
  namespace?: string | undefined;
  kind?: string | undefined;
  name?: string | undefined;
}
