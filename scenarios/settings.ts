/** Helpers the scenario files share. */

/** Lays generated items end to end: each starts `gap` ms after the previous one ended (its `duration`, if any). */
export function inSequence<T extends { gap: number; duration?: number }, E>(items: readonly T[], entry: (item: T, at: number) => E): E[] {
  let at = 0;
  return items.map((item) => {
    at += item.gap;
    const e = entry(item, at);
    at += item.duration ?? 0;
    return e;
  });
}
