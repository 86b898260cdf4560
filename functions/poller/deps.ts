import { lambdaDeps } from '../lambda-deps.js';

/** The poller's composition root: the table and the BBB servers, no recordings bucket (it touches none). */
export const { deps, log } = await lambdaDeps('poller');
