// A real OIDC issuer on loopback for tests: discovery document, JWKS with real keys, and tokens
// shaped exactly like the ones Kubernetes, GitHub Actions and GitLab CI issue. Only node:crypto and
// node:http: the point is to exercise Tessera's verifier against an independent signer.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHmac, generateKeyPairSync, randomBytes, randomUUID, sign as cryptoSign, type KeyObject, type JsonWebKey } from 'node:crypto';

export type IssuerAlg = 'ES256' | 'RS256';

export interface OidcIssuerOptions {
  /** Algorithm of the keys this issuer creates (default ES256). */
  alg?: IssuerAlg;
  /** Key ids of the initial keys (default one random kid); the first one signs. */
  kids?: string[];
  /** Path appended to the origin to form the issuer URL, e.g. '/org' (default none). */
  path?: string;
  /** Cache-Control header on the JWKS response (default none). */
  cacheControl?: string;
}

export interface SignOptions {
  /** Key to sign with (default the active key). A kid not in the JWKS signs with the active key. */
  kid?: string;
  /** Header alg. 'none' gives an unsigned token; 'HS256' MACs with the public key's PEM (the classic confusion attack). */
  alg?: IssuerAlg | 'none' | 'HS256' | string;
  /** Header members merged over the defaults ({ alg, typ: 'JWT', kid }); a member set to undefined is removed. */
  header?: Record<string, unknown>;
}

/** Times are epoch seconds. Every option has a realistic default; `claims` overrides or adds claims last. */
export interface TokenTimes {
  aud?: string | string[];
  iat?: number;
  nbf?: number;
  exp?: number;
  /** Lifetime in seconds when exp is not given (default 300 for CI tokens, 3600 for Kubernetes). */
  lifetime?: number;
  /** Extra or overriding claims; a claim set to undefined is removed. */
  claims?: Record<string, unknown>;
  sign?: SignOptions;
}

export interface KubernetesTokenOptions extends TokenTimes {
  namespace?: string;
  serviceAccount?: string;
  pod?: string;
  node?: string;
}

export interface GithubTokenOptions extends TokenTimes {
  owner?: string;
  repo?: string;
  ownerId?: string;
  repoId?: string;
  /** Full ref (default refs/heads/main). */
  ref?: string;
  environment?: string;
  event?: string;
  /** Workflow file path inside the repo (default .github/workflows/deploy.yml). */
  workflow?: string;
  /** Use the immutable `repo:OWNER@ID/REPO@ID:…` subject form. */
  immutableSub?: boolean;
  actor?: string;
}

export interface GitlabTokenOptions extends TokenTimes {
  namespace?: string;
  project?: string;
  projectId?: string;
  ref?: string;
  refType?: 'branch' | 'tag';
  refProtected?: boolean;
  environment?: string;
  environmentProtected?: boolean;
  pipelineSource?: string;
  user?: string;
}

export interface OidcIssuer {
  /** http://127.0.0.1:PORT[/path] — the exact `iss` of every token. */
  issuer: string;
  jwksUri: string;
  /** The active key's kid. */
  kid: string;
  /** The JWKS currently published. */
  jwks(): { keys: JsonWebKey[] };
  /** Signs exactly these claims (nothing added). */
  sign(claims: Record<string, unknown>, opts?: SignOptions): string;
  /** Claims with iss, iat, nbf, exp, aud filled in, signed. */
  token(opts?: TokenTimes): string;
  kubernetesToken(opts?: KubernetesTokenOptions): string;
  githubToken(opts?: GithubTokenOptions): string;
  gitlabToken(opts?: GitlabTokenOptions): string;
  /** New active key; the old ones stay published unless retired. Returns the new kid. */
  rotate(): string;
  /** Stops publishing a key (tokens it signed can still be made with sign({ kid })). */
  retire(kid: string): void;
  /** JWKS (and discovery) endpoint down: answers 503, or with 'close' drops the connection. */
  setDown(down: boolean, how?: '503' | 'close'): void;
  /** Delays JWKS responses (to test fetch timeouts). */
  setJwksDelay(ms: number): void;
  setCacheControl(value: string | undefined): void;
  /** How many times each endpoint was fetched. */
  requests(): { jwks: number; discovery: number };
  close(): Promise<void>;
}

