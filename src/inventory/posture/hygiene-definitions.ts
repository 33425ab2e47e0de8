// Each hygiene list's title and exact rule, in one place: listHygiene returns this text with the
// items and docs/posture.md repeats it word for word (a test keeps the two in step).
import type { HygieneListId } from './posture-types.ts';

export interface HygieneDefinition { title: string; rule: string }

export const HYGIENE_DEFINITIONS: Readonly<Record<HygieneListId, HygieneDefinition>> = Object.freeze({
  'unowned': {
    title: 'Unowned',
    rule: 'Active principals (identities other than groups and permission sets) and credentials with no owner, neither their own nor (for a credential) the owner of the identity it belongs to; action assign-owner.',
  },
  'unused': {
    title: 'Unused',
    rule: 'Active identities and credentials whose last use is more than unusedDays ago (for an identity, the latest use of itself or of any of its credentials), or that were never used and were created more than unusedDays ago when their source records use at all; action disable.',
  },
  'expired-active': {
    title: 'Expired but active',
    rule: 'Identities and credentials still active although their expiry has passed (expires_at ≤ now); action disable.',
  },
  'rotation-overdue': {
    title: 'Rotation overdue',
    rule: 'Active long-lived credentials last rotated (or, never rotated, created) longer ago than the rotation limit of their tier, their own or their identity\'s, with the default limit for any other tier; action rotate, or migrate-to-federation for Kubernetes legacy service-account token Secrets.',
  },
  'shared-environments': {
    title: 'Shared across environments',
    rule: 'Active identities whose name, or whose correlated workload, is seen in two or more environments; action split.',
  },
});

/** The order lists are reported in. */
export const HYGIENE_LIST_IDS: readonly HygieneListId[] = ['unowned', 'unused', 'expired-active', 'rotation-overdue', 'shared-environments'];
