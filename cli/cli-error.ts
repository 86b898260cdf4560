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
