// Viewer-request function of the API behaviours when the distribution has no domain of its own
// (runtime cloudfront-js-2.0). API Gateway's own endpoint only answers to its own Host, so the
// distribution cannot pass the viewer's Host to it; this passes it as X-Forwarded-Host instead (the
// stack sets TRUST_FORWARDED_HOST=true), so the URLs the API builds — playback, thumbnails — name the
// distribution's host. A viewer's own X-Forwarded-Host is overwritten.

function handler(event) {
  var request = event.request;
  var host = request.headers.host ? request.headers.host.value : '';
  request.headers['x-forwarded-host'] = { value: host };
  return request;
}
