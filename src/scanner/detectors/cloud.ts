// Cloud providers: AWS, Google Cloud, Azure.
import { nearby, tokenDetector } from './define.ts';
import { isHardNegative, shannonEntropy } from './hard-negatives.ts';
import type { Detector } from './types.ts';

const AWS_REVOKE = 'Deactivate and delete the access key in IAM (aws iam update-access-key --status Inactive, then delete-access-key), and review CloudTrail for its use.';
const AZURE_REVOKE = 'Regenerate (rotate) the key in the Azure portal for the resource that owns it.';

// Forty characters of the secret-key alphabet, not inside a longer run; all-hex runs are SHA-1s.
const AWS_SECRET = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
const PAIR_WINDOW = 512;

function looksLikeAwsSecret(s: string): boolean {
  return !/^[0-9a-f]+$/i.test(s) && /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s) && shannonEntropy(s) >= 4 && !isHardNegative(s);
}

/** An AWS secret access key within PAIR_WINDOW characters of the key id, if any. */
function pairedSecret(match: RegExpExecArray): string | undefined {
  const around = nearby(match, PAIR_WINDOW);
  for (const m of around.matchAll(AWS_SECRET)) if (looksLikeAwsSecret(m[0])) return m[0];
  return undefined;
}

function azureIdentifiable(id: string, title: string, keyword: string, body: string): Detector {
  return tokenDetector({
    id, title, severity: 'critical', keywords: [keyword.toLowerCase()], revocation: AZURE_REVOKE,
    pattern: new RegExp(`(?<![A-Za-z0-9/+_-])${body}`, 'g'),
    // The signature sits near the end: up to 76 key characters come before it.
    reach: { before: 80, after: 16, sameLine: true },
    confirm: (secret) => ({ secret, confidence: 'high', details: { signature: keyword } }),
  });
}

export const CLOUD_DETECTORS: Detector[] = [
  tokenDetector({
    id: 'aws-access-key-id', title: 'AWS access key', severity: 'critical', keywords: ['akia', 'asia', 'abia', 'acca'],
    pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/g, revocation: AWS_REVOKE,
    confirm: (secret, match) => {
      const paired = pairedSecret(match) !== undefined;
      const temporary = secret.startsWith('ASIA');
      return { secret, confidence: paired ? 'high' : temporary ? 'low' : 'medium', details: { secretKeyNearby: paired, temporary } };
    },
  }),
  tokenDetector({
    id: 'aws-secret-access-key', title: 'AWS secret access key', severity: 'critical',
    keywords: ['secret_access_key', 'secretaccesskey', 'aws_secret_key', 'secret-access-key'],
    pattern: /(?:secret_?access_?key|aws_secret_key|secret-access-key)["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
    reach: { before: 0, after: 1024 }, // `\s*` may cross a line break
    group: 1, revocation: AWS_REVOKE, confirm: (secret) => looksLikeAwsSecret(secret),
  }),
  tokenDetector({
    id: 'google-api-key', title: 'Google API key', severity: 'high', keywords: ['aiza'],
    pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g,
    revocation: 'Delete or regenerate the key under APIs & Services → Credentials in the Google Cloud console.',
  }),
  tokenDetector({
    id: 'gcp-service-account-key', title: 'Google Cloud service-account key file', severity: 'critical', keywords: ['private_key_id'],
    pattern: /"private_key_id"\s*:\s*"([0-9a-f]{40})"/g, group: 1, reach: { before: 1, after: 1024 },
    revocation: 'Delete the key: gcloud iam service-accounts keys delete KEY_ID --iam-account=EMAIL.',
    confirm: (secret, match) => {
      const around = nearby(match);
      if (!/"type"\s*:\s*"service_account"/.test(around)) return null;
      const email = /"client_email"\s*:\s*"([^"]+)"/.exec(around)?.[1];
      return { secret, confidence: 'high', details: { keyId: secret, ...(email === undefined ? {} : { clientEmail: email }) } };
    },
  }),
  tokenDetector({
    id: 'google-oauth-client-secret', title: 'Google OAuth client secret', severity: 'high', keywords: ['gocspx-'],
    pattern: /\bGOCSPX-[0-9A-Za-z_-]{28}(?![0-9A-Za-z_-])/g, revocation: 'Reset the client secret in the Google Cloud console.',
  }),
  tokenDetector({
    id: 'azure-storage-connection-string', title: 'Azure storage account key in a connection string', severity: 'critical',
    keywords: ['accountkey='], pattern: /AccountKey=([A-Za-z0-9+/]{86}==)/gi, group: 1, revocation: AZURE_REVOKE,
    confirm: (secret, _m, line) => {
      // Identifiable keys are reported by their own, more certain rule.
      if (/\+ASt[A-Za-z0-9/+]{5}[AQgw]==$/.test(secret)) return null;
      const account = /AccountName=([a-z0-9]{3,24})/i.exec(line)?.[1];
      return { secret, confidence: account === undefined ? 'medium' : 'high', details: account === undefined ? {} : { account } };
    },
  }),
  tokenDetector({
    id: 'azure-service-bus-connection-string', title: 'Azure Service Bus / Event Hubs shared access key', severity: 'high',
    keywords: ['sharedaccesskey='], pattern: /SharedAccessKey=([A-Za-z0-9+/]{43}=)/gi, group: 1, revocation: AZURE_REVOKE,
    confirm: (secret) => !/\+ASb[A-Za-z0-9/+]{5}[AEIMQUYcgkosw048]=$/.test(secret),
  }),
  azureIdentifiable('azure-storage-identifiable-key', 'Azure storage account key (identifiable)', '+ASt', '[A-Za-z0-9/+]{76}\\+ASt[A-Za-z0-9/+]{5}[AQgw]=='),
  azureIdentifiable('azure-cosmosdb-identifiable-key', 'Azure Cosmos DB key (identifiable)', 'ACDb', '[A-Za-z0-9/+]{76}ACDb[A-Za-z0-9/+]{5}[AQgw]=='),
  azureIdentifiable('azure-service-bus-identifiable-key', 'Azure Service Bus / Event Hubs key (identifiable)', '+ASb', '[A-Za-z0-9/+]{33}\\+ASb[A-Za-z0-9/+]{5}[AEIMQUYcgkosw048]='),
  azureIdentifiable('azure-function-key', 'Azure Functions key (identifiable)', 'AzFu', '[A-Za-z0-9_-]{44}AzFu[A-Za-z0-9_-]{5}[AQgw]=='),
  tokenDetector({
    id: 'azure-entra-client-secret', title: 'Microsoft Entra ID (Azure AD) client secret', severity: 'critical',
    // "Q~" always follows a digit; three-character keywords keep the byte prefilter fast.
    keywords: [...'0123456789'].map((digit) => `${digit}q~`),
    pattern: /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g, reach: { before: 3, after: 40, sameLine: true },
    revocation: 'Delete the secret under App registrations → Certificates & secrets.',
  }),
  tokenDetector({
    id: 'azure-sas-token', title: 'Azure shared access signature', severity: 'high', keywords: ['sig='],
    pattern: /[?&]sig=([A-Za-z0-9%+/]{40,}(?:%3D|=){0,2})/g, group: 1, confidence: 'medium', reach: { before: 1, after: 1024, sameLine: true },
    revocation: 'Rotate the account key (or revoke the stored access policy) that signed the SAS.',
    confirm: (_s, _m, line) => /[?&]sv=\d{4}-\d\d-\d\d/.test(line) && /[?&]se=/.test(line),
  }),
];
