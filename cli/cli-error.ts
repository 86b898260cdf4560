/** A task failure: the message goes to stderr as is, the process exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Exit code of a usage error: a missing or invalid argument (BSD's EX_USAGE, what yargs' own checks exit with). */
export const USAGE_EXIT = 64;

/** A missing or invalid argument: the message (Scalelite's where it has one) and exit 64, before anything is read or changed. */
export const usageError = (message: string): CliError => new CliError(message, USAGE_EXIT);

/** A question answered with anything but `yes` (or not answered): nothing was done, exit 1. */
export const declined = (whatStays: string): CliError =>
  new CliError(`Nothing was done: ${whatStays}. Answer \`yes\` to go ahead, or pass --yes.`, 1);

/** The one place that maps failures to a message and an exit code. */
export function describeFailure(e: unknown): { message: string; exitCode: number } {
  if (e instanceof CliError) return { message: e.message, exitCode: e.exitCode };
  const err = e as { name?: string; message?: string; code?: string };
  if (err?.name === 'ConfigError') return { message: `ERROR: ${err.message}`, exitCode: 2 };
  if (err?.name === 'ResourceNotFoundException') return { message: `ERROR: the DynamoDB table does not exist (${err.message})`, exitCode: 3 };
  if (err?.code === 'ECONNREFUSED' || /ECONNREFUSED|getaddrinfo|socket hang up/.test(err?.message ?? '')) {
    return { message: `ERROR: cannot reach DynamoDB (${err?.message}); check DYNAMODB_ENDPOINT / --endpoint`, exitCode: 3 };
  }
  if (err?.name === 'CredentialsProviderError') return { message: `ERROR: no AWS credentials (${err.message}); set AWS_PROFILE or use --profile`, exitCode: 3 };
  return { message: `ERROR: ${err?.message ?? String(e)}`, exitCode: 1 };
}
