/** One schema for every command option: its flag, environment variable, default and help. */
export interface OptionSpec {
  /** Key in the raw values, as commander names it (camelCase of the flag). */
  key: string;
  flags: string;
  env: string;
  description: string;
  default?: string | string[];
  /** May be given many times; the environment variable holds several, split on this. */
  repeatable?: { envSeparator: string };
}

/** Resolved values: a switch given as a flag reads as "true". */
export type RawOptions = Record<string, string | string[] | undefined>;

/** Flag, then environment variable, then default. A switch given as a flag reads as "true". */
export function resolveOptions(specs: readonly OptionSpec[], flags: Record<string, unknown>, env: NodeJS.ProcessEnv): RawOptions {
  const resolved: RawOptions = {};
  for (const spec of specs) {
    const fromFlag = flags[spec.key];
    const fromEnv = env[spec.env];
    if (fromFlag !== undefined && fromFlag !== false && !(Array.isArray(fromFlag) && fromFlag.length === 0)) {
      resolved[spec.key] = fromFlag === true ? 'true' : Array.isArray(fromFlag) ? fromFlag.map(String) : String(fromFlag);
    } else if (fromEnv !== undefined && fromEnv !== '') {
      resolved[spec.key] = spec.repeatable
        ? fromEnv.split(spec.repeatable.envSeparator).map((value) => value.trim()).filter((value) => value !== '')
        : fromEnv;
    } else {
      resolved[spec.key] = spec.default;
    }
  }
  return resolved;
}
