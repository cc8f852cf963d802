/** `actool verify` (placeholder until its module lands). */
import type { Command } from '../command.js';
import { notYet } from '../not-yet.js';

/** The verify command. */
export const command: Command = notYet('verify', 'verify');
