/**
 * Where media views take their Shield from. Until wellness's renderer/media/Shield.tsx lands this passes through
 * with the same props; then it re-exports that one.
 */
import type { ReactNode } from 'react';
import type { MediaShieldFacts } from '../../shared/media';

export function Shield({ children }: { contentId: string; facts: MediaShieldFacts; children: ReactNode }) {
  return <>{children}</>;
}
