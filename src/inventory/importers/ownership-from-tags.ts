// Reads who owns an identity, which service it runs for, its environment and tier from the
// key/value metadata a platform keeps on it (AWS tags, Kubernetes labels and annotations, GCP
// labels, Vault custom metadata). Teams spell the keys differently, so matching is by a few
// conventional names, case-insensitive, and also on the last segment of a prefixed key
// ("example.com/owner", "app.kubernetes.io/team") so label conventions work too.

export interface Ownership {
  owner: string | null;
  service: string | null;
  environment: string | null;
  tier: string | null;
}

/** For each field, the accepted key names, best first. */
const KEYS: Record<keyof Ownership, readonly string[]> = {
  owner: ['owner', 'team'],
  service: ['service', 'app'],
  environment: ['environment', 'env'],
  tier: ['tier'],
};

/** Lower-cased last segment of a key: "Example.com/Owner" → "owner", "aws:team" → "team". */
function baseName(key: string): string {
  const k = key.trim().toLowerCase();
  const cut = Math.max(k.lastIndexOf('/'), k.lastIndexOf(':'));
  return cut === -1 ? k : k.slice(cut + 1);
}

/** "1", "tier1", "Tier-1", "T1" all mean tier 1, so posture groups them together. */
function normalizeTier(v: string): string {
  const m = /^(?:tier[-_ ]?|t)?(\d+)$/i.exec(v);
  return m ? String(Number(m[1])) : v;
}

export function ownershipFromTags(tags: Record<string, string>): Ownership {
  const result: Ownership = { owner: null, service: null, environment: null, tier: null };
  // rank: lower is better; an exact key beats a prefixed one, then the order in KEYS decides.
  const rank: Record<keyof Ownership, number> = { owner: Infinity, service: Infinity, environment: Infinity, tier: Infinity };
  for (const [key, raw] of Object.entries(tags)) {
    if (typeof raw !== 'string') continue;
    const value = raw.trim();
    if (value === '') continue;
    const exact = key.trim().toLowerCase();
    const base = baseName(key);
    for (const field of Object.keys(KEYS) as (keyof Ownership)[]) {
      const names = KEYS[field];
      let r = names.indexOf(exact);
      if (r === -1) { const b = names.indexOf(base); if (b !== -1) r = names.length + b; }
      if (r !== -1 && r < rank[field]) { rank[field] = r; result[field] = value; }
    }
  }
  if (result.tier !== null) result.tier = normalizeTier(result.tier);
  return result;
}
