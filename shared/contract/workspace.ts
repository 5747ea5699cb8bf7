/** The workspace, its tables, and settings. */
import { z } from 'zod/v3';
import { empty, method, nonEmpty } from './base.js';

export interface ColumnInfo {
  name: string;
  type: string;
}

export interface TableInfo {
  name: string;
  kind: 'table' | 'view';
  rowCount: number | null;
  columns: ColumnInfo[];
  /** Sift-owned: never writable from the editor. */
  protected: boolean;
  /** Where an imported table came from. */
  source?: { path: string; linked: boolean; importedAt: string };
  /** The canonical table this one is mapped onto, when a mapping was saved. */
  mappedTo?: string;
}

export interface WorkspaceInfo {
  path: string;
  name: string;
  tableCount: number;
  /** Files the workspace holds beside the database, such as incidents.json. */
  files: string[];
}

export interface Settings {
  /** Lets the SQL editor write to imported tables (never to Sift's own). */
  allowWrites: boolean;
}

export const workspaceMethods = {
  'workspace.info': method<WorkspaceInfo>()(empty),
  'workspace.open': method<WorkspaceInfo>()(z.object({ path: nonEmpty('path') }).strict()),
  /** Creates an empty workspace (Sift's own tables and the policy, no data) in a new or empty folder, and opens it. */
  'workspace.create': method<WorkspaceInfo>()(z.object({ path: nonEmpty('path') }).strict()),
  'workspace.recent': method<{ path: string; name: string; exists: boolean }[]>()(empty),
  'tables.list': method<TableInfo[]>()(empty),
  'settings.get': method<Settings>()(empty),
  'settings.update': method<Settings>()(z.object({ allowWrites: z.boolean().optional() }).strict()),
} as const;
