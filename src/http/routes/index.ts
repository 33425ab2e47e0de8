import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { operationsRoutes } from './operations.ts';
import { identityRoutes } from './identities.ts';
import { auditRoutes } from './audit.ts';
import { oauth2Routes } from './oauth2.ts';
import { principalRoutes } from './principals.ts';
import { revocationRoutes } from './revocations.ts';
import { oauth2IntrospectionRoutes } from './oauth2-introspection.ts';
import { staticKeyRoutes } from './static-keys.ts';
import { x509SvidRoutes } from './x509-svids.ts';
import { discoveryRoutes } from './discovery.ts';
import { jwtSvidRoutes } from './jwt-svids.ts';
import { caRoutes } from './ca.ts';
import { trustSourceRoutes } from './trust-sources.ts';
import { joinTokenRoutes } from './join-tokens.ts';

export async function registerRoutes(app: FastifyInstance, s: Services): Promise<void> {
  operationsRoutes(app, s);
  identityRoutes(app, s);
  auditRoutes(app, s);
  oauth2Routes(app, s);
  principalRoutes(app, s);
  revocationRoutes(app, s);
  oauth2IntrospectionRoutes(app, s);
  staticKeyRoutes(app, s);
  x509SvidRoutes(app, s);
  discoveryRoutes(app, s);
  jwtSvidRoutes(app, s);
  caRoutes(app, s);
  trustSourceRoutes(app, s);
  joinTokenRoutes(app, s);
}
