// Fix-plan commands for Kubernetes items. Native ids are k8s://<cluster>/namespaces/<ns>/<resource>/<name>
// (namespaced) or k8s://<cluster>/<resource>/<name> (cluster-wide); the cluster is the name the
// export was imported under, so each step says which kubectl context it is meant for.
import { sh, withVar } from './shell-quote.ts';
import { step, type FixPlanItem, type FixStep } from './fix-types.ts';

interface K8sRef { cluster: string; namespace: string | null; resource: string; name: string }

function parse(id: string | null): K8sRef | null {
  if (id === null) return null;
  const ns = /^k8s:\/\/([^/]+)\/namespaces\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(id);
  if (ns) return { cluster: ns[1]!, namespace: ns[2]!, resource: ns[3]!, name: ns[4]! };
  const cl = /^k8s:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(id);
  return cl ? { cluster: cl[1]!, namespace: null, resource: cl[2]!, name: cl[3]! } : null;
}

const where = (r: K8sRef) => (r.namespace !== null ? ` -n ${sh(r.namespace)}` : '');
const OBJECTS = new Set(['serviceaccounts', 'secrets', 'roles', 'clusterroles', 'rolebindings', 'clusterrolebindings']);

export function kubernetesFix(item: FixPlanItem): FixStep {
  const ref = parse(item.nativeId);
  if (!ref) return step({ notes: [`no kubectl step known for ${item.nativeId}`] });
  const context = `cluster ${ref.cluster}: run with its kubectl context`;
  if (!OBJECTS.has(ref.resource)) {
    return step({ notes: [context, `${ref.resource}/${ref.name} is not a Kubernetes object: change the RoleBindings that name it`] });
  }
  if (item.action === 'assign-owner') {
    // A token Secret takes its owner from its service account: annotate the account.
    const target = (item.kind === 'token' ? parse(item.parentId) : null) ?? ref;
    return step({
      notes: [context],
      owner: {
        target: `k8s:${target.cluster}/${target.namespace ?? ''}/${target.resource}/${target.name}`,
        command: (v) => `kubectl annotate --overwrite ${target.resource}${where(target)} ${sh(target.name)} ${withVar('tessera.dev/owner=', v)}`,
      },
    });
  }
  if (item.action === 'split') return step({ notes: [context] });
  if (item.kind === 'token' && ref.resource === 'secrets') {
    // Disable, rotate or migrate: a legacy token Secret is never replaced by another one.
    return step({
      run: [`kubectl delete secret${where(ref)} ${sh(ref.name)}`],
      notes: [context, 'pods get short-lived projected service-account tokens without any Secret; outside a pod use `kubectl create token <serviceaccount> --duration=1h`'],
    });
  }
  if (ref.resource === 'serviceaccounts' && item.action === 'disable') {
    return step({
      run: [`kubectl patch serviceaccount${where(ref)} ${sh(ref.name)} -p ${sh('{"automountServiceAccountToken":false}')}`],
      manual: [`kubectl delete serviceaccount${where(ref)} ${sh(ref.name)}`],
      notes: [context, 'stops new pods mounting its token (running pods keep theirs); delete it once nothing uses it'],
    });
  }
  return step({ notes: [context, `no kubectl step for ${item.action} on ${ref.resource}/${ref.name}`] });
}
