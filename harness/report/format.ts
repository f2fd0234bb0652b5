/** Real-world milliseconds as a person reads them: "850 ms", "2.4 s", "36 s"; "—" for no data. */
export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
