#!/usr/bin/env bash
# scalelite-upload: ships one published BigBlueButton recording to the serverless Scalelite.
#
#   scalelite-upload -m <record id> [-f <format>] [-c <config file>]
#
# Tars every format published for the record id (`<format>/<record id>/…`, Scalelite's layout), asks the
# balancer for an upload URL (POST /scalelite/recordings/upload, signed with this server's BBB secret) and
# PUTs the tar there, retrying with backoff. BigBlueButton runs it after each publish through
# scalelite_upload.rb (post_publish); it can be run by hand for any published recording too.
# Settings: one file, /etc/scalelite-upload.conf (or -c FILE, or $SCALELITE_UPLOAD_CONF); see
# scalelite-upload.conf and docs/RECORDINGS.md.
#
# Exit status: 0 uploaded · 1 usage or configuration error · 2 nothing published for the record id ·
#              3 refused by the balancer (not retried) · 4 gave up after the configured attempts
set -uo pipefail
umask 077

# ---- defaults (every one can be set in the config file) ----
SCALELITE_URL=''
SERVER=''
BBB_SECRET=''
BBB_WEB_PROPERTIES='/etc/bigbluebutton/bbb-web.properties:/usr/share/bbb-web/WEB-INF/classes/bigbluebutton.properties'
PUBLISHED_DIR='/var/bigbluebutton/published'
WORK_DIR='/var/bigbluebutton/recording/scalelite-upload'
CHECKSUM_ALGORITHM='sha256'
ATTEMPTS='6'
RETRY_DELAY='15'
MAX_RETRY_DELAY='300'
CONNECT_TIMEOUT='10'
LOG_FILE='/var/log/bigbluebutton/scalelite-upload.log'
SETTINGS='SCALELITE_URL SERVER BBB_SECRET BBB_WEB_PROPERTIES PUBLISHED_DIR WORK_DIR CHECKSUM_ALGORITHM ATTEMPTS RETRY_DELAY MAX_RETRY_DELAY CONNECT_TIMEOUT LOG_FILE'

RECORD_ID=''
FORMAT=''
CONFIG_FILE="${SCALELITE_UPLOAD_CONF:-/etc/scalelite-upload.conf}"
TAR_FILE=''
RESPONSE_FILE=''
ERROR_FILE=''

log() {
  local line
  line="$(date -u '+%Y-%m-%dT%H:%M:%SZ') scalelite-upload[${RECORD_ID:--}]: $*"
  printf '%s\n' "$line" >&2
  if [[ -n $LOG_FILE ]]; then { printf '%s\n' "$line" >>"$LOG_FILE"; } 2>/dev/null || true; fi
}
die() {
  local code=$1
  shift
  log "ERROR: $*"
  exit "$code"
}
cleanup() { rm -f -- "$TAR_FILE" "$RESPONSE_FILE" "$ERROR_FILE" 2>/dev/null || true; }
trap cleanup EXIT

trim() {
  local s=$1
  s=${s#"${s%%[![:space:]]*}"}
  s=${s%"${s##*[![:space:]]}"}
  printf '%s' "$s"
}

# KEY=VALUE lines (optionally quoted), `#` comments; read as data, never executed.
read_config() {
  local file=$1 line key value n=0
  while IFS= read -r line || [[ -n $line ]]; do
    n=$((n + 1))
    line=$(trim "${line%$'\r'}")
    [[ -z $line || $line == \#* ]] && continue
    if [[ $line =~ ^([A-Z_]+)[[:space:]]*=(.*)$ ]]; then
      key=${BASH_REMATCH[1]}
      value=$(trim "${BASH_REMATCH[2]}")
      if [[ $value =~ ^\"(.*)\"$ || $value =~ ^\'(.*)\'$ ]]; then value=${BASH_REMATCH[1]}; fi
      if [[ " $SETTINGS " == *" $key "* ]]; then
        printf -v "$key" '%s' "$value"
      else
        log "warning: $file line $n: unknown setting $key (ignored)"
      fi
    else
      log "warning: $file line $n: not KEY=VALUE (ignored)"
    fi
  done <"$file"
}

# The value of a Java property from the first of the BBB_WEB_PROPERTIES files that sets it.
bbb_property() {
  local name=$1 file value
  local -a files
  IFS=: read -r -a files <<<"$BBB_WEB_PROPERTIES"
  for file in "${files[@]}"; do
    [[ -r $file ]] || continue
    value=$(sed -n -E "s/^[[:space:]]*${name//./\\.}[[:space:]]*[=:][[:space:]]*//p" "$file" | tail -n 1 | tr -d '\r')
    value=$(trim "$value")
    if [[ -n $value ]]; then
      printf '%s' "$value"
      return 0
    fi
  done
  return 1
}

urlencode() {
  local LC_ALL=C s=$1 out='' c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      [A-Za-z0-9._~-]) out+=$c ;;
      *) printf -v c '%%%02X' "'$c"; out+=$c ;;
    esac
  done
  printf '%s' "$out"
}

json_string() { # field file → the field's string value (the balancer's JSON has no escapes in these)
  sed -n -E "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"([^\"]*)\".*/\\1/p" "$2" | head -n 1 | sed 's#\\/#/#g'
}

# ---- arguments ----
while getopts ':m:f:c:h' opt; do
  case $opt in
    m) RECORD_ID=$OPTARG ;;
    f) FORMAT=$OPTARG ;;
    c) CONFIG_FILE=$OPTARG ;;
    h) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    :) die 1 "option -$OPTARG needs a value" ;;
    *) log "warning: unknown option -$OPTARG (ignored)" ;;
  esac
