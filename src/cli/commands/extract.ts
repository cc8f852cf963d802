/** `actool extract` (placeholder until its module lands). */
import type { Command } from '../command.js';
import { notYet } from '../not-yet.js';

/** The extract command. */
export const command: Command = notYet('extract', 'extract');
