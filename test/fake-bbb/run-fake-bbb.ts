/**
 * A fake BigBlueButton server for trying the balancer locally (`npm run fake-bbb -- --port 8090 --secret s`).
 * It verifies checksums like BBB and keeps meetings in memory; stop it with Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { FakeBbb } from './fake-bbb-server.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '8090' }, secret: { type: 'string', default: 'fake-bbb-secret' }, host: { type: 'string', default: '127.0.0.1' } },
});
const fake = await FakeBbb.start({ port: Number(values.port), secret: values.secret, host: values.host });
process.stdout.write(`fake BBB listening: url ${fake.url}  secret ${fake.secret}\n`);
process.on('SIGINT', () => void fake.stop().then(() => process.exit(0)));
