/**
 * The base of every error Earshot shows to a user. `message` is plain
 * language, complete, and says what the user can do; the UI shows it as is.
 * Subclasses carry the machine-readable details (status codes, field names).
 */
export class EarshotError extends Error {
  override name = 'EarshotError';
}

/** A session status change the state machine does not allow. */
export class InvalidTransitionError extends EarshotError {
  override readonly name = 'InvalidTransitionError';
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(`A monitor session cannot go from "${from}" to "${to}".`);
  }
}

/** A monitoring action the rules refuse; `message` is the reason shown to the user. */
export class RuleRefusedError extends EarshotError {
  override readonly name = 'RuleRefusedError';
}

/** An extension from a portal or a form that Earshot will not dial. */
export class InvalidExtensionError extends EarshotError {
  override readonly name = 'InvalidExtensionError';
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`"${input}" is not an extension Earshot can monitor: ${reason}.`);
  }
}

/** A PBX profile asked for something it cannot do (e.g. no code for a mode). */
export class ProfileError extends EarshotError {
  override readonly name = 'ProfileError';
}
