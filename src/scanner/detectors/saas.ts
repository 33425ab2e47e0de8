// Hosted services: chat, payments, AI, e-mail, telephony, observability, developer tools.
import { nearby, tokenDetector } from './define.ts';
import { isPlaceholder } from './hard-negatives.ts';
import type { Detector } from './types.ts';

const SLACK_REVOKE = 'Revoke the token (auth.revoke, or reinstall/rotate under the Slack app settings).';
const STRIPE_REVOKE = 'Roll the key under Developers → API keys in the Stripe dashboard.';

function simple(id: string, title: string, severity: Detector['severity'], keyword: string, pattern: RegExp, revocation: string, reach?: Detector['reach']): Detector {
  return tokenDetector({ id, title, severity, keywords: [keyword], pattern, revocation, ...(reach ? { reach } : {}) });
}

// Twilio SIDs count only with the vendor named within 256 characters.
const TWILIO_REACH = { before: 300, after: 300 };

export const SAAS_DETECTORS: Detector[] = [
  simple('slack-bot-token', 'Slack bot token', 'critical', 'xoxb-', /\bxoxb-\d{10,13}-\d{10,13}-[0-9A-Za-z]{24}\b/g, SLACK_REVOKE),
  simple('slack-user-token', 'Slack user token', 'critical', 'xoxp-', /\bxoxp-\d{10,13}-\d{10,13}-\d{10,13}-[0-9a-f]{32}\b/g, SLACK_REVOKE),
  simple('slack-app-token', 'Slack app-level token', 'high', 'xapp-', /\bxapp-\d-[A-Z0-9]{9,12}-\d{10,13}-[0-9a-f]{64}\b/g, SLACK_REVOKE),
  simple('slack-legacy-token', 'Slack legacy/workspace token', 'high', 'xox', /\bxox[aors]-(?:\d+-){1,3}[0-9A-Za-z]{16,}\b/g, SLACK_REVOKE),
  simple('slack-config-token', 'Slack configuration token', 'high', 'xoxe', /\bxoxe(?:\.xox[bp])?-\d-[A-Z0-9]{146,166}\b/g, SLACK_REVOKE),
  simple('slack-webhook-url', 'Slack incoming webhook URL', 'high', 'hooks.slack.com',
    /https:\/\/hooks\.slack\.com\/(?:services|workflows)\/T[A-Z0-9]{8,12}\/[AB][A-Z0-9]{8,12}\/[0-9A-Za-z]{24}\b/g,
    'Remove the webhook under the Slack app’s Incoming Webhooks page.', { before: 8, after: 1024, sameLine: true }),
  simple('stripe-live-secret-key', 'Stripe live secret key', 'critical', 'sk_live_', /\bsk_live_[0-9A-Za-z]{24,247}\b/g, STRIPE_REVOKE),
  simple('stripe-restricted-key', 'Stripe live restricted key', 'high', 'rk_live_', /\brk_live_[0-9A-Za-z]{24,247}\b/g, STRIPE_REVOKE),
  tokenDetector({
    id: 'stripe-webhook-secret', title: 'Stripe webhook signing secret', severity: 'medium', keywords: ['whsec_'],
    pattern: /\bwhsec_[0-9A-Za-z+/]{32,}={0,2}/g, revocation: 'Roll the endpoint signing secret in the Stripe dashboard.',
  }),
  simple('openai-api-key', 'OpenAI API key', 'critical', 't3blbkfj',
    /\bsk-(?:proj-|svcacct-|admin-)?[0-9A-Za-z_-]{20,200}T3BlbkFJ[0-9A-Za-z_-]{20,200}(?![0-9A-Za-z_-])/g,
    'Delete the key at https://platform.openai.com/api-keys.', { before: 220, after: 220, sameLine: true }),
  simple('anthropic-api-key', 'Anthropic API key', 'critical', 'sk-ant-api', /\bsk-ant-api03-[0-9A-Za-z_-]{93}AA(?![0-9A-Za-z_-])/g,
    'Delete the key in the Anthropic Console under API keys.'),
  simple('anthropic-admin-key', 'Anthropic admin API key', 'critical', 'sk-ant-admin', /\bsk-ant-admin01-[0-9A-Za-z_-]{93}AA(?![0-9A-Za-z_-])/g,
    'Delete the admin key in the Anthropic Console.'),
  simple('sendgrid-api-key', 'SendGrid API key', 'high', 'sg.', /\bSG\.[0-9A-Za-z_-]{22}\.[0-9A-Za-z_-]{43}(?![0-9A-Za-z_-])/g,
    'Delete the key under Settings → API Keys in SendGrid.'),
  tokenDetector({
    id: 'twilio-api-key', title: 'Twilio API key SID with secret', severity: 'high', keywords: ['twilio'],
    pattern: /\bSK[0-9a-f]{32}\b/g, revocation: 'Delete the API key in the Twilio console.', reach: TWILIO_REACH,
    // "SK" + 32 hex is too common to trust without the vendor named nearby.
    confirm: (_s, match) => /twilio/i.test(nearby(match, 256)),
    confidence: 'medium',
  }),
  tokenDetector({
    id: 'twilio-auth-token', title: 'Twilio account SID with auth token', severity: 'critical', keywords: ['twilio'],
    pattern: /\bAC[0-9a-f]{32}\b/g, revocation: 'Rotate the auth token in the Twilio console (promote the secondary token).', reach: TWILIO_REACH,
    confirm: (sid, match) => {
      const around = nearby(match, 256);
      if (!/twilio/i.test(around)) return null;
      const token = /(?:auth_?token|token)["']?\s*[:=]\s*["']?([0-9a-f]{32})\b/i.exec(around)?.[1];
      if (token === undefined || isPlaceholder(token)) return null;
      return { secret: token, confidence: 'high', details: { accountSid: sid } };
    },
  }),
  simple('shopify-access-token', 'Shopify access token or shared secret', 'high', 'shp', /\bshp(?:at|ca|pa|ss)_[0-9a-fA-F]{32}\b/g,
    'Uninstall/reinstall the app or rotate the secret in the Shopify partner dashboard.'),
  simple('sentry-auth-token', 'Sentry auth token', 'high', 'sntry', /\bsntry[su]_[0-9A-Za-z+/=_-]{64,}/g, 'Revoke the token in Sentry settings.'),
  simple('grafana-service-account-token', 'Grafana service-account token', 'high', 'glsa_', /\bglsa_[0-9A-Za-z]{32}_[0-9a-fA-F]{8}\b/g,
    'Delete the token under Administration → Service accounts in Grafana.'),
  simple('postman-api-key', 'Postman API key', 'medium', 'pmak-', /\bPMAK-[0-9a-f]{24}-[0-9a-f]{34}\b/g, 'Regenerate the key in Postman settings.'),
  simple('newrelic-user-api-key', 'New Relic user API key', 'high', 'nrak-', /\bNRAK-[0-9A-Z]{27}\b/g, 'Delete the key in the New Relic API keys UI.'),
  simple('linear-api-key', 'Linear API key', 'medium', 'lin_api_', /\blin_api_[0-9A-Za-z]{40}\b/g, 'Revoke the key in Linear settings.'),
  simple('atlassian-api-token', 'Atlassian API token', 'high', 'atatt3', /\bATATT3[0-9A-Za-z_=-]{180,200}/g,
    'Revoke the token at id.atlassian.com → Security → API tokens.'),
];
