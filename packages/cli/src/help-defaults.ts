/**
 * Defaults in `--help` written for people: `(default: 16)`, `(default: adam)`, `(default:
 * global-norm:1)`, never commander's JSON (`"adam"`, `{"kind":"global-norm","maxNorm":1}`). Applied
 * to every option of every command once the program is built.
 */
import type { Command, Option } from 'commander';

/**
 * The default as a user would type it: a number or word as is, a list comma-separated, a settings
 * object `{ kind, ...values }` (what `--clip`, `--bptt`, `--schedule` parse to) as `kind:value:…`.
 * Undefined for anything else (the option must then describe its default itself, else commander's
 * JSON shows; the help test of every command catches that).
 */
export function humanDefault(value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.every((v) => typeof v === 'string' || typeof v === 'number') ? value.join(',') : undefined;
  if (typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string') {
    const { kind, ...rest } = value as Record<string, unknown>;
    const parts = Object.values(rest);
    return parts.every((v) => typeof v === 'number') ? [kind, ...parts].join(':') : undefined;
  }
  return undefined;
}

function describe(option: Option): void {
  if (option.defaultValue === undefined || option.defaultValueDescription !== undefined) return;
  const text = humanDefault(option.defaultValue);
  if (text !== undefined) option.defaultValueDescription = text;
}

/** Give every option of `program` and its subcommands a human-readable default description. */
export function describeDefaults(program: Command): Command {
  for (const option of program.options) describe(option);
  for (const sub of program.commands) describeDefaults(sub);
  return program;
}
