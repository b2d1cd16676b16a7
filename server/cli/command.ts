// A command of the command line, declared once (name, what it does, its arguments and options) and run from
// that declaration: `--help` and usage errors (an unknown option, a missing argument) come from it, so a new
// command is one declaration plus its work.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AppError } from '../core/errors.ts';
import { runCli } from './run-cli.ts';

/** One option of a command. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** What the help says it does. */
  description: string;
  /** The placeholder of its value in help, e.g. `YYYY-MM-DD` (string options). */
  value?: string;
  /** May be given more than once; its values are collected in order. */
  multiple?: boolean;
  default?: string | boolean | string[];
}

/** A command: `npm run <name> -- <args> [options]`. */
export interface CommandSpec<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  /** The npm script, e.g. `add` for `npm run add`. */
  name: string;
  /** One sentence: what it does. */
  summary: string;
  /** The arguments as the usage line shows them, e.g. `<file...>`; omitted when it takes none. */
  args?: string;
  /** Fewest and most arguments (by default none are taken). */
  minArgs?: number;
  maxArgs?: number;
  options: O;
  /** Further lines of help: environment variables, examples. */
  notes?: readonly string[];
}

type OptionValue<S extends OptionSpec> = S['type'] extends 'boolean' ? boolean : S['multiple'] extends true ? string[] : string;

/** The parsed options of a command: options with a default always have a value. */
export type OptionValues<O extends Record<string, OptionSpec>> = {
  [K in keyof O]: O[K] extends { default: unknown } ? OptionValue<O[K]> : OptionValue<O[K]> | undefined;
};

/** What a command's work receives. */
export interface CommandInput<O extends Record<string, OptionSpec>> {
  values: OptionValues<O>;
  args: string[];
}

/** Declares a command; the identity, typed, so that its options' types reach its work. */
export function defineCommand<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

const HELP_OPTION: OptionSpec = { type: 'boolean', description: 'show this help' };

/** `npm run add -- <file...> [--title T] …`: the one-line usage. */
export function usageLine(spec: CommandSpec): string {
  const options = Object.entries(spec.options).map(([name, option]) => `[--${name}${option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : ''}]`);
  const dashes = spec.args !== undefined || options.length > 0 ? ' --' : '';
  return `npm run ${spec.name}${dashes}${spec.args === undefined ? '' : ` ${spec.args}`}${options.length > 0 ? ` ${options.join(' ')}` : ''}`;
}

/** The full help of a command. */
export function formatHelp(spec: CommandSpec): string {
  const rows = Object.entries({ ...spec.options, help: HELP_OPTION }).map(([name, option]) => {
    const flag = `${name === 'help' ? '-h, ' : ''}--${name}${option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : ''}`;
    const shown = option.default === undefined || option.default === false || (Array.isArray(option.default) && option.default.length === 0) ? '' : ` (default: ${String(option.default)})`;
    return [flag, `${option.description}${shown}`] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  const lines = [`usage: ${usageLine(spec)}`, '', spec.summary, '', 'options:', ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`)];
  if (spec.notes !== undefined && spec.notes.length > 0) lines.push('', ...spec.notes);
  return `${lines.join('\n')}\n`;
}

/** The option name closest to `name` (at most two edits away), for "did you mean". */
function closestOption(name: string, names: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i += 1) {
      const next = [i];
      for (let j = 1; j <= b.length; j += 1) next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
      row = next;
    }
    return row[b.length] ?? Infinity;
  };
  const ranked = names.map((candidate) => ({ candidate, d: distance(name, candidate) })).sort((x, y) => x.d - y.d);
  return ranked[0] !== undefined && ranked[0].d <= 2 ? ranked[0].candidate : undefined;
}

/** node:util's parse errors in words: the problem, and the fix. */
function usageErrorOf(error: unknown, spec: CommandSpec): AppError {
  const { code, message } = error as { code?: string; message?: string };
  const option = /'(-{1,2}[^' ]+)/.exec(message ?? '')?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const guess = closestOption(option.replace(/^-+/, '').replace(/=.*/, ''), Object.keys(spec.options));
      return new AppError('usage', `unknown option ${option}${guess === undefined ? '' : ` (did you mean --${guess}?)`}`);
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return spec.options[option.replace(/^-+/, '')]?.type === 'boolean'
        ? new AppError('usage', `${option} takes no value`)
        : new AppError('usage', `${option} needs a value`);
    default:
      return new AppError('usage', message ?? 'the command line could not be read');
  }
}

/**
 * Reads a command line by its declaration.
 * @returns null when help was asked for (and printed).
 * @throws AppError `usage` for an unknown option, a missing value, or too few or too many arguments.
 */
export function parseCommandLine<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, argv: readonly string[]): CommandInput<O> | null {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(formatHelp(spec));
    return null;
  }
  const options: ParseArgsConfig['options'] = Object.fromEntries(
    Object.entries(spec.options).map(([name, { type, multiple, default: fallback }]) => [
      name,
      { type, ...(multiple === undefined ? {} : { multiple }), ...(fallback === undefined ? {} : { default: fallback }) },
    ]),
  );
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    // Only the parser's verdicts on the command line are the user's; anything else is a fault of the declaration.
    if (!String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_')) throw error;
    throw usageErrorOf(error, spec);
  }
  const args = parsed.positionals;
  const min = spec.minArgs ?? 0;
  const max = spec.maxArgs ?? (spec.args === undefined ? 0 : Infinity);
  if (args.length < min) throw new AppError('usage', `missing ${spec.args ?? 'arguments'}`);
  if (args.length > max) throw new AppError('usage', max === 0 ? `takes no arguments, got "${args[0]}"` : `too many arguments (at most ${max})`);
  return { values: parsed.values as OptionValues<O>, args };
}

/**
 * Runs a command: parses its line (printing help for `--help`), then its work. A usage error is printed with the
 * usage line and exits 2; another failure prints its code and message and exits 1; the work's number is the exit code.
 */
export function runCommand<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, work: (input: CommandInput<O>) => Promise<number | void>): void {
  runCli(async () => {
    const input = parseCommandLine(spec, process.argv.slice(2));
    return input === null ? 0 : work(input);
  }, { usage: `usage: ${usageLine(spec)}\n(npm run ${spec.name} -- --help tells more)`, command: `npm run ${spec.name}` });
}
