/** `actool convert` (placeholder until its module lands). */
import type { Command } from '../command.js';
import { notYet } from '../not-yet.js';

/** The convert command. */
export const command: Command = notYet('convert', 'convert');
