// Pod Security Standards restricted: only volume types that cannot reach the node or other tenants.
import { isObj, listAt } from './pod-spec.ts';
import type { Rule, Violation } from './rule.ts';

const ALLOWED = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

const volumeTypes: Rule = {
  id: 'pss.volume-types',
  title: 'Volume types',
  description: `Volumes may only be of type ${[...ALLOWED].join(', ')}.`,
  severity: 'medium',
  mode: 'enforce',
  check({ pod }) {
    if (!pod) return [];
    const out: Violation[] = [];
    listAt(pod.spec, 'volumes').forEach((v, i) => {
      if (!isObj(v)) return;
      for (const key of Object.keys(v)) {
        // hostPath has its own, higher-severity rule; reporting it twice would only add noise.
        if (key === 'name' || key === 'hostPath' || ALLOWED.has(key)) continue;
        out.push({ message: `volume ${String(v['name'] ?? i)} has type ${key}, not allowed under restricted`, path: `${pod.path}.volumes[${i}].${key}` });
      }
    });
    return out;
  },
};

export const VOLUME_RULES: readonly Rule[] = [volumeTypes];
