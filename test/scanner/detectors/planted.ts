// Planted credentials, generated at test time: random bodies, valid checksums computed here, so no
// real credential is ever committed. Shared by the detector tests (and usable by engine/bench tests).
import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import { base62Crc32, generateStaticKey } from '../../../src/identity/static-keys/index.ts';
import { isPlaceholder } from '../../../src/scanner/detectors/index.ts';

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const B64 = B62 + '+/';
const B64URL = B62 + '-_';
const HEX = '0123456789abcdef';
const UPPER_ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Random text over an alphabet, redrawn until it has no placeholder-looking runs (5 equal chars). */
export function rand(alphabet: string, n: number): string {
  for (;;) {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)];
    if (!/(.)\1{4}/.test(s) && !/example|sample|your|fake|dummy|insert|replace|todo|xxx|qwerty|0123456|1234567|abcdefg|bcdefgh/i.test(s)) return s;
  }
}
export const b62 = (n: number): string => rand(B62, n);
export const b64 = (n: number): string => rand(B64, n);
export const b64url = (n: number): string => rand(B64URL, n);
export const hex = (n: number): string => rand(HEX, n);
const digits = (n: number): string => String(randomInt(1, 9)) + rand('0123456789', n - 1);

/** A token in the GitHub/npm scheme: prefix, 30 random base62, base62 CRC32 of those 30. */
export function checksummedToken(prefix: string): string {
  const random = b62(30);
  return `${prefix}${random}${base62Crc32(random)}`;
}

/** The same token with its checksum altered: right shape, not a token. */
export function withBadChecksum(token: string): string {
  const last = token.at(-1) ?? '0';
  return token.slice(0, -1) + (last === 'a' ? 'b' : 'a');
}

function awsSecret(): string {
  for (;;) {
    const s = b64(40);
    if (/[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s)) return s;
  }
}

function jwt(header: object, claims: object): string {
  const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc(header)}.${enc(claims)}.${b64url(43)}`;
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----`;
}

function opensshBody(): Buffer {
  const cipher = Buffer.from('none');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(cipher.length);
  return Buffer.concat([Buffer.from('openssh-key-v1\0', 'latin1'), len, cipher, randomBytes(300)]);
}

export type Planted = { detector: string; text: string; secret: string; also?: string[] };

/**
 * One or more planted samples for every detector, each with the secret it must report. Random
 * parts next to fixed parts can, rarely, make a placeholder-looking run ("AA" + "AAA"): redraw then.
 */
export function plantedSamples(): Planted[] {
  for (;;) {
    const samples = drawSamples();
    if (!samples.some((s) => s.secret !== '' && isPlaceholder(s.secret))) return samples;
  }
}

