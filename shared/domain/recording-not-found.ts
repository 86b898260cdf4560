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
