/**
 * Why an admin change (CLI task or admin API) was refused. `kind` picks the CLI exit code and the HTTP
 * status; adapters with a Scalelite wording of their own (e.g. "not found") use that instead of `message`.
 */
export class AdminError extends Error {
  constructor(
    readonly kind: 'notFound' | 'conflict' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'AdminError';
  }
}
