import type { Rule } from './rule.ts';
import type { RuleInfo } from './types.ts';
import { HOST_RULES } from './rules-host.ts';
import { PRIVILEGE_RULES } from './rules-privilege.ts';
import { PROFILE_RULES } from './rules-profiles.ts';
import { VOLUME_RULES } from './rules-volumes.ts';
import { IDENTITY_RULES } from './rules-identity.ts';

export const RULE_SET: readonly Rule[] = [...HOST_RULES, ...PRIVILEGE_RULES, ...PROFILE_RULES, ...VOLUME_RULES, ...IDENTITY_RULES];

/** The catalogue: what each rule checks, its severity and the mode it runs in unless configured otherwise. */
export const RULES: readonly RuleInfo[] = RULE_SET.map(({ id, title, description, severity, mode }) => ({ id, title, description, severity, mode }));
