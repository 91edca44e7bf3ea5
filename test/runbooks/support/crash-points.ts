/**
 * The calls of an uninterrupted run to crash at, for a crash-resume test. A crash changes nothing but what persisted
 * before it, so points that leave the same persisted state are one case: `after` a read is the same as `before` the
 * next call, and the later rounds of a poll repeat its first. `before`: every call, except one that repeats one of the
 * 4 before it; calls with an effect always. `after`: the calls with an effect.
 */
export function crashPoints<C>(
  calls: readonly C[],
  when: 'before' | 'after',
  call: { readonly hasEffect: (c: C) => boolean; readonly keyOf: (c: C) => string },
): number[] {
  const points: number[] = [];
  calls.forEach((c, i) => {
    const recent = calls.slice(Math.max(0, i - 4), i).map(call.keyOf);
    if (call.hasEffect(c) || (when === 'before' && !recent.includes(call.keyOf(c)))) points.push(i);
  });
  return points;
}
