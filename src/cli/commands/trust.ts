/** `actool trust` (placeholder until its module lands). */
import type { Command } from '../command.js';
import { notYet } from '../not-yet.js';

/** The trust command. */
export const command: Command = notYet('trust', 'trust');
