// The slctl bin as it was before the build (issue 12 item 5): the TypeScript sources through tsx's loader.
// bench/cli-startup.ts runs it as the "before" of the start-up comparison.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../../cli/main.ts');
