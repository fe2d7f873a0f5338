/** Base of every error the suite throws on purpose: the message is written for the person reading the log. */
export class DeployActionsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad configuration: names the input (or file and field) and how to fix it. Raised before any AWS change. */
export class ConfigError extends DeployActionsError {
  readonly where: string;
  constructor(where: string, problem: string, fix?: string) {
    super(`${where}: ${problem}${fix ? ` — ${fix}` : ''}`);
    this.where = where;
  }
}

/** Several configuration problems found in one pass, reported together so the user fixes them at once. */
export class ConfigErrors extends DeployActionsError {
  readonly errors: readonly ConfigError[];
  constructor(errors: readonly ConfigError[]) {
    super(
      errors.length === 1
        ? (errors[0]?.message ?? '')
        : `${errors.length} problems:\n${errors.map((e) => `  - ${e.message}`).join('\n')}`,
    );
    this.errors = errors;
  }
}

/** Collects ConfigErrors, then throws them all at once, so a user fixes every input problem in one go. */
export class ErrorCollector {
  private readonly found: ConfigError[] = [];
  add(where: string, problem: string, fix?: string): void {
    this.found.push(new ConfigError(where, problem, fix));
  }
  push(error: ConfigError): void {
    this.found.push(error);
  }
  /** Runs one parser, recording its ConfigError(s) instead of stopping; other errors pass through. */
  attempt<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (error) {
      this.record(error);
      return undefined;
    }
  }
  async attemptAsync<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      this.record(error);
      return undefined;
    }
  }
  get count(): number {
    return this.found.length;
  }
  throwIfAny(): void {
    if (this.found.length > 0) throw new ConfigErrors(this.found);
  }
  private record(error: unknown): void {
    if (error instanceof ConfigErrors) this.found.push(...error.errors);
    else if (error instanceof ConfigError) this.found.push(error);
    else throw error;
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
