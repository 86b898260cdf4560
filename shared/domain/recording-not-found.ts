/**
 * Scalelite's "Recording Not Found" page, byte for byte: `app/views/errors/recording_not_found.html.erb`
 * (no layout) rendered with the strings of `config/locales/en.yml` (reference §1.10). Every refusal of a
 * playback route answers it with HTTP 404, whatever the reason, so a viewer cannot tell an unknown
 * recording from an unpublished, deleted, protected or other tenant's one.
 */
export const RECORDING_NOT_FOUND_HTML = `<!DOCTYPE html>
<html lang="en">
  <head>
    <title>Recording Not Found</title>
  </head>
  <body>
    <h1 style="text-align: center;">Recording Not Found</h1>
    <h3 style="text-align: center;">The recording URL is invalid. This recording may have been either protected or deleted.</h3>
    <hr>
  </body>
</html>
`;

export const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';

/**
 * Where the page is also served with HTTP 200, for CloudFront's custom error response: a request for a
 * recording's files that CloudFront refuses (no or bad signed cookie → 403) or that the bucket does not
 * have (403 without s3:ListBucket) gets this page with status 404.
 */
export const RECORDING_NOT_FOUND_PATH = '/errors/recording-not-found.html';
