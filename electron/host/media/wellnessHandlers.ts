/** The wellness part of the contract (shared/contract/wellness.ts): shield settings and exposure (wellness.ts). */
import type { wellnessMethods } from '../../../shared/contract/wellness.js';
import type { Handlers, HostServices } from '../services.js';
import { changeWellness, listExposure, readWellness, recordExposure } from './wellness.js';

export function wellnessHandlers(host: HostServices): Handlers<keyof typeof wellnessMethods> {
  return {
    'wellness.get': async ({ annotator }) => readWellness(host.workspace, annotator),
    'wellness.set': async ({ annotator, change }, caller) =>
      changeWellness(host.workspace, annotator, change, caller.role === 'owner' ? 'owner' : caller.annotator),
    'wellness.exposure.record': async ({ annotator, intervals }) => recordExposure(host, annotator, intervals),
    'wellness.exposure.list': async ({ days, annotator }) => ({
      days: await listExposure(host.workspace, days, annotator),
    }),
  };
}
