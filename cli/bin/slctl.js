#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so `npx slctl` works straight after `npm ci`.
import { register } from 'tsx/esm/api';

// Node 20 is supported here; the SDK's notice about its future Node 22 requirement is noise for operators.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../main.ts');
