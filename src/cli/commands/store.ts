/** `actool store` (placeholder until its module lands). */
import type { Command } from '../command.js';
import { notYet } from '../not-yet.js';

/** The store command. */
export const command: Command = notYet('store', 'store');
