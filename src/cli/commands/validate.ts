/** `actool validate` (placeholder until its module lands). */
import type { Command } from '../command.js';
import { notYet } from '../not-yet.js';

/** The validate command. */
export const command: Command = notYet('validate', 'validate');
