/**
 * Finds the pod template inside any Kubernetes workload object, with the JSON path that leads to it,
 * so every finding can point at the exact field a reviewer must change.
 */

export type Obj = Record<string, unknown>;

export interface PodTarget {
  spec: Obj;
  /** Path of the pod spec, e.g. "spec.template.spec"; "spec" for a bare Pod. */
  path: string;
  /** Labels and annotations of the pod (template metadata, or the Pod's own). */
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerRef {
  c: Obj;
  /** e.g. spec.template.spec.initContainers[1] */
  path: string;
  name: string;
}

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const objAt = (o: Obj, key: string): Obj | undefined => (isObj(o[key]) ? (o[key] as Obj) : undefined);
export const listAt = (o: Obj, key: string): unknown[] => (Array.isArray(o[key]) ? (o[key] as unknown[]) : []);

export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(v)) return out;
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

/** Where the pod spec lives for each workload kind. */
const TEMPLATE_PATHS: Record<string, string[]> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  PodTemplate: ['template'],
};

export const WORKLOAD_KINDS: readonly string[] = Object.keys(TEMPLATE_PATHS);

export function podTarget(obj: Obj, kind: string): PodTarget | undefined {
  const steps = TEMPLATE_PATHS[kind];
  if (!steps) return undefined;
  let holder: Obj | undefined = obj;
  for (const s of steps) holder = holder ? objAt(holder, s) : undefined;
  if (!holder) return undefined;
  const spec = objAt(holder, 'spec');
  if (!spec) return undefined;
  const meta = objAt(holder, 'metadata') ?? {};
  const prefix = steps.join('.');
  return {
    spec,
    path: prefix ? `${prefix}.spec` : 'spec',
    labels: stringMap(meta['labels']),
    annotations: stringMap(meta['annotations']),
  };
}

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

export function containersOf(pod: PodTarget): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const list of CONTAINER_LISTS) {
    listAt(pod.spec, list).forEach((c, i) => {
      if (!isObj(c)) return;
      out.push({ c, path: `${pod.path}.${list}[${i}]`, name: typeof c['name'] === 'string' ? c['name'] : `${list}[${i}]` });
    });
  }
  return out;
}
