#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so `npx slctl` works straight after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../main.ts');
