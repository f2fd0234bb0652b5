/** A port someone named is taken: the caller's to change (the CLI exits 2 on it), not a crash. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
}
