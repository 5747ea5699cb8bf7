/** The annotators part of the contract (shared/contract/annotators.ts): who calls, and the tokens of a shared host. */
import type { annotatorMethods } from '../../../shared/contract/annotators.js';
import type { Handlers, HostServices } from '../services.js';
import { AnnotatorTokens } from './annotatorTokens.js';

export function annotatorHandlers(host: HostServices): Handlers<keyof typeof annotatorMethods> {
  return {
    'auth.whoami': async (_input, caller) =>
      caller.role === 'owner' ? { role: 'owner', annotator: null } : { role: 'annotator', annotator: caller.annotator },
    'annotators.list': async () => new AnnotatorTokens(host.workspace.dir).list(),
    'annotators.createToken': async ({ name }) => new AnnotatorTokens(host.workspace.dir).create(name),
    'annotators.revoke': async ({ name }) => ({ revoked: new AnnotatorTokens(host.workspace.dir).revoke(name) }),
  };
}
