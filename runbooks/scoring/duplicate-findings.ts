import type { ScoreFindings } from './score-findings';
import type { ScoreInput } from './score-input';
import type { Duplicate } from './score-run';

/**
 * Duplicates: a shopper's re-placed order whose original is on the primary too (never gone, or brought back by a
 * replay). Each fails the run.
 */
export function duplicateFindings(input: ScoreInput, findings: ScoreFindings): Duplicate[] {
  const duplicates: Duplicate[] = [];
  for (const ack of input.acks) {
    if (ack.kind !== 'order_replaced' || !ack.replaces) continue;
    const after = input.afterRecovery ?? input.newPrimary;
    if (after[ack.replaces]?.present && after[ack.order_id]?.present) {
      duplicates.push({
        original: ack.replaces,
        replacement: ack.order_id,
        seen: input.newPrimary[ack.replaces]?.present ? 'on the new primary' : 'after recovery',
      });
    }
  }
  for (const d of duplicates) {
    findings.failed.push(
      `Order ${d.original} is on the primary ${d.seen === 'after recovery' ? 'again after recovery' : 'although its shopper could not see it'} beside ${d.replacement}, which the shopper placed instead: a duplicate.`,
    );
  }
  return duplicates;
}