function drawSamples(): Planted[] {
  const out: Planted[] = [];
  const add = (detector: string, text: string, secret: string, also?: string[]): void => {
    out.push({ detector, text, secret, ...(also === undefined ? {} : { also }) });
  };
  const akia = `AKIA${rand(BASE32, 16)}`;
  const awsSk = awsSecret();
  add('aws-access-key-id', `[default]\naws_access_key_id = ${akia}\naws_secret_access_key = ${awsSk}\n`, akia, ['aws-secret-access-key']);
  add('aws-secret-access-key', `export AWS_SECRET_ACCESS_KEY="${awsSecret()}"`, '');
  for (const [p, id] of [['ghp_', 'github-pat-classic'], ['gho_', 'github-oauth-token'], ['ghu_', 'github-user-to-server-token'], ['ghs_', 'github-server-to-server-token'], ['ghr_', 'github-refresh-token']] as const) {
    const t = checksummedToken(p);
    add(id, `GITHUB_TOKEN=${t}`, t);
  }
  const fg = `github_pat_${b62(22)}_${b62(59)}`;
  add('github-pat-fine-grained', `token: ${fg}`, fg);
  const glLegacy = `glpat-${b62(20)}`;
  add('gitlab-pat', `private_token = "${glLegacy}"`, glLegacy);
  const glRoutable = `glpat-${b64url(27)}.01.${rand('0123456789abcdefghijklmnopqrstuvwxyz', 9)}`;
  add('gitlab-pat', `curl -H "PRIVATE-TOKEN: ${glRoutable}" https://gitlab.acme.io/api/v4/projects`, glRoutable);
  const glrt = `glrt-${b62(20)}`;
  add('gitlab-runner-token', `  token = "${glrt}"`, glrt);
  const gldt = `gldt-${b62(20)}`;
  add('gitlab-deploy-token', `deploy: ${gldt}`, gldt);
  const glptt = `glptt-${hex(40)}`;
  add('gitlab-pipeline-trigger-token', `curl -F token=${glptt} -F ref=main`, glptt);
  const npm = checksummedToken('npm_');
  add('npm-access-token', `//registry.npmjs.org/:_authToken=${npm}`, npm);
  const pypi = `pypi-AgEIcHlwaS5vcmc${b64url(70)}`;
  add('pypi-upload-token', `password = ${pypi}`, pypi);
  const dckr = `dckr_pat_${b64url(27)}`;
  add('dockerhub-pat', `echo ${dckr} | docker login -u ci --password-stdin`, dckr);
  const hf = `hf_${rand(LETTERS, 34)}`;
  add('huggingface-token', `HF_TOKEN=${hf}`, hf);
  const gkey = `AIza${b64url(35)}`;
  add('google-api-key', `const mapsKey = '${gkey}';`, gkey);
  const keyId = hex(40);
  const saPem = pem('PRIVATE KEY', generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'der' }));
  add('gcp-service-account-key', JSON.stringify({ type: 'service_account', project_id: 'acme-prod', private_key_id: keyId, private_key: saPem + '\n', client_email: 'deployer@acme-prod.iam.gserviceaccount.com', client_id: digits(21), token_uri: 'https://oauth2.googleapis.com/token' }, null, 2), keyId, ['private-key-pkcs8']);
  const gocspx = `GOCSPX-${b64url(28)}`;
  add('google-oauth-client-secret', `"client_secret": "${gocspx}"`, gocspx);
  const acctKey = `${b64(86)}==`;
  add('azure-storage-connection-string', `DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey=${acctKey};EndpointSuffix=core.windows.net`, acctKey);
  const sbKey = `${b64(43)}=`;
  add('azure-service-bus-connection-string', `Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${sbKey}`, sbKey);
  const ast = `${b64(76)}+ASt${b64(5)}A==`;
  add('azure-storage-identifiable-key', `STORAGE_KEY=${ast}`, ast);
  const acdb = `${b64(76)}ACDb${b64(5)}Q==`;
  add('azure-cosmosdb-identifiable-key', `COSMOS_KEY=${acdb}`, acdb);
  const asb = `${b64(33)}+ASb${b64(5)}E=`;
  add('azure-service-bus-identifiable-key', `SB_KEY=${asb}`, asb);
  const azfu = `${b64url(44)}AzFu${b64url(5)}g==`;
  add('azure-function-key', `x-functions-key: ${azfu}`, azfu);
  const entra = `${b62(3)}8Q~${b62(34)}`;
  add('azure-entra-client-secret', `AZURE_CLIENT_SECRET=${entra}`, entra);
  const sig = `${b64(43)}%3D`;
  add('azure-sas-token', `https://acmeprod.blob.core.windows.net/backups/db.tar?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&spr=https&sig=${sig}`, sig);
  const xoxb = `xoxb-${digits(12)}-${digits(13)}-${b62(24)}`;
  add('slack-bot-token', `SLACK_BOT_TOKEN=${xoxb}`, xoxb);
  const xoxp = `xoxp-${digits(12)}-${digits(12)}-${digits(13)}-${hex(32)}`;
  add('slack-user-token', `slack: ${xoxp}`, xoxp);
  const xapp = `xapp-1-A${rand(UPPER_ALNUM, 10)}-${digits(13)}-${hex(64)}`;
  add('slack-app-token', `SLACK_APP_TOKEN=${xapp}`, xapp);
  const xoxr = `xoxr-${digits(12)}-${b62(40)}`;
  add('slack-legacy-token', `refresh ${xoxr}`, xoxr);
  const xoxe = `xoxe.xoxp-1-${rand(UPPER_ALNUM, 160)}`;
  add('slack-config-token', `config ${xoxe}`, xoxe);
  const hook = `https://hooks.slack.com/services/T${rand(UPPER_ALNUM, 10)}/B${rand(UPPER_ALNUM, 10)}/${b62(24)}`;
  add('slack-webhook-url', `webhook_url: ${hook}`, hook);
  const skLive = `sk_live_${b62(24)}`;
  add('stripe-live-secret-key', `Stripe.api_key = "${skLive}"`, skLive);
  const rkLive = `rk_live_${b62(24)}`;
  add('stripe-restricted-key', `STRIPE_KEY=${rkLive}`, rkLive);
  const whsec = `whsec_${b62(32)}`;
  add('stripe-webhook-secret', `STRIPE_WEBHOOK_SECRET=${whsec}`, whsec);
  const openai = `sk-proj-${b64url(40)}T3BlbkFJ${b64url(40)}`;
  add('openai-api-key', `OPENAI_API_KEY=${openai}`, openai);
  const ant = `sk-ant-api03-${b64url(93)}AA`;
  add('anthropic-api-key', `ANTHROPIC_API_KEY=${ant}`, ant);
  const antAdmin = `sk-ant-admin01-${b64url(93)}AA`;
  add('anthropic-admin-key', `key: ${antAdmin}`, antAdmin);
  const sg = `SG.${b64url(22)}.${b64url(43)}`;
  add('sendgrid-api-key', `SENDGRID_API_KEY='${sg}'`, sg);
  const twSk = `SK${hex(32)}`;
  add('twilio-api-key', `TWILIO_API_KEY=${twSk}`, twSk);
  const twToken = hex(32);
  add('twilio-auth-token', `TWILIO_ACCOUNT_SID=AC${hex(32)}\nTWILIO_AUTH_TOKEN=${twToken}`, twToken);
  const shp = `shpat_${hex(32)}`;
  add('shopify-access-token', `X-Shopify-Access-Token: ${shp}`, shp);
  const sntry = `sntryu_${hex(64)}`;
  add('sentry-auth-token', `SENTRY_AUTH_TOKEN=${sntry}`, sntry);
  const glsa = `glsa_${b62(32)}_${hex(8)}`;
  add('grafana-service-account-token', `grafana: ${glsa}`, glsa);
  const pmak = `PMAK-${hex(24)}-${hex(34)}`;
  add('postman-api-key', `postman ${pmak}`, pmak);
  const nrak = `NRAK-${rand(UPPER_ALNUM, 27)}`;
  add('newrelic-user-api-key', `NEW_RELIC_API_KEY=${nrak}`, nrak);
  const lin = `lin_api_${b62(40)}`;
  add('linear-api-key', `LINEAR_API_KEY=${lin}`, lin);
  const atatt = `ATATT3${b62(190)}`;
  add('atlassian-api-token', `JIRA_API_TOKEN=${atatt}`, atatt);
  const tsk = generateStaticKey();
  add('tessera-static-key', `TESSERA_KEY=${tsk}`, tsk);
  const hvs = `hvs.${b64url(91)}`;
  add('vault-token', `VAULT_TOKEN=${hvs}`, hvs);
  const sdot = `s.${b62(24)}`;
  add('vault-legacy-token', `vault login ${sdot}`, sdot);
  const ckd = b64(120);
  add('kubeconfig-credential', `apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster:\n    server: https://10.0.0.1:6443\nusers:\n- name: admin\n  user:\n    client-key-data: ${ckd}\ncurrent-context: prod\n`, ckd);
  const dbPass = b62(20);
  add('database-uri-password', `DATABASE_URL=postgres://app:${dbPass}@db-prod-1.corp.acme.io:5432/app`, dbPass);
  const mongoPass = b62(16);
  add('database-uri-password', `uri = "mongodb+srv://svc:${mongoPass}@cluster0.abcd1.mongodb.net/prod?retryWrites=true"`, mongoPass);
  const dop = `dop_v1_${hex(64)}`;
  add('digitalocean-token', `DIGITALOCEAN_TOKEN=${dop}`, dop);
  const dapi = `dapi${hex(32)}`;
  add('databricks-token', `DATABRICKS_TOKEN=${dapi}`, dapi);
  const tfc = `${b62(14)}.atlasv1.${b64url(67)}`;
  add('terraform-cloud-token', `credentials "app.terraform.io" { token = "${tfc}" }`, tfc);
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const j = jwt({ alg: 'ES256', typ: 'JWT', kid: 'k1' }, { iss: 'https://login.acme.io', sub: 'svc-billing', aud: 'api', exp });
  add('jwt', `Authorization: Bearer ${j}`, j);
  const k8s = jwt({ alg: 'RS256', kid: 'abc' }, { iss: 'kubernetes/serviceaccount', 'kubernetes.io/serviceaccount/namespace': 'prod', sub: 'system:serviceaccount:prod:deployer' });
  add('kubernetes-service-account-token', `bearer ${k8s}`, k8s);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
  add('private-key-rsa', rsa.export({ type: 'pkcs1', format: 'pem' }).toString(), '');
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  add('private-key-ec', ec.export({ type: 'sec1', format: 'pem' }).toString(), '');
  add('private-key-dsa', pem('DSA PRIVATE KEY', Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0xbb]), randomBytes(443)])), '');
  const ed = generateKeyPairSync('ed25519').privateKey;
  add('private-key-pkcs8', ed.export({ type: 'pkcs8', format: 'pem' }).toString(), '');
  add('private-key-pkcs8-encrypted', ec.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString(), '');
  add('private-key-openssh', pem('OPENSSH PRIVATE KEY', opensshBody()), '');
  add('private-key-pgp', `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${b64(64)}\n${b64(64)}\n${b64(20)}\n=${b64(4)}\n-----END PGP PRIVATE KEY BLOCK-----`, '');
  const pw = `Kf8#${b62(16)}!q`;
  add('generic-secret-assignment', `db_password: "${pw}"`, pw);
  return out;
}