done
[[ -n $RECORD_ID ]] || die 1 'usage: scalelite-upload -m <record id> [-f <format>] [-c <config file>]'
[[ $RECORD_ID =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$ ]] || die 1 "not a record id: $RECORD_ID"

# ---- settings ----
[[ -r $CONFIG_FILE ]] || die 1 "cannot read the config file $CONFIG_FILE (set at least SCALELITE_URL there)"
read_config "$CONFIG_FILE"
SCALELITE_URL=${SCALELITE_URL%/}
SCALELITE_URL=${SCALELITE_URL%/bigbluebutton/api}
[[ $SCALELITE_URL =~ ^https?://[^/[:space:]]+(/[^[:space:]]*)?$ ]] || die 1 "SCALELITE_URL must be the balancer's http(s) URL, e.g. https://sl.example.com (is '$SCALELITE_URL' in $CONFIG_FILE)"
case $CHECKSUM_ALGORITHM in
  sha1 | sha256 | sha384 | sha512) ;;
  *) die 1 "CHECKSUM_ALGORITHM must be sha1, sha256, sha384 or sha512 (is '$CHECKSUM_ALGORITHM')" ;;
esac
for n in ATTEMPTS RETRY_DELAY MAX_RETRY_DELAY CONNECT_TIMEOUT; do
  [[ ${!n} =~ ^[0-9]+$ ]] || die 1 "$n must be a whole number (is '${!n}')"
done
((ATTEMPTS >= 1)) || die 1 'ATTEMPTS must be at least 1'
for tool in curl tar sed "${CHECKSUM_ALGORITHM}sum"; do
  command -v "$tool" >/dev/null || die 1 "$tool is not installed"
done

if [[ -z $BBB_SECRET ]]; then
  BBB_SECRET=$(bbb_property securitySalt) || die 1 "no securitySalt in $BBB_WEB_PROPERTIES (readable by $(id -un)?): set BBB_SECRET in $CONFIG_FILE"
