/** A bad option value. The message names the option, so the CLI prints it as the one line. */
export class ConfigError extends Error {
  constructor(readonly option: string, readonly detail: string) {
    super(`${option}: ${detail}`);
    this.name = 'ConfigError';
  }
}
