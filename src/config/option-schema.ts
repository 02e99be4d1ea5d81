import { ConfigError } from './config-error';

/** One schema for every command option: its flag, environment variable, default and help. */
export interface OptionSpec {
  /** Key in the raw values, as commander names it (camelCase of the flag). */
  key: string;
  flags: string;
  env: string;
  description: string;
  default?: string | string[];
  /** Has no default and must be given (the help says so). */
  required?: boolean;
  /** May be given many times; the environment variable holds several, split on this. */
  repeatable?: { envSeparator: string };
}

/** Resolved values: a switch given as a flag reads as "true". */
export type RawOptions = Record<string, string | string[] | undefined>;

/** For values resolved from an environment variable: that variable's name, by key. */
const fromEnvironment = new WeakMap<RawOptions, Map<string, string>>();

/** Flag, then environment variable, then default. A switch given as a flag reads as "true". */
export function resolveOptions(specs: readonly OptionSpec[], flags: Record<string, unknown>, env: NodeJS.ProcessEnv): RawOptions {
  const resolved: RawOptions = {};
  const environmentNames = new Map<string, string>();
  fromEnvironment.set(resolved, environmentNames);
  for (const spec of specs) {
    const fromFlag = flags[spec.key];
    const fromEnv = env[spec.env];
    if (fromFlag !== undefined && fromFlag !== false && !(Array.isArray(fromFlag) && fromFlag.length === 0)) {
      resolved[spec.key] = fromFlag === true ? 'true' : Array.isArray(fromFlag) ? fromFlag.map(String) : String(fromFlag);
    } else if (fromEnv !== undefined && fromEnv !== '') {
      environmentNames.set(spec.key, spec.env);
      resolved[spec.key] = spec.repeatable
        ? fromEnv.split(spec.repeatable.envSeparator).map((value) => value.trim()).filter((value) => value !== '')
        : fromEnv;
    } else {
      resolved[spec.key] = spec.default;
    }
  }
  return resolved;
}

/**
 * Builds a configuration from resolved values. A ConfigError about a value that came from an
 * environment variable names the variable as well as the option: the user never typed the flag.
 */
export function buildNamingSources<T>(specs: readonly OptionSpec[], raw: RawOptions, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const spec = specs.find((candidate) => flagName(candidate) === error.option);
    const variable = spec && fromEnvironment.get(raw)?.get(spec.key);
    throw variable === undefined ? error : new ConfigError(`${variable} (${error.option})`, error.detail);
  }
}

function flagName(spec: OptionSpec): string | undefined {
  return /--[\w-]+/.exec(spec.flags)?.[0];
}

/**
 * A yes/no value, from a switch's environment variable or an option's value: true, 1, yes or on;
 * false, 0, no or off (any case). A switch not given is off; anything else is refused, not read
 * as off, so a typo cannot quietly turn a setting off.
 */
export function switchValue(raw: RawOptions, key: string, option: string): boolean {
  const value = raw[key];
  if (value === undefined) return false;
  const text = String(value).trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(text)) return true;
  if (['false', '0', 'no', 'off'].includes(text)) return false;
  throw new ConfigError(option, `"${String(value)}" is not true or false (1/0, yes/no and on/off are read too)`);
}
