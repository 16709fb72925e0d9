/**
 * Typed errors at the tfjs boundary (files, URLs, images). Each message names what was received and what is
 * allowed, so the UI and the CLI can show it as is.
 */

/** A weights source that is not what it claims: bad JSON, missing shards, wrong sizes, not HDF5. */
export class WeightsFormatError extends Error {
  override readonly name = 'WeightsFormatError';
}

/** Weights that do not fit the model: names the first layer that disagrees and both shapes. */
export class WeightsMismatchError extends Error {
  override readonly name = 'WeightsMismatchError';
  constructor(
    message: string,
    readonly layer: string,
    readonly expected?: readonly number[],
    readonly received?: readonly number[],
  ) {
    super(message);
  }
}

/** A fetch that failed (network, HTTP status, CORS) or was cancelled. */
export class FetchError extends Error {
  override readonly name = 'FetchError';
}

/** An image we cannot classify: not an image, corrupt, empty, too large. */
export class ImageInputError extends Error {
  override readonly name = 'ImageInputError';
}

/** The user cancelled a long operation. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(what = 'operation') {
    super(`${what} cancelled`);
  }
}

export const fmtShape = (s: readonly (number | null)[] | undefined) => (s ? `[${s.join(', ')}]` : '(none)');
