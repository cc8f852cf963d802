/** `actool discover` (placeholder until its module lands). */
import type { Command } from '../command.js';
import { notYet } from '../not-yet.js';

/** The discover command. */
export const command: Command = notYet('discover', 'discover');
