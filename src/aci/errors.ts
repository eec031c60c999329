// What the ACI converters report: warnings for what did not map, and one error type for input
// that cannot be converted at all. Both name the field by its path in the source document, so a
// user can find the line to change.

/** Something in the document that the ContainerGroup does not carry, or carries differently. */
export interface ImportWarning {
  /** The field's path in the source document, e.g. `properties.containers[0].properties.image`. */
  path: string;
  /** What the group does instead, and what the user can do about it. */
  message: string;
}

/** Input that cannot be converted. The message names the field's path and what to do. */
export class AciImportError extends Error {
  readonly path: string;

  constructor(path: string, message: string) {
    super(path ? `${path}: ${message}` : message);
    this.name = "AciImportError";
    this.path = path;
  }
}

/** A bad `az container create` flag value or combination; the message names the flag. */
export class CreateFlagError extends Error {
  readonly flag: string;

  constructor(flag: string, message: string) {
    super(`${flag}: ${message}`);
    this.name = "CreateFlagError";
    this.flag = flag;
  }
}
