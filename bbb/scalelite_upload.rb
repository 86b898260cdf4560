#!/usr/bin/ruby
# frozen_string_literal: true

# BigBlueButton post_publish hook of the serverless Scalelite.
#
# BigBlueButton runs every /usr/local/bigbluebutton/core/scripts/post_publish/*.rb as
# `ruby <script> -m <record id>` (BBB 2.6+ adds `-f <format>`) after a recording was published. This hands
# the arguments to scalelite-upload (bash), which tars the published formats, asks the balancer for an
# upload URL and uploads the tar (settings: /etc/scalelite-upload.conf). Its exit status is this script's:
# BBB logs a non-zero one as a failed post_publish step in bbb-rap-worker.log.

script = ENV.fetch('SCALELITE_UPLOAD_SCRIPT', '/usr/local/bin/scalelite-upload')
begin
  exec(script, *ARGV)
rescue SystemCallError => e
  warn("scalelite_upload.rb: cannot run #{script}: #{e.message}")
  exit(1)
end
