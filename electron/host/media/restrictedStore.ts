/**
 * Restricted media's records in Sift's store (never reachable from user SQL): the owner's approvals of a reveal per
 * item and reviewer (`restricted_approvals`), the audit log of every reveal (`restricted_reveals`, append-only), and
 * the workspace's retention setting (`restricted_settings`). Tables made on first use, like the feeds'.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { RestrictedApproval, RetentionSetting, RevealRecord } from '../../../shared/contract.js';
import type { Workspace } from '../workspace/workspace.js';

const RESTRICTED_STORE_DDL = `
  CREATE TABLE IF NOT EXISTS restricted_approvals (
    content_id VARCHAR NOT NULL, reviewer VARCHAR NOT NULL, requested_at TIMESTAMP, reason VARCHAR,
    approved_at TIMESTAMP, PRIMARY KEY (content_id, reviewer));
  CREATE TABLE IF NOT EXISTS restricted_reveals (
    revealed_at TIMESTAMP NOT NULL, reviewer VARCHAR NOT NULL, content_id VARCHAR NOT NULL, position INTEGER NOT NULL,
    rendition VARCHAR NOT NULL);
  CREATE TABLE IF NOT EXISTS restricted_settings (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);`;

const RETENTION_KEY = 'retention_days';
const ISO = (column: string) => `strftime(${column}, '%Y-%m-%dT%H:%M:%S.%gZ')`;

export async function withRestrictedStore<T>(workspace: Workspace, work: (conn: DuckDBConnection) => Promise<T>) {
  return workspace.withStore(async (conn) => {
    await conn.run(RESTRICTED_STORE_DDL);
    return work(conn);
  });
}

const APPROVAL_COLUMNS = `content_id, reviewer, ${ISO('requested_at')}, reason, ${ISO('approved_at')}`;

function approvalOf(row: unknown[]): RestrictedApproval {
  const [contentId, reviewer, requestedAt, reason, approvedAt] = row;
  return {
    contentId: String(contentId),
    reviewer: String(reviewer),
    state: approvedAt === null ? 'requested' : 'approved',
    requestedAt: (requestedAt as string | null) ?? null,
    reason: (reason as string | null) ?? null,
    approvedAt: (approvedAt as string | null) ?? null,
  };
}

async function approvalRow(conn: DuckDBConnection, contentId: string, reviewer: string) {
  const rows = (
    await conn.runAndReadAll(
      `SELECT ${APPROVAL_COLUMNS} FROM restricted_approvals WHERE content_id = $contentId AND reviewer = $reviewer`,
      { contentId, reviewer },
    )
  ).getRowsJson();
  return rows[0] ? approvalOf(rows[0]) : null;
}

/** A reviewer's request; asking again keeps an approval that was already given. */
export async function requestApproval(
  workspace: Workspace,
  contentId: string,
  reviewer: string,
  reason: string | null,
  now: Date,
): Promise<RestrictedApproval> {
  return withRestrictedStore(workspace, async (conn) => {
    await conn.run(
      `INSERT INTO restricted_approvals VALUES ($contentId, $reviewer, $now::TIMESTAMP, $reason, NULL)
       ON CONFLICT DO UPDATE SET requested_at = excluded.requested_at, reason = excluded.reason`,
      { contentId, reviewer, now: now.toISOString(), reason },
    );
    return (await approvalRow(conn, contentId, reviewer))!;
  });
}

/** The owner's approval (with or without a request before it). */
export async function approve(
  workspace: Workspace,
  contentId: string,
  reviewer: string,
  now: Date,
): Promise<RestrictedApproval> {
  return withRestrictedStore(workspace, async (conn) => {
    await conn.run(
      `INSERT INTO restricted_approvals VALUES ($contentId, $reviewer, NULL, NULL, $now::TIMESTAMP)
       ON CONFLICT DO UPDATE SET approved_at = excluded.approved_at`,
      { contentId, reviewer, now: now.toISOString() },
    );
    return (await approvalRow(conn, contentId, reviewer))!;
  });
}

