/**
 * Under a restricted item's media (a critical-severity label, docs/media.md): the host serves only the shielded
 * rendition until the lead approves a reveal of this item for this reviewer. The reviewer asks here; the lead
 * approves in the Restricted media panel. The host enforces it — this only says so and carries the request.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ApprovalState } from '../../shared/contract';
import { api, errorMessage } from '../api/client';

/** The reviewer is the caller: an annotator's token is that annotator, the owner is the owner (shared/restrictedMedia.ts). */
export function RestrictedNotice({ contentId }: { contentId: string }) {
  const [approval, setApproval] = useState<ApprovalState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      const [standing] = await api['restricted.standing']({ contentIds: [contentId] });
      setApproval(standing?.approval ?? 'none');
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [contentId]);
  useEffect(() => void load(), [load]);
  const ask = async () => {
    try {
      setApproval((await api['restricted.request']({ contentId })).state);
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <div className="restricted-notice" role="note" data-testid="restricted-notice" data-approval={approval ?? ''}>
      <strong>Restricted media.</strong>{' '}
      {approval === 'approved'
        ? 'The lead approved a reveal of this item for you; every reveal is recorded in the audit log.'
        : 'Only a blurred, grey copy is sent to this screen until the lead approves a reveal of this item for you.'}{' '}
      {approval === 'none' && (
        <button onClick={() => void ask()} data-testid="restricted-request">
          Ask the lead to approve
        </button>
      )}
      {approval === 'requested' && <span className="muted">Asked; waiting for the lead.</span>}
      {error && <span className="error-text"> {error}</span>}
    </div>
  );
}
