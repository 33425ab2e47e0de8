import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { operationsRoutes } from './operations.ts';
import { identityRoutes } from './identities.ts';
import { auditRoutes } from './audit.ts';
import { oauth2Routes } from './oauth2.ts';
import { principalRoutes } from './principals.ts';

export async function registerRoutes(app: FastifyInstance, s: Services): Promise<void> {
  operationsRoutes(app, s);
  identityRoutes(app, s);
  auditRoutes(app, s);
  oauth2Routes(app, s);
  principalRoutes(app, s);
}