fi
if [[ -z $SERVER ]]; then
  server_url=$(bbb_property bigbluebutton.web.serverURL) || server_url=''
  SERVER=${server_url#*://}
  SERVER=${SERVER%%/*}
  SERVER=${SERVER%%:*}
  [[ -n $SERVER ]] || SERVER=$(hostname -f 2>/dev/null || hostname)
fi

# ---- the tar: every format published for the record id ----
cd "$PUBLISHED_DIR" 2>/dev/null || die 1 "cannot enter PUBLISHED_DIR $PUBLISHED_DIR"
dirs=()
for dir in */"$RECORD_ID"; do
  [[ -d $dir ]] || continue
  if [[ -f $dir/metadata.xml ]]; then dirs+=("$dir"); else log "skipping $dir: it has no metadata.xml"; fi
done
((${#dirs[@]} > 0)) || die 2 "nothing published for $RECORD_ID in $PUBLISHED_DIR"
formats=$(printf '%s\n' "${dirs[@]%%/*}" | paste -sd, -)

mkdir -p -- "$WORK_DIR" 2>/dev/null || die 1 "cannot create WORK_DIR $WORK_DIR"
TAR_FILE=$(mktemp -p "$WORK_DIR" "$RECORD_ID.XXXXXX.tar") || die 1 "cannot write in WORK_DIR $WORK_DIR"
RESPONSE_FILE=$(mktemp -p "$WORK_DIR" "response.XXXXXX") || die 1 "cannot write in WORK_DIR $WORK_DIR"
ERROR_FILE=$(mktemp -p "$WORK_DIR" "error.XXXXXX") || die 1 "cannot write in WORK_DIR $WORK_DIR"
tar --create --file "$TAR_FILE" -- "${dirs[@]}" || die 1 "tar failed for $RECORD_ID"
size=$(stat -c %s -- "$TAR_FILE")
log "uploading $formats ($size bytes) to $SCALELITE_URL as server $SERVER${FORMAT:+ (after publishing $FORMAT)}"

# ---- one attempt: ask for an upload URL, PUT the tar. 0 = done, 1 = retry, 2 = refused ----
attempt_upload() {
  local query checksum status upload_url message
  query="server=$(urlencode "$SERVER")&recordID=$RECORD_ID"
  # the secret goes through a pipe (printf is a shell builtin): never on a command line
  checksum=$(printf '%s' "uploadRecording${query}${BBB_SECRET}" | "${CHECKSUM_ALGORITHM}sum" | cut -d' ' -f1)
  : >"$RESPONSE_FILE"
  status=$(curl -sS -g -o "$RESPONSE_FILE" -w '%{http_code}' --connect-timeout "$CONNECT_TIMEOUT" --max-time 60 \
    -X POST --data-binary '' "$SCALELITE_URL/scalelite/recordings/upload?$query&checksum=$checksum" 2>"$ERROR_FILE")
  case $status in
    200) ;;
    401)
      log "the balancer refused the upload request (HTTP 401): server '$SERVER' is not registered there (servers:add with this host name or use its id in SERVER), or BBB_SECRET/securitySalt is not the secret it was registered with"
      return 2 ;;
    400 | 403 | 404 | 405)
      message=$(json_string error "$RESPONSE_FILE")
      log "the balancer refused the upload request (HTTP $status)${message:+: $message} — check SCALELITE_URL ($SCALELITE_URL)"
      return 2 ;;
    000)
      log "cannot reach $SCALELITE_URL: $(head -c 300 "$ERROR_FILE")"
      return 1 ;;
    *)
      message=$(json_string error "$RESPONSE_FILE")
      log "upload request failed (HTTP $status)${message:+: $message}"
      return 1 ;;
  esac
  upload_url=$(json_string uploadUrl "$RESPONSE_FILE")
  [[ $upload_url == http* ]] || { log 'the balancer answered without an uploadUrl'; return 1; }
  # the URL is a bearer credential until it expires: never logged
  : >"$RESPONSE_FILE"
  status=$(curl -sS -g -o "$RESPONSE_FILE" -w '%{http_code}' --connect-timeout "$CONNECT_TIMEOUT" --speed-limit 1024 --speed-time 120 \
    -T "$TAR_FILE" -H 'Content-Type: application/x-tar' "$upload_url" 2>"$ERROR_FILE")
  if [[ $status == 2?? ]]; then return 0; fi
  log "PUT of the tar failed (HTTP $status): $(head -c 300 "$ERROR_FILE") $(head -c 300 "$RESPONSE_FILE")"
  return 1
}

attempt=1
delay=$RETRY_DELAY
while :; do
  attempt_upload
  case $? in
    0) log "uploaded $formats of $RECORD_ID ($size bytes)"; exit 0 ;;
    2) die 3 "upload of $RECORD_ID refused; not retrying" ;;
  esac
  ((attempt < ATTEMPTS)) || die 4 "giving up on $RECORD_ID after $attempt attempts (run again: scalelite-upload -m $RECORD_ID)"
  log "attempt $attempt of $ATTEMPTS failed; next in ${delay}s"
  sleep "$delay"
  attempt=$((attempt + 1))
  delay=$((delay * 2 > MAX_RETRY_DELAY ? MAX_RETRY_DELAY : delay * 2))
done