export async function revoke(workspace: Workspace, contentId: string, reviewer: string): Promise<boolean> {
  return withRestrictedStore(workspace, async (conn) => {
    const existed = (await approvalRow(conn, contentId, reviewer)) !== null;
    await conn.run('DELETE FROM restricted_approvals WHERE content_id = $contentId AND reviewer = $reviewer', {
      contentId,
      reviewer,
    });
    return existed;
  });
}

/** Requests and approvals, pending requests first, then the latest. */
export async function listApprovals(workspace: Workspace): Promise<RestrictedApproval[]> {
  return withRestrictedStore(workspace, async (conn) =>
    (
      await conn.runAndReadAll(
        `SELECT ${APPROVAL_COLUMNS} FROM restricted_approvals
         ORDER BY approved_at IS NOT NULL, coalesce(approved_at, requested_at) DESC, content_id, reviewer`,
      )
    )
      .getRowsJson()
      .map(approvalOf),
  );
}

/** The items of `contentIds` this reviewer is approved for, and those she asked about. */
export async function approvalsFor(
  workspace: Workspace,
  contentIds: readonly string[],
  reviewer: string,
): Promise<Map<string, RestrictedApproval>> {
  if (contentIds.length === 0) return new Map();
  return withRestrictedStore(workspace, async (conn) => {
    const rows = (
      await conn.runAndReadAll(
        `SELECT ${APPROVAL_COLUMNS} FROM restricted_approvals
         WHERE reviewer = ? AND content_id IN (${contentIds.map(() => '?').join(', ')})`,
        [reviewer, ...contentIds],
      )
    ).getRowsJson();
    return new Map(rows.map((row) => [String(row[0]), approvalOf(row)]));
  });
}

/** Appends one reveal to the audit log. */
export async function recordReveal(workspace: Workspace, reveal: RevealRecord): Promise<void> {
  await withRestrictedStore(workspace, (conn) =>
    conn.run('INSERT INTO restricted_reveals VALUES ($at::TIMESTAMP, $reviewer, $contentId, $position, $rendition)', {
      at: reveal.at,
      reviewer: reveal.reviewer,
      contentId: reveal.contentId,
      position: reveal.position,
      rendition: reveal.rendition,
    }),
  );
}

export async function auditLog(workspace: Workspace, limit: number): Promise<RevealRecord[]> {
  return withRestrictedStore(workspace, async (conn) =>
    (
      await conn.runAndReadAll(
        `SELECT ${ISO('revealed_at')}, reviewer, content_id, position, rendition FROM restricted_reveals
         ORDER BY revealed_at DESC, content_id, reviewer LIMIT $limit`,
        { limit },
      )
    )
      .getRowsJson()
      .map(([at, reviewer, contentId, position, rendition]) => ({
        at: String(at),
        reviewer: String(reviewer),
        contentId: String(contentId),
        position: Number(position),
        rendition: String(rendition),
      })),
  );
}

export async function readRetention(workspace: Workspace): Promise<RetentionSetting> {
  return withRestrictedStore(workspace, async (conn) => {
    const value = (
      await conn.runAndReadAll('SELECT value FROM restricted_settings WHERE key = $key', { key: RETENTION_KEY })
    ).getRowsJson()[0]?.[0];
    return { days: value === undefined ? null : Number(value) };
  });
}

export async function writeRetention(workspace: Workspace, setting: RetentionSetting): Promise<RetentionSetting> {
  await withRestrictedStore(workspace, (conn) =>
    setting.days === null
      ? conn.run('DELETE FROM restricted_settings WHERE key = $key', { key: RETENTION_KEY })
      : conn.run(
          `INSERT INTO restricted_settings VALUES ($key, $value) ON CONFLICT DO UPDATE SET value = excluded.value`,
          { key: RETENTION_KEY, value: String(setting.days) },
        ),
  );
  return setting;
}
