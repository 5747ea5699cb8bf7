/**
 * Annotator identities for a labeling host shared on a LAN (browser mode): the lead makes a token per annotator;
 * a request with it acts as that annotator and reaches only the methods labeling needs.
 */
import { z } from 'zod/v3';
import { annotatorName } from './labeling.js';
import { empty, method } from './base.js';

export interface WhoAmI {
  /** owner: the person who started Sift (every method); annotator: one annotator's token (labeling only). */
  role: 'owner' | 'annotator';
  annotator: string | null;
}

export interface AnnotatorToken {
  name: string;
  createdAt: string;
}

// What an annotator's token may call is declared in shared/callerAccess.ts, and enforced by Host.dispatch.

export const annotatorMethods = {
  'auth.whoami': method<WhoAmI>()(empty),
  'annotators.list': method<AnnotatorToken[]>()(empty),
  /** A new token for an annotator (replacing any they had); shown once, stored only as a hash. */
  'annotators.createToken': method<{ name: string; token: string }>()(z.object({ name: annotatorName }).strict()),
  'annotators.revoke': method<{ revoked: boolean }>()(z.object({ name: annotatorName }).strict()),
} as const;
