/** Flag parsing shared by the CLI's commands: typed values or one usage error naming the flag. */

/** A usage error: the CLI prints it and exits 2. */
export type UsageError = (message: string) => Error;

/** parseArgs' values of a command's flags (a repeatable flag gives a list). */
export type Flags = { readonly [name: string]: string | boolean | string[] | undefined };

/** A flag's value if it was given as text (parseArgs gives booleans for flags without a value). */
export function textFlag(value: string | boolean | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
