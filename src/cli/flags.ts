/** Flag parsing shared by the CLI's commands: typed values or one usage error naming the flag. */

/** A usage error: the CLI prints it and exits 2. */
export type UsageError = (message: string) => Error;

/** parseArgs' values of a command's flags. */
export type Flags = { readonly [name: string]: string | boolean | undefined };

/** A flag's value if it was given as text (parseArgs gives booleans for flags without a value). */
export function textFlag(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `--name <n>` as a whole number, or undefined when not given. */
export function wholeFlag<F extends Flags>(flags: F, name: keyof F & string, usage: UsageError): number | undefined {
  const v = textFlag(flags[name]);
  if (v === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(v.trim())) throw usage(`--${name} takes a whole number`);
  return Number(v);
}

/** `--name <x>` as a finite number, or undefined when not given. */
export function realFlag<F extends Flags>(flags: F, name: keyof F & string, usage: UsageError): number | undefined {
  const v = textFlag(flags[name]);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw usage(`--${name} takes a number`);
  return n;
}