interface IssuerKey { kid: string; alg: IssuerAlg; privateKey: KeyObject; publicKey: KeyObject; published: boolean }

function newKey(alg: IssuerAlg, kid: string = randomBytes(8).toString('hex')): IssuerKey {
  const pair = alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, alg, privateKey: pair.privateKey, publicKey: pair.publicKey, published: true };
}

const b64u = (v: string | Buffer) => Buffer.from(v).toString('base64url');
const nowS = () => Math.floor(Date.now() / 1000);

function withOverrides(base: Record<string, unknown>, over: Record<string, unknown> | undefined): Record<string, unknown> {
  const out = { ...base, ...over };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out;
}

export async function startOidcIssuer(opts: OidcIssuerOptions = {}): Promise<OidcIssuer> {
  const alg = opts.alg ?? 'ES256';
  const keys: IssuerKey[] = (opts.kids?.length ? opts.kids : [undefined]).map((kid) => newKey(alg, kid));
  let active = keys[0]!;
  let down: false | '503' | 'close' = false;
  let delay = 0;
  let cacheControl = opts.cacheControl;
  const counts = { jwks: 0, discovery: 0 };
  const sockets = new Set<Socket>();
  const path = opts.path ?? '';

  let issuer = '';
  const jwks = () => ({
    keys: keys.filter((k) => k.published).map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: k.alg, use: 'sig' })),
  });

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    const isJwks = url === `${path}/jwks` || url === `${path}/openid/v1/jwks`;
    const isDiscovery = url === `${path}/.well-known/openid-configuration`;
    if (isJwks) counts.jwks++;
    if (isDiscovery) counts.discovery++;
    if ((isJwks || isDiscovery) && down === 'close') { req.socket.destroy(); return; }
    if ((isJwks || isDiscovery) && down === '503') { send(res, 503, { error: 'unavailable' }); return; }
    if (isDiscovery) {
      send(res, 200, {
        issuer, jwks_uri: `${issuer}/jwks`, response_types_supported: ['id_token'],
        subject_types_supported: ['public'], id_token_signing_alg_values_supported: [alg],
      });
      return;
    }
    if (isJwks) {
      const body = jwks();
      const headers: Record<string, string> = cacheControl ? { 'cache-control': cacheControl } : {};
      if (delay > 0) setTimeout(() => { if (!res.destroyed) send(res, 200, body, headers); }, delay);
      else send(res, 200, body, headers);
      return;
    }
    send(res, 404, { error: 'not found' });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  issuer = `http://127.0.0.1:${port}${path}`;

  const sign = (claims: Record<string, unknown>, so: SignOptions = {}): string => {
    const key = keys.find((k) => k.kid === so.kid) ?? active;
    const headerAlg = so.alg ?? key.alg;
    const header = withOverrides({ alg: headerAlg, typ: 'JWT', kid: so.kid ?? key.kid }, so.header);
    const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
    let sig: Buffer;
    if (headerAlg === 'none') sig = Buffer.alloc(0);
    else if (headerAlg === 'HS256') {
      sig = createHmac('sha256', key.publicKey.export({ format: 'pem', type: 'spki' })).update(input).digest();
    } else if (key.alg === 'ES256') sig = cryptoSign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
    else sig = cryptoSign('sha256', Buffer.from(input), key.privateKey);
    return `${input}.${b64u(sig)}`;
  };

  const timed = (t: TokenTimes, defaultLifetime: number, base: Record<string, unknown>): string => {
    const iat = t.iat ?? nowS();
    const claims = withOverrides({
      ...base, iss: issuer, aud: t.aud ?? 'tessera', iat, nbf: t.nbf ?? iat, exp: t.exp ?? iat + (t.lifetime ?? defaultLifetime),
    }, t.claims);
    return sign(claims, t.sign);
  };

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    get kid() { return active.kid; },
    jwks,
    sign,
    token: (t = {}) => timed(t, 300, { sub: 'test-subject', jti: randomUUID() }),
    kubernetesToken(o = {}) {
      const ns = o.namespace ?? 'default';
      const sa = o.serviceAccount ?? 'default';
      const pod = o.pod ?? `${sa}-7d4b9c-x2k8q`;
      const node = o.node ?? 'node-1';
      return timed({ aud: ['https://kubernetes.default.svc.cluster.local'], ...o }, 3600, {
        sub: `system:serviceaccount:${ns}:${sa}`,
        jti: randomUUID(),
        'kubernetes.io': {
          namespace: ns,
          node: { name: node, uid: randomUUID() },
          pod: { name: pod, uid: randomUUID() },
          serviceaccount: { name: sa, uid: randomUUID() },
        },
      });
    },
    githubToken(o = {}) {
      const owner = o.owner ?? 'octo-org';
      const repo = o.repo ?? 'octo-repo';
      const ownerId = o.ownerId ?? '1000001';
      const repoId = o.repoId ?? '2000002';
      const ref = o.ref ?? 'refs/heads/main';
      const refType = ref.startsWith('refs/tags/') ? 'tag' : 'branch';
      const event = o.event ?? 'push';
      const workflow = o.workflow ?? '.github/workflows/deploy.yml';
      const repository = `${owner}/${repo}`;
      const subRepo = o.immutableSub ? `${owner}@${ownerId}/${repo}@${repoId}` : repository;
      const subTail = o.environment !== undefined ? `environment:${o.environment}`
        : event === 'pull_request' ? 'pull_request' : `ref:${ref}`;
      const sha = randomBytes(20).toString('hex');
      const actor = o.actor ?? 'octocat';
      return timed({ aud: `https://github.com/${owner}`, ...o }, 300, {
        jti: randomUUID(),
        sub: `repo:${subRepo}:${subTail}`,
        ref,
        sha,
        repository,
        repository_owner: owner,
        repository_owner_id: ownerId,
        repository_id: repoId,
        repository_visibility: 'private',
        run_id: '5550001',
        run_number: '42',
        run_attempt: '1',
        actor,
        actor_id: '3000003',
        workflow: 'deploy',
        workflow_ref: `${repository}/${workflow}@${ref}`,
        workflow_sha: sha,
        job_workflow_ref: `${repository}/${workflow}@${ref}`,
        job_workflow_sha: sha,
        head_ref: '',
        base_ref: '',
        event_name: event,
        ref_protected: 'false',
        ref_type: refType,
        runner_environment: 'github-hosted',
        ...(o.environment !== undefined ? { environment: o.environment } : {}),
      });
    },
    gitlabToken(o = {}) {
      const ns = o.namespace ?? 'my-group';
      const project = o.project ?? 'my-project';
      const projectPath = `${ns}/${project}`;
      const ref = o.ref ?? 'main';
      const refType = o.refType ?? 'branch';
      return timed({ aud: 'https://gitlab.example.com', ...o }, 300, {
        jti: randomUUID(),
        sub: `project_path:${projectPath}:ref_type:${refType}:ref:${ref}`,
        namespace_id: '72',
        namespace_path: ns,
        project_id: o.projectId ?? '20',
        project_path: projectPath,
        project_visibility: 'private',
        user_id: '5',
        user_login: o.user ?? 'jane',
        user_email: `${o.user ?? 'jane'}@example.com`,
        user_access_level: 'developer',
        pipeline_id: '574',
        pipeline_source: o.pipelineSource ?? 'push',
        job_id: '302',
        ref,
        ref_type: refType,
        ref_path: refType === 'branch' ? `refs/heads/${ref}` : `refs/tags/${ref}`,
        ref_protected: String(o.refProtected ?? true),
        runner_id: '1',
        runner_environment: 'gitlab-hosted',
        sha: randomBytes(20).toString('hex'),
        ci_config_ref_uri: `gitlab.example.com/${projectPath}//.gitlab-ci.yml@refs/heads/${ref}`,
        ci_config_sha: randomBytes(20).toString('hex'),
        ...(o.environment !== undefined ? {
          environment: o.environment,
          environment_protected: String(o.environmentProtected ?? false),
          deployment_tier: o.environment === 'prod' || o.environment === 'production' ? 'production' : 'other',
          environment_action: 'start',
        } : {}),
      });
    },
    rotate() {
      const k = newKey(alg);
      keys.push(k);
      active = k;
      return k.kid;
    },
    retire(kid) {
      const k = keys.find((x) => x.kid === kid);
      if (k) k.published = false;
    },
    setDown(d, how = '503') { down = d ? how : false; },
    setJwksDelay(ms) { delay = ms; },
    setCacheControl(v) { cacheControl = v; },
    requests: () => ({ ...counts }),
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
