// Viewer-request function of the distribution's recording-file behaviours (`/<format>/*` and the
// presentation player's files), runtime cloudfront-js-2.0. Plain JavaScript, no modules: CloudFront runs
// the file as it is. The stack prepends the constants it uses (infra/edge-functions.ts):
//   NOT_FOUND_HTML  Scalelite's "Recording Not Found" page (shared/domain/recording-not-found.ts)
//   PLAYER_PATH     '/playback/presentation/2.3/' (shared/storage/storage-keys.ts)
//
// Viewer path                      → bucket key (shared/storage/storage-keys.ts recordingFileKey)
//   /<format>/<id>/<file…>         → recordings/<id>/<format>/<file…>
//   /<format>/<id>/<dir>/          → recordings/<id>/<format>/<dir>/index.html
//   /<format>/<id>                 → 301 to /<format>/<id>/ (query kept), so relative links resolve
//   /playback/presentation/2.3/<f> → playback/presentation/2.3/<f> (unchanged)
// Refused with 404 and the page, before S3 is asked: `//`, a `.` or `..` segment, a backslash, an
// encoded slash, backslash, dot or NUL (`%2F`, `%5C`, `%2E`, `%00`, any case), a record id that is none.

var RECORD_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
var ENCODED_SEPARATOR = /%(2f|5c|2e|00)/i;

function notFound() {
  return {
    statusCode: 404,
    statusDescription: 'Not Found',
    headers: {
      'content-type': { value: 'text/html; charset=utf-8' },
      'cache-control': { value: 'no-store' },
      'x-content-type-options': { value: 'nosniff' },
    },
    body: { encoding: 'text', data: NOT_FOUND_HTML },
  };
}

function unsafePath(uri) {
  if (uri.charAt(0) !== '/' || uri.indexOf('//') !== -1 || uri.indexOf('\\') !== -1 || ENCODED_SEPARATOR.test(uri)) return true;
  var segments = uri.split('/');
  for (var i = 1; i < segments.length; i++) {
    if (segments[i] === '.' || segments[i] === '..') return true;
  }
  return false;
}

/** The query string as the viewer sent it (values stay percent-encoded), with its `?`; '' when none. */
function queryString(querystring) {
  var pairs = [];
  var names = Object.keys(querystring || {});
  for (var i = 0; i < names.length; i++) {
    var entry = querystring[names[i]];
    var values = entry.multiValue ? entry.multiValue : [entry];
    for (var j = 0; j < values.length; j++) {
      pairs.push(values[j].value === '' ? names[i] : names[i] + '=' + values[j].value);
    }
  }
  return pairs.length > 0 ? '?' + pairs.join('&') : '';
}

function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (unsafePath(uri)) return notFound();
  if (uri.indexOf(PLAYER_PATH) === 0) return request;

  var segments = uri.split('/'); // ['', format, id, file…]
  var format = segments[1];
  var id = segments[2];
  if (!format || id === undefined || !RECORD_ID.test(id)) return notFound();
  if (segments.length === 3) {
    return {
      statusCode: 301,
      statusDescription: 'Moved Permanently',
      headers: { location: { value: uri + '/' + queryString(request.querystring) } },
    };
  }
  var file = segments.slice(3).join('/');
  if (file === '' || file.charAt(file.length - 1) === '/') file += 'index.html';
  request.uri = '/recordings/' + id + '/' + format + '/' + file;
  return request;
}
